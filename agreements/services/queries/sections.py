"""An agreement version laid out for reading: sections under their headings, a table of
contents, where each paragraph came from, and the open proposals that would change each
section.

The agreement page needs all of it at once; it is computed here once per request from the
versions and proposals the page has already loaded, the provenance and one query for the
open proposals' latest revisions, never a query per paragraph or per section.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import func
from sqlmodel import Session, col, select

from ...models import Agreement, Proposal, Revision, Version
from ...text.outline import Heading, render_blocks, touched_paragraphs
from .agreements import provenance

#: From this many headings on, the page offers a table of contents.
CONTENTS_MIN_HEADINGS = 3


@dataclass(frozen=True)
class Paragraph:
    """One paragraph as shown: safe HTML, and the version (and so the decision) that last
    changed it. `decision` is the proposal that adopted that version, None for a version
    that was imported or created."""

    html: Markup
    origin: Version
    decision: Proposal | None


@dataclass
class Section:
    """A heading and the paragraphs up to the next heading (the first section of a text
    that does not start with a heading has none), and the open proposals that change it."""

    heading: Heading | None
    paragraphs: list[Paragraph] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)


@dataclass(frozen=True)
class Reading:
    """A version laid out for the agreement page."""

    sections: list[Section]
    contents: list[Heading]


def reading(
    session: Session,
    agreement: Agreement,
    version: Version,
    versions: list[Version],
    proposals: list[Proposal],
) -> Reading:
    """Lay out `version` of `agreement` (whose `versions` are given oldest first) for reading.

    `proposals` are the agreement's proposals the reader may see (drafts left out); those
    still open are marked on the sections they change, on the current version only, since
    that is the text they would change.
    """
    blame = provenance(session, agreement, version)
    blocks = render_blocks([paragraph.text for paragraph in blame])
    by_id = {p.id: p for p in proposals}
    sections: list[Section] = []
    first_index: list[int] = []
    for index, (paragraph, block) in enumerate(zip(blame, blocks, strict=True)):
        if block.heading is not None or not sections:
            sections.append(Section(block.heading))
            first_index.append(index)
        origin = paragraph.version
        sections[-1].paragraphs.append(Paragraph(block.html, origin, by_id.get(origin.proposal_id)))
    if version.number == versions[-1].number:
        open_proposals = [p for p in proposals if p.closed_at is None and p.state != "draft"]
        touched = _touched_by(session, open_proposals, versions)
        ends = [*first_index[1:], len(blocks)]
        for section, start, end in zip(sections, first_index, ends, strict=True):
            section.proposals = [
                p for p in open_proposals if any(start <= i < end for i in touched.get(p.id, ()))
            ]
    headings = [b.heading for b in blocks if b.heading is not None]
    return Reading(sections, headings if len(headings) >= CONTENTS_MIN_HEADINGS else [])


def _touched_by(
    session: Session, proposals: list[Proposal], versions: list[Version]
) -> dict[int | None, set[int]]:
    """For each proposal, the paragraphs of the current version its latest revision changes."""
    if not proposals:
        return {}
    newest = (
        select(Revision.proposal_id, func.max(Revision.number).label("number"))
        .where(col(Revision.proposal_id).in_([p.id for p in proposals]))
        .group_by(col(Revision.proposal_id))
        .subquery()
    )
    revisions = session.exec(
        select(Revision).join(
            newest,
            (col(Revision.proposal_id) == newest.c.proposal_id)
            & (col(Revision.number) == newest.c.number),
        )
    )
    texts = {v.id: v.text for v in versions}
    current = versions[-1].text
    return {
        r.proposal_id: touched_paragraphs(texts[r.base_version_id], r.text, current)
        for r in revisions
    }
