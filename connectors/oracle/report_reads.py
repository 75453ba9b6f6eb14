"""The report queries besides the per-customer grouping: past-due items with their portal verdict,
the last note per account, and the two figures DSO is made of (receivables at a date, credit sales
of a period), each summed per operating unit and collector in the database.

DSO needs the receivables at up to thirteen dates and the sales of up to three dozen months: each
is one column of one pass (``SUM(CASE WHEN <date range> ...)``), with every date a bind variable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import MetaData

from connectors.oracle.notes import NOTE_LANGUAGE, SOURCE_OBJECT_CODE
from connectors.oracle.receivables import (
    ACTIVE,
    APPLIED_STATUS,
    DEBIT_CLASSES,
    MONEY,
    ONE_DAY,
    accounts_of_collector,
    date_value,
    money_value,
    open_items,
)
from connectors.oracle.report_records import AccountNote, PastDueItem


def past_due_items_query(
    md: MetaData,
    *,
    as_of: dt.date,
    org_ids: Sequence[int],
    min_days: int,
    cust_account_ids: Sequence[int],
) -> sa.Select[Any]:
    """Open debit items more than ``min_days`` late of these accounts, oldest first per account,
    each with its latest submission (if arworker ever queued it) and that portal's code."""
    items = open_items(md, as_of=as_of, org_ids=org_ids)
    ps = items.ps
    acct = md.tables["hz_cust_accounts"]
    sub = md.tables["xx_arw_submissions"]
    pa = md.tables["xx_arw_portal_accounts"]
    latest = (
        sa.select(
            sub.c.payment_schedule_id.label("ps_id"),
            sa.func.max(sub.c.submission_id).label("submission_id"),
        )
        .where(sub.c.org_id.in_(list(org_ids)))
        .group_by(sub.c.payment_schedule_id)
        .subquery("latest")
    )
    return (
        sa.select(
            ps.c.org_id,
            ps.c.customer_id,
            acct.c.account_number,
            ps.c.payment_schedule_id,
            ps.c.trx_number,
            ps.c["class"].label("trx_class"),
            ps.c.due_date,
            items.balance.label("amount"),
            items.dispute.label("in_dispute"),
            ps.c.invoice_currency_code,
            sub.c.submission_id,
            sub.c.status.label("submission_status"),
            pa.c.portal_code,
            sub.c.portal_status,
            sub.c.portal_status_reason,
            sub.c.projected_pay_date,
            sub.c.payment_date,
            sub.c.last_error_text,
        )
        .select_from(
            items.source.join(acct, acct.c.cust_account_id == ps.c.customer_id)
            .outerjoin(latest, latest.c.ps_id == ps.c.payment_schedule_id)
            .outerjoin(sub, sub.c.submission_id == latest.c.submission_id)
            .outerjoin(pa, pa.c.portal_account_id == sub.c.portal_account_id)
        )
        .where(
            *items.conditions,
            items.is_debit,
            ps.c.due_date < as_of - dt.timedelta(days=min_days),
            items.balance > 0,
            ps.c.customer_id.in_(list(cust_account_ids)),
        )
        .order_by(acct.c.account_number, ps.c.org_id, ps.c.due_date, ps.c.payment_schedule_id)
    )


def past_due_item(row: Any) -> PastDueItem:
    m = row._mapping
    return PastDueItem(
        org_id=int(m["org_id"]),
        cust_account_id=int(m["customer_id"]),
        account_number=m["account_number"],
        payment_schedule_id=int(m["payment_schedule_id"]),
        trx_number=m["trx_number"],
        trx_class=m["trx_class"],
        due_date=date_value(m["due_date"]) or dt.date.min,
        amount=money_value(m["amount"]),
        in_dispute=money_value(m["in_dispute"]),
        invoice_currency=m["invoice_currency_code"],
        submission_id=None if m["submission_id"] is None else int(m["submission_id"]),
        submission_status=m["submission_status"],
        portal_code=m["portal_code"],
        portal_status=m["portal_status"],
        portal_status_reason=m["portal_status_reason"],
        projected_pay_date=date_value(m["projected_pay_date"]),
        payment_date=date_value(m["payment_date"]),
        last_error_text=m["last_error_text"],
    )


