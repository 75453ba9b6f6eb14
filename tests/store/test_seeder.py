"""Seeding the demo book: one transaction, every backend, readable the way the worker reads EBS."""

from __future__ import annotations

import datetime as dt
import io
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from connectors.oracle.tables import build_metadata
from sandbox.book import DemoBook, demo_book
from sandbox.seeder import (
    AlreadySeeded,
    SeedReport,
    is_seeded,
    repoint_portal_accounts,
    seed_demo_book,
    update_purchase_order,
)

TODAY = dt.date(2026, 11, 20)
PORTALS = "http://127.0.0.1:8700"
#: "Read an invoice PDF" from reference/oracle-ebs.md §1
READ_PDF = sa.text(
    "SELECT l.file_name, l.file_content_type, l.file_data"
    " FROM fnd_attached_documents ad"
    " JOIN fnd_documents d ON d.document_id = ad.document_id"
    " JOIN fnd_lobs l ON l.file_id = d.media_id"
    " WHERE ad.entity_name = 'RA_CUSTOMER_TRX'"
    " AND ad.pk1_value = :trx_id_str"
    " AND d.datatype_id = 6"
)


@dataclass(frozen=True)
class Seeded:
    engine: sa.Engine
    report: SeedReport
    book: DemoBook
    secrets_dir: Path


def _sqlite(path: Path) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{path}")
    build_metadata().create_all(engine)
    return engine


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """One fresh SQLite file database with the demo book, shared by the read-only tests."""
    root = tmp_path_factory.mktemp("seeded")
    engine = _sqlite(root / "book.db")
    report = seed_demo_book(
        engine, portal_base_url=PORTALS, today=TODAY, secrets_dir=root / "secrets"
    )
    yield Seeded(engine, report, demo_book(today=TODAY, with_documents=False), root / "secrets")
    engine.dispose()


def _open_invoice_count(conn: sa.Connection) -> int:
    """Design §3's open-AR filter, joined to the enabled portal accounts."""
    t = build_metadata().tables
    ps, trx = t["ar_payment_schedules_all"], t["ra_customer_trx_all"]
    pa = t["xx_arw_portal_accounts"]
    enabled = pa.c.enabled_flag == True  # noqa: E712 (YesNo binds True as 'Y'; .is_() would not)
    query = (
        sa.select(sa.func.count())
        .select_from(ps)
        .join(trx, trx.c.customer_trx_id == ps.c.customer_trx_id)
        .join(pa, sa.and_(pa.c.cust_account_id == ps.c.customer_id, enabled))
        .where(
            ps.c.status == "OP",
            ps.c["class"] == "INV",
            ps.c.amount_due_remaining > 0,
            ps.c.org_id == 204,
            trx.c.complete_flag == True,  # noqa: E712 (YesNo binds True as 'Y'; .is_() would not)
        )
    )
    return int(conn.execute(query).scalar_one())


def test_seed_demo_book_loads_the_book_on_each_backend(engine: sa.Engine) -> None:
    """Every table gets the book's rows, the open-AR filter finds exactly the eligible invoices,
    PDFs come back through the FND join, and a second seed is refused."""
    assert not is_seeded(engine)

    report = seed_demo_book(engine, portal_base_url=PORTALS, today=TODAY)

    book = demo_book(today=TODAY, with_documents=False)
    md = build_metadata()
    with engine.connect() as conn:
        for name, count in report.counts.items():
            stored = conn.execute(sa.select(sa.func.count()).select_from(md.tables[name]))
            assert stored.scalar_one() == count, name
        assert _open_invoice_count(conn) == book.eligible_invoice_count == report.eligible_invoices
        invoice = next(i for i in book.eligible_invoices if i.has_pdf)
        ((name, content_type, data),) = conn.execute(
            READ_PDF, {"trx_id_str": str(invoice.customer_trx_id)}
        ).all()
    assert report.counts["hz_cust_accounts"] >= 8
    assert report.counts["xx_arw_portal_accounts"] == len(book.enrolled_customers)
    assert (name, content_type) == (f"Invoice_{invoice.trx_number}.pdf", "application/pdf")
    assert invoice.trx_number in PdfReader(io.BytesIO(bytes(data))).pages[0].extract_text()
    assert is_seeded(engine)
    with pytest.raises(AlreadySeeded, match="HZ_CUST_ACCOUNTS"):
        seed_demo_book(engine, portal_base_url=PORTALS, today=TODAY)


def test_seed_demo_book_pdfs_are_readable_for_exactly_the_attached_invoices(
    seeded: Seeded,
) -> None:
    """Invoices with a PDF return one readable file naming them; the others return none."""
    with seeded.engine.connect() as conn:
        for invoice in seeded.book.eligible_invoices:
            rows = conn.execute(READ_PDF, {"trx_id_str": str(invoice.customer_trx_id)}).all()
            assert len(rows) == (1 if invoice.has_pdf else 0), invoice.trx_number
            if invoice.has_pdf and invoice.trx_number in seeded.book.expected_rejections:
                text = PdfReader(io.BytesIO(rows[0].file_data)).pages[0].extract_text()
                assert invoice.trx_number in text
    assert seeded.report.documents == sum(1 for i in seeded.book.invoices if i.has_pdf)


