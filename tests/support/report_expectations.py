"""What the reports should say, computed the plain way: every row read back, summed in Python.

The reports group in the database with one pass of conditional sums; these helpers read the EBS
tables row by row (plain ``SELECT *``) and apply the definitions of ``docs/reports.md`` item by
item, so a test compares two independent computations. Nothing here imports the report code.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from connectors.oracle.tables import build_metadata

CENT = Decimal("0.01")
ZERO = Decimal("0")
DEBIT = ("INV", "DM", "CB")


def cents(value: object) -> Decimal:
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


@dataclass
class Item:
    ps_id: int
    org_id: int
    customer_id: int
    cls: str
    due: dt.date
    gl_date: dt.date
    gl_closed: dt.date
    acctd: Decimal
    original_acctd: Decimal
    dispute: Decimal
    complete: bool
    trx_number: str


@dataclass
class PastDueFigures:
    """One account's line of the past-due report, summed item by item."""

    customer_name: str
    collector: str | None
    past_due: Decimal = ZERO
    open_balance: Decimal = ZERO
    in_dispute: Decimal = ZERO
    count: int = 0
    oldest: dt.date | None = None
    credits: Decimal = ZERO
    unapplied: Decimal = ZERO
    #: (invoice number, days late, amount) of the items more than min_days late
    items: list[tuple[str, int, Decimal]] = field(default_factory=list)

    def add_debit(self, item: Item, amount: Decimal, as_of: dt.date, min_days: int) -> None:
        self.open_balance += amount
        self.in_dispute += item.dispute
        if amount > 0 and (self.oldest is None or item.due < self.oldest):
            self.oldest = item.due
        days_late = (as_of - item.due).days
        if days_late > min_days:
            self.past_due += amount
            if amount > 0:
                self.count += 1
                self.items.append((item.trx_number, days_late, amount))


