"""The status pass's list reads: what a portal's invoice list may settle, for every driver.

A list page shows many invoices' verdicts in one page load, where the invoice's own page costs
two (search, detail). A driver's :meth:`~connectors.portals.base.PortalDriver.invoice_statuses`
pages through the list (:meth:`~connectors.portals.portal_page.PortalPages.read_pages`) until
every asked number was seen (:func:`all_seen`) and settles here (:func:`settle`) only what the
list shows exactly as the invoice page would. Its rules:

- numbers compare as the drivers compare them (:func:`~connectors.portals.matching.number_key`,
  what ``same_number`` compares), through a dictionary: a list of thousands stays linear;
- a number the pages read did not show, or showed more than once (which row is ours?), is left
  out, and so is a row the driver's ``verdict`` declines (a dispute whose reason only the invoice
  page shows): the caller reads those from the invoice's own page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from connectors.portals.base import PortalInvoice, PortalStatus
from connectors.portals.matching import number_key

#: verdicts whose facts (a reason) only an invoice page shows, on the Coupa and Ariba families
DETAIL_ONLY = frozenset({PortalStatus.DISPUTED, PortalStatus.REJECTED, PortalStatus.VOIDED})

#: a list row (column name → text) → the verdict the invoice page would read, or None
Verdict = Callable[[Mapping[str, Any]], PortalInvoice | None]


def asked_once(invoice_numbers: Sequence[str]) -> list[str]:
    """The asked numbers, each once, in the order asked (blank ones dropped)."""
    return list(dict.fromkeys(n for n in invoice_numbers if n.strip()))


def all_seen(asked: Sequence[str]) -> Callable[[list[dict[str, Any]]], bool]:
    """The ``enough`` of a list read: every asked number is among the rows read so far."""

    wanted = {number_key(n) for n in asked}

    def enough(rows: list[dict[str, Any]]) -> bool:
        return wanted <= {number_key(row.get("number")) for row in rows}

    return enough


def settle(
    asked: Sequence[str], rows: Sequence[Mapping[str, Any]], verdict: Verdict
) -> dict[str, PortalInvoice]:
    """The verdicts the rows settle, keyed by the number as asked (see the module's rules)."""
    by_number: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_number.setdefault(number_key(row.get("number")), []).append(row)
    settled: dict[str, PortalInvoice] = {}
    for number in asked:
        shown = by_number.get(number_key(number), [])
        if len(shown) != 1:
            continue  # not shown in the pages read, or ambiguous
        found = verdict(shown[0])
        if found is not None:
            settled[number] = found
    return settled


def shows_every_fact(
    status: PortalStatus,
    *,
    projected_pay_date: dt.date | None,
    payment_date: dt.date | None,
    payment_reference: str | None,
) -> bool:
    """Whether a list row carries what a note of its verdict says: a reason-bearing verdict
    never (:data:`DETAIL_ONLY`), an approval its projected pay date, a payment its date and
    number. A row without them is read from the invoice's own page."""
    if status in DETAIL_ONLY:
        return False
    if status is PortalStatus.APPROVED:
        return projected_pay_date is not None
    if status is PortalStatus.PAID:
        return payment_date is not None and payment_reference is not None
    return True
