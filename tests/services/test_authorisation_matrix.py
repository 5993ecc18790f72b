"""Who may do what, proven for every use case and every kind of person.

ONE table, MATRIX, names each use case (optionally with a ":variant" for a second
situation), how to set up the situation it needs, and what each of anonymous, outsider,
member, proposer, facilitator and admin gets: allowed (OK) or the DomainError class.
A use case registered in agreements.services.USE_CASES without an entry fails the suite,
so nobody can add an action without deciding who may take it.

The community is private, so outsiders (and anonymous visitors) get NotFound, never
Forbidden: a private community's existence does not leak. The admin is an instance
administrator who is not a member of the community.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

from agreements import services
from agreements.errors import DomainError, Forbidden, NotAuthenticated, NotFound, Refused
from agreements.models import AuditEvent, Community, Proposal, Round, User, utcnow
from agreements.security.account_tokens import make_reset_token
from agreements.storage.engines import make_engine
from agreements.storage.sessions import get_engine
from tests.conftest import make_test_app
from tests.factories import AGREEMENT_TEXT, PASSWORD, Factory, World

ROLES = ("anonymous", "outsider", "member", "proposer", "facilitator", "admin")
OK = None
NEW_TEXT = "# Our agreement\n\nA different text.\n"
NEW_TEXT_ELSEWHERE = AGREEMENT_TEXT.replace("We speak with respect.", "We speak with care.")


@dataclass
class Scene:
    """A private community with one person in each role, built fresh for each test."""

    db: Session
    make: Factory
    world: World
    people: dict[str, User | None]

    @property
    def proposer(self) -> User:
        return self.world.members[0]

    @property
    def member(self) -> User:
        return self.world.members[1]

    def proposal(self, stage: str) -> Proposal:
        return self.make.proposal(self.world, self.proposer, stage=stage)

    def consented(self) -> Proposal:
        """A proposal in its consent round with everyone's consent (quorum met)."""
        proposal = self.proposal("consent")
        for person in (self.world.facilitator, *self.world.members):
            services.register_stance(self.db, person, proposal_id=proposal.id, position="consent")
        return proposal

    def lapsed(self) -> Proposal:
        """A proposal whose consent round a facilitator let lapse."""
        proposal = self.proposal("consent")
        services.lapse_proposal(
            self.db, self.world.facilitator, proposal_id=proposal.id, reason="Too quiet."
        )
        return proposal

    def round_id(self, stage: str) -> int:
        """The open round of a new proposal at `stage`."""
        proposal = self.proposal(stage)
        return self.db.exec(
            select(Round.id).where(Round.proposal_id == proposal.id, Round.kind == stage)
        ).one()

    def stale(self) -> Proposal:
        """A proposal whose base is no longer current, and which merges cleanly onto it."""
        text = NEW_TEXT_ELSEWHERE
        proposal = self.make.proposal(self.world, self.proposer, stage="comment", text=text)
        self.make.proposal(self.world, self.member, stage="adopted")
        return proposal

    def objection(self, *, integrating: bool = False) -> int:
        """An objection raised by the member; optionally being integrated by the proposer."""
        proposal = self.proposal("objection")
        objection = services.raise_objection(
            self.db, self.member, proposal_id=proposal.id, reason="It excludes people."
        )
        if integrating:
            services.revise_proposal(
                self.db,
                self.proposer,
                proposal_id=proposal.id,
                text=NEW_TEXT,
                integrates=[objection.id],
            )
        return objection.id  # type: ignore[return-value]

    def translation(self) -> int:
        """A French translation of the current version, proposed by the member."""
        return services.propose_translation(
            self.db, self.member, agreement_id=self.world.agreement.id, language="fr",
            text="# Notre accord\n",
        ).id  # type: ignore[return-value]  # fmt: skip

    def open_community(self) -> int:
        community = self.db.get(Community, self.world.community.id)
        assert community is not None
        community.allow_self_registration = True
        self.db.add(community)
        self.db.commit()
        return community.id  # type: ignore[return-value]


