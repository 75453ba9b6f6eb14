"""A clock the test sets, so leases expire and backoffs pass without sleeping."""

from __future__ import annotations

import datetime as dt

#: where every settable clock starts: a Tuesday night, after the nightly run
START = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)


class Clock:
    """A settable clock, so lease expiry is tested without sleeping."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)
