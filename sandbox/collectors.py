"""The demo book's collectors (AR_COLLECTORS) and who collects which account (HZ_CUSTOMER_PROFILES).

Reports group by collector and the morning digest goes to each collector, so the demo needs a
realistic team: five active collectors with e-mail addresses (on the reserved ``.example``
domain, never a real mailbox), each owning two or three customer accounts, and one collector who
left (``STATUS = 'I'``) and owns nothing. As in EBS, the owner of an account is the collector on
its account-level profile (``SITE_USE_ID`` NULL); one bill-to site carries a profile of its own
with another collector, a trap for any query that joins profiles without that filter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.book import DemoCustomer

#: FND_USER.USER_ID that "created" the rows (OPERATIONS in the Vision demo database)
EBS_USER_ID = 1318
MAIL_DOMAIN = "northwind-supply.example"
FIRST_PROFILE_ID = 7301
#: days before ``today`` that the collector who left became inactive
LEFT_DAYS_AGO = 200


@dataclass(frozen=True, kw_only=True, slots=True)
class DemoCollector:
    """One row of AR_COLLECTORS."""

    collector_id: int
    name: str
    employee_id: int
    description: str
    email_address: str
    active: bool = True


COLLECTORS: tuple[DemoCollector, ...] = (
    DemoCollector(
        collector_id=2101,
        name="Maria Lopez",
        employee_id=25101,
        description="Collector, US commercial and healthcare",
        email_address=f"maria.lopez@{MAIL_DOMAIN}",
    ),
    DemoCollector(
        collector_id=2102,
        name="James Okafor",
        employee_id=25102,
        description="Collector, continental Europe",
        email_address=f"james.okafor@{MAIL_DOMAIN}",
    ),
    DemoCollector(
        collector_id=2103,
        name="Priya Raman",
        employee_id=25103,
        description="Collector, United Kingdom and Canada",
        email_address=f"priya.raman@{MAIL_DOMAIN}",
    ),
    DemoCollector(
        collector_id=2104,
        name="Tom Becker",
        employee_id=25104,
        description="Collector, logistics accounts",
        email_address=f"tom.becker@{MAIL_DOMAIN}",
    ),
    DemoCollector(
        collector_id=2105,
        name="Sofia Rossi",
        employee_id=25105,
        description="Senior collector, strategic and agricultural accounts",
        email_address=f"sofia.rossi@{MAIL_DOMAIN}",
    ),
    DemoCollector(
        collector_id=2106,
        name="Dana Whitfield",
        employee_id=25106,
        description="Collector (left the team; accounts reassigned)",
        email_address=f"dana.whitfield@{MAIL_DOMAIN}",
        active=False,
    ),
)

#: account number → the name of the collector on its account-level profile
ACCOUNT_COLLECTORS: dict[str, str] = {
    "1001": "Maria Lopez",  # Blue Harbor Foods
    "1002": "Maria Lopez",  # Cedar Ridge Health System
    "1003": "James Okafor",  # Rheinwerk Maschinenbau
    "1004": "Priya Raman",  # Thames Valley Utilities
    "1005": "Priya Raman",  # Maplewood Retail Canada
    "1006": "Sofia Rossi",  # Great Lakes Steel Fabricators
    "1007": "James Okafor",  # Lumière Cosmétiques
    "1008": "Tom Becker",  # Pinnacle Freight Lines
    "1009": "Tom Becker",  # Harbourside Logistics
    "1010": "Priya Raman",  # Coastal Pacific Timber
    "1011": "Sofia Rossi",  # Orchard Valley Growers (no portal account)
}
#: account number → collector of a site-level profile on its bill-to site (not the owner)
SITE_COLLECTORS: dict[str, str] = {"1001": "Tom Becker"}


def collector_named(name: str) -> DemoCollector:
    """The collector called ``name``; KeyError when the team has none."""
    for collector in COLLECTORS:
        if collector.name == name:
            return collector
    raise KeyError(name)


def collector_rows(today: dt.date) -> list[dict[str, Any]]:
    """AR_COLLECTORS rows."""
    stamp = dt.datetime.combine(today - dt.timedelta(days=400), dt.time(9, 0), tzinfo=dt.UTC)
    return [
        {
            "collector_id": c.collector_id,
            "name": c.name,
            "employee_id": c.employee_id,
            "description": c.description,
            "status": "A" if c.active else "I",
            "email_address": c.email_address,
            "inactive_date": None if c.active else today - dt.timedelta(days=LEFT_DAYS_AGO),
            **_who(stamp),
        }
        for c in COLLECTORS
    ]


def profile_rows(customers: Sequence[DemoCustomer], today: dt.date) -> list[dict[str, Any]]:
    """HZ_CUSTOMER_PROFILES rows: one account-level profile per customer, plus site-level ones."""
    stamp = dt.datetime.combine(today - dt.timedelta(days=365), dt.time(9, 0), tzinfo=dt.UTC)
    rows: list[dict[str, Any]] = []
    for customer in customers:
        owner = collector_named(ACCOUNT_COLLECTORS[customer.account_number])
        rows.append(_profile(len(rows), customer, None, owner.collector_id, stamp))
    for customer in customers:
        site_collector = SITE_COLLECTORS.get(customer.account_number)
        if site_collector is not None:
            collector_id = collector_named(site_collector).collector_id
            site = customer.bill_to_site_use_id
            rows.append(_profile(len(rows), customer, site, collector_id, stamp))
    return rows


def _profile(
    position: int,
    customer: DemoCustomer,
    site_use_id: int | None,
    collector_id: int,
    stamp: dt.datetime,
) -> dict[str, Any]:
    return {
        "cust_account_profile_id": FIRST_PROFILE_ID + position,
        "cust_account_id": customer.cust_account_id,
        "party_id": customer.party_id,
        "site_use_id": site_use_id,
        "collector_id": collector_id,
        "status": "A",
        **_who(stamp),
    }


def _who(stamp: dt.datetime) -> dict[str, Any]:
    return {
        "created_by": EBS_USER_ID,
        "creation_date": stamp,
        "last_updated_by": EBS_USER_ID,
        "last_update_date": stamp,
        "last_update_login": None,
    }
