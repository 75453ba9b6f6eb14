"""Checks of the daemon's schedule settings: a cron expression the scheduler will really fire, and
a time zone that exists, each refused with what to write instead.

The cron expression is checked by the scheduler's own parser (APScheduler's ``CronTrigger``),
because "five fields" is not enough: ``61 1 * * *`` has five fields and never parses, and
``0 1 31 2 *`` parses and never fires. Numeric weekdays are refused: APScheduler 3 counts them
from Monday (0 = Monday), cron from Sunday (0 = Sunday), so the ``1-5`` an operator copies from a
crontab would run Tuesday to Saturday. Names (``mon-fri``) mean the same to both.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import zoneinfo

CRON_FIELDS = ("minute", "hour", "day", "month", "weekday")
_DIGIT = re.compile(r"\d")


def cron_problem(expression: str, *, now: dt.datetime | None = None) -> str | None:
    """Why the scheduler cannot use ``expression``, or None when it can."""
    from apscheduler.triggers.cron import CronTrigger

    fields = expression.split()
    if len(fields) != len(CRON_FIELDS):
        return (
            f"invalid cron expression {expression!r}: it has {len(fields)} field(s), a cron "
            f"expression has {len(CRON_FIELDS)}: {' '.join(CRON_FIELDS)}"
        )
    weekday = fields[-1]
    if any(_DIGIT.search(item.split("/", 1)[0]) for item in weekday.split(",")):
        return (
            f"invalid cron expression {expression!r}: write weekdays as names (mon, tue, … sun; "
            f"e.g. mon-fri), not numbers: the scheduler counts 0 as Monday where cron counts 0 "
            f"as Sunday, so {weekday!r} would not run on the days a crontab means"
        )
    try:
        trigger = CronTrigger.from_crontab(expression, timezone=dt.UTC)
    except ValueError as exc:
        return f"invalid cron expression {expression!r}: {exc}"
    start = now or dt.datetime.now(dt.UTC)
    if trigger.get_next_fire_time(None, start) is None:
        return f"cron expression {expression!r} never fires (no such date)"
    return None


def zone_problem(name: str) -> str | None:
    """Why ``name`` is not a time zone, with the closest real one; None when it is one."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        pass
    else:
        return None
    zones = sorted(zoneinfo.available_timezones())
    close = difflib.get_close_matches(name, zones, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else " (an IANA name such as 'Europe/Berlin')"
    return f"unknown time zone {name!r}{hint}"
