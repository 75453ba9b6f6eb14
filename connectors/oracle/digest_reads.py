"""What each collector's morning digest lists: their accounts' submissions that need a person
(REJECTED, FAILED, UNCERTAIN; a portal dispute is a REJECTED with portal status DISPUTED), and
the portal accounts of their customers (to match login pauses against).

The collector of an account is the one on its account-level profile (``SITE_USE_ID`` NULL),
active; an account without one is listed under no collector.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from connectors.oracle.receivables import ACTIVE, date_value, money_value
from connectors.oracle.records import SubmissionStatus
from connectors.oracle.unit_of_work import UnitOfWork

#: submissions a person must act on
NEEDS_A_PERSON = (SubmissionStatus.REJECTED, SubmissionStatus.FAILED, SubmissionStatus.UNCERTAIN)


@dataclass(frozen=True, kw_only=True, slots=True)
class DigestItem:
    collector_id: int | None
    collector: str | None
    collector_email: str | None
    account_number: str
    customer_name: str
    submission_id: int
    trx_number: str
    status: str
    portal_code: str
    portal_status: str | None
    reason: str | None  #: the portal's words or the worker's error: untrusted text
    amount: Decimal | None  #: open amount, in the invoice's currency
    currency: str | None
    due_date: dt.date | None
    since: dt.datetime  #: when the submission last changed


@dataclass(frozen=True, kw_only=True, slots=True)
class CollectorPortalAccount:
    """An enabled portal account of a collector's customer: what a login pause may cover."""

    collector_id: int
    account_number: str
    portal_code: str
    portal_url: str
    login_name: str


class DigestVerbs(UnitOfWork):
    def digest_items(self) -> list[DigestItem]:
        """Submissions of the configured operating units that need a person, with collectors."""
        sub = self._t["xx_arw_submissions"]
        pa = self._t["xx_arw_portal_accounts"]
        acct = self._t["hz_cust_accounts"]
        party = self._t["hz_parties"]
        ps = self._t["ar_payment_schedules_all"]
        prof = self._t["hz_customer_profiles"]
        coll = self._t["ar_collectors"]
        query = (
            sa.select(
                coll.c.collector_id,
                coll.c.name.label("collector_name"),
                coll.c.email_address,
                acct.c.account_number,
                party.c.party_name,
                sub.c.submission_id,
                sub.c.trx_number,
                sub.c.status,
                pa.c.portal_code,
                sub.c.portal_status,
                sa.func.coalesce(sub.c.portal_status_reason, sub.c.last_error_text).label("reason"),
                ps.c.amount_due_remaining,
                ps.c.invoice_currency_code,
                ps.c.due_date,
                sub.c.last_update_date,
            )
            .select_from(
                sub.join(pa, pa.c.portal_account_id == sub.c.portal_account_id)
                .join(acct, acct.c.cust_account_id == sub.c.cust_account_id)
                .join(party, party.c.party_id == acct.c.party_id)
                .outerjoin(ps, ps.c.payment_schedule_id == sub.c.payment_schedule_id)
                .outerjoin(
                    prof,
                    sa.and_(
                        prof.c.cust_account_id == sub.c.cust_account_id,
                        prof.c.site_use_id.is_(None),
                        prof.c.status == ACTIVE,
                    ),
                )
                .outerjoin(
                    coll,
                    sa.and_(coll.c.collector_id == prof.c.collector_id, coll.c.status == ACTIVE),
                )
            )
            .where(
                sub.c.status.in_([s.value for s in NEEDS_A_PERSON]),
                sub.c.org_id.in_(list(self.org_ids)),
            )
            .order_by(coll.c.name, acct.c.account_number, sub.c.trx_number)
        )
        return self._read(
            lambda c: [
                DigestItem(
                    collector_id=None if r.collector_id is None else int(r.collector_id),
                    collector=r.collector_name,
                    collector_email=r.email_address,
                    account_number=r.account_number,
                    customer_name=r.party_name,
                    submission_id=int(r.submission_id),
                    trx_number=r.trx_number,
                    status=r.status,
                    portal_code=r.portal_code,
                    portal_status=r.portal_status,
                    reason=r.reason,
                    amount=None
                    if r.amount_due_remaining is None
                    else money_value(r.amount_due_remaining),
                    currency=r.invoice_currency_code,
                    due_date=date_value(r.due_date),
                    since=r.last_update_date,
                )
                for r in c.execute(query)
            ]
        )

    def collector_portal_accounts(self) -> list[CollectorPortalAccount]:
        """Enabled portal accounts of the configured units, with their customer's collector."""
        pa = self._t["xx_arw_portal_accounts"]
        acct = self._t["hz_cust_accounts"]
        prof = self._t["hz_customer_profiles"]
        query = (
            sa.select(
                prof.c.collector_id,
                acct.c.account_number,
                pa.c.portal_code,
                pa.c.portal_url,
                pa.c.login_name,
            )
            .join(acct, acct.c.cust_account_id == pa.c.cust_account_id)
            .join(
                prof,
                sa.and_(
                    prof.c.cust_account_id == pa.c.cust_account_id,
                    prof.c.site_use_id.is_(None),
                    prof.c.status == ACTIVE,
                ),
            )
            .where(pa.c.enabled_flag == True, pa.c.org_id.in_(list(self.org_ids)))  # noqa: E712
            .order_by(acct.c.account_number, pa.c.portal_code)
        )
        return self._read(
            lambda c: [
                CollectorPortalAccount(
                    collector_id=int(r.collector_id),
                    account_number=r.account_number,
                    portal_code=r.portal_code,
                    portal_url=r.portal_url,
                    login_name=r.login_name,
                )
                for r in c.execute(query)
            ]
        )