def expect(
    *, anonymous: Any, outsider: Any, member: Any, proposer: Any, facilitator: Any, admin: Any
) -> dict[str, type[DomainError] | None]:
    """The outcome for each role (keyword-only, so no role can be forgotten)."""
    return dict(
        anonymous=anonymous,
        outsider=outsider,
        member=member,
        proposer=proposer,
        facilitator=facilitator,
        admin=admin,
    )


@dataclass(frozen=True)
class Case:
    """How to set up one use case's situation, and who may then act."""

    arguments: Callable[[Scene], dict[str, Any]]
    outcomes: dict[str, type[DomainError] | None]


PARTICIPANTS = expect(  # members of any role may take part; others may not see it
    anonymous=NotFound, outsider=NotFound, member=OK, proposer=OK, facilitator=OK, admin=Forbidden
)
FACILITATOR_ONLY = expect(  # protocol moves and rulings only a facilitator may make
    anonymous=NotFound, outsider=NotFound, member=Forbidden, proposer=Forbidden, facilitator=OK,
    admin=Forbidden,
)  # fmt: skip
PROPOSER_OR_FACILITATOR = expect(  # rebasing: the proposer's text, a facilitator's sequencing
    anonymous=NotFound, outsider=NotFound, member=Forbidden, proposer=OK, facilitator=OK,
    admin=Forbidden,
)  # fmt: skip
COMMUNITY_MANAGER = expect(
    anonymous=NotAuthenticated, outsider=NotFound, member=Forbidden, proposer=Forbidden,
    facilitator=OK, admin=OK,
)  # fmt: skip
FACILITATOR_OF_COMMUNITY = {**COMMUNITY_MANAGER, "admin": Forbidden}
ADMIN_ONLY = expect(
    anonymous=NotAuthenticated, outsider=Forbidden, member=Forbidden, proposer=Forbidden,
    facilitator=Forbidden, admin=OK,
)  # fmt: skip
ANYONE = expect(anonymous=OK, outsider=OK, member=OK, proposer=OK, facilitator=OK, admin=OK)
SIGNED_IN = {**ANYONE, "anonymous": NotAuthenticated}
OBJECTOR_OR_FACILITATOR = {**FACILITATOR_ONLY, "member": OK}
PROPOSER_ONLY = {**FACILITATOR_ONLY, "proposer": OK, "facilitator": Forbidden}
OBJECTOR_ONLY = {**FACILITATOR_ONLY, "member": OK, "facilitator": Forbidden}
OWNER_ONLY = expect(  # a person's own API token or feed address: nobody else may see it
    anonymous=NotAuthenticated, outsider=NotFound, member=OK, proposer=NotFound,
    facilitator=NotFound, admin=NotFound,
)  # fmt: skip
SCHEDULER_ONLY = expect(  # the system account alone, run by `run_due`
    anonymous=Forbidden, outsider=Forbidden, member=Forbidden, proposer=Forbidden,
    facilitator=Forbidden, admin=Forbidden,
)  # fmt: skip
ALREADY_MEMBERS_REFUSED = expect(
    anonymous=OK, outsider=OK, member=Refused, proposer=Refused, facilitator=Refused, admin=OK
)


def _invitation_token(scene: Scene) -> str:
    issued = services.invite_member(
        scene.db,
        scene.world.facilitator,
        community_id=scene.world.community.id,
        email="new@example.org",
    )
    return issued.token


def _api_token_of_member(scene: Scene) -> int:
    token, _plaintext = services.create_api_token(scene.db, scene.member, name="laptop")
    return token.id  # type: ignore[return-value]


def _feed_of_member(scene: Scene) -> int:
    services.create_feed(scene.db, scene.member, community_id=scene.world.community.id)
    return scene.world.community.id  # type: ignore[return-value]


