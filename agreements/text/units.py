"""The units a diff compares: tokens inside a paragraph, and paragraphs of Markdown.

Diffing, merging and provenance all cut texts the same way, so that a word or a paragraph
means one thing everywhere. Tokens work in any script: words, whitespace runs,
punctuation marks, and single graphemes of scripts written without spaces, with
combining marks and emoji sequences kept whole. Paragraphs follow Markdown's blocks, and
their rendering is what a reader sees of them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

# Scripts written without spaces between words: each grapheme is its own token, so a
# one-character change in Chinese, Japanese or Thai shows as that character.
_DENSE_SCRIPTS = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u0f00-\u0fff"  # Tibetan
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u2e80-\u2fff"  # CJK radicals
    "\u3040-\u31ff"  # Hiragana, Katakana, Bopomofo
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\ua000-\ua4cf"  # Yi
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9f"  # half-width Katakana
    "\U00020000-\U000323af"  # CJK extensions B-H
)


@functools.cache
def _token_pattern() -> re.Pattern[str]:
    """Built on first use: listing the combining marks takes a tenth of a second."""
    ranges = _mark_ranges()
    bmp_marks = _char_ranges(r for r in ranges if r[1] <= 0xFFFF)
    astral_marks = _char_ranges(r for r in ranges if r[1] > 0xFFFF)
    # What continues a grapheme: combining marks, zero-width (non-)joiners, emoji skin
    # tones and tag characters; after a zero-width joiner, the next emoji too. The astral
    # characters are only looked up for astral characters: a long class is slow to scan.
    extend = (
        f"(?:[{bmp_marks}\u200c]|\u200d\\S|(?=[\U00010000-\U0010ffff])"
        f"[{astral_marks}\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f])"
    )
    # Most words are ASCII: matching runs of ASCII letters first makes tokenizing fast.
    word_part = f"(?:[a-zA-Z0-9]+{extend}*|(?![{_DENSE_SCRIPTS}])\\w{extend}*)+"
    return re.compile(
        "\\s+"
        "|[\U0001f1e6-\U0001f1ff]{2}"  # a flag: two regional indicators
        f"|[{_DENSE_SCRIPTS}]{extend}*"
        f"|{word_part}(?:['\u2019]{word_part})*"  # a word, with don't and its curly twin
        f"|.{extend}*",  # punctuation, a symbol, an emoji
        re.DOTALL,
    )


def _char_ranges(ranges: Iterable[tuple[int, int]]) -> str:
    return "".join(f"{re.escape(chr(first))}-{re.escape(chr(last))}" for first, last in ranges)


def _mark_ranges() -> list[tuple[int, int]]:
    """Code point ranges of Unicode's combining marks (categories Mn, Mc, Me)."""
    ranges: list[tuple[int, int]] = []
    for code in (*range(0x20000), *range(0xE0100, 0xE01F0)):
        if unicodedata.category(chr(code)).startswith("M"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return ranges


def tokenize(text: str) -> list[str]:
    """Split text into the units a word diff compares: words, whitespace runs, punctuation
    marks, and single graphemes of scripts written without spaces. Combining marks and
    emoji sequences stay whole, and the tokens always join back to the text."""
    return _token_pattern().findall(text)


def count_words(text: str) -> int:
    """Words in text, counting each character of a script written without spaces."""
    return sum(token[:1].isalnum() for token in tokenize(text))


# One paragraph: the blank lines before it, then a fenced code block (to its closing
# fence), a heading line, or a block of lines up to a blank line or a line that starts a
# block of its own (a list item, heading, block quote, table row or fence). Blank lines at
# the end of the text come out as one more match, which split_paragraphs gives to the last
# paragraph (cheaper than looking for the end of the text after every paragraph).
_PARAGRAPH = re.compile(
    r"""
    (?:[ \t\r]*\n)*
    (?:
        [ \t]{0,3}(?P<fence>(?P<mark>[`~])(?P=mark){2,})[^\n]*(?:\n|\Z)
        (?:(?![^\S\n]*(?P=fence)(?P=mark)*[^\S\n]*(?:\n|\Z))[^\n]*\n)*
        (?:[^\S\n]*(?P=fence)(?P=mark)*[^\S\n]*(?:\n|\Z)|[^\n]*\Z)
    |   [ \t]{0,3}\#{1,6}(?:[ \t][^\n]*)?\r?(?:\n|\Z)
    |   [^\n]*(?:\n|\Z)
        (?:
            (?![ \t\r]*(?:\n|\Z))
            (?![ \t]*(?:[-*+][ \t]|\d{1,9}[.)][ \t]|\#{1,6}(?:[ \t]|\r?\n|$)|>|\|))
            (?![ \t]{0,3}(?:`{3,}|~{3,}))
            [^\n]*(?:\n|\Z)
        )*
    )
    """,
    re.VERBOSE | re.MULTILINE,
)
_FENCED = re.compile(r"(?:[ \t\r]*\n)*[ \t]{0,3}(?:`{3,}|~{3,})")
_SPACES = " \t\r\n\f\v"
# A run of spaces and line breaks that is not already one space (most runs are).
_COLLAPSIBLE = re.compile(r" [ \t\r\n\f\v]+|[\t\r\n\f\v][ \t\r\n\f\v]*")


def split_paragraphs(text: str) -> list[str]:
    """Cut text into paragraphs: blocks separated by blank lines, list items, headings,
    quote lines, table rows and fenced code blocks. Each carries the blank lines before
    it (the last also those after it), so the paragraphs join back to the text exactly,
    and adding or removing a paragraph leaves its neighbours as they were."""
    # Each match starts where the last ended and is never empty before the end of the text
    # (the blank lines take a line break, a block any other character); the last match, at
    # the end, is. Blank lines that end the text go with the paragraph before them.
    paragraphs = [match.group() for match in _PARAGRAPH.finditer(text)]
    paragraphs.pop()
    if len(paragraphs) > 1 and not paragraphs[-1].strip(" \t\r\n"):
        paragraphs[-2:] = [paragraphs[-2] + paragraphs[-1]]
    return paragraphs


def rendered_paragraph(paragraph: str) -> str:
    """What a reader sees of a paragraph: inside it, every run of spaces and line breaks
    is one space (Markdown re-wrapping changes no word). Code blocks keep their lines."""
    if _FENCED.match(paragraph):
        return "\n".join(line.rstrip() for line in paragraph.splitlines()).strip("\n")
    inner = paragraph.strip(_SPACES)
    # Without line breaks, tabs or double spaces (most paragraphs), there is nothing to
    # collapse: isprintable is False for every space but " ", and cheaper than a search.
    if inner.isprintable() and "  " not in inner:
        return inner
    return _COLLAPSIBLE.sub(" ", inner)


def word_runs(text: str, *, drop_format_characters: bool = False) -> list[str]:
    """The words of `text`: runs of letters, combining marks and digits of any script.

    One definition for the slugs of titles and the words of a search, so both agree on
    what a word is. Everything else (spaces, punctuation, symbols, quotes, operators)
    separates words. Invisible format characters (bidi controls, zero-width joiners)
    separate words too, as the search index's tokenizer treats them, unless
    `drop_format_characters`, for a slug, where two names that look alike must be alike.
    The caller normalises the text first (NFC for search, NFKC and lowercase for slugs).
    """
    words: list[str] = []
    current: list[str] = []
    for character in text:
        category = unicodedata.category(character)
        if category[0] in "LMN":
            current.append(character)
        elif drop_format_characters and category == "Cf":
            continue
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words
