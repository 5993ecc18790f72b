"""A diff people read: the agreement rendered as it reads, with the changed words marked.

The word diff (diff.py) says which words change; people, though, read the agreement as
rendered Markdown, where `## Care and conflict` is a heading and `- item` a list item.
This module renders each paragraph of a diff through the one sanitising Markdown renderer
(render.py) and marks the changed words inside the result with <ins> and <del>.

How, without ever letting people's text make markup: private-use sentinel characters go
around the changed tokens in the Markdown source, the source is rendered and sanitised,
the sentinels that ended up inside a tag (a changed link address) are taken out (with the
removed words) and the result is sanitised again (so a changed address is checked as it
now stands), and only then are the sentinels left in the text replaced by <ins>/<del>.
Each run of text between two tags gets its own <ins> or <del>, so they always nest.

A paragraph added or removed whole, or whose kind of block changes (a paragraph becoming
a heading), is rendered and marked as one block. Pure: no Flask, no database.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup, escape

from agreements.text.diff import ParagraphDiff, Segment, TextDiff, UnchangedRun
from agreements.text.render import render_markdown, sanitise_html

__all__ = ["RenderedParagraph", "rendered_changes"]

# Sentinels: opening and closing an insertion, opening and closing a deletion.
INS_OPEN, INS_CLOSE, DEL_OPEN, DEL_CLOSE = "\ue000", "\ue001", "\ue002", "\ue003"
SENTINELS = INS_OPEN + INS_CLOSE + DEL_OPEN + DEL_CLOSE
_SENTINEL = re.compile(f"[{SENTINELS}]")
_SENTINEL_SPLIT = re.compile(f"([{SENTINELS}])")
_OPENS = {INS_OPEN: "insert", DEL_OPEN: "delete"}
_DELETED_INSIDE_TAG = re.compile(f"{DEL_OPEN}[^{SENTINELS}]*{DEL_CLOSE}")

# Sanitised HTML always double-quotes attribute values and escapes `"` inside them, and
# escapes `<` in text, so this splits it exactly into tags and text.
_TAG = re.compile(r'(<[^>"]*(?:"[^"]*"[^>"]*)*>)')
# Heading ids are for the agreement page; in a diff they would repeat (old and new).
_HEADING_ID = re.compile(r'(<h[1-6]) id="[^"]*"')

# What makes a paragraph the block it is: a code fence's first line, or heading marks,
# list markers, quote marks and a table row's pipe (none for a plain paragraph).
_BLOCK_PREFIX = re.compile(
    r"[ \t]{0,3}(?:`{3,}|~{3,})[^\n]*\n"
    r"|(?:[ \t]*(?:\#{1,6}(?=[ \t]|$)|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])|>|\|))*[ \t]*"
)
_FENCE_LINE = re.compile(r"\n[ \t]{0,3}(?:`{3,}|~{3,})[ \t]*\Z")

# In a table, what is never marked: the pipes and line breaks that make the cells, and
# pieces without a word (the |---| row under the header).
_TABLE_SYNTAX = re.compile(r"(\||\n)")
_WORD = re.compile(r"\w")

# What a screen reader says before a change; pages pass their reader's words (`labels`).
ENGLISH_LABELS: Mapping[str, str] = {"insert": "added:", "delete": "removed:"}
_TAGS = {"insert": ("ins", "diff-ins"), "delete": ("del", "diff-del")}


@dataclass(frozen=True)
class RenderedParagraph:
    """One paragraph of a diff as it reads: its op (equal, insert, delete, change) as in
    ParagraphDiff, and sanitised HTML with the changes marked."""

    op: Literal["equal", "insert", "delete", "change"]
    html: Markup


def rendered_changes(
    diff: TextDiff, context: int = 1, labels: Mapping[str, str] = ENGLISH_LABELS
) -> list[RenderedParagraph | UnchangedRun]:
    """The diff's changed paragraphs (with `context` unchanged neighbours, longer unchanged
    stretches collapsed, as TextDiff.changed_only) rendered as they read; a table's rows
    count as one paragraph, so that it renders as a table. `labels` are the words a screen
    reader says before an insertion and a deletion, in the reader's language."""
    tables_joined = TextDiff(tuple(_tables_joined(diff.paragraphs)), diff.mode, diff.note)
    spans = {
        op: f'<span class="visually-hidden">{escape(label)} </span>' for op, label in labels.items()
    }
    return [
        item
        if isinstance(item, UnchangedRun)
        else RenderedParagraph(item.op, _paragraph(item, spans))
        for item in tables_joined.changed_only(context)
    ]


def _is_table(paragraph: ParagraphDiff) -> bool:
    return (paragraph.new if paragraph.new is not None else paragraph.old or "").startswith("|")


def _tables_joined(paragraphs: Iterable[ParagraphDiff]) -> Iterator[ParagraphDiff]:
    """Each table row is a paragraph to the diff (so a changed row is compared with its old
    self) but only a whole table renders as one: consecutive rows become one paragraph."""
    for is_table, run in itertools.groupby(paragraphs, _is_table):
        if is_table:
            yield _table(list(run))
        else:
            yield from run


