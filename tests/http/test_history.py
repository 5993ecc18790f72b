"""History pages, decision records and the audit commands, through the app.

People see what happened as plain sentences under a heading per day, newest first, filter
it, page through it (with and without htmx), keep hashes behind "Technical details", and
see at a glance whether the trail is intact; private communities stay invisible to
outsiders; records download as Markdown and JSON; `audit verify` fails loudly on a broken chain.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import Session

from agreements import audit, create_app, services
from agreements.audit.events import PER_PAGE
from agreements.storage.sessions import get_engine


@pytest.fixture
def world(make):
    """A private community whose first proposal was adopted as version 2."""
    world = make.community(members=2, private=True)
    world.proposal = make.proposal(world, stage="adopted")
    return world


def _paths(world) -> dict[str, str]:
    base = f"/c/{world.community.slug}/a/{world.agreement.slug}"
    return {
        "community": f"/c/{world.community.slug}/history",
        "agreement": f"{base}/history",
        "proposal": f"/p/{world.proposal.id}/history",
        "record": f"{base}/v/2/record",
        "record.md": f"{base}/v/2/record.md",
        "record.json": f"{base}/v/2/record.json",
    }


@pytest.mark.parametrize("page", ["community", "agreement", "proposal", "record", "record.md"])
def test_private_history_is_invisible_to_outsiders(client, login, make, world, page) -> None:
    assert client.get(_paths(world)[page]).status_code in (302, 404)  # anonymous
    login(client, make.user())
    assert client.get(_paths(world)[page]).status_code == 404


@pytest.mark.parametrize("page", ["community", "agreement", "proposal", "record"])
def test_members_see_history_with_the_verified_badge(client, login, world, page) -> None:
    login(client, world.members[0])
    response = client.get(_paths(world)[page])
    assert response.status_code == 200
    assert "audit-verified" in response.text and "Verified" in response.text


def test_history_is_newest_first_and_filters_by_action_and_person(client, login, world) -> None:
    login(client, world.members[0])
    page = client.get(_paths(world)["proposal"]).text
    seqs = [int(n) for n in re.findall(r'id="event-(\d+)"', page)]
    assert seqs == sorted(seqs, reverse=True) and len(seqs) > 3

    stances = client.get(_paths(world)["proposal"], query_string={"action": "stance.registered"})
    assert stances.text.count('class="event"') == 3  # facilitator and two members consented
    mine = client.get(
        _paths(world)["proposal"],
        query_string={"action": "stance.registered", "person": world.members[1].id},
    )
    assert mine.text.count('class="event"') == 1
    assert world.members[1].display_name in mine.text


def _outside_disclosures(html: str) -> str:
    """The page's text as people read it before they open any "Technical details"."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<details\b.*?</details>", "", html, flags=re.S))


def test_events_read_as_sentences_under_a_heading_per_day(client, login, world) -> None:
    login(client, world.members[0])
    page = client.get(_paths(world)["proposal"]).text
    facilitator, voter = world.facilitator.display_name, world.members[1].display_name
    assert f"{voter} consented to revision 1 of “Change the purpose”." in page
    assert (
        f"{facilitator} adopted version 2 of “Agreement”, from the proposal “Change the purpose”."
        in page
    )
    today = datetime.now(UTC).date()
    heading = f"{today:%A} {today.day} {today:%B %Y}"
    assert re.search(rf'<h2 id="day-{today.isoformat()}"><time[^>]*>{heading}</time></h2>', page)
    assert "Adopted by consent; nobody objected." in page  # the outcome statement, quoted


def test_events_of_earlier_days_come_under_their_own_heading(
    client, login, db: Session, world
) -> None:
    db.execute(text("DROP TRIGGER audit_event_no_update"))
    db.execute(  # every event before the adoption happened on an earlier day
        text(
            "UPDATE audit_event SET occurred_at = '2026-03-02 10:00:00'"
            " WHERE seq < (SELECT MAX(seq) FROM audit_event)"
        )
    )
    db.commit()
    login(client, world.members[0])
    page = client.get(_paths(world)["proposal"]).text
    headings = re.findall(r'<h2 id="day-([\d-]+)"', page)
    assert headings == [datetime.now(UTC).date().isoformat(), "2026-03-02"]
    assert "Monday 2 March 2026" in page
    assert page.index("adopted version 2") < page.index("Monday 2 March 2026")
    assert page.index("Monday 2 March 2026") < page.index("consented to revision 1")


def test_hashes_and_raw_payloads_wait_behind_technical_details(
    client, login, db: Session, world
) -> None:
    login(client, world.members[0])
    page = client.get(_paths(world)["proposal"]).text
    shown = _outside_disclosures(page)
    assert page.count("<summary>Technical details</summary>") >= 9  # the badge's and each event's
    adoption = audit.head(db).hash  # type: ignore[union-attr]
    assert adoption in page and adoption not in shown
    assert not re.search(r"[0-9a-f]{16}", shown), "a hash is visible outside the disclosure"
    for raw in ("stance.registered", "revision_sha256", "round_id", "outcome_statement"):
        assert raw in page and raw not in shown, raw