MATRIX: dict[str, Case] = {
    "accept_invitation": Case(
        lambda s: {"token": _invitation_token(s), "display_name": "New", "password": PASSWORD},
        ALREADY_MEMBERS_REFUSED,
    ),
    "add_comment": Case(
        lambda s: {"proposal_id": s.proposal("comment").id, "body": "Good idea."}, PARTICIPANTS
    ),
    "add_member": Case(
        lambda s: {"community_id": s.world.community.id, "user_id": s.make.user().id},
        COMMUNITY_MANAGER,
    ),
    "adopt_proposal": Case(
        lambda s: {"proposal_id": s.consented().id, "outcome_statement": "Agreed."},
        FACILITATOR_ONLY,
    ),
    "rebase_proposal": Case(lambda s: {"proposal_id": s.stale().id}, PROPOSER_OR_FACILITATOR),
    "change_member": Case(
        lambda s: {
            "community_id": s.world.community.id,
            "user_id": s.member.id,
            "role": "facilitator",
        },
        COMMUNITY_MANAGER,
    ),
    "change_password": Case(
        lambda s: {"current_password": PASSWORD, "new_password": "a brand new passphrase"},
        SIGNED_IN,
    ),
    "set_preferences": Case(lambda s: {"language": "de", "time_zone": "Europe/Berlin"}, SIGNED_IN),
    "close_due_round": Case(lambda s: {"round_id": s.round_id("objection")}, SCHEDULER_ONLY),
    "send_reminder": Case(lambda s: {"round_id": s.round_id("consent")}, SCHEDULER_ONLY),
    "warn_closing_soon": Case(lambda s: {"round_id": s.round_id("consent")}, SCHEDULER_ONLY),
    "announce_round": Case(lambda s: {"round_id": s.round_id("consent")}, SCHEDULER_ONLY),
    "notice_review_due": Case(lambda s: {"agreement_id": s.world.agreement.id}, SCHEDULER_ONLY),
    "extend_deadline": Case(
        lambda s: {
            "proposal_id": s.proposal("consent").id,
            "deadline": utcnow() + timedelta(days=30),
            "reason": "Holidays.",
        },
        FACILITATOR_ONLY,
    ),
    "remind_non_answerers": Case(
        lambda s: {"proposal_id": s.proposal("consent").id}, FACILITATOR_ONLY
    ),
    "propose_again": Case(lambda s: {"proposal_id": s.lapsed().id}, PROPOSER_ONLY),
    "set_review_date": Case(
        lambda s: {
            "agreement_id": s.world.agreement.id,
            "review_on": (utcnow() + timedelta(days=90)).date(),
        },
        FACILITATOR_OF_COMMUNITY,
    ),
    "confirm_resolved": Case(
        lambda s: {"objection_id": s.objection(integrating=True), "reason": "Now inclusive."},
        OBJECTOR_OR_FACILITATOR,
    ),
    "create_account": Case(
        lambda s: {"email": "someone@example.org", "display_name": "Someone", "password": PASSWORD},
        ADMIN_ONLY,
    ),
    "create_agreement": Case(
        lambda s: {"community_id": s.world.community.id, "title": "Second", "text": NEW_TEXT},
        FACILITATOR_OF_COMMUNITY,
    ),
    "create_api_token": Case(lambda s: {"name": "laptop"}, SIGNED_IN),
    "create_feed": Case(  # anyone who can read the community; an admin can read them all
        lambda s: {"community_id": s.world.community.id},
        expect(
            anonymous=NotAuthenticated,
            outsider=NotFound,
            member=OK,
            proposer=OK,
            facilitator=OK,
            admin=OK,
        ),
    ),
    "create_community": Case(lambda s: {"slug": "another", "name": "Another"}, ADMIN_ONLY),
    "create_community:new_facilitator": Case(
        lambda s: {
            "slug": "another",
            "name": "Another",
            "facilitator_email": "first@example.org",
            "create_facilitator": True,
            "facilitator_name": "First",
            "facilitator_password": PASSWORD,
        },
        ADMIN_ONLY,
    ),
    "create_community:existing_facilitator": Case(
        lambda s: {"slug": "another", "name": "Another", "facilitator_email": s.member.email},
        ADMIN_ONLY,
    ),
    "import_agreement_history": Case(
        lambda s: {"community_id": s.world.community.id, "title": "Old", "texts": [NEW_TEXT]},
        FACILITATOR_OF_COMMUNITY,
    ),
    "invite_member": Case(
        lambda s: {"community_id": s.world.community.id, "email": "new@example.org"},
        COMMUNITY_MANAGER,
    ),
    "join_community": Case(
        lambda s: {"community_id": s.world.community.id},
        expect(
            anonymous=NotFound,
            outsider=NotFound,
            member=Forbidden,
            proposer=Forbidden,
            facilitator=Forbidden,
            admin=Forbidden,
        ),
    ),
    "join_community:self_registration": Case(
        lambda s: {
            "community_id": s.open_community(),
            "email": "joiner@example.org",
            "display_name": "Joiner",
            "password": PASSWORD,
        },
        ALREADY_MEMBERS_REFUSED,
    ),
    "lapse_proposal": Case(
        lambda s: {"proposal_id": s.proposal("consent").id, "reason": "Too few answered."},
        FACILITATOR_ONLY,
    ),
    "open_comments": Case(lambda s: {"proposal_id": s.proposal("proposed").id}, FACILITATOR_ONLY),
    "open_consent_round": Case(
        lambda s: {"proposal_id": s.proposal("objection").id}, FACILITATOR_ONLY
    ),
    "open_objection_round": Case(
        lambda s: {"proposal_id": s.proposal("comment").id}, FACILITATOR_ONLY
    ),
    "overrule_objection": Case(
        lambda s: {"objection_id": s.objection(), "reason": "Not paramount."},
        FACILITATOR_ONLY,
    ),
    "propose_amendment": Case(
        lambda s: {"agreement_id": s.world.agreement.id, "title": "Shorter", "text": NEW_TEXT},
        {**PARTICIPANTS, "anonymous": NotAuthenticated},
    ),
    "raise_concern": Case(
        lambda s: {"proposal_id": s.proposal("comment").id, "text": "Long words."}, PARTICIPANTS
    ),
    "raise_objection": Case(
        lambda s: {"proposal_id": s.proposal("objection").id, "reason": "Harmful."}, PARTICIPANTS
    ),
    "reclassify_objection": Case(
        lambda s: {"objection_id": s.objection(), "reason": "A concern, not a block."},
        OBJECTOR_OR_FACILITATOR,
    ),
    "reconfirm_stance": Case(lambda s: _stale_stances(s), PARTICIPANTS),
    "register_stance": Case(
        lambda s: {"proposal_id": s.proposal("consent").id, "position": "consent"}, PARTICIPANTS
    ),
    "reject_proposal": Case(
        lambda s: {"proposal_id": s.proposal("proposed").id, "reason": "Out of scope."},
        FACILITATOR_ONLY,
    ),
    "reopen_objection": Case(
        lambda s: {"objection_id": s.objection(integrating=True), "reason": "Still excludes."},
        OBJECTOR_ONLY,
    ),
    "request_password_reset": Case(lambda s: {"email": s.member.email}, ANYONE),
    "reset_password": Case(
        lambda s: {"token": make_reset_token(s.member), "new_password": "a brand new passphrase"},
        ANYONE,
    ),
    "revise_proposal": Case(
        lambda s: {"proposal_id": s.proposal("comment").id, "text": NEW_TEXT},
        PROPOSER_ONLY,
    ),
    "revoke_api_token": Case(
        lambda s: {"token_id": _api_token_of_member(s)},
        OWNER_ONLY,
    ),
    "revoke_feed": Case(  # only the member has a feed address to revoke
        lambda s: {"community_id": _feed_of_member(s)},
        OWNER_ONLY,
    ),
    "submit_proposal": Case(
        lambda s: {"proposal_id": s.proposal("draft").id},
        expect(
            anonymous=NotFound,
            outsider=NotFound,
            member=NotFound,
            proposer=OK,
            facilitator=NotFound,
            admin=NotFound,
        ),
    ),
    "update_community_settings": Case(
        lambda s: {
            "community_id": s.world.community.id,
            "protocol": "consent",
            "quorum_rule": "organisation",
            "quorum_percent": 60,
            "default_round_days": 10,
            "is_private": True,
        },
        FACILITATOR_OF_COMMUNITY,
    ),
    "update_community_settings:self_registration": Case(
        lambda s: {
            "community_id": s.world.community.id,
            "protocol": "lazy_consensus",
            "quorum_rule": "person",
            "quorum_percent": 50,
            "default_round_days": 7,
            "is_private": False,
            "allow_self_registration": True,
        },
        FACILITATOR_OF_COMMUNITY,
    ),
    "propose_translation": Case(
        lambda s: {"agreement_id": s.world.agreement.id, "language": "fr", "text": NEW_TEXT},
        {**PARTICIPANTS, "anonymous": NotAuthenticated},
    ),
    "confirm_translation": Case(
        lambda s: {"translation_id": s.translation()}, FACILITATOR_OF_COMMUNITY
    ),
    "decline_translation": Case(
        lambda s: {"translation_id": s.translation(), "reason": "Too literal."},
        FACILITATOR_OF_COMMUNITY,
    ),
    "withdraw_objection": Case(lambda s: {"objection_id": s.objection()}, OBJECTOR_ONLY),
    "withdraw_proposal": Case(
        lambda s: {"proposal_id": s.proposal("proposed").id},
        PROPOSER_ONLY,
    ),
}


