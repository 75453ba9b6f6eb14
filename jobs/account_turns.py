"""Claimed submissions waiting for a page, handed out so that portal accounts run side by side.

Each portal account has its own browser context. Given out in claim order, the consumers may all
take the same account's invoices at once: every page then sits in that one context and, when
that account is done, all its pages are closed and the next account opens new ones (a renderer
process each). Handing out first the item whose account has the fewest uploads in flight, and
among those the account whose page just came back (still warm), keeps about one page per
account, reused from one invoice to the next, and never puts more load on one customer's portal
account than the queue forces.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable

from connectors.oracle.records import Submission

#: claimed items an account may hold before a claim looks at other accounts first: one uploading,
#: one ready for when it ends
HELD_PER_ACCOUNT = 2


def accounts_held_enough(held: Iterable[Submission]) -> set[int]:
    """Portal accounts a claim should skip while other accounts have due work.

    The claim looks at the oldest due items only (a window of a few batches), and the queue is
    filled customer by customer: with one big account at its head, every claim would take only
    that account's invoices, and all pages would sit in its one browser context. Skipping the
    accounts that already hold enough makes the claim reach the next accounts, so the consumers
    have other accounts to turn to.
    """
    counts = Counter(item.portal_account_id for item in held)
    return {account for account, n in counts.items() if n >= HELD_PER_ACCOUNT}


class AccountTurns:
    """A work queue for the drain's consumers: ``put`` claimed items, ``get`` the fairest next.

    ``get`` returns None once ``close`` was called and nothing is left waiting; ``done`` must
    follow every item ``get`` returned, when its upload is over.
    """

    def __init__(self) -> None:
        self._waiting: list[Submission] = []
        self._in_flight: Counter[int] = Counter()
        #: when each account's last upload ended (a tick of ``done``): its page is warm
        self._last_done: dict[int, int] = {}
        self._ticks = 0
        self._closed = False
        self._arrived = asyncio.Event()

    def put(self, item: Submission) -> None:
        self._waiting.append(item)
        self._arrived.set()

    def close(self) -> None:
        """No more items will come: consumers finish what is waiting, then get None."""
        self._closed = True
        self._arrived.set()

    async def get(self) -> Submission | None:
        while not self._waiting:
            if self._closed:
                return None
            self._arrived.clear()
            await self._arrived.wait()
        # fewest in flight; then the account whose page came back last (warm, not evicted yet);
        # then claim order
        index = min(
            range(len(self._waiting)),
            key=lambda i: (
                self._in_flight[self._waiting[i].portal_account_id],
                -self._last_done.get(self._waiting[i].portal_account_id, 0),
                i,
            ),
        )
        item = self._waiting.pop(index)
        self._in_flight[item.portal_account_id] += 1
        return item

    def done(self, item: Submission) -> None:
        self._ticks += 1
        self._last_done[item.portal_account_id] = self._ticks
        self._in_flight[item.portal_account_id] -= 1
        if self._in_flight[item.portal_account_id] <= 0:
            del self._in_flight[item.portal_account_id]
