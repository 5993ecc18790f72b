"""Review dates: an agreement is looked at again on a chosen day, with the concerns since.

Concerns never block a decision; they are kept so the community can come back to them. A
facilitator sets the day an agreement is to be reviewed; when it comes, the scheduler
records "agreement.review_due" once for that date (facilitators are told of it by
services/notices.py), and the agreement page says a review is due, listing the concerns
raised since the last review. Setting the next review date once a review was due is what
closes that review: the concerns after it start a new list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from .. import audit
from ..access import membership_of, require_facilitator
from ..errors import Forbidden, InvalidInput, Refused
from ..models import Agreement, Community, Concern, Proposal, User, utcnow
from ..wording import _
from ._unit import get_or_404, is_system, lock, use_case


def _subject(agreement: Agreement) -> audit.Subject:
    return audit.Subject(
        "agreement",
        agreement.id,
        community_id=agreement.community_id,
        agreement_id=agreement.id,
    )


def is_review_due(agreement: Agreement, now: datetime | None = None) -> bool:
    """Whether the agreement's review date has come (whether or not the scheduler ran)."""
    today = (now or utcnow()).date()
    return agreement.review_on is not None and agreement.review_on <= today


@use_case
def set_review_date(
    session: Session, actor: User | None, *, agreement_id: int, review_on: date | None
) -> Agreement:
    """A facilitator sets (or clears, with None) the day the agreement is to be reviewed.

    If a review was due, setting the next date records that review as done: the concern
    register starts afresh from now.
    """
    agreement = get_or_404(session, Agreement, agreement_id)
    community = session.get(Community, agreement.community_id)
    assert community is not None
    require_facilitator(session, actor, community)
    agreement = lock(session, Agreement, agreement.id)  # type: ignore[arg-type]
    today = utcnow().date()
    if review_on is not None and review_on <= today:
        raise InvalidInput(_("The review date must be after today."), "review_on")
    reviewed = is_review_due(agreement)
    if reviewed:
        agreement.reviewed_at = utcnow()
    agreement.review_on = review_on
    session.add(agreement)
    audit.record(
        session,
        actor,
        "agreement.review_date_set",
        _subject(agreement),
        {"review_on": review_on.isoformat() if review_on else None, "reviewed": reviewed},
    )
    return agreement


def reviews_due(session: Session, now: datetime) -> list[Agreement]:
    """Agreements whose review date has come and was not yet recorded as due."""
    return list(
        session.exec(
            select(Agreement).where(
                col(Agreement.review_on) <= now.date(),
                (col(Agreement.review_noticed_on).is_(None))
                | (col(Agreement.review_noticed_on) != col(Agreement.review_on)),
            )
        )
    )


@use_case
def notice_review_due(
    session: Session, actor: User | None, *, agreement_id: int, now: datetime | None = None
) -> Agreement:
    """The scheduler records, once per review date, that the agreement is due for review."""
    if not is_system(actor):
        raise Forbidden(_("Only the scheduler records that a review is due."))
    agreement = lock(session, Agreement, get_or_404(session, Agreement, agreement_id).id)  # type: ignore[arg-type]
    if not is_review_due(agreement, now) or agreement.review_noticed_on == agreement.review_on:
        raise Refused(_("No review of this agreement is due, or it was recorded already."))
    agreement.review_noticed_on = agreement.review_on
    session.add(agreement)
    audit.record(session, actor, "agreement.review_due", _subject(agreement), {})
    return agreement


def concerns_since_review(session: Session, agreement: Agreement) -> list[Concern]:
    """The concerns raised on the agreement's proposals since its last review, oldest first."""
    since = agreement.reviewed_at or agreement.created_at
    return list(
        session.exec(
            select(Concern)
            .join(Proposal, col(Proposal.id) == Concern.proposal_id)
            .where(Proposal.agreement_id == agreement.id, col(Concern.created_at) >= since)
            .order_by(col(Concern.id))
        )
    )


@dataclass(frozen=True)
class Review:
    """What the agreement page shows about reviewing: the date, whether it came, the concerns
    since the last review, and whether the reader may set the date."""

    review_on: date | None
    is_due: bool
    concerns: list[Concern]
    can_set: bool


def review_of(
    session: Session, actor: User | None, community: Community, agreement: Agreement
) -> Review:
    """The agreement's review, as `actor` sees it (the caller checked the community is visible)."""
    membership = membership_of(session, actor, community)
    due = is_review_due(agreement)
    return Review(
        review_on=agreement.review_on,
        is_due=due,
        concerns=concerns_since_review(session, agreement) if due else [],
        can_set=membership is not None and membership.role == "facilitator",
    )