def _stale_stances(scene: Scene) -> dict[str, Any]:
    """Everyone consented, then the proposer revised the text: every stance needs reconfirming."""
    proposal = scene.consented()
    services.revise_proposal(scene.db, scene.proposer, proposal_id=proposal.id, text=NEW_TEXT)
    return {"proposal_id": proposal.id}


def use_case_of(key: str) -> str:
    """The use case a table key is about ("name" or "name:variant")."""
    return key.partition(":")[0]


def test_every_use_case_has_an_entry() -> None:
    """Adding a use case without deciding who may run it fails here."""
    covered = {use_case_of(key) for key in MATRIX}
    missing = sorted(set(services.USE_CASES) - covered)
    unknown = sorted(covered - set(services.USE_CASES))
    assert not missing, f"use cases missing from the authorisation matrix: {missing}"
    assert not unknown, f"matrix entries for use cases that do not exist: {unknown}"


def build_scene(db: Session) -> Scene:
    """One private community, a proposer and a member, a facilitator, an outsider, an admin."""
    make = Factory(db)
    world = make.community(members=2)
    people: dict[str, User | None] = {
        "anonymous": None,
        "outsider": make.user("Outsider"),
        "member": world.members[1],
        "proposer": world.members[0],
        "facilitator": world.facilitator,
        "admin": make.user("Admin", admin=True),
    }
    return Scene(db, make, world, people)


