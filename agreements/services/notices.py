"""Who is told what about each audit event, written in the event's own transaction.

Every use case records exactly one audit event; this module turns the events a transaction
recorded into in-app notifications and queued emails just before that transaction commits
(a SQLAlchemy `before_commit` hook), so a crash loses none and a rollback sends none. Which
people hear of an action is a table: `RULES` maps an audit action to a function naming the
recipients and what to tell them. The person who acted is never told, and the unique key
(event, recipient) makes sure nobody is told twice.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from ..models import (
    AuditEvent,
    Comment,
    Membership,
    Notification,
    Objection,
    Proposal,
    Revision,
    Round,
    RoundParticipant,
    Stance,
    User,
    utcnow,
)
from .outbox import emailed, mail_values, queue_mails

NEW_EVENTS = "accord.new_audit_events"


@dataclass(frozen=True)
class Notice:
    """What some people are told about one event."""

    kind: str
    recipients: frozenset[int]
    text: str
    round_id: int | None = None


Rule = Callable[[Session, AuditEvent, dict[str, Any]], list[Notice]]
RULES: dict[str, Rule] = {}


def rule(*actions: str) -> Callable[[Rule], Rule]:
    """Register `fn` as the rule for these audit actions."""

    def register(fn: Rule) -> Rule:
        for action in actions:
            RULES[action] = fn
        return fn

    return register


# --- who ---------------------------------------------------------------------------------


def members(session: Session, community_id: int | None, role: str | None = None) -> set[int]:
    """The community's members (or only those holding `role`)."""
    query = select(Membership.user_id).where(Membership.community_id == community_id)
    if role is not None:
        query = query.where(Membership.role == role)
    return set(session.exec(query).all())


def _open_round(session: Session, proposal_id: int | None) -> Round | None:
    return session.exec(
        select(Round).where(Round.proposal_id == proposal_id, col(Round.closed_at).is_(None))
    ).first()


def _eligible(session: Session, round_: Round) -> set[int]:
    query = select(RoundParticipant.user_id).where(RoundParticipant.round_id == round_.id)
    return set(session.exec(query).all())


def _title(session: Session, event: AuditEvent) -> str:
    proposal = session.get(Proposal, event.proposal_id) if event.proposal_id else None
    return f"\u201c{proposal.title}\u201d" if proposal else "a proposal"


def _notice(kind: str, recipients: Iterable[int], text: str, **extra: Any) -> list[Notice]:
    return [Notice(kind, frozenset(recipients), text, **extra)]


# --- what: one rule per action (N2's deadline actions included) --------------------------


