"""Password hashing with Argon2id (memory-hard), via argon2-cffi's maintained defaults."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024


def hash_password(password: str) -> str:
    """An Argon2id hash with a random salt, in PHC string form."""
    return _hasher.hash(password)


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
