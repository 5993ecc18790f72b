"""Notifications and the mail outbox, on SQLite and PostgreSQL, against a real SMTP server.

Each event tells exactly the right people once and never the person who acted; the worker
delivers through aiosmtpd (started here), retries with backoff, fails after the last try,
resends a killed worker's message after its lease, never double-sends with two workers on
PostgreSQL, groups a day's notifications into a digest, and lets a lazy round decide by
silence only after its announcement was delivered.
"""

from __future__ import annotations

import socket
import threading
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import Message
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from agreements import services
from agreements.audit.chain import head
from agreements.delivery import worker
from agreements.models import (
    Notification,
    NotificationPreference,
    OutboxMail,
    Proposal,
    Round,
    WorkerRun,
    utcnow,
)
from agreements.services import outbox
from agreements.services.queries.mail import outbox_status
from agreements.storage.sessions import get_engine
from tests.conftest import reusable_test_app
from tests.factories import AGREEMENT_TEXT, Factory, scheduler_sessions

PUBLIC_URL = "https://accord.example"


class Sink:
    """An SMTP server's handler that keeps every message (or refuses the next few)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture(scope="module")
def smtp_server():
    """A real SMTP server on a free local port for this module's tests."""
    sink = Sink()
    with socket.socket() as probe:  # a free port (aiosmtpd needs a fixed one)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, controller.port
    controller.stop()


@pytest.fixture
def smtp(smtp_server) -> Sink:
    sink, _port = smtp_server
    sink.messages.clear()
    sink.refuse = 0
    return sink


def mail_app(url: str, smtp_server=None):
    """The app the worker runs in: SMTP on the test server, or none (the mail page)."""
    overrides: dict[str, object] = {"PUBLIC_URL": PUBLIC_URL}
    if smtp_server is not None:
        overrides |= {"MAIL_SMTP_HOST": "127.0.0.1", "MAIL_SMTP_PORT": smtp_server[1]}
    return reusable_test_app(url, **overrides)


def run_worker(app, session: Session, now: datetime | None = None) -> worker.PassResult:
    session.commit()  # the test's reads must not hold SQLite's write lock
    try:
        with app.app_context():
            return worker.run_pass(now=now)
    finally:
        get_engine(app).dispose()  # the shared app moves on to other databases


def told(session: Session, after_seq: int) -> set[tuple[int, str]]:
    """(recipient, kind) of every notification caused by events after `after_seq`."""
    rows = session.exec(select(Notification).where(Notification.event_seq > after_seq)).all()
    pairs = [(row.recipient_id, row.kind) for row in rows]
    assert len(pairs) == len(set(pairs)), "someone was told twice"
    return set(pairs)


def seq(session: Session) -> int:
    newest = head(session)
    return newest.seq if newest else 0


def test_each_event_tells_exactly_the_right_people_once(any_db, any_make: Factory) -> None:
    world = any_make.community(members=3)
    db, f = any_db, world.facilitator
    proposer, m1, m2 = world.members

    def step(people, told_kind, use_case, actor, **kwargs):
        """Run one use case; exactly `people` are told, with `told_kind`."""
        before = seq(db)
        result = use_case(db, actor, **kwargs)
        expected = {(person.id, told_kind) for person in people}
        assert told(db, before) == expected, use_case.__name__
        return result

    pid = step([f], "proposal_submitted", services.propose_amendment, proposer,
               agreement_id=world.agreement.id, title="Share more",
               text=AGREEMENT_TEXT.replace("what", "all that")).id  # fmt: skip
    everyone_else = [proposer, m1, m2]
    step(everyone_else, "comments_opened", services.open_comments, f, proposal_id=pid)
    question = step([proposer], "question", services.add_comment, m1,
                    proposal_id=pid, body="Why?", kind="question")  # fmt: skip
    step([m1], "reply", services.add_comment, m2,
         proposal_id=pid, body="Because.", parent_id=question.id)  # fmt: skip
    step(everyone_else, "round_opened", services.open_objection_round, f, proposal_id=pid)
    objection = step([proposer, f], "objection_raised", services.raise_objection, m1,
                     proposal_id=pid, reason="No.")  # fmt: skip
    changed = AGREEMENT_TEXT.replace("We share what we learn.", "We share most of what we learn.")
    step([m1], "objection_integrated", services.revise_proposal, proposer,
         proposal_id=pid, text=changed, integrates=[objection.id])  # fmt: skip
    step([], "", services.confirm_resolved, m1, objection_id=objection.id)
    step(everyone_else, "round_opened", services.open_consent_round, f, proposal_id=pid)
    services.register_stance(db, m2, proposal_id=pid, position="consent")
    step([m2], "stance_stale", services.revise_proposal, proposer,
         proposal_id=pid, text=changed + "\nMore.\n")  # fmt: skip
    stale = db.exec(select(Notification).where(Notification.kind == "stance_stale")).one()
    assert "+More." in stale.text  # the diff since the text they answered
    for person in (f, proposer, m1, m2):
        services.register_stance(db, person, proposal_id=pid, position="consent")
    step(everyone_else, "proposal_adopted", services.adopt_proposal, f,
         proposal_id=pid, outcome_statement="Agreed.")  # fmt: skip
    adopted = db.exec(select(Notification).where(Notification.kind == "proposal_adopted")).first()
    assert adopted is not None and "Agreed." in adopted.text
    # Everyone chose "each" by default: one mail per notification, none to anyone else.
    mails = db.exec(select(OutboxMail)).all()
    notices = db.exec(select(Notification)).all()
    assert sorted(m.notification_id for m in mails) == sorted(n.id for n in notices)


