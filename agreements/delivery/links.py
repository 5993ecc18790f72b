"""Signed links in emails: one-click unsubscribe (RFC 8058) and one-step answers.

Tokens are signed with the app's SECRET_KEY (itsdangerous), so they need no table. An
unsubscribe token can only switch one person's mail from one community off; an answer
token can only consent or stand aside for one person, in one round, on one text, after a
confirmation page that shows that text. That is all a forwarded email lets someone else do.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "accord-unsubscribe"
ANSWER_SALT = "accord-answer"


def _serializer(salt: str = SALT) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=salt)  # type: ignore[arg-type]


def unsubscribe_token(user_id: int, community_id: int) -> str:
    """The token of the link that stops `user_id`'s mail from `community_id`."""
    return _serializer().dumps([user_id, community_id])


def read_unsubscribe_token(token: str) -> tuple[int, int] | None:
    """(user id, community id) from a genuine token, or None for anything else."""
    try:
        user_id, community_id = _serializer().loads(token)
        return int(user_id), int(community_id)
    except (BadSignature, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class AnswerLink:
    """What an emailed answer link names: who, which round, which text, which answer."""

    user_id: int
    round_id: int
    text_sha256: str
    position: str


def answer_token(link: AnswerLink) -> str:
    """The token of a one-step answer link (services/answer_links.py says what it may do)."""
    return _serializer(ANSWER_SALT).dumps(
        [link.user_id, link.round_id, link.text_sha256, link.position]
    )


def read_answer_token(token: str) -> AnswerLink | None:
    """The link a genuine token names, or None for anything else."""
    try:
        user_id, round_id, text_sha256, position = _serializer(ANSWER_SALT).loads(token)
        return AnswerLink(int(user_id), int(round_id), str(text_sha256), str(position))
    except (BadSignature, TypeError, ValueError):
        return None