@rule("proposal.created", "proposal.submit")
def _submitted(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    if payload.get("state", payload.get("to")) != "proposed":
        return []  # a draft only its proposer sees
    text = f"{event.actor_name} proposed {_title(session, event)}; it waits for a facilitator."
    return _notice("proposal_submitted", members(session, event.community_id, "facilitator"), text)


@rule("proposal.open_comments")
def _comments_opened(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    text = f"{_title(session, event)} is open for comments."
    return _notice("comments_opened", members(session, event.community_id), text)


@rule("proposal.open_objection_round", "proposal.open_consent_round")
def _round_opened(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    round_ = _open_round(session, event.proposal_id)
    if round_ is None:
        return []
    what = "objection round" if round_.kind == "objection" else "consent round"
    until = f" until {round_.deadline:%d %B %Y, %H:%M} UTC" if round_.deadline else ""
    text = f"The {what} on {_title(session, event)} is open{until}: your answer is asked."
    return _notice("round_opened", _eligible(session, round_), text, round_id=round_.id)


@rule("comment.added")
def _commented(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    comment = session.get(Comment, event.subject_id)
    proposal = session.get(Proposal, event.proposal_id)
    if comment is None or proposal is None:
        return []
    notices = []
    if comment.parent_id is not None:
        parent = session.get(Comment, comment.parent_id)
        if parent is not None:
            text = f"{event.actor_name} replied to your comment on {_title(session, event)}."
            notices += _notice("reply", {parent.author_id}, text)
    if comment.kind == "question":
        text = f"{event.actor_name} asked a question on your proposal {_title(session, event)}."
        notices += _notice("question", {proposal.proposer_id}, text)
    return notices


@rule("objection.raised", "stance.registered")
def _objection(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    if event.action == "stance.registered" and payload.get("position") != "object":
        return []
    proposal = session.get(Proposal, event.proposal_id)
    if proposal is None:
        return []
    who = members(session, event.community_id, "facilitator") | {proposal.proposer_id}
    text = f"{event.actor_name} objected to {_title(session, event)}: {payload.get('reason', '')}"
    return _notice("objection_raised", who, text)


@rule("proposal.revised", "proposal.rebased")
def _revised(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    notices = []
    title = _title(session, event)
    for objection_id in payload.get("integrates", []):
        objection = session.get(Objection, objection_id)
        if objection is not None:
            text = (
                f"{event.actor_name} says the new text of {title} integrates your objection. "
                "Please read it and confirm that it is resolved, or say that it still stands."
            )
            notices += _notice("objection_integrated", {objection.author_id}, text)
    return notices + _stale_stances(session, event, title)


def _stale_stances(session: Session, event: AuditEvent, title: str) -> list[Notice]:
    """Everyone whose current stance was given on an older text: with the diff since."""
    round_ = _open_round(session, event.proposal_id)
    latest = session.get(Revision, event.subject_id)
    if round_ is None or latest is None:
        return []
    stances = session.exec(
        select(Stance).where(Stance.round_id == round_.id, col(Stance.is_current))
    ).all()
    notices = []
    for stance in stances:
        if stance.text_sha256 == latest.text_sha256:
            continue
        answered = session.get(Revision, stance.revision_id)
        diff = "".join(
            difflib.unified_diff(
                (answered.text if answered else "").splitlines(keepends=True),
                latest.text.splitlines(keepends=True),
                "the text you answered",
                "the new text",
            )
        )
        text = (
            f"{title} was revised after you answered, so your stance no longer counts. "
            f"Read what changed and give it again.\n\n{diff}"
        )
        notices += _notice("stance_stale", {stance.participant_id}, text)
    return notices


@rule("proposal.adopted", "proposal.lapsed", "proposal.reject")
def _decided(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    outcome = {"proposal.adopted": "adopted", "proposal.lapsed": "lapsed"}.get(
        event.action, "rejected"
    )
    statement = payload.get("outcome_statement") or payload.get("reason") or ""
    text = f"{_title(session, event)} was {outcome}. {statement}".strip()
    return _notice(f"proposal_{outcome}", members(session, event.community_id), text)


@rule("round.deadline_extended")
def _extended(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    round_ = _open_round(session, event.proposal_id)
    if round_ is None:
        return []
    reason = payload.get("reason", "")
    text = f"The deadline of {_title(session, event)} was extended. {reason}".strip()
    return _notice("deadline_extended", _eligible(session, round_), text)


@rule("round.reminder_due", "round.reminded")
def _reminded(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    text = f"Your answer on {_title(session, event)} is still awaited; the round closes soon."
    return _notice("reminder", {int(user_id) for user_id in payload.get("to", [])}, text)


@rule("round.closing_soon")
def _closing_soon(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    waiting = [session.get(User, int(user_id)) for user_id in payload.get("not_answered", [])]
    names = ", ".join(user.display_name for user in waiting if user is not None)
    text = f"The round on {_title(session, event)} closes within a day. " + (
        f"Not answered yet: {names}." if names else "Everyone has answered."
    )
    return _notice("closing_soon", {int(user_id) for user_id in payload.get("to", [])}, text)


@rule("agreement.review_due")
def _review_due(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    text = "An agreement of your community is due for review."
    return _notice("review_due", members(session, event.community_id, "facilitator"), text)


# --- writing them ------------------------------------------------------------------------


def notify(session: Session, event: AuditEvent) -> None:
    """Write the notifications (and emails) one event causes, in the current transaction.

    However many people are told, this is three statements: who of them is active (with
    their addresses), one INSERT of the notifications returning their ids, one INSERT of
    the mails; plus one read of the recipients' mail preferences."""
    found = RULES.get(event.action)
    if found is None:
        return
    notices = found(session, event, json.loads(event.payload))
    told: dict[int, tuple[dict[str, Any], int | None]] = {}
    for notice in notices:
        for user_id in sorted(notice.recipients - {event.actor_id}):
            if user_id in told:  # two reasons to tell one person: one notification
                told[user_id][0]["text"] += "\n\n" + notice.text
                continue
            row = {
                "recipient_id": user_id,
                "community_id": event.community_id,
                "proposal_id": event.proposal_id,
                "event_seq": event.seq,
                "kind": notice.kind,
                "text": notice.text,
                "created_at": event.occurred_at,
            }
            told[user_id] = (row, notice.round_id)
    people = _active(session, told)
    ids = _insert_notifications(session, [told[user_id][0] for user_id in sorted(people)])
    mails = []
    mailed_rounds = set()
    now = utcnow()
    for user_id in emailed(session, event.community_id, people):
        round_id = told[user_id][1]
        mails.append(
            mail_values(
                recipient_id=user_id,
                to_address=people[user_id],
                kind="notification",
                community_id=event.community_id,
                proposal_id=event.proposal_id,
                round_id=round_id,
                notification_id=ids[user_id],
                now=now,
            )
        )
        mailed_rounds.add(round_id)
    queue_mails(session, mails)
    for notice in notices:
        if notice.round_id is not None and notice.round_id not in mailed_rounds:
            announced(session, notice.round_id, event.occurred_at)


def _active(session: Session, user_ids: Collection[int]) -> dict[int, str]:
    """The active accounts among these: their addresses by id."""
    if not user_ids:
        return {}
    query = select(User.id, User.email).where(col(User.id).in_(user_ids), col(User.is_active))
    return dict(session.exec(query).all())  # type: ignore[arg-type]


def _insert_notifications(session: Session, rows: list[dict[str, Any]]) -> dict[int, int]:
    """Insert the notifications in one statement; their ids by recipient."""
    if not rows:
        return {}
    table = Notification.__table__  # type: ignore[attr-defined]
    inserted = session.execute(
        table.insert().returning(table.c.id, table.c.recipient_id, sort_by_parameter_order=True),
        rows,
    )
    return {recipient_id: row_id for row_id, recipient_id in inserted}


def announced(session: Session, round_id: int, when: Any) -> None:
    """Nobody is waiting for a mail about this round: its announcement is complete."""
    round_ = session.get(Round, round_id)
    if round_ is not None and round_.announced_at is None:
        round_.announced_at = when
        session.add(round_)


@sa_event.listens_for(OrmSession, "after_flush")
def _collect(session: OrmSession, _context: object) -> None:
    if not isinstance(session, Session):
        return
    new = [row for row in session.new if isinstance(row, AuditEvent)]
    if new:
        session.info.setdefault(NEW_EVENTS, []).extend(new)


@sa_event.listens_for(OrmSession, "before_commit")
def _notify_before_commit(session: OrmSession) -> None:
    while session.info.get(NEW_EVENTS):
        for event in session.info.pop(NEW_EVENTS):
            notify(session, event)  # type: ignore[arg-type]


@sa_event.listens_for(OrmSession, "after_rollback")
def _forget(session: OrmSession) -> None:
    session.info.pop(NEW_EVENTS, None)