@dataclass(frozen=True)
class Prepared:
    """A database file holding one case's situation, the use case's arguments, who is who."""

    path: Path
    arguments: dict[str, Any]
    people: dict[str, int | None]


@pytest.fixture(scope="module")
def matrix_app(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """An app for its configuration and URL map (mail links, signed tokens)."""
    path = tmp_path_factory.mktemp("matrix-app") / "accord.sqlite"
    shutil.copyfile(sqlite_template, path)
    app = make_test_app(f"sqlite:///{path}")
    with app.app_context():
        yield app
    get_engine(app).dispose()


@pytest.fixture(scope="module")
def prepare(
    matrix_app, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Prepared]:
    """Build each case's situation once; every role then acts on its own copy of it."""
    cache: dict[str, Prepared] = {}

    def prepared(key: str) -> Prepared:
        if key not in cache:
            path = tmp_path_factory.mktemp("matrix") / "accord.sqlite"
            shutil.copyfile(sqlite_template, path)
            engine = make_engine(f"sqlite:///{path}")
            with Session(engine, expire_on_commit=False) as db:
                scene = build_scene(db)
                arguments = MATRIX[key].arguments(scene)
                people = {role: user.id if user else None for role, user in scene.people.items()}
            engine.dispose()  # checkpoints the WAL into the file
            cache[key] = Prepared(path, arguments, people)
        return cache[key]

    return prepared


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(MATRIX))
def test_use_case_allows_exactly_the_roles_in_the_table(
    prepare: Callable[[str], Prepared], tmp_path: Path, key: str, role: str
) -> None:
    """Each role gets exactly the table's outcome: allowed, or refused with that error."""
    situation = prepare(key)
    path = tmp_path / "accord.sqlite"
    shutil.copyfile(situation.path, path)
    engine = make_engine(f"sqlite:///{path}")
    run = services.USE_CASES[use_case_of(key)]
    expected = MATRIX[key].outcomes[role]
    try:
        with Session(engine, expire_on_commit=False) as db:
            person_id = situation.people[role]
            actor = db.get(User, person_id) if person_id else None
            before = _snapshot(db)
            if expected is None:
                run(db, actor, **situation.arguments)
                _assert_did_what_it_says(db, key, before, person_id)
                return
            with pytest.raises(DomainError) as refusal:
                run(db, actor, **situation.arguments)
            assert type(refusal.value) is expected, refusal.value.message
        with Session(engine) as fresh:
            assert _snapshot(fresh) == before, f"{key} refused for {role} but changed the database"
    finally:
        engine.dispose()


