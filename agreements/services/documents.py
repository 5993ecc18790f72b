"""Use cases that create agreements and their adopted history."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from .. import audit
from ..access import require_facilitator
from ..audit.canonical import sha256_text
from ..errors import InvalidInput, Refused
from ..languages import DEFAULT_LANGUAGE, check_language_tag
from ..limits import MAX_AGREEMENT_CHARS, MAX_TITLE_CHARS, clean_line, clean_text
from ..models import Agreement, Community, User, Version
from ..text.merge import next_provenance
from ..text.slugs import slugify, unique_slug
from ..wording import _
from ._unit import get_or_404, is_system, use_case
from .provenance import version_origins


def slug_for(title: str) -> str:
    """A readable URL slug made from a title, in any script ("Our Charter!" -> "our-charter",
    "Χάρτης μας" -> "χάρτης-μας"); "agreement" when the title has no letter or digit."""
    return slugify(title) or "agreement"


def _unique_slug(session: Session, community: Community, title: str) -> str:
    """A slug no other agreement of the community has; made once, so renaming keeps it."""

    def is_taken(slug: str) -> bool:
        found = session.exec(
            select(Agreement.id).where(
                Agreement.community_id == community.id, Agreement.slug == slug
            )
        ).first()
        return found is not None

    return unique_slug(slug_for(title), is_taken)


def agreement_text(value: object, field: str = "text") -> str:
    """An agreement text: required, within the documented maximum size."""
    return clean_text(value, field=field, limit=MAX_AGREEMENT_CHARS)


def append_version(
    session: Session,
    agreement: Agreement,
    text: str,
    *,
    parent: Version | None,
    actor: User | None,
    proposal_id: int | None = None,
) -> Version:
    """Add the next adopted version (numbers are dense: parent's number + 1), with its
    paragraphs' provenance computed from its parent's, so no page recomputes it."""
    number = (parent.number + 1) if parent else 1
    origins = next_provenance(
        parent.text if parent else None,
        version_origins(session, parent) if parent else [],
        text,
        number,
    )
    version = Version(
        agreement_id=agreement.id,  # type: ignore[arg-type]
        number=number,
        text=text,
        text_sha256=sha256_text(text),
        parent_id=parent.id if parent else None,
        proposal_id=proposal_id,
        adopted_by_id=actor.id if actor else None,
        provenance=json.dumps(origins, separators=(",", ":")),
    )
    session.add(version)
    session.flush()
    return version


def _new_agreement(
    session: Session,
    actor: User | None,
    community_id: int,
    title: str,
    texts: list[str],
    language: str,
) -> Agreement:
    community = get_or_404(session, Community, community_id)
    if not is_system(actor):
        require_facilitator(session, actor, community)
    if not texts:
        raise InvalidInput(_("An agreement needs a text."), "text")
    cleaned = [agreement_text(t, field=f"text {i + 1}") for i, t in enumerate(texts)]
    title = clean_line(title, field="title", limit=MAX_TITLE_CHARS)
    agreement = Agreement(
        community_id=community.id,  # type: ignore[arg-type]
        title=title,
        slug=_unique_slug(session, community, title),
        language=check_language_tag(language),
    )
    session.add(agreement)
    session.flush()
    parent = None
    for text in cleaned:
        parent = append_version(session, agreement, text, parent=parent, actor=actor)
    assert parent is not None
    audit.record(
        session,
        actor,
        "agreement.created",
        audit.Subject(
            "agreement", agreement.id, community_id=community.id, agreement_id=agreement.id
        ),
        {
            "title": title,
            "versions": [
                {"number": n + 1, "sha256": sha256_text(text)} for n, text in enumerate(cleaned)
            ],
        },
    )
    return agreement


@use_case
def create_agreement(
    session: Session,
    actor: User | None,
    *,
    community_id: int,
    title: str,
    text: str,
    language: str = DEFAULT_LANGUAGE,
) -> Agreement:
    """A facilitator starts an agreement from Markdown, written in `language` (a BCP 47
    tag); the text becomes version 1."""
    return _new_agreement(session, actor, community_id, title, [text], language)


@use_case
def import_agreement_history(
    session: Session,
    actor: User | None,
    *,
    community_id: int,
    title: str,
    texts: list[str],
    language: str = DEFAULT_LANGUAGE,
) -> Agreement:
    """Bring in an agreement with its earlier adopted texts, oldest first (versions 1..n)."""
    if len(texts) > 500:
        raise Refused(_("At most 500 versions can be imported at once."))
    return _new_agreement(session, actor, community_id, title, texts, language)
