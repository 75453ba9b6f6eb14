"""The status pass's list reads: what a portal's invoice list may settle, for every driver.

A list page shows many invoices' verdicts in one page load, where the invoice's own page costs
two (search, detail). A driver's :meth:`~connectors.portals.base.PortalDriver.invoice_statuses`
pages through the list (:meth:`~connectors.portals.portal_page.PortalPages.read_pages`) until
every asked number was seen (:func:`all_seen`) and settles here (:func:`settle`) only what the
list shows exactly as the invoice page would. Its rules:

- numbers compare as the drivers compare them (:func:`~connectors.portals.matching.same_number`);
- a number the pages read did not show, or showed more than once (which row is ours?), is left
  out, and so is a row the driver's ``verdict`` declines (a dispute whose reason only the invoice
  page shows): the caller reads those from the invoice's own page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from connectors.portals.base import PortalInvoice
from connectors.portals.matching import same_number

#: a list row (column name → text) → the verdict the invoice page would read, or None
Verdict = Callable[[Mapping[str, Any]], PortalInvoice | None]


def asked_once(invoice_numbers: Sequence[str]) -> list[str]:
    """The asked numbers, each once, in the order asked (blank ones dropped)."""
    return list(dict.fromkeys(n for n in invoice_numbers if n.strip()))


def all_seen(asked: Sequence[str]) -> Callable[[list[dict[str, Any]]], bool]:
    """The ``enough`` of a list read: every asked number is among the rows read so far."""

    def enough(rows: list[dict[str, Any]]) -> bool:
        shown = {(row.get("number") or "").strip().casefold() for row in rows}
        return all(n.strip().casefold() in shown for n in asked)

    return enough


def settle(
    asked: Sequence[str], rows: Sequence[Mapping[str, Any]], verdict: Verdict
) -> dict[str, PortalInvoice]:
    """The verdicts the rows settle, keyed by the number as asked (see the module's rules)."""
    settled: dict[str, PortalInvoice] = {}
    for number in asked:
        shown = [row for row in rows if same_number(row.get("number"), number)]
        if len(shown) != 1:
            continue  # not shown in the pages read, or ambiguous
        found = verdict(shown[0])
        if found is not None:
            settled[number] = found
    return settled
