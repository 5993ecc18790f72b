"""The demo community a newcomer clicks through: people in every role, an agreement with
history, and proposals waiting in the comment, objection and consent stages.

Everything is made through the same use cases as real work, so the demo's audit trail
verifies like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from . import services
from .models import User, utcnow

DEMO_PASSWORD = "accord-demo-2026"

PEOPLE = (
    # email, name, role, organisation
    ("facilitator@demo.accord", "Amara Okafor", "facilitator", "Climate Law Network"),
    ("ines@demo.accord", "Inès Moreau", "member", "Avocats pour le Climat"),
    ("jonas@demo.accord", "Jonas Weber", "member", "Klimaklage e.V."),
    ("lucia@demo.accord", "Lucía Fernández", "member", "Red Jurídica Ambiental"),
    ("piotr@demo.accord", "Piotr Nowak", "member", "Fundacja Prawo dla Klimatu"),
    ("sofia@demo.accord", "Sofia Rossi", "member", "Climate Law Network"),
)
ADMIN = ("admin@demo.accord", "Instance Admin")

V1 = """# Community Agreement

## Purpose
We are litigators and legal organisations across Europe who bring climate cases.
We share what we learn so that every case is stronger than the last.

## Values
- We act in solidarity with the communities most affected by the climate crisis.
- We share knowledge freely within the community.

## Participation
Members take part as individuals and as representatives of their organisations.

## Decision-making
Changes to this agreement are decided by consent.
"""

V2 = V1.replace(
    "## Decision-making",
    """## Care and conflict
When a conflict arises, we first speak with each other directly and with respect.
If that does not help, either person may ask a facilitator to support a conversation.

## Decision-making""",
)

V3 = (
    V2.replace(
        "Changes to this agreement are decided by consent.",
        """Changes to this agreement are decided by consent: a proposal is adopted when no
participant has a paramount objection. Facilitators open and close each round and
record the outcome.""",
    )
    + """
## Confidentiality
What is shared about ongoing cases stays within the community unless the person who
shared it agrees otherwise.
"""
)


@dataclass(frozen=True)
class Discussion:
    """What members say about one open proposal: a question, the proposer's answer, and a
    concern that does not block. People are given by their email in PEOPLE."""

    asker: str
    question: str
    answer: str
    concerned: str
    concern: str


@dataclass(frozen=True)
class DemoProposal:
    """An open amendment of the demo, the stage it waits in, and its own discussion."""

    title: str
    rationale: str
    text: str
    stage: str
    discussion: Discussion


PROPOSALS = (
    DemoProposal(
        "Welcome new members with a buddy",
        "New members often feel lost in their first months.",
        V3.replace(
            "representatives of their organisations.",
            "representatives of their organisations.\n"
            "Every new member is offered a buddy for their first three months.",
        ),
        "comment",
        Discussion(
            asker="piotr@demo.accord",
            question=(
                "Who would the buddies be? Could a buddy come from another organisation, so "
                "that a newcomer meets more than one way of running a climate case?"
            ),
            answer=(
                "Yes, that is the idea. The facilitators would pair people across "
                "organisations, and anyone who has been a member for a year can volunteer."
            ),
            concerned="lucia@demo.accord",
            concern=(
                "Three months is short for someone who joins in the middle of a long case. "
                "I will not block this, but let us look at the length again after a year."
            ),
        ),
    ),
    DemoProposal(
        "Add a time limit to confidentiality",
        "Case strategy stays sensitive, but not forever: after judgment it should be shareable.",
        V3.replace(
            "unless the person who\nshared it agrees otherwise.",
            "unless the person who\n"
            "shared it agrees otherwise, or until final judgment in the case.",
        ),
        "objection",
        Discussion(
            asker="lucia@demo.accord",
            question=(
                "Does a settlement count as a final judgment? Many of our cases end in a "
                "settlement, and its terms are often confidential themselves."
            ),
            answer=(
                "No, a settlement would not open anything by itself: what the parties agreed "
                "to keep confidential stays confidential. I can say so in the text."
            ),
            concerned="piotr@demo.accord",
            concern=(
                "Some of our clients face pressure long after a judgment. Whoever shares "
                "something about their case should be told that the time limit exists."
            ),
        ),
    ),
    DemoProposal(
        "Name our shared working languages",
        "Members work across many languages; naming them sets expectations.",
        V3.replace(
            "## Participation\n",
            "## Participation\nOur working languages are English and French; "
            "anyone may write in their own language.\n",
        ),
        "consent",
        Discussion(
            asker="jonas@demo.accord",
            question=(
                "Does this cover case documents we share, or only our discussions here? "
                "Pleadings are written in the language of the court."
            ),
            answer=(
                "Only our discussions and this agreement. Documents from a case stay in the "
                "language of the court; a short summary in English or French helps others."
            ),
            concerned="sofia@demo.accord",
            concern=(
                "Naming English and French may make members who work in German, Polish or "
                "Spanish feel like guests. I can live with it, but let us ask them at the "
                "next review."
            ),
        ),
    ),
)


def _people(session: Session, admin: User) -> dict[str, User]:
    return {
        email: services.create_account(
            session, admin, email=email, display_name=name, password=DEMO_PASSWORD
        )
        for email, name, _role, _organisation in PEOPLE
    }


