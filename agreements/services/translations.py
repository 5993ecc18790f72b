"""Translations of an agreement: each made from one adopted version, confirmed by a facilitator.

A translation follows its source; it is not decided again. Any member proposes a translated
text for a language, made from an adopted version (the current one unless said otherwise).
A facilitator confirms it, and it becomes the language's current translation, or declines it
with a reason: the small TRANSLATION_UPDATE protocol (workflows/protocols.py) says who may
make each move. The first translation of a language and every update go through the same
decision. When the source gets a new version, the translation is stale: its page says from
which version it was made and shows the source diff since, so a translator knows what to
update.

Each use case is one transaction with one audit event (translation.proposed, .confirmed,
.declined), so `audit verify` covers translations like every other change.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from workflows import TRANSLATION_UPDATE, Flow
from workflows.protocols import FACILITATOR, PARTICIPANT

from .. import audit
from ..access import membership_of, require_member
from ..audit.canonical import sha256_text
from ..errors import InvalidInput, NotFound, Refused
from ..languages import check_language_tag
from ..limits import MAX_AGREEMENT_CHARS, MAX_DISCUSSION_CHARS, clean_text
from ..models import Agreement, Community, Membership, Translation, User, Version, utcnow
from ..text.diff import TextDiff, diff_texts
from ..wording import _
from ._unit import get_or_404, lock, lock_or_404, use_case
from .queries import translations_of_version


def _subject(agreement: Agreement, translation: Translation) -> audit.Subject:
    return audit.Subject(
        "translation",
        translation.id,
        community_id=agreement.community_id,
        agreement_id=agreement.id,
    )


def _roles(membership: Membership) -> set[str]:
    """The TRANSLATION_UPDATE roles of a member: every member takes part, facilitators decide."""
    return {PARTICIPANT, FACILITATOR} if membership.role == "facilitator" else {PARTICIPANT}


def _source_version(session: Session, agreement: Agreement, number: int | None) -> Version:
    """The adopted version a translation is made from: `number`, or the current one."""
    statement = select(Version).where(Version.agreement_id == agreement.id)
    if number is None:
        statement = statement.order_by(col(Version.number).desc()).limit(1)
    else:
        statement = statement.where(Version.number == number)
    found = session.exec(statement).first()
    if found is None:
        raise InvalidInput(
            _("%(agreement)s has no version %(number)s.", agreement=agreement.title, number=number),
            "source",
        )
    return found


def translation_language(agreement: Agreement, value: object) -> str:
    """A BCP 47 tag for a translation of `agreement`: well formed, and not its own language."""
    language = check_language_tag(value)
    if language.lower() == agreement.language.lower():
        raise InvalidInput(
            _(
                "“%(title)s” is written in %(language)s: a translation is in another language.",
                title=agreement.title,
                language=agreement.language,
            ),
            "language",
        )
    return language


@use_case
def propose_translation(
    session: Session,
    actor: User | None,
    *,
    agreement_id: int,
    language: str,
    text: str,
    source_number: int | None = None,
    note: str = "",
) -> Translation:
    """A member proposes a translated text for `language`, made from version `source_number`
    (the current version when None): the first translation of that language, or an update.
    It waits for a facilitator's confirmation."""
    agreement = get_or_404(session, Agreement, agreement_id)
    community = session.get(Community, agreement.community_id)
    assert community is not None
    require_member(session, actor, community)
    assert actor is not None and actor.id is not None
    tag = translation_language(agreement, language)
    cleaned = clean_text(text, field="text", limit=MAX_AGREEMENT_CHARS)
    note = clean_text(note, field="note", limit=MAX_DISCUSSION_CHARS, required=False).strip()
    source = _source_version(session, agreement, source_number)
    translation = Translation(
        agreement_id=agreement.id,  # type: ignore[arg-type]
        language=tag,
        source_version_id=source.id,  # type: ignore[arg-type]
        text=cleaned,
        text_sha256=sha256_text(cleaned),
        note=note,
        proposer_id=actor.id,
        state=TRANSLATION_UPDATE.initial,
    )
    session.add(translation)
    session.flush()
    audit.record(
        session,
        actor,
        "translation.proposed",
        _subject(agreement, translation),
        {
            "language": tag,
            "source_version": source.number,
            "text_sha256": translation.text_sha256,
            "note": note,
        },
    )
    return translation


