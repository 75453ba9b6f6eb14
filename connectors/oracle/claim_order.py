"""Which due submissions a claim takes first: the oldest of each portal account, side by side.

The queue is filled customer by customer, so in submission order one account's invoices come in
a run. Claimed in that order, every page of a worker lands in that one account's browser context
and, when the account's run ends, all those pages are thrown away and the next account opens new
ones, a renderer process each. Taking accounts in turn keeps about one page per account, reused
invoice after invoice, and spreads the load over the portal accounts instead of hammering one.
"""

from __future__ import annotations

from collections.abc import Iterable


def accounts_side_by_side(candidates: Iterable[tuple[int, int]]) -> list[int]:
    """Submission ids of ``(submission_id, portal_account_id)`` pairs, accounts interleaved.

    Within an account the given order is kept (oldest first); accounts take turns in the order
    of their first candidate, so the oldest item overall is still claimed first.
    """
    by_account: dict[int, list[int]] = {}
    for submission_id, account_id in candidates:
        by_account.setdefault(account_id, []).append(submission_id)
    queues = list(by_account.values())
    ordered: list[int] = []
    depth = 0
    while queues:
        ordered.extend(q[depth] for q in queues)
        depth += 1
        queues = [q for q in queues if len(q) > depth]
    return ordered