def test_seed_demo_book_stores_ebs_types(seeded: Seeded) -> None:
    """Money reads back as Decimal, EBS dates as date, flags as 'Y'/'N' in the column itself."""
    t = build_metadata().tables
    ps = t["ar_payment_schedules_all"]
    invoice = seeded.book.eligible_invoices[0]
    with seeded.engine.connect() as conn:
        row = conn.execute(
            sa.select(ps.c.amount_due_original, ps.c.due_date).where(
                ps.c.payment_schedule_id == invoice.payment_schedule_id
            )
        ).one()
        flags = conn.execute(
            sa.text("SELECT DISTINCT complete_flag FROM ra_customer_trx_all ORDER BY 1")
        ).scalars()
        assert list(flags) == ["N", "Y"]
    assert row.amount_due_original == invoice.total
    assert isinstance(row.amount_due_original, Decimal)
    assert row.due_date == invoice.due_date and type(row.due_date) is dt.date


def test_seed_demo_book_portal_accounts_point_at_the_portals(seeded: Seeded) -> None:
    """Each enrolled customer gets one enabled, PO-required account with a sequence-given id."""
    pa = build_metadata().tables["xx_arw_portal_accounts"]
    with seeded.engine.connect() as conn:
        rows = conn.execute(sa.select(pa)).all()
    enrolled = {c.cust_account_id: c for c in seeded.book.enrolled_customers}

    assert {r.cust_account_id for r in rows} == set(enrolled)
    assert len({r.portal_account_id for r in rows}) == len(rows)
    for row in rows:
        assert row.portal_url == f"{PORTALS}/coupa"
        assert row.buyer_name == enrolled[row.cust_account_id].name
        assert (row.enabled_flag, row.po_required_flag, row.org_id) == (True, True, 204)
        assert (row.secret_ref, row.totp_secret_ref) == (
            "SANDBOX_COUPA_PASSWORD",
            "SANDBOX_COUPA_TOTP",
        )
        assert row.creation_date.tzinfo is not None


def test_seed_demo_book_writes_each_secret_owner_only(seeded: Seeded) -> None:
    """Every secret the accounts name is a file of mode 0600 holding exactly the secret."""
    assert set(seeded.report.secret_files) == {seeded.secrets_dir / r for r in seeded.book.secrets}
    for ref, value in seeded.book.secrets.items():
        path = seeded.secrets_dir / ref
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_text(encoding="utf-8") == value


def test_seed_demo_book_refuses_a_database_that_has_customers(tmp_path: Path) -> None:
    """A schema with any customer account is left untouched: nothing inserted, no secrets."""
    engine = _sqlite(tmp_path / "real.db")
    accounts = build_metadata().tables["hz_cust_accounts"]
    with engine.begin() as conn:
        conn.execute(
            sa.insert(accounts),
            {
                "cust_account_id": 1,
                "party_id": 1,
                "account_number": "9",
                "orig_system_reference": "X",
            },
        )

    with pytest.raises(AlreadySeeded):
        seed_demo_book(
            engine, portal_base_url=PORTALS, today=TODAY, secrets_dir=tmp_path / "secrets"
        )

    trx = build_metadata().tables["ra_customer_trx_all"]
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(trx)).scalar_one() == 0
    assert not (tmp_path / "secrets").exists()
    engine.dispose()


@pytest.fixture
def book_rows_engine(tmp_path: Path) -> Iterator[tuple[sa.Engine, DemoBook]]:
    """Transactions and portal accounts of the book only (no PDFs): enough for the fix-ups."""
    book = demo_book(today=TODAY, with_documents=False)
    engine = _sqlite(tmp_path / "rows.db")
    t = build_metadata().tables
    with engine.begin() as conn:
        conn.execute(sa.insert(t["ra_customer_trx_all"]), book.rows["ra_customer_trx_all"])
        conn.execute(sa.insert(t["xx_arw_portal_accounts"]), book.portal_accounts(PORTALS))
    yield engine, book
    engine.dispose()


def test_update_purchase_order_sets_the_po_of_one_invoice(
    book_rows_engine: tuple[sa.Engine, DemoBook],
) -> None:
    """A refused invoice gets the customer's spare PO; other invoices keep theirs."""
    engine, book = book_rows_engine
    number = next(n for n, why in book.expected_rejections.items() if why == "PO_MISSING")
    spare = book.customer(book.invoice(number).account_number).spare_po
    assert spare is not None

    update_purchase_order(engine, number, spare)

    trx = build_metadata().tables["ra_customer_trx_all"]
    with engine.connect() as conn:
        pos = dict(conn.execute(sa.select(trx.c.trx_number, trx.c.purchase_order)).all())
    assert pos[number] == spare
    assert sum(1 for po in pos.values() if po == spare) == 1
    with pytest.raises(LookupError):
        update_purchase_order(engine, "NO-SUCH-INVOICE", spare)


def test_repoint_portal_accounts_moves_the_demo_accounts_once(
    book_rows_engine: tuple[sa.Engine, DemoBook],
) -> None:
    """The demo's accounts follow the portals to a new port; a second call changes nothing."""
    engine, book = book_rows_engine

    assert repoint_portal_accounts(engine, "http://127.0.0.1:9911/") == len(book.enrolled_customers)
    assert repoint_portal_accounts(engine, "http://127.0.0.1:9911") == 0

    pa = build_metadata().tables["xx_arw_portal_accounts"]
    with engine.connect() as conn:
        urls = set(conn.execute(sa.select(pa.c.portal_url)).scalars())
    assert urls == {"http://127.0.0.1:9911/coupa"}
