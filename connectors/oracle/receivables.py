"""Open receivables as of a date, grouped in the database: the one query past-due and aging share.

EBS's own aging reports select the items open at the as-of date (``GL_DATE`` on or before it,
``GL_DATE_CLOSED`` after it) and add back what was applied to them after it, so a report as of
last month-end is the same whether it runs on the 1st or the 15th. Items are aged by
``DUE_DATE``; money is the ledger's (``ACCTD_AMOUNT_DUE_REMAINING``). Everything is bound:
the bucket lines become due-date ranges computed here (``days late in [s, t]`` ⇔ ``due date in
[as_of - t, as_of - s]``), so the SQL compares dates with bind variables only and never does
date arithmetic, which each database spells differently. Ranges are half-open on the day after,
so an Oracle ``DATE`` with a time of day still falls on its day (design §8).

One pass over the schedules gives, per operating unit and customer account, the open balance,
the past-due amount and count, disputes, the oldest due date, credit memos and unapplied cash
(their own columns, never netted into past due) and one sum per bucket line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import MetaData, Numeric

from connectors.oracle.report_records import AgingBucketSet, CustomerReceivables

DEBIT_CLASSES = ("INV", "DM", "CB")
CREDIT_MEMO_CLASS = "CM"
RECEIPT_CLASS = "PMT"
APPLIED_STATUS = "APP"
ACTIVE = "A"
ONE_DAY = dt.timedelta(days=1)
ZERO = Decimal("0")
#: money expressions are NUMBER(18,2); sums come back as Decimal rounded to the cent
MONEY = Numeric(18, 2)


def due_date_range(
    as_of: dt.date, days_start: int | None, days_to: int | None
) -> tuple[dt.date | None, dt.date | None]:
    """``(due on or after, due before)`` of the items ``days_start``..``days_to`` days late on
    ``as_of``; ``None`` where the range is open (or beyond the calendar)."""
    low = _shift(as_of, -days_to) if days_to is not None else None
    high = _shift(as_of, -days_start + 1) if days_start is not None else None
    return low, high


def _shift(day: dt.date, days: int) -> dt.date | None:
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return None


@dataclass(frozen=True, kw_only=True, slots=True)
class OpenItems:
    """The schedules open on ``as_of`` and the expressions every report sums over them."""

    source: sa.FromClause
    conditions: list[sa.ColumnElement[bool]]
    ps: sa.Table
    balance: sa.ColumnElement[Any]  #: open amount on ``as_of``, ledger currency
    dispute: sa.ColumnElement[Any]  #: amount in dispute, ledger currency
    is_debit: sa.ColumnElement[bool]


def open_items(
    md: MetaData,
    *,
    as_of: dt.date,
    org_ids: Sequence[int],
    collector: str | None = None,
) -> OpenItems:
    """Schedules of ``org_ids`` open at the end of ``as_of`` (of complete transactions)."""
    ps = md.tables["ar_payment_schedules_all"]
    trx = md.tables["ra_customer_trx_all"]
    day_after = as_of + ONE_DAY
    later = _applied_after(md, day_after=day_after, org_ids=org_ids)
    source = ps.outerjoin(trx, trx.c.customer_trx_id == ps.c.customer_trx_id).outerjoin(
        later, later.c.ps_id == ps.c.payment_schedule_id
    )
    balance = sa.type_coerce(
        ps.c.acctd_amount_due_remaining + sa.func.coalesce(later.c.amount, ZERO), MONEY
    )
    dispute = sa.func.round(
        sa.func.coalesce(ps.c.amount_in_dispute, ZERO) * sa.func.coalesce(ps.c.exchange_rate, 1),
        2,
        type_=MONEY,
    )
    conditions: list[sa.ColumnElement[bool]] = [
        ps.c.org_id.in_(list(org_ids)),
        ps.c.gl_date < day_after,
        ps.c.gl_date_closed >= day_after,
        ps.c["class"].in_([*DEBIT_CLASSES, CREDIT_MEMO_CLASS, RECEIPT_CLASS]),
        sa.or_(ps.c.customer_trx_id.is_(None), trx.c.complete_flag == True),  # noqa: E712
    ]
    if collector is not None:
        conditions.append(ps.c.customer_id.in_(accounts_of_collector(md, collector)))
    return OpenItems(
        source=source,
        conditions=conditions,
        ps=ps,
        balance=balance,
        dispute=dispute,
        is_debit=ps.c["class"].in_(list(DEBIT_CLASSES)),
    )


def _applied_after(md: MetaData, *, day_after: dt.date, org_ids: Sequence[int]) -> sa.Subquery:
    """Per schedule, what applications dated after the as-of date changed: added back to the
    item paid (``+ applied to``) and taken back from the receipt or credit memo that paid it."""
    ra = md.tables["ar_receivable_applications_all"]
    common = [ra.c.gl_date >= day_after, ra.c.status == APPLIED_STATUS, ra.c.org_id.in_(org_ids)]
    paid_items = sa.select(
        ra.c.applied_payment_schedule_id.label("ps_id"),
        ra.c.acctd_amount_applied_to.label("amount"),
    ).where(*common, ra.c.applied_payment_schedule_id.is_not(None))
    paying_items = sa.select(
        ra.c.payment_schedule_id.label("ps_id"),
        (-ra.c.acctd_amount_applied_from).label("amount"),
    ).where(*common, ra.c.payment_schedule_id.is_not(None))
    both = sa.union_all(paid_items, paying_items).subquery("applications")
    return (
        sa.select(both.c.ps_id, sa.func.sum(both.c.amount).label("amount"))
        .group_by(both.c.ps_id)
        .subquery("later")
    )


def accounts_of_collector(md: MetaData, collector: str) -> sa.Select[tuple[Any]]:
    """Customer accounts whose account-level profile names ``collector`` (any case)."""
    prof = md.tables["hz_customer_profiles"]
    coll = md.tables["ar_collectors"]
    return (
        sa.select(prof.c.cust_account_id)
        .join(coll, coll.c.collector_id == prof.c.collector_id)
        .where(
            prof.c.site_use_id.is_(None),
            prof.c.status == ACTIVE,
            sa.func.upper(coll.c.name) == collector.upper(),
        )
    )


def customer_receivables_query(
    md: MetaData,
    *,
    as_of: dt.date,
    org_ids: Sequence[int],
    bucket_set: AgingBucketSet,
    min_days: int,
    min_past_due: Decimal | None = None,
    collector: str | None = None,
    past_due_figures: bool = True,
) -> sa.Select[Any]:
    """Per operating unit and customer account, with names, collector and ledger currency.

    ``min_past_due`` keeps only accounts whose past-due amount (items more than ``min_days``
    late) is *greater* than it (HAVING, in the database); ``None`` keeps every account.
    ``past_due_figures=False`` (the aging) leaves out the past-due amount and count, disputes,
    the oldest due date and the open count: fewer sums per row of a big book.
    """
    items = open_items(md, as_of=as_of, org_ids=org_ids, collector=collector)
    ps, bal, debit = items.ps, items.balance, items.is_debit
    past_due_before = as_of - dt.timedelta(days=min_days)
    is_past_due = sa.and_(debit, ps.c.due_date < past_due_before)
    bucket_columns = [
        sa.func.sum(_bucket_amount(items, i, bucket_set, as_of)).label(f"bucket_{i}")
        for i in range(len(bucket_set.lines))
    ]
    past_due = sa.func.sum(sa.case((is_past_due, bal)))
    past_due_columns: list[sa.ColumnElement[Any]] = [
        past_due.label("past_due"),
        sa.func.count(sa.case((sa.and_(is_past_due, bal > 0), 1))).label("past_due_count"),
        sa.func.sum(sa.case((debit, items.dispute))).label("in_dispute"),
        sa.func.min(sa.case((sa.and_(debit, bal > 0), ps.c.due_date))).label("oldest_due"),
        sa.func.count(sa.case((sa.and_(debit, bal > 0), 1))).label("open_count"),
    ]
    if not past_due_figures:
        past_due_columns = [
            sa.null().label(name)
            for name in ("past_due", "past_due_count", "in_dispute", "oldest_due", "open_count")
        ]
    grouped = (
        sa.select(
            ps.c.org_id,
            ps.c.customer_id,
            sa.func.sum(sa.case((debit, bal))).label("open_balance"),
            *past_due_columns,
            sa.func.sum(sa.case((ps.c["class"] == CREDIT_MEMO_CLASS, bal))).label("credits"),
            sa.func.sum(sa.case((ps.c["class"] == RECEIPT_CLASS, bal))).label("unapplied"),
            *bucket_columns,
        )
        .select_from(items.source)
        .where(*items.conditions)
        .group_by(ps.c.org_id, ps.c.customer_id)
    )
    if min_past_due is not None:
        grouped = grouped.having(past_due > min_past_due)
    agg = grouped.subquery("receivables")
    return _with_names(md, agg)


def _bucket_amount(
    items: OpenItems, index: int, bucket_set: AgingBucketSet, as_of: dt.date
) -> sa.ColumnElement[Any]:
    """What line ``index`` of the set sums: the items of its age (less their disputes when the
    set shows disputes apart), or the disputes themselves."""
    line = bucket_set.lines[index]
    ps = items.ps
    if line.line_type.holds_disputes:
        return sa.case((items.is_debit, items.dispute))
    if not line.line_type.ages:
        return sa.case((sa.false(), items.balance))  # pending adjustments: none are read
    low, high = due_date_range(as_of, line.days_start, line.days_to)
    conditions: list[sa.ColumnElement[bool]] = [items.is_debit]
    if low is not None:
        conditions.append(ps.c.due_date >= low)
    if high is not None:
        conditions.append(ps.c.due_date < high)
    amount = items.balance - items.dispute if bucket_set.has_dispute_line else items.balance
    return sa.case((sa.and_(*conditions), sa.type_coerce(amount, MONEY)))


def _with_names(md: MetaData, agg: sa.Subquery) -> sa.Select[Any]:
    acct = md.tables["hz_cust_accounts"]
    party = md.tables["hz_parties"]
    prof = md.tables["hz_customer_profiles"]
    coll = md.tables["ar_collectors"]
    params = md.tables["ar_system_parameters_all"]
    ledger = md.tables["gl_ledgers"]
    return (
        sa.select(
            agg,
            acct.c.account_number,
            party.c.party_name,
            coll.c.collector_id,
            coll.c.name.label("collector_name"),
            ledger.c.currency_code,
        )
        .select_from(agg)
        .join(acct, acct.c.cust_account_id == agg.c.customer_id)
        .join(party, party.c.party_id == acct.c.party_id)
        .outerjoin(
            prof,
            sa.and_(
                prof.c.cust_account_id == agg.c.customer_id,
                prof.c.site_use_id.is_(None),
                prof.c.status == ACTIVE,
            ),
        )
        .outerjoin(coll, coll.c.collector_id == prof.c.collector_id)
        .outerjoin(params, params.c.org_id == agg.c.org_id)
        .outerjoin(ledger, ledger.c.ledger_id == params.c.set_of_books_id)
    )


def customer_receivables(row: Any, bucket_count: int) -> CustomerReceivables:
    """A row of :func:`customer_receivables_query` as a value."""
    m = row._mapping
    return CustomerReceivables(
        org_id=int(m["org_id"]),
        currency=m["currency_code"],
        cust_account_id=int(m["customer_id"]),
        account_number=m["account_number"],
        customer_name=m["party_name"],
        collector_id=None if m["collector_id"] is None else int(m["collector_id"]),
        collector=m["collector_name"],
        open_balance=money_value(m["open_balance"]),
        past_due=money_value(m["past_due"]),
        past_due_count=int(m["past_due_count"] or 0),
        in_dispute=money_value(m["in_dispute"]),
        oldest_due_date=date_value(m["oldest_due"]),
        open_count=int(m["open_count"] or 0),
        credit_memos=money_value(m["credits"]),
        unapplied_cash=money_value(m["unapplied"]),
        buckets=tuple(money_value(m[f"bucket_{i}"]) for i in range(bucket_count)),
    )


def money_value(value: Any) -> Decimal:
    """A sum as an exact amount; an empty sum (NULL) is zero."""
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    return Decimal(str(value)).quantize(Decimal("0.01"))


def date_value(value: Any) -> dt.date | None:
    """MIN over a DATE column: a ``date`` (Oracle: a datetime at midnight; SQLite: text)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
