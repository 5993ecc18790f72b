"""An agreement version laid out for reading: sections under their headings, a table of
contents, where each paragraph came from, and the open proposals that would change each
section.

The agreement page needs all of it at once; it is computed here once per request from the
current version and proposals the page has already loaded, the provenance kept with the
version, and one query for the open proposals' latest revisions with their base versions'
hashes, never a query per paragraph, per section or per version. The texts compared are
read only when the comparison is not already kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from markupsafe import Markup
from sqlmodel import Session

from ...models import Agreement, Proposal, Version
from ...text.kept import KeptByContent
from ...text.merge import paragraph_sources
from ...text.outline import Block, Heading, render_blocks, touched_paragraphs
from ..overlaps import Latest, latest_revisions
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


@dataclass(frozen=True)
class Section:
    """A heading and the paragraphs up to the next heading (the first section of a text
    that does not start with a heading has none), and the open proposals that change it."""

    heading: Heading | None
    paragraphs: list[Paragraph]
    proposals: list[Proposal]


@dataclass(frozen=True)
class Layout:
    """A version's text cut into sections: its paragraphs rendered, where each section
    starts, the section each paragraph is in, and the table of contents. The same for every
    reader, so it is kept by the text's hash."""

    blocks: list[Block]
    starts: list[int]
    section_of: list[int]
    contents: list[Heading]


@dataclass(frozen=True)
class Reading:
    """A version laid out for the agreement page: its layout, the open proposals that change
    each section (by the section's index) and, when asked, each paragraph's origin.

    The sections themselves are built only when the text is drawn: the page keeps it drawn
    under `shown`, which names everything they show without their origins (the text by its
    hash, and which open proposals change which section)."""

    layout: Layout
    text_sha256: str
    proposals: dict[int, list[Proposal]]
    origins: list[Paragraph] | None = None

    @property
    def contents(self) -> list[Heading]:
        """The headings, when there are enough of them for a table of contents."""
        return self.layout.contents

    @property
    def shown(self) -> tuple[object, ...]:
        """Everything the sections show without origins, as one hashable value."""
        marked = tuple(
            (index, tuple((p.id, p.title) for p in changing))
            for index, changing in sorted(self.proposals.items())
        )
        return (self.text_sha256, marked)

    @cached_property
    def sections(self) -> list[Section]:
        """The sections, each with its paragraphs and the open proposals that change it."""
        blocks = self.layout.blocks
        paragraphs = self.origins or [Paragraph(block.html) for block in blocks]
        ends = [*self.layout.starts[1:], len(blocks)]
        return [
            Section(blocks[start].heading, paragraphs[start:end], self.proposals.get(index, []))
            for index, (start, end) in enumerate(zip(self.layout.starts, ends, strict=True))
        ]


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
    layout = _layouts.get(version.text_sha256, lambda: _layout(version.text))
    changing: dict[int, list[Proposal]] = {}
    if version.number == current.number:
        open_proposals = [p for p in proposals if p.closed_at is None and p.state != "draft"]
        touched = _touched_by(session, open_proposals, current)
        for proposal in open_proposals:
            paragraphs = touched.get(proposal.id, set())
            sections = {layout.section_of[i] for i in paragraphs if i < len(layout.blocks)}
            for index in sorted(sections):
                changing.setdefault(index, []).append(proposal)
    with_origins = (
        _with_origins(session, agreement, version, proposals, layout.blocks) if origins else None
    )
    return Reading(layout, version.text_sha256, changing, with_origins)


def _layout(text: str) -> Layout:
    blocks = render_blocks(paragraph_sources(text))
    starts: list[int] = []
    section_of: list[int] = []
    for index, block in enumerate(blocks):
        if block.heading is not None or not starts:
            starts.append(index)
        section_of.append(len(starts) - 1)
    headings = [b.heading for b in blocks if b.heading is not None]
    contents = headings if len(headings) >= CONTENTS_MIN_HEADINGS else []
    return Layout(blocks, starts, section_of, contents)


# A version's layout, kept by its text's hash: the same for every reader.
_layouts: KeptByContent[Layout] = KeptByContent(size=64)


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
    by_id |= proposals_by_id(session, agreement, decisions)
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
    return {
        proposal_id: _touched(session, latest, current)
        for proposal_id, latest in latest_revisions(session, proposals).items()
    }


_touched_kept: KeptByContent[set[int]] = KeptByContent(size=1024)


def _touched(session: Session, latest: Latest, current: Version) -> set[int]:
    """The paragraphs of `current` the revision touches, kept by the three texts' hashes
    (the texts themselves are read only when it is not kept)."""
    revision = latest.revision

    def touched() -> set[int]:
        base_version = session.get(Version, revision.base_version_id)
        assert base_version is not None
        return touched_paragraphs(base_version.text, revision.text, current.text)

    return _touched_kept.get(
        (latest.base_sha256, revision.text_sha256, current.text_sha256), touched
    )
