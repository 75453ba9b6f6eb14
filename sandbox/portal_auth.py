"""Signing in to a stand-in portal: password, optional TOTP, lock-out after repeated failures.

Real portals lock a supplier user after a few failures (Ariba: 3) and most ask for an
authenticator code (RFC 6238, 30 s step, one step of clock skew accepted). The worker must
never retry a refused login, because a retry is how a worker locks its own account; this
module makes a stand-in strict enough to prove it, and records every attempt in the ledger.
It knows nothing of HTML, so each portal family renders its own login pages around it.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import pyotp

from sandbox.catalog import PortalUser
from sandbox.faults import FaultControl
from sandbox.ledger import Ledger

MESSAGE_BAD_CREDENTIALS = "Invalid email or password"
MESSAGE_BAD_CODE = "Invalid verification code"
MESSAGE_LOCKED = "Your account has been locked"
TOTP_VALID_WINDOW_STEPS = 1  #: accept the previous and the next 30 s code too


class SignInStep(StrEnum):
    """Where a sign-in attempt stands after one form."""

    #: the user is signed in
    SIGNED_IN = "SIGNED_IN"
    #: the password was right; the portal now wants the authenticator code
    NEEDS_CODE = "NEEDS_CODE"
    #: refused; the message says why
    REFUSED = "REFUSED"


@dataclass(frozen=True, kw_only=True, slots=True)
class SignInOutcome:
    step: SignInStep
    login_name: str
    message: str | None = None


class PortalAuth:
    """The users of one portal family, their failed attempts and their lock-outs."""

    def __init__(
        self, family: str, users: Iterable[PortalUser], ledger: Ledger, faults: FaultControl
    ) -> None:
        self._family = family
        self._users = {_key(u.login_name): u for u in users if u.family == family}
        self._ledger = ledger
        self._faults = faults
        self._failures: dict[str, int] = {}
        self._locked: set[str] = set()

    def check_password(self, login_name: str, password: str) -> SignInOutcome:
        """First step: the password. Users with a TOTP secret go on to :meth:`check_code`."""
        name = login_name.strip()
        if _key(name) in self._locked:
            return self._refuse(name, "locked", MESSAGE_LOCKED)
        user = self._users.get(_key(name))
        if user is None:
            return self._fail(name, "unknown_user", MESSAGE_BAD_CREDENTIALS)
        if not hmac.compare_digest(user.password.encode(), password.encode()):
            return self._fail(name, "bad_password", MESSAGE_BAD_CREDENTIALS)
        if user.totp_secret:
            return SignInOutcome(step=SignInStep.NEEDS_CODE, login_name=user.login_name)
        return self._succeed(user.login_name)

    def check_code(self, login_name: str, code: str) -> SignInOutcome:
        """Second step: the authenticator code of a user whose password was right."""
        if _key(login_name) in self._locked:
            return self._refuse(login_name, "locked", MESSAGE_LOCKED)
        user = self._users.get(_key(login_name))
        secret = user.totp_secret if user is not None else None
        if user is None or not secret:
            return self._fail(login_name, "bad_totp", MESSAGE_BAD_CODE)
        digits = "".join(code.split())
        totp = pyotp.TOTP(secret)
        if not digits.isdigit() or not totp.verify(digits, valid_window=TOTP_VALID_WINDOW_STEPS):
            return self._fail(user.login_name, "bad_totp", MESSAGE_BAD_CODE)
        return self._succeed(user.login_name)

    def is_locked(self, login_name: str) -> bool:
        return _key(login_name) in self._locked

    def reset(self) -> None:
        """Forget failed attempts and lock-outs."""
        self._failures.clear()
        self._locked.clear()

    def _succeed(self, login_name: str) -> SignInOutcome:
        self._failures.pop(_key(login_name), None)
        self._ledger.record_login(portal=self._family, login_name=login_name, ok=True, reason="ok")
        return SignInOutcome(step=SignInStep.SIGNED_IN, login_name=login_name)

    def _fail(self, login_name: str, reason: str, message: str) -> SignInOutcome:
        key = _key(login_name)
        self._failures[key] = self._failures.get(key, 0) + 1
        if self._failures[key] >= self._faults.current.lockout_after:
            self._locked.add(key)
            message = MESSAGE_LOCKED
        return self._refuse(login_name, reason, message)

    def _refuse(self, login_name: str, reason: str, message: str) -> SignInOutcome:
        self._ledger.record_login(
            portal=self._family, login_name=login_name, ok=False, reason=reason
        )
        return SignInOutcome(step=SignInStep.REFUSED, login_name=login_name, message=message)


def _key(login_name: str) -> str:
    return login_name.strip().casefold()
