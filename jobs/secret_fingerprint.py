"""A fingerprint of a portal login's secret: enough to notice that it changed, useless to a thief.

A login the portal refused stays paused until its secret changes; the pause row must therefore
remember *which* secret was refused without holding it. A plain hash of a password is a
dictionary attack away from the password, so the fingerprint is salted scrypt (memory-hard,
deliberately slow): comparing costs a few milliseconds once per paused login and run, guessing
costs that for every candidate password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SCHEME = "scrypt"
#: scrypt cost: 2**14 * 8 * 128 bytes = 16 MiB and ~30 ms per fingerprint
_N, _R, _P = 2**14, 8, 1
_SALT_BYTES = 16
#: the fingerprint of "no secret at all" (the secret was missing when the login was paused)
MISSING = "missing"


def fingerprint(secret: str | None, *, salt: bytes | None = None) -> str:
    """``scrypt$<salt hex>$<digest hex>`` of ``secret``; :data:`MISSING` for no secret."""
    if secret is None:
        return MISSING
    salt = salt if salt is not None else secrets.token_bytes(_SALT_BYTES)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"{SCHEME}${salt.hex()}${digest.hex()}"


def same_secret(stored: str | None, secret: str | None) -> bool:
    """Whether ``secret`` is the one ``stored`` was made from (unknown forms never match)."""
    if stored is None:
        return False
    if stored == MISSING or secret is None:
        return stored == MISSING and secret is None
    scheme, _, rest = stored.partition("$")
    salt_hex, _, _digest = rest.partition("$")
    if scheme != SCHEME or not salt_hex:
        return False
    try:
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    return hmac.compare_digest(fingerprint(secret, salt=salt), stored)


def login_secret_text(password: str, totp_secret: str | None) -> str:
    """What a login's fingerprint covers: the password and the second factor's seed."""
    return password + "\0" + (totp_secret or "")