def _load_for_decision(
    session: Session, actor: User | None, translation_id: int
) -> tuple[Translation, Agreement, Version, Membership]:
    """The translation (locked), its agreement and source, and the actor's membership."""
    found = get_or_404(session, Translation, translation_id)
    community = session.exec(
        select(Community).join(Agreement).where(Agreement.id == found.agreement_id)
    ).one()
    membership = require_member(session, actor, community)
    agreement = lock(session, Agreement, found.agreement_id)  # one decision at a time
    translation = lock_or_404(session, Translation, translation_id)
    source = session.get(Version, translation.source_version_id)
    assert source is not None
    return translation, agreement, source, membership


def current_translation(
    session: Session, agreement: Agreement, language: str
) -> Translation | None:
    """The confirmed translation of `language` that is current, if there is one."""
    return session.exec(
        select(Translation).where(
            Translation.agreement_id == agreement.id,
            Translation.language == language,
            col(Translation.is_current),
        )
    ).first()


@use_case
def confirm_translation(
    session: Session, actor: User | None, *, translation_id: int
) -> Translation:
    """A facilitator confirms a proposed translation: it becomes its language's current one.

    A translation made from an older version than the current one of its language would
    undo an update, so it is refused.
    """
    translation, agreement, source, membership = _load_for_decision(session, actor, translation_id)
    Flow(translation, TRANSLATION_UPDATE).fire("confirm", _roles(membership))
    previous = current_translation(session, agreement, translation.language)
    previous_source: Version | None = None
    if previous is not None:
        previous_source = session.get(Version, previous.source_version_id)
        assert previous_source is not None
        if previous_source.number > source.number:
            raise Refused(
                _(
                    "The current translation was made from version %(current)s, newer than "
                    "version %(source)s this one was made from. Propose a translation of a "
                    "newer version instead.",
                    current=previous_source.number,
                    source=source.number,
                )
            )
        previous.is_current = False
        session.add(previous)
        session.flush()  # one current translation per language: the old one steps down first
    translation.is_current = True
    translation.decided_by_id = actor.id if actor else None
    translation.decided_at = utcnow()
    session.add(translation)
    session.flush()
    audit.record(
        session,
        actor,
        "translation.confirmed",
        _subject(agreement, translation),
        {
            "language": translation.language,
            "source_version": source.number,
            "text_sha256": translation.text_sha256,
            # the version the translation it replaces was made from (None: the first one)
            "replaces_version": previous_source.number if previous_source is not None else None,
        },
    )
    return translation


@use_case
def decline_translation(
    session: Session, actor: User | None, *, translation_id: int, reason: str
) -> Translation:
    """A facilitator declines a proposed translation, saying why (the proposer reads it)."""
    translation, agreement, source, membership = _load_for_decision(session, actor, translation_id)
    flow = Flow(translation, TRANSLATION_UPDATE)
    refused = flow.check("decline", _roles(membership))  # who may, before what they wrote
    if refused is not None:
        raise refused
    translation.reason = clean_text(reason, field="reason", limit=MAX_DISCUSSION_CHARS).strip()
    flow.fire("decline", _roles(membership))
    translation.decided_by_id = actor.id if actor else None
    translation.decided_at = utcnow()
    session.add(translation)
    audit.record(
        session,
        actor,
        "translation.declined",
        _subject(agreement, translation),
        {
            "language": translation.language,
            "source_version": source.number,
            "reason": translation.reason,
        },
    )
    return translation


