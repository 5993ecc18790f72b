"""The audit trail: the hash-chained record of every state-changing action, and its readers.

- chain: appending an event under the chain-head lock, and verifying the chain.
- anchors: reading the chain head a kept decision record, archive or feed carries.
- canonical: the canonical JSON and text hashes the chain and the records rely on.
- events: pages of the event log, filtered, for people to read.
- sentences: each recorded action told as a plain sentence for the history pages.
- records: the decision record (who agreed to what, and how each objection was settled).
- archive: exporting a community as a verifiable archive, and importing one (restore).
- archive_merge: importing a community into an instance that has other communities.
- keyed: the optional instance key, an HMAC on every event (AUDIT_KEY).

May import: models, errors, wording, storage (SQLAlchemy sessions). Never Flask, services, web or
API: every layer above writes through `audit.record(...)` and reads through this package.
The chain's functions are handed on here, so callers write `audit.record(...)`.
"""

from . import sentences
from .chain import (
    GENESIS_HASH,
    IMPORT_ACTION,
    SEALED_ACTION,
    Anchor,
    Subject,
    Verification,
    compute_hash,
    count_events,
    head,
    iter_events,
    record,
    verify_chain,
)

__all__ = [
    "GENESIS_HASH",
    "IMPORT_ACTION",
    "SEALED_ACTION",
    "Anchor",
    "Subject",
    "Verification",
    "compute_hash",
    "count_events",
    "head",
    "iter_events",
    "record",
    "sentences",
    "verify_chain",
]
