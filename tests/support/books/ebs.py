"""A tiny, hand-made book of business for the store's contract tests.

Small enough to reason about row by row, and with one row of every kind the open-AR read must
skip: a closed schedule, a credit memo, an incomplete transaction, another org, an account that
is not enrolled on any portal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from connectors.oracle.tables import build_metadata

ORG = 204
OTHER_ORG = 458
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
PDF_BYTES = b"%PDF-1.4\n% sample\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass(frozen=True)
class SampleBook:
    eligible_trx_numbers: frozenset[str]
    acme_account_id: int
    globex_account_id: int
    acme_party_id: int


def _who() -> dict[str, Any]:
    return {"created_by": -1, "creation_date": NOW, "last_updated_by": -1, "last_update_date": NOW}


def load_sample_book(engine: sa.Engine) -> SampleBook:
    t = build_metadata().tables
    parties = [
        {"party_id": 1, "party_number": "P1", "party_name": "Acme Corp"},
        {"party_id": 2, "party_number": "P2", "party_name": "Globex"},
        {"party_id": 3, "party_number": "P3", "party_name": "Initech"},
    ]
    accounts = [
        {
            "cust_account_id": 11,
            "party_id": 1,
            "account_number": "1001",
            "account_name": "Acme Corp",
            "orig_system_reference": "A1",
        },
        {
            "cust_account_id": 12,
            "party_id": 2,
            "account_number": "1002",
            "account_name": "Globex",
            "orig_system_reference": "A2",
        },
        {
            "cust_account_id": 13,
            "party_id": 3,
            "account_number": "1003",
            "account_name": "Initech",
            "orig_system_reference": "A3",
        },
    ]
    # (trx id, number, account, org, complete, class, status, remaining, po)
    invoices = [
        (101, "INV-101", 11, ORG, True, "INV", "OP", Decimal("100.00"), "PO-1"),
        (102, "INV-102", 11, ORG, True, "INV", "OP", Decimal("250.50"), "PO-1"),
        (103, "INV-103", 11, ORG, True, "INV", "OP", Decimal("75.25"), None),
        (104, "INV-104", 11, ORG, True, "INV", "CL", Decimal("0"), "PO-1"),
        (105, "CM-105", 11, ORG, True, "CM", "OP", Decimal("-20.00"), None),
        (106, "INV-106", 11, ORG, False, "INV", "OP", Decimal("40.00"), "PO-1"),
        (107, "INV-107", 11, OTHER_ORG, True, "INV", "OP", Decimal("40.00"), "PO-1"),
        (201, "INV-201", 12, ORG, True, "INV", "OP", Decimal("999.99"), "PO-9"),
        (202, "INV-202", 12, ORG, True, "INV", "OP", Decimal("1.00"), "PO-9"),
        (301, "INV-301", 13, ORG, True, "INV", "OP", Decimal("5.00"), "PO-3"),
    ]
    trx_rows, line_rows, ps_rows = [], [], []
    for trx_id, number, acct, org, complete, cls, status, remaining, po in invoices:
        trx_rows.append(
            {
                "customer_trx_id": trx_id,
                "trx_number": number,
                "trx_date": TODAY - dt.timedelta(days=30),
                "bill_to_customer_id": acct,
                "term_due_date": TODAY,
                "purchase_order": po,
                "invoice_currency_code": "USD",
                "complete_flag": complete,
                "org_id": org,
                **_who(),
            }
        )
        amount = abs(remaining) or Decimal("10.00")
        line_rows.append(
            {
                "customer_trx_line_id": trx_id * 10 + 1,
                "customer_trx_id": trx_id,
                "line_number": 1,
                "line_type": "LINE",
                "description": f"Widgets for {number}",
                "quantity_invoiced": Decimal("1"),
                "unit_selling_price": amount,
                "extended_amount": amount if cls != "CM" else -amount,
                "org_id": org,
            }
        )
        ps_rows.append(
            {
                "payment_schedule_id": trx_id + 5000,
                "customer_trx_id": trx_id,
                "customer_id": acct,
                "trx_number": number,
                "trx_date": TODAY - dt.timedelta(days=30),
                "due_date": TODAY,
                "amount_due_original": amount if cls != "CM" else -amount,
                "amount_due_remaining": remaining,
                "invoice_currency_code": "USD",
                "status": status,
                "class": cls,
                "org_id": org,
            }
        )
    portal_accounts = [
        {
            "cust_account_id": 11,
            "portal_code": "coupa",
            "portal_url": "http://127.0.0.1:1/coupa",
            "buyer_name": "Acme Corp",
            "login_name": "ar@supplier.example",
            "secret_ref": "COUPA_PW",
            "totp_secret_ref": "COUPA_TOTP",
            "enabled_flag": True,
            "po_required_flag": True,
            "new_number_on_resubmit": False,
            "org_id": ORG,
            **_who(),
        },
        {
            "cust_account_id": 12,
            "portal_code": "coupa",
            "portal_url": "http://127.0.0.1:1/coupa",
            "buyer_name": "Globex",
            "login_name": "ar@supplier.example",
            "secret_ref": "COUPA_PW",
            "totp_secret_ref": "COUPA_TOTP",
            "enabled_flag": True,
            "po_required_flag": True,
            "new_number_on_resubmit": False,
            "org_id": ORG,
            **_who(),
        },
    ]
    with engine.begin() as conn:
        conn.execute(sa.insert(t["hz_parties"]), parties)
        conn.execute(sa.insert(t["hz_cust_accounts"]), accounts)
        conn.execute(sa.insert(t["ra_customer_trx_all"]), trx_rows)
        conn.execute(sa.insert(t["ra_customer_trx_lines_all"]), line_rows)
        conn.execute(sa.insert(t["ar_payment_schedules_all"]), ps_rows)
        conn.execute(sa.insert(t["xx_arw_portal_accounts"]), portal_accounts)
        conn.execute(
            sa.insert(t["fnd_lobs"]),
            [
                {
                    "file_id": 9001,
                    "file_name": "INV-101.pdf",
                    "file_content_type": "application/pdf",
                    "file_data": PDF_BYTES,
                    "program_name": "FNDATTCH",
                }
            ],
        )
        conn.execute(
            sa.insert(t["fnd_documents"]),
            [
                {
                    "document_id": 9101,
                    "datatype_id": 6,
                    "media_id": 9001,
                    "file_name": "INV-101.pdf",
                    **_who(),
                }
            ],
        )
        conn.execute(
            sa.insert(t["fnd_attached_documents"]),
            [
                {
                    "attached_document_id": 9201,
                    "document_id": 9101,
                    "entity_name": "RA_CUSTOMER_TRX",
                    "pk1_value": "101",
                    "seq_num": 10,
                    **_who(),
                }
            ],
        )
    return SampleBook(
        eligible_trx_numbers=frozenset({"INV-101", "INV-102", "INV-103", "INV-201", "INV-202"}),
        acme_account_id=11,
        globex_account_id=12,
        acme_party_id=1,
    )
