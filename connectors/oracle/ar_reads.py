"""Reads of open AR and of one invoice, as EBS stores them.

The open-AR read is the one big query of a run, so it streams (``yield_per`` here, the driver's
``arraysize`` in the engine) and holds only the columns the queue needs. Every ``_ALL`` table is
filtered by the configured operating units: EBS is multi-org and reading another org's invoices
would submit them to the wrong customer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import MetaData

from connectors.oracle.records import InvoiceLineRecord, InvoiceRecord, OpenInvoice

OPEN_STATUS = "OP"
INVOICE_CLASSES = ("INV",)
INVOICE_AND_DEBIT_MEMO_CLASSES = ("INV", "DM")
CENT = Decimal("0.01")


def open_invoices_query(
    md: MetaData,
    *,
    org_ids: Sequence[int],
    include_debit_memos: bool,
    cust_account_id: int | None = None,
    unqueued_only: bool = True,
) -> sa.Select[tuple[object, ...]]:
    """Open, complete invoices of enrolled accounts (by default only those not queued yet)."""
    ps = md.tables["ar_payment_schedules_all"]
    trx = md.tables["ra_customer_trx_all"]
    pa = md.tables["xx_arw_portal_accounts"]
    sub = md.tables["xx_arw_submissions"]
    classes = INVOICE_AND_DEBIT_MEMO_CLASSES if include_debit_memos else INVOICE_CLASSES
    query = (
        sa.select(
            ps.c.payment_schedule_id,
            ps.c.customer_trx_id,
            ps.c.customer_id.label("cust_account_id"),
            pa.c.portal_account_id,
            trx.c.trx_number,
            ps.c.due_date,
            ps.c.invoice_currency_code,
            ps.c.amount_due_remaining,
            ps.c.org_id,
        )
        .join(trx, trx.c.customer_trx_id == ps.c.customer_trx_id)
        .join(pa, pa.c.cust_account_id == ps.c.customer_id)
        .where(
            ps.c.status == OPEN_STATUS,
            ps.c["class"].in_(classes),
            ps.c.amount_due_remaining > 0,
            ps.c.org_id.in_(list(org_ids)),
            trx.c.org_id.in_(list(org_ids)),
            trx.c.complete_flag == True,  # noqa: E712 - YesNo renders the 'Y' bind
            pa.c.enabled_flag == True,  # noqa: E712
            pa.c.org_id.in_(list(org_ids)),
        )
        .order_by(ps.c.customer_id, ps.c.payment_schedule_id)
    )
    if unqueued_only:
        already = sa.select(sub.c.submission_id).where(
            sub.c.customer_trx_id == ps.c.customer_trx_id,
            sub.c.portal_account_id == pa.c.portal_account_id,
        )
        query = query.where(~already.exists())
    if cust_account_id is not None:
        query = query.where(ps.c.customer_id == cust_account_id)
    return query


def open_invoices(rows: Iterable[Sequence[Any]]) -> Iterator[OpenInvoice]:
    """Rows of :func:`open_invoices_query`, by position (its column order), as values.

    The open-AR read runs once per row of the whole open book, so each row becomes its tuple in
    one C call. No conversion happens here: the columns' types already hand back the value types
    on every backend (``id_type`` gives ``int``, ``money`` gives ``Decimal``, ``Date`` gives a
    ``date``, Oracle's DATE included, through the dialect's result processor);
    ``tests/store/test_store_contract.py`` checks each field's type on each backend. Converting
    again per field was a fifth of the read's time on SQLite (``benchmarks/ar_read.py``).
    """
    return map(OpenInvoice._make, rows)


def read_invoice(
    conn: sa.Connection, md: MetaData, customer_trx_id: int, *, org_ids: Sequence[int]
) -> InvoiceRecord | None:
    """One invoice header with its customer and lines; ``None`` if it is not in our orgs."""
    trx = md.tables["ra_customer_trx_all"]
    lines = md.tables["ra_customer_trx_lines_all"]
    acct = md.tables["hz_cust_accounts"]
    party = md.tables["hz_parties"]
    header = conn.execute(
        sa.select(
            trx.c.customer_trx_id,
            trx.c.trx_number,
            trx.c.trx_date,
            trx.c.term_due_date,
            trx.c.invoice_currency_code,
            trx.c.purchase_order,
            trx.c.customer_reference,
            acct.c.cust_account_id,
            acct.c.account_number,
            acct.c.account_name,
            party.c.party_name,
        )
        .join(acct, acct.c.cust_account_id == trx.c.bill_to_customer_id)
        .join(party, party.c.party_id == acct.c.party_id)
        .where(trx.c.customer_trx_id == customer_trx_id, trx.c.org_id.in_(list(org_ids)))
    ).one_or_none()
    if header is None:
        return None
    line_rows = conn.execute(
        sa.select(
            lines.c.line_number,
            lines.c.line_type,
            lines.c.description,
            lines.c.quantity_invoiced,
            lines.c.unit_selling_price,
            lines.c.extended_amount,
        )
        .where(lines.c.customer_trx_id == customer_trx_id, lines.c.org_id.in_(list(org_ids)))
        .order_by(lines.c.line_number)
    ).all()
    schedules = md.tables["ar_payment_schedules_all"]
    billed = conn.execute(
        sa.select(sa.func.sum(schedules.c.amount_due_original)).where(
            schedules.c.customer_trx_id == customer_trx_id,
            schedules.c.org_id.in_(list(org_ids)),
        )
    ).scalar_one_or_none()
    h = header._mapping
    return InvoiceRecord(
        customer_trx_id=int(h["customer_trx_id"]),
        trx_number=h["trx_number"],
        trx_date=h["trx_date"],
        term_due_date=h["term_due_date"],
        currency=h["invoice_currency_code"],
        purchase_order=_blank_to_none(h["purchase_order"]),
        customer_reference=_blank_to_none(h["customer_reference"]),
        cust_account_id=int(h["cust_account_id"]),
        account_number=h["account_number"],
        account_name=h["account_name"],
        party_name=h["party_name"],
        lines=tuple(
            InvoiceLineRecord(
                line_number=int(r.line_number),
                line_type=r.line_type,
                description=r.description,
                quantity=r.quantity_invoiced,
                unit_price=r.unit_selling_price,
                amount=r.extended_amount,
            )
            for r in line_rows
        ),
        pdf=None,
        amount_due_original=None if billed is None else Decimal(str(billed)).quantize(CENT),
    )


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip() or None


def open_items_by_kind_query(
    md: MetaData, *, org_ids: Sequence[int], cust_account_id: int | None = None
) -> sa.Select[tuple[object, ...]]:
    """Open schedules of enrolled accounts counted by (class, amount positive?, complete?):
    what a run reports as "not sent to portals" beside what it sent."""
    ps = md.tables["ar_payment_schedules_all"]
    trx = md.tables["ra_customer_trx_all"]
    pa = md.tables["xx_arw_portal_accounts"]
    positive = sa.case((ps.c.amount_due_remaining > 0, "Y"), else_="N")
    query = (
        sa.select(ps.c["class"], positive, trx.c.complete_flag, sa.func.count())
        .join(trx, trx.c.customer_trx_id == ps.c.customer_trx_id)
        .join(pa, pa.c.cust_account_id == ps.c.customer_id)
        .where(
            ps.c.status == OPEN_STATUS,
            ps.c.org_id.in_(list(org_ids)),
            trx.c.org_id.in_(list(org_ids)),
            pa.c.enabled_flag == True,  # noqa: E712
            pa.c.org_id.in_(list(org_ids)),
        )
        .group_by(ps.c["class"], positive, trx.c.complete_flag)
    )
    if cust_account_id is not None:
        query = query.where(ps.c.customer_id == cust_account_id)
    return query
