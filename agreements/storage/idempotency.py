"""Answering a retried write with the first answer instead of writing twice (no Flask here).

A client that times out, a proxy that retries, a person who double-clicks: each sends the
same write again. The caller names the request with a key (the API's `Idempotency-Key`
header, a page form's one-time token). The first request claims the key before it runs,
so a concurrent repeat finds the claim (the unique constraint decides between two at once,
on SQLite and PostgreSQL alike); when it succeeds its response is stored on the key (with
the claim, when known beforehand, as a page form's redirect is), and every repeat within
KEY_LIFETIME gets that response back. A request that fails releases its key, so a retry
runs for real.

The API claims a key in a transaction of its own, committed before the use case runs. A
page form's claim is `held`: left in the session's open transaction for the use case to
commit with its own writes, or to roll back with them when it is refused, so a form costs
one write transaction, not two (on SQLite, one wait for the write lock). A repeat sent
meanwhile waits on the key's unique index (PostgreSQL) or the write lock (SQLite) and
then finds the claim committed, or gone with a refusal. Every other function commits the
session it is given: callers hand it the request's session before or after the use case's
own transaction, never in the middle of it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..errors import InvalidInput, Refused
from ..models import IdempotencyKey, utcnow
from ..wording import _

KEY_LIFETIME = timedelta(hours=24)
MAX_KEY_CHARS = 255


@dataclass(frozen=True)
class StoredResponse:
    """What the first request answered: replayed as is to every repeat."""

    status: int
    headers: dict[str, str]
    body: str


def fingerprint(*parts: str | bytes) -> str:
    """The sha256 of a request's parts (method, path, body), to tell a repeat from a reuse."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def check_key(key: str) -> str:
    """The key if it is 1 to 255 visible ASCII characters; a 422 otherwise."""
    if not 0 < len(key) <= MAX_KEY_CHARS or not all(" " < c <= "~" for c in key):
        raise InvalidInput(
            _(
                "An Idempotency-Key is 1 to %(limit)s visible ASCII characters.",
                limit=MAX_KEY_CHARS,
            ),
            field="Idempotency-Key",
        )
    return key


_KEYS = IdempotencyKey.__table__  # type: ignore[attr-defined]
# Built once, as every page form's submission runs them: plain statements on the table, no
# model object to build, validate and flush.
_FORGET_EXPIRED = _KEYS.delete().where(_KEYS.c.expires_at < bindparam("now"))
_CLAIM = _KEYS.insert()
_COMPLETE = _KEYS.update().where(
    _KEYS.c.scope == bindparam("claimed_scope"), _KEYS.c.key == bindparam("claimed_key")
)


def _find(session: Session, scope: str, key: str) -> IdempotencyKey | None:
    return session.exec(
        select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
    ).first()


def claim(
    session: Session,
    *,
    scope: str,
    key: str,
    request_print: str,
    answer: StoredResponse | None = None,
    held: bool = False,
) -> StoredResponse | None:
    """Claim `key` for a new request (None: go ahead), or the stored answer to replay.

    Refuses (422) a key already used for a different request, and (409) one whose first
    request is still running. Expired keys are forgotten here, so the table stays small.
    An `answer` known before the request runs (a page form's redirect) is stored with the
    claim, so no later `complete` is needed; `release` still forgets it if the request fails.
    A `held` claim is not committed here: the use case that follows commits it (see above).
    """
    now = utcnow()
    session.execute(_FORGET_EXPIRED, {"now": now})
    try:
        session.execute(
            _CLAIM,
            {
                "scope": scope,
                "key": key,
                "fingerprint": request_print,
                "created_at": now,
                "expires_at": now + KEY_LIFETIME,
                "status": answer.status if answer else None,
                "headers": json.dumps(answer.headers) if answer else None,
                "body": answer.body if answer else None,
            },
        )
        if not held:
            session.commit()
        return None
    except IntegrityError:
        session.rollback()
    first = _find(session, scope, key)
    session.commit()
    if first is None:  # released by a failing first request meanwhile: the caller may retry
        raise Refused(_("A request with this key just failed; send it again."))
    if first.fingerprint != request_print:
        raise InvalidInput(
            _("This Idempotency-Key was already used for a different request."),
            field="Idempotency-Key",
        )
    if first.status is None:
        raise Refused(_("The first request with this key is still running; retry in a moment."))
    return StoredResponse(first.status, json.loads(first.headers or "{}"), first.body or "")


def complete(session: Session, *, scope: str, key: str, response: StoredResponse) -> None:
    """Store the claimed request's answer on its key, for every repeat to get (one UPDATE)."""
    session.execute(
        _COMPLETE,
        {
            "claimed_scope": scope,
            "claimed_key": key,
            "status": response.status,
            "headers": json.dumps(response.headers),
            "body": response.body,
        },
    )
    session.commit()


def release(session: Session, *, scope: str, key: str) -> None:
    """Forget the claim of a request that failed, so that a retry runs for real."""
    session.rollback()
    session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
    )
    session.commit()
