"""The Contributor Covenant's real history, replayed as amendments through the protocol."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from agreements import audit, services
from agreements.models import Version

pytestmark = pytest.mark.corpus
VERSIONS = ("v1.0", "v1.1", "v1.2", "v1.3", "v1.4", "v2.0")


def test_each_next_version_adopted_by_consent_is_byte_identical(any_db, any_make, corpus_dir):
    texts = [(corpus_dir / f"{name}.md").read_text(encoding="utf-8") for name in VERSIONS]
    world = any_make.community(members=2)
    system = services.system_actor(any_db)
    agreement = services.import_agreement_history(
        any_db,
        system,
        community_id=world.community.id,
        title="Contributor Covenant",
        texts=texts[:1],
    )
    for text in texts[1:]:
        world.agreement = agreement
        any_make.proposal(world, stage="adopted", text=text)
    adopted = any_db.exec(
        select(Version).where(Version.agreement_id == agreement.id).order_by(col(Version.number))
    ).all()
    assert [v.number for v in adopted] == [1, 2, 3, 4, 5, 6]
    for version, text in zip(adopted, texts, strict=True):
        assert version.text.encode("utf-8") == text.encode("utf-8")
    assert audit.verify_chain(any_db).ok