def _table(rows: list[ParagraphDiff]) -> ParagraphDiff:
    segments: list[Segment] = []
    for index, row in enumerate(rows):
        if index:  # the line break before a row is added or removed with it
            segments.append(Segment(row.op if row.op in ("insert", "delete") else "equal", "\n"))
        segments.extend(row.segments)
    ops = {row.op for row in rows}
    op = ops.pop() if len(ops) == 1 else "change"
    old = "".join(s.text for s in segments if s.op != "insert") if op != "insert" else None
    new = "".join(s.text for s in segments if s.op != "delete") if op != "delete" else None
    return ParagraphDiff(op, old, new, tuple(segments))  # type: ignore[arg-type]


def _paragraph(paragraph: ParagraphDiff, spans: Mapping[str, str]) -> Markup:
    if paragraph.op == "equal":
        return _render(paragraph.old or "")
    marked = _marked_table(paragraph) if _is_table(paragraph) else _marked_source(paragraph)
    if marked is not None:
        return _marked_html(render_markdown(marked), spans)
    blocks = [
        _block("delete", paragraph.old, spans) if paragraph.old is not None else Markup(""),
        _block("insert", paragraph.new, spans) if paragraph.new is not None else Markup(""),
    ]
    return Markup("").join(blocks)


def _render(source: str) -> Markup:
    return Markup(_HEADING_ID.sub(r"\1", str(render_markdown(_SENTINEL.sub("\ufffd", source)))))


def _block(op: str, source: str, spans: Mapping[str, str]) -> Markup:
    """A whole paragraph added or removed: rendered, then wrapped as one block."""
    tag, css = _TAGS[op]
    return Markup(f'<{tag} class="{css} diff-block">{spans[op]}{_render(source)}</{tag}>')


def _marked_source(paragraph: ParagraphDiff) -> str | None:
    """The paragraph's Markdown with sentinels around the changed tokens, or None when
    the change touches what makes the block the kind it is (or the paragraph is added or
    removed whole): then it is shown as a removed block and an added one."""
    if paragraph.op != "change" or paragraph.old is None or paragraph.new is None:
        return None
    segments = _typed_sentinels_replaced(paragraph)
    prefix = _block_prefix(paragraph.old)
    if prefix != _block_prefix(paragraph.new):
        return None
    if prefix and not (segments[0].op == "equal" and segments[0].text.startswith(prefix)):
        return None
    fence = _FENCE_LINE.search(paragraph.old)
    if fence and not (segments[-1].op == "equal" and segments[-1].text.endswith(fence.group())):
        return None
    return "".join(_marked(segment) for segment in segments)


def _marked_table(paragraph: ParagraphDiff) -> str:
    """A table's Markdown with sentinels around the changed words of each cell, never
    around the pipes and line breaks that make it a table."""
    return "".join(
        "".join(
            _marked(Segment(segment.op, piece)) if _WORD.search(piece) else piece
            for piece in _TABLE_SYNTAX.split(segment.text)
        )
        for segment in _typed_sentinels_replaced(paragraph)
    )


def _typed_sentinels_replaced(paragraph: ParagraphDiff) -> list[Segment]:
    """Sentinel characters that people typed would be taken for changes."""
    return [Segment(s.op, _SENTINEL.sub("\ufffd", s.text)) for s in paragraph.segments]


def _block_prefix(source: str) -> str:
    return _BLOCK_PREFIX.match(source).group()  # type: ignore[union-attr]


def _marked(segment: Segment) -> str:
    if segment.op == "insert":
        return INS_OPEN + segment.text + INS_CLOSE
    if segment.op == "delete":
        return DEL_OPEN + segment.text + DEL_CLOSE
    return segment.text


def _marked_html(html: Markup, spans: Mapping[str, str]) -> Markup:
    """Sanitised HTML with sentinels made into <ins>/<del> (see the module docstring)."""
    parts = _TAG.split(str(html))
    parts[1::2] = [_SENTINEL.sub("", _DELETED_INSIDE_TAG.sub("", tag)) for tag in parts[1::2]]
    clean = _HEADING_ID.sub(r"\1", sanitise_html("".join(parts)))
    return Markup("".join(_marked_parts(_TAG.split(clean), spans)))


def _marked_parts(parts: list[str], spans: Mapping[str, str]) -> Iterator[str]:
    """Tags as they are; text with each changed run wrapped, and the screen-reader label
    ("added:", "removed:") once at the start of each change."""
    op: str | None = None
    labelled = False
    for index, part in enumerate(parts):
        if index % 2:
            yield part
            continue
        for piece in _SENTINEL_SPLIT.split(part):
            if piece in _OPENS:
                op, labelled = _OPENS[piece], False
            elif piece in (INS_CLOSE, DEL_CLOSE):
                op = None
            elif op is None or not piece.strip():  # also the empty runs split() gives
                yield piece
            else:
                tag, css = _TAGS[op]
                label = "" if labelled else spans[op]
                labelled = True
                yield f'<{tag} class="{css}">{label}{piece}</{tag}>'