def last_notes_query(md: MetaData, cust_account_ids: Sequence[int]) -> sa.Select[Any]:
    """The newest note on each of these accounts (ties: the higher note id)."""
    b = md.tables["jtf_notes_b"]
    tl = md.tables["jtf_notes_tl"]
    ranked = (
        sa.select(
            b.c.source_object_id,
            b.c.entered_date,
            tl.c.notes,
            sa.func.row_number()
            .over(
                partition_by=b.c.source_object_id,
                order_by=(b.c.entered_date.desc(), b.c.jtf_note_id.desc()),
            )
            .label("position"),
        )
        .join(tl, sa.and_(tl.c.jtf_note_id == b.c.jtf_note_id, tl.c.language == NOTE_LANGUAGE))
        .where(
            b.c.source_object_code == SOURCE_OBJECT_CODE,
            b.c.source_object_id.in_(list(cust_account_ids)),
        )
        .subquery("ranked")
    )
    return sa.select(ranked.c.source_object_id, ranked.c.entered_date, ranked.c.notes).where(
        ranked.c.position == 1
    )


def account_note(row: Any) -> AccountNote:
    return AccountNote(
        cust_account_id=int(row.source_object_id), entered_at=row.entered_date, text=row.notes
    )


def receivables_at_query(
    md: MetaData,
    *,
    points: Sequence[dt.date],
    org_ids: Sequence[int],
    collector: str | None = None,
) -> sa.Select[Any]:
    """Open INV/DM/CB balance at the end of each of ``points``, per operating unit and collector:
    column ``amount_<k>`` for ``points[k]``. Each is what was open that day (GL date on or before,
    closed after) plus what was applied to it later, as the aging of a past date counts it."""
    ps = md.tables["ar_payment_schedules_all"]
    ra = md.tables["ar_receivable_applications_all"]
    trx = md.tables["ra_customer_trx_all"]
    first_after, last_after = min(points) + ONE_DAY, max(points) + ONE_DAY
    complete = sa.or_(ps.c.customer_trx_id.is_(None), trx.c.complete_flag == True)  # noqa: E712
    remaining = (
        sa.select(
            ps.c.org_id,
            ps.c.customer_id,
            *(
                sa.func.sum(
                    sa.case(
                        (
                            sa.and_(
                                ps.c.gl_date < point + ONE_DAY,
                                ps.c.gl_date_closed >= point + ONE_DAY,
                            ),
                            ps.c.acctd_amount_due_remaining,
                        )
                    )
                ).label(f"amount_{k}")
                for k, point in enumerate(points)
            ),
        )
        .select_from(ps.outerjoin(trx, trx.c.customer_trx_id == ps.c.customer_trx_id))
        .where(
            ps.c.org_id.in_(list(org_ids)),
            ps.c["class"].in_(list(DEBIT_CLASSES)),
            ps.c.gl_date < last_after,
            ps.c.gl_date_closed >= first_after,
            complete,
        )
        .group_by(ps.c.org_id, ps.c.customer_id)
    )
    applied_later = (
        sa.select(
            ps.c.org_id,
            ps.c.customer_id,
            *(
                sa.func.sum(
                    sa.case(
                        (
                            sa.and_(
                                ra.c.gl_date >= point + ONE_DAY, ps.c.gl_date < point + ONE_DAY
                            ),
                            ra.c.acctd_amount_applied_to,
                        )
                    )
                ).label(f"amount_{k}")
                for k, point in enumerate(points)
            ),
        )
        .select_from(
            ra.join(ps, ps.c.payment_schedule_id == ra.c.applied_payment_schedule_id).outerjoin(
                trx, trx.c.customer_trx_id == ps.c.customer_trx_id
            )
        )
        .where(
            ra.c.org_id.in_(list(org_ids)),
            ra.c.status == APPLIED_STATUS,
            ra.c.gl_date >= first_after,
            ps.c["class"].in_(list(DEBIT_CLASSES)),
            ps.c.gl_date < last_after,
            complete,
        )
        .group_by(ps.c.org_id, ps.c.customer_id)
    )
    if collector is not None:
        mine = accounts_of_collector(md, collector)
        remaining = remaining.where(ps.c.customer_id.in_(mine))
        applied_later = applied_later.where(ps.c.customer_id.in_(mine))
    both = sa.union_all(remaining, applied_later).subquery("receivables")
    return _per_collector(md, both, len(points))


