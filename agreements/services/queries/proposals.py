"""The proposal page, read in one place: revisions, discussion, objections, the open round,
and the moves the actor may make now.

The page renders its buttons from `moves`, which the protocol's machine computes for the
roles the actor holds, so the page never offers what the service would refuse without
saying why.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from workflows import OBJECTION_LIFECYCLE, Flow, Move
from workflows.protocols import FACILITATOR, OBJECTOR, PROPOSER, State

from ...models import (
    Comment,
    Concern,
    Objection,
    Proposal,
    Revision,
    Round,
    User,
    Version,
    utcnow,
)
from ...tally import Answer, Tally
from ...text.merge import MergeResult
from ...wording import Wording
from .._context import ProposalContext, load_proposal
from ..adoption import current_version, rebase_preview
from ..overlaps import Overlap, overlapping_proposals
from ..proposals import revisions_of
from ..round_deadlines import not_answered
from ..rounds import proposal_rounds
from ._rows import stored_id
from .people import Named, NamedOrganisation, organisations_of, people


@dataclass
class CommentNode:
    """A comment with its replies, for a threaded discussion."""

    comment: Row[Any]  # a comment's columns: a page of 200 comments reads no ORM objects
    replies: list[CommentNode] = field(default_factory=list)


def comment_threads(comments: Sequence[Row[Any]]) -> list[CommentNode]:
    """Arrange comments (oldest first) into threads under their parents."""
    nodes = {comment.id: CommentNode(comment) for comment in comments}
    roots: list[CommentNode] = []
    for comment in comments:
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        (parent.replies if parent else roots).append(nodes[comment.id])
    return roots


@dataclass(frozen=True)
class ObjectionView:
    """An objection with the moves the actor may make on it now."""

    objection: Objection
    state: State
    moves: list[Move]  # only the moves of a role the actor holds, allowed or refused


def _objection_roles(detail_roles: set[str], actor: User | None, objection: Objection) -> set[str]:
    roles = {role for role in detail_roles if role in (FACILITATOR, PROPOSER)}
    if actor is not None and actor.id == objection.author_id:
        roles.add(OBJECTOR)
    return roles


def _own_moves(flow: Flow, roles: set[str]) -> list[Move]:
    """The moves of a role the actor holds (a member is not shown the facilitator's)."""
    return [move for move in flow.moves(roles) if move.transition.roles & roles]


@dataclass
class ProposalDetail:
    """Everything the proposal page shows, read in one place."""

    ctx: ProposalContext
    revisions: list[Revision]
    base: Version
    current: Version
    comments: list[CommentNode]  # the threads sent (see THREADS_SENT), oldest first
    objections: list[ObjectionView]
    concerns: list[Concern]
    rounds: list[Round]
    open_round: Round | None
    tally: Tally | None
    my_stance: Answer | None
    my_status: str | None
    moves: list[Move]  # the actor's own moves on the proposal (the "object" stance aside)
    people: dict[int, Named]
    organisations: dict[int, NamedOrganisation]
    rebase: MergeResult | None = None  # set when another amendment was adopted since the base
    overlaps: list[Overlap] = field(default_factory=list)
    # For a facilitator: who has not answered the open round (see round_deadlines).
    not_answered: list[int] = field(default_factory=list)
    deadline_passed: bool = False
    unsent_threads: int = 0  # older threads left out of `comments`

    @property
    def proposal(self) -> Proposal:
        """The proposal itself."""
        return self.ctx.proposal

    @property
    def latest(self) -> Revision:
        """The text being decided on."""
        return self.revisions[-1]

    @property
    def state(self) -> State:
        """The protocol state, with its label and what happens next."""
        return self.ctx.protocol.state(self.proposal.state)

    @property
    def is_open(self) -> bool:
        """Whether the decision is still under way."""
        return not self.state.is_final

    @property
    def tally_shown(self) -> tuple[object, ...]:
        """Everything the tally shows, as one hashable value (the page keeps the tally
        rendered under it): each participant's standing with their name and organisation's,
        the quorum's figures, and whether the round still takes answers."""
        if self.tally is None:
            return ()
        t, people, organisations = self.tally, self.people, self.organisations
        standings = tuple(
            (
                p.user_id,
                people[p.user_id].display_name if p.user_id in people else None,
                organisations[p.organisation_id].name
                if p.organisation_id in organisations
                else None,
                p.status,
                p.stance.reason if p.stance is not None else None,
                p.joined_late,
            )
            for p in t.participants
        )
        quorum = (t.rule, t.percent, t.units_total, t.units_answered)
        return (self.proposal.id, self.is_open, quorum, standings)

    def discussion_shown(self, threads: Sequence[CommentNode]) -> bytes:
        """Everything these threads show, as one digest (the page keeps them rendered under
        it): each comment, where it sits in its thread, and its author's name. A digest, not
        the comments themselves, so that what a process keeps is the HTML alone."""
        shown: list[object] = []

        def add(nodes: Sequence[CommentNode], depth: int) -> None:
            for node in nodes:
                c = node.comment
                author = self.people.get(c.author_id)
                name = author.display_name if author is not None else None
                shown.append((depth, c.id, name, c.kind, c.created_at, c.anchor, c.body))
                add(node.replies, depth + 1)

        add(threads, 0)
        return hashlib.sha256(repr(shown).encode("utf-8", "surrogatepass")).digest()

    def revision(self, revision_id: int | None) -> Revision | None:
        """One of this proposal's revisions by id."""
        return next((r for r in self.revisions if r.id == revision_id), None)

    def open_objection_ids(self) -> list[int]:
        """Objections the proposer can cite as integrated by a new revision."""
        return [stored_id(v.objection) for v in self.objections if v.objection.state == "open"]


# The proposal page reads these on every view: built once, with the proposal as a parameter
# (building a statement and computing its cache key cost more than running it).
# A long discussion sends its newest threads; the page links to the rest (?threads=all).
THREADS_SENT = 20
# The newest threads' first comments, and how many threads there are in all (counted once
# by a subquery: a window count would gather and sort every thread before the first row).
_ROOTS = (Comment.proposal_id == bindparam("proposal_id"), col(Comment.parent_id).is_(None))
_NEWEST_ROOTS = (
    sa_select(
        col(Comment.id),
        sa_select(func.count()).where(*_ROOTS).correlate(None).scalar_subquery().label("threads"),
    )
    .where(*_ROOTS)
    .order_by(col(Comment.id).desc())
    .limit(bindparam("sent"))
)
_COMMENTS_FROM = (
    sa_select(*Comment.__table__.columns)  # type: ignore[attr-defined]
    .where(Comment.proposal_id == bindparam("proposal_id"), col(Comment.id) >= bindparam("first"))
    .order_by(col(Comment.id))
)
_OBJECTIONS = (
    select(Objection)
    .where(Objection.proposal_id == bindparam("proposal_id"))
    .order_by(col(Objection.id))
)
_CONCERNS = (
    select(Concern).where(Concern.proposal_id == bindparam("proposal_id")).order_by(col(Concern.id))
)


def _sent_comments(
    session: Session, proposal_id: int, threads: int | None
) -> tuple[list[Row[Any]], int]:
    """The comments of the newest `threads` threads (all of them with None), oldest first,
    and how many threads are left out. Only the comments from the oldest thread sent on
    are read, so a page of 20 threads costs the same beside 200 comments as beside 30."""
    params = {"proposal_id": proposal_id}
    if threads is None:
        return list(session.execute(_COMMENTS_FROM, {**params, "first": 0})), 0
    newest = session.execute(_NEWEST_ROOTS, {**params, "sent": threads}).all()
    if not newest:
        return [], 0
    first = newest[-1].id
    root: dict[int, int] = {}
    sent: list[Row[Any]] = []
    for row in session.execute(_COMMENTS_FROM, {**params, "first": first}):
        if row.parent_id is None:  # from `first` on, every thread is one of the newest
            root[row.id] = row.id
        elif row.parent_id in root:  # a parent comes before its replies
            root[row.id] = root[row.parent_id]
        else:  # a late reply in an older thread
            continue
        sent.append(row)
    return sent, newest[0].threads - len(newest)


def proposal_detail(
    session: Session, actor: User | None, proposal_id: int, threads: int | None = THREADS_SENT
) -> ProposalDetail:
    """A proposal with its revisions, discussion (its newest `threads` threads, or all of
    them with None), objections, rounds and the actor's moves."""
    ctx = load_proposal(session, actor, proposal_id, for_update=False)
    proposal = ctx.proposal
    revisions = revisions_of(session, proposal)
    params = {"proposal_id": proposal.id}
    comments, unsent_threads = _sent_comments(session, stored_id(proposal), threads)
    objections = list(session.exec(_OBJECTIONS, params=params))
    concerns = list(session.exec(_CONCERNS, params=params))
    rounds = proposal_rounds(session, proposal)
    ctx.read_along(revisions, objections, rounds)
    open_round = ctx.open_round()
    tally = ctx.tally(open_round) if open_round is not None else None
    my_entry = None
    if tally is not None and actor is not None:
        my_entry = next((p for p in tally.participants if p.user_id == actor.id), None)
    roles = ctx.roles
    objection_views = [
        ObjectionView(
            objection,
            OBJECTION_LIFECYCLE.state(objection.state),
            _own_moves(
                Flow(objection, OBJECTION_LIFECYCLE, words=Wording),
                _objection_roles(roles, actor, objection),
            ),
        )
        for objection in objections
    ]
    author_ids: set[int | None] = {proposal.proposer_id}
    author_ids |= {r.author_id for r in revisions}
    author_ids |= {c.author_id for c in comments} | {o.author_id for o in objections}
    author_ids |= {c.author_id for c in concerns} | {o.settled_by_id for o in objections}
    if tally is not None:  # the round's own participants are read by the round (people)
        author_ids |= {p.user_id for p in tally.participants if p.joined_late}
    waiting = (
        not_answered(ctx, open_round) if open_round is not None and FACILITATOR in roles else []
    )
    current = current_version(session, stored_id(ctx.agreement))
    base = session.get(Version, revisions[-1].base_version_id)  # mostly `current`: no read
    assert base is not None
    return ProposalDetail(
        ctx=ctx,
        revisions=revisions,
        base=base,
        current=current,
        comments=comment_threads(comments),
        unsent_threads=unsent_threads,
        objections=objection_views,
        concerns=concerns,
        rounds=rounds,
        open_round=open_round,
        tally=tally,
        my_stance=my_entry.stance if my_entry else None,
        my_status=my_entry.status if my_entry else None,
        moves=[m for m in _own_moves(ctx.flow(), roles) if m.transition.trigger != "object"],
        people=people(session, author_ids, open_round.id if open_round is not None else None),
        organisations=organisations_of(session, ctx.community),
        rebase=(
            rebase_preview(session, revisions[-1], current)
            if base.id != current.id and not ctx.protocol.state(proposal.state).is_final
            else None
        ),
        overlaps=overlapping_proposals(session, proposal),
        not_answered=waiting,
        deadline_passed=bool(
            open_round and open_round.deadline and open_round.deadline <= utcnow()
        ),
    )