def test_the_worker_delivers_threaded_mail_once_with_one_click_unsubscribe(
    any_db, any_db_url, any_make: Factory, smtp_server, smtp: Sink
) -> None:
    world = any_make.community(members=2)
    proposal = any_make.proposal(world, stage="comment")
    app = mail_app(any_db_url, smtp_server)
    result = run_worker(app, any_db)
    assert result.sent == 3 and result.failed == 0  # facilitator; then both members
    assert run_worker(app, any_db).sent == 0  # a second pass sends nothing again
    first = smtp.messages[-1]
    assert first["Subject"] == f"[{world.community.name}] {proposal.title}"
    assert first["References"] == f"<proposal-{proposal.id}@accord.example>"
    assert first["In-Reply-To"] == first["References"]
    assert first["Message-ID"].endswith("@accord.example>")
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["List-Unsubscribe"].strip().startswith(f"<{PUBLIC_URL}/unsubscribe/")
    kinds = {part.get_content_type() for part in first.walk()}
    assert {"text/plain", "text/html"} <= kinds
    assert f"{PUBLIC_URL}/p/{proposal.id}" in first.get_body(("plain",)).get_content()
    any_db.expire_all()
    assert {m.status for m in any_db.exec(select(OutboxMail))} == {"sent"}
    assert any_db.get(WorkerRun, 1).sent == 0  # the last pass, recorded for the admin page


def test_a_refused_mail_is_retried_with_backoff_then_failed(
    db, make: Factory, app, smtp_server, smtp: Sink
) -> None:
    world = make.community(members=1)
    make.proposal(world)  # one mail: to the facilitator
    mail_application = mail_app(app.config["DATABASE_URL"], smtp_server)
    smtp.refuse = 1
    assert run_worker(mail_application, db).failed == 1
    mail = db.exec(select(OutboxMail)).one()
    assert mail.status == "pending" and "451" in mail.last_error
    assert mail.next_attempt_at > utcnow() + timedelta(seconds=50)
    assert run_worker(mail_application, db).sent == 0  # not due yet
    assert run_worker(mail_application, db, utcnow() + timedelta(hours=1)).sent == 1
    assert len(smtp.messages) == 1
    # A mail that keeps failing gives up after the last try, for the admin to see.
    make.proposal(world)
    smtp.refuse = outbox.MAX_ATTEMPTS
    later = utcnow()
    for _ in range(outbox.MAX_ATTEMPTS):
        later += timedelta(hours=1)
        run_worker(mail_application, db, later)
    db.expire_all()
    failed = db.exec(select(OutboxMail).where(OutboxMail.status == "failed")).one()
    assert failed.attempts == outbox.MAX_ATTEMPTS
    assert outbox_status(db).failed[0].id == failed.id
    # Once the mail server is fixed, the administrator sends them again.
    assert services.notifications.retry_failed_mails(db, make.user(admin=True)) == 1
    assert run_worker(mail_application, db).sent == 1


def test_a_killed_worker_loses_nothing_and_the_message_is_sent_once_after_its_lease(
    db, make: Factory, app, smtp_server, smtp: Sink
) -> None:
    world = make.community(members=1)
    make.proposal(world)
    db.commit()
    with Session(db.get_bind(), expire_on_commit=False) as killed:
        assert outbox.claim_next(killed, utcnow()) is not None  # claimed, then "killed"
    mail_application = mail_app(app.config["DATABASE_URL"], smtp_server)
    assert run_worker(mail_application, db).sent == 0  # still leased to the dead worker
    after_lease = utcnow() + outbox.LEASE + timedelta(seconds=1)
    assert run_worker(mail_application, db, after_lease).sent == 1
    assert run_worker(mail_application, db, after_lease + timedelta(hours=1)).sent == 0
    assert len(smtp.messages) == 1


def test_two_workers_on_postgresql_never_send_a_mail_twice(
    postgres_url, smtp_server, smtp: Sink
) -> None:
    app = mail_app(postgres_url, smtp_server)
    from agreements.storage.engines import make_engine

    engine = make_engine(postgres_url)
    with Session(engine, expire_on_commit=False) as session:
        make = Factory(session)
        world = make.community(members=4)
        for _ in range(3):
            make.proposal(world, stage="comment")  # 3 x (1 + 4) mails
        session.commit()
    barrier = threading.Barrier(2)

    def work() -> None:
        with app.app_context():
            barrier.wait()
            worker.run_pass()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    get_engine(app).dispose()
    ids = [message["Message-ID"] for message in smtp.messages]
    assert len(ids) == 15 and len(set(ids)) == 15
    engine.dispose()


