"""Random actions by random people, with the invariants of docs/design.md after each step.

Hypothesis drives the real services on a real (in-memory SQLite) database: every call
either succeeds and writes exactly one audit event, or is refused with a DomainError and
changes nothing. After every step the invariants must hold.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlmodel import Session, SQLModel, col, select

from agreements import audit, services
from agreements.audit.canonical import sha256_text
from agreements.errors import DomainError
from agreements.models import (
    Objection,
    Proposal,
    Revision,
    Round,
    RoundParticipant,
    Stance,
    Version,
)
from agreements.storage.engines import make_engine
from agreements.storage.triggers import install_guards
from agreements.tally import tally_round
from tests.factories import AGREEMENT_TEXT, Factory
from workflows import get_protocol

ACTORS = ("facilitator", "member0", "member1", "member2", "outsider", "anonymous")
TEXTS = st.sampled_from(
    [
        AGREEMENT_TEXT.replace("We share what we learn.", "We share all we learn."),
        AGREEMENT_TEXT.replace("We speak with respect.", "We speak with care."),
        AGREEMENT_TEXT + "\n## Review\nWe review this yearly.\n",
        "# Short\n\nOnly this.\n",
    ]
)
# Closing a decision needs an outcome statement (reject and lapse get theirs as a reason).
STATEMENTS = {"adopt_proposal": {"outcome_statement": "Adopted: nobody objected."}}
PROPOSAL_ACTIONS = (
    "open_comments",
    "open_objection_round",
    "open_consent_round",
    "adopt_proposal",
    "withdraw_proposal",
    "submit_proposal",
)


class ConsentProtocolMachine(RuleBasedStateMachine):
    """The whole service layer under random use."""

    def __init__(self) -> None:
        super().__init__()
        self.engine = make_engine("sqlite://")
        SQLModel.metadata.create_all(self.engine)
        with self.engine.begin() as connection:
            install_guards(connection)
        self.session = Session(self.engine, expire_on_commit=False)
        make = Factory(self.session)
        self.world = make.community(members=3, quorum_percent=50)
        self.people = {
            "facilitator": self.world.facilitator,
            **{f"member{i}": m for i, m in enumerate(self.world.members)},
            "outsider": make.user(),
            "anonymous": None,
        }
        self.proposals: list[int] = []
        self.events = audit.count_events(self.session)

    def teardown(self) -> None:
        self.session.close()
        self.engine.dispose()

    def attempt(self, use_case: str, actor: str, **kwargs: object) -> object:
        """Call a use case; success writes one event, refusal writes none and changes nothing.

        Adoption is checked against the rule itself: it succeeds only when the consent round
        has quorum with no objection, and the facilitator is never refused then (unless the
        text must first be rebased onto a newer version, which may conflict).
        """
        before_states = self.proposal_states()
        adoptable = use_case == "adopt_proposal" and self.may_adopt(kwargs["proposal_id"])
        try:
            result = getattr(services, use_case)(self.session, self.people[actor], **kwargs)
        except DomainError as refusal:
            assert audit.count_events(self.session) == self.events
            assert self.proposal_states() == before_states
            assert not (
                adoptable and actor == "facilitator" and self.base_is_current(kwargs["proposal_id"])
            ), f"adoption refused although allowed: {refusal}"
            return None
        self.events += 1
        assert audit.count_events(self.session) == self.events, use_case
        if use_case == "adopt_proposal":
            assert adoptable, "adopted without quorum, or with an objection"
        return result

    def may_adopt(self, proposal_id: object) -> bool:
        """The consent protocol's adoption rule, restated here from the rows themselves."""
        proposal = self.session.get(Proposal, proposal_id)
        round_ = self.session.exec(
            select(Round).where(
                Round.proposal_id == proposal_id,
                Round.kind == "consent",
                col(Round.closed_at).is_(None),
            )
        ).first()
        if proposal is None or proposal.state != "consent" or round_ is None:
            return False
        latest = self.session.exec(
            select(Revision)
            .where(Revision.proposal_id == proposal_id)
            .order_by(col(Revision.number).desc())
        ).first()
        assert latest is not None
        tally = tally_round(
            round_,
            list(self.session.exec(select(RoundParticipant).where(
                RoundParticipant.round_id == round_.id))),
            list(self.session.exec(select(Stance).where(
                Stance.round_id == round_.id, col(Stance.is_current)))),
            latest.text_sha256,
        )  # fmt: skip
        blocking = self.session.exec(
            select(Objection).where(
                Objection.proposal_id == proposal_id,
                col(Objection.state).in_(["open", "integrating"]),
            )
        ).all()
        return tally.quorum_met and tally.objecting == 0 and not blocking

    def base_is_current(self, proposal_id: object) -> bool:
        proposal = self.session.get(Proposal, proposal_id)
        newest = self.session.exec(
            select(Version)
            .where(Version.agreement_id == self.world.agreement.id)
            .order_by(col(Version.number).desc())
        ).first()
        latest = self.session.exec(
            select(Revision)
            .where(Revision.proposal_id == proposal_id)
            .order_by(col(Revision.number).desc())
        ).first()
        return (
            proposal is not None
            and newest is not None
            and latest is not None
            and (latest.base_version_id == newest.id)
        )

    def proposal_states(self) -> dict[int, str]:
        self.session.expire_all()
        return {p.id: p.state for p in self.session.exec(select(Proposal))}  # type: ignore[misc]

    def pick(self, data: st.DataObject) -> int | None:
        if not self.proposals:
            return None
        return data.draw(st.sampled_from(self.proposals))

    @rule(actor=st.sampled_from(ACTORS), text=TEXTS, submit=st.booleans())
    def propose(self, actor: str, text: str, submit: bool) -> None:
        if len(self.proposals) >= 3:
            return
        proposal = self.attempt(
            "propose_amendment",
            actor,
            agreement_id=self.world.agreement.id,
            title="An amendment",
            text=text,
            submit=submit,
        )
        if proposal is not None:
            self.proposals.append(proposal.id)  # type: ignore[attr-defined]

    @rule(data=st.data())
    def advance(self, data: st.DataObject) -> None:
        """The next step of the protocol, by the person whose step it is (goes deep fast)."""
        proposal_id = self.pick(data)
        if proposal_id is None:
            return
        proposal = self.session.get(Proposal, proposal_id)
        assert proposal is not None
        proposer = next(n for n, u in self.people.items() if u and u.id == proposal.proposer_id)
        step = {
            "draft": ("submit_proposal", proposer),
            "proposed": ("open_comments", "facilitator"),
            "comment": ("open_objection_round", "facilitator"),
            "objection": ("open_consent_round", "facilitator"),
            "consent": ("adopt_proposal", "facilitator"),
        }.get(proposal.state)
        if step is None:
            return
        use_case, actor = step
        if use_case == "adopt_proposal":
            for participant in data.draw(st.lists(st.sampled_from(ACTORS[:4]), max_size=4)):
                self.attempt(
                    "register_stance", participant, proposal_id=proposal_id, position="consent"
                )
        self.attempt(use_case, actor, proposal_id=proposal_id, **STATEMENTS.get(use_case, {}))

    @rule(data=st.data(), actor=st.sampled_from(ACTORS), action=st.sampled_from(PROPOSAL_ACTIONS))
    def move(self, data: st.DataObject, actor: str, action: str) -> None:
        proposal_id = self.pick(data)
        if proposal_id is not None:
            self.attempt(action, actor, proposal_id=proposal_id, **STATEMENTS.get(action, {}))

    @rule(
        data=st.data(),
        actor=st.sampled_from(ACTORS),
        action=st.sampled_from(["reject_proposal", "lapse_proposal"]),
    )
    def close_with_reason(self, data: st.DataObject, actor: str, action: str) -> None:
        proposal_id = self.pick(data)
        if proposal_id is not None:
            self.attempt(action, actor, proposal_id=proposal_id, reason="Decided so.")

    @rule(
        data=st.data(),
        actor=st.sampled_from(ACTORS),
        position=st.sampled_from(["consent", "stand_aside", "object", "nonsense"]),
    )
    def stance(self, data: st.DataObject, actor: str, position: str) -> None:
        proposal_id = self.pick(data)
        if proposal_id is not None:
            reason = data.draw(st.sampled_from(["", "A reason."]))
            self.attempt(
                "register_stance", actor, proposal_id=proposal_id, position=position, reason=reason
            )

    @rule(data=st.data(), actor=st.sampled_from(ACTORS))
    def reconfirm(self, data: st.DataObject, actor: str) -> None:
        proposal_id = self.pick(data)
        if proposal_id is not None:
            self.attempt("reconfirm_stance", actor, proposal_id=proposal_id)

    @rule(data=st.data(), actor=st.sampled_from(ACTORS))
    def object_(self, data: st.DataObject, actor: str) -> None:
        proposal_id = self.pick(data)
        if proposal_id is not None:
            self.attempt(
                "raise_objection", actor, proposal_id=proposal_id, reason="Not safe enough."
            )

    @rule(data=st.data(), actor=st.sampled_from(ACTORS), text=TEXTS, integrate=st.booleans())
    def revise(self, data: st.DataObject, actor: str, text: str, integrate: bool) -> None:
        proposal_id = self.pick(data)
        if proposal_id is None:
            return
        open_ids = [
            o.id
            for o in self.session.exec(
                select(Objection).where(
                    Objection.proposal_id == proposal_id, Objection.state == "open"
                )
            )
        ]
        self.attempt(
            "revise_proposal",
            actor,
            proposal_id=proposal_id,
            text=text + data.draw(st.sampled_from(["", "\nExtra.\n"])),
            integrates=open_ids if integrate else [],
        )

    @rule(
        data=st.data(),
        actor=st.sampled_from(ACTORS),
        action=st.sampled_from(
            [
                "confirm_resolved",
                "reopen_objection",
                "withdraw_objection",
                "overrule_objection",
                "reclassify_objection",
            ]
        ),
        reason=st.sampled_from(["", "Because of the new text."]),
    )
    def settle(self, data: st.DataObject, actor: str, action: str, reason: str) -> None:
        objections = [o.id for o in self.session.exec(select(Objection))]
        if objections:
            self.attempt(
                action, actor, objection_id=data.draw(st.sampled_from(objections)), reason=reason
            )

    @invariant()
    def chain_verifies(self) -> None:
        assert audit.verify_chain(self.session).ok

    @invariant()
    def versions_are_dense_and_match_their_hash(self) -> None:
        versions = self.session.exec(select(Version).order_by(col(Version.number))).all()
        assert [v.number for v in versions] == list(range(1, len(versions) + 1))
        assert all(v.text_sha256 == sha256_text(v.text) for v in versions)
        adopted = [p for p in self.session.exec(select(Proposal)) if p.state == "adopted"]
        assert len(adopted) == len(versions) - 1
        assert {p.adopted_version_id for p in adopted} == {v.id for v in versions[1:]}

    @invariant()
    def rounds_follow_the_state(self) -> None:
        for proposal in self.session.exec(select(Proposal)):
            open_rounds = self.session.exec(
                select(Round).where(
                    Round.proposal_id == proposal.id, col(Round.closed_at).is_(None)
                )
            ).all()
            expected = get_protocol(proposal.protocol).state(proposal.state).round_kind
            assert [r.kind for r in open_rounds] == ([expected] if expected else [])

    @invariant()
    def stances_are_current_once_and_never_late(self) -> None:
        stances = self.session.exec(select(Stance)).all()
        current = Counter((s.round_id, s.participant_id) for s in stances if s.is_current)
        assert all(n == 1 for n in current.values())
        for stance in stances:
            round_ = self.session.get(Round, stance.round_id)
            assert round_ is not None and round_.kind == "consent"
            assert round_.closed_at is None or stance.cast_at <= round_.closed_at


ConsentProtocolMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestConsentProtocol = ConsentProtocolMachine.TestCase
