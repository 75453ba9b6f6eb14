"""Open items of enrolled customers that are not sent to portals, and why.

Credit memos, zero or negative balances, incomplete transactions and (unless configured)
debit memos are never uploaded; a run that says nothing about them lets a collector believe
they were. Each run's summary counts them by reason instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

#: schedule classes the portals are sent, with and without debit memos
SENT_CLASSES = frozenset({"INV"})
SENT_CLASSES_WITH_DEBIT_MEMOS = frozenset({"INV", "DM"})
REASONS = {
    "CM": "credit memos (portals take credit notes separately)",
    "DM": "debit memos (database.include_debit_memos is off)",
    "CB": "chargebacks",
    "PMT": "unapplied or on-account receipts",
}


def not_submitted(
    kinds: Iterable[tuple[str, bool, bool, int]], *, include_debit_memos: bool
) -> dict[str, int]:
    """Counts by reason from (class, amount positive, complete, count) groups of open items."""
    sent = SENT_CLASSES_WITH_DEBIT_MEMOS if include_debit_memos else SENT_CLASSES
    counts: Counter[str] = Counter()
    for klass, positive, complete, n in kinds:
        if klass not in sent:
            counts[REASONS.get(klass, f"open items of class {klass}")] += n
        elif not complete:
            counts["incomplete transactions (COMPLETE_FLAG = 'N')"] += n
        elif not positive:
            counts["zero or negative open amounts"] += n
    return dict(counts)
