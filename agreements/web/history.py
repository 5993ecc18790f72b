"""History pages and decision records: who did what, when, and proof nothing was changed.

Each history page (a community's, an agreement's, a proposal's) tells its audit events as
sentences (agreements.audit.sentences) under a heading per day, newest first, 25 to a
page, filtered by action and person through the query string, so a filtered view is a link
people can share. Hashes and payloads wait behind a "Technical details" disclosure. With
htmx, the filters and the pager swap only the list (history/_events.html). Every page
carries the "verified" badge, checked incrementally from a verified checkpoint (see
`verification`). Decision records come as a page, Markdown and JSON; each says the chain
head at the moment it was made (see agreements.audit.records).
"""

from __future__ import annotations

from time import monotonic

from flask import Blueprint, Flask, current_app, g, render_template, request
from werkzeug.wrappers import Response

from workflows.protocols import OBJECTION_LIFECYCLE

from .. import audit
from ..audit.events import event_page
from ..auth import current_actor
from ..saying import say
from ..services import queries
from ..services._context import load_proposal
from ..storage.sessions import get_session
from ..text.kept import kept_diff
from ..wording import _
from . import forms
from .responses import render

history_bp = Blueprint("history", __name__)


BADGE_FULL_CHECK_SECONDS = 600.0
BADGE_CACHE_KEY = "accord.audit_badge"


def verification() -> audit.Verification:
    """The chain's verification for the badge, kept per process as a verified checkpoint.

    A page checks only the events added since the checkpoint, after confirming that the
    checkpoint's own event still has its hash (two small reads, however long the chain).
    The whole chain is checked at the first page of each process and again every
    BADGE_FULL_CHECK_SECONDS, so an edit of older events shows within ten minutes;
    `flask --app wsgi audit verify` always checks everything.
    """
    if "audit_verification" in g:
        return g.audit_verification  # type: ignore[no-any-return]
    session = get_session()
    cache: dict[str, object] = current_app.extensions.setdefault(BADGE_CACHE_KEY, {})
    checkpoint = cache.get("checkpoint")
    full_at = cache.get("full_at")
    if (
        not isinstance(checkpoint, audit.Verification)
        or not isinstance(full_at, float)
        or (monotonic() - full_at >= BADGE_FULL_CHECK_SECONDS)
    ):
        result = audit.verify_chain(session)
        cache["full_at"] = monotonic()
    elif checkpoint.ok:
        result = audit.verify_chain(session, since=checkpoint)
    else:
        result = checkpoint  # a broken chain stays reported until the next full check
    cache["checkpoint"] = result
    g.audit_verification = result
    return result


def _history(scope: str, scope_id: int, heading: str, **context: object) -> Response:
    actor_id = forms.optional_int(request.args, "person", _("The person"))
    events = event_page(
        get_session(),
        scope=scope,
        scope_id=scope_id,
        viewer_id=actor.id if (actor := current_actor()) is not None else None,
        action=request.args.get("action") or None,
        actor_id=actor_id,
        page=forms.optional_int(request.args, "page", _("The page")) or 1,
    )
    return render(
        "history/history.html",
        "history/_events.html",
        heading=heading,
        events=events,
        action=request.args.get("action", ""),
        person=actor_id,
        verification=verification(),
        **context,
    )


@history_bp.get("/c/<slug>/history")
def community_history(slug: str) -> Response:
    """Everything that happened in a community."""
    community = queries.community_by_slug(get_session(), current_actor(), slug)
    return _history("community_id", community.id, community.name, community=community)  # type: ignore[arg-type]


@history_bp.get("/c/<slug>/a/<agreement_slug>/history")
def agreement_history(slug: str, agreement_slug: str) -> Response:
    """Everything that happened to one agreement and its proposals."""
    session = get_session()
    community, agreement = queries.agreement_at(session, current_actor(), slug, agreement_slug)
    return _history(
        "agreement_id",
        agreement.id,
        agreement.title,
        community=community,
        agreement=agreement,  # type: ignore[arg-type]
    )


@history_bp.get("/p/<int:proposal_id>/history")
def proposal_history(proposal_id: int) -> Response:
    """Everything that happened to one proposal, from its first text to its outcome."""
    ctx = load_proposal(get_session(), current_actor(), proposal_id, for_update=False)
    return _history(
        "proposal_id",
        proposal_id,
        ctx.proposal.title,
        community=ctx.community,
        agreement=ctx.agreement,
        proposal=ctx.proposal,
    )


@history_bp.get("/c/<slug>/a/<agreement_slug>/v/<int:number>/record")
def decision_record(slug: str, agreement_slug: str, number: int) -> str:
    """The decision record of an adopted version, as a page."""
    session = get_session()
    record = queries.build_record(session, current_actor(), slug, agreement_slug, number)
    _community, agreement = queries.agreement_at(session, current_actor(), slug, agreement_slug)
    base = queries.version_by_number(session, agreement, record.base_version)
    adopted = queries.version_by_number(session, agreement, number)
    return render_template(
        "history/record.html",
        record=record,
        slug=slug,
        agreement_slug=agreement_slug,
        agreement_language=agreement.language,
        diff=kept_diff(base.text, adopted.text),
        verification=verification(),
        objection_protocol=OBJECTION_LIFECYCLE,
    )


@history_bp.get("/c/<slug>/a/<agreement_slug>/v/<int:number>/record.<fmt>")
def decision_record_download(slug: str, agreement_slug: str, number: int, fmt: str) -> Response:
    """The decision record as a Markdown or JSON file to keep."""
    if fmt not in ("md", "json"):
        return Response(say(_("Records download as .md or .json.")), 404, mimetype="text/plain")
    record = queries.build_record(get_session(), current_actor(), slug, agreement_slug, number)
    body, mimetype = (
        (record.to_markdown(say), "text/markdown")
        if fmt == "md"
        else (record.to_json(), "application/json")
    )
    filename = f"{slug}-{agreement_slug}-v{number}-decision-record.{fmt}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def init_app(app: Flask) -> None:
    """Register the history pages and decision records."""
    app.register_blueprint(history_bp)
