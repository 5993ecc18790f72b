"""An agreement: its current text, its history, any two versions compared, downloads."""

from __future__ import annotations

from flask import make_response, request, url_for
from werkzeug.wrappers import Response

from .. import services
from ..auth import current_actor
from ..models import Version
from ..services import queries
from ..services.queries import sections
from ..services.reviews import review_of
from ..services.translations import offered_translations
from ..storage.sessions import get_session
from ..text.kept import kept_diff
from ..wording import _
from . import forms
from .blueprint import bp
from .responses import perform, render

RECENT_VERSIONS = 20  # the agreement page lists these; older ones are in the history


def _version_page(slug: str, agreement_slug: str, number: int | None, **extra: object) -> Response:
    session = get_session()
    community, agreement = queries.agreement_at(
        get_session(), current_actor(), slug, agreement_slug
    )
    current = queries.latest_version(session, agreement)
    version = current if number is None else queries.version_by_number(session, agreement, number)
    recent = queries.recent_versions(session, agreement, RECENT_VERSIONS)
    open_proposals = queries.proposals_of(session, agreement, open_only=True)
    review = review_of(session, current_actor(), community, agreement)
    named = {c.proposal_id for c in review.concerns}
    people = queries.people(
        session, {version.adopted_by_id} | {c.author_id for c in review.concerns}
    )
    show_provenance = request.args.get("provenance") == "1"
    return render(
        "agreement.html",
        "partials/agreement.html",
        community=community,
        agreement=agreement,
        version=version,
        recent_versions=recent,
        version_count=current.number,
        is_current=version.number == current.number,
        reading=sections.reading(
            session, agreement, version, current, open_proposals, origins=show_provenance
        ),
        show_provenance=show_provenance,
        open_proposals=open_proposals,
        proposals_by_id=queries.proposals_by_id(session, agreement, named),
        people=people,
        recent_shown=(current.number, *recent),
        review=review,
        translations=offered_translations(session, agreement, version, current),
        **extra,
    )


@bp.get("/c/<slug>/a/<agreement_slug>")
def agreement(slug: str, agreement_slug: str) -> Response:
    """The current version with its contents, the open proposals beside the sections they
    change, where each paragraph comes from (with ?provenance=1), and its history."""
    return _version_page(slug, agreement_slug, None)


@bp.post("/c/<slug>/a/<agreement_slug>/review")
def set_review_date(slug: str, agreement_slug: str) -> Response:
    """A facilitator sets (or clears) the day the agreement is to be reviewed."""
    session, actor = get_session(), current_actor()
    _community, agreement = queries.agreement_at(session, actor, slug, agreement_slug)
    return perform(
        lambda: services.set_review_date(
            session,
            actor,
            agreement_id=agreement.id,
            review_on=forms.optional_date(request.form, "review_on", _("The review date")),
        ),
        success=_("The review date is saved."),
        location=url_for("web.agreement", slug=slug, agreement_slug=agreement_slug),
        show=lambda **extra: _version_page(slug, agreement_slug, None, **extra),
    )


@bp.get("/c/<slug>/a/<agreement_slug>/v/<int:number>")
def version(slug: str, agreement_slug: str, number: int) -> Response:
    """An earlier (or the current) version, shown like the agreement page."""
    return _version_page(slug, agreement_slug, number)


@bp.get("/c/<slug>/a/<agreement_slug>/v/<int:number>.md")
def download(slug: str, agreement_slug: str, number: int) -> Response:
    """A version's exact Markdown text as a file."""
    _community, agreement = queries.agreement_at(
        get_session(), current_actor(), slug, agreement_slug
    )
    found = queries.version_by_number(get_session(), agreement, number)
    response = make_response(found.text)
    response.content_type = "text/markdown; charset=utf-8"
    filename = f"{agreement.slug}-v{found.number}.md"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/c/<slug>/a/<agreement_slug>/compare")
def compare(slug: str, agreement_slug: str) -> Response:
    """Any two versions compared, inline, side by side or as source."""
    session = get_session()
    community, agreement = queries.agreement_at(
        get_session(), current_actor(), slug, agreement_slug
    )
    count = queries.version_count(session, agreement)
    to_number = forms.version_number(request.args.get("to"), "to")
    to_number = count if to_number is None else to_number
    from_number = forms.version_number(request.args.get("from"), "from")
    from_number = max(1, to_number - 1) if from_number is None else from_number
    old: Version = queries.version_by_number(session, agreement, from_number)
    new: Version = queries.version_by_number(session, agreement, to_number)
    view = forms.diff_view(request.args.get("view"))
    diff = kept_diff(old.text, new.text, mode="source" if view == "source" else "rendered")
    return render(
        "compare.html",
        "partials/compare.html",
        community=community,
        agreement=agreement,
        version_count=count,
        old=old,
        new=new,
        view=view,
        diff=diff,
    )
