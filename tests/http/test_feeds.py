"""A person's feeds: an Atom feed of decisions and rounds, an iCalendar file of deadlines.

Through HTTP: the address is made from the community page, read without a session cookie,
revoked (404 from then on, like an address that never existed) and made anew. The Atom
feed parses and carries the required elements and the audit chain head, which
`audit verify --record` accepts (the calendar's head too); the calendar parses with the
`icalendar` package and raises SEQUENCE when a deadline is extended. A feed shows one
community, as its person may see it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import icalendar
import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from agreements import audit, services
from agreements.models import User, utcnow
from agreements.storage.sessions import get_engine

from .conftest import proposal_at

ATOM = "{http://www.w3.org/2005/Atom}"
HEAD = "{https://accord.invalid/ns/audit}chain-head"


def make_feed(client, login, world) -> tuple[str, str]:
    """A member makes their feed addresses on the community page: (Atom path, iCal path)."""
    login(client, world.members[1])
    slug = world.community.slug
    response = client.post(f"/c/{slug}/feeds")
    assert response.status_code == 303
    page = client.get(f"/c/{slug}").text
    atom = re.search(r'href="http://localhost(/feeds/[^"]+/decisions\.atom)"', page)
    ics = re.search(r'href="http://localhost(/feeds/[^"]+/deadlines\.ics)"', page)
    assert atom and ics, "the feeds panel shows both addresses"
    return atom[1], ics[1]


@pytest.fixture
def anonymous(app) -> FlaskClient:
    """A feed reader: no cookie, no session."""
    app.test_client_class = FlaskClient
    return app.test_client()


def test_the_atom_feed_parses_and_carries_the_chain_head(client, login, world, anonymous, db):
    atom_path, _ics = make_feed(client, login, world)
    response = anonymous.get(atom_path)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    assert feed.find(f"{ATOM}link[@rel='self']") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert entries, "the adoption is in the feed"
    for entry in entries:
        for required in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{required}") is not None, required
    titles = " ".join(entry.findtext(f"{ATOM}title", "") for entry in entries)
    assert "adopted" in titles
    db.rollback()
    newest = audit.head(db)
    head = feed.find(HEAD)
    assert head is not None and head.get("seq") == str(newest.seq)
    assert head.get("hash") == newest.hash


def test_a_saved_feed_is_a_record_audit_verify_accepts(client, login, world, anonymous, tmp_path):
    atom_path, _ics = make_feed(client, login, world)
    saved = tmp_path / "decisions.atom"
    saved.write_bytes(anonymous.get(atom_path).data)
    verify = ["audit", "verify", "--record", str(saved)]
    result = client.application.test_cli_runner().invoke(args=verify)
    assert result.exit_code == 0, result.output
    assert "1 kept head(s) still on the chain" in result.output
    seq = int(re.search(r'chain-head seq="(\d+)"', saved.read_text())[1])
    saved.write_text(saved.read_text().replace(f'seq="{seq}"', f'seq="{seq + 50}"'))
    result = client.application.test_cli_runner().invoke(args=verify)
    assert result.exit_code != 0 and "the chain was cut" in result.output


def test_the_calendar_has_one_event_per_deadline_and_counts_its_changes(
    client, login, world, make, anonymous
):
    _atom, ics_path = make_feed(client, login, world)
    deadline = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    proposal = proposal_at(make, world, "comment")
    services.open_objection_round(
        make.session, world.facilitator, proposal_id=proposal.id, deadline=deadline
    )

    def events() -> list[icalendar.Event]:
        calendar = icalendar.Calendar.from_ical(anonymous.get(ics_path).data)
        return list(calendar.walk("VEVENT"))

    [first] = events()
    assert first["SEQUENCE"] == 0 and first.decoded("DTSTART") == deadline
    later = deadline + timedelta(days=2)
    services.extend_deadline(
        make.session, world.facilitator, proposal_id=proposal.id, deadline=later, reason="Holidays."
    )
    [changed] = events()
    assert changed["UID"] == first["UID"]
    assert changed["SEQUENCE"] == 1 and changed.decoded("DTSTART") == later
    assert anonymous.get(ics_path).mimetype == "text/calendar"


def test_a_saved_calendar_is_a_record_too(client, login, world, anonymous, tmp_path):
    _atom, ics_path = make_feed(client, login, world)
    saved = tmp_path / "deadlines.ics"
    saved.write_bytes(anonymous.get(ics_path).data)
    head = str(icalendar.Calendar.from_ical(saved.read_bytes())["X-ACCORD-CHAIN-HEAD"])
    result = client.application.test_cli_runner().invoke(
        args=["audit", "verify", "--record", str(saved)]
    )
    assert result.exit_code == 0 and "1 kept head(s) still on the chain" in result.output
    assert result.output.rstrip().endswith(head.split()[1])  # the head it was made at


def test_a_revoked_address_answers_404_and_a_new_one_works(client, login, world, anonymous):
    atom_path, ics_path = make_feed(client, login, world)
    assert client.post(f"/c/{world.community.slug}/feeds/revoke").status_code == 303
    assert [anonymous.get(path).status_code for path in (atom_path, ics_path)] == [404, 404]
    assert anonymous.get("/feeds/no-such-secret/decisions.atom").status_code == 404
    new_atom, _ics = make_feed(client, login, world)
    assert new_atom != atom_path and anonymous.get(new_atom).status_code == 200
    make_feed(client, login, world)  # making it anew ends the one before
    assert anonymous.get(new_atom).status_code == 404


def test_a_feed_shows_only_what_its_person_may_see(client, login, world, make, anonymous, app):
    other = make.community(members=1, private=True)
    hidden = make.proposal(other, stage="adopted")
    make.session.rollback()
    atom_path, _ics = make_feed(client, login, world)
    feed = anonymous.get(atom_path).text
    assert f"/p/{hidden.id}" not in feed
    assert "Change the purpose" in feed  # its own community's adoption
    with Session(get_engine(app)) as db:  # the person leaves: the address stops working
        db.get(User, world.members[1].id).is_active = False
        db.commit()
    assert anonymous.get(atom_path).status_code == 404
