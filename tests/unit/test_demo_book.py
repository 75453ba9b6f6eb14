"""The demo book: deterministic, realistic, and consistent between the EBS side and the portals."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from sandbox.book import (
    OPERATING_UNIT_ID,
    OTHER_OPERATING_UNIT_ID,
    DemoBook,
    DemoCustomer,
    DemoInvoice,
    demo_book,
)
from sandbox.catalog import PurchaseOrder
from sandbox.seeder import portal_catalog

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def book() -> DemoBook:
    """The default book, PDFs included (built once: rendering them is the slow part)."""
    return demo_book(today=TODAY)


def _purchase_orders(book: DemoBook) -> dict[str, PurchaseOrder]:
    return {po.number: po for po in book.catalog.purchase_orders}


def test_demo_book_same_arguments_give_an_identical_book(book: DemoBook) -> None:
    """Building the book again with the same today and seed gives equal rows, PDFs and catalog."""
    again = demo_book(today=TODAY)

    assert again == book
    assert again.rows["fnd_lobs"][0]["file_data"] == book.rows["fnd_lobs"][0]["file_data"]


def test_demo_book_another_seed_gives_another_book(book: DemoBook) -> None:
    """A different seed changes the amounts, so tests can vary the book on purpose."""
    other = demo_book(today=TODAY, seed=8, with_documents=False)

    assert [i.total for i in other.invoices] != [i.total for i in book.invoices]


def test_demo_book_dates_follow_today_and_nothing_else_moves(book: DemoBook) -> None:
    """A later today shifts every date by the same days and keeps numbers and amounts."""
    later = demo_book(today=TODAY + dt.timedelta(days=10), with_documents=False)

    for before, after in zip(book.invoices, later.invoices, strict=True):
        assert after.trx_number == before.trx_number
        assert after.total == before.total
        assert after.due_date - before.due_date == dt.timedelta(days=10)


def test_demo_book_has_realistic_customer_accounts(book: DemoBook) -> None:
    """At least eight organisations with numeric account numbers; exactly one not enrolled."""
    assert len(book.customers) >= 8
    assert all(c.account_number.isdigit() for c in book.customers)
    assert len({c.name for c in book.customers}) == len(book.customers)
    assert [c for c in book.customers if not c.enrolled] == [book.customers[-1]]
    parties = {row["party_id"]: row for row in book.rows["hz_parties"]}
    for account in book.rows["hz_cust_accounts"]:
        assert parties[account["party_id"]]["party_type"] == "ORGANIZATION"
        assert parties[account["party_id"]]["party_name"] == account["account_name"]


def test_demo_book_has_150_eligible_invoices_with_lines_and_one_schedule(book: DemoBook) -> None:
    """≥150 open, complete ORG 204 invoices of enrolled customers, 1–5 lines, one open schedule."""
    eligible = book.eligible_invoices
    lines = Counter(
        row["customer_trx_id"]
        for row in book.rows["ra_customer_trx_lines_all"]
        if row["line_type"] == "LINE"
    )
    schedules = Counter(row["customer_trx_id"] for row in book.rows["ar_payment_schedules_all"])

    assert len(eligible) == book.eligible_invoice_count >= 150
    for invoice in eligible:
        assert 1 <= lines[invoice.customer_trx_id] <= 5
        assert schedules[invoice.customer_trx_id] == 1
        assert invoice.org_id == OPERATING_UNIT_ID and invoice.complete
        assert invoice.schedule_status == "OP" and invoice.trx_class == "INV"
        assert Decimal("0") < invoice.amount_due_remaining <= invoice.total
    assert sum(1 for i in eligible if i.amount_due_remaining < i.total) >= 3  # partly paid
    assert sum(1 for i in eligible if i.purchase_order) > 0.9 * len(eligible)


def test_demo_book_lines_and_tax_add_up_to_the_schedule(book: DemoBook) -> None:
    """LINE and TAX lines of every transaction sum to the schedule's original amount."""
    by_trx: defaultdict[int, Decimal] = defaultdict(Decimal)
    for row in book.rows["ra_customer_trx_lines_all"]:
        by_trx[row["customer_trx_id"]] += row["extended_amount"]
    for row in book.rows["ar_payment_schedules_all"]:
        if row["class"] != "PMT":  # receipts have no transaction lines
            assert by_trx[row["customer_trx_id"]] == row["amount_due_original"]


def test_demo_book_due_dates_spread_from_current_to_120_plus_days(book: DemoBook) -> None:
    """Every aging bucket has invoices, from not yet due to more than 120 days past due."""
    ages = [book.days_past_due(i) for i in book.eligible_invoices]

    assert min(ages) <= 0
    assert max(ages) > 120
    for low, high in ((1, 30), (31, 60), (61, 90), (91, 120)):
        assert any(low <= age <= high for age in ages), (low, high)
    assert all(i.trx_date <= TODAY for i in book.invoices)


def test_demo_book_uses_several_currencies(book: DemoBook) -> None:
    """USD, EUR, GBP and CAD invoices are all present."""
    assert {i.currency for i in book.eligible_invoices} == {"USD", "EUR", "GBP", "CAD"}