# --- reading --------------------------------------------------------------------------------


def current_translations(session: Session, agreement: Agreement) -> list[Translation]:
    """Every language's current translation of the agreement, by language tag."""
    return list(
        session.exec(
            select(Translation)
            .where(Translation.agreement_id == agreement.id, col(Translation.is_current))
            .order_by(col(Translation.language))
        )
    )


@dataclass(frozen=True)
class Offered:
    """A language a version page offers: the translation to read, and whether it is stale."""

    translation: Translation
    source_number: int
    is_stale: bool


def offered_translations(
    session: Session, agreement: Agreement, version: Version, current: Version
) -> list[Offered]:
    """The translations a version page links to: on the current version, every language's
    current translation (stale ones marked); on an earlier version, those made from it."""
    if version.number == current.number:
        rows = current_translations(session, agreement)
    else:
        rows = translations_of_version(session, version)
    numbers = _version_numbers(session, {row.source_version_id for row in rows})
    return [
        Offered(
            row, numbers[row.source_version_id], numbers[row.source_version_id] < current.number
        )
        for row in rows
    ]


def _version_numbers(session: Session, ids: set[int]) -> dict[int, int]:
    if not ids:
        return {}
    found = session.exec(select(Version.id, Version.number).where(col(Version.id).in_(ids)))
    return {row_id: number for row_id, number in found if row_id is not None}


@dataclass(frozen=True)
class Pending:
    """A proposed translation waiting for a facilitator, with the version it was made from."""

    translation: Translation
    source_number: int


@dataclass(frozen=True)
class TranslationView:
    """What a translation page shows for one language of an agreement."""

    language: str
    shown: Translation | None
    source: Version | None
    current_version: Version
    source_diff: TextDiff | None
    pending: list[Pending]
    can_propose: bool
    can_decide: bool

    @property
    def is_stale(self) -> bool:
        """Whether the source has a newer version than the one the shown text was made from."""
        return self.source is not None and self.source.number < self.current_version.number

    @property
    def is_current(self) -> bool:
        """Whether the shown translation is its language's current one (not a past one)."""
        return self.shown is not None and self.shown.is_current


def translation_view(
    session: Session,
    actor: User | None,
    community: Community,
    agreement: Agreement,
    language: str,
    from_version: int | None = None,
) -> TranslationView:
    """The page of one language (the caller checked the community is visible): its current
    translation, or with `from_version` the one made from that version; the source diff
    since, when stale; and the proposals waiting, with what the reader may do."""
    try:
        tag = translation_language(agreement, language)
    except InvalidInput as error:
        raise NotFound() from error
    latest = _source_version(session, agreement, None)
    if from_version is None:
        shown = current_translation(session, agreement, tag)
    else:
        version = session.exec(
            select(Version).where(
                Version.agreement_id == agreement.id, Version.number == from_version
            )
        ).first()
        made = translations_of_version(session, version) if version is not None else []
        shown = next((row for row in made if row.language == tag), None)
        if shown is None:
            raise NotFound()
    source = session.get(Version, shown.source_version_id) if shown is not None else None
    waiting = list(
        session.exec(
            select(Translation)
            .where(
                Translation.agreement_id == agreement.id,
                Translation.language == tag,
                Translation.state == "proposed",
            )
            .order_by(col(Translation.id))
        )
    )
    numbers = _version_numbers(session, {row.source_version_id for row in waiting})
    membership = membership_of(session, actor, community)
    return TranslationView(
        language=tag,
        shown=shown,
        source=source,
        current_version=latest,
        source_diff=(
            diff_texts(source.text, latest.text)
            if source is not None and source.number < latest.number
            else None
        ),
        pending=[Pending(row, numbers[row.source_version_id]) for row in waiting],
        can_propose=membership is not None,
        can_decide=membership is not None and FACILITATOR in _roles(membership),
    )
