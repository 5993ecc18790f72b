"""Who is told what about each audit event, written in the event's own transaction.

Every use case records exactly one audit event; this module turns the events a transaction
recorded into in-app notifications and queued emails just before that transaction commits
(a SQLAlchemy `before_commit` hook), so a crash loses none and a rollback sends none. Which
people hear of an action is a table: `RULES` maps an audit action to a function naming the
recipients and what to tell them. The person who acted is never told, and the unique key
(event, recipient) makes sure nobody is told twice.

Nobody reads a notification when it is written, and its readers speak different languages:
each text is marked (`_`) and kept as what it means (`stored_wording.keep`), to be said in
the language of whoever reads it, in the app or in their mail (`saying.say_kept`).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam
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
    Translation,
    User,
    utcnow,
)
from ..stored_wording import keep
from ..wording import N_, Moment, Wording, _
from .outbox import emailed, mail_values, queue_mails

NEW_EVENTS = "accord.new_audit_events"


@dataclass(frozen=True)
class Notice:
    """What some people are told about one event."""

    kind: str
    recipients: frozenset[int]
    text: Wording
    round_id: int | None = None
    details: Wording | None = None  # shown folded under the text (a diff)

    @property
    def parts(self) -> list[Wording]:
        """What the person reads: the text, then its details if any."""
        return [self.text] if self.details is None else [self.text, self.details]


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


# Every write tells someone: the statements that find whom are built once, with their
# values as parameters (building a statement costs more than running it).
_MEMBERS = select(Membership.user_id).where(Membership.community_id == bindparam("community_id"))
_MEMBERS_IN_ROLE = _MEMBERS.where(Membership.role == bindparam("role"))
_OPEN_ROUND = select(Round).where(
    Round.proposal_id == bindparam("proposal_id"), col(Round.closed_at).is_(None)
)
_ELIGIBLE = select(RoundParticipant.user_id).where(
    RoundParticipant.round_id == bindparam("round_id")
)
_ACTIVE = select(User.id, User.email).where(
    col(User.id).in_(bindparam("ids", expanding=True)), col(User.is_active)
)


def members(session: Session, community_id: int | None, role: str | None = None) -> set[int]:
    """The community's members (or only those holding `role`)."""
    if role is None:
        return set(session.exec(_MEMBERS, params={"community_id": community_id}).all())
    params = {"community_id": community_id, "role": role}
    return set(session.exec(_MEMBERS_IN_ROLE, params=params).all())


def _open_round(session: Session, proposal_id: int | None) -> Round | None:
    return session.exec(_OPEN_ROUND, params={"proposal_id": proposal_id}).first()


def _eligible(session: Session, round_: Round) -> set[int]:
    return set(session.exec(_ELIGIBLE, params={"round_id": round_.id}).all())


def _title(session: Session, event: AuditEvent) -> Wording:
    proposal = session.get(Proposal, event.proposal_id) if event.proposal_id else None
    return _("\u201c%(title)s\u201d", title=proposal.title) if proposal else _("a proposal")


def _notice(kind: str, recipients: Iterable[int], text: Wording, **extra: Any) -> list[Notice]:
    return [Notice(kind, frozenset(recipients), text, **extra)]


def _followed(text: Wording, by: str) -> Wording:
    """The text followed by what a person wrote (a reason, a statement), if they wrote one."""
    return _("%(news)s %(more)s", news=text, more=by) if by else text


# --- what: one rule per action (N2's deadline actions included) --------------------------


