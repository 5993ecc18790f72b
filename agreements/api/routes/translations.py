"""Translations of an agreement: the current one of each language, proposing a translated
text, and a facilitator's confirmation or refusal (services/translations.py holds the rules)."""

from __future__ import annotations

from sqlmodel import Session

from ... import services
from ...models import Agreement, Translation, User, Version
from ...services import queries
from ...services.translations import current_translations
from .. import bodies, schemas
from ..operations import operation
from ..paging import paged
from .agreements import AGREEMENT, find_agreement

TAG = "Translations"


def translation_out(session: Session, translation: Translation) -> schemas.Translation:
    """A translation with the number of its source version and whether it is stale."""
    source = session.get(Version, translation.source_version_id)
    agreement = session.get(Agreement, translation.agreement_id)
    assert source is not None and agreement is not None
    return schemas.Translation.model_validate(
        {
            **translation.model_dump(),
            "source_version": source.number,
            "is_stale": source.number < queries.version_count(session, agreement),
        }
    )


@operation(
    "get",
    AGREEMENT + "/translations",
    summary="List the current translations",
    tag=TAG,
    response=schemas.Page[schemas.Translation],
    query=bodies.PageQuery,
)
def list_translations(
    session: Session, actor: User | None, *, slug: str, agreement_slug: str, query: bodies.PageQuery
) -> schemas.Page[schemas.Translation]:
    """Each language's confirmed translation, by language tag, saying which version it was
    made from and whether the agreement changed since."""
    agreement = find_agreement(session, actor, slug, agreement_slug)
    return paged(
        schemas.Translation,
        current_translations(session, agreement),
        query,
        convert=lambda row: translation_out(session, row),
    )


@operation(
    "post",
    AGREEMENT + "/translations",
    summary="Propose a translation",
    tag=TAG,
    body=bodies.TranslationCreate,
    response=schemas.Translation,
)
def propose_translation(
    session: Session,
    actor: User | None,
    *,
    slug: str,
    agreement_slug: str,
    body: bodies.TranslationCreate,
) -> schemas.Translation:
    """Members: a translated text for a language (the first one or an update), made from
    `source_version` (default: the current version). A facilitator confirms it."""
    agreement = find_agreement(session, actor, slug, agreement_slug)
    translation = services.propose_translation(
        session,
        actor,
        agreement_id=agreement.id,
        language=body.language,
        text=body.text,
        source_number=body.source_version,
        note=body.note,
    )
    return translation_out(session, translation)


@operation(
    "post",
    "/translations/{translation_id}/confirm",
    summary="Confirm a translation",
    tag=TAG,
    response=schemas.Translation,
    status=200,
)
def confirm_translation(
    session: Session, actor: User | None, *, translation_id: int
) -> schemas.Translation:
    """Facilitators only: the proposed translation becomes its language's translation."""
    translation = services.confirm_translation(session, actor, translation_id=translation_id)
    return translation_out(session, translation)


@operation(
    "post",
    "/translations/{translation_id}/decline",
    summary="Decline a translation",
    tag=TAG,
    body=bodies.RequiredReason,
    response=schemas.Translation,
    status=200,
)
def decline_translation(
    session: Session, actor: User | None, *, translation_id: int, body: bodies.RequiredReason
) -> schemas.Translation:
    """Facilitators only, with the reason the proposer reads."""
    translation = services.decline_translation(
        session, actor, translation_id=translation_id, reason=body.reason
    )
    return translation_out(session, translation)