def test_a_daily_digest_groups_the_days_notifications(db, make: Factory, app) -> None:
    world = make.community(members=1)
    member = world.members[0]
    services.notifications.set_delivery(
        db, member, community_id=world.community.id, delivery="digest", digest_hour=8,
        time_zone="Europe/Brussels",
    )  # fmt: skip
    for _ in range(2):
        proposal = make.proposal(world, world.facilitator)
        services.open_comments(db, world.facilitator, proposal_id=proposal.id)
    assert not db.exec(select(OutboxMail).where(OutboxMail.recipient_id == member.id)).all()
    brussels = ZoneInfo("Europe/Brussels")
    now = utcnow().astimezone(brussels)  # the next 8:00 in Brussels, whatever the time now
    eight = datetime(now.year, now.month, now.day, 8, tzinfo=brussels)
    half_past_eight = (eight if eight > now else eight + timedelta(days=1)) + timedelta(minutes=30)
    db.commit()
    assert outbox.queue_digests(db, half_past_eight - timedelta(hours=1)) == 0
    assert outbox.queue_digests(db, half_past_eight) == 1
    assert outbox.queue_digests(db, half_past_eight + timedelta(minutes=5)) == 0  # once a day
    digests = db.exec(select(OutboxMail).where(OutboxMail.kind == "digest")).all()
    assert len(digests) == 1 and digests[0].recipient_id == member.id
    mail_application = mail_app(app.config["DATABASE_URL"])
    run_worker(mail_application, db, half_past_eight + timedelta(minutes=10))
    db.expire_all()
    digest = db.get(OutboxMail, digests[0].id)
    assert digest.status == "sent" and "daily digest: 2 notifications" in digest.subject
    assert digest.body_text.count("is open for comments") == 2


def test_a_lazy_round_decides_by_silence_only_after_its_announcement_was_delivered(
    db, make: Factory, app
) -> None:
    world = make.community(members=2, protocol="lazy_consensus")
    proposal = make.proposal(world)
    services.open_objection_round(db, world.facilitator, proposal_id=proposal.id)
    round_ = db.exec(select(Round).where(Round.proposal_id == proposal.id)).one()
    assert round_.announced_at is None and round_.deadline is not None
    length = round_.deadline - round_.opened_at
    after_deadline = round_.deadline + timedelta(minutes=1)
    db.commit()
    assert services.run_due(scheduler_sessions(db), after_deadline).moved == []
    delivered_at = round_.opened_at + timedelta(days=2)  # the worker was down for two days
    run_worker(mail_app(app.config["DATABASE_URL"]), db, delivered_at)  # no SMTP: kept
    db.expire_all()
    round_ = db.get(Round, round_.id)
    assert round_.announced_at == delivered_at
    assert round_.deadline == delivered_at + length
    assert services.run_due(scheduler_sessions(db), after_deadline).moved == []
    assert services.run_due(scheduler_sessions(db), round_.deadline + timedelta(minutes=1)).moved
    db.rollback()  # end the read snapshot taken before the scheduler's transaction
    assert db.get(Proposal, proposal.id).state == "adopted"


def test_people_who_chose_no_email_are_told_in_the_app_only(db, make: Factory) -> None:
    world = make.community(members=1)
    member = world.members[0]
    services.notifications.set_delivery(
        db, member, community_id=world.community.id, delivery="none"
    )
    proposal = make.proposal(world, world.facilitator)
    services.open_comments(db, world.facilitator, proposal_id=proposal.id)
    assert db.exec(select(Notification).where(Notification.recipient_id == member.id)).one()
    assert not db.exec(select(OutboxMail).where(OutboxMail.recipient_id == member.id)).all()
    pref = db.exec(select(NotificationPreference)).one()
    assert pref.delivery == "none"


def test_an_invitation_is_mailed_by_the_worker_and_its_link_not_kept(
    db, make: Factory, app, smtp_server, smtp: Sink
) -> None:
    world = make.community(members=0)
    issued = services.invite_member(
        db, world.facilitator, community_id=world.community.id, email="new@example.org"
    )
    run_worker(mail_app(app.config["DATABASE_URL"], smtp_server), db)
    received = smtp.messages[-1]
    assert received["To"] == "new@example.org" and "List-Unsubscribe" not in received
    assert f"{PUBLIC_URL}/invitations/{issued.token}" in received.get_body(("plain",)).get_content()
    db.expire_all()
    kept = db.exec(select(OutboxMail).where(OutboxMail.kind == "invitation")).one()
    assert issued.token not in kept.context + kept.body_text + kept.body_html
