"""Translations of an agreement: the languages offered, one language's page, proposing a
translated text and a facilitator's confirmation (services/translations.py holds the rules).

The pages work without JavaScript: plain forms that post, redirect and show a refusal next
to the form with what was typed kept (responses.perform).
"""

from __future__ import annotations

from collections.abc import Callable

from babel import Locale, UnknownLocaleError
from flask import request, url_for
from flask_babel import get_locale
from werkzeug.wrappers import Response

from .. import services
from ..auth import current_actor
from ..errors import NotFound
from ..models import Translation
from ..services import queries
from ..services.translations import current_translations, translation_view
from ..storage.sessions import get_session
from ..wording import _
from . import forms
from .blueprint import bp
from .responses import Renderer, perform, render

DECISIONS: dict[str, tuple[Callable[..., Translation], str]] = {
    "confirm": (services.confirm_translation, _("The translation is confirmed.")),
    "decline": (services.decline_translation, _("The translation is declined.")),
}


def language_autonym(tag: str) -> str:
    """A language named in itself ("français", "العربية"), or its tag when Babel does not
    know it: a list of translations is read by people looking for their own language."""
    try:
        locale = Locale.parse(tag, sep="-")
    except (ValueError, UnknownLocaleError):
        return tag
    return locale.get_display_name(locale) or tag


def language_name(tag: str) -> str:
    """A language named in the reader's interface language ("Arabic", "arabe"), or its tag
    when Babel does not know it: for headings and titles, which are interface text."""
    try:
        return Locale.parse(tag, sep="-").get_display_name(get_locale()) or tag
    except (ValueError, UnknownLocaleError):
        return tag


bp.add_app_template_filter(language_autonym, "language_autonym")
bp.add_app_template_filter(language_name, "language_name")


def _index_page(slug: str, agreement_slug: str, **extra: object) -> Response:
    session, actor = get_session(), current_actor()
    community, agreement = queries.agreement_at(session, actor, slug, agreement_slug)
    return render(
        "translations.html",
        "partials/translations.html",
        community=community,
        agreement=agreement,
        current=queries.latest_version(session, agreement),
        translations=current_translations(session, agreement),
        **extra,
    )


def _language_page(slug: str, agreement_slug: str, language: str, **extra: object) -> Response:
    session, actor = get_session(), current_actor()
    community, agreement = queries.agreement_at(session, actor, slug, agreement_slug)
    from_version = forms.version_number(request.args.get("from"), "from")
    view = translation_view(session, actor, community, agreement, language, from_version)
    shown = view.shown
    return render(
        "translation.html",
        "partials/translation.html",
        community=community,
        agreement=agreement,
        view=view,
        people=queries.people(
            session,
            {p.translation.proposer_id for p in view.pending}
            | ({shown.proposer_id, shown.decided_by_id} if shown else set()),
        ),
        **extra,
    )


@bp.get("/c/<slug>/a/<agreement_slug>/translations")
def translations(slug: str, agreement_slug: str) -> Response:
    """The agreement's translations, and the form to propose one in a new language."""
    return _index_page(slug, agreement_slug)


def _propose(slug: str, agreement_slug: str, language: str, show: Renderer) -> Response:
    """Propose the submitted text for `language`; a refusal re-renders `show`'s page."""
    session, actor = get_session(), current_actor()
    _community, agreement = queries.agreement_at(session, actor, slug, agreement_slug)
    return perform(
        lambda: services.propose_translation(
            session,
            actor,
            agreement_id=agreement.id,
            language=language,
            text=forms.text(request.form, "text"),
            source_number=forms.optional_int(request.form, "source", _("The source version")),
            note=forms.text(request.form, "note"),
        ),
        success=_("Your translation is proposed. A facilitator confirms it."),
        location=lambda made: url_for(
            "web.translation", slug=slug, agreement_slug=agreement_slug, language=made.language
        ),
        show=show,
    )


@bp.post("/c/<slug>/a/<agreement_slug>/translations")
def propose_translation(slug: str, agreement_slug: str) -> Response:
    """A member proposes a translation into a language (the first one, or an update)."""
    language = forms.text(request.form, "language")
    return _propose(
        slug, agreement_slug, language, lambda **extra: _index_page(slug, agreement_slug, **extra)
    )


@bp.get("/c/<slug>/a/<agreement_slug>/translations/<language>")
def translation(slug: str, agreement_slug: str, language: str) -> Response:
    """One language: its translation, the version it was made from, the source's changes
    since (when stale), the proposals waiting and the form to propose an update."""
    return _language_page(slug, agreement_slug, language)


@bp.post("/c/<slug>/a/<agreement_slug>/translations/<language>")
def update_translation(slug: str, agreement_slug: str, language: str) -> Response:
    """A member proposes an updated translation of this language."""
    return _propose(
        slug,
        agreement_slug,
        language,
        lambda **extra: _language_page(slug, agreement_slug, language, **extra),
    )


@bp.post("/c/<slug>/a/<agreement_slug>/translations/<language>/<int:translation_id>/<decision>")
def decide_translation(
    slug: str, agreement_slug: str, language: str, translation_id: int, decision: str
) -> Response:
    """A facilitator confirms or declines a proposed translation."""
    if decision not in DECISIONS:
        raise NotFound(_("There is no such action."))
    use_case, success = DECISIONS[decision]
    session, actor = get_session(), current_actor()
    _community, agreement = queries.agreement_at(session, actor, slug, agreement_slug)
    proposed = session.get(Translation, translation_id)
    if proposed is None or proposed.agreement_id != agreement.id:
        raise NotFound()
    arguments: dict[str, object] = {"translation_id": translation_id}
    if decision == "decline":
        arguments["reason"] = forms.text(request.form, "reason")
    return perform(
        lambda: use_case(session, actor, **arguments),
        success=success,
        location=url_for(
            "web.translation", slug=slug, agreement_slug=agreement_slug, language=language
        ),
        show=lambda **extra: _language_page(slug, agreement_slug, language, **extra),
    )
