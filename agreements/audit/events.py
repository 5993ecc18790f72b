"""Reading the audit trail as people do: one community, agreement or proposal at a time,
newest first, filtered by action or person, a page at a time.

Only the events of the scope are read; sealed stand-ins of an imported archive belong to
no community and never show. Visibility of the scope is the caller's job
(agreements.access); events about a draft show to the draft's author alone, since a draft
is its proposer's own until it is submitted.

A page also carries what its sentences need (agreements.audit.sentences): the titles,
names and revision numbers its events refer to, loaded once for the page, and the events
grouped by day for the day headings.
"""

from __future__ import annotations

import functools
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, date, tzinfo
from itertools import groupby
from math import ceil
from threading import Lock
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, bindparam, func
from sqlmodel import Session, col, select

from ..models import Agreement, AuditEvent, Proposal, Revision, User
from . import sentences

PER_PAGE = 25  # a phone screenful or three; each event carries its technical details
SCOPES = ("community_id", "agreement_id", "proposal_id")


@dataclass(frozen=True)
class EventPage:
    """One page of events, newest first, and what the filters can offer."""

    events: list[AuditEvent]
    page: int
    pages: int
    total: int
    actions: list[str]
    people: list[tuple[int, str]]
    names: sentences.Names
    parsed: dict[int, dict[str, Any]]  # each event's payload, by seq

    def payload(self, event: AuditEvent) -> dict[str, Any]:
        """An event's payload as data (the technical details show it as key: value lines),
        parsed once for the page's sentence, quote and details."""
        return self.parsed[event.seq]

    def sentence(self, event: AuditEvent) -> str:
        """The event as a sentence people understand."""
        return sentences.sentence(event, self.payload(event), self.names)

    def quote(self, event: AuditEvent) -> str:
        """What the person wrote with the action (a reason, comment or outcome), if anything."""
        return sentences.quote(self.payload(event))

    def days(self, zone: tzinfo = UTC) -> list[tuple[date, list[AuditEvent]]]:
        """The page's events grouped by the day they happened in the reader's time zone,
        newest day first (an event at 23:30 UTC is on the next day in Berlin)."""

        def local_day(event: AuditEvent) -> date:
            moment = event.occurred_at
            return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone).date()

        return [(day, list(events)) for day, events in groupby(self.events, key=local_day)]

    def labelled_actions(self) -> list[tuple[str, str]]:
        """The actions the filter offers, each with the name people read."""
        return [(action, sentences.label(action)) for action in self.actions]


def payloads(events: list[AuditEvent]) -> dict[int, dict[str, Any]]:
    """The events' payloads as data, by seq."""
    return {event.seq: json.loads(event.payload) for event in events}


_PROPOSAL_TITLES = select(Proposal.id, Proposal.title).where(
    col(Proposal.id).in_(bindparam("ids", expanding=True))
)
_AGREEMENT_TITLES = select(Agreement.id, Agreement.title).where(
    col(Agreement.id).in_(bindparam("ids", expanding=True))
)
_PEOPLE_NAMES = select(User.id, User.display_name).where(
    col(User.id).in_(bindparam("ids", expanding=True))
)
_REVISION_NUMBERS = (
    select(Revision.proposal_id, Revision.text_sha256, Revision.number)
    .where(col(Revision.proposal_id).in_(bindparam("ids", expanding=True)))
    .order_by(col(Revision.number))
)


def names_for(
    session: Session,
    events: list[AuditEvent],
    parsed: dict[int, dict[str, Any]] | None = None,
) -> sentences.Names:
    """The titles, names and revision numbers the events' sentences mention, in four reads
    at most (none for a kind the events do not mention). `parsed` is the events'
    payloads when the caller has them already."""
    parsed = payloads(events) if parsed is None else parsed
    proposal_ids = {event.proposal_id for event in events if event.proposal_id}
    agreement_ids = {event.agreement_id for event in events if event.agreement_id}
    person_ids = set()
    for event in events:
        user_id = parsed[event.seq].get("user_id")
        if isinstance(user_id, int):
            person_ids.add(user_id)
        elif event.subject_type == "user" and event.subject_id:
            person_ids.add(event.subject_id)

    def read(statement: Any, ids: set[int]) -> list[Any]:
        return list(session.execute(statement, {"ids": sorted(ids)}).all()) if ids else []

    return sentences.Names(
        proposals=dict(read(_PROPOSAL_TITLES, proposal_ids)),
        agreements=dict(read(_AGREEMENT_TITLES, agreement_ids)),
        people=dict(read(_PEOPLE_NAMES, person_ids)),
        revisions={
            (pid, sha): number for pid, sha, number in read(_REVISION_NUMBERS, proposal_ids)
        },
    )


# A history page runs the same few statements on every view: each shape (scope, filters)
# is built once, with its values as parameters (building a statement and computing its
# cache key cost more than running it).
_HASH_AT = select(AuditEvent.hash).where(AuditEvent.seq == bindparam("seq"))
_DRAFTS = select(Proposal.id).where(Proposal.state == "draft")
_OTHERS_DRAFTS = _DRAFTS.where(col(Proposal.proposer_id) != bindparam("viewer_id"))


