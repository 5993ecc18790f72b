"""Three-way merge of agreement texts, overlap warnings, and paragraph provenance.

When an amendment is adopted after another one changed the agreement, Accord rebases it
diff3-style: it lines up base -> current and base -> proposed, and keeps each side's
changes where only that side changed the text. Changes that overlap or touch are a
conflict unless both sides made the identical change; a conflict is never guessed
(DESIGN invariant 4). Hunks are placed by exact alignment with the base, never by fuzzy
patching, so a merged text is made only of passages that someone wrote.

Merging works on lines first; where lines conflict, it tries again word by word, so two
amendments to different sentences of one line still merge. There, changes separated by
nothing but spaces count as touching.

A clean merge inside a paragraph both sides changed makes wording that nobody wrote as a
whole ("directly, calmly and kindly" from two edits of one sentence), so the result names
those paragraphs (`merged_within`): people must consent to them before adoption.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from agreements.text.diff import check_text_size
from agreements.text.sequences import DiffTooComplex, diff_tokens
from agreements.text.units import rendered_paragraph, split_paragraphs, tokenize

#: How long aligning two versions may take. A merge that cannot be aligned in time is
#: reported as one conflict over the whole text, never guessed.
ALIGN_TIMEOUT_SECONDS = 10.0

_Side = Literal["current", "proposed"]


@dataclass(frozen=True)
class Conflict:
    """A passage both sides changed differently: as in the base, and as each side has it."""

    base: str
    current: str
    proposed: str


@dataclass(frozen=True)
class MergeResult:
    """The merged text, or None and the conflicts that a person must resolve.

    `merged_within` lists the base paragraphs that both sides changed and that merged
    cleanly: there the merged wording was consented to by nobody.
    """

    text: str | None
    conflicts: tuple[Conflict, ...]
    merged_within: tuple[str, ...] = ()

    @property
    def is_clean(self) -> bool:
        return not self.conflicts


@dataclass(frozen=True)
class _Hunk:
    """base[start:end] replaced by replacement on one side (start == end: an insertion)."""

    start: int
    end: int
    replacement: tuple[str, ...]
    side: _Side


def three_way_merge(base: str, current: str, proposed: str) -> MergeResult:
    """Apply what proposed changed in base to current (rebase an amendment).

    Exact: merging with an unchanged side gives the other side byte for byte.
    Raises TextTooLarge past MAX_TEXT_CHARS.
    """
    check_text_size(base, current, proposed)
    if proposed in (base, current):
        return MergeResult(current, ())
    if current == base:
        return MergeResult(proposed, ())
    deadline = time.time() + ALIGN_TIMEOUT_SECONDS
    try:
        lines = [text.splitlines(keepends=True) for text in (base, current, proposed)]
        pieces = [
            _refine(piece, deadline) if isinstance(piece, Conflict) else piece
            for piece in _merge(*lines, deadline=deadline, keeps_apart=_always)
        ]
    except DiffTooComplex:
        return MergeResult(None, (Conflict(base, current, proposed),))
    conflicts = tuple(piece for piece in pieces if isinstance(piece, Conflict))
    if conflicts:
        return MergeResult(None, conflicts)
    merged = "".join(piece for piece in pieces if isinstance(piece, str))
    return MergeResult(merged, (), tuple(overlapping_passages(base, current, proposed)))


def _refine(conflict: Conflict, deadline: float) -> str | Conflict:
    """Merge conflicting lines word by word; if words still conflict, keep the whole
    lines as the conflict, which reads better than word fragments."""
    words = [tokenize(text) for text in (conflict.base, conflict.current, conflict.proposed)]
    pieces = _merge(*words, deadline=deadline, keeps_apart=_is_more_than_a_space)
    if any(isinstance(piece, Conflict) for piece in pieces):
        return conflict
    return "".join(piece for piece in pieces if isinstance(piece, str))


def _always(_token: str) -> bool:
    return True


def _is_more_than_a_space(token: str) -> bool:
    """Between two changed words, anything but spaces (a word, a mark, a blank line)
    keeps the changes apart."""
    return not token.isspace() or token.count("\n") > 1


def _merge(
    base: Sequence[str],
    current: Sequence[str],
    proposed: Sequence[str],
    *,
    deadline: float,
    keeps_apart: Callable[[str], bool],
) -> list[str | Conflict]:
    """diff3 over token sequences: unchanged base runs, resolved changes and conflicts,
    in order."""
    hunks = _hunks(base, current, "current", deadline) + _hunks(
        base, proposed, "proposed", deadline
    )
    hunks.sort(key=lambda hunk: (hunk.start, hunk.end))
    pieces: list[str | Conflict] = []
    position = 0
    for group in _touching_groups(hunks, base, keeps_apart):
        start, end = group[0].start, max(hunk.end for hunk in group)
        pieces.append("".join(base[position:start]))
        pieces.append(_resolve(base, start, end, group))
        position = end
    pieces.append("".join(base[position:]))
    return pieces


def _hunks(base: Sequence[str], other: Sequence[str], side: _Side, deadline: float) -> list[_Hunk]:
    """The stretches of base that other replaces, deletes or inserts into."""
    hunks: list[_Hunk] = []
    position = other_position = 0
    start: int | None = None
    replacement: list[str] = []
    for op, count in diff_tokens(base, other, deadline=deadline):
        if op == "equal":
            if start is not None:
                hunks.append(_Hunk(start, position, tuple(replacement), side))
                start, replacement = None, []
            position, other_position = position + count, other_position + count
            continue
        start = position if start is None else start
        if op == "delete":
            position += count
        else:
            replacement.extend(other[other_position : other_position + count])
            other_position += count
    if start is not None:
        hunks.append(_Hunk(start, position, tuple(replacement), side))
    return hunks


def _touching_groups(
    hunks: list[_Hunk], base: Sequence[str], keeps_apart: Callable[[str], bool]
) -> Iterator[list[_Hunk]]:
    """Group hunks (sorted by start) that overlap, touch, or are separated only by base
    tokens that do not keep changes apart."""
    group: list[_Hunk] = []
    end = 0
    for hunk in hunks:
        if group and hunk.start > end and any(map(keeps_apart, base[end : hunk.start])):
            yield group
            group = []
        end = max(end, hunk.end) if group else hunk.end
        group.append(hunk)
    if group:
        yield group


def _resolve(base: Sequence[str], start: int, end: int, group: list[_Hunk]) -> str | Conflict:
    """One stretch of base as merged: the side that changed it, the change both made,
    or a conflict."""
    original = "".join(base[start:end])
    current = _apply(base, start, end, [hunk for hunk in group if hunk.side == "current"])
    proposed = _apply(base, start, end, [hunk for hunk in group if hunk.side == "proposed"])
    if proposed in (original, current):
        return current
    if current == original:
        return proposed
    return Conflict(original, current, proposed)


def _apply(base: Sequence[str], start: int, end: int, hunks: list[_Hunk]) -> str:
    parts: list[str] = []
    position = start
    for hunk in hunks:
        parts.extend(base[position : hunk.start])
        parts.extend(hunk.replacement)
        position = hunk.end
    parts.extend(base[position:end])
    return "".join(parts)


def overlapping_passages(base: str, a: str, b: str) -> list[str]:
    """The paragraphs of base that both a and b change (reword, re-wrap or delete), so
    that people can see that two amendments in flight touch the same passages.

    New paragraphs that both insert at one place are not passages of base; merging the
    second amendment reports them as a conflict.
    """
    check_text_size(base, a, b)
    paragraphs = split_paragraphs(base)
    deadline = time.time() + ALIGN_TIMEOUT_SECONDS
    both = _changed_paragraphs(paragraphs, a, deadline) & _changed_paragraphs(
        paragraphs, b, deadline
    )
    return [paragraphs[index].strip("\r\n") for index in sorted(both)]


def _changed_paragraphs(paragraphs: list[str], other: str, deadline: float) -> set[int]:
    """Indexes of the paragraphs that other replaces or deletes (all, if it cannot tell).
    The blank lines around a paragraph are not part of the passage."""
    passages = [paragraph.strip() for paragraph in paragraphs]
    others = [paragraph.strip() for paragraph in split_paragraphs(other)]
    try:
        hunks = _hunks(passages, others, "proposed", deadline)
    except DiffTooComplex:
        return set(range(len(paragraphs)))
    return {index for hunk in hunks for index in range(hunk.start, hunk.end)}


def paragraph_provenance(texts: Sequence[str]) -> list[tuple[str, int]]:
    """For each paragraph of the latest text, the index in texts of the version that last
    changed or introduced it (a "blame" view of the agreement).

    Paragraphs compare as rendered, so re-wrapping a paragraph does not claim it.
    The paragraph is given as in its source, without the blank lines around it.
    """
    check_text_size(*texts)
    if not texts:
        return []
    keys = _rendered(texts[0])
    origins = [0] * len(keys)
    for index in range(1, len(texts)):
        newer = _rendered(texts[index])
        origins = _carry_origins(keys, newer, origins, index)
        keys = newer
    return provenance_paragraphs(texts[-1], origins)


def next_provenance(
    parent_text: str | None, parent_origins: Sequence[int], text: str, origin: int
) -> list[int]:
    """One step of paragraph_provenance: the origins of `text`'s paragraphs, given its
    parent's text and origins (none for a first text); new or changed ones get `origin`.

    Chaining it over texts gives exactly what paragraph_provenance gives for all of them,
    so a version's provenance can be computed once, when it is adopted.
    """
    check_text_size(text, parent_text or "")
    newer = _rendered(text)
    if parent_text is None:
        return [origin] * len(newer)
    return _carry_origins(_rendered(parent_text), newer, list(parent_origins), origin)


def provenance_paragraphs(text: str, origins: Sequence[int]) -> list[tuple[str, int]]:
    """Each paragraph of `text` as in its source (no surrounding blank lines), with its origin."""
    return list(zip(paragraph_sources(text), origins, strict=True))


def paragraph_sources(text: str) -> list[str]:
    """The paragraphs of `text` a reader sees, as in its source without the blank lines
    around them: what provenance gives an origin to, in the same order."""
    return [p.strip("\r\n") for p in split_paragraphs(text) if rendered_paragraph(p)]


def _rendered(text: str) -> list[str]:
    rendered = (rendered_paragraph(paragraph) for paragraph in split_paragraphs(text))
    return [paragraph for paragraph in rendered if paragraph]


def _carry_origins(older: list[str], newer: list[str], origins: list[int], index: int) -> list[int]:
    """Unchanged paragraphs keep their origin; the others now come from version index."""
    try:
        diffs = diff_tokens(older, newer, deadline=time.time() + ALIGN_TIMEOUT_SECONDS)
    except DiffTooComplex:
        return [index] * len(newer)
    carried: list[int] = []
    position = 0
    for op, count in diffs:
        if op == "insert":
            carried.extend([index] * count)
            continue
        if op == "equal":
            carried.extend(origins[position : position + count])
        position += count
    return carried
