"""Forging the audit trail, as someone with database access would, and being found out.

A member keeps what Accord hands out: the decision record (Markdown, in English and in
German, and JSON) and an archive. Then the guard triggers go and the chain is edited, cut,
reordered, added to, sealed or re-hashed. Each forgery must fail `flask audit verify`: a
plain check catches every edit the chain itself can show (and the history page's badge turns
red), while cutting the newest events or re-hashing after an edit is caught by the heads
the kept files carry, with `--record FILE` or `--expect HASH`. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session

from agreements import audit
from agreements.models import User
from agreements.storage.sessions import get_engine
from tests.conftest import CsrfClient, reusable_test_app
from tests.factories import Factory
from tests.services.test_audit_chain import (
    TAMPERED,
    change_payload,
    cut_newest,
    delete_event,
    insert_forged,
    rewrite_and_rehash,
    seal_event,
    swap_with_next,
    triggers_off,
)


@dataclass
class Kept:
    """What a member kept before the forgery: the app, their files and the head they saw."""

    app: Flask
    member: User
    history: str
    files: list[Path]
    head_hash: str

    def verify(self, *options: str) -> tuple[int, str]:
        """Run `flask audit verify` with `options`; its exit code and output."""
        result = self.app.test_cli_runner().invoke(args=["audit", "verify", *options])
        return result.exit_code, result.output

    def records(self) -> list[str]:
        """The `--record` options for every kept file."""
        return [option for path in self.files for option in ("--record", str(path))]


@pytest.fixture(params=["sqlite_url", "postgres_url"])
def kept(request: pytest.FixtureRequest, tmp_path: Path, login) -> Iterator[Kept]:
    """An adopted decision whose record (.md, .json) and archive a member downloaded."""
    app = reusable_test_app(request.getfixturevalue(request.param))
    with Session(get_engine(app), expire_on_commit=False) as db:
        make = Factory(db)
        world = make.community(members=2)
        make.proposal(world, stage="adopted")
        db.commit()
    app.test_client_class = CsrfClient
    client = app.test_client()
    login(client, world.members[0])
    base = f"/c/{world.community.slug}/a/{world.agreement.slug}"
    files = []
    for name, language in (("record.md", "en"), ("record.de.md", "de"), ("record.json", "en")):
        response = client.get(f"{base}/v/2/{name.replace('.de', '')}",
                              headers={"Accept-Language": language})  # fmt: skip
        assert response.status_code == 200
        files.append(tmp_path / name)
        files[-1].write_bytes(response.data)
    # A record in the reader's language carries its chain head in a line every language shares.
    assert "# Beschlussnachweis: " in files[1].read_text(encoding="utf-8")
    files.append(tmp_path / "archive.json")
    export = ["audit", "export", "--community", world.community.slug, "--output", files[-1]]
    assert app.test_cli_runner().invoke(args=export).exit_code == 0
    with Session(get_engine(app)) as db:
        newest = audit.head(db)
        assert newest is not None and newest.seq > TAMPERED + 3
        head_hash = newest.hash
    yield Kept(app, world.members[0], f"/c/{world.community.slug}/history", files, head_hash)
    get_engine(app).dispose()


def forge(kept: Kept, tamper: Callable[[Session], None]) -> None:
    """Drop the guard triggers, tamper, put the triggers back."""
    with Session(get_engine(kept.app), expire_on_commit=False) as db, triggers_off(db):
        tamper(db)


def test_an_untouched_chain_verifies_against_every_kept_file(kept: Kept) -> None:
    code, output = kept.verify(*kept.records(), "--expect", kept.head_hash)
    assert code == 0, output
    assert "4 kept head(s) still on the chain" in output


def test_a_file_without_a_chain_head_is_refused_clearly(kept: Kept, tmp_path: Path) -> None:
    stray = tmp_path / "notes.md"
    stray.write_text("# My notes\n", encoding="utf-8")
    code, output = kept.verify("--record", str(stray))
    assert code != 0 and "notes.md is not a decision record or archive" in output


@pytest.mark.parametrize(
    ("tamper", "says"),
    [
        (change_payload, f"event {TAMPERED} was altered"),
        (delete_event, f"event {TAMPERED} is missing"),
        (swap_with_next, f"event {TAMPERED} does not follow"),
        (insert_forged, f"event {TAMPERED + 2} does not follow"),
        (seal_event, f"event {TAMPERED} is marked sealed, but no import sealed it"),
    ],
    ids=["edit", "delete", "reorder", "insert", "seal"],
)
def test_a_forgery_the_chain_shows_fails_verify_and_the_badge(
    kept: Kept, tamper: Callable[[Session], None], says: str, login
) -> None:
    forge(kept, tamper)
    code, output = kept.verify()
    assert code != 0 and "does NOT verify" in output and says in output
    code, output = kept.verify("--expect", kept.head_hash)
    assert code != 0 and says in output
    code, output = kept.verify(*kept.records())
    assert code != 0 and says in output
    client = kept.app.test_client()
    login(client, kept.member)
    badge = client.get(kept.history).text
    assert "audit-broken" in badge and "Not verified" in badge and says in badge


@pytest.mark.parametrize(
    ("tamper", "says"),
    [(cut_newest, "is gone: the chain was cut"), (rewrite_and_rehash, "the chain was rewritten")],
    ids=["truncate", "rehash"],
)
def test_a_chain_that_still_links_is_caught_by_every_kept_head(
    kept: Kept, tamper: Callable[[Session], None], says: str
) -> None:
    forge(kept, tamper)
    code, output = kept.verify()
    assert code == 0, output  # on its own, the forged chain looks whole ...
    code, output = kept.verify("--expect", kept.head_hash)
    assert code != 0 and "the chain was cut" in output  # ... the head seen is gone ...
    for path in kept.files:  # ... and each kept file, alone, proves it
        code, output = kept.verify("--record", str(path))
        assert code != 0 and says in output and path.name in output, output
