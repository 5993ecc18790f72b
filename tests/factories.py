"""Test data made through the real use cases, so every fixture obeys the same rules as users."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count

from sqlmodel import Session, col, select

from agreements import services
from agreements.models import Agreement, Community, Proposal, Round, User
from agreements.storage.engines import BEGIN_OPTION

PASSWORD = "correct horse battery staple"
AGREEMENT_TEXT = """# Our agreement

## Purpose
We share what we learn.

## Care
We speak with respect.

## Decisions
We decide by consent.
"""
OUTCOME = "Adopted by consent; nobody objected."
STAGES = ("draft", "proposed", "comment", "objection", "consent", "adopted")


def mark_announced(session: Session, proposal_id: int) -> None:
    """Say the proposal's open round was announced (the outbox delivered its mail): a lazy
    round decides by silence only after that."""
    round_ = session.exec(
        select(Round).where(Round.proposal_id == proposal_id, col(Round.closed_at).is_(None))
    ).one()
    round_.announced_at = round_.opened_at
    session.add(round_)
    session.commit()


def scheduler_sessions(session: Session) -> Callable[[], Session]:
    """What `services.run_due` opens for each item: a new session on this one's database,
    writing as the app does (BEGIN IMMEDIATE on SQLite, also when `session` only reads)."""
    engine = session.get_bind().execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
    return lambda: Session(engine, expire_on_commit=False)


@dataclass
class World:
    """A community with a facilitator, members and one agreement."""

    factory: Factory
    community: Community
    facilitator: User
    agreement: Agreement
    members: list[User] = field(default_factory=list)

    def member(
        self, name: str | None = None, organisation: str | None = None, role: str = "member"
    ) -> User:
        """Add one more member (with an organisation, if given)."""
        user = self.factory.user(name)
        services.add_member(
            self.factory.session,
            self.factory.system,
            community_id=self.community.id,
            user_id=user.id,
            role=role,
            organisation=organisation,
        )
        self.members.append(user)
        return user


class Factory:
    """Makes users, communities and proposals at any stage of the consent protocol."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.system = services.system_actor(session)
        session.commit()
        self._n = count(1)

    def user(self, name: str | None = None, admin: bool = False) -> User:
        """An account with the shared test password."""
        n = next(self._n)
        return services.create_account(
            self.session,
            self.system,
            email=f"person{n}@example.org",
            display_name=name or f"Person {n}",
            password=PASSWORD,
            is_admin=admin,
        )

    def community(
        self,
        *,
        members: int = 2,
        protocol: str = "consent",
        quorum_rule: str = "person",
        quorum_percent: int = 50,
        private: bool = True,
        text: str = AGREEMENT_TEXT,
    ) -> World:
        """A community with a facilitator, `members` members and an agreement at version 1."""
        n = next(self._n)
        facilitator = self.user(f"Facilitator {n}")
        community = services.create_community(
            self.session,
            self.system,
            slug=f"community-{n}",
            name=f"Community {n}",
            protocol=protocol,
            quorum_rule=quorum_rule,
            quorum_percent=quorum_percent,
            is_private=private,
            facilitator_id=facilitator.id,
        )
        agreement = services.create_agreement(
            self.session, facilitator, community_id=community.id, title="Agreement", text=text
        )
        world = World(self, community, facilitator, agreement)
        for _ in range(members):
            world.member()
        return world

    def proposal(
        self,
        world: World,
        proposer: User | None = None,
        stage: str = "proposed",
        text: str | None = None,
    ) -> Proposal:
        """A proposal by `proposer` (the first member) moved to `stage`."""
        proposer = proposer or world.members[0]
        session, facilitator = self.session, world.facilitator
        proposal = services.propose_amendment(
            session,
            proposer,
            agreement_id=world.agreement.id,
            title="Change the purpose",
            rationale="Because.",
            text=text
            or AGREEMENT_TEXT.replace("We share what we learn.", "We share all we learn."),
            submit=stage != "draft",
        )
        pid = proposal.id
        steps = {
            "comment": lambda: services.open_comments(session, facilitator, proposal_id=pid),
            "objection": lambda: services.open_objection_round(
                session, facilitator, proposal_id=pid
            ),
            "consent": lambda: services.open_consent_round(session, facilitator, proposal_id=pid),
        }
        for step in STAGES[2 : STAGES.index(stage) + 1]:
            if step == "adopted":
                for person in [facilitator, *world.members]:
                    services.register_stance(session, person, proposal_id=pid, position="consent")
                services.adopt_proposal(
                    session, facilitator, proposal_id=pid, outcome_statement=OUTCOME
                )
            else:
                steps[step]()
        session.refresh(proposal)
        session.commit()  # end the read transaction: the app's next request needs the write lock
        return proposal
