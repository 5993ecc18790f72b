"""Every action on a proposal page: one POST route each, one use case each.

Each route parses its form (forms.py) and calls one service inside `act`, which answers
with a redirect (no JavaScript) or the re-rendered proposal partial (htmx), and shows a
refusal next to the form that caused it.
"""

from __future__ import annotations

from flask import Response, request

from .. import services
from ..auth import current_actor
from ..db import get_session
from ..errors import NotFound
from ..models import Objection
from . import bp, forms
from .proposals import act

OBJECTION_MOVES = {
    "confirm_resolved": (services.confirm_resolved, "You confirmed the objection is resolved."),
    "reopen": (services.reopen_objection, "The objection is open again."),
    "withdraw": (services.withdraw_objection, "The objection is withdrawn."),
    "overrule": (services.overrule_objection, "The objection is overruled."),
    "reclassify": (services.reclassify_objection, "The objection is now a concern."),
}

PROPOSAL_MOVES = {
    "submit": (services.submit_proposal, "The proposal is submitted."),
    "open_comments": (services.open_comments, "Comments are open."),
    "withdraw": (services.withdraw_proposal, "The proposal is withdrawn."),
}


@bp.post("/p/<int:proposal_id>/comment")
def comment(proposal_id: int) -> Response:
    """Comment, reply in a thread, or quote a passage."""
    form = request.form
    return act(
        proposal_id,
        lambda: services.add_comment(
            get_session(),
            current_actor(),
            proposal_id=proposal_id,
            body=forms.text(form, "body"),
            kind=form.get("kind", "reaction"),
            parent_id=forms.optional_int(form, "parent_id", "The comment you reply to"),
            anchor=forms.optional_text(form, "anchor"),
        ),
        "Your comment is posted.",
    )


@bp.post("/p/<int:proposal_id>/concern")
def concern(proposal_id: int) -> Response:
    """Record a non-blocking concern."""
    form = request.form
    return act(
        proposal_id,
        lambda: services.raise_concern(
            get_session(),
            current_actor(),
            proposal_id=proposal_id,
            text=forms.text(form, "text"),
            passage=forms.optional_text(form, "passage"),
        ),
        "Your concern is recorded.",
    )


@bp.post("/p/<int:proposal_id>/object")
def raise_objection(proposal_id: int) -> Response:
    """Raise an objection, with its reason."""
    form = request.form
    return act(
        proposal_id,
        lambda: services.raise_objection(
            get_session(),
            current_actor(),
            proposal_id=proposal_id,
            reason=forms.text(form, "reason"),
            passage=forms.optional_text(form, "passage"),
        ),
        "Your objection is raised. The proposer will try to integrate it.",
    )


@bp.post("/p/<int:proposal_id>/stance")
def stance(proposal_id: int) -> Response:
    """Consent, stand aside or object in the consent round."""
    form = request.form
    return act(
        proposal_id,
        lambda: services.register_stance(
            get_session(),
            current_actor(),
            proposal_id=proposal_id,
            position=forms.text(form, "position"),
            reason=forms.text(form, "reason"),
        ),
        "Your stance is recorded.",
    )


@bp.post("/p/<int:proposal_id>/reconfirm")
def reconfirm(proposal_id: int) -> Response:
    """Give the same stance on the new text in one click."""
    return act(
        proposal_id,
        lambda: services.reconfirm_stance(get_session(), current_actor(), proposal_id=proposal_id),
        "Your stance now applies to the new text.",
    )


@bp.post("/p/<int:proposal_id>/revise")
def revise(proposal_id: int) -> Response:
    """The proposer posts a new text, citing the objections it integrates."""
    form = request.form
    return act(
        proposal_id,
        lambda: services.revise_proposal(
            get_session(),
            current_actor(),
            proposal_id=proposal_id,
            text=forms.text(form, "text"),
            note=forms.text(form, "note"),
            integrates=forms.int_list(form, "integrates", "Integrated objections"),
            expected_revision=forms.optional_int(form, "expected_revision", "The revision"),
        ),
        "Your new revision is posted. Earlier stances now need confirming.",
    )


@bp.post("/p/<int:proposal_id>/move/<trigger>")
def move(proposal_id: int, trigger: str) -> Response:
    """Submit, open comments or withdraw (withdrawing asks for confirmation)."""
    if trigger not in PROPOSAL_MOVES:
        raise NotFound("There is no such action.")
    use_case, success = PROPOSAL_MOVES[trigger]

    def run() -> None:
        if trigger == "withdraw":
            forms.require_confirmation(request.form)
        use_case(get_session(), current_actor(), proposal_id=proposal_id)

    return act(proposal_id, run, success)


@bp.post("/p/<int:proposal_id>/open_objection_round")
def open_objection_round(proposal_id: int) -> Response:
    """A facilitator opens the objection round, with an optional deadline."""
    return act(
        proposal_id,
        lambda: services.open_objection_round(
            get_session(),
            current_actor(),
            proposal_id=proposal_id,
            deadline=forms.optional_deadline(request.form),
        ),
        "The objection round is open.",
    )


@bp.post("/p/<int:proposal_id>/open_consent_round")
def open_consent_round(proposal_id: int) -> Response:
    """A facilitator opens the consent round, with optional deadline and quorum."""
    form = request.form
    return act(
        proposal_id,
        lambda: services.open_consent_round(
            get_session(),
            current_actor(),
            proposal_id=proposal_id,
            deadline=forms.optional_deadline(form),
            quorum_percent=forms.optional_int(form, "quorum_percent", "Quorum"),
            quorum_rule=forms.optional_text(form, "quorum_rule"),
        ),
        "The consent round is open.",
    )


@bp.post("/p/<int:proposal_id>/adopt")
def adopt(proposal_id: int) -> Response:
    """A facilitator adopts the text as the next version, with an outcome statement."""
    form = request.form

    def run() -> None:
        forms.require_confirmation(form)
        services.adopt_proposal(
            get_session(),
            current_actor(),
            proposal_id=proposal_id,
            outcome_statement=forms.text(form, "outcome_statement"),
        )

    return act(proposal_id, run, "Adopted: the text is now the next version of the agreement.")


@bp.post("/p/<int:proposal_id>/<closing>")
def close(proposal_id: int, closing: str) -> Response:
    """A facilitator lets the proposal lapse or rejects it, saying why."""
    closings = {
        "lapse": (services.lapse_proposal, "The proposal has lapsed."),
        "reject": (services.reject_proposal, "The proposal is rejected."),
    }
    if closing not in closings:
        raise NotFound("There is no such action.")
    use_case, success = closings[closing]
    form = request.form

    def run() -> None:
        forms.require_confirmation(form)
        use_case(
            get_session(),
            current_actor(),
            proposal_id=proposal_id,
            reason=forms.text(form, "reason"),
        )

    return act(proposal_id, run, success)


@bp.post("/p/<int:proposal_id>/objections/<int:objection_id>/<trigger>")
def objection_move(proposal_id: int, objection_id: int, trigger: str) -> Response:
    """Settle an objection: confirm resolved, keep open, withdraw, overrule, reclassify."""
    if trigger not in OBJECTION_MOVES:
        raise NotFound("There is no such action.")
    objection = get_session().get(Objection, objection_id)
    if objection is None or objection.proposal_id != proposal_id:
        raise NotFound("There is no such objection on this proposal.")
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
