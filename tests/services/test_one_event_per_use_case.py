"""Every use case writes exactly one audit event (invariant 2), derived from the registry.

Each entry of SCENARIOS prepares the state a use case needs and returns the one call to
make; the test counts the events that call adds. A use case added to
agreements.services.USE_CASES without a scenario here fails the suite, so no new action
can slip past the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from agreements import audit, services
from agreements.models import Community, Objection, OutboxMail, Round, utcnow
from agreements.services import announcements
from tests.factories import AGREEMENT_TEXT, PASSWORD, Factory, World

NEW_PASSWORD = "a different long passphrase"
REVISED = AGREEMENT_TEXT.replace("We share what we learn.", "We share what we learn, kindly.")
Call = Callable[[], object]
Scenario = Callable[[Factory, World], Call]
SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str) -> Callable[[Scenario], Scenario]:
    """Register how to call use case `name` once, successfully."""

    def register(prepare: Scenario) -> Scenario:
        SCENARIOS[name] = prepare
        return prepare

    return register


def _proposal(make: Factory, world: World, stage: str) -> int:
    return make.proposal(world, stage=stage).id  # type: ignore[return-value]


def _objection(make: Factory, world: World) -> int:
    """An open objection by the second member on a proposal in its objection round."""
    pid = _proposal(make, world, "objection")
    objector = world.members[1]
    return services.raise_objection(make.session, objector, proposal_id=pid, reason="Too vague.").id  # type: ignore[return-value]


def _integrated_objection(make: Factory, world: World) -> int:
    objection_id = _objection(make, world)
    objection = make.session.get(Objection, objection_id)
    services.revise_proposal(
        make.session, world.members[0], proposal_id=objection.proposal_id, text=REVISED,
        integrates=[objection_id],
    )  # fmt: skip
    return objection_id


# --- accounts -------------------------------------------------------------------------


@scenario("create_account")
def _(make: Factory, world: World) -> Call:
    return lambda: services.create_account(
        make.session, make.system, email="new@example.org", display_name="New", password=PASSWORD
    )


@scenario("change_password")
def _(make: Factory, world: World) -> Call:
    user = world.members[0]
    return lambda: services.change_password(
        make.session, user, current_password=PASSWORD, new_password=NEW_PASSWORD
    )


@scenario("set_preferences")
def _(make: Factory, world: World) -> Call:
    user = world.members[0]
    return lambda: services.set_preferences(
        make.session, user, language="it", time_zone="Europe/Rome"
    )


@scenario("request_password_reset")
def _(make: Factory, world: World) -> Call:
    email = world.members[0].email
    return lambda: services.request_password_reset(make.session, None, email=email)


@scenario("reset_password")
def _(make: Factory, world: World) -> Call:
    token = services.request_password_reset(make.session, None, email=world.members[0].email)
    return lambda: services.reset_password(
        make.session, None, token=token, new_password=NEW_PASSWORD
    )


@scenario("create_api_token")
def _(make: Factory, world: World) -> Call:
    return lambda: services.create_api_token(make.session, world.members[0], name="laptop")


@scenario("revoke_api_token")
def _(make: Factory, world: World) -> Call:
    token, _plaintext = services.create_api_token(make.session, world.members[0], name="laptop")
    return lambda: services.revoke_api_token(make.session, world.members[0], token_id=token.id)


@scenario("create_feed")
def _(make: Factory, world: World) -> Call:
    member, community_id = world.members[0], world.community.id
    return lambda: services.create_feed(make.session, member, community_id=community_id)


@scenario("revoke_feed")
def _(make: Factory, world: World) -> Call:
    member, community_id = world.members[0], world.community.id
    services.create_feed(make.session, member, community_id=community_id)
    return lambda: services.revoke_feed(make.session, member, community_id=community_id)


# --- communities and membership -------------------------------------------------------------


@scenario("create_community")
def _(make: Factory, world: World) -> Call:
    return lambda: services.create_community(make.session, make.system, slug="new", name="New")


@scenario("update_community_settings")
def _(make: Factory, world: World) -> Call:
    return lambda: services.update_community_settings(
        make.session, world.facilitator, community_id=world.community.id, protocol="consent",
        quorum_rule="organisation", quorum_percent=60, default_round_days=5, is_private=False,
    )  # fmt: skip


@scenario("add_member")
def _(make: Factory, world: World) -> Call:
    user = make.user()
    return lambda: services.add_member(
        make.session, world.facilitator, community_id=world.community.id, user_id=user.id
    )


@scenario("change_member")
def _(make: Factory, world: World) -> Call:
    return lambda: services.change_member(
        make.session, world.facilitator, community_id=world.community.id,
        user_id=world.members[0].id, role="facilitator",
    )  # fmt: skip


def _invite(make: Factory, world: World) -> object:
    return services.invite_member(
        make.session, world.facilitator, community_id=world.community.id, email="new@example.org"
    )


@scenario("invite_member")
def _(make: Factory, world: World) -> Call:
    return lambda: _invite(make, world)


@scenario("accept_invitation")
def _(make: Factory, world: World) -> Call:
    issued = _invite(make, world)
    return lambda: services.accept_invitation(
        make.session,
        None,
        token=issued.token,
        display_name="New",
        password=PASSWORD,  # type: ignore[attr-defined]
    )


@scenario("join_community")
def _(make: Factory, world: World) -> Call:
    community = make.session.get(Community, world.community.id)
    community.allow_self_registration = True  # type: ignore[union-attr]
    make.session.commit()
    user = make.user()
    return lambda: services.join_community(make.session, user, community_id=world.community.id)


# --- agreements and proposals ----------------------------------------------------------------


@scenario("create_agreement")
def _(make: Factory, world: World) -> Call:
    return lambda: services.create_agreement(
        make.session, world.facilitator, community_id=world.community.id, title="Second",
        text=AGREEMENT_TEXT,
    )  # fmt: skip


@scenario("import_agreement_history")
def _(make: Factory, world: World) -> Call:
    return lambda: services.import_agreement_history(
        make.session, world.facilitator, community_id=world.community.id, title="Imported",
        texts=[AGREEMENT_TEXT, REVISED],
    )  # fmt: skip


@scenario("propose_amendment")
def _(make: Factory, world: World) -> Call:
    return lambda: services.propose_amendment(
        make.session, world.members[0], agreement_id=world.agreement.id, title="T", text=REVISED
    )


def _move(name: str, stage: str, as_proposer: bool = False, **kwargs: object) -> None:
    """Register a use case that moves a proposal from `stage` with one call."""

    @scenario(name)
    def prepare(make: Factory, world: World) -> Call:
        pid = _proposal(make, world, stage)
        actor = world.members[0] if as_proposer else world.facilitator
        use_case = services.USE_CASES[name]
        return lambda: use_case(make.session, actor, proposal_id=pid, **kwargs)


_move("submit_proposal", "draft", as_proposer=True)
_move("withdraw_proposal", "proposed", as_proposer=True)
_move("open_comments", "proposed")
_move("open_objection_round", "comment")
_move("open_consent_round", "objection")
_move("reject_proposal", "comment", reason="Out of scope.")
_move("revise_proposal", "comment", as_proposer=True, text=REVISED)
_move("lapse_proposal", "consent", reason="Too few answered.")


@scenario("rebase_proposal")
def _(make: Factory, world: World) -> Call:
    elsewhere = AGREEMENT_TEXT.replace("We speak with respect.", "We speak with care.")
    stale = make.proposal(world, world.members[0], stage="comment", text=elsewhere)
    make.proposal(world, world.members[1], stage="adopted")
    make.session.rollback()
    return lambda: services.rebase_proposal(make.session, world.members[0], proposal_id=stale.id)


@scenario("adopt_proposal")
def _(make: Factory, world: World) -> Call:
    pid = _proposal(make, world, "consent")
    for person in (world.facilitator, *world.members):
        services.register_stance(make.session, person, proposal_id=pid, position="consent")
    return lambda: services.adopt_proposal(
        make.session, world.facilitator, proposal_id=pid, outcome_statement="Agreed."
    )


def _lazy_round(make: Factory) -> int:
    """The id of an open objection period (lazy consensus), due in a week."""
    lazy = make.community(protocol="lazy_consensus")
    pid = _proposal(make, lazy, "proposed")
    services.open_objection_round(make.session, lazy.facilitator, proposal_id=pid)
    return make.session.exec(select(Round.id).where(Round.proposal_id == pid)).one()


@scenario("close_due_round")
def _(make: Factory, world: World) -> Call:
    round_id = _lazy_round(make)
    later = utcnow() + timedelta(days=30)
    return lambda: services.close_due_round(make.session, make.system, round_id=round_id, now=later)


@scenario("send_reminder")
def _(make: Factory, world: World) -> Call:
    round_id = _lazy_round(make)
    soon = utcnow() + timedelta(days=7, hours=-47)
    return lambda: services.send_reminder(make.session, make.system, round_id=round_id, now=soon)


@scenario("announce_round")
def _(make: Factory, world: World) -> Call:
    round_id = _lazy_round(make)
    for mail in make.session.exec(select(OutboxMail).where(OutboxMail.round_id == round_id)):
        mail.status = "sent"  # as the worker does when it delivers them
        make.session.add(mail)
    make.session.commit()
    return lambda: announcements.announce_round(make.session, make.system, round_id=round_id)


@scenario("warn_closing_soon")
def _(make: Factory, world: World) -> Call:
    round_id = _lazy_round(make)
    soon = utcnow() + timedelta(days=7, hours=-23)
    return lambda: services.warn_closing_soon(
        make.session, make.system, round_id=round_id, now=soon
    )


@scenario("extend_deadline")
def _(make: Factory, world: World) -> Call:
    pid = _proposal(make, world, "consent")
    return lambda: services.extend_deadline(
        make.session, world.facilitator, proposal_id=pid, deadline=utcnow() + timedelta(days=20),
        reason="Holidays.",
    )  # fmt: skip


@scenario("remind_non_answerers")
def _(make: Factory, world: World) -> Call:
    pid = _proposal(make, world, "consent")
    return lambda: services.remind_non_answerers(make.session, world.facilitator, proposal_id=pid)


@scenario("propose_again")
def _(make: Factory, world: World) -> Call:
    pid = _proposal(make, world, "consent")
    services.lapse_proposal(make.session, world.facilitator, proposal_id=pid, reason="Quiet.")
    return lambda: services.propose_again(make.session, world.members[0], proposal_id=pid)


def _review_date(make: Factory, world: World) -> None:
    services.set_review_date(
        make.session, world.facilitator, agreement_id=world.agreement.id,
        review_on=(utcnow() + timedelta(days=90)).date(),
    )  # fmt: skip


@scenario("set_review_date")
def _(make: Factory, world: World) -> Call:
    return lambda: _review_date(make, world)


@scenario("notice_review_due")
def _(make: Factory, world: World) -> Call:
    _review_date(make, world)
    later = utcnow() + timedelta(days=91)
    return lambda: services.notice_review_due(
        make.session, make.system, agreement_id=world.agreement.id, now=later
    )


def _translation(make: Factory, world: World) -> int:
    """A French translation of the current version, proposed by a member."""
    return services.propose_translation(
        make.session, world.members[0], agreement_id=world.agreement.id, language="fr",
        text="# Notre accord\n",
    ).id  # type: ignore[return-value]  # fmt: skip


@scenario("propose_translation")
def _(make: Factory, world: World) -> Call:
    return lambda: _translation(make, world)


@scenario("confirm_translation")
def _(make: Factory, world: World) -> Call:
    translation_id = _translation(make, world)
    return lambda: services.confirm_translation(
        make.session, world.facilitator, translation_id=translation_id
    )


@scenario("decline_translation")
def _(make: Factory, world: World) -> Call:
    translation_id = _translation(make, world)
    return lambda: services.decline_translation(
        make.session, world.facilitator, translation_id=translation_id, reason="Too literal."
    )


# --- discussion, objections, stances -------------------------------------------------------


@scenario("add_comment")
def _(make: Factory, world: World) -> Call:
    pid = _proposal(make, world, "comment")
    return lambda: services.add_comment(make.session, world.members[1], proposal_id=pid, body="Hi")


@scenario("raise_concern")
def _(make: Factory, world: World) -> Call:
    pid = _proposal(make, world, "comment")
    return lambda: services.raise_concern(
        make.session, world.members[1], proposal_id=pid, text="Will we keep this up?"
    )


@scenario("raise_objection")
def _(make: Factory, world: World) -> Call:
    pid = _proposal(make, world, "objection")
    return lambda: services.raise_objection(
        make.session, world.members[1], proposal_id=pid, reason="It excludes newcomers."
    )


def _settle(
    name: str, prepare_objection: Callable[[Factory, World], int], **kwargs: object
) -> None:
    """Register an objection move, made by the objector unless a reason says facilitator."""

    @scenario(name)
    def prepare(make: Factory, world: World) -> Call:
        objection_id = prepare_objection(make, world)
        actor = world.facilitator if name == "overrule_objection" else world.members[1]
        use_case = services.USE_CASES[name]
        return lambda: use_case(make.session, actor, objection_id=objection_id, **kwargs)


_settle("confirm_resolved", _integrated_objection)
_settle("reopen_objection", _integrated_objection, reason="Still too vague.")
_settle("withdraw_objection", _objection)
_settle("reclassify_objection", _objection)
_settle("overrule_objection", _objection, reason="Not paramount: it is about wording.")


@scenario("register_stance")
def _(make: Factory, world: World) -> Call:
    pid = _proposal(make, world, "consent")
    return lambda: services.register_stance(
        make.session, world.members[1], proposal_id=pid, position="consent"
    )


@scenario("reconfirm_stance")
def _(make: Factory, world: World) -> Call:
    pid = _proposal(make, world, "consent")
    voter = world.members[1]
    services.register_stance(make.session, voter, proposal_id=pid, position="consent")
    services.revise_proposal(make.session, world.members[0], proposal_id=pid, text=REVISED)
    return lambda: services.reconfirm_stance(make.session, voter, proposal_id=pid)


def test_every_use_case_has_a_scenario() -> None:
    missing = sorted(set(services.USE_CASES) - set(SCENARIOS))
    assert not missing, f"use cases without an audit scenario here: {missing}"
    assert not set(SCENARIOS) - set(services.USE_CASES), "scenario for an unknown use case"


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_each_use_case_writes_exactly_one_event(name: str, app, db: Session, make: Factory) -> None:
    world = make.community(members=2)
    with app.test_request_context():
        call = SCENARIOS[name](make, world)
        before = audit.count_events(db)
        call()
    assert audit.count_events(db) - before == 1
    assert audit.verify_chain(db).ok