def test_filters_and_pager_swap_only_the_list_under_htmx(client, login, world) -> None:
    login(client, world.members[0])
    path = _paths(world)["proposal"]
    full = client.get(path, query_string={"action": "stance.registered"})
    assert '<option value="stance.registered" selected>Stances given</option>' in full.text
    assert 'hx-get="' + path + '"' in full.text and 'hx-target="#history-events"' in full.text
    swapped = client.get(
        path, query_string={"action": "stance.registered"}, headers={"HX-Request": "true"}
    )
    assert swapped.status_code == 200 and "HX-Request" in swapped.headers["Vary"]
    assert swapped.text.lstrip().startswith('<div id="history-events">')
    assert "<html" not in swapped.text and swapped.text.count('class="event"') == 3


def test_long_histories_are_paged(client, login, db: Session, world) -> None:
    proposal_id = world.proposal.id
    other = services.propose_amendment(
        db, world.members[0], agreement_id=world.agreement.id, title="More", text="Short."
    )
    services.open_comments(db, world.facilitator, proposal_id=other.id)
    for n in range(PER_PAGE + 5):
        services.add_comment(db, world.members[1], proposal_id=other.id, body=f"Comment {n}")
    login(client, world.members[0])
    first = client.get(_paths(world)["community"])
    second = client.get(_paths(world)["community"], query_string={"page": 2})
    assert first.text.count('class="event"') == PER_PAGE
    assert 'rel="next"' in first.text and 'rel="prev"' in second.text
    oldest = f'href="/p/{proposal_id}/history"'  # the first proposal's events come last
    assert oldest in second.text and oldest not in first.text


def test_decision_record_downloads(client, login, world) -> None:
    login(client, world.members[0])
    markdown = client.get(_paths(world)["record.md"])
    assert markdown.status_code == 200
    assert markdown.mimetype == "text/markdown"
    assert "attachment" in markdown.headers["Content-Disposition"]
    assert "# Decision record: Agreement, version 2" in markdown.text
    record = client.get(_paths(world)["record.json"]).get_json()
    assert record["version"] == 2 and len(record["consents"]) == 3
    assert client.get(_paths(world)["record"].replace("/v/2/", "/v/1/")).status_code == 404


def _break_event(session: Session, seq: int) -> None:
    session.execute(text("DROP TRIGGER audit_event_no_update"))
    session.execute(
        text("UPDATE audit_event SET actor_name = 'Mallory' WHERE seq = :s"), {"s": seq}
    )
    session.commit()


def test_a_broken_chain_shows_on_the_badge(client, login, db: Session, world) -> None:
    _break_event(db, 3)
    login(client, world.members[0])
    page = client.get(_paths(world)["proposal"]).text
    assert "audit-broken" in page and "at event 3" in page


def test_audit_verify_command(app, db: Session, world) -> None:
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "verifies" in ok.output
    head = audit.head(db).hash  # type: ignore[union-attr]
    assert runner.invoke(args=["audit", "verify", "--expect", head]).exit_code == 0
    unknown = runner.invoke(args=["audit", "verify", "--expect", "ab" * 32])
    assert unknown.exit_code != 0 and "cut" in unknown.output
    _break_event(db, 4)
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code != 0 and "first broken event: #4" in broken.output


def test_audit_export_and_import_commands(app, tmp_path, sqlite_template, world) -> None:
    runner = app.test_cli_runner()
    archive_file = tmp_path / "archive.json"
    exported = runner.invoke(
        args=["audit", "export", "--community", world.community.slug, "--output", archive_file]
    )
    assert exported.exit_code == 0, exported.output
    assert json.loads(archive_file.read_text())["community"] == world.community.slug
    refused = runner.invoke(args=["audit", "import", str(archive_file)])  # its own address
    assert refused.exit_code != 0 and "already exists here" in refused.output
    copied = runner.invoke(args=["audit", "import", str(archive_file), "--slug", "the-copy"])
    assert copied.exit_code == 0 and "verified" in copied.output, copied.output
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0

    shutil.copyfile(sqlite_template, tmp_path / "new.sqlite")
    fresh = create_app({**app.config, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite'}"})
    restored = fresh.test_cli_runner().invoke(args=["audit", "import", str(archive_file)])
    get_engine(fresh).dispose()
    assert restored.exit_code == 0, restored.output
    assert f"head {json.loads(archive_file.read_text())['head_hash']}" in restored.output


def test_the_badge_checks_the_chain_once_then_only_the_events_since(
    client, login, db: Session, world, monkeypatch
) -> None:
    from agreements import audit

    checked = []  # how many events each check read
    real = audit.verify_chain

    def counting(session, **options):
        result = real(session, **options)
        since = options.get("since")
        checked.append(result.count - (since.count if since else 0))
        return result

    monkeypatch.setattr(audit, "verify_chain", counting)
    login(client, world.members[0])
    path = _paths(world)["proposal"]
    client.get(path)
    client.get(path)
    assert checked == [audit.count_events(db), 0]
    world.factory.proposal(world, stage="proposed", text="Another text.\n")  # the head moves
    assert "audit-verified" in client.get(path).text
    assert 0 < checked[-1] < checked[0]


def test_the_badge_sees_an_edit_of_its_checkpoint_event(client, login, db: Session, world) -> None:
    from agreements import audit
    from tests.services.test_audit_chain import sql, triggers_off

    login(client, world.members[0])
    path = _paths(world)["proposal"]
    assert "audit-verified" in client.get(path).text
    newest = audit.count_events(db)
    with triggers_off(db):
        sql(db, "UPDATE audit_event SET hash = :h WHERE seq = :s", h="f" * 64, s=newest)
    page = client.get(path).text
    assert "audit-broken" in page and f"event {newest} changed after it was verified" in page