def _memberships(session: Session, admin: User, users: dict[str, User], community_id: int) -> None:
    for email, _name, role, organisation in PEOPLE:
        change = services.change_member if role == "facilitator" else services.add_member
        change(
            session,
            admin,
            community_id=community_id,
            user_id=users[email].id,
            role=role,
            organisation=organisation,
        )


def seed_demo(session: Session) -> list[tuple[str, str, str]]:
    """Create the demo; returns (role, email, password) for each sign-in the README lists."""
    system = services.system_actor(session)
    session.commit()
    admin = services.create_account(
        session,
        system,
        email=ADMIN[0],
        display_name=ADMIN[1],
        password=DEMO_PASSWORD,
        is_admin=True,
    )
    users = _people(session, admin)
    facilitator = users[PEOPLE[0][0]]
    community = services.create_community(
        session,
        admin,
        slug="climate-litigators",
        name="Litigators for Climate Justice",
        description="A community of practice of climate litigators across Europe.",
        quorum_rule="organisation",
        quorum_percent=50,
        facilitator_id=facilitator.id,
    )
    _memberships(session, admin, users, community.id)  # type: ignore[arg-type]
    agreement = services.import_agreement_history(
        session, facilitator, community_id=community.id, title="Community Agreement", texts=[V1, V2]
    )
    _adopted_amendment(session, facilitator, users, agreement.id)  # type: ignore[arg-type]
    proposers = [users[PEOPLE[1][0]], users[PEOPLE[2][0]], users[PEOPLE[3][0]]]
    for proposer, demo in zip(proposers, PROPOSALS, strict=True):
        proposal = services.propose_amendment(
            session,
            proposer,
            agreement_id=agreement.id,
            title=demo.title,
            rationale=demo.rationale,
            text=demo.text,
        )
        pid = proposal.id
        assert pid is not None  # flushed by the use case
        services.open_comments(session, facilitator, proposal_id=pid)
        _discuss(session, users, proposer, pid, demo.discussion)
        _advance(session, facilitator, users, pid, demo.stage)
    return [
        ("admin", ADMIN[0], DEMO_PASSWORD),
        *((role, email, DEMO_PASSWORD) for email, _name, role, _org in PEOPLE),
    ]


def _adopted_amendment(
    session: Session, facilitator: User, users: dict[str, User], agreement_id: int
) -> None:
    """Version 3 comes from a complete decision, so the demo has a decision record."""
    proposer = users[PEOPLE[5][0]]
    objector = users[PEOPLE[2][0]]
    proposal = services.propose_amendment(
        session,
        proposer,
        agreement_id=agreement_id,
        title="Describe consent and confidentiality",
        rationale="Newcomers ask what 'consent' means for us, and what they may share.",
        text=V3.replace("stays within the community unless", "stays within the community, unless"),
    )
    pid = proposal.id
    services.open_comments(session, facilitator, proposal_id=pid)
    services.open_objection_round(session, facilitator, proposal_id=pid)
    objection = services.raise_objection(
        session,
        objector,
        proposal_id=pid,
        reason="The comma changes the meaning: the exception must bind the whole sentence.",
    )
    assert objection.id is not None  # flushed by the use case
    services.revise_proposal(
        session,
        proposer,
        proposal_id=pid,
        text=V3,
        integrates=[objection.id],
        note="Removed the comma, as Jonas asked.",
    )
    services.confirm_resolved(session, objector, objection_id=objection.id)
    services.open_consent_round(session, facilitator, proposal_id=pid)
    for email, _name, _role, _org in PEOPLE:
        services.register_stance(session, users[email], proposal_id=pid, position="consent")
    services.adopt_proposal(
        session,
        facilitator,
        proposal_id=pid,
        outcome_statement=(
            "Adopted by consent of all six participants after one objection was integrated."
        ),
    )


def _discuss(
    session: Session, users: dict[str, User], proposer: User, proposal_id: int, talk: Discussion
) -> None:
    """A question, the proposer's answer in its thread, and a concern kept on record."""
    question = services.add_comment(
        session, users[talk.asker], proposal_id=proposal_id, kind="question", body=talk.question
    )
    services.add_comment(
        session, proposer, proposal_id=proposal_id, parent_id=question.id, body=talk.answer
    )
    services.raise_concern(
        session, users[talk.concerned], proposal_id=proposal_id, text=talk.concern
    )


def _advance(
    session: Session, facilitator: User, users: dict[str, User], proposal_id: int, stage: str
) -> None:
    """Move a proposal whose comments are open on to the stage it waits in."""
    if stage == "comment":
        return
    # Open rounds carry deadlines, as real ones do: the consent round closes soonest, so the
    # demo shows reminders and a facilitator's "closing soon" within days.
    services.open_objection_round(
        session, facilitator, proposal_id=proposal_id, deadline=utcnow() + timedelta(days=10)
    )
    if stage == "objection":
        services.raise_objection(
            session,
            users[PEOPLE[5][0]],
            proposal_id=proposal_id,
            reason="Some cases are appealed for years; 'final judgment' needs a clear definition.",
        )
        return
    services.open_consent_round(
        session, facilitator, proposal_id=proposal_id, deadline=utcnow() + timedelta(days=3)
    )
    services.register_stance(
        session, users[PEOPLE[1][0]], proposal_id=proposal_id, position="consent"
    )
    services.register_stance(
        session,
        users[PEOPLE[4][0]],
        proposal_id=proposal_id,
        position="stand_aside",
        reason="I trust the group on this one.",
    )
