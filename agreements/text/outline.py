"""An agreement as a reader finds their way through it: its headings, and which of its
paragraphs a proposal would change.

The agreement page shows a table of contents and marks beside each section the open
proposals that change it. Both are worked out here, on plain strings, once per page. A
paragraph index means what it means in provenance (`merge.paragraph_provenance`): the
position among the text's paragraphs that a reader sees (`split_paragraphs` without the
blank ones), so the page can put provenance, headings and markers on the same paragraph.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from agreements.text.merge import ALIGN_TIMEOUT_SECONDS
from agreements.text.paragraphs import ParagraphPair, align_paragraphs
from agreements.text.render import render_markdown
from agreements.text.sequences import DiffTooComplex
from agreements.text.units import rendered_paragraph, split_paragraphs

# A rendered paragraph that is a heading: Markdown's toc extension always gives it an id.
_HEADING = re.compile(r'\A<h([1-6]) id="([^"]*)">(.*?)</h\1>\s*\Z', re.DOTALL)


@dataclass(frozen=True)
class Heading:
    """A heading of the text: its level, its anchor (the element id) and its plain words."""

    level: int
    anchor: str
    title: str


@dataclass(frozen=True)
class Block:
    """One paragraph rendered to safe HTML, and its heading if the paragraph is one."""

    html: Markup
    heading: Heading | None


def render_blocks(paragraphs: Sequence[str]) -> list[Block]:
    """Render each paragraph and find the headings among them.

    Paragraphs are rendered one by one, so two headings with the same words would get the
    same id; a repeated id is numbered ("md-scope_1", as Markdown numbers repeats within
    one text), so every table-of-contents link leads to its own heading.
    """
    taken: set[str] = set()
    blocks = []
    for paragraph in paragraphs:
        html = render_markdown(paragraph)
        found = _HEADING.match(html)
        if found is None:
            blocks.append(Block(html, None))
            continue
        level, anchor, inner = found.groups()
        unique, repeat = anchor, 0
        while unique in taken:
            repeat += 1
            unique = f"{anchor}_{repeat}"
        taken.add(unique)
        if unique != anchor:  # the id came out of the sanitiser, so it needs no escaping
            html = Markup(str(html).replace(f'id="{anchor}"', f'id="{unique}"', 1))
        heading = Heading(int(level), unique, Markup(inner).striptags())
        blocks.append(Block(html, heading))
    return blocks


def touched_paragraphs(base: str, proposed: str, current: str) -> set[int]:
    """The paragraphs of `current` that a proposal (`proposed`, written on `base`) changes.

    A paragraph is touched when the proposal rewords or deletes it, or adds a paragraph
    right after it (a new paragraph belongs to the section it is added to; one added
    before everything touches the first). Re-wrapping touches nothing. When the proposal
    was written on an older version, its changes are placed where those paragraphs are
    now. If the texts cannot be aligned in time, every paragraph counts as touched, as
    in the overlap warnings: better a marker too many than a change nobody is told of.
    """
    current_keys = _keys(current)
    deadline = time.time() + ALIGN_TIMEOUT_SECONDS
    try:
        changed = _changed(_keys(base), _keys(proposed), deadline)
        if base == current:
            return changed
        where = _positions(align_paragraphs(_keys(base), current_keys, deadline))
    except DiffTooComplex:
        return set(range(len(current_keys)))
    return {where[index] for index in changed if index in where}


def _keys(text: str) -> list[str]:
    """The paragraphs a reader sees, as they compare (the indexes provenance uses)."""
    rendered = (rendered_paragraph(paragraph) for paragraph in split_paragraphs(text))
    return [paragraph for paragraph in rendered if paragraph]


def _changed(old: list[str], new: list[str], deadline: float) -> set[int]:
    """Indexes of old that new rewords or deletes, or inserts a paragraph after."""
    changed: set[int] = set()
    last = 0
    for i, j in align_paragraphs(old, new, deadline):
        if i is None:
            changed.add(last)
            continue
        last = i
        if j is None or old[i] != new[j]:
            changed.add(i)
    return {index for index in changed if index < len(old)}


def _positions(pairs: list[ParagraphPair]) -> dict[int, int]:
    """Where each old paragraph is in the new text: its own new index or, when it was
    deleted, the index of the new paragraph just before the place it had (the first one,
    if it stood at the start)."""
    positions: dict[int, int] = {}
    last = 0
    for i, j in pairs:
        if j is not None:
            last = j
        if i is not None:
            positions[i] = last
    return positions
