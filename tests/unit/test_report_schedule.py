"""When the daemon runs a report slot (again): the upkeep's rule, by table."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from worker.report_schedule import needs_a_run

NOW = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


def _run(status: str, started: dt.datetime, finished: dt.datetime | None) -> dict[str, Any]:
    return {"status": status, "started_at": started, "finished_at": finished}


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        # nobody ran the slot yet: run it
        (None, True),
        # done: never again
        (_run("COMPLETED", NOW - 3 * H, NOW - 3 * H), False),
        # failed a moment ago: not at every poll
        (_run("FAILED", NOW - 0.5 * H, NOW - 0.4 * H), False),
        # failed over an hour ago: try again
        (_run("FAILED", NOW - 2 * H, NOW - 1.5 * H), True),
        # running, recently started: someone is on it
        (_run("RUNNING", NOW - 0.2 * H, None), False),
        # "running" for hours: its worker died; take it over
        (_run("RUNNING", NOW - 3 * H, None), True),
    ],
)
def test_needs_a_run(run: dict[str, Any] | None, expected: bool) -> None:
    """A slot runs when nobody completed it and its last attempt is an hour old."""
    assert needs_a_run(run, NOW) is expected
