"""What a list read settles (connectors.portals.list_reads), without a browser."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from connectors.portals.base import PortalInvoice, PortalStatus
from connectors.portals.list_reads import all_seen, asked_once, settle


def verdict(row: Mapping[str, Any]) -> PortalInvoice | None:
    """Settles "Approved" rows only, as a driver declines what the invoice page must read."""
    if row["status"] != "Approved":
        return None
    return PortalInvoice(
        invoice_number=row["number"],
        portal_reference=None,
        raw_status=row["status"],
        status=PortalStatus.APPROVED,
    )


ROWS = [
    {"number": "INV-1", "status": "Approved"},
    {"number": " inv-2 ", "status": "Approved"},  # the portal's spelling, padded
    {"number": "INV-3", "status": "Disputed"},
    {"number": "INV-4", "status": "Approved"},
    {"number": "inv-4", "status": "Approved"},  # the same number twice: which row is ours?
]


@pytest.mark.parametrize(
    ("asked", "settled"),
    [
        (["INV-1"], {"INV-1": "INV-1"}),  # shown once, settled
        (["Inv-2"], {"Inv-2": " inv-2 "}),  # keyed as asked, the row's number as shown
        (["INV-3"], {}),  # the verdict declined it (its reason is on the invoice page)
        (["INV-4"], {}),  # shown twice: ambiguous
        (["INV-9"], {}),  # not on the pages read
        (["INV-1", "INV-9", "INV-3"], {"INV-1": "INV-1"}),
    ],
)
def test_settle_keeps_only_numbers_shown_once_and_settled(
    asked: list[str], settled: dict[str, str]
) -> None:
    """A number settles when one row shows it and the driver's verdict takes that row."""
    found = settle(asked, ROWS, verdict)
    assert {number: v.invoice_number for number, v in found.items()} == settled


def test_all_seen_holds_once_every_asked_number_is_among_the_rows() -> None:
    """Paging stops when every number was seen, compared trimmed and case-insensitively."""
    enough = all_seen(["INV-2", "inv-3"])
    assert not enough(ROWS[:2])
    assert enough(ROWS[:3])


def test_asked_once_drops_repeats_and_blanks_keeping_the_order() -> None:
    """Each asked number once, in the order asked; blank ones are not asked."""
    assert asked_once(["B", "A", "B", " ", ""]) == ["B", "A"]