# What each allowed use case must leave on the audit trail: the event that says it happened.
RECORDED_ACTION = {
    "accept_invitation": "member.joined",
    "add_comment": "comment.added",
    "add_member": "member.added",
    "adopt_proposal": "proposal.adopted",
    "change_member": "member.changed",
    "change_password": "account.password_changed",
    "set_preferences": "account.preferences_changed",
    "confirm_resolved": "objection.confirm_resolved",
    "create_account": "account.created",
    "create_agreement": "agreement.created",
    "create_api_token": "api_token.created",
    "create_community": "community.created",
    "create_feed": "feed.created",
    "import_agreement_history": "agreement.created",
    "invite_member": "member.invited",
    "join_community": "member.joined",
    "lapse_proposal": "proposal.lapsed",
    "open_comments": "proposal.open_comments",
    "open_consent_round": "proposal.open_consent_round",
    "open_objection_round": "proposal.open_objection_round",
    "overrule_objection": "objection.overrule",
    "propose_amendment": "proposal.created",
    "raise_concern": "concern.raised",
    "raise_objection": "objection.raised",
    "rebase_proposal": "proposal.rebased",
    "reclassify_objection": "objection.reclassify",
    "reconfirm_stance": "stance.reconfirmed",
    "register_stance": "stance.registered",
    "reject_proposal": "proposal.reject",
    "reopen_objection": "objection.reopen",
    "request_password_reset": "account.password_reset_requested",
    "reset_password": "account.password_reset",
    "revise_proposal": "proposal.revised",
    "revoke_api_token": "api_token.revoked",
    "revoke_feed": "feed.revoked",
    "submit_proposal": "proposal.submit",
    "update_community_settings": "community.settings_changed",
    "withdraw_objection": "objection.withdraw",
    "withdraw_proposal": "proposal.withdraw",
    "extend_deadline": "round.deadline_extended",
    "remind_non_answerers": "round.reminded",
    "send_reminder": "round.reminder_due",
    "warn_closing_soon": "round.closing_soon",
    "announce_round": "round.announced",
    "propose_again": "proposal.created",
    "set_review_date": "agreement.review_date_set",
    "notice_review_due": "agreement.review_due",
    "propose_translation": "translation.proposed",
    "confirm_translation": "translation.confirmed",
    "decline_translation": "translation.declined",
}


# Use cases that act as the account a token or a sign-up names, whoever sends the request.
ACTS_AS_THE_ACCOUNT = {"accept_invitation", "join_community", "reset_password"}


def _snapshot(db: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: a refused action must leave all of it as it was."""
    return {
        table.name: sorted(map(tuple, db.execute(text(f"SELECT * FROM {table.name}"))), key=repr)
        for table in SQLModel.metadata.sorted_tables
    }


def _assert_did_what_it_says(
    db: Session, key: str, before: dict[str, list[tuple[Any, ...]]], person_id: int | None
) -> None:
    """An allowed action leaves exactly its own event, by the person who acted."""
    seen = len(before[AuditEvent.__tablename__])
    added = db.exec(select(AuditEvent).where(AuditEvent.seq > seen)).all()
    assert [event.action for event in added] == [RECORDED_ACTION[use_case_of(key)]], key
    if use_case_of(key) not in ACTS_AS_THE_ACCOUNT:
        assert added[0].actor_id == person_id, f"{key} recorded someone else as its actor"
