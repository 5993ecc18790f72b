"""Translations of an agreement follow their source: confirmed by a facilitator, stale with
the exact source diff when the source moves on, current again once updated and confirmed.

The Contributor Covenant corpus feeds the story: its English history up to 1.4 is adopted
through the services, its real translations of 1.4 are added, 2.0 is adopted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from agreements import audit, services
from agreements.audit import archive, archive_merge
from agreements.errors import Forbidden, InvalidInput, Refused, TooLarge
from agreements.limits import MAX_AGREEMENT_CHARS
from agreements.models import (
    Agreement,
    AuditEvent,
    Community,
    Notification,
    Translation,
    Version,
)
from agreements.services.translations import offered_translations, translation_view
from agreements.text.diff import diff_texts
from tests.factories import Factory, World

ENGLISH = ("v1.0", "v1.1", "v1.2", "v1.3", "v1.4")
TRANSLATED = {"ar": "ar", "de": "de", "fr": "fr", "ja": "ja", "pt-br": "pt-BR", "zh-cn": "zh-CN"}


def covenant_at_1_4(make: Factory, corpus: Path) -> World:
    """A community whose agreement is the Covenant: 1.0 imported, 1.1 to 1.4 adopted by
    consent, so version 5 is 1.4."""
    world = make.community(members=2)
    texts = [(corpus / f"{name}.md").read_text(encoding="utf-8") for name in ENGLISH]
    world.agreement = services.import_agreement_history(
        make.session, world.facilitator, community_id=world.community.id,
        title="Contributor Covenant", texts=texts[:1],
    )  # fmt: skip
    for text in texts[1:]:
        make.proposal(world, stage="adopted", text=text)
    return world


def translate(db: Session, world: World, language: str, text: str, source: int | None = None):
    """A member proposes the translation and the facilitator confirms it."""
    proposed = services.propose_translation(
        db, world.members[1], agreement_id=world.agreement.id, language=language, text=text,
        source_number=source,
    )  # fmt: skip
    return services.confirm_translation(db, world.facilitator, translation_id=proposed.id)


def version(db: Session, agreement: Agreement, number: int) -> Version:
    return db.exec(
        select(Version).where(Version.agreement_id == agreement.id, Version.number == number)
    ).one()


@pytest.mark.corpus
def test_translations_of_1_4_go_stale_with_the_diff_to_2_0_until_updated(
    any_db, any_make, corpus_dir
):
    world = covenant_at_1_4(any_make, corpus_dir)
    folder = corpus_dir / "translations"
    for suffix, tag in TRANSLATED.items():
        translate(any_db, world, tag, (folder / f"v1.4.{suffix}.md").read_text(encoding="utf-8"))
    community, agreement = world.community, world.agreement

    before = translation_view(any_db, None, community, agreement, "fr")
    assert before.source.number == 5 and not before.is_stale and before.source_diff is None

    v2 = (corpus_dir / "v2.0.md").read_text(encoding="utf-8")
    any_make.proposal(world, stage="adopted", text=v2)
    v1_4, v2_0 = version(any_db, agreement, 5), version(any_db, agreement, 6)
    expected = diff_texts(v1_4.text, v2_0.text)
    for tag in TRANSLATED.values():
        view = translation_view(any_db, None, community, agreement, tag)
        assert view.is_stale and view.source.number == 5 and view.current_version.number == 6
        assert view.source_diff == expected
    offered = offered_translations(any_db, agreement, v2_0, v2_0)
    assert sorted(o.translation.language for o in offered) == sorted(TRANSLATED.values())
    assert all(o.is_stale and o.source_number == 5 for o in offered)

    french_1_4 = (folder / "v1.4.fr.md").read_text(encoding="utf-8")
    updated = french_1_4 + "\n## Lignes directrices d'application\n\nNouvelle section.\n"
    translate(any_db, world, "fr", updated)

    french = translation_view(any_db, None, community, agreement, "fr")
    assert french.shown.text == updated and french.source.number == 6
    assert not french.is_stale and french.source_diff is None
    assert translation_view(any_db, None, community, agreement, "ar").is_stale
    # version 5 still offers the French translation made from it
    made_from_1_4 = offered_translations(any_db, agreement, v1_4, v2_0)
    assert {o.translation.language: o.translation.text for o in made_from_1_4}["fr"] == french_1_4
    current = any_db.exec(
        select(Translation).where(Translation.language == "fr", col(Translation.is_current))
    ).all()
    assert [row.text for row in current] == [updated]
    assert audit.verify_chain(any_db).ok


def events(db: Session) -> int:
    return len(db.exec(select(AuditEvent.id)).all())


def test_an_older_translation_never_replaces_a_newer_one(any_db, any_make):
    world = any_make.community(members=2)
    any_make.proposal(world, stage="adopted")
    translate(any_db, world, "fr", "# Notre accord, version 2\n")
    older = services.propose_translation(
        any_db, world.members[0], agreement_id=world.agreement.id, language="fr",
        text="# Notre accord, version 1\n", source_number=1,
    )  # fmt: skip
    with pytest.raises(Refused, match="made from version 2"):
        services.confirm_translation(any_db, world.facilitator, translation_id=older.id)
    view = translation_view(any_db, None, world.community, world.agreement, "fr")
    assert view.shown.text == "# Notre accord, version 2\n"
    assert [p.translation.id for p in view.pending] == [older.id]


def test_only_a_facilitator_decides_and_a_decided_translation_stays_decided(any_db, any_make):
    world = any_make.community(members=2)
    proposed = services.propose_translation(
        any_db, world.members[0], agreement_id=world.agreement.id, language="de", text="# Text\n"
    )
    with pytest.raises(Forbidden):
        services.confirm_translation(any_db, world.members[1], translation_id=proposed.id)
    with pytest.raises(InvalidInput):
        services.decline_translation(
            any_db, world.facilitator, translation_id=proposed.id, reason=""
        )
    services.decline_translation(
        any_db,
        world.facilitator,
        translation_id=proposed.id,
        reason="Please use the formal register.",
    )
    with pytest.raises(Refused):
        services.confirm_translation(any_db, world.facilitator, translation_id=proposed.id)
    assert translation_view(any_db, None, world.community, world.agreement, "de").shown is None


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"language": "not a tag"}, InvalidInput),
        ({"language": "en"}, InvalidInput),  # the agreement's own language
        ({"text": "  \n"}, InvalidInput),
        ({"text": "x" * (MAX_AGREEMENT_CHARS + 1)}, TooLarge),
        ({"source_number": 9}, InvalidInput),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(any_db, any_make, changes, error):
    world = any_make.community(members=1)
    count = events(any_db)
    arguments = {"agreement_id": world.agreement.id, "language": "fr", "text": "# Accord\n"}
    with pytest.raises(error):
        services.propose_translation(any_db, world.members[0], **{**arguments, **changes})
    assert events(any_db) == count
    assert any_db.exec(select(Translation)).all() == []


def test_translations_travel_with_a_community_archive(any_db, any_make):
    world = any_make.community(members=2)
    translate(any_db, world, "fr", "# Notre accord\n")
    data = json.loads(archive.dump_archive(archive.export_community(any_db, world.community.slug)))
    assert [row["text"] for row in data["tables"]["translation"]] == ["# Notre accord\n"]

    result = archive_merge.import_community(any_db, data, slug="copy")
    assert result.ok, result.message
    copy = any_db.exec(select(Community).where(Community.slug == "copy")).one()
    agreement = any_db.exec(select(Agreement).where(Agreement.community_id == copy.id)).one()
    view = translation_view(any_db, None, copy, agreement, "fr")
    assert view.shown.text == "# Notre accord\n" and view.source.agreement_id == agreement.id


def test_facilitators_hear_of_a_proposed_translation_and_its_translator_of_the_decision(
    any_db, any_make
):
    world = any_make.community(members=2)
    translator = world.members[0]
    proposed = services.propose_translation(
        any_db, translator, agreement_id=world.agreement.id, language="it", text="# Accordo\n"
    )
    services.decline_translation(
        any_db, world.facilitator, translation_id=proposed.id, reason="Use the formal register."
    )
    told = any_db.exec(select(Notification).order_by(col(Notification.id))).all()
    assert [(n.recipient_id, n.kind) for n in told] == [
        (world.facilitator.id, "translation_proposed"),
        (translator.id, "translation_decided"),
    ]
    assert "Use the formal register." in told[1].text
