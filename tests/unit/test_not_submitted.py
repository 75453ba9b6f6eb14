"""What a run says it did not send to portals, and why."""

from __future__ import annotations

from jobs.not_submitted import not_submitted


def test_open_items_that_are_not_invoices_are_counted_by_reason() -> None:
    """Credit memos, chargebacks, incomplete transactions and zero balances are reported;
    complete positive invoices are not (they were sent)."""
    kinds = [
        ("INV", True, True, 40),  # sent
        ("CM", False, True, 3),
        ("CB", True, True, 1),
        ("INV", True, False, 2),
        ("INV", False, True, 1),
        ("DM", True, True, 4),
    ]
    counts = not_submitted(kinds, include_debit_memos=False)
    assert counts == {
        "credit memos (portals take credit notes separately)": 3,
        "chargebacks": 1,
        "incomplete transactions (COMPLETE_FLAG = 'N')": 2,
        "zero or negative open amounts": 1,
        "debit memos (database.include_debit_memos is off)": 4,
    }
    with_dm = not_submitted(kinds, include_debit_memos=True)
    assert "debit memos (database.include_debit_memos is off)" not in with_dm
