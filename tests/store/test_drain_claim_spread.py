"""The drain's claims reach past one big account at the head of the queue, on every backend.

The nightly queues a book customer by customer, and a claim looks only at the oldest due items.
With one big account first, every claim used to take only its invoices, so every page sat in
that account's one browser context. These tests run the drain's producer against a real store
until it holds all it may, and look at which accounts it holds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from connectors.oracle.records import OpenInvoice
from connectors.oracle.store import Store
from connectors.oracle.tables import build_metadata
from jobs.account_turns import HELD_PER_ACCOUNT, AccountTurns
from jobs.drain import _DrainState, _produce
from jobs.portal_pauses import PauseBoard
from jobs.run_summary import RunSummary
from tests.support.books.ebs import NOW, ORG, load_sample_book
from tests.support.clock import Clock
from tests.support.drain_context import drain_context

RUN_ID = "test-drain-claim-spread"
K = 4
CLAIM_BATCH = 10
WAIT_S = 30.0
BIG_ACCOUNT_INVOICES = 30
SMALL_ACCOUNT_INVOICES = 2
#: (customer account, portal) of the portal accounts the queue is spread over; the sample book
#: enrols 11 and 12 on Coupa already
EXTRA_PORTAL_ACCOUNTS = [(11, "ariba"), (13, "coupa")]


@pytest.fixture
def store(engine: sa.Engine) -> Store:
    load_sample_book(engine)
    t = build_metadata().tables
    who = {"created_by": -1, "creation_date": NOW, "last_updated_by": -1, "last_update_date": NOW}
    with engine.begin() as conn:
        conn.execute(
            sa.insert(t["xx_arw_portal_accounts"]),
            [
                {
                    "cust_account_id": customer,
                    "portal_code": portal,
                    "portal_url": "http://127.0.0.1:1/portal",
                    "login_name": "ar@supplier.example",
                    "secret_ref": "PORTAL_PW",
                    "enabled_flag": True,
                    "po_required_flag": False,
                    "new_number_on_resubmit": False,
                    "org_id": ORG,
                    **who,
                }
                for customer, portal in EXTRA_PORTAL_ACCOUNTS
            ],
        )
    return Store(engine, org_ids=[ORG], clock=Clock())


def _queue(store: Store, sizes: list[int]) -> list[int]:
    """Queue ``sizes[i]`` invoices for the i-th portal account, account after account (as the
    nightly does); returns those accounts' ids."""
    accounts = sorted(store.portal_accounts(), key=lambda a: a.portal_account_id)
    assert len(accounts) >= len(sizes)
    invoices = []
    trx_id = 50_000
    for account, size in zip(accounts, sizes, strict=False):
        for _ in range(size):
            trx_id += 1
            invoices.append(
                OpenInvoice(
                    trx_id,
                    trx_id,
                    account.cust_account_id,
                    account.portal_account_id,
                    f"SPREAD-{trx_id}",
                    dt.date(2026, 12, 1),
                    "USD",
                    Decimal("10.00"),
                    ORG,
                )
            )
    assert store.enqueue(invoices, run_id="enqueue").enqueued == sum(sizes)
    return [a.portal_account_id for a in accounts[: len(sizes)]]


def _held_when_full(store: Store, tmp_path: Path) -> Counter[int]:
    """Run the producer alone (no consumer takes anything) until it holds all it may; the
    portal accounts of what it holds, counted."""
    ctx = drain_context(store, tmp_path, run_id=RUN_ID, claim_batch=CLAIM_BATCH)
    state = _DrainState(
        summary=RunSummary(job="submit", run_id=RUN_ID), accounts={}, board=PauseBoard(accounts={})
    )

    async def produce_until_full() -> None:
        producer = asyncio.create_task(_produce(ctx, state, AccountTurns(), K, None, None))
        async with asyncio.timeout(WAIT_S):
            while len(state.held) < K + CLAIM_BATCH:
                assert not producer.done(), "the producer stopped before it held all it may"
                await asyncio.sleep(0.01)
        ctx.stop.set()
        await producer

    asyncio.run(produce_until_full())
    return Counter(s.portal_account_id for s in state.held.values())


def test_claims_reach_the_accounts_behind_a_big_one(store: Store, tmp_path: Path) -> None:
    """With 30 invoices of one account queued before 2 each of three others, what the drain
    holds spans all four accounts: the others have pages to turn to."""
    sizes = [BIG_ACCOUNT_INVOICES] + [SMALL_ACCOUNT_INVOICES] * 3
    big, *small = _queue(store, sizes)
    held = _held_when_full(store, tmp_path)
    assert set(held) == {big, *small}, held
    assert all(held[a] >= 1 for a in small), held


def test_one_account_alone_still_fills_the_drain(store: Store, tmp_path: Path) -> None:
    """When only an account that already holds enough has due work, the claim takes it anyway
    (a resync of one customer, the tail of a run)."""
    (only,) = _queue(store, [BIG_ACCOUNT_INVOICES])
    held = _held_when_full(store, tmp_path)
    assert held == Counter({only: K + CLAIM_BATCH})
    assert held[only] > HELD_PER_ACCOUNT
