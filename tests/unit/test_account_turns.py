"""Accounts take turns: in the claim (oldest of each account first) and at the pages (the account
with the fewest uploads in flight first), so pages stay one per account and are reused."""

from __future__ import annotations

import asyncio
import datetime as dt

from connectors.oracle.claim_order import accounts_side_by_side
from connectors.oracle.records import Submission, SubmissionStatus
from jobs.account_turns import HELD_PER_ACCOUNT, AccountTurns, accounts_held_enough
from tests.support.submission_values import submission


def test_claim_order_interleaves_accounts_oldest_first() -> None:
    grouped = [(1, 10), (2, 10), (3, 10), (4, 20), (5, 20), (6, 30)]
    assert accounts_side_by_side(grouped) == [1, 4, 6, 2, 5, 3]


def test_claim_order_of_one_account_is_unchanged() -> None:
    assert accounts_side_by_side([(7, 1), (8, 1), (9, 1)]) == [7, 8, 9]
    assert accounts_side_by_side([]) == []


def _item(submission_id: int, account: int) -> Submission:
    return submission(
        submission_id=submission_id,
        customer_trx_id=submission_id,
        payment_schedule_id=submission_id,
        cust_account_id=account,
        portal_account_id=account,
        trx_number=str(submission_id),
        portal_invoice_number=str(submission_id),
        status=SubmissionStatus.IN_PROGRESS,
        attempts=1,
        lease_owner="test",
        lease_token="t",
        lease_expires_at=dt.datetime(2026, 11, 24, tzinfo=dt.UTC),
    )


def test_pages_go_to_the_account_with_fewest_in_flight() -> None:
    async def scenario() -> list[int]:
        turns = AccountTurns()
        for sid, account in [(1, 10), (2, 10), (3, 10), (4, 20), (5, 30)]:
            turns.put(_item(sid, account))
        first = await turns.get()
        second = await turns.get()
        third = await turns.get()
        assert first is not None and second is not None and third is not None
        turns.done(first)  # account 10 is free again: its next item comes before a second 20
        fourth = await turns.get()
        fifth = await turns.get()
        assert fourth is not None and fifth is not None
        return [
            first.submission_id,
            second.submission_id,
            third.submission_id,
            fourth.submission_id,
            fifth.submission_id,
        ]

    assert asyncio.run(scenario()) == [1, 4, 5, 2, 3]


def test_a_free_page_stays_with_the_account_it_just_served() -> None:
    """Among accounts with equally few uploads in flight, the one whose upload ended last goes
    first: its page is warm, another account's may need a new context."""

    async def scenario() -> list[int]:
        turns = AccountTurns()
        for sid, account in [(1, 10), (2, 20), (3, 10), (4, 20), (5, 10)]:  # claims interleave
            turns.put(_item(sid, account))
        order = []
        while (item := await turns.get()) is not None:  # one page: K = 1
            order.append(item.submission_id)
            turns.done(item)
            if len(order) == 5:
                turns.close()
        return order

    assert asyncio.run(scenario()) == [1, 3, 5, 2, 4]


def test_consumers_drain_what_waits_then_get_none_after_close() -> None:
    async def scenario() -> tuple[list[int], list[object]]:
        turns = AccountTurns()
        waiting = [asyncio.create_task(turns.get()) for _ in range(2)]
        await asyncio.sleep(0)
        turns.put(_item(1, 10))
        turns.close()
        got = await asyncio.gather(*waiting)
        after = await turns.get()
        return [g.submission_id for g in got if g is not None], [*got, after]

    taken, results = asyncio.run(scenario())
    assert taken == [1]
    assert results.count(None) == 2


def test_accounts_held_enough_are_those_at_the_bound() -> None:
    held = [_item(1, 10), _item(2, 10), _item(3, 20), _item(4, 30), _item(5, 30), _item(6, 30)]
    assert HELD_PER_ACCOUNT == 2
    assert accounts_held_enough(held) == {10, 30}
    assert accounts_held_enough([]) == set()
