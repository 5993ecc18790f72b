"""The optional instance key: an HMAC on every event, so a re-hashed chain cannot be made.

Hashes alone let someone with database access edit an event and recompute every hash after
it; only a head kept elsewhere catches that (anchors.py). With `AUDIT_KEY` set (read from
the environment, like the rest of the configuration), each new event also stores
`mac` = HMAC-SHA256(key, its hash). Since each hash covers the previous one, one valid mac
vouches for the whole chain before it, and a rewritten chain needs new macs for every event
after the edit, which nobody without the key can compute.

With the key configured, verification asks: from the first event that carries a mac, does
every event carry the right one, and is the newest event keyed? Events written before the
key was set have none; the first keyed event covers them. A chain with no keyed event at
all fails, since stripping every mac is also what a forger would do. Verification without
the key ignores the macs (keep the key apart from the database and its backups).
"""

from __future__ import annotations

import hashlib
import hmac
import os

from sqlalchemy import select as sa_select
from sqlmodel import Session

from ..models import AuditEvent

KEY_VARIABLE = "AUDIT_KEY"


def instance_key() -> bytes | None:
    """The instance key from the environment (AUDIT_KEY), or None when there is none."""
    key = os.environ.get(KEY_VARIABLE, "")
    return key.encode("utf-8") if key else None


def mac_of(event_hash: str, key: bytes | None = None) -> str | None:
    """The event's HMAC under the instance key (None without a key)."""
    key = key if key is not None else instance_key()
    if key is None:
        return None
    return hmac.new(key, event_hash.encode("ascii"), hashlib.sha256).hexdigest()


def verify_keys(session: Session, key: bytes) -> tuple[bool, str]:
    """Check the macs as the module docstring says: (ok, a sentence for people)."""
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    rows = session.execute(
        sa_select(table.c.seq, table.c.hash, table.c.mac).order_by(table.c.seq)
    ).all()
    first_keyed = next((seq for seq, _hash, mac in rows if mac is not None), None)
    if first_keyed is None:
        if not rows:
            return True, "no events yet"
        return False, "no event carries the instance key's mac: the chain may have been re-hashed"
    for seq, event_hash, mac in rows:
        if seq >= first_keyed and not (
            mac is not None and hmac.compare_digest(mac, mac_of(event_hash, key) or "")
        ):
            return False, f"event {seq} lacks a valid mac under the instance key"
    return True, f"every event since {first_keyed} carries the instance key's mac"
