"""The nightly schedule: cron expressions the scheduler really fires, time zones that exist."""

from __future__ import annotations

import datetime as dt

import pytest

from config.schedule_checks import cron_problem, zone_problem

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "expression",
    [
        "0 1 * * *",  # the default: 01:00 every day
        "30 0 * * mon-fri",  # weekdays by name
        "*/15 6-18 * * *",  # steps and ranges
        "0 1 * * */2",  # a step on the weekday field is no weekday number
        "0 1 29 2 *",  # 29 February: fires in the next leap year
    ],
)
def test_cron_expressions_the_scheduler_fires(expression: str) -> None:
    """Expressions APScheduler parses and that fire again are accepted."""
    assert cron_problem(expression, now=NOW) is None


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # five fields, but the minute is out of range
        ("61 1 * * *", "the last value (61) is higher than the maximum value (59)"),
        # four fields: the weekday is missing
        ("0 1 * *", "it has 4 field(s), a cron expression has 5: minute hour day month weekday"),
        # not a number, not a name
        ("x 1 * * *", 'Unrecognized expression "x" for field "minute"'),
        # cron's Monday-Friday would be APScheduler's Tuesday-Saturday
        ("0 1 * * 1-5", "write weekdays as names"),
        # Sunday in cron, Monday in APScheduler
        ("0 1 * * 0", "write weekdays as names"),
        # 31 February never comes
        ("0 1 31 2 *", "never fires"),
    ],
)
def test_cron_expressions_refused_with_the_reason(expression: str, expected: str) -> None:
    """Each refusal quotes the expression and says what is wrong with it."""
    problem = cron_problem(expression, now=NOW)
    assert problem is not None
    assert repr(expression) in problem
    assert expected in problem


def test_known_zone_accepted_misspelt_zone_gets_the_closest() -> None:
    """'UTC' and 'America/Chicago' exist; 'Europe/Berln' is refused offering 'Europe/Berlin'."""
    assert zone_problem("UTC") is None
    assert zone_problem("America/Chicago") is None
    assert zone_problem("Europe/Berln") == (
        "unknown time zone 'Europe/Berln' (did you mean 'Europe/Berlin'?)"
    )
    far = zone_problem("Nowhere at all")
    assert far is not None and far.startswith("unknown time zone 'Nowhere at all'")
