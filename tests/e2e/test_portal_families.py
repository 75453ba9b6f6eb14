"""All three portal families in one nightly run: Coupa-style, Ariba-style, and the upload-style
portal driven by its recipe alone (config/portals/upload.toml, no Python module)."""

from __future__ import annotations

from collections import Counter

import pytest

from sandbox.book import demo_book
from tests.support.workspace import TODAY, MakeWorkspace, Workspace, assert_exactly_once

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]

FAMILIES = ("coupa", "ariba", "upload")
ACCOUNTS = ("1001", "1002", "1003")  # one customer on each family


def test_nightly_across_three_portal_families(make_workspace: MakeWorkspace) -> None:
    """One nightly run submits to the three families; every invoice reaches its portal once,
    every rejection is classified, and each outcome has one note."""
    ws: Workspace = make_workspace(accounts=ACCOUNTS, families=FAMILIES)
    book = demo_book(today=TODAY, families=FAMILIES)
    assert {book.customer(a).portal_family for a in ACCOUNTS} == set(FAMILIES)
    summary = ws.cli_json("nightly")
    assert summary["failed"] == 0 and summary["retry_scheduled"] == 0, summary
    store = ws.store()
    try:
        received = ws.received()
        assert_exactly_once(store, received, ACCOUNTS)
        by_portal = Counter(str(r["portal"]) for r in received)
        assert set(by_portal) == set(FAMILIES), by_portal
        codes = {s.trx_number: s.last_error_code for s in store.submissions() if s.last_error_code}
        expected = {
            n: c
            for n, c in book.expected_rejections.items()
            if book.invoice(n).account_number in ACCOUNTS
        }
        assert codes == expected
    finally:
        store.engine.dispose()
