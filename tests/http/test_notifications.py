"""Notifications over HTTP: the unread count, the page, preferences, unsubscribe, mail page.

Everything works with forms alone (no JavaScript), and the unsubscribe link works once
without a session or a CSRF token, as RFC 8058 mail programs use it.
"""

from __future__ import annotations

import re

from sqlmodel import select

from agreements import services
from agreements.delivery import worker
from agreements.models import Notification, NotificationPreference, OutboxMail, Stance
from agreements.services import notifications
from tests.factories import AGREEMENT_TEXT

from .conftest import proposal_at

UNREAD = re.compile(rb'id="unread-count">(\d+)')


def deliver(app, make) -> dict[int, list[OutboxMail]]:
    """Run the worker (no SMTP: it keeps the mails); each person's sent mails, oldest first."""
    app.config["PUBLIC_URL"] = "https://accord.example"
    try:
        with app.app_context():
            worker.run_pass()
    finally:
        app.config["PUBLIC_URL"] = ""
    make.session.rollback()
    mails: dict[int, list[OutboxMail]] = {}
    for mail in make.session.exec(select(OutboxMail).order_by(OutboxMail.id)):
        mails.setdefault(mail.recipient_id, []).append(mail)
    return mails


def unread(response) -> int:
    found = UNREAD.search(response.data)
    return int(found.group(1)) if found else 0


def test_unread_count_and_marking_read(client, login, world, make) -> None:
    member = world.members[1]
    login(client, member)
    before = unread(client.get("/notifications"))
    proposal_at(make, world, "comment")  # the facilitator opens comments: member is told
    page = client.get("/notifications")
    assert unread(page) == before + 1
    assert b"is open for comments" in page.data
    newest = make.session.exec(
        select(Notification)
        .where(Notification.recipient_id == member.id)
        .order_by(Notification.id.desc())
    ).first()
    response = client.post(f"/notifications/{newest.id}/read")
    assert response.status_code == 303
    assert unread(client.get("/notifications")) == before
    assert unread(client.get("/notifications/unread")) == before  # what htmx refreshes
    client.post("/notifications/read")
    assert unread(client.get("/")) == 0
    other = world.members[0]
    foreign = make.session.exec(
        select(Notification).where(Notification.recipient_id == other.id)
    ).first()
    assert client.post(f"/notifications/{foreign.id}/read").status_code == 404


def test_preferences_are_saved_and_bad_input_is_refused(client, login, world, make) -> None:
    member = world.members[0]
    login(client, member)
    url = f"/c/{world.community.slug}/notifications"
    assert b"How you hear from" in client.get(url).data
    saved = client.post(
        url, data={"delivery": "digest", "digest_hour": "7", "time_zone": "Europe/Brussels"}
    )
    assert saved.status_code == 303
    bad = client.post(url, data={"delivery": "digest", "digest_hour": "7", "time_zone": "Mars"})
    assert bad.status_code == 422 and b"time zone" in bad.data
    make.session.rollback()
    pref = make.session.exec(select(NotificationPreference)).one()
    assert (pref.delivery, pref.digest_hour, pref.time_zone) == ("digest", 7, "Europe/Brussels")


