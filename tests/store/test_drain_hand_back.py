"""The queue drain hands back what it claimed when it is stopped, on every reachable backend.

A claim runs in a thread that cancelling the drain cannot stop: the rows become IN_PROGRESS
under the worker's lease whether or not anyone reads the answer. These tests cancel the drain
while a claim is in that thread and check that nothing is left IN_PROGRESS for a lease to expire.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from connectors.oracle.records import SubmissionStatus
from connectors.oracle.store import Store
from jobs.drain import drain_queue
from jobs.run_summary import RunSummary
from jobs.submission import EventType
from tests.support.books.ebs import ORG, load_sample_book
from tests.support.clock import Clock
from tests.support.drain_context import drain_context

RUN_ID = "test-drain-hand-back"
WAIT_S = 30.0


@pytest.fixture
def store(engine: sa.Engine) -> Store:
    load_sample_book(engine)
    return Store(engine, org_ids=[ORG], clock=Clock())


def test_claim_in_flight_when_cancelled_is_handed_back(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued = store.enqueue_open_invoices(run_id="enqueue").enqueued
    assert queued >= 2
    in_claim = threading.Event()
    may_finish = threading.Event()
    real_claim = store.claim

    def claim_held_open(**kwargs: Any) -> Any:
        in_claim.set()
        assert may_finish.wait(WAIT_S), "the test never let the claim finish"
        return real_claim(**kwargs)

    monkeypatch.setattr(store, "claim", claim_held_open)

    async def cancel_during_claim() -> None:
        drain = asyncio.create_task(
            drain_queue(
                drain_context(store, tmp_path, run_id=RUN_ID),
                RunSummary(job="submit", run_id=RUN_ID),
            )
        )
        assert await asyncio.to_thread(in_claim.wait, WAIT_S), "the drain never claimed"
        drain.cancel()  # as a wind-down whose grace period ran out, or a second Ctrl-C
        may_finish.set()
        with pytest.raises(asyncio.CancelledError):
            await drain

    asyncio.run(cancel_during_claim())

    rows = store.submissions()
    assert not [s.trx_number for s in rows if s.status is SubmissionStatus.IN_PROGRESS]
    claimed = [
        s for s in rows if any(e["event_type"] == "CLAIMED" for e in store.events(s.submission_id))
    ]
    assert claimed, "the claim took nothing, so the test proved nothing"
    for s in claimed:
        events = [e["event_type"] for e in store.events(s.submission_id)]
        assert events[-1] == EventType.RELEASED, (s.trx_number, events)
        assert s.status is SubmissionStatus.PENDING and s.attempts == 0, s
