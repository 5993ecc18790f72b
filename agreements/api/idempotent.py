"""The `Idempotency-Key` header: a retried API call that creates something creates it once.

A client sends any unique key (a UUID, say) with a POST that creates a comment, stance,
objection, proposal...; if the network drops the answer, it sends the same request with the
same key again and gets the first answer back (same status and body), with nothing written
twice. The same key with a different body is a 422. The keys live in the database
(storage/idempotency.py), per token owner, for 24 hours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Response, current_app, request

from ..models import User
from ..storage import idempotency
from ..storage.sessions import get_session

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADERS = ("Content-Type", "ETag", "Location")


def answer_once(actor: User, parts: Iterable[str], respond: Callable[[], Response]) -> Response:
    """`respond()` the first time this caller sends this key; its stored answer after that.

    `parts` describe the request (operation, path, validated body): the same key with other
    parts is refused. Without the header, the request simply runs.
    """
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return respond()
    scope = f"api:{actor.id}"
    session = get_session()
    claimed = {"scope": scope, "key": idempotency.check_key(key)}
    stored = idempotency.claim(session, **claimed, request_print=idempotency.fingerprint(*parts))
    if stored is not None:
        response = current_app.response_class(stored.body, status=stored.status)
        response.headers.update(stored.headers)
        return response
    try:
        response = respond()
    except BaseException:
        idempotency.release(session, **claimed)
        raise
    kept = {name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers}
    answer = idempotency.StoredResponse(response.status_code, kept, response.get_data(as_text=True))
    idempotency.complete(session, **claimed, response=answer)
    return response