def test_one_click_unsubscribe_works_without_a_session(
    app, client_without_csrf, world, make
) -> None:
    member = world.members[1]
    proposal_at(make, world, "comment")
    mail = deliver(app, make)[member.id][-1]
    link = re.search(r"https://accord\.example(/unsubscribe/\S+)", mail.body_text).group(1)
    confirm = client_without_csrf.get(link)
    assert confirm.status_code == 200 and b"Stop these emails" in confirm.data
    done = client_without_csrf.post(link, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and b"no more emails" in done.data
    assert client_without_csrf.post(link[:-3] + "abc").status_code == 404  # forged
    make.session.rollback()
    pref = make.session.exec(
        select(NotificationPreference).where(NotificationPreference.user_id == member.id)
    ).one()
    assert pref.delivery == "none"
    queued = len(make.session.exec(select(OutboxMail)).all())
    proposal_at(make, world, "comment")
    mails = make.session.exec(select(OutboxMail).where(OutboxMail.id > queued)).all()
    assert member.id not in {m.recipient_id for m in mails} and mails  # others still hear


def test_the_admin_mail_page_shows_what_members_were_sent(app, client, login, world, make):
    proposal_at(make, world, "proposed")
    admin = make.user("Admin", admin=True)
    login(client, admin)
    page = client.get("/admin")
    assert b"Mail and the worker" in page.data and b"Never" in page.data
    assert b"The worker is not running" in page.data  # mails are due and it never ran
    with app.app_context():
        worker.run_pass()
    mail_page = client.get("/admin/mail")
    assert mail_page.status_code == 200
    assert b"The worker is not running" not in mail_page.data
    assert b"it waits for a facilitator" in mail_page.data
    assert b"no SMTP server is configured" in mail_page.data


def test_a_consent_round_is_answered_once_from_its_email(app, client, world, make) -> None:
    member, proposer = world.members[1], world.members[0]
    proposal = proposal_at(make, world, "consent")
    mail = deliver(app, make)[member.id][-1]
    stances = len(make.session.exec(select(Stance)).all())
    consent, stand_aside = re.findall(r"https://accord\.example(/answer/\S+)", mail.body_text)
    page = client.get(consent)  # no session: the link itself names the person
    assert page.status_code == 200 and b"I consent to this text" in page.data
    assert b"We share all we learn." in page.data  # the text is shown before anything
    assert len(make.session.exec(select(Stance)).all()) == stances
    done = client.post(consent)
    assert done.status_code == 200 and b"Recorded" in done.data
    make.session.rollback()
    newest = make.session.exec(select(Stance).order_by(Stance.id.desc())).first()
    assert (newest.participant_id, newest.position) == (member.id, "consent")
    again = client.post(stand_aside)
    assert again.status_code == 409 and b"answered this text already" in again.data
    services.revise_proposal(
        make.session, proposer, proposal_id=proposal.id, text=AGREEMENT_TEXT + "\nMore.\n"
    )
    make.session.rollback()
    void = client.get(stand_aside)
    assert void.status_code == 409 and b"text changed" in void.data
    assert client.get(consent[:-4] + "abcd").status_code == 404


def test_worker_once_from_the_command_line(app, world, make) -> None:
    proposal_at(make, world, "comment")
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    kept = re.search(
        r"[1-9]\d* mail\(s\) sent \(no SMTP server: kept at /admin/mail\), 0 not", result.output
    )
    assert kept, result.output
    again = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert ", 0 mail(s) sent" in again.output  # each mail is sent once


def test_a_long_backlog_shows_as_99_plus(client, login, world, make) -> None:
    """The badge counts up to 100 unread (every page shows it, so its cost must not grow
    with a backlog), and says "99+" beyond 99; reading some makes it exact again."""
    member = world.members[1]
    login(client, member)
    before = unread(client.get("/notifications"))
    backlog = [
        Notification(recipient_id=member.id, event_seq=-n, kind="test", text=f"Backlog {n}")
        for n in range(1, 100 - before)
    ]
    make.session.add_all(backlog)
    make.session.commit()
    assert unread(client.get("/notifications/unread")) == 99
    make.session.add(Notification(recipient_id=member.id, event_seq=-100, kind="test", text="x"))
    make.session.commit()
    badge = client.get("/notifications/unread").data
    assert b'id="unread-count">99+<span class="visually-hidden"> unread</span>' in badge
    make.session.add_all(
        Notification(recipient_id=member.id, event_seq=-n, kind="test", text="more")
        for n in range(101, 111)
    )
    make.session.commit()
    assert notifications.unread_count(make.session, member) == notifications.UNREAD_COUNTED
    make.session.rollback()
    for read in backlog[:12]:
        assert client.post(f"/notifications/{read.id}/read").status_code == 303
    assert unread(client.get("/notifications/unread")) == 98
