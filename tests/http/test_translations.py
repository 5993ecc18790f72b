"""Translation pages: the languages a version offers, a translation with its source version,
the stale notice with the source diff, and proposing and confirming an update, on plain
forms. Fed by the Contributor Covenant corpus (1.4 translated, then 2.0 adopted)."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import select

from agreements import services
from agreements.audit.canonical import sha256_text
from agreements.limits import MAX_AGREEMENT_CHARS
from agreements.models import AuditEvent, Translation
from tests.factories import World
from tests.pseudo_locale import pseudo_locale, untranslated_text

ENGLISH = ("v1.0", "v1.1", "v1.2", "v1.3", "v1.4")
pytestmark = pytest.mark.corpus


@pytest.fixture
def covenant(make, corpus_dir) -> World:
    """The Covenant up to 1.4 (versions 1-5) with its Arabic and French translations
    confirmed, then 2.0 adopted by consent as version 6: both translations are stale."""
    world = make.community(members=2)
    texts = [(corpus_dir / f"{name}.md").read_text(encoding="utf-8") for name in ENGLISH]
    world.agreement = services.import_agreement_history(
        make.session, world.facilitator, community_id=world.community.id,
        title="Contributor Covenant", texts=texts,
    )  # fmt: skip
    for tag in ("ar", "fr"):
        text = (corpus_dir / "translations" / f"v1.4.{tag}.md").read_text(encoding="utf-8")
        proposed = services.propose_translation(
            make.session, world.members[1], agreement_id=world.agreement.id, language=tag,
            text=text,
        )  # fmt: skip
        services.confirm_translation(make.session, world.facilitator, translation_id=proposed.id)
    v2 = (corpus_dir / "v2.0.md").read_text(encoding="utf-8")
    make.proposal(world, stage="adopted", text=v2)
    make.session.rollback()
    return world


def base(world: World) -> str:
    return f"/c/{world.community.slug}/a/{world.agreement.slug}"


def html(response, status: int = 200) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def counts(db) -> tuple[int, int]:
    db.rollback()
    return len(db.exec(select(Translation.id)).all()), len(db.exec(select(AuditEvent.id)).all())


def test_the_agreement_page_offers_each_language_with_its_lang_and_dir(client, login, covenant):
    login(client, covenant.members[0])
    text = html(client.get(base(covenant)))
    assert re.search(r'hreflang="ar" lang="ar" dir="rtl">العربية</a>', text)
    assert re.search(r'hreflang="fr" lang="fr" dir="ltr">français</a>', text)
    assert "from version 5, out of date" in text
    earlier = html(client.get(base(covenant) + "/v/5"))
    assert f'{base(covenant)}/translations/ar?from=5"' in earlier


def test_a_stale_arabic_translation_reads_right_to_left_with_the_source_diff(
    client, login, covenant, corpus_dir
):
    login(client, covenant.members[0])
    text = html(client.get(base(covenant) + "/translations/ar"))
    assert '<article class="agreement-text" lang="ar" dir="rtl"' in text
    assert "ميثاق القواعد السلوكية للمساهمين" in text
    assert "Translated from version 5; the source has changed since" in text
    stale = text.split('id="stale"')[1].split("</section>")[0]
    assert "diff-rendered" in stale and "<ins" in stale and "<del" in stale
    assert "Enforcement Guidelines" in stale  # a section 2.0 added
    assert 'lang="en" dir="ltr"' in stale  # the source diff is in the source's language


def test_a_member_proposes_an_update_and_only_the_facilitator_confirms_it(
    client, login, covenant, db
):
    member, facilitator = covenant.members[0], covenant.facilitator
    login(client, member)
    updated = "# Code de conduite\n\nMis à jour pour la version 2.0.\n"
    response = client.post(
        base(covenant) + "/translations/fr", data={"text": updated, "source": "6"}
    )
    assert response.status_code == 303
    proposed = db.exec(select(Translation).where(Translation.text == updated)).one()
    page = html(client.get(base(covenant) + "/translations/fr"))
    assert "Proposed translations waiting for a facilitator" in page
    assert "Confirm this translation" not in page  # a member cannot decide
    decide = f"{base(covenant)}/translations/fr/{proposed.id}/confirm"
    before = counts(db)
    assert client.post(decide).status_code == 403
    assert counts(db) == before

    login(client, facilitator)
    assert "Confirm this translation" in html(client.get(base(covenant) + "/translations/fr"))
    assert client.post(decide).status_code == 303
    page = html(client.get(base(covenant) + "/translations/fr"))
    assert "the source has changed since" not in page
    assert "Mis à jour pour la version 2.0." in page
    record = html(client.get(base(covenant) + "/v/6/record"))
    translations = record.split('id="translations-title"')[1].split("</section>")[0]
    assert "français" in translations and "العربية" not in translations
    confirmed = sha256_text(updated)
    kept = json.loads(html(client.get(base(covenant) + "/v/6/record.json")))
    assert [(t["language"], t["text_sha256"]) for t in kept["translations"]] == [("fr", confirmed)]
    markdown = html(client.get(base(covenant) + "/v/6/record.md"))
    listed = markdown.split("## Translations of this version")[1].split("##")[0]
    assert f"- `fr` (sha256 `{confirmed[:12]}`), confirmed " in listed and "`ar`" not in listed


def test_an_outsider_can_neither_read_nor_confirm(client, login, covenant, make, db):
    login(client, make.user("Outsider"))
    make.session.rollback()
    assert client.get(base(covenant) + "/translations/fr").status_code == 404
    pending = services.propose_translation(
        make.session, covenant.members[0], agreement_id=covenant.agreement.id, language="de",
        text="# Verhaltenskodex\n",
    )  # fmt: skip
    make.session.rollback()
    before = counts(db)
    assert client.post(f"{base(covenant)}/translations/de/{pending.id}/confirm").status_code == 404
    assert counts(db) == before


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"language": "not a tag", "text": "# Texte"}, 422),
        ({"language": "fr", "text": "   "}, 422),
        ({"language": "fr", "text": "x" * (MAX_AGREEMENT_CHARS + 1)}, 413),
    ],
)
def test_bad_input_is_refused_next_to_the_form_and_changes_nothing(
    client, login, covenant, db, data, status
):
    login(client, covenant.members[0])
    before = counts(db)
    text = html(client.post(base(covenant) + "/translations", data=data), status)
    assert 'class="flash flash-error"' in text
    assert counts(db) == before


def test_an_address_that_is_no_language_is_not_found(client, login, covenant):
    login(client, covenant.members[0])
    assert client.get(base(covenant) + "/translations/not_a_tag").status_code == 404
    assert client.get(base(covenant) + "/translations/en").status_code == 404  # its own language


def test_the_stale_page_and_its_forms_are_all_marked_for_translation(
    client, login, covenant, monkeypatch, make
):
    services.propose_translation(
        make.session, covenant.members[1], agreement_id=covenant.agreement.id, language="ar",
        text="# ميثاق\n", note="A first draft.",
    )  # fmt: skip
    make.session.rollback()
    pseudo_locale(monkeypatch)
    login(client, covenant.facilitator)
    text = html(client.get(base(covenant) + "/translations/ar"))
    assert "⟦" in text and "Confirm this translation" in text
    user_content = {covenant.community.name, covenant.agreement.title}  # the breadcrumb
    assert set(untranslated_text(text, within="#translation")) <= user_content