@dataclass(frozen=True)
class _Shape:
    """Which events a statement reads: one scope's, without the drafts left out (when
    `hiding`), after a seq (`since`), of one action, of one person."""

    scope: str
    hiding: bool = False
    since: bool = False
    action: bool = False
    actor: bool = False

    def visible(self) -> ColumnElement[bool]:
        """The condition, its values as bind parameters."""
        proposal = col(AuditEvent.proposal_id)
        clauses = [getattr(AuditEvent, self.scope) == bindparam("scope_id")]
        if self.hiding:
            clauses.append(
                proposal.is_(None) | proposal.not_in(bindparam("hidden", expanding=True))
            )
        if self.since:
            clauses.append(col(AuditEvent.seq) > bindparam("since"))
        if self.action:
            clauses.append(AuditEvent.action == bindparam("action"))
        if self.actor:
            clauses.append(AuditEvent.actor_id == bindparam("actor_id"))
        return and_(*clauses)


class _Statements(NamedTuple):
    """What a history reads of a shape's events."""

    count: Any
    newest: Any
    actions: Any
    people: Any
    page: Any  # newest first, PER_PAGE from :offset


@functools.cache
def _statements(shape: _Shape) -> _Statements:
    """The shape's statements, built once per process."""
    visible, seq = shape.visible(), col(AuditEvent.seq)
    return _Statements(
        count=select(func.count()).select_from(AuditEvent).where(visible),
        newest=select(AuditEvent.seq, AuditEvent.hash).where(visible).order_by(seq.desc()).limit(1),
        actions=select(AuditEvent.action).where(visible).distinct(),
        people=select(AuditEvent.actor_id, AuditEvent.actor_name)
        .where(visible, col(AuditEvent.actor_id).is_not(None))
        .distinct(),
        page=select(AuditEvent)
        .where(visible)
        .order_by(seq.desc())
        .offset(bindparam("offset"))
        .limit(PER_PAGE),
    )


@dataclass
class _Summary:
    """What the filters and the pager need of one scope's visible events, up to `last_seq`
    (whose event had the hash `last_hash`)."""

    hidden: frozenset[int]  # the drafts left out when it was counted
    last_seq: int = 0
    last_hash: str = ""
    total: int = 0
    actions: set[str] = field(default_factory=set)
    people: set[tuple[int, str]] = field(default_factory=set)


_SUMMARIES: OrderedDict[tuple[str, str, int, frozenset[int]], _Summary] = OrderedDict()
_SUMMARIES_KEPT = 256
_summaries_lock = Lock()


def _summary(session: Session, scope: str, scope_id: int, hidden: frozenset[int]) -> _Summary:
    """The scope's event count, actions and people, brought up to date incrementally.

    The log is append-only and seqs are given out in commit order (under the chain-head
    lock), so a summary counted up to seq N stays true for those events, as long as the
    same drafts are left out and event N is still the one counted (a restored backup is
    another log); each request reads only the events after N. Kept per process, keyed
    by database and by the drafts left out, so it is right whatever other processes write.
    """
    key = (str(session.get_bind().engine.url), scope, scope_id, hidden)
    with _summaries_lock:
        known = _SUMMARIES.get(key) or _Summary(hidden)
    if known.last_seq:
        still = session.exec(_HASH_AT, params={"seq": known.last_seq})
        if still.first() != known.last_hash:
            known = _Summary(hidden)
    read = _statements(_Shape(scope, hiding=bool(hidden), since=True))
    params = {"scope_id": scope_id, "hidden": sorted(hidden), "since": known.last_seq}
    count = session.exec(read.count, params=params).one()
    if count:
        newest = session.exec(read.newest, params=params).one()
        actions = session.exec(read.actions, params=params).all()
        people = session.exec(read.people, params=params).all()
        known = _Summary(
            hidden,
            newest[0],
            newest[1],
            known.total + count,
            known.actions | set(actions),
            known.people | {(int(i), str(name)) for i, name in people},  # type: ignore[arg-type]
        )
    with _summaries_lock:
        _SUMMARIES[key] = known
        _SUMMARIES.move_to_end(key)
        while len(_SUMMARIES) > _SUMMARIES_KEPT:
            _SUMMARIES.popitem(last=False)
    return known


def event_page(
    session: Session,
    *,
    scope: str,
    scope_id: int,
    viewer_id: int | None,
    action: str | None = None,
    actor_id: int | None = None,
    page: int = 1,
) -> EventPage:
    """The `page`th page (from 1) of the scope's events matching the filters, as
    `viewer_id` may see them (other people's drafts left out, with their titles).

    The unfiltered count and the filters' choices come from a summary kept up to date
    incrementally (`_summary`), so a long history costs no scan of the scope per request.
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown history scope {scope!r}")
    drafts = _OTHERS_DRAFTS if viewer_id is not None else _DRAFTS
    hidden: frozenset[int] = frozenset(session.exec(drafts, params={"viewer_id": viewer_id}).all())
    summary = _summary(session, scope, scope_id, hidden)
    read = _statements(
        _Shape(scope, hiding=bool(hidden), action=bool(action), actor=actor_id is not None)
    )
    params: dict[str, object] = {
        "scope_id": scope_id,
        "hidden": sorted(hidden),
        "action": action,
        "actor_id": actor_id,
    }
    total = (
        session.exec(read.count, params=params).one()
        if action or actor_id is not None
        else summary.total
    )
    pages = max(1, ceil(total / PER_PAGE))
    page = min(max(1, page), pages)
    events = session.exec(read.page, params={**params, "offset": (page - 1) * PER_PAGE}).all()
    shown = list(events)
    parsed = payloads(shown)
    return EventPage(
        shown,
        page,
        pages,
        total,
        sorted(summary.actions),
        sorted(summary.people, key=lambda person: (person[1], person[0])),
        names_for(session, shown, parsed),
        parsed,
    )
