"""The local outcome journal: a portal outcome is never only in memory.

When the database is unreachable at the moment a portal answers, the outcome is appended to a
JSON-lines file and fsynced before the worker moves on; on the next start (or reconnect) the
journal is replayed before anything else. Replays are idempotent: each outcome carries a unique
``outcome_uid`` that the events table refuses twice, so a crash during a replay is harmless.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from connectors.oracle.records import CollectionNote, EventType, OutcomeRecord, SubmissionStatus


def outcome_to_json(submission_id: int, outcome: OutcomeRecord) -> str:
    data = asdict(outcome)
    data["to_status"] = outcome.to_status.value
    data["event_type"] = outcome.event_type.value
    return json.dumps({"submission_id": submission_id, "outcome": data}, sort_keys=True)


def outcome_from_json(line: str) -> tuple[int, OutcomeRecord]:
    raw = json.loads(line)
    data: dict[str, Any] = raw["outcome"]
    data["to_status"] = SubmissionStatus(data["to_status"])
    data["event_type"] = EventType(data["event_type"])
    # a journal written before retry times were relative: keep the wait, measured from now
    legacy_at = data.pop("next_attempt_at", None)
    if legacy_at and data.get("retry_after_s") is None:
        wait = dt.datetime.fromisoformat(legacy_at) - dt.datetime.now(dt.UTC)
        data["retry_after_s"] = max(0.0, wait.total_seconds())
    if data.get("note"):
        data["note"] = CollectionNote(**data["note"])
    return int(raw["submission_id"]), OutcomeRecord(**data)


class OutcomeJournal:
    """Append-only, fsynced, replayed first."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, submission_id: int, outcome: OutcomeRecord) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = outcome_to_json(submission_id, outcome) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        _fsync_dir(self.path.parent)

    def pending(self) -> list[tuple[int, OutcomeRecord]]:
        if not self.path.exists():
            return []
        entries = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                try:
                    entries.append(outcome_from_json(line))
                except (ValueError, KeyError, TypeError):
                    continue  # a torn last line from a crash mid-write: nothing was promised yet
        return entries

    def replay(self, apply: Callable[[int, OutcomeRecord], object]) -> int:
        """Apply every journalled outcome (idempotently), then clear the journal."""
        entries = self.pending()
        for submission_id, outcome in entries:
            apply(submission_id, outcome)
        if entries or self.path.exists():
            done = self.path.with_suffix(self.path.suffix + ".replayed")
            os.replace(self.path, done)
            done.unlink()
            _fsync_dir(self.path.parent)
        return len(entries)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