@dataclass
class Expected:
    """The book as the database holds it now, and the report figures computed from it."""

    items: list[Item]
    #: (applied schedule or None, paying schedule or None, acctd to, acctd from, gl date)
    applications: list[tuple[int | None, int | None, Decimal, Decimal, dt.date]]
    account_number: dict[int, str]
    customer_name: dict[int, str]
    collector: dict[int, str | None]
    ledger_currency: dict[int, str] = field(default_factory=dict)

    @classmethod
    def read(cls, engine: sa.Engine) -> Expected:
        t = build_metadata().tables
        with engine.connect() as conn:
            complete = {
                r.customer_trx_id: bool(r.complete_flag)
                for r in conn.execute(sa.select(t["ra_customer_trx_all"]))
            }
            items = [
                Item(
                    ps_id=int(r.payment_schedule_id),
                    org_id=int(r.org_id),
                    customer_id=int(r.customer_id),
                    cls=r._mapping["class"],
                    due=as_date(r.due_date),
                    gl_date=as_date(r.gl_date),
                    gl_closed=as_date(r.gl_date_closed),
                    acctd=cents(r.acctd_amount_due_remaining),
                    original_acctd=cents(
                        Decimal(str(r.amount_due_original)) * Decimal(str(r.exchange_rate or 1))
                    ),
                    dispute=cents(
                        Decimal(str(r.amount_in_dispute or 0)) * Decimal(str(r.exchange_rate or 1))
                    ),
                    complete=r.customer_trx_id is None or complete[r.customer_trx_id],
                    trx_number=r.trx_number,
                )
                for r in conn.execute(sa.select(t["ar_payment_schedules_all"]))
            ]
            applications = [
                (
                    r.applied_payment_schedule_id,
                    r.payment_schedule_id,
                    cents(r.acctd_amount_applied_to or 0),
                    cents(r.acctd_amount_applied_from or 0),
                    as_date(r.gl_date),
                )
                for r in conn.execute(sa.select(t["ar_receivable_applications_all"]))
                if r.status == "APP"
            ]
            parties = {r.party_id: r.party_name for r in conn.execute(sa.select(t["hz_parties"]))}
            accounts = list(conn.execute(sa.select(t["hz_cust_accounts"])))
            names = {r.collector_id: r.name for r in conn.execute(sa.select(t["ar_collectors"]))}
            owner = {
                r.cust_account_id: names[r.collector_id]
                for r in conn.execute(sa.select(t["hz_customer_profiles"]))
                if r.site_use_id is None and r.status == "A"
            }
            ledgers = {
                r.ledger_id: r.currency_code for r in conn.execute(sa.select(t["gl_ledgers"]))
            }
            currency = {
                r.org_id: ledgers[r.set_of_books_id]
                for r in conn.execute(sa.select(t["ar_system_parameters_all"]))
            }
        return cls(
            items=items,
            applications=applications,
            account_number={r.cust_account_id: r.account_number for r in accounts},
            customer_name={r.cust_account_id: parties[r.party_id] for r in accounts},
            collector={r.cust_account_id: owner.get(r.cust_account_id) for r in accounts},
            ledger_currency=currency,
        )

    # ---- the definitions -------------------------------------------------------------------

    def balance(self, item: Item, as_of: dt.date) -> Decimal:
        """Open at the end of ``as_of``: remaining now, plus what was applied to it later,
        less what it paid of others later."""
        amount = item.acctd
        for applied, paying, to, from_, gl in self.applications:
            if gl > as_of and applied == item.ps_id:
                amount += to
            if gl > as_of and paying == item.ps_id:
                amount -= from_
        return amount

    def open_items(
        self, as_of: dt.date, org_ids: tuple[int, ...] = (204,)
    ) -> list[tuple[Item, Decimal]]:
        return [
            (item, self.balance(item, as_of))
            for item in self.items
            if item.org_id in org_ids
            and item.complete
            and item.gl_date <= as_of < item.gl_closed
            and item.cls in (*DEBIT, "CM", "PMT")
        ]

    def past_due(
        self, as_of: dt.date, *, min_days: int = 60, min_balance: Decimal = Decimal("10000")
    ) -> dict[str, PastDueFigures]:
        """account number → the past-due report's figures, for the accounts listed."""
        per: dict[int, PastDueFigures] = {}
        for item, amount in self.open_items(as_of):
            row = per.setdefault(
                item.customer_id,
                PastDueFigures(
                    customer_name=self.customer_name[item.customer_id],
                    collector=self.collector[item.customer_id],
                ),
            )
            if item.cls == "CM":
                row.credits += amount
            elif item.cls == "PMT":
                row.unapplied += amount
            else:
                row.add_debit(item, amount, as_of, min_days)
        return {
            self.account_number[customer]: figures
            for customer, figures in per.items()
            if figures.past_due > min_balance
        }

    def aging(
        self,
        as_of: dt.date,
        lines: list[tuple[int, int, str]],
    ) -> dict[str, list[Decimal]]:
        """account number → amount per line ``(days start, days to, type)``; a dispute line
        takes the disputed amounts out of the age lines."""
        has_dispute = any(kind == "DISPUTE_ONLY" for _, _, kind in lines)
        per: defaultdict[int, list[Decimal]] = defaultdict(lambda: [ZERO] * len(lines))
        for item, amount in self.open_items(as_of):
            if item.cls not in DEBIT:
                continue
            per[item.customer_id]  # every account with open debit items gets a row
            days_late = (as_of - item.due).days
            for index, (start, to, kind) in enumerate(lines):
                if kind == "DISPUTE_ONLY":
                    per[item.customer_id][index] += item.dispute
                elif start <= days_late <= to:
                    per[item.customer_id][index] += amount - (item.dispute if has_dispute else 0)
        return {self.account_number[c]: amounts for c, amounts in per.items()}

    def receivables(self, point: dt.date, collector: str | None = None) -> Decimal:
        """Open INV/DM/CB balance at the end of ``point`` (ORG 204)."""
        return sum(
            (
                amount
                for item, amount in self.open_items(point)
                if item.cls in DEBIT
                and (collector is None or self.collector[item.customer_id] == collector)
            ),
            ZERO,
        )

    def sales(self, first: dt.date, last: dt.date, collector: str | None = None) -> Decimal:
        """Original INV/DM/CB amounts with a GL date in ``first..last`` (ORG 204)."""
        return sum(
            (
                item.original_acctd
                for item in self.items
                if item.org_id == 204
                and item.complete
                and item.cls in DEBIT
                and first <= item.gl_date <= last
                and (collector is None or self.collector[item.customer_id] == collector)
            ),
            ZERO,
        )
