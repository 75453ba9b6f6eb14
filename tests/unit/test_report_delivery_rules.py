"""What a failed send leads to, and where report files may go: pure rules, by table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from connectors.mail.errors import (
    MailError,
    MailLoginFailed,
    MailOutcomeUnknown,
    MailRejected,
    MailUnavailable,
)
from connectors.oracle.deliveries import DeliveryStatus
from jobs.reports.delivery import settle_failure
from jobs.reports.outbox import report_dir, write_atomically

NOW = dt.datetime(2026, 11, 1, 6, tzinfo=dt.UTC)
S = dt.timedelta(seconds=1)


@pytest.mark.parametrize(
    ("exc", "attempts", "status", "wait"),
    [
        # nothing delivered, first attempt: wait the base time
        (MailUnavailable("451"), 1, DeliveryStatus.PENDING, 60 * S),
        # third attempt: the wait doubled twice
        (MailUnavailable("451"), 3, DeliveryStatus.PENDING, 240 * S),
        # out of attempts: a person looks
        (MailUnavailable("451"), 5, DeliveryStatus.FAILED, None),
        # refused for good: no retry
        (MailRejected("554"), 1, DeliveryStatus.FAILED, None),
        # may have been delivered: never again on its own
        (MailOutcomeUnknown("lost"), 1, DeliveryStatus.UNCERTAIN, None),
        # login refused: hours, not minutes, before the relay sees the password again
        (MailLoginFailed("535"), 1, DeliveryStatus.PENDING, 6 * 3600 * S),
        # the backoff is capped at six hours
        (MailUnavailable("451"), 4, DeliveryStatus.PENDING, 480 * S),
    ],
)
def test_settle_failure(
    exc: MailError, attempts: int, status: DeliveryStatus, wait: dt.timedelta | None
) -> None:
    """The state and the next try of a delivery after a failed attempt."""
    decision = settle_failure(exc, attempts=attempts, max_attempts=5, now=NOW, base_s=60)
    assert decision.status is status
    assert decision.next_attempt_at == (None if wait is None else NOW + wait)


def test_backoff_never_exceeds_six_hours() -> None:
    """A long base time still waits at most six hours between attempts."""
    decision = settle_failure(
        MailUnavailable("451"), attempts=9, max_attempts=50, now=NOW, base_s=3600
    )
    assert decision.next_attempt_at == NOW + dt.timedelta(hours=6)


@pytest.mark.parametrize("part", ["../etc", "", "a/b", "2026-10-31\n", "..", "x y"])
def test_report_dir_refuses_anything_but_plain_names(tmp_path: Path, part: str) -> None:
    """Report folders are made of our own names and dates only."""
    with pytest.raises(ValueError, match="not a safe path part"):
        report_dir(tmp_path, "monthly", part)


def test_report_files_are_written_whole_or_not_at_all(tmp_path: Path) -> None:
    """A file replaces the old one in one step and leaves no temporary behind."""
    folder = report_dir(tmp_path, "monthly", "2026-10-31")
    assert folder == tmp_path / "monthly" / "2026-10-31"
    path = write_atomically(folder / "report.html", b"old")
    write_atomically(path, b"new")
    assert path.read_bytes() == b"new"
    assert [p.name for p in folder.iterdir()] == ["report.html"]
    assert path.stat().st_mode & 0o777 == 0o640
