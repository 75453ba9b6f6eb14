"""The demo book as EBS sees it: one list of rows per stand-in table.

:mod:`sandbox.book` decides what the supplier's receivables are (customers, invoices, purchase
orders, the invoices each portal must refuse); this module only writes them down the way the
EBS tables hold them: parties and accounts, transactions with their lines and tax line, payment
schedules, delinquencies for what is past due, and the attached PDFs in FND_LOBS. The ids,
WHO columns and lookups are those of the Vision demo database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sandbox.collections_book import collections_rows

if TYPE_CHECKING:
    from sandbox.book import DemoCustomer, DemoInvoice

#: FND_USER.USER_ID that "created" the EBS rows (OPERATIONS in the Vision demo database)
EBS_USER_ID = 1318
TRX_TYPE_INVOICE_ID = 1
TRX_TYPE_CREDIT_MEMO_ID = 2
ATTACHMENT_CATEGORY_ID = 1  #: "Miscellaneous"
DATATYPE_FILE = 6
TERM_IDS = {30: 1002, 45: 1003, 60: 1004}


def ebs_rows(
    customers: Sequence[DemoCustomer],
    invoices: Sequence[DemoInvoice],
    *,
    today: dt.date,
    documents: Mapping[str, bytes],
    units: Mapping[str, str],
) -> dict[str, list[dict[str, Any]]]:
    """Rows per EBS table (see :class:`~sandbox.book.DemoBook`'s ``rows``) for the book.

    ``documents`` maps a trx_number to its attached PDF (none: the FND_* lists stay empty);
    ``units`` maps a line description to its unit of measure (``EA`` when absent).
    """
    by_account = {customer.account_number: customer for customer in customers}
    rows: dict[str, list[dict[str, Any]]] = {
        "hz_parties": [_party_row(customer) for customer in customers],
        "hz_cust_accounts": [_account_row(customer) for customer in customers],
        "ra_customer_trx_all": [
            _trx_row(invoice, by_account[invoice.account_number]) for invoice in invoices
        ],
        "ra_customer_trx_lines_all": [],
        "ar_payment_schedules_all": [
            _schedule_row(invoice, by_account[invoice.account_number]) for invoice in invoices
        ],
        "iex_delinquencies_all": [],
        "fnd_lobs": [],
        "fnd_documents": [],
        "fnd_attached_documents": [],
    }
    line_id = 520001
    for invoice in invoices:
        line_rows = _line_rows(invoice, by_account[invoice.account_number], units, first_id=line_id)
        rows["ra_customer_trx_lines_all"] += line_rows
        line_id += len(line_rows)
    delinquent = [
        invoice
        for invoice in invoices
        if invoice.trx_class == "INV"
        and invoice.complete
        and invoice.schedule_status == "OP"
        and invoice.due_date < today
    ]
    rows["iex_delinquencies_all"] = [
        _delinquency_row(47001 + position, invoice, by_account[invoice.account_number])
        for position, invoice in enumerate(delinquent)
    ]
    with_pdf = [invoice for invoice in invoices if invoice.trx_number in documents]
    for position, invoice in enumerate(with_pdf):
        for table, row in _attachment_rows(
            position, invoice, documents[invoice.trx_number]
        ).items():
            rows[table].append(row)
    rows |= collections_rows(customers, invoices, rows, today=today)  # collectors, reports' data
    return rows


def _who(stamp: dt.datetime) -> dict[str, Any]:
    return {
        "created_by": EBS_USER_ID,
        "creation_date": stamp,
        "last_updated_by": EBS_USER_ID,
        "last_update_date": stamp,
        "last_update_login": None,
    }


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC)


def _party_row(customer: DemoCustomer) -> dict[str, Any]:
    return {
        "party_id": customer.party_id,
        "party_number": str(customer.party_id + 10000),
        "party_name": customer.name,
        "party_type": "ORGANIZATION",
        "status": "A",
        "tax_reference": customer.tax_reference,
        "country": customer.country,
    }


def _account_row(customer: DemoCustomer) -> dict[str, Any]:
    return {
        "cust_account_id": customer.cust_account_id,
        "party_id": customer.party_id,
        "account_number": customer.account_number,
        "account_name": customer.name,
        "status": "A",
        "customer_class_code": customer.customer_class,
        "orig_system_reference": f"DEMO-{customer.account_number}",
    }


def _trx_row(invoice: DemoInvoice, customer: DemoCustomer) -> dict[str, Any]:
    credit = invoice.trx_class == "CM"
    po_date = None
    if invoice.purchase_order is not None:
        po_date = invoice.trx_date - dt.timedelta(days=5 + invoice.customer_trx_id % 20)
    return {
        "customer_trx_id": invoice.customer_trx_id,
        "trx_number": invoice.trx_number,
        "trx_date": invoice.trx_date,
        "cust_trx_type_id": TRX_TYPE_CREDIT_MEMO_ID if credit else TRX_TYPE_INVOICE_ID,
        "bill_to_customer_id": customer.cust_account_id,
        "bill_to_site_use_id": customer.bill_to_site_use_id,
        "term_id": None if credit else TERM_IDS[customer.terms_days],
        "term_due_date": None if credit else invoice.due_date,
        "purchase_order": invoice.purchase_order,
        "purchase_order_revision": None,
        "purchase_order_date": po_date,
        "customer_reference": None,
        "comments": None,
        "invoice_currency_code": invoice.currency,
        "complete_flag": invoice.complete,
        "status_trx": invoice.schedule_status,
        "org_id": invoice.org_id,
        **_who(_midnight(invoice.trx_date)),
    }


def _line_rows(
    invoice: DemoInvoice, customer: DemoCustomer, units: Mapping[str, str], *, first_id: int
) -> list[dict[str, Any]]:
    rows = [
        {
            "customer_trx_line_id": first_id + index,
            "customer_trx_id": invoice.customer_trx_id,
            "line_number": index + 1,
            "line_type": "LINE",
            "description": line.description,
            "uom_code": units.get(line.description, "EA"),
            "quantity_invoiced": line.quantity,
            "unit_selling_price": line.unit_price,
            "extended_amount": line.amount,
            "tax_rate": None,
            "sales_order": str(61000 + invoice.customer_trx_id % 100000),
            "org_id": invoice.org_id,
        }
        for index, line in enumerate(invoice.lines)
    ]
    if invoice.tax:
        rows.append(
            {
                **rows[0],
                "customer_trx_line_id": first_id + len(rows),
                "line_number": len(rows) + 1,
                "line_type": "TAX",
                "description": customer.tax_label,
                "uom_code": None,
                "quantity_invoiced": None,
                "unit_selling_price": None,
                "extended_amount": invoice.tax,
                "tax_rate": (customer.tax_rate * 100).quantize(Decimal("0.0001")),
                "sales_order": None,
            }
        )
    return rows


def _schedule_row(invoice: DemoInvoice, customer: DemoCustomer) -> dict[str, Any]:
    return {
        "payment_schedule_id": invoice.payment_schedule_id,
        "customer_trx_id": invoice.customer_trx_id,
        "customer_id": customer.cust_account_id,
        "customer_site_use_id": customer.bill_to_site_use_id,
        "trx_number": invoice.trx_number,
        "trx_date": invoice.trx_date,
        "due_date": invoice.due_date,
        "amount_due_original": invoice.total,
        "amount_due_remaining": invoice.amount_due_remaining,
        "amount_line_items_original": invoice.subtotal,
        "tax_original": invoice.tax,
        "amount_in_dispute": None,
        "invoice_currency_code": invoice.currency,
        "status": invoice.schedule_status,
        "class": invoice.trx_class,
        "terms_sequence_number": 1,
        "org_id": invoice.org_id,
    }


def _delinquency_row(
    delinquency_id: int, invoice: DemoInvoice, customer: DemoCustomer
) -> dict[str, Any]:
    return {
        "delinquency_id": delinquency_id,
        "party_cust_id": customer.party_id,
        "cust_account_id": customer.cust_account_id,
        "customer_site_use_id": customer.bill_to_site_use_id,
        "transaction_id": invoice.customer_trx_id,
        "payment_schedule_id": invoice.payment_schedule_id,
        "status": "DELINQUENT",
        "aging_bucket_line_id": None,
        "org_id": invoice.org_id,
        **_who(_midnight(invoice.due_date + dt.timedelta(days=1))),
    }


def _attachment_rows(position: int, invoice: DemoInvoice, pdf: bytes) -> dict[str, dict[str, Any]]:
    """FND_LOBS + FND_DOCUMENTS + FND_ATTACHED_DOCUMENTS for one invoice PDF."""
    file_id = 640001 + position
    document_id = 870001 + position
    file_name = f"Invoice_{invoice.trx_number}.pdf"
    printed = _midnight(invoice.trx_date) + dt.timedelta(hours=2)  # the nightly print run
    return {
        "fnd_lobs": {
            "file_id": file_id,
            "file_name": file_name,
            "file_content_type": "application/pdf",
            "file_data": pdf,
            "upload_date": printed,
            "expiration_date": None,
            "program_name": "FNDATTCH",
            "language": "US",
            "file_format": "binary",
        },
        "fnd_documents": {
            "document_id": document_id,
            "datatype_id": DATATYPE_FILE,
            "category_id": ATTACHMENT_CATEGORY_ID,
            "security_type": 4,
            "publish_flag": True,
            "usage_type": "O",
            "media_id": file_id,
            "file_name": file_name,
            **_who(printed),
        },
        "fnd_attached_documents": {
            "attached_document_id": 910001 + position,
            "document_id": document_id,
            "entity_name": "RA_CUSTOMER_TRX",
            "pk1_value": str(invoice.customer_trx_id),
            "seq_num": 10,
            "automatically_added_flag": False,
            "category_id": ATTACHMENT_CATEGORY_ID,
            **_who(printed),
        },
    }
