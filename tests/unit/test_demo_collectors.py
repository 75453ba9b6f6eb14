"""The demo book's collectors and profiles: every account has one owner, the team is realistic."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from sandbox.book import DemoBook, demo_book

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def book() -> DemoBook:
    return demo_book(today=TODAY, with_documents=False)


def test_every_account_has_exactly_one_account_level_profile_with_an_active_collector(
    book: DemoBook,
) -> None:
    """Each customer account has one account-level profile (SITE_USE_ID NULL), whose collector
    is active: the owner reports and digests group by."""
    active = {r["collector_id"] for r in book.rows["ar_collectors"] if r["status"] == "A"}
    account_level = Counter(
        r["cust_account_id"] for r in book.rows["hz_customer_profiles"] if r["site_use_id"] is None
    )
    assert account_level == Counter(c.cust_account_id for c in book.customers)
    for row in book.rows["hz_customer_profiles"]:
        if row["site_use_id"] is None:
            assert row["collector_id"] in active


def test_collectors_are_spread_over_the_customers(book: DemoBook) -> None:
    """Five or so active collectors, each owning two or three accounts; the one who left owns
    none."""
    owners = Counter(
        r["collector_id"] for r in book.rows["hz_customer_profiles"] if r["site_use_id"] is None
    )
    collectors = book.rows["ar_collectors"]
    active = [r for r in collectors if r["status"] == "A"]
    inactive = [r for r in collectors if r["status"] == "I"]
    assert len(active) >= 5
    assert {r["collector_id"] for r in active} == set(owners)
    assert all(2 <= n <= 3 for n in owners.values()), owners
    assert inactive and all(r["inactive_date"] < TODAY for r in inactive)
    assert not {r["collector_id"] for r in inactive} & set(owners)


def test_collectors_mail_addresses_are_on_a_reserved_example_domain(book: DemoBook) -> None:
    """No demo e-mail can reach a real mailbox: every address ends in '.example'."""
    addresses = [r["email_address"] for r in book.rows["ar_collectors"]]
    assert len(set(addresses)) == len(addresses)
    assert all(a.endswith(".example") and "@" in a for a in addresses)


def test_a_bill_to_site_carries_a_profile_with_another_collector(book: DemoBook) -> None:
    """One site-level profile names a collector other than the account's owner (a join trap)."""
    by_account = {
        r["cust_account_id"]: r["collector_id"]
        for r in book.rows["hz_customer_profiles"]
        if r["site_use_id"] is None
    }
    sites = [r for r in book.rows["hz_customer_profiles"] if r["site_use_id"] is not None]
    assert sites
    bill_to = {c.cust_account_id: c.bill_to_site_use_id for c in book.customers}
    for row in sites:
        assert row["site_use_id"] == bill_to[row["cust_account_id"]]
        assert row["collector_id"] != by_account[row["cust_account_id"]]
