"""What the collections reports need of the demo book, beyond what the worker submits.

The book (:mod:`sandbox.book`) builds the invoices and their EBS rows; this module adds, from the
same customers and invoices, the EBS rows that collections work reads: the collectors and the
customer profiles that assign them. One call from the book's row builder, so the book itself
barely changes when the reports need more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sandbox.collectors import collector_rows, profile_rows

if TYPE_CHECKING:
    from sandbox.book import DemoCustomer, DemoInvoice


def collections_rows(
    customers: Sequence[DemoCustomer],
    invoices: Sequence[DemoInvoice],
    rows: Mapping[str, list[dict[str, Any]]],
    *,
    today: dt.date,
) -> dict[str, list[dict[str, Any]]]:
    """Rows per table to add to (or, for a table already in ``rows``, replace in) the book."""
    del invoices, rows  # the collectors depend on the customers only
    return {
        "ar_collectors": collector_rows(today),
        "hz_customer_profiles": profile_rows(customers, today),
    }
