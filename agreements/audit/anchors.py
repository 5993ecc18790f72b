"""Reading the chain head a kept file was given, so `audit verify --record` can check it.

Decision records (Markdown or JSON) and archives each carry the head of the chain at the
moment they were made: its sequence number and hash. Whoever kept one can later prove the
event at that seq still has that hash; a truncated or re-hashed chain fails that check.
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


def read_anchor(text: str, source: str) -> Anchor:
    """The head a decision record (.md or .json) or an archive (.json) carries.

    Raises InvalidInput, naming `source`, when the text holds no chain head.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        found = MARKDOWN_HEAD.search(text)
        if found:
            return Anchor(int(found[1]), found[2], source)
    else:
        if isinstance(data, dict):
            seq, hash_ = data.get("head_seq"), data.get("head_hash")
            if type(seq) is int and seq >= 0 and isinstance(hash_, str) and HASH.fullmatch(hash_):
                return Anchor(seq, hash_, source)
    raise InvalidInput(f"{source} is not a decision record or archive with a chain head.")
