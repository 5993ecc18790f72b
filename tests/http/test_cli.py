"""The command-line tools, through Flask's CLI runner on the app's own configuration."""

from __future__ import annotations

import pytest
from sqlmodel import select

from agreements.models import Agreement, Community, Proposal, Version


@pytest.mark.parametrize(
    "command",
    [
        ["db", "upgrade"],
        ["db", "downgrade"],
        ["demo"],
        ["agreements", "import"],
        ["audit", "verify"],
        ["rounds", "close-due"],
        ["accounts", "create"],
    ],
)
def test_every_command_has_help(app, command):
    result = app.test_cli_runner().invoke(args=[*command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_db_upgrade_is_idempotent(app):
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0 and "up to date" in result.output


def test_db_downgrade_steps_back_and_upgrade_restores(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0 and "Database is empty." in result.output, result.output
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0 and "up to date" in result.output
    result = runner.invoke(args=["db", "downgrade"])  # one step back from the newest
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0


def test_demo_seeds_every_stage_and_refuses_to_run_twice(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "facilitator@demo.accord" in result.output
    states = sorted(p.state for p in db.exec(select(Proposal)))
    assert states == ["adopted", "comment", "consent", "objection"]
    assert len(db.exec(select(Version)).all()) == 3
    db.rollback()
    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0 and "empty" in again.output


def test_import_creates_the_community_and_the_history(app, db, tmp_path):
    files = []
    for n in (1, 2, 3):
        path = tmp_path / f"v{n}.md"
        path.write_text(f"# Charter\n\nVersion {n}.\n", encoding="utf-8")
        files.append(str(path))
    result = app.test_cli_runner().invoke(
        args=["agreements", "import", "--community", "new-coop", "--title", "Charter", *files]
    )
    assert result.exit_code == 0, result.output
    assert "Created community 'new-coop'" in result.output
    community = db.exec(select(Community).where(Community.slug == "new-coop")).one()
    agreement = db.exec(select(Agreement).where(Agreement.community_id == community.id)).one()
    texts = [
        v.text
        for v in db.exec(
            select(Version).where(Version.agreement_id == agreement.id).order_by(Version.number)
        )
    ]
    assert texts == [
        "# Charter\n\nVersion 1.\n",
        "# Charter\n\nVersion 2.\n",
        "# Charter\n\nVersion 3.\n",
    ]
    second = app.test_cli_runner().invoke(
        args=["agreements", "import", "--community", "new-coop", "--title", "Other", files[0]]
    )
    assert second.exit_code == 0 and "Created community" not in second.output
