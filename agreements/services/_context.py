"""Loading a proposal with everything its rules look at, under the right locks.

Every proposal use case starts here: the proposal row is locked (FOR UPDATE on
PostgreSQL; BEGIN IMMEDIATE already serialises SQLite), its community's visibility is
checked, and the actor's roles and the protocol's facts are derived in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from workflows import Facts, Flow, Protocol, get_protocol
from workflows.protocols import FACILITATOR, PARTICIPANT, PROPOSER, SYSTEM

from .. import audit
from ..access import READER_MEMBERSHIP, remember_membership, require_visible
from ..errors import Forbidden, NotAuthenticated, NotFound
from ..models import (
    BLOCKING_OBJECTION_STATES,
    Agreement,
    Community,
    Membership,
    Objection,
    Proposal,
    Revision,
    Round,
    RoundParticipant,
    Stance,
    User,
    utcnow,
)
from ..storage.remembered import has_written, hold, remember, remembered
from ..tally import Tally, tally_round
from ..text.kept import KeptByContent
from ..wording import Moment, Wording, _
from ._unit import is_system, locked

# What every page showing a proposal or a tally reads: each statement is built once, with its
# values as parameters (building a statement and computing its cache key cost more than
# running it).
_LATEST_REVISION = (
    select(Revision)
    .where(Revision.proposal_id == bindparam("proposal_id"))
    .order_by(col(Revision.number).desc())
    .limit(1)
)
_OPEN_ROUNDS = select(Round).where(
    col(Round.proposal_id).in_(bindparam("proposal_ids", expanding=True)),
    col(Round.closed_at).is_(None),
)
_BLOCKING_OBJECTIONS = (
    select(Objection)
    .where(
        col(Objection.proposal_id).in_(bindparam("proposal_ids", expanding=True)),
        col(Objection.state).in_(BLOCKING_OBJECTION_STATES),
    )
    .order_by(col(Objection.id))
)
_PARTICIPANTS = (  # columns only: a round may have hundreds
    select(RoundParticipant.user_id, RoundParticipant.organisation_id)
    .where(RoundParticipant.round_id == bindparam("round_id"))
    .order_by(col(RoundParticipant.id))  # the tally lists them in the order of the snapshot
)
_CURRENT_STANCES = sa_select(  # columns only: a round may have hundreds
    *Stance.__table__.columns  # type: ignore[attr-defined]
).where(Stance.round_id == bindparam("round_id"), col(Stance.is_current))
# What a round's answers are, in one small read: its participants are snapshotted when it
# opens and a stance is never changed, only followed by a new current one, so the number of
# participants, the number of current stances and the newest one's id and moment name the
# answers (with the moment the round opened, whatever database the ids come from). A count
# from committed rows is kept per process under that stamp: the 100-stance round of a large
# community is read and counted once, not on every view of its page.
_TALLY_STAMP = sa_select(
    sa_select(func.count())
    .select_from(RoundParticipant)
    .where(RoundParticipant.round_id == bindparam("round_id"))
    .scalar_subquery(),
    func.count(),
    func.max(Stance.id),
    func.max(Stance.cast_at),
).where(Stance.round_id == bindparam("round_id"), col(Stance.is_current))
_kept_tallies: KeptByContent[Tally] = KeptByContent(size=256)
_LATE_JOINERS = (
    select(Membership)
    .where(
        Membership.community_id == bindparam("community_id"),
        col(Membership.joined_at) >= bindparam("opened_at"),
        col(Membership.user_id).not_in(
            select(RoundParticipant.user_id).where(
                RoundParticipant.round_id == bindparam("round_id")
            )
        ),
    )
    .order_by(col(Membership.joined_at), col(Membership.id))
)


@dataclass
class ProposalContext:
    """A proposal with its agreement, community, protocol and the actor's standing."""

    session: Session
    actor: User | None
    proposal: Proposal
    agreement: Agreement
    community: Community
    membership: Membership | None

    @property
    def proposal_id(self) -> int:
        """The proposal's id (it was read from the database, so it has one)."""
        assert self.proposal.id is not None
        return self.proposal.id

    @property
    def protocol(self) -> Protocol:
        """The protocol the proposal started under (settings changes do not move it)."""
        return get_protocol(self.proposal.protocol)

    @property
    def roles(self) -> set[str]:
        """The protocol roles the actor holds on this proposal."""
        roles: set[str] = set()
        if is_system(self.actor):
            roles.add(SYSTEM)
        if self.membership is not None:
            roles.add(PARTICIPANT)
            if self.membership.role == "facilitator":
                roles.add(FACILITATOR)
            if self.actor is not None and self.actor.id == self.proposal.proposer_id:
                roles.add(PROPOSER)
        return roles

    def require_participant(self) -> Membership:
        """Only members take part; anonymous people are asked to sign in."""
        if self.actor is None:
            raise NotAuthenticated(_("Please sign in to take part."))
        if self.membership is None:
            raise Forbidden(
                _("Only members of %(community)s can do that.", community=self.community.name)
            )
        return self.membership

    def subject(self, kind: str = "proposal", row_id: int | None = None) -> audit.Subject:
        """The audit subject for an event about this proposal (or one of its parts)."""
        return audit.Subject(
            kind,
            row_id if row_id is not None else self.proposal.id,
            community_id=self.community.id,
            agreement_id=self.agreement.id,
            proposal_id=self.proposal.id,
        )

    def latest_revision(self) -> Revision:
        """The newest revision: the text being decided on."""
        params = {"proposal_id": self.proposal_id}
        return remembered(
            self.session,
            ("latest revision", self.proposal_id),
            lambda: self.session.exec(_LATEST_REVISION, params=params).one(),
        )

    def open_round(self, *, for_update: bool = False) -> Round | None:
        """The round currently open on this proposal, if any."""
        proposal_id = self.proposal_id
        if for_update:  # one read that also locks
            params = {"proposal_ids": [proposal_id]}
            return self.session.exec(locked(_OPEN_ROUNDS), params=params).first()
        key = ("open round", proposal_id)
        return remembered(
            self.session, key, lambda: open_rounds(self.session, [proposal_id]).get(proposal_id)
        )

    def open_objections(self) -> list[Objection]:
        """Objections that still block adoption."""
        proposal_id = self.proposal_id
        key = ("open objections", proposal_id)
        found = remembered(self.session, key, lambda: open_objections(self.session, [proposal_id]))
        return list(found.get(proposal_id, []))

    def read_along(
        self, revisions: list[Revision], objections: list[Objection], rounds: list[Round]
    ) -> None:
        """Remember what a page has read in full (every revision, objection and round, oldest
        first), so that the latest revision, the blocking objections and the open round are
        not read again in this transaction (while nothing is written)."""
        proposal_id = self.proposal_id
        blocking = [o for o in objections if o.state in BLOCKING_OBJECTION_STATES]
        open_round = next((r for r in rounds if r.closed_at is None), None)
        remember(self.session, ("latest revision", proposal_id), revisions[-1])
        remember(self.session, ("open objections", proposal_id), {proposal_id: blocking})
        remember(self.session, ("open round", proposal_id), open_round)

    def late_joiners(self, round_: Round) -> list[Membership]:
        """Members who joined after the round opened: they may answer it too (see tally)."""
        params = {
            "community_id": self.community.id,
            "opened_at": round_.opened_at,
            "round_id": round_.id,
        }
        return list(self.session.exec(_LATE_JOINERS, params=params))

    def tally(self, round_: Round) -> Tally:
        """The count of a round against the latest revision (counted once per transaction
        while nothing is written: a page shows it in several places)."""
        return remembered(self.session, ("tally", round_.id), lambda: self._count(round_))

    def _count(self, round_: Round) -> Tally:
        """The round counted, or kept from an earlier count of the same answers (see
        `_TALLY_STAMP`); a transaction that has written counts afresh and keeps nothing."""
        params = {"round_id": round_.id}
        text = self.latest_revision().text_sha256
        late = self.late_joiners(round_)

        def count() -> Tally:
            participants = self.session.exec(_PARTICIPANTS, params=params).all()
            stances = self.session.execute(_CURRENT_STANCES, params).all()
            return tally_round(round_, participants, stances, text, late)

        if has_written(self.session):
            return count()
        stamp = tuple(self.session.execute(_TALLY_STAMP, params).one())
        joined = tuple((m.user_id, m.organisation_id) for m in late)
        rule = (round_.quorum_rule, round_.quorum_percent)
        key = (round_.id, round_.opened_at, rule, text, stamp, joined)
        return _kept_tallies.get(key, count)

    def facts(self, now: datetime | None = None) -> Facts:
        """What the protocol's guards look at, read from the database."""
        round_ = self.open_round()
        tally = self.tally(round_) if round_ is not None else None
        now = now or utcnow()
        deadline = round_.deadline if round_ is not None else None
        return Facts(
            open_objections=len(self.open_objections()),
            objecting_stances=tally.objecting if tally else 0,
            quorum_met=tally.quorum_met if tally else False,
            quorum_detail=tally.quorum_detail if tally else _("no round is open"),
            deadline_passed=deadline is not None and deadline <= now,
            deadline_text=(
                _("it is %(moment)s", moment=Moment(deadline)) if deadline else _("none set")
            ),
        )

    def flow(self, now: datetime | None = None) -> Flow:
        """The protocol's state machine around this proposal, with current facts."""
        return Flow(self.proposal, self.protocol, self.facts(now), words=Wording)


