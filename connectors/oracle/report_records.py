"""Values the report reads hand out: aging bucket sets, per-customer receivables, past-due items.

Like :mod:`connectors.oracle.records`: frozen, keyword-only, built from rows; money is
``Decimal`` in the ledger's (functional) currency unless a name says otherwise, dates are
``date``. Text from EBS or a portal (names, notes, dispute reasons) is carried as is: whoever
renders it escapes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal("0")


class BucketLineType(StrEnum):
    """AR_AGING_BUCKET_LINES.TYPE: what a line of a bucket set holds."""

    #: not yet due (days late ≤ 0 in the seeded sets)
    CURRENT = "CURRENT"
    #: past due within the line's DAYS_START..DAYS_TO
    PAST_DUE = "PAST_DUE"
    #: the amounts in dispute, taken out of the age buckets
    DISPUTE_ONLY = "DISPUTE_ONLY"
    #: pending adjustments (the worker reads no adjustments: always zero)
    PENDADJ_ONLY = "PENDADJ_ONLY"
    #: disputes and pending adjustments together (here: the disputes)
    DISPUTE_PENDADJ = "DISPUTE_PENDADJ"

    @property
    def ages(self) -> bool:
        """Whether items land in this line by their days late."""
        return self in (BucketLineType.CURRENT, BucketLineType.PAST_DUE)

    @property
    def holds_disputes(self) -> bool:
        return self in (BucketLineType.DISPUTE_ONLY, BucketLineType.DISPUTE_PENDADJ)


@dataclass(frozen=True, kw_only=True, slots=True)
class AgingBucketLine:
    """One line of a bucket set, in BUCKET_SEQUENCE_NUM order."""

    sequence: int
    days_start: int | None
    days_to: int | None
    line_type: BucketLineType
    heading1: str | None
    heading2: str | None

    @property
    def label(self) -> str:
        """The column heading a report prints: EBS's two headings, else the day range."""
        text = " ".join(h for h in (self.heading1, self.heading2) if h)
        if text:
            return text
        return f"{self.days_start}..{self.days_to}"

    @property
    def short_label(self) -> str:
        return self.heading1 or self.label


@dataclass(frozen=True, kw_only=True, slots=True)
class AgingBucketSet:
    """An AR_AGING_BUCKETS row with its lines."""

    aging_bucket_id: int
    name: str
    lines: tuple[AgingBucketLine, ...]

    @property
    def has_dispute_line(self) -> bool:
        return any(line.line_type.holds_disputes for line in self.lines)


@dataclass(frozen=True, kw_only=True, slots=True)
class CustomerReceivables:
    """One customer account's open items in one operating unit, grouped by the database.

    The past-due figures (``past_due``, ``past_due_count``, ``in_dispute``, ``oldest_due_date``,
    ``open_count``) are zero (None) when the read did not ask for them (the aging does not).
    """

    org_id: int
    currency: str | None  #: the ledger's currency (GL_LEDGERS.CURRENCY_CODE) of the org
    cust_account_id: int
    account_number: str
    customer_name: str
    collector_id: int | None
    collector: str | None
    open_balance: Decimal  #: open INV, DM and CB items
    past_due: Decimal  #: of those, more than ``min_days`` late
    past_due_count: int
    in_dispute: Decimal
    oldest_due_date: dt.date | None
    open_count: int
    credit_memos: Decimal  #: open credit memos (negative), never netted into past due
    unapplied_cash: Decimal  #: unapplied receipts (negative)
    buckets: tuple[Decimal, ...]  #: one amount per line of the bucket set, in its order


@dataclass(frozen=True, kw_only=True, slots=True)
class PastDueItem:
    """One invoice (or debit memo, chargeback) more than ``min_days`` late, with what arworker
    knows of it on the customer's portal."""

    org_id: int
    cust_account_id: int
    account_number: str
    payment_schedule_id: int
    trx_number: str
    trx_class: str
    due_date: dt.date
    amount: Decimal  #: open amount as of the report date, ledger currency
    in_dispute: Decimal  #: ledger currency
    invoice_currency: str
    submission_id: int | None
    submission_status: str | None
    portal_code: str | None
    portal_status: str | None
    portal_status_reason: str | None
    projected_pay_date: dt.date | None
    payment_date: dt.date | None
    last_error_text: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class AccountNote:
    """The latest collection note on an account (JTF_NOTES on ``IEX_ACCOUNT``)."""

    cust_account_id: int
    entered_at: dt.datetime
    text: str


@dataclass(frozen=True, kw_only=True, slots=True)
class PeriodFigure:
    """An amount of one operating unit and collector for one date or date range."""

    org_id: int
    collector_id: int | None
    collector: str | None
    key: int  #: which point or range of the request it belongs to (its position)
    amount: Decimal


@dataclass(frozen=True, kw_only=True, slots=True)
class Collector:
    """An AR_COLLECTORS row."""

    collector_id: int
    name: str
    email_address: str | None
    active: bool
