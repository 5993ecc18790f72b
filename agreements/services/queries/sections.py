"""An agreement version laid out for reading: sections under their headings, a table of
contents, where each paragraph came from, and the open proposals that would change each
section.

The agreement page needs all of it at once; it is computed here once per request from the
current version and proposals the page has already loaded, the provenance kept with the
version, one query for the open proposals' latest revisions and one for their base
versions' hashes, never a query per paragraph, per section or per version. The texts
compared are read only when the comparison is not already kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from ...models import Agreement, Proposal, Revision, Version
from ...text.kept import KeptByContent
from ...text.merge import paragraph_sources
from ...text.outline import Block, Heading, render_blocks, touched_paragraphs
from ..overlaps import latest_revisions
from .agreements import proposals_by_id, provenance

#: From this many headings on, the page offers a table of contents.
CONTENTS_MIN_HEADINGS = 3


@dataclass(frozen=True)
class Paragraph:
    """One paragraph as shown: safe HTML, and (when the reader asks where paragraphs came
    from) the version that last changed it. `decision` is the proposal that adopted that
    version, None for a version that was imported or created, or when not asked."""

    html: Markup
    origin: Version | None = None
    decision: Proposal | None = None


@dataclass
class Section:
    """A heading and the paragraphs up to the next heading (the first section of a text
    that does not start with a heading has none), and the open proposals that change it."""

    heading: Heading | None
    paragraphs: list[Paragraph] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)


@dataclass(frozen=True)
class Reading:
    """A version laid out for the agreement page. `shown` names everything the sections
    show without their origins: the text (by its hash) and each section's open proposals."""

    sections: list[Section]
    contents: list[Heading]
    shown: tuple[object, ...]


def reading(
    session: Session,
    agreement: Agreement,
    version: Version,
    current: Version,
    proposals: list[Proposal],
    *,
    origins: bool,
) -> Reading:
    """Lay out `version` of `agreement` (whose newest version is `current`) for reading.

    `proposals` are the agreement's proposals the reader may see (drafts left out); those
    still open are marked on the sections they change, on the current version only, since
    that is the text they would change. With `origins`, each paragraph carries the version
    and decision it came from; the decisions are loaded here when `proposals` does not
    hold them.
    """
    blocks = _blocks_kept.get(version.text_sha256, lambda: _blocks(version.text))
    if origins:
        paragraphs = _with_origins(session, agreement, version, proposals, blocks)
    else:
        paragraphs = [Paragraph(block.html) for block in blocks]
    sections: list[Section] = []
    first_index: list[int] = []
    for index, (paragraph, block) in enumerate(zip(paragraphs, blocks, strict=True)):
        if block.heading is not None or not sections:
            sections.append(Section(block.heading))
            first_index.append(index)
        sections[-1].paragraphs.append(paragraph)
    if version.number == current.number:
        open_proposals = [p for p in proposals if p.closed_at is None and p.state != "draft"]
        touched = _touched_by(session, open_proposals, current)
        ends = [*first_index[1:], len(blocks)]
        for section, start, end in zip(sections, first_index, ends, strict=True):
            section.proposals = [
                p for p in open_proposals if any(start <= i < end for i in touched.get(p.id, ()))
            ]
    headings = [b.heading for b in blocks if b.heading is not None]
    marked = tuple(tuple((p.id, p.title) for p in section.proposals) for section in sections)
    shown = (version.text_sha256, marked)
    return Reading(sections, headings if len(headings) >= CONTENTS_MIN_HEADINGS else [], shown)


def _blocks(text: str) -> list[Block]:
    return render_blocks(paragraph_sources(text))


# A version's paragraphs rendered, kept by its text's hash: the same for every reader.
_blocks_kept: KeptByContent[list[Block]] = KeptByContent(size=64)


def _with_origins(
    session: Session,
    agreement: Agreement,
    version: Version,
    proposals: list[Proposal],
    blocks: list[Block],
) -> list[Paragraph]:
    """Each paragraph with the version and decision it came from."""
    blame = provenance(session, agreement, version)
    by_id = {p.id: p for p in proposals}
    decisions = {paragraph.version.proposal_id for paragraph in blame} - by_id.keys()
    by_id |= proposals_by_id(session, agreement, decisions) if decisions else {}
    return [
        Paragraph(block.html, paragraph.version, by_id.get(paragraph.version.proposal_id))
        for paragraph, block in zip(blame, blocks, strict=True)
    ]


def _touched_by(
    session: Session, proposals: list[Proposal], current: Version
) -> dict[int | None, set[int]]:
    """For each proposal, the paragraphs of the current version its latest revision changes."""
    if not proposals:
        return {}
    revisions = latest_revisions(session, proposals).values()
    bases = {r.base_version_id for r in revisions}
    found = session.exec(_BASE_HASHES, params={"ids": list(bases)})
    hashes = {version_id: sha for version_id, sha in found}
    return {
        r.proposal_id: _touched(session, (r.base_version_id, hashes[r.base_version_id]), r, current)
        for r in revisions
    }


# Read on every view of an agreement with open proposals: built once, with the ids as a
# parameter (building a statement and computing its cache key cost more than running it).
_BASE_HASHES = select(Version.id, Version.text_sha256).where(
    col(Version.id).in_(bindparam("ids", expanding=True))
)
_touched_kept: KeptByContent[set[int]] = KeptByContent(size=1024)


def _touched(
    session: Session, base: tuple[int, str], revision: Revision, current: Version
) -> set[int]:
    """The paragraphs of `current` the revision touches, kept by the three texts' hashes
    (the texts themselves are read only when it is not kept)."""
    base_id, base_sha = base

    def touched() -> set[int]:
        base_version = session.get(Version, base_id)
        assert base_version is not None
        return touched_paragraphs(base_version.text, revision.text, current.text)

    return _touched_kept.get((base_sha, revision.text_sha256, current.text_sha256), touched)