def test_demo_book_carries_the_noise_the_worker_must_skip(book: DemoBook) -> None:
    """Closed schedules, credit memos, incomplete invoices, ORG 458 and the unenrolled customer."""
    schedules = book.rows["ar_payment_schedules_all"]
    closed = [r for r in schedules if r["status"] == "CL"]
    credits = [r for r in schedules if r["class"] == "CM"]
    incomplete = [r for r in book.rows["ra_customer_trx_all"] if not r["complete_flag"]]
    other_unit = [r for r in schedules if r["org_id"] == OTHER_OPERATING_UNIT_ID]
    unenrolled = [i for i in book.invoices if i.account_number == book.customers[-1].account_number]

    assert closed and all(r["amount_due_remaining"] == 0 for r in closed)
    assert credits and all(r["amount_due_remaining"] < 0 for r in credits)
    assert len(incomplete) >= 3
    assert len(other_unit) >= 3 and all(r["status"] == "OP" for r in other_unit)
    assert unenrolled and not any(i.eligible for i in unenrolled)
    noise = {r["customer_trx_id"] for r in closed + credits + other_unit} | {
        r["customer_trx_id"] for r in incomplete
    }
    assert noise.isdisjoint(i.customer_trx_id for i in book.eligible_invoices)


def test_demo_book_marks_every_past_due_open_schedule_delinquent(book: DemoBook) -> None:
    """IEX_DELINQUENCIES_ALL has one DELINQUENT row per past-due open invoice schedule, no other."""
    delinquencies = {r["payment_schedule_id"]: r for r in book.rows["iex_delinquencies_all"]}
    past_due = [
        i
        for i in book.invoices
        if i.trx_class == "INV" and i.complete and i.schedule_status == "OP" and i.due_date < TODAY
    ]

    assert {i.payment_schedule_id for i in past_due} == set(delinquencies)
    customers = {c.account_number: c for c in book.customers}
    for invoice in past_due:
        row = delinquencies[invoice.payment_schedule_id]
        customer = customers[invoice.account_number]
        assert row["status"] == "DELINQUENT"
        assert row["transaction_id"] == invoice.customer_trx_id
        assert (row["cust_account_id"], row["party_cust_id"]) == (
            customer.cust_account_id,
            customer.party_id,
        )


def test_demo_book_attaches_a_pdf_to_most_invoices(book: DemoBook) -> None:
    """About 85% of eligible invoices have an FND attachment of their own PDF; the rest none."""
    lobs = {r["file_id"]: r for r in book.rows["fnd_lobs"]}
    documents = {r["document_id"]: r for r in book.rows["fnd_documents"]}
    attached = {
        int(r["pk1_value"]): lobs[documents[r["document_id"]]["media_id"]]
        for r in book.rows["fnd_attached_documents"]
        if r["entity_name"] == "RA_CUSTOMER_TRX"
    }
    eligible = book.eligible_invoices
    with_pdf = [i for i in eligible if i.has_pdf]

    assert 0.75 * len(eligible) <= len(with_pdf) < len(eligible)
    assert {i.customer_trx_id for i in book.invoices if i.has_pdf} == set(attached)
    assert all(d["datatype_id"] == 6 for d in documents.values())
    for invoice in with_pdf[:3]:
        lob = attached[invoice.customer_trx_id]
        assert lob["file_content_type"] == "application/pdf"
        assert lob["program_name"] == "FNDATTCH"
        assert lob["file_data"].startswith(b"%PDF")


def _accepting_po(
    pos: dict[str, PurchaseOrder], customer: DemoCustomer, invoice: DemoInvoice
) -> PurchaseOrder | None:
    po = pos.get(invoice.purchase_order or "")
    if po is None or (po.family, po.buyer_code) != (customer.portal_family, customer.buyer_code):
        return None
    return po if po.currency == invoice.currency else None


def test_demo_book_every_eligible_invoice_has_a_po_that_accepts_it(book: DemoBook) -> None:
    """Each invoice not expected to be refused fits an OPEN PO, even after the PO's other ones."""
    pos = _purchase_orders(book)
    consumed: defaultdict[str, Decimal] = defaultdict(Decimal)
    for invoice in book.eligible_invoices:
        if invoice.trx_number in book.expected_rejections:
            continue
        po = _accepting_po(pos, book.customer(invoice.account_number), invoice)
        assert po is not None, invoice.trx_number
        assert po.status == "OPEN"
        consumed[po.number] += invoice.total
    for number, total in consumed.items():
        assert total <= pos[number].remaining, number
    shared = Counter(i.purchase_order for i in book.eligible_invoices if i.purchase_order)
    assert max(shared.values()) >= 2  # some POs cover several invoices


