"""The collector's digest: who gets what, which paused logins are theirs, and safe HTML."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from connectors.oracle.digest_reads import CollectorPortalAccount, DigestItem
from jobs.reports.digest import (
    build_digests,
    digest_html,
    digest_subject,
    digest_text,
    paused_logins_by_collector,
)

DAY = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 20, 6, tzinfo=dt.UTC)
NAMES = {1: ("Maria Lopez", "maria@example.com"), 2: ("Tom Becker", "tom@example.com")}


class Kind(StrEnum):  # the shape of connectors.oracle.records.PauseKind (issue 12)
    LOGIN = "LOGIN"
    PORTAL = "PORTAL"


@dataclass(frozen=True)
class Pause:  # the fields of PortalPause the digest reads
    kind: Kind
    portal_code: str
    portal_url: str | None
    login_name: str | None
    reason: str
    paused_at: dt.datetime


def _item(collector_id: int | None, status: str, portal_status: str | None = None) -> DigestItem:
    return DigestItem(
        collector_id=collector_id,
        collector=None,
        collector_email=None,
        account_number="1001",
        customer_name="Blue Harbor <Foods>",
        submission_id=42,
        trx_number="104501",
        status=status,
        portal_code="coupa",
        portal_status=portal_status,
        reason='<img src="http://evil.example/x">PO closed',
        amount=Decimal("1234.5"),
        currency="USD",
        due_date=DAY,
        since=NOW,
    )


ACCOUNTS = [
    CollectorPortalAccount(
        collector_id=1,
        account_number="1001",
        portal_code="coupa",
        portal_url="https://acme.coupahost.example/",
        login_name="ar@northwind.example",
    ),
    CollectorPortalAccount(
        collector_id=2,
        account_number="1008",
        portal_code="coupa",
        portal_url="https://acme.coupahost.example",
        login_name="ar@northwind.example",
    ),
    CollectorPortalAccount(
        collector_id=2,
        account_number="1009",
        portal_code="coupa",
        portal_url="https://other.coupahost.example",
        login_name="ar@northwind.example",
    ),
]


def test_a_login_pause_reaches_every_collector_whose_customers_use_that_login() -> None:
    """Same portal code, URL (trailing '/' ignored) and login: covered; another URL, a portal
    pause, or a pause without a login: not listed as a paused login."""
    pauses = [
        Pause(Kind.LOGIN, "coupa", "https://acme.coupahost.example", "ar@northwind.example",
              "Invalid password", NOW),
        Pause(Kind.PORTAL, "coupa", None, None, "page changed", NOW),
        Pause(Kind.LOGIN, "coupa", "https://acme.coupahost.example", "other@northwind.example",
              "locked", NOW),
    ]  # fmt: skip
    found = paused_logins_by_collector(pauses, ACCOUNTS)
    assert {c: [(p.login_name, p.accounts) for p in v] for c, v in found.items()} == {
        1: [("ar@northwind.example", ("1001",))],
        2: [("ar@northwind.example", ("1008",))],
    }


def test_digests_go_to_collectors_with_something_to_act_on_only() -> None:
    """Items are grouped by collector and section; a collector with nothing gets no digest;
    items of accounts without a collector go to nobody."""
    items = [
        _item(1, "REJECTED", "DISPUTED"),
        _item(1, "FAILED"),
        _item(None, "REJECTED"),
    ]
    digests = build_digests(items, {}, DAY, NAMES)
    assert [(d.collector, d.item_count, sorted(d.sections)) for d in digests] == [
        ("Maria Lopez", 2, ["disputed", "failed"])
    ]
    assert digest_subject(digests[0]) == "arworker: 2 items to act on, 2026-11-20"


def test_digest_html_escapes_portal_text_and_links_only_to_the_workspace() -> None:
    """The portal's reason and the customer name are text; the only links are the workspace's."""
    (digest,) = build_digests([_item(1, "REJECTED")], {}, DAY, NAMES)
    html = digest_html(digest, "https://arworker.example.com")
    assert "&lt;img src=&quot;http://evil.example/x&quot;&gt;PO closed" in html
    assert "<img" not in html and "Blue Harbor &lt;Foods&gt;" in html
    assert 'href="https://arworker.example.com/invoices/42"' in html
    assert 'href="https://arworker.example.com/accounts/1001"' in html
    assert "href" not in digest_html(digest, None)
    text = digest_text(digest, "https://arworker.example.com")
    assert "https://arworker.example.com/invoices/42" in text and "1,234.50 USD" in text
