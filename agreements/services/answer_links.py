"""Answering a consent round from its email: what a signed link may still do.

A link names one person, one round and the exact text (its sha256) the email was about,
and one answer (consent or stand aside; an objection needs a reason, so its link only
opens the proposal). It is void once the round closes or the text changes, and used once
the person has answered that text. The page it opens shows the text before anything is
recorded; the stance itself is `register_stance`, bound to that round and text.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from ..errors import NotFound, Refused
from ..models import Agreement, Proposal, Revision, Round, RoundParticipant, Stance, User
from ..wording import _
from .proposals import revisions_of

ANSWERS = ("consent", "stand_aside")


@dataclass(frozen=True)
class AnswerTarget:
    """Who answers, and the text and round they answer."""

    user: User
    proposal: Proposal
    revision: Revision
    round: Round
    position: str
    language: str  # the agreement's language: the page shows the text with its lang and dir


def answer_target(
    session: Session, *, user_id: int, round_id: int, text_sha256: str, position: str
) -> AnswerTarget:
    """What a genuine link would record, or a refusal saying why it no longer can."""
    user = session.get(User, user_id)
    round_ = session.get(Round, round_id)
    if user is None or not user.is_active or round_ is None or position not in ANSWERS:
        raise NotFound(_("This answer link is not valid."))
    proposal = session.get(Proposal, round_.proposal_id)
    assert proposal is not None
    latest = revisions_of(session, proposal)[-1]
    if round_.closed_at is not None or round_.kind != "consent":
        raise Refused(_("This round has closed, so the link no longer answers it."))
    if latest.text_sha256 != text_sha256:
        raise Refused(
            _(
                "The text changed after this email was sent, so the link no longer answers it: "
                "open the proposal to read the new text."
            )
        )
    eligible = session.exec(
        select(RoundParticipant).where(
            RoundParticipant.round_id == round_.id, RoundParticipant.user_id == user.id
        )
    ).first()
    if eligible is None:
        raise NotFound(_("This answer link is not valid."))
    answered = session.exec(
        select(Stance).where(
            Stance.round_id == round_.id,
            Stance.participant_id == user.id,
            Stance.text_sha256 == text_sha256,
            col(Stance.is_current),
        )
    ).first()
    if answered is not None:
        raise Refused(_("You have answered this text already. Sign in to change your answer."))
    agreement = session.get(Agreement, proposal.agreement_id)
    assert agreement is not None
    return AnswerTarget(user, proposal, latest, round_, position, agreement.language)
