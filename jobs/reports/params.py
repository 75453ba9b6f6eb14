"""What a report is asked for, and the calendar arithmetic of as-of dates and month-ends."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from connectors.oracle.report_records import AgingBucketSet, Collector

DEFAULT_MIN_DAYS = 60
DEFAULT_MIN_BALANCE = Decimal("10000")
DEFAULT_BUCKET_SET = "7-Bucket Aging"
DEFAULT_DSO_PERIOD_MONTHS = 3
TREND_MONTH_ENDS = 12
#: how far back count-back DSO looks for sales before it gives up
COUNT_BACK_MAX_MONTHS = 24


class ReportRequestError(LookupError):
    """The report cannot be built as asked (an unknown bucket set, an unknown collector...);
    the message says what exists."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ReportParams:
    """The options of ``arworker report`` and of the scheduled reports."""

    as_of: dt.date
    org_ids: tuple[int, ...] | None = None  #: None: every configured operating unit
    collector: str | None = None
    min_days: int = DEFAULT_MIN_DAYS
    min_balance: Decimal = DEFAULT_MIN_BALANCE
    bucket_set: str = DEFAULT_BUCKET_SET
    dso_period_months: int = DEFAULT_DSO_PERIOD_MONTHS


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def previous_month_end(day: dt.date) -> dt.date:
    """The last day of the month before ``day``'s: what the monthly report is as of."""
    return month_start(day) - dt.timedelta(days=1)


def month_ends_through(as_of: dt.date, count: int) -> list[dt.date]:
    """The ``count`` month-ends on or before ``as_of``, oldest first."""
    last = as_of if as_of == month_end(as_of) else previous_month_end(as_of)
    ends = [last]
    while len(ends) < count:
        ends.append(previous_month_end(ends[-1]))
    return ends[::-1]


def months_back(point: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """``count`` calendar months ending at ``point``, newest first; the first one ends on
    ``point`` itself (a part month when ``point`` is not a month-end)."""
    periods = [(month_start(point), point)]
    while len(periods) < count:
        end = periods[-1][0] - dt.timedelta(days=1)
        periods.append((month_start(end), end))
    return periods


def find_bucket_set(sets: Sequence[AgingBucketSet], name: str) -> AgingBucketSet:
    """The set called ``name`` (any case), or an error naming the sets there are."""
    for bucket_set in sets:
        if bucket_set.name.casefold() == name.casefold():
            return bucket_set
    names = ", ".join(repr(s.name) for s in sets) or "none (AR_AGING_BUCKETS is empty)"
    raise ReportRequestError(f"no aging bucket set named {name!r}; the database has {names}")


def check_collector(collectors: Sequence[Collector], name: str) -> Collector:
    """The collector called ``name`` (any case), or an error naming the active ones."""
    for collector in collectors:
        if collector.name.casefold() == name.casefold():
            return collector
    names = ", ".join(repr(c.name) for c in collectors if c.active) or "none"
    raise ReportRequestError(f"no collector named {name!r}; AR_COLLECTORS has {names}")
