"""Reading the chain head a kept file was given, so `audit verify --record` can check it.

Decision records (Markdown or JSON), archives, Atom feeds (their `chain-head` element) and
deadline calendars (X-ACCORD-CHAIN-HEAD) each carry the head of the chain at the moment
they were made: its sequence number and hash. Whoever kept one can later prove the event at
that seq still has that hash; a truncated or re-hashed chain fails that check.
"""

from __future__ import annotations

import json
import re

from ..errors import InvalidInput
from .chain import Anchor

HASH = re.compile(r"[0-9a-f]{64}")
MARKDOWN_HEAD = re.compile(
    r"Head of the audit chain when this record was made \(event (\d+)[^)]*\): `([0-9a-f]{64})`"
)
# <accord:chain-head seq="12" hash="..."/> in a feed, whatever prefix a reader saved it with.
FEED_HEAD = re.compile(r"<(?:[\w.-]+:)?chain-head\b([^>]*)>")
FEED_ATTRIBUTE = re.compile(r"""\b(seq|hash)\s*=\s*["']([^"']*)["']""")
# X-ACCORD-CHAIN-HEAD:12 <hash> in a calendar file (after unfolding its long lines).
CALENDAR_HEAD = re.compile(r"^X-ACCORD-CHAIN-HEAD:(\d{1,18}) ([0-9a-f]{64})\r?$", re.MULTILINE)


def read_anchor(text: str, source: str) -> Anchor:
    """The head a decision record (.md or .json), an archive (.json) or a feed (.atom) carries.

    Raises InvalidInput, naming `source`, when the text holds no chain head.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        found = MARKDOWN_HEAD.search(text)
        if found:
            return Anchor(int(found[1]), found[2], source)
        found = CALENDAR_HEAD.search(re.sub(r"\r?\n[ \t]", "", text))
        if found:
            return Anchor(int(found[1]), found[2], source)
        element = FEED_HEAD.search(text)
        if element:
            attributes = dict(FEED_ATTRIBUTE.findall(element[1]))
            seq, hash_ = attributes.get("seq", ""), attributes.get("hash", "")
            if seq.isascii() and seq.isdigit() and len(seq) < 19 and HASH.fullmatch(hash_):
                return Anchor(int(seq), hash_, source)
    else:
        if isinstance(data, dict):
            seq, hash_ = data.get("head_seq"), data.get("head_hash")
            if type(seq) is int and seq >= 0 and isinstance(hash_, str) and HASH.fullmatch(hash_):
                return Anchor(seq, hash_, source)
    raise InvalidInput(
        f"{source} is not a decision record or archive, nor a feed, with a chain head."
    )
