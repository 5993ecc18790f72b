"""Every action on a proposal page: one POST route each, one use case each.

Each route names its use case and how its form fields become the use case's arguments
(forms.py); `_on_proposal` runs it inside `act`, which answers with a redirect (no
JavaScript) or the re-rendered proposal partial (htmx), and shows a refusal next to the
form that caused it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from .. import services
from ..auth import current_actor
from ..errors import NotFound
from ..models import Objection
from ..storage.sessions import get_session
from ..wording import _
from . import forms
from .blueprint import bp
from .proposals import act, proposal_page
from .responses import perform

UseCase = Callable[..., object]
# The keyword arguments a use case takes from the submitted form.
FormFields = Callable[[MultiDict[str, str]], dict[str, object]]

OBJECTION_MOVES: dict[str, tuple[UseCase, str]] = {
    "confirm_resolved": (services.confirm_resolved, _("You confirmed the objection is resolved.")),
    "reopen": (services.reopen_objection, _("The objection is open again.")),
    "withdraw": (services.withdraw_objection, _("The objection is withdrawn.")),
    "overrule": (
        services.overrule_objection,
        _("The objection is decided not paramount: it no longer blocks."),
    ),
    "reclassify": (
        services.reclassify_objection,
        _("The objection is now a concern: it no longer blocks, and is kept with the decision."),
    ),
}

PROPOSAL_MOVES: dict[str, tuple[UseCase, str]] = {
    "submit": (services.submit_proposal, _("The proposal is submitted.")),
    "open_comments": (services.open_comments, _("Comments are open.")),
    "withdraw": (services.withdraw_proposal, _("The proposal is withdrawn.")),
}


def _no_fields(form: MultiDict[str, str]) -> dict[str, object]:
    return {}


def _on_proposal(
    proposal_id: int,
    use_case: UseCase,
    success: str,
    fields: FormFields = _no_fields,
    *,
    confirm: bool = False,
) -> Response:
    """Run `use_case` on the proposal as the signed-in person, with the arguments `fields`
    reads from the form.

    The form is read inside the action, so a field that does not parse is a refusal shown
    next to its form like any other; `confirm` first asks for the confirmation box ticked.
    """
    form = request.form

    def run() -> None:
        if confirm:
            forms.require_confirmation(form)
        use_case(get_session(), current_actor(), proposal_id=proposal_id, **fields(form))

    return act(proposal_id, run, success)


@bp.post("/p/<int:proposal_id>/comment")
def comment(proposal_id: int) -> Response:
    """Comment, reply in a thread, or quote a passage."""
    return _on_proposal(
        proposal_id,
        services.add_comment,
        _("Your comment is posted."),
        lambda form: {
            "body": forms.text(form, "body"),
            "kind": form.get("kind", "reaction"),
            "parent_id": forms.optional_int(form, "parent_id", _("The comment you reply to")),
            "anchor": forms.optional_text(form, "anchor"),
        },
    )


@bp.post("/p/<int:proposal_id>/concern")
def concern(proposal_id: int) -> Response:
    """Record a non-blocking concern."""
    return _on_proposal(
        proposal_id,
        services.raise_concern,
        _("Your concern is recorded."),
        lambda form: {
            "text": forms.text(form, "text"),
            "passage": forms.optional_text(form, "passage"),
        },
    )


@bp.post("/p/<int:proposal_id>/object")
def raise_objection(proposal_id: int) -> Response:
    """Raise an objection, with its reason."""
    return _on_proposal(
        proposal_id,
        services.raise_objection,
        _("Your objection is raised. The proposer will try to integrate it."),
        lambda form: {
            "reason": forms.text(form, "reason"),
            "passage": forms.optional_text(form, "passage"),
        },
    )


@bp.post("/p/<int:proposal_id>/stance")
def stance(proposal_id: int) -> Response:
    """Consent, stand aside or object in the consent round."""
    return _on_proposal(
        proposal_id,
        services.register_stance,
        _("Your stance is recorded."),
        lambda form: {
            "position": forms.text(form, "position"),
            "reason": forms.text(form, "reason"),
        },
    )


@bp.post("/p/<int:proposal_id>/reconfirm")
def reconfirm(proposal_id: int) -> Response:
    """Give the same stance on the new text in one click."""
    return _on_proposal(
        proposal_id, services.reconfirm_stance, _("Your stance now applies to the new text.")
    )


@bp.post("/p/<int:proposal_id>/rebase")
def rebase(proposal_id: int) -> Response:
    """Merge the proposal onto the newest version as a new revision (when it merges cleanly)."""
    return _on_proposal(
        proposal_id,
        services.rebase_proposal,
        _("The proposal is updated to the latest version. Earlier stances now need confirming."),
    )


@bp.post("/p/<int:proposal_id>/revise")
def revise(proposal_id: int) -> Response:
    """The proposer posts a new text, citing the objections it integrates."""
    return _on_proposal(
        proposal_id,
        services.revise_proposal,
        _("Your new revision is posted. Earlier stances now need confirming."),
        lambda form: {
            "text": forms.text(form, "text"),
            "note": forms.text(form, "note"),
            "integrates": forms.int_list(form, "integrates", _("Integrated objections")),
            "expected_revision": forms.optional_int(form, "expected_revision", _("The revision")),
            "rebase": form.get("rebase") == "1",
        },
    )


@bp.post("/p/<int:proposal_id>/move/<trigger>")
def move(proposal_id: int, trigger: str) -> Response:
    """Submit, open comments or withdraw (withdrawing asks for confirmation)."""
    if trigger not in PROPOSAL_MOVES:
        raise NotFound(_("There is no such action."))
    use_case, success = PROPOSAL_MOVES[trigger]
    return _on_proposal(proposal_id, use_case, success, confirm=trigger == "withdraw")


@bp.post("/p/<int:proposal_id>/open_objection_round")
def open_objection_round(proposal_id: int) -> Response:
    """A facilitator opens the objection round, with an optional deadline."""
    return _on_proposal(
        proposal_id,
        services.open_objection_round,
        _("The objection round is open."),
        lambda form: {"deadline": forms.optional_deadline(form)},
    )


@bp.post("/p/<int:proposal_id>/open_consent_round")
def open_consent_round(proposal_id: int) -> Response:
    """A facilitator opens the consent round, with optional deadline and quorum."""
    return _on_proposal(
        proposal_id,
        services.open_consent_round,
        _("The consent round is open."),
        lambda form: {
            "deadline": forms.optional_deadline(form),
            "quorum_percent": forms.optional_int(form, "quorum_percent", _("Quorum")),
            "quorum_rule": forms.optional_text(form, "quorum_rule"),
        },
    )


@bp.post("/p/<int:proposal_id>/deadline")
def extend_deadline(proposal_id: int) -> Response:
    """A facilitator gives the open round more time, with the reason everyone is told."""
    return _on_proposal(
        proposal_id,
        services.extend_deadline,
        _("The deadline is extended; the people in the round are told why."),
        lambda form: {
            "deadline": forms.optional_deadline(form),
            "reason": forms.text(form, "reason"),
        },
    )


@bp.post("/p/<int:proposal_id>/remind")
def remind(proposal_id: int) -> Response:
    """A facilitator reminds everyone who has not answered (at most once a day)."""
    return _on_proposal(
        proposal_id,
        services.remind_non_answerers,
        _("A reminder goes to everyone who has not answered yet."),
    )


@bp.post("/p/<int:proposal_id>/propose-again")
def propose_again(proposal_id: int) -> Response:
    """The proposer proposes a lapsed proposal again, and lands on the new one."""
    return perform(
        lambda: services.propose_again(get_session(), current_actor(), proposal_id=proposal_id),
        success=_("Proposed again: a facilitator will open it for comments."),
        location=lambda proposal: url_for("web.proposal", proposal_id=proposal.id),
        show=lambda **extra: proposal_page(proposal_id, **extra),
    )


@bp.post("/p/<int:proposal_id>/adopt")
def adopt(proposal_id: int) -> Response:
    """A facilitator adopts the text as the next version, with an outcome statement."""
    return _on_proposal(
        proposal_id,
        services.adopt_proposal,
        _("Adopted: the text is now the next version of the agreement."),
        lambda form: {"outcome_statement": forms.text(form, "outcome_statement")},
        confirm=True,
    )


@bp.post("/p/<int:proposal_id>/<closing>")
def close(proposal_id: int, closing: str) -> Response:
    """A facilitator lets the proposal lapse or rejects it, saying why."""
    closings: dict[str, tuple[UseCase, str]] = {
        "lapse": (
            services.lapse_proposal,
            _("The proposal is closed without a decision (it lapsed)."),
        ),
        "reject": (services.reject_proposal, _("The proposal is rejected.")),
    }
    if closing not in closings:
        raise NotFound(_("There is no such action."))
    use_case, success = closings[closing]
    return _on_proposal(
        proposal_id,
        use_case,
        success,
        lambda form: {"reason": forms.text(form, "reason")},
        confirm=True,
    )


@bp.post("/p/<int:proposal_id>/objections/<int:objection_id>/<trigger>")
def objection_move(proposal_id: int, objection_id: int, trigger: str) -> Response:
    """Settle an objection: confirm resolved, keep open, withdraw, overrule, reclassify."""
    if trigger not in OBJECTION_MOVES:
        raise NotFound(_("There is no such action."))
    objection = get_session().get(Objection, objection_id)
    if objection is None or objection.proposal_id != proposal_id:
        raise NotFound()
    use_case, success = OBJECTION_MOVES[trigger]
    return act(
        proposal_id,
        lambda: use_case(
            get_session(),
            current_actor(),
            objection_id=objection_id,
            reason=forms.text(request.form, "reason"),
        ),
        success,
    )
