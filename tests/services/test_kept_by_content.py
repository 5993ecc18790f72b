"""What a process keeps between requests belongs to texts, not to row ids.

A worker keeps a stale proposal's merge preview (which adoption also uses) and the passages
two open proposals both change. Ids are not names for texts: another database, a restored
backup or the next test gives the same ids to other texts. Here two fresh databases are
built the same way in one process, so their versions, proposals and revisions have the same
ids, and differ only in what the version adopted meanwhile changed: each must get its own
answer.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from agreements import services
from agreements.models import Version
from agreements.services.adoption import current_version
from agreements.services.overlaps import overlapping_proposals
from agreements.services.proposals import revisions_of
from agreements.storage.engines import make_engine
from agreements.text.merge import three_way_merge
from tests.factories import AGREEMENT_TEXT, Factory

SHARE = ("We share what we learn.", "We share all we learn.")
SHARE_TOO = ("We share what we learn.", "We share what we learn, openly.")
# What the version adopted meanwhile changes: elsewhere, or the passage both proposals change.
MEANWHILE = {
    "elsewhere": AGREEMENT_TEXT.replace("We speak with respect.", "We speak with care."),
    "the same passage": AGREEMENT_TEXT.replace("We share what we learn.", "We share freely."),
}


@pytest.fixture
def databases(sqlite_template: Path, tmp_path: Path) -> Iterator[Callable[[str], Session]]:
    """Opens a fresh database under a name; all are closed at the end."""
    engines: list[Any] = []
    sessions: list[Session] = []

    def open_database(name: str) -> Session:
        path = tmp_path / f"{name}.sqlite"
        shutil.copyfile(sqlite_template, path)
        engines.append(make_engine(f"sqlite:///{path}"))
        sessions.append(Session(engines[-1], expire_on_commit=False))
        return sessions[-1]

    yield open_database
    for session in sessions:
        session.close()
    for engine in engines:
        engine.dispose()


def _two_stale_proposals(session: Session, meanwhile: str):
    """Two open proposals on version 1 changing the same passage, then version 2 adopted."""
    make = Factory(session)
    world = make.community()
    mine = make.proposal(world, stage="consent", text=AGREEMENT_TEXT.replace(*SHARE))
    theirs = make.proposal(world, stage="comment", text=AGREEMENT_TEXT.replace(*SHARE_TOO))
    make.proposal(world, stage="adopted", text=MEANWHILE[meanwhile])
    return mine, theirs


def test_a_merge_preview_is_kept_for_its_texts_not_for_its_ids(databases) -> None:
    previews = {}
    for meanwhile in MEANWHILE:
        session = databases(meanwhile)
        mine, _theirs = _two_stale_proposals(session, meanwhile)
        revision = revisions_of(session, mine)[-1]
        current = current_version(session, mine.agreement_id)
        assert (revision.base_version_id, current.id) == (1, 2)  # the same ids in both
        base = session.get_one(Version, revision.base_version_id)
        previews[meanwhile] = services.rebase_preview(session, revision, current)
        assert previews[meanwhile] == three_way_merge(base.text, current.text, revision.text)
    assert previews["elsewhere"].is_clean
    assert not previews["the same passage"].is_clean


def test_shared_passages_are_kept_for_their_texts_not_for_their_ids(databases) -> None:
    warned = {}
    for meanwhile in MEANWHILE:
        session = databases(meanwhile)
        mine, theirs = _two_stale_proposals(session, meanwhile)
        warned[meanwhile] = [o.other.id for o in overlapping_proposals(session, mine)]
    assert warned["elsewhere"] == [theirs.id]
    assert warned["the same passage"] == []  # each conflicts with it: its own rebase says so
