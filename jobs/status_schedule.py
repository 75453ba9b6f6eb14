"""When to look at an invoice's portal verdict next: poll by need, not every invoice every night.

The set of submitted invoices a status pass watches grows to (invoices per night) × (days to
pay); most verdicts do not change from one night to the next. So each read decides when the
next one is worth a page load, from what it saw:

=====================================  ===============================================
last seen                              next look
=====================================  ===============================================
never read, not found, pending         about a day later
approved, no projected pay date        about a day later
approved, pay date more than a day on  on the pay date, but at least every 14 days
approved, pay date near or passed      about a day later (is it paid yet?)
disputed, rejected                     about a day later, until it changes
paid, voided                           never again
=====================================  ===============================================

"About a day" is 20 hours, not 24: a nightly pass that starts a little earlier than the night
before (a slower drain yesterday, a daemon restarted) still finds yesterday's reads due, and a
status poll every hour in between finds nothing due. ``arworker status --all`` ignores this.
Every time is the database's clock (the fleet's one clock); the rule itself is pure.
"""

from __future__ import annotations

import datetime as dt

from connectors.portals.base import PortalStatus

#: "daily": short of 24 hours so that tomorrow's nightly finds today's reads due
DAILY = dt.timedelta(hours=20)
#: an approved invoice with a far pay date is still looked at this often (approvals get undone)
APPROVED_AT_LEAST_EVERY = dt.timedelta(days=14)


def next_status_check(
    status: PortalStatus | None,
    *,
    projected_pay_date: dt.date | None,
    now: dt.datetime,
) -> dt.datetime | None:
    """When the invoice's verdict is next due for a read; None: never (it is final).

    ``status`` None means the read found nothing (the invoice is not, or not yet, on the list
    or the portal): looked at again a day later, as a pending one.
    """
    if status is not None and status.is_final:
        return None
    soon = now + DAILY
    if status is PortalStatus.APPROVED and projected_pay_date is not None:
        pay_day = dt.datetime.combine(projected_pay_date, dt.time(), tzinfo=dt.UTC)
        if pay_day > soon:
            return min(pay_day, now + APPROVED_AT_LEAST_EVERY)
    return soon
