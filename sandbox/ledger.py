"""What every stand-in portal saw: accepted uploads and login attempts, for the tests to check.

The worker's first promise is that no invoice reaches a portal twice. A test can only prove it
from the portal's side, so every portal family writes each accepted upload here, *before* it
decides whether to show the confirmation page, and every login attempt, so a test can also
prove that a refused login was not retried. ``GET /__sandbox/received`` and
``GET /__sandbox/logins`` serve these lists.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, kw_only=True, slots=True)
class ReceivedInvoice:
    """One invoice a portal accepted and stored."""

    portal: str  #: family: "coupa", "ariba", "upload"
    buyer: str  #: buyer code
    buyer_name: str
    invoice_number: str
    amount: Decimal  #: invoice total, tax included
    currency: str
    portal_reference: str  #: the portal's own document id
    received_at: dt.datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "portal": self.portal,
            "buyer": self.buyer,
            "buyer_name": self.buyer_name,
            "invoice_number": self.invoice_number,
            "amount": str(self.amount),
            "currency": self.currency,
            "portal_reference": self.portal_reference,
            "received_at": self.received_at.isoformat(),
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class LoginAttempt:
    """One login attempt on a portal, successful or not."""

    portal: str
    login_name: str
    ok: bool
    #: "ok", "bad_password", "unknown_user", "bad_totp", "locked"
    reason: str
    at: dt.datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "portal": self.portal,
            "login_name": self.login_name,
            "ok": self.ok,
            "reason": self.reason,
            "at": self.at.isoformat(),
        }


class Ledger:
    """Append-only lists shared by all portal families of one sandbox."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[ReceivedInvoice] = []
        self._logins: list[LoginAttempt] = []

    def record_received(self, entry: ReceivedInvoice) -> None:
        with self._lock:
            self._received.append(entry)

    def record_login(self, *, portal: str, login_name: str, ok: bool, reason: str) -> None:
        attempt = LoginAttempt(
            portal=portal, login_name=login_name, ok=ok, reason=reason, at=_now()
        )
        with self._lock:
            self._logins.append(attempt)

    def received(self) -> list[ReceivedInvoice]:
        with self._lock:
            return list(self._received)

    def logins(self) -> list[LoginAttempt]:
        with self._lock:
            return list(self._logins)

    def clear(self) -> None:
        with self._lock:
            self._received.clear()
            self._logins.clear()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
