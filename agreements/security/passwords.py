"""Password hashing with Argon2id (memory-hard), via argon2-cffi's maintained defaults."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024


_shared_hashes: dict[str, str] | None = None


def hash_password(password: str) -> str:
    """An Argon2id hash with a random salt, in PHC string form."""
    if _shared_hashes is None:
        return _hasher.hash(password)
    if password not in _shared_hashes:
        _shared_hashes[password] = _hasher.hash(password)
    return _shared_hashes[password]


@contextmanager
def one_hash_per_password() -> Iterator[None]:
    """Within the block, the same password gets the same hash (one salt) instead of a new one.

    Only for seeding demo accounts that all share one published password: Argon2 is slow on
    purpose (about 0.2 s a hash), and seeding a hundred demo members would otherwise spend
    most of its time hashing that one password a hundred times. Never use it for real
    accounts: a shared salt lets an attacker test a guess against all of them at once.
    """
    global _shared_hashes
    _shared_hashes = {}
    try:
        yield
    finally:
        _shared_hashes = None


def password_matches(stored_hash: str, password: str) -> bool:
    """Constant-time check; an empty or foreign hash never matches."""
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's defaults."""
    return _hasher.check_needs_rehash(stored_hash)
