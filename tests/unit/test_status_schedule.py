"""The poll-by-need rule, as a table: what was seen → when the next read is due."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors.portals.base import PortalStatus
from jobs.status_schedule import APPROVED_AT_LEAST_EVERY, DAILY, next_status_check

NOW = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("status", "pay_date", "expected"),
    [
        (None, None, NOW + DAILY),
        (PortalStatus.PENDING_APPROVAL, None, NOW + DAILY),
        (PortalStatus.APPROVED, None, NOW + DAILY),
        # a pay date ten days on: looked at on that date, not before
        (PortalStatus.APPROVED, NOW.date() + 10 * DAY, _midnight(NOW.date() + 10 * DAY)),
        # a pay date far away: still looked at every 14 days
        (PortalStatus.APPROVED, NOW.date() + 60 * DAY, NOW + APPROVED_AT_LEAST_EVERY),
        # the pay date is today or passed: daily until it is paid
        (PortalStatus.APPROVED, NOW.date() + DAY, _midnight(NOW.date() + DAY)),
        (PortalStatus.APPROVED, NOW.date(), NOW + DAILY),
        (PortalStatus.APPROVED, NOW.date() - 5 * DAY, NOW + DAILY),
        (PortalStatus.DISPUTED, None, NOW + DAILY),
        (PortalStatus.REJECTED, None, NOW + DAILY),
        (PortalStatus.PAID, None, None),
        (PortalStatus.VOIDED, None, None),
        (PortalStatus.PAID, NOW.date() + 10 * DAY, None),
    ],
)
def test_next_status_check(
    status: PortalStatus | None, pay_date: dt.date | None, expected: dt.datetime | None
) -> None:
    assert next_status_check(status, projected_pay_date=pay_date, now=NOW) == expected


def test_a_daily_read_is_due_at_the_next_nightly_even_when_it_starts_earlier() -> None:
    """Read at 02:00 one night; the next night's pass starting at 00:30 finds it due, and an
    hourly status poll in between does not."""
    due = next_status_check(PortalStatus.PENDING_APPROVAL, projected_pay_date=None, now=NOW)
    assert due is not None
    next_night = NOW + DAY - dt.timedelta(hours=1, minutes=30)
    assert due <= next_night
    assert all(due > NOW + dt.timedelta(hours=h) for h in range(1, 20))
