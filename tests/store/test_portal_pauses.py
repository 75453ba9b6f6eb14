"""Pauses, the outage breaker, the fence and the database clock, on every reachable backend.

What a fleet shares must hold on the database the fleet shares: one pause per thing at a time
(so one set of notes), a breaker every worker sees, a fence that refuses a lapsed lease, and
lease times from the database's clock rather than each host's.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

import connectors.oracle.unit_of_work as unit_of_work
from connectors.oracle.records import PauseKind, SubmissionStatus
from connectors.oracle.store import Store
from tests.support.books.ebs import ORG, SampleBook, load_sample_book
from tests.support.clock import Clock

LOGIN = {
    "portal_code": "coupa",
    "portal_url": "http://127.0.0.1:9/coupa/",
    "login_name": "ar@x.example",
    "fingerprint": "scrypt$00$11",
    "reason": "Invalid email or password",
    "error_code": "LOGIN_FAILED",
    "worker_name": "h/1/1",
}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(engine: sa.Engine, clock: Clock) -> Store:
    return Store(engine, org_ids=[ORG], clock=clock)


@pytest.fixture
def book(engine: sa.Engine) -> SampleBook:
    return load_sample_book(engine)


def test_a_login_is_paused_once_until_resumed(store: Store) -> None:
    """A second pause of the same login (another run, another worker) opens nothing new."""
    first = store.pause_login(**LOGIN)
    assert first is not None and first.kind is PauseKind.LOGIN
    assert first.portal_url == "http://127.0.0.1:9/coupa"
    assert store.pause_login(**LOGIN) is None
    assert [p.pause_id for p in store.active_pauses()] == [first.pause_id]
    assert store.login_pause_fingerprint(first.pause_id) == "scrypt$00$11"
    assert store.resume_pause(first.pause_id, resumed_by="ops", reason="unlocked")
    assert not store.resume_pause(first.pause_id, resumed_by="ops", reason="again")
    assert store.active_pauses() == []
    again = store.pause_login(**LOGIN)
    assert again is not None and again.pause_id != first.pause_id


def test_concurrent_pauses_open_one(store: Store) -> None:
    """Workers pausing the same login at the same moment: exactly one of them opens it."""
    opened: list[object] = []
    lock = threading.Lock()

    def pause() -> None:
        result = store.pause_login(**LOGIN)
        with lock:
            opened.append(result)

    threads = [threading.Thread(target=pause) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(1 for p in opened if p is not None) == 1
    assert len(store.active_pauses()) == 1


def test_outage_breaker_opens_once_and_cools_down(store: Store, clock: Clock) -> None:
    """The breaker opens (alert once), re-trips quietly, cools down, and closes on success."""
    pause, newly = store.open_outage(
        portal_code="upload", reason="refused", cooldown_s=60, worker_name="h/1/1"
    )
    assert newly and pause.paused_until == clock.now + dt.timedelta(seconds=60)
    assert [p.kind for p in store.active_pauses()] == [PauseKind.OUTAGE]
    clock.advance(61)
    assert store.active_pauses() == [], "cooled down: workers may try the portal again"
    assert [p.portal_code for p in store.unresolved_outages()] == ["upload"]
    again, newly = store.open_outage(
        portal_code="upload", reason="still refused", cooldown_s=60, worker_name="h/2/1"
    )
    assert not newly and again.pause_id == pause.pause_id and again.trip_count == 2
    assert store.close_outage("upload", resumed_by="arworker") == 1
    assert store.unresolved_outages() == []


def test_one_reprobe_per_interval(store: Store, clock: Clock) -> None:
    """A paused portal's re-probe is taken by one worker per interval."""
    pause = store.pause_portal(
        portal_code="ariba",
        reason="no #invoice-number",
        error_code="PORTAL_CHANGED",
        worker_name="h/1/1",
        probe_after_s=300,
    )
    assert pause is not None
    assert not store.claim_probe(pause.pause_id, interval_s=300), "not due yet"
    clock.advance(301)
    assert store.claim_probe(pause.pause_id, interval_s=300)
    assert not store.claim_probe(pause.pause_id, interval_s=300), "taken by the first"


def test_a_lapsed_lease_cannot_pass_the_fence(store: Store, book: SampleBook, clock: Clock) -> None:
    """A worker whose lease ran out can neither renew it nor prove it before the click, even
    while nobody took the item over yet; after a take-over it is UNCERTAIN only if the click
    may have happened."""
    store.enqueue(store.open_invoices(cust_account_id=book.globex_account_id))
    first, second = store.claim(owner="h/1/1", limit=2, lease_s=30)
    assert store.start_submit(first.submission_id, first.lease_token or "", lease_s=30)
    clock.advance(31)
    assert not store.renew_lease(second.submission_id, second.lease_token or "", lease_s=30)
    assert not store.start_submit(second.submission_id, second.lease_token or "", lease_s=30)
    assert store.expire_leases() == 2
    statuses = {s.submission_id: s.status for s in store.submissions()}
    assert statuses[first.submission_id] is SubmissionStatus.UNCERTAIN
    assert statuses[second.submission_id] is SubmissionStatus.PENDING
    retaken = {s.submission_id: s for s in store.claim(owner="h/2/1", limit=2, lease_s=30)}
    assert retaken[first.submission_id].needs_lookup
    assert not retaken[second.submission_id].needs_lookup


def test_leases_come_from_the_database_clock(
    engine: sa.Engine, book: SampleBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With this host's clock two hours ahead, a lease still ends lease_s after the database's
    now: a host running ahead cannot make other workers' leases look expired."""
    store = Store(engine, org_ids=[ORG])
    skew = dt.timedelta(hours=2)
    real = unit_of_work.utcnow
    monkeypatch.setattr(unit_of_work, "utcnow", lambda: real() + skew)
    store.clock = unit_of_work.utcnow
    store.enqueue(store.open_invoices(cust_account_id=book.globex_account_id))
    before = store.db_now()
    (item,) = store.claim(owner="h/1/1", limit=1, lease_s=60)
    after = store.db_now()
    assert item.lease_expires_at is not None
    assert before + dt.timedelta(seconds=59) <= item.lease_expires_at
    assert item.lease_expires_at <= after + dt.timedelta(seconds=61)
    assert abs(before - real()) < dt.timedelta(minutes=5), "the database's clock is not skewed"
    assert store.expire_leases() == 0, "the skewed host sees its own lease as alive"
