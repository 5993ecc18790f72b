"""A row read by its id (agreements/storage/by_id.py) is what Session.get answers: the
session's own object when it holds one, None for an id no row has, and nothing the session
holds is written by the read."""

from __future__ import annotations

from sqlmodel import Session

from agreements.models import Community, Organisation
from agreements.storage.by_id import row_by_id


def test_a_row_read_by_id_is_the_one_session_get_gives(any_db: Session, any_make) -> None:
    world = any_make.community()
    any_db.commit()
    any_db.expunge_all()
    read = row_by_id(any_db, Community, world.community.id)
    assert read is not None and read.name == world.community.name
    assert read is any_db.get(Community, world.community.id)  # the same object, kept
    assert row_by_id(any_db, Community, world.community.id) is read
    assert row_by_id(any_db, Community, 10**9) is None


def test_reading_a_row_by_id_writes_nothing_the_session_holds(any_db: Session, any_make) -> None:
    world = any_make.community()
    any_db.commit()
    any_db.expunge_all()
    pending = Organisation(community_id=world.community.id, name="Not yet saved")
    any_db.add(pending)
    assert row_by_id(any_db, Community, world.community.id) is not None
    assert pending in any_db.new  # still pending: the read did not flush it
    any_db.rollback()