def test_demo_book_expected_rejections_are_rejectable_for_their_reason(book: DemoBook) -> None:
    """Three or more invoices per reason, over several customers, each refusable for that reason."""
    pos = _purchase_orders(book)
    reasons = Counter(book.expected_rejections.values())
    assert set(reasons) == {"PO_CLOSED", "PO_AMOUNT_EXCEEDED", "PO_MISSING"}
    assert min(reasons.values()) >= 3
    for reason in reasons:
        accounts = {
            book.invoice(number).account_number
            for number, why in book.expected_rejections.items()
            if why == reason
        }
        assert len(accounts) >= 3, reason
    for number, reason in book.expected_rejections.items():
        invoice = book.invoice(number)
        assert invoice.eligible
        if reason == "PO_MISSING":
            assert invoice.purchase_order is None
            continue
        po = _accepting_po(pos, book.customer(invoice.account_number), invoice)
        assert po is not None, number
        if reason == "PO_CLOSED":
            assert po.status == "CLOSED" and po.remaining >= invoice.total
        else:
            assert po.status == "OPEN" and po.remaining < invoice.subtotal


def test_demo_book_spare_pos_cover_any_fixed_invoice(book: DemoBook) -> None:
    """Each enrolled customer has an OPEN spare PO in its currency covering all its refusals."""
    pos = _purchase_orders(book)
    for customer in book.enrolled_customers:
        assert customer.spare_po is not None
        spare = pos[customer.spare_po]
        refused = [
            book.invoice(n).total
            for n in book.expected_rejections
            if book.invoice(n).account_number == customer.account_number
        ]
        assert spare.status == "OPEN" and spare.currency == customer.currency
        assert spare.buyer_code == customer.buyer_code
        assert spare.remaining >= sum(refused, Decimal("0"))
        assert not any(i.purchase_order == spare.number for i in book.invoices)


def test_demo_book_portal_accounts_and_secrets_match_the_catalog(book: DemoBook) -> None:
    """One portal account per enrolled customer; its buyer, login and secrets are the portal's."""
    accounts = book.portal_accounts("http://127.0.0.1:8700/")
    buyers = {b.name for b in book.catalog.buyers}
    (user,) = book.catalog.users

    assert len(accounts) == len(book.enrolled_customers) == len(buyers)
    for account in accounts:
        assert account["portal_url"] == "http://127.0.0.1:8700/coupa"
        assert account["buyer_name"] in buyers
        assert account["login_name"] == user.login_name == "ar@northwind-supply.example"
        assert book.secrets[account["secret_ref"]] == user.password
        assert book.secrets[account["totp_secret_ref"]] == user.totp_secret
        assert "portal_account_id" not in account
    assert user.totp_secret is not None and len(user.totp_secret) == 32


def test_demo_book_families_cycle_over_customers_without_moving_invoices(book: DemoBook) -> None:
    """With three families customers alternate; only Coupa asks for TOTP; invoices are unchanged."""
    mixed = demo_book(today=TODAY, families=("coupa", "ariba", "upload"), with_documents=False)

    families = [c.portal_family for c in mixed.enrolled_customers]
    assert families[:3] == ["coupa", "ariba", "upload"]
    assert {u.family: u.totp_secret is not None for u in mixed.catalog.users} == {
        "coupa": True,
        "ariba": False,
        "upload": False,
    }
    buyer_family = {b.code: b.family for b in mixed.catalog.buyers}
    assert all(po.family == buyer_family[po.buyer_code] for po in mixed.catalog.purchase_orders)
    assert mixed.invoices == book.invoices
    assert mixed.secrets["SANDBOX_COUPA_PASSWORD"] == book.secrets["SANDBOX_COUPA_PASSWORD"]
    totp_refs = {a["portal_code"]: a["totp_secret_ref"] for a in mixed.portal_accounts("http://h")}
    assert totp_refs == {"coupa": "SANDBOX_COUPA_TOTP", "ariba": None, "upload": None}


def test_demo_book_rejects_an_unknown_family() -> None:
    """A family no stand-in portal serves is an error naming the known ones."""
    with pytest.raises(ValueError, match="coupa"):
        demo_book(today=TODAY, families=("tungsten",))


def test_demo_book_rows_are_ready_for_every_database(book: DemoBook) -> None:
    """Uniform keys per table, no '' strings, Decimal money, dates as date, aware timestamps."""
    for table, rows in book.rows.items():
        keys = set(rows[0])
        for row in rows:
            assert set(row) == keys, table
            for column, value in row.items():
                assert value != "", (table, column)
                assert not isinstance(value, float), (table, column)
                if isinstance(value, dt.datetime):
                    assert value.tzinfo is not None, (table, column)
    trx = book.rows["ra_customer_trx_all"][0]
    assert type(trx["trx_date"]) is dt.date
    assert isinstance(book.rows["ar_payment_schedules_all"][0]["amount_due_original"], Decimal)
    assert len({r["trx_number"] for r in book.rows["ra_customer_trx_all"]}) == len(book.invoices)


def test_portal_catalog_is_the_seeded_books_catalog(book: DemoBook) -> None:
    """The catalog a portal process builds alone equals the one of the book the seeder loads."""
    assert portal_catalog(today=TODAY) == book.catalog
