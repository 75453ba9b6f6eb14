"""The nightly slot: every worker of a fleet maps one night's firing to the same scheduled time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from worker.scheduler import NIGHTLY_LOOKBACK, last_fire_time

ZONE = ZoneInfo("America/Chicago")
TRIGGER = CronTrigger.from_crontab("0 1 * * *", timezone=ZONE)
SLOT = dt.datetime(2026, 11, 24, 1, 0, tzinfo=ZONE)


@pytest.mark.parametrize(
    "now",
    [
        SLOT,  # fired on time
        SLOT + dt.timedelta(seconds=3),  # a worker whose clock runs 3 s late
        SLOT + dt.timedelta(minutes=45),  # a misfire fired late within the grace time
        SLOT + dt.timedelta(hours=23),  # `run --nightly-now` in the afternoon: still that night
    ],
)
def test_last_fire_time_is_the_nights_slot(now: dt.datetime) -> None:
    """Any firing between two scheduled times belongs to the earlier one, in UTC."""
    assert last_fire_time(TRIGGER, now, NIGHTLY_LOOKBACK) == SLOT.astimezone(dt.UTC)


def test_last_fire_time_before_the_slot_is_the_previous_night() -> None:
    """A second before 01:00 still belongs to yesterday's run."""
    slot = last_fire_time(TRIGGER, SLOT - dt.timedelta(seconds=1), NIGHTLY_LOOKBACK)
    assert slot == (SLOT - dt.timedelta(days=1)).astimezone(dt.UTC)
