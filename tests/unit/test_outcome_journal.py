"""The outcome journal: fsynced, readable after a crash, replayed once then cleared."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from connectors.oracle.records import CollectionNote, EventType, OutcomeRecord, SubmissionStatus
from jobs.outcome_journal import OutcomeJournal


def outcome(uid: str) -> OutcomeRecord:
    return OutcomeRecord(
        outcome_uid=uid,
        to_status=SubmissionStatus.PENDING,
        event_type=EventType.RETRY_SCHEDULED,
        detail="busy",
        retry_after_s=300.0,
        note=CollectionNote(cust_account_id=1, party_id=2, payment_schedule_id=3, text="n"),
    )


def test_journal_round_trip(tmp_path: Path) -> None:
    """What was appended comes back identical, file mode 0600."""
    journal = OutcomeJournal(tmp_path / "j" / "outcomes.jsonl")
    journal.append(7, outcome("a"))
    journal.append(8, outcome("b"))
    assert journal.pending() == [(7, outcome("a")), (8, outcome("b"))]
    assert os.stat(journal.path).st_mode & 0o777 == 0o600


def test_journal_ignores_torn_last_line(tmp_path: Path) -> None:
    """A line half-written when the process died is skipped; complete lines survive."""
    journal = OutcomeJournal(tmp_path / "outcomes.jsonl")
    journal.append(7, outcome("a"))
    with journal.path.open("a") as f:
        f.write('{"submission_id": 8, "outc')
    assert journal.pending() == [(7, outcome("a"))]


def test_replay_applies_then_clears(tmp_path: Path) -> None:
    """Replay hands every outcome to the store once, then empties the journal."""
    journal = OutcomeJournal(tmp_path / "outcomes.jsonl")
    journal.append(7, outcome("a"))
    applied: list[tuple[int, str]] = []
    assert journal.replay(lambda sid, o: applied.append((sid, o.outcome_uid))) == 1
    assert applied == [(7, "a")]
    assert journal.pending() == []
    assert journal.replay(lambda sid, o: applied.append((sid, o.outcome_uid))) == 0


def test_replay_keeps_journal_when_store_still_down(tmp_path: Path) -> None:
    """If applying fails (database still down), nothing is dropped."""
    journal = OutcomeJournal(tmp_path / "outcomes.jsonl")
    journal.append(7, outcome("a"))

    def down(_sid: int, _o: OutcomeRecord) -> None:
        raise ConnectionError("still down")

    try:
        journal.replay(down)
    except ConnectionError:
        pass
    assert journal.pending() == [(7, outcome("a"))]


def test_journal_line_of_an_older_release_keeps_its_wait(tmp_path: Path) -> None:
    """A journal written with an absolute retry time (before retry times were relative to the
    database's clock) replays with the wait that was left."""
    journal = OutcomeJournal(tmp_path / "outcomes.jsonl")
    at = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)).isoformat()
    journal.path.write_text(
        '{"submission_id": 7, "outcome": {"outcome_uid": "old", "to_status": "PENDING", '
        '"event_type": "RETRY_SCHEDULED", "detail": "busy", "next_attempt_at": "' + at + '"}}\n'
    )
    ((sid, replayed),) = journal.pending()
    assert sid == 7 and replayed.retry_after_s is not None
    assert 590 <= replayed.retry_after_s <= 600
