"""Canonical JSON and text hashing: the byte forms that hashes and exports are made of.

Sorted keys, no insignificant whitespace, UTF-8 kept as is: the same data always gives the
same bytes, so anyone can recompute a hash from an export with a few lines of code.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date):  # a day without a time (an agreement's review date)
        return value.isoformat()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def canonical_json(data: Any) -> str:
    """The one serialisation that audit hashes and exports use."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    )


def sha256_text(text: str) -> str:
    """Hex sha256 of a text's UTF-8 bytes (versions, revisions, stances bind to this)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
