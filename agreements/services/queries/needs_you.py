""" "What needs you": everything waiting for one person, across their communities.

One page answers "what should I do now?" without visiting every proposal:

- every open round the person is eligible in and has not answered (a consent round without
  a stance that counts on the current text; an objection round in which they have neither
  objected nor commented), as long as its deadline has not passed;
- questions to them: a question asked on their open proposal that they have not replied to,
  and a reply to one of their comments that they have not replied to in turn (a direct
  reply under it is the answer; anything else stays listed while the proposal is open);
- objections on their proposals still open, and their own objections waiting for them to
  confirm that a new text resolves them;
- for facilitators, proposals waiting for them to act: the protocol's next move is theirs
  and allowed now (open comments, open a round, adopt).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from workflows.protocols import FACILITATOR

from ...models import Agreement, Comment, Community, Membership, Proposal, Round, User, utcnow
from ...wording import _
from .._context import ProposalContext, load_proposal
from ..round_deadlines import not_answered
from ._rows import stored_id

# Moves that end a decision are never "waiting" for anyone: they are a choice, not a step.
CLOSING_MOVES = ("withdraw", "reject", "lapse")


@dataclass(frozen=True)
class Item:
    """One thing waiting for the person, on one proposal (with a comment, for questions)."""

    proposal: Proposal
    community: Community
    what: str
    round: Round | None = None
    comment: Comment | None = None


@dataclass
class NeedsYou:
    """Everything waiting for one person, by kind."""

    rounds: list[Item] = field(default_factory=list)
    questions: list[Item] = field(default_factory=list)
    objections: list[Item] = field(default_factory=list)
    to_facilitate: list[Item] = field(default_factory=list)
    facilitates: bool = False  # whether the person facilitates any of their communities

    @property
    def count(self) -> int:
        """How many things are waiting, all kinds together."""
        return len(self.rounds + self.questions + self.objections + self.to_facilitate)


def _open_proposals(session: Session, community: Community) -> list[Proposal]:
    return list(
        session.exec(
            select(Proposal)
            .join(Agreement, col(Agreement.id) == Proposal.agreement_id)
            .where(Agreement.community_id == community.id, col(Proposal.closed_at).is_(None))
            .where(Proposal.state != "draft")
            .order_by(col(Proposal.id))
        )
    )


def _round_item(ctx: ProposalContext, user: User) -> Item | None:
    round_ = ctx.open_round()
    if round_ is None or (round_.deadline is not None and round_.deadline <= utcnow()):
        return None
    if user.id not in not_answered(ctx, round_):
        return None
    if round_.kind == "consent":
        what = _("Give your consent, stand aside or object")
    else:
        what = _("Raise an objection if this change would harm what you are here for")
    return Item(ctx.proposal, ctx.community, what, round=round_)


def _questions(ctx: ProposalContext, user: User) -> list[Item]:
    comments = list(ctx.session.exec(select(Comment).where(Comment.proposal_id == ctx.proposal.id)))
    answered = {c.parent_id for c in comments if c.author_id == user.id}
    mine = {c.id for c in comments if c.author_id == user.id}
    items = []
    for comment in comments:
        if comment.author_id == user.id or comment.id in answered:
            continue
        if comment.parent_id in mine:
            items.append(
                Item(ctx.proposal, ctx.community, _("A reply to your comment"), comment=comment)
            )
        elif comment.kind == "question" and ctx.proposal.proposer_id == user.id:
            items.append(
                Item(ctx.proposal, ctx.community, _("A question on your proposal"), comment=comment)
            )
    return items


def _objections(ctx: ProposalContext, user: User) -> list[Item]:
    items = []
    for objection in ctx.open_objections():
        if ctx.proposal.proposer_id == user.id and objection.state == "open":
            what = _("An objection to integrate in a new revision")
            items.append(Item(ctx.proposal, ctx.community, what))
        if objection.author_id == user.id and objection.state == "integrating":
            what = _("Confirm whether the new text resolves your objection")
            items.append(Item(ctx.proposal, ctx.community, what))
    return items


def _facilitator_moves(ctx: ProposalContext) -> list[Item]:
    moves = ctx.flow().moves({FACILITATOR})
    return [
        Item(ctx.proposal, ctx.community, _(move.transition.label))
        for move in moves
        if move.is_allowed
        and FACILITATOR in move.transition.roles
        and move.transition.trigger not in CLOSING_MOVES
    ]


def needs_you(session: Session, user: User) -> NeedsYou:
    """What waits for `user` in every community they belong to (see the module docstring)."""
    found = NeedsYou()
    memberships = session.exec(
        select(Membership, Community)
        .join(Community, col(Community.id) == Membership.community_id)
        .where(Membership.user_id == user.id)
        .order_by(col(Community.name))
    ).all()
    for membership, community in memberships:
        for proposal in _open_proposals(session, community):
            ctx = load_proposal(session, user, stored_id(proposal), for_update=False)
            item = _round_item(ctx, user)
            if item is not None:
                found.rounds.append(item)
            found.questions += _questions(ctx, user)
            found.objections += _objections(ctx, user)
            if membership.role == "facilitator":
                found.facilitates = True
                found.to_facilitate += _facilitator_moves(ctx)
    return found