def open_rounds(session: Session, proposal_ids: list[int]) -> dict[int, Round]:
    """The round open on each of these proposals (a proposal has at most one), in one read."""
    found = session.exec(_OPEN_ROUNDS, params={"proposal_ids": proposal_ids})
    return {round_.proposal_id: round_ for round_ in found}


def open_objections(session: Session, proposal_ids: list[int]) -> dict[int, list[Objection]]:
    """The objections still blocking each of these proposals, in one read."""
    found: dict[int, list[Objection]] = {}
    for objection in session.exec(_BLOCKING_OBJECTIONS, params={"proposal_ids": proposal_ids}):
        found.setdefault(objection.proposal_id, []).append(objection)
    return found


# Every proposal page and every use case on a proposal starts here: the proposal with its
# agreement, its community and the actor's membership, in one read (built once).
_PROPOSAL_AT = (
    select(Proposal, Agreement, Community, Membership)
    .join(Agreement, col(Agreement.id) == Proposal.agreement_id)
    .join(Community, col(Community.id) == Agreement.community_id)
    .outerjoin(Membership, READER_MEMBERSHIP)
    .where(Proposal.id == bindparam("proposal_id"))
)
# Only the proposal's row is locked. (SQLModel types a four-entity select apart from Select.)
_PROPOSAL_AT_LOCKED = locked(_PROPOSAL_AT, of=Proposal)  # type: ignore[type-var]


def load_proposal(
    session: Session, actor: User | None, proposal_id: int, *, for_update: bool = True
) -> ProposalContext:
    """The proposal and its surroundings; NotFound when it is not visible to the actor."""
    if not isinstance(proposal_id, int):
        raise NotFound()
    actor_id = actor.id if actor is not None else None
    found = session.exec(
        _PROPOSAL_AT_LOCKED if for_update else _PROPOSAL_AT,
        params={"proposal_id": proposal_id, "user_id": actor_id},
    ).first()
    if found is None:
        raise NotFound()
    proposal, agreement, community, membership = found
    if actor_id is not None:  # the membership checks that follow ask again
        remember_membership(session, actor_id, community.id, membership)
    if membership is None:
        require_visible(session, actor, community)
    is_proposer = actor is not None and actor.id == proposal.proposer_id
    if proposal.state == "draft" and not (is_proposer or is_system(actor)):
        raise NotFound()  # drafts are the proposer's own
    hold(session, proposal)  # notifications name it when the use case commits
    return ProposalContext(session, actor, proposal, agreement, community, membership)