@rule("proposal.created", "proposal.submit")
def _submitted(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    if payload.get("state", payload.get("to")) != "proposed":
        return []  # a draft only its proposer sees
    text = _(
        "%(name)s proposed %(title)s; it waits for a facilitator.",
        name=event.actor_name,
        title=_title(session, event),
    )
    return _notice("proposal_submitted", members(session, event.community_id, "facilitator"), text)


@rule("proposal.open_comments")
def _comments_opened(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    text = _("%(title)s is open for comments.", title=_title(session, event))
    return _notice("comments_opened", members(session, event.community_id), text)


@rule("proposal.open_objection_round", "proposal.open_consent_round")
def _round_opened(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    round_ = _open_round(session, event.proposal_id)
    if round_ is None:
        return []
    title = _title(session, event)
    if round_.deadline is None:
        text = (
            _("The objection round on %(title)s is open: your answer is asked.", title=title)
            if round_.kind == "objection"
            else _("The consent round on %(title)s is open: your answer is asked.", title=title)
        )
    else:
        message = (
            N_("The objection round on %(title)s is open until %(deadline)s: your answer is asked.")
            if round_.kind == "objection"
            else N_(
                "The consent round on %(title)s is open until %(deadline)s: your answer is asked."
            )
        )
        text = _(message, title=title, deadline=Moment(round_.deadline))
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
            text = _(
                "%(name)s replied to your comment on %(title)s.",
                name=event.actor_name,
                title=_title(session, event),
            )
            notices += _notice("reply", {parent.author_id}, text)
    if comment.kind == "question":
        text = _(
            "%(name)s asked a question on your proposal %(title)s.",
            name=event.actor_name,
            title=_title(session, event),
        )
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
    text = _(
        "%(name)s objected to %(title)s: %(reason)s",
        name=event.actor_name,
        title=_title(session, event),
        reason=payload.get("reason", ""),
    )
    return _notice("objection_raised", who, text)


@rule("proposal.revised", "proposal.rebased")
def _revised(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    notices = []
    title = _title(session, event)
    for objection_id in payload.get("integrates", []):
        objection = session.get(Objection, objection_id)
        if objection is not None:
            text = _(
                "%(name)s says the new text of %(title)s integrates your objection. Please "
                "read it and confirm that it is resolved, or say that it still stands.",
                name=event.actor_name,
                title=title,
            )
            notices += _notice("objection_integrated", {objection.author_id}, text)
    return notices + _stale_stances(session, event, title)


def _stale_stances(session: Session, event: AuditEvent, title: Wording) -> list[Notice]:
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
        lines = difflib.unified_diff(
            (answered.text if answered else "").splitlines(keepends=True),
            latest.text.splitlines(keepends=True),
        )
        changes = "".join(list(lines)[2:])  # the hunks, without the ---/+++ file names
        text = _(
            "%(title)s was revised after you answered, so your stance no longer counts. "
            "Read what changed and give it again.",
            title=title,
        )
        details = _(
            "What changed (- the text you answered, + the new text):\n%(changes)s",
            changes=changes,
        )
        notices += _notice("stance_stale", {stance.participant_id}, text, details=details)
    return notices


DECIDED = {
    "proposal.adopted": ("adopted", N_("%(title)s was adopted.")),
    "proposal.lapsed": ("lapsed", N_("%(title)s lapsed.")),
    "proposal.reject": ("rejected", N_("%(title)s was rejected.")),
}


@rule("proposal.adopted", "proposal.lapsed", "proposal.reject")
def _decided(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    outcome, message = DECIDED.get(event.action, DECIDED["proposal.reject"])
    statement = payload.get("outcome_statement") or payload.get("reason") or ""
    text = _followed(_(message, title=_title(session, event)), statement)
    return _notice(f"proposal_{outcome}", members(session, event.community_id), text)


@rule("round.deadline_extended")
def _extended(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    round_ = _open_round(session, event.proposal_id)
    if round_ is None:
        return []
    text = _followed(
        _("The deadline of %(title)s was extended.", title=_title(session, event)),
        payload.get("reason", ""),
    )
    return _notice("deadline_extended", _eligible(session, round_), text)


@rule("round.reminder_due", "round.reminded")
def _reminded(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    text = _(
        "Your answer on %(title)s is still awaited; the round closes soon.",
        title=_title(session, event),
    )
    return _notice("reminder", {int(user_id) for user_id in payload.get("to", [])}, text)


@rule("round.closing_soon")
def _closing_soon(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    waiting = [session.get(User, int(user_id)) for user_id in payload.get("not_answered", [])]
    names = ", ".join(user.display_name for user in waiting if user is not None)
    title = _title(session, event)
    text = (
        _("The round on %(title)s closes within a day. Not answered yet: %(names)s.",
          title=title, names=names)
        if names
        else _("The round on %(title)s closes within a day. Everyone has answered.", title=title)
    )  # fmt: skip
    return _notice("closing_soon", {int(user_id) for user_id in payload.get("to", [])}, text)


@rule("agreement.review_due")
def _review_due(session: Session, event: AuditEvent, payload: dict[str, Any]) -> list[Notice]:
    text = _("An agreement of your community is due for review.")
    return _notice("review_due", members(session, event.community_id, "facilitator"), text)


@rule("translation.proposed")
def _translation_proposed(
    session: Session, event: AuditEvent, payload: dict[str, Any]
) -> list[Notice]:
    text = _(
        "%(name)s proposed a translation into %(language)s; it waits for a facilitator.",
        name=event.actor_name,
        language=payload.get("language", ""),
    )
    facilitators = members(session, event.community_id, "facilitator")
    return _notice("translation_proposed", facilitators, text)


@rule("translation.confirmed", "translation.declined")
def _translation_decided(
    session: Session, event: AuditEvent, payload: dict[str, Any]
) -> list[Notice]:
    translation = session.get(Translation, event.subject_id)
    if translation is None:
        return []
    language = payload.get("language", "")
    if event.action == "translation.confirmed":
        text = _("Your translation into %(language)s was confirmed.", language=language)
    else:
        text = _followed(
            _("Your translation into %(language)s was declined.", language=language),
            str(payload.get("reason", "")),
        )
    return _notice("translation_decided", {translation.proposer_id}, text)


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
    parts: dict[int, list[Wording]] = {}
    for notice in notices:
        for user_id in sorted(notice.recipients - {event.actor_id}):
            if user_id in told:  # two reasons to tell one person: one notification
                parts[user_id] += notice.parts
                continue
            row = {
                "recipient_id": user_id,
                "community_id": event.community_id,
                "proposal_id": event.proposal_id,
                "event_seq": event.seq,
                "kind": notice.kind,
                "created_at": event.occurred_at,
            }
            told[user_id], parts[user_id] = (row, notice.round_id), list(notice.parts)
    for user_id, (row, _round_id) in told.items():
        row["text"] = keep(parts[user_id])
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
    return dict(session.execute(_ACTIVE, {"ids": sorted(user_ids)}).all())  # type: ignore[arg-type]


def _insert_notifications(session: Session, rows: list[dict[str, Any]]) -> dict[int, int]:
    """Insert the notifications in one statement; their ids by recipient.

    Each id comes back with its recipient, so the rows' order does not matter: asking for
    it (sort_by_parameter_order) made SQLite insert them one statement per row."""
    if not rows:
        return {}
    table = Notification.__table__  # type: ignore[attr-defined]
    inserted = session.execute(table.insert().returning(table.c.id, table.c.recipient_id), rows)
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
