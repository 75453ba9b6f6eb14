"""Passwords and API tokens at rest: argon2id for passwords, SHA-256 for tokens.

A password is short and chosen by a person, so it gets a slow, salted hash (argon2id, the
argon2-cffi defaults). An API token is 32 random bytes: a fast hash is as safe and lets a request
find it by hash in one indexed look-up. Neither is ever stored or logged in clear.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "arw_"
TOKEN_BYTES = 32
TOKEN_HINT_CHARS = 8
MIN_PASSWORD_CHARS = 12

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; False for a wrong password or a missing/bad hash."""
    if not password_hash:
        # spend the same time as a real check, so a missing user is not told apart by timing
        _hasher.hash(password or "x")
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_api_token() -> tuple[str, str, str]:
    """A new token, its hash (stored) and its hint (shown in lists): ``(token, hash, hint)``."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token), token[: len(TOKEN_PREFIX) + TOKEN_HINT_CHARS - 4]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
