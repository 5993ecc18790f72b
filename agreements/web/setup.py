"""A facilitator sets a community up: new agreements (typed or imported) and its settings.

Each POST parses the form and calls one use case (create_agreement,
import_agreement_history, update_community_settings), the same ones the API calls; a
refusal re-renders the form with the message and what was typed.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import request, url_for
from werkzeug.wrappers import Response

from .. import services
from ..auth import current_actor
from ..languages import DEFAULT_LANGUAGE
from ..models import PROTOCOLS, QUORUM_RULES, Agreement
from ..services import queries
from ..storage.sessions import get_session
from ..wording import _
from . import forms
from .blueprint import bp
from .responses import perform, render


def _new_agreement_page(slug: str, **extra: object) -> Response:
    community = queries.facilitated_community(get_session(), current_actor(), slug)
    return render("new_agreement.html", "partials/new_agreement.html", community=community, **extra)


def _agreement_address(slug: str) -> Callable[[Agreement], str]:
    """Where to go once the agreement exists: its own page."""
    return lambda agreement: url_for("web.agreement", slug=slug, agreement_slug=agreement.slug)


def _created(agreement: Agreement) -> str:
    return _(
        "“%(title)s” is created. Members can now read it and propose amendments.",
        title=agreement.title,
    )


@bp.get("/c/<slug>/agreements/new")
def new_agreement(slug: str) -> Response:
    """The forms to write a new agreement or import one from Markdown files."""
    return _new_agreement_page(slug)


@bp.post("/c/<slug>/agreements/new")
def create_agreement(slug: str) -> Response:
    """A facilitator starts an agreement from a title and a Markdown text (version 1)."""
    session, actor = get_session(), current_actor()
    community = queries.community_by_slug(session, actor, slug)
    form = request.form
    return perform(
        lambda: services.create_agreement(
            session,
            actor,
            community_id=community.id,
            title=forms.text(form, "title"),
            text=forms.text(form, "text"),
            language=forms.text(form, "language") or DEFAULT_LANGUAGE,
        ),
        success=_created,
        location=_agreement_address(slug),
        show=lambda **extra: _new_agreement_page(slug, **extra),
    )


@bp.post("/c/<slug>/agreements/import")
def import_agreement(slug: str) -> Response:
    """A facilitator imports an agreement from Markdown files (several: its history)."""
    session, actor = get_session(), current_actor()
    community = queries.facilitated_community(session, actor, slug)  # before reading files
    form = request.form
    return perform(
        lambda: services.import_agreement_history(
            session,
            actor,
            community_id=community.id,
            title=forms.text(form, "title"),
            texts=forms.markdown_files(request.files, "files"),
            language=forms.text(form, "language") or DEFAULT_LANGUAGE,
        ),
        success=_created,
        location=_agreement_address(slug),
        show=lambda **extra: _new_agreement_page(slug, **extra),
    )


def _settings_page(slug: str, **extra: object) -> Response:
    community = queries.facilitated_community(get_session(), current_actor(), slug)
    return render(
        "community_settings.html",
        "partials/community_settings.html",
        community=community,
        protocols=PROTOCOLS,
        quorum_rules=QUORUM_RULES,
        **extra,
    )


@bp.get("/c/<slug>/settings")
def settings(slug: str) -> Response:
    """The community's decision protocol, quorum, round length, privacy and joining."""
    return _settings_page(slug)


@bp.post("/c/<slug>/settings")
def update_settings(slug: str) -> Response:
    """A facilitator changes the settings; making a private community public needs a tick."""
    session, actor = get_session(), current_actor()
    community = queries.facilitated_community(session, actor, slug)
    form = request.form
    is_private = forms.checkbox(form, "is_private")

    def change() -> object:
        if community.is_private and not is_private:
            forms.require_confirmation(form)
        return services.update_community_settings(
            session,
            actor,
            community_id=community.id,
            protocol=forms.text(form, "protocol"),
            quorum_rule=forms.text(form, "quorum_rule"),
            quorum_percent=forms.whole_number(
                form.get("quorum_percent", ""), "quorum_percent", _("Quorum")
            ),
            default_round_days=forms.whole_number(
                form.get("default_round_days", ""), "default_round_days", _("Round length")
            ),
            is_private=is_private,
            allow_self_registration=forms.checkbox(form, "allow_self_registration"),
            language=form.get("language"),
        )

    return perform(
        change,
        success=_("The settings are saved. Proposals already under way keep their protocol."),
        location=url_for("web.settings", slug=slug),
        show=lambda **extra: _settings_page(slug, **extra),
    )
