"""Where an invoice number stands, for telling a person why it was not submitted.

``arworker submit 10234`` that submits nothing must say why: no such number, another operating
unit, closed, a credit memo, an account not enrolled, or already rejected by the portal. This
read gathers what EBS and the queue hold about each number, in one read-only unit of work.

The number is looked up in every operating unit, so that "in another org" can be said; of a
transaction outside the configured ``ORG_ID``s only its ORG_ID is returned, nothing else of it
is read (design §8: ``_ALL`` tables are filtered by the configured orgs for everything else).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from connectors.oracle.records import Submission
from connectors.oracle.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True, slots=True)
class ScheduleStanding:
    """One payment schedule of the transaction (AR_PAYMENT_SCHEDULES_ALL)."""

    payment_schedule_id: int
    cust_account_id: int  #: the paying customer account (CUSTOMER_ID)
    account_number: str | None
    trx_class: str  #: INV, DM, CM, …
    status: str  #: OP (open) or CL (closed)
    amount_due_remaining: Decimal
    currency: str


@dataclass(frozen=True, kw_only=True, slots=True)
class EnrolmentStanding:
    """A portal account of one of the transaction's customer accounts (XX_ARW_PORTAL_ACCOUNTS)."""

    portal_account_id: int
    cust_account_id: int
    account_number: str | None
    portal_code: str
    enabled: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class TransactionStanding:
    """One transaction with this number in the configured orgs, and what the queue holds."""

    customer_trx_id: int
    org_id: int
    complete: bool
    schedules: tuple[ScheduleStanding, ...]
    enrolments: tuple[EnrolmentStanding, ...]
    submissions: tuple[Submission, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class InvoiceStanding:
    """Everything known about one invoice number."""

    trx_number: str
    transactions: tuple[TransactionStanding, ...]  #: in the configured orgs
    other_org_ids: tuple[int, ...]  #: operating units outside the configuration that have it


class InvoiceStandingVerbs(UnitOfWork):
    """Read-only: why an invoice is, or is not, on its way to a portal."""

    def invoice_standings(self, trx_numbers: Sequence[str]) -> list[InvoiceStanding]:
        """One standing per number, in the order given (duplicates once)."""
        wanted = list(dict.fromkeys(trx_numbers))
        if not wanted:
            return []
        return self._read(lambda conn: self._standings(conn, wanted))

    def _standings(self, conn: sa.Connection, wanted: list[str]) -> list[InvoiceStanding]:
        trx = self._t["ra_customer_trx_all"]
        rows = conn.execute(
            sa.select(trx.c.customer_trx_id, trx.c.trx_number, trx.c.org_id, trx.c.complete_flag)
            .where(trx.c.trx_number.in_(wanted))
            .order_by(trx.c.customer_trx_id)
        ).all()
        ours = [r for r in rows if int(r.org_id) in self.org_ids]
        ids = [int(r.customer_trx_id) for r in ours]
        schedules = self._schedules(conn, ids)
        customers = {s.cust_account_id for ss in schedules.values() for s in ss}
        submissions = self._submissions(conn, ids)
        enrolments = self._enrolments(
            conn, customers, {s.portal_account_id for ss in submissions.values() for s in ss}
        )
        standings = []
        for number in wanted:
            transactions = []
            for r in ours:
                if r.trx_number != number:
                    continue
                trx_id = int(r.customer_trx_id)
                its_customers = {s.cust_account_id for s in schedules.get(trx_id, ())}
                its_accounts = {s.portal_account_id for s in submissions.get(trx_id, ())}
                transactions.append(
                    TransactionStanding(
                        customer_trx_id=trx_id,
                        org_id=int(r.org_id),
                        complete=bool(r.complete_flag),
                        schedules=tuple(schedules.get(trx_id, ())),
                        enrolments=tuple(
                            e
                            for e in enrolments
                            if e.cust_account_id in its_customers
                            or e.portal_account_id in its_accounts
                        ),
                        submissions=tuple(submissions.get(trx_id, ())),
                    )
                )
            others = sorted(
                {int(r.org_id) for r in rows if r.trx_number == number} - set(self.org_ids)
            )
            standings.append(
                InvoiceStanding(
                    trx_number=number,
                    transactions=tuple(transactions),
                    other_org_ids=tuple(others),
                )
            )
        return standings

    def _schedules(
        self, conn: sa.Connection, trx_ids: list[int]
    ) -> dict[int, list[ScheduleStanding]]:
        if not trx_ids:
            return {}
        ps = self._t["ar_payment_schedules_all"]
        acct = self._t["hz_cust_accounts"]
        rows = conn.execute(
            sa.select(
                ps.c.payment_schedule_id,
                ps.c.customer_trx_id,
                ps.c.customer_id,
                acct.c.account_number,
                ps.c["class"],
                ps.c.status,
                ps.c.amount_due_remaining,
                ps.c.invoice_currency_code,
            )
            .outerjoin(acct, acct.c.cust_account_id == ps.c.customer_id)
            .where(ps.c.customer_trx_id.in_(trx_ids), ps.c.org_id.in_(list(self.org_ids)))
            .order_by(ps.c.payment_schedule_id)
        ).all()
        out: dict[int, list[ScheduleStanding]] = {}
        for r in rows:
            m = r._mapping
            out.setdefault(int(m["customer_trx_id"]), []).append(
                ScheduleStanding(
                    payment_schedule_id=int(m["payment_schedule_id"]),
                    cust_account_id=int(m["customer_id"]),
                    account_number=m["account_number"],
                    trx_class=m["class"],
                    status=m["status"],
                    amount_due_remaining=m["amount_due_remaining"],
                    currency=m["invoice_currency_code"],
                )
            )
        return out

    def _enrolments(
        self, conn: sa.Connection, cust_account_ids: set[int], portal_account_ids: set[int]
    ) -> list[EnrolmentStanding]:
        pa = self._t["xx_arw_portal_accounts"]
        either = [
            column.in_(sorted(ids))
            for column, ids in (
                (pa.c.cust_account_id, cust_account_ids),
                (pa.c.portal_account_id, portal_account_ids),
            )
            if ids
        ]
        if not either:
            return []
        acct = self._t["hz_cust_accounts"]
        rows = conn.execute(
            sa.select(
                pa.c.portal_account_id,
                pa.c.cust_account_id,
                acct.c.account_number,
                pa.c.portal_code,
                pa.c.enabled_flag,
            )
            .outerjoin(acct, acct.c.cust_account_id == pa.c.cust_account_id)
            .where(sa.or_(*either), pa.c.org_id.in_(list(self.org_ids)))
            .order_by(pa.c.portal_account_id)
        ).all()
        return [
            EnrolmentStanding(
                portal_account_id=int(r.portal_account_id),
                cust_account_id=int(r.cust_account_id),
                account_number=r.account_number,
                portal_code=r.portal_code,
                enabled=bool(r.enabled_flag),
            )
            for r in rows
        ]

    def _submissions(self, conn: sa.Connection, trx_ids: list[int]) -> dict[int, list[Submission]]:
        if not trx_ids:
            return {}
        sub = self._t["xx_arw_submissions"]
        out: dict[int, list[Submission]] = {}
        for row in conn.execute(
            sa.select(sub).where(sub.c.customer_trx_id.in_(trx_ids)).order_by(sub.c.submission_id)
        ):
            submission = Submission.from_row(row)
            out.setdefault(submission.customer_trx_id, []).append(submission)
        return out
