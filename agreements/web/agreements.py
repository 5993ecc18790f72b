"""An agreement: its current text, its history, any two versions compared, downloads."""

from __future__ import annotations

from flask import make_response, request
from werkzeug.wrappers import Response

from ..auth import current_actor
from ..models import Version
from ..services import queries
from ..services.queries import sections
from ..storage.sessions import get_session
from ..text.diff import diff_texts
from . import forms
from .blueprint import bp
from .responses import render


def _version_page(slug: str, agreement_slug: str, number: int | None) -> Response:
    session = get_session()
    community, agreement = queries.agreement_at(
        get_session(), current_actor(), slug, agreement_slug
    )
    versions = queries.versions_of(session, agreement)
    version = (
        versions[-1] if number is None else queries.version_by_number(session, agreement, number)
    )
    proposals = queries.proposals_of(session, agreement)
    return render(
        "agreement.html",
        "partials/agreement.html",
        community=community,
        agreement=agreement,
        version=version,
        versions=versions,
        is_current=version.number == versions[-1].number,
        reading=sections.reading(session, agreement, version, versions, proposals),
        show_provenance=request.args.get("provenance") == "1",
        open_proposals=[p for p in proposals if p.closed_at is None],
        proposals_by_id={p.id: p for p in proposals},
        people=queries.people(session, {v.adopted_by_id for v in versions}),
    )


@bp.get("/c/<slug>/a/<agreement_slug>")
def agreement(slug: str, agreement_slug: str) -> Response:
    """The current version with its contents, the open proposals beside the sections they
    change, where each paragraph comes from (with ?provenance=1), and its history."""
    return _version_page(slug, agreement_slug, None)


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
    versions = queries.versions_of(session, agreement)
    to_number = forms.version_number(request.args.get("to"), "to")
    to_number = versions[-1].number if to_number is None else to_number
    from_number = forms.version_number(request.args.get("from"), "from")
    from_number = max(1, to_number - 1) if from_number is None else from_number
    old: Version = queries.version_by_number(session, agreement, from_number)
    new: Version = queries.version_by_number(session, agreement, to_number)
    view = forms.diff_view(request.args.get("view"))
    diff = diff_texts(old.text, new.text, mode="source" if view == "source" else "rendered")
    return render(
        "compare.html",
        "partials/compare.html",
        community=community,
        agreement=agreement,
        versions=versions,
        old=old,
        new=new,
        view=view,
        diff=diff,
    )
