"""Proposing an amendment (with a live preview) and the proposal page with its partials."""

from __future__ import annotations

from collections.abc import Callable

from flask import request, url_for
from werkzeug.wrappers import Response

from .. import services
from ..auth import current_actor
from ..errors import DomainError
from ..models import Proposal
from ..services import queries
from ..services.documents import agreement_text
from ..storage.sessions import get_session
from ..tally import STATUS_LABELS
from ..text.diff import TextDiff, diff_texts
from ..text.kept import kept_diff
from ..wording import _
from . import forms
from .blueprint import bp
from .responses import perform, render


def _preview(base_text: str, text: str) -> tuple[str | None, TextDiff | None, DomainError | None]:
    """The proposed text checked as the service will check it, and its diff against the base."""
    if not text.strip():
        return None, None, None
    try:
        text = agreement_text(text)
    except DomainError as error:
        return None, None, error
    return text, diff_texts(base_text, text), None


def _propose_page(
    slug: str, agreement_slug: str, *, with_preview: bool = False, **extra: object
) -> Response:
    session = get_session()
    community, agreement = queries.agreement_at(
        get_session(), current_actor(), slug, agreement_slug
    )
    base = services.current_version(session, agreement.id)
    typed = request.form.get("text") if request.method == "POST" else None
    text = base.text if typed is None else typed
    preview_text, preview_diff, preview_error = (
        _preview(base.text, text) if with_preview else (None, None, None)
    )
    return render(
        "propose.html",
        "partials/preview.html" if with_preview else "partials/propose.html",
        community=community,
        agreement=agreement,
        base=base,
        text=text,
        preview_text=preview_text,
        preview_diff=preview_diff,
        preview_error=preview_error,
        form=request.form,  # the preview and a refusal keep title and rationale as typed
        **extra,
    )


@bp.get("/c/<slug>/a/<agreement_slug>/propose")
def propose(slug: str, agreement_slug: str) -> Response:
    """The amendment editor, starting from the current text."""
    return _propose_page(slug, agreement_slug)


@bp.post("/c/<slug>/a/<agreement_slug>/preview")
def preview(slug: str, agreement_slug: str) -> Response:
    """The rendered text and its diff against the base (htmx, debounced, as people type)."""
    return _propose_page(slug, agreement_slug, with_preview=True)


@bp.post("/c/<slug>/a/<agreement_slug>/propose")
def submit_amendment(slug: str, agreement_slug: str) -> Response:
    """Create the proposal (or, with the Preview button and no JavaScript, show the preview)."""
    if request.form.get("intent") == "preview":
        return _propose_page(slug, agreement_slug, with_preview=True)
    session, actor = get_session(), current_actor()
    _community, agreement = queries.agreement_at(
        get_session(), current_actor(), slug, agreement_slug
    )
    form = request.form

    def create() -> Proposal:
        return services.propose_amendment(
            session,
            actor,
            agreement_id=agreement.id,
            title=forms.text(form, "title"),
            rationale=forms.text(form, "rationale"),
            text=forms.text(form, "text"),
            base_version_id=forms.optional_int(form, "base_version_id", _("The base version")),
        )

    return perform(
        create,
        success=_("Your proposal is submitted. A facilitator will open it for comments."),
        location=lambda proposal: url_for("web.proposal", proposal_id=proposal.id),
        show=lambda **extra: _propose_page(slug, agreement_slug, **extra),
    )


def proposal_page(
    proposal_id: int, partial: str = "partials/proposal.html", **extra: object
) -> Response:
    """The proposal page (or one of its partials) with every diff it shows."""
    session, actor = get_session(), current_actor()
    all_threads = request.args.get("threads") == "all"
    detail = queries.proposal_detail(
        session, actor, proposal_id, threads=None if all_threads else queries.THREADS_SENT
    )
    view = forms.diff_view(request.args.get("view"))
    latest = detail.latest
    previous = {r.number: r for r in detail.revisions}
    stale_from = detail.revision(detail.my_stance.revision_id) if detail.my_stance else None
    return render(
        "proposal.html",
        partial,
        d=detail,
        community=detail.ctx.community,
        agreement=detail.ctx.agreement,
        view=view,
        diff=kept_diff(
            detail.base.text, latest.text, mode="source" if view == "source" else "rendered"
        ),
        revision_diffs={
            r.number: kept_diff(previous[r.number - 1].text, r.text)
            for r in detail.revisions
            if r.number > 1
        },
        stale_diff=(
            kept_diff(stale_from.text, latest.text)
            if stale_from is not None and detail.my_status == "stale"
            else None
        ),
        status_labels=STATUS_LABELS,
        **extra,
    )


@bp.get("/p/<int:proposal_id>")
def proposal(proposal_id: int) -> Response:
    """State, what happens next, the diff, discussion, objections, the round and controls."""
    return proposal_page(proposal_id)


@bp.get("/p/<int:proposal_id>/diff")
def proposal_diff(proposal_id: int) -> Response:
    """The proposal's diff in another layout (htmx swaps just the diff)."""
    return proposal_page(proposal_id, "partials/proposal_diff.html")


@bp.get("/p/<int:proposal_id>/tally")
def tally(proposal_id: int) -> Response:
    """The live tally of the open round (htmx polls it)."""
    return proposal_page(proposal_id, "partials/tally.html")


def act(proposal_id: int, action: Callable[[], object], success: str) -> Response:
    """Run a proposal action and answer with the proposal page or its partial."""
    return perform(
        action,
        success=success,
        location=url_for("web.proposal", proposal_id=proposal_id),
        show=lambda **extra: proposal_page(proposal_id, **extra),
    )