def credit_sales_query(
    md: MetaData,
    *,
    periods: Sequence[tuple[dt.date, dt.date]],
    org_ids: Sequence[int],
    collector: str | None = None,
) -> sa.Select[Any]:
    """Credit sales (original amount of INV/DM/CB items, ledger currency, by GL date) of each of
    ``periods`` (first day, last day), per operating unit and collector: ``amount_<k>``."""
    ps = md.tables["ar_payment_schedules_all"]
    trx = md.tables["ra_customer_trx_all"]
    original = sa.func.round(
        ps.c.amount_due_original * sa.func.coalesce(ps.c.exchange_rate, 1), 2, type_=MONEY
    )
    first = min(start for start, _ in periods)
    after_last = max(end for _, end in periods) + ONE_DAY
    sales = (
        sa.select(
            ps.c.org_id,
            ps.c.customer_id,
            *(
                sa.func.sum(
                    sa.case(
                        (
                            sa.and_(ps.c.gl_date >= start, ps.c.gl_date < end + ONE_DAY),
                            original,
                        )
                    )
                ).label(f"amount_{k}")
                for k, (start, end) in enumerate(periods)
            ),
        )
        .select_from(ps.outerjoin(trx, trx.c.customer_trx_id == ps.c.customer_trx_id))
        .where(
            ps.c.org_id.in_(list(org_ids)),
            ps.c["class"].in_(list(DEBIT_CLASSES)),
            ps.c.gl_date >= first,
            ps.c.gl_date < after_last,
            sa.or_(ps.c.customer_trx_id.is_(None), trx.c.complete_flag == True),  # noqa: E712
        )
        .group_by(ps.c.org_id, ps.c.customer_id)
    )
    if collector is not None:
        sales = sales.where(ps.c.customer_id.in_(accounts_of_collector(md, collector)))
    return _per_collector(md, sales.subquery("sales"), len(periods))


def _per_collector(md: MetaData, per_customer: sa.Subquery, count: int) -> sa.Select[Any]:
    """Roll customer rows up to (operating unit, collector of the account-level profile)."""
    prof = md.tables["hz_customer_profiles"]
    coll = md.tables["ar_collectors"]
    return (
        sa.select(
            per_customer.c.org_id,
            coll.c.collector_id,
            coll.c.name.label("collector_name"),
            *(
                sa.func.sum(sa.type_coerce(per_customer.c[f"amount_{k}"], MONEY)).label(
                    f"amount_{k}"
                )
                for k in range(count)
            ),
        )
        .select_from(per_customer)
        .outerjoin(
            prof,
            sa.and_(
                prof.c.cust_account_id == per_customer.c.customer_id,
                prof.c.site_use_id.is_(None),
                prof.c.status == ACTIVE,
            ),
        )
        .outerjoin(coll, coll.c.collector_id == prof.c.collector_id)
        .group_by(per_customer.c.org_id, coll.c.collector_id, coll.c.name)
        .order_by(per_customer.c.org_id, coll.c.name)
    )
