"""Fault injection for the stand-in portals: the bad days a real portal has, on demand.

The worker's promises (never twice, never lost, back off, pause on a changed page) only mean
something if they are tested against a portal that is slow, busy, forgetful and sometimes
changes its pages. :class:`Faults` says how bad things are; :class:`FaultControl` holds the
current value and the seeded dice, so a failing run can be replayed with the same decisions.
The admin endpoints (``/__sandbox/*``) are never subject to faults.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from typing import Any

LAYOUTS = ("v1", "v2")
DEFAULT_SESSION_IDLE_S = 1800.0  #: 30 minutes, as Ariba and most Coupa buyers set it
DEFAULT_LOCKOUT_AFTER = 3  #: failed logins before the user is locked out
MAX_PER_PAGE = 100  #: the most rows a list page shows, whatever ``per_page`` asks


class FaultsInvalid(ValueError):
    """A fault setting is out of range or of the wrong type; the message names the field."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Faults:
    """How a stand-in portal misbehaves. The defaults are a healthy portal."""

    #: added to every request of a portal, static assets included
    latency_ms: int = 0
    #: fraction of page requests answered 503 "System busy - please try again later"
    error_rate: float = 0.0
    #: fraction of accepted invoice submissions answered 500 after the invoice was stored
    confirm_fail_rate: float = 0.0
    #: fraction of invoice lookups (the invoices list, search and status pages) answered 503
    lookup_error_rate: float = 0.0
    #: idle time after which the session is forgotten and the next request goes to login
    session_idle_s: float = DEFAULT_SESSION_IDLE_S
    #: failed logins (password or code) that lock the user
    lockout_after: int = DEFAULT_LOCKOUT_AFTER
    #: the most rows an invoice list page shows whatever its ``per_page`` asks (a portal whose
    #: own cap is lower than the page size a driver asks for); at most :data:`MAX_PER_PAGE`
    list_page_cap: int = MAX_PER_PAGE
    #: "v1", or "v2": the invoice form's field names, ids and labels change
    layout: str = "v1"
    #: seed of the dice that decide which requests fail
    seed: int = 0

    def __post_init__(self) -> None:
        _require_int("latency_ms", self.latency_ms, minimum=0)
        _require_rate("error_rate", self.error_rate)
        _require_rate("confirm_fail_rate", self.confirm_fail_rate)
        _require_rate("lookup_error_rate", self.lookup_error_rate)
        _require_number("session_idle_s", self.session_idle_s)
        if self.session_idle_s <= 0:
            raise FaultsInvalid(f"session_idle_s must be > 0, got {self.session_idle_s!r}")
        _require_int("lockout_after", self.lockout_after, minimum=1)
        _require_int("list_page_cap", self.list_page_cap, minimum=1)
        if self.list_page_cap > MAX_PER_PAGE:
            raise FaultsInvalid(
                f"list_page_cap must be <= {MAX_PER_PAGE}, got {self.list_page_cap!r}"
            )
        if self.layout not in LAYOUTS:
            raise FaultsInvalid(f"layout must be one of {LAYOUTS}, got {self.layout!r}")
        _require_int("seed", self.seed, minimum=None)

    def updated(self, **changes: Any) -> Faults:
        """A copy with ``changes`` applied; unknown names or bad values raise FaultsInvalid."""
        known = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise FaultsInvalid(f"unknown fault setting(s) {unknown}; known: {sorted(known)}")
        return dataclasses.replace(self, **changes)

    def as_json(self) -> dict[str, Any]:
        """The settings as the admin endpoint shows them."""
        return dataclasses.asdict(self)


class FaultControl:
    """The current faults of a running sandbox and the seeded dice that apply them."""

    def __init__(self, baseline: Faults | None = None) -> None:
        self._baseline = baseline or Faults()
        self._faults = self._baseline
        self._dice = random.Random(self._faults.seed)

    @property
    def current(self) -> Faults:
        return self._faults

    def update(self, **changes: Any) -> Faults:
        """Apply a partial update; a new ``seed`` restarts the dice."""
        self._faults = self._faults.updated(**changes)
        if "seed" in changes:
            self._dice = random.Random(self._faults.seed)
        return self._faults

    def reset(self) -> Faults:
        """Back to the faults the sandbox was started with, dice included."""
        self._faults = self._baseline
        self._dice = random.Random(self._faults.seed)
        return self._faults

    def roll(self, rate: float) -> bool:
        """True with probability ``rate``; a zero rate never consumes the dice."""
        if rate <= 0:
            return False
        return self._dice.random() < rate


def _require_number(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FaultsInvalid(f"{name} must be a number, got {value!r}")


def _require_int(name: str, value: object, *, minimum: int | None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultsInvalid(f"{name} must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise FaultsInvalid(f"{name} must be >= {minimum}, got {value!r}")


def _require_rate(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise FaultsInvalid(f"{name} must be a number between 0.0 and 1.0, got {value!r}")
