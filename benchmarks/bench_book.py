"""The benchmark book: N uniform invoices, their POs on the stand-in portal, and a seeded database.

The demo book (:mod:`sandbox.book`) is a realistic mix of ~170 invoices with traps; a throughput
or memory figure needs the opposite: any number of invoices that all take exactly the same steps
(two lines, one PO each, a PDF of a fixed size), so that a figure per invoice means something and
every variant of a benchmark uploads the very same invoices. Like the demo book, both sides (the
portal process and the seeded database) derive everything from ``(invoices, buyers, seed, today)``
and share nothing at run time.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from config.settings import DatabaseSettings
from connectors.oracle.engine import create_engine
from connectors.oracle.store import Store
from jobs.invoice_pdf import InvoicePdf, InvoicePdfLine, render_invoice_pdf
from sandbox.catalog import Buyer, Catalog, PortalUser, PurchaseOrder, PurchaseOrderLine

FAMILY = "coupa"
ORG_ID = 204
SUPPLIER_NAME = "Bench Supply Co."
SUPPLIER_LOGIN = "ar@bench-supply.example"
PASSWORD_REF = "BENCH_COUPA_PASSWORD"
TOTP_REF = "BENCH_COUPA_TOTP"
CURRENCY = "USD"
TAX_RATE = Decimal("0.0725")
CENT = Decimal("0.01")
DEFAULT_BUYERS = 8
DEFAULT_SEED = 11
#: the reference measurement's invoice PDF (``browser-limits.md``): 48.7 KB
DEFAULT_PDF_KB = 48
FIRST_TRX_ID = 700001
FIRST_SCHEDULE_ID = 900001
FIRST_LINE_ID = 1_100_001
FIRST_PARTY_ID = 61001
FIRST_ACCOUNT_ID = 71001
FIRST_INVOICE_NUMBER = 300001
FIRST_PO_NUMBER = 500001
#: invoice dates spread over the last weeks (the portal refuses future dates)
DATE_SPREAD_DAYS = 45
INSERT_BATCH_ROWS = 500
PDF_PAD_LINE_BYTES = 64
SECRET_FILE_MODE = 0o600
SECRETS_DIR_MODE = 0o700

_ITEMS = (
    ("Nitrile exam gloves, box of 100", (650, 1450), (10, 20, 40)),
    ("Safety glasses, anti-fog", (480, 1290), (12, 24, 48)),
    ("Stretch wrap film 18in x 1500ft", (1800, 3200), (8, 16, 24)),
    ("Hydraulic hose assembly 1/2in", (4200, 9800), (2, 4, 6)),
    ("Preventive maintenance visit", (9500, 16500), (4, 8, 12)),
    ("LED high-bay fixture 150W", (11900, 24900), (4, 6, 12)),
)


@dataclass(frozen=True, kw_only=True, slots=True)
class BenchLine:
    description: str
    quantity: Decimal
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True, kw_only=True, slots=True)
class BenchBuyer:
    """One customer: an EBS account, a portal account, a buyer on the portal."""

    index: int
    code: str
    name: str
    party_id: int
    cust_account_id: int
    account_number: str


@dataclass(frozen=True, kw_only=True, slots=True)
class BenchInvoice:
    """One open invoice with its own OPEN purchase order (two lines, flipped as they are)."""

    index: int
    trx_number: str
    customer_trx_id: int
    payment_schedule_id: int
    buyer: BenchBuyer
    purchase_order: str
    invoice_date: dt.date
    lines: tuple[BenchLine, ...]
    tax: Decimal

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax

    def as_json(self) -> dict[str, Any]:
        """What the raw-Playwright flows need to upload it (money as strings)."""
        return {
            "trx_number": self.trx_number,
            "buyer_code": self.buyer.code,
            "buyer_name": self.buyer.name,
            "purchase_order": self.purchase_order,
            "invoice_date": self.invoice_date.isoformat(),
            "currency": CURRENCY,
            "lines": [[ln.description, str(ln.quantity), str(ln.unit_price)] for ln in self.lines],
            "tax": str(self.tax),
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class BenchBook:
    """Everything both sides need; build it with :func:`bench_book`."""

    today: dt.date
    seed: int
    buyers: tuple[BenchBuyer, ...]
    invoices: tuple[BenchInvoice, ...]
    password: str
    totp_secret: str

    @property
    def catalog(self) -> Catalog:
        """What the stand-in portal serves: one supplier user, the buyers, one PO per invoice."""
        return Catalog(
            users=(
                PortalUser(
                    family=FAMILY,
                    login_name=SUPPLIER_LOGIN,
                    password=self.password,
                    totp_secret=self.totp_secret,
                ),
            ),
            buyers=tuple(Buyer(family=FAMILY, name=b.name, code=b.code) for b in self.buyers),
            purchase_orders=tuple(_purchase_order(invoice) for invoice in self.invoices),
        )

    @property
    def secrets(self) -> dict[str, str]:
        return {PASSWORD_REF: self.password, TOTP_REF: self.totp_secret}


def bench_book(
    invoices: int,
    *,
    buyers: int = DEFAULT_BUYERS,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
) -> BenchBook:
    """The same arguments always give the same book; invoices go round-robin over the buyers."""
    if invoices < 1 or buyers < 1:
        raise ValueError(f"need at least one invoice and one buyer, got {invoices}, {buyers}")
    day = today or dt.date.today()
    rng = random.Random(seed)
    password = "Bn!" + "".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(17))
    totp_secret = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(32))
    people = tuple(
        BenchBuyer(
            index=i,
            code=f"BB{i + 1:03d}",
            name=f"Bench Buyer {i + 1:03d} Inc.",
            party_id=FIRST_PARTY_ID + i,
            cust_account_id=FIRST_ACCOUNT_ID + i,
            account_number=str(20001 + i),
        )
        for i in range(buyers)
    )
    book: list[BenchInvoice] = []
    for i in range(invoices):
        lines = tuple(_line(rng) for _ in range(2))
        subtotal = sum((line.amount for line in lines), Decimal("0"))
        book.append(
            BenchInvoice(
                index=i,
                trx_number=str(FIRST_INVOICE_NUMBER + i),
                customer_trx_id=FIRST_TRX_ID + i,
                payment_schedule_id=FIRST_SCHEDULE_ID + i,
                buyer=people[i % buyers],
                purchase_order=f"PO-{FIRST_PO_NUMBER + i}",
                invoice_date=day - dt.timedelta(days=i % DATE_SPREAD_DAYS),
                lines=lines,
                tax=(subtotal * TAX_RATE).quantize(CENT, ROUND_HALF_UP),
            )
        )
    return BenchBook(
        today=day,
        seed=seed,
        buyers=people,
        invoices=tuple(book),
        password=password,
        totp_secret=totp_secret,
    )


def invoice_pdf(book: BenchBook, invoice: BenchInvoice, *, size_kb: int = DEFAULT_PDF_KB) -> bytes:
    """The invoice as printed, padded with comment lines to about ``size_kb`` (like a scan)."""
    pdf = render_invoice_pdf(
        InvoicePdf(
            supplier_name=SUPPLIER_NAME,
            customer_name=invoice.buyer.name,
            account_number=invoice.buyer.account_number,
            invoice_number=invoice.trx_number,
            invoice_date=invoice.invoice_date,
            due_date=invoice.invoice_date + dt.timedelta(days=30),
            currency=CURRENCY,
            purchase_order=invoice.purchase_order,
            lines=tuple(
                InvoicePdfLine(
                    description=ln.description,
                    quantity=ln.quantity,
                    unit_price=ln.unit_price,
                    amount=ln.amount,
                )
                for ln in invoice.lines
            ),
            tax=invoice.tax,
            total=invoice.total,
        )
    )
    missing = size_kb * 1024 - len(pdf)
    if missing <= 0:
        return pdf
    # comments between the startxref offset and %%EOF move no byte offset: still a valid PDF
    rng = random.Random(f"{book.seed}:{invoice.trx_number}")
    lines = []
    for _ in range(missing // PDF_PAD_LINE_BYTES):
        lines.append(b"%" + rng.randbytes((PDF_PAD_LINE_BYTES - 2) // 2).hex().encode() + b"\n")
    head, eof, tail = pdf.rpartition(b"%%EOF")
    return head + b"".join(lines) + eof + tail


def write_secrets(book: BenchBook, secrets_dir: Path) -> None:
    """One file per SECRET_REF, owner-only, as the worker's secrets directory holds them."""
    secrets_dir.mkdir(mode=SECRETS_DIR_MODE, parents=True, exist_ok=True)
    for ref, value in book.secrets.items():
        path = secrets_dir / ref
        path.write_text(value, encoding="utf-8")
        path.chmod(SECRET_FILE_MODE)


def write_invoice_file(
    book: BenchBook, path: Path, *, portal_url: str, pdf_kb: int = DEFAULT_PDF_KB
) -> None:
    """The book as the raw-Playwright flows read it: login, invoices, one PDF file each."""
    pdf_dir = path.parent / "pdfs"
    pdf_dir.mkdir(parents=True, exist_ok=True)
    invoices = []
    for invoice in book.invoices:
        pdf_path = pdf_dir / f"{invoice.trx_number}.pdf"
        pdf_path.write_bytes(invoice_pdf(book, invoice, size_kb=pdf_kb))
        invoices.append(invoice.as_json() | {"pdf": str(pdf_path)})
    document = {
        "portal_url": f"{portal_url.rstrip('/')}/{FAMILY}",
        "login_name": SUPPLIER_LOGIN,
        "password": book.password,
        "totp_secret": book.totp_secret,
        "invoices": invoices,
    }
    path.write_text(json.dumps(document), encoding="utf-8")


def write_database(
    book: BenchBook,
    db_url: str,
    *,
    portal_url: str,
    pdf_kb: int = DEFAULT_PDF_KB,
    enqueue: bool = True,
) -> None:
    """Create the schema, load the book (EBS stand-ins, PDFs, portal accounts) in batches, and
    queue every invoice (what ``arworker nightly`` does first), so ``arworker submit`` uploads
    them and nothing else (the nightly run also polls the portal for statuses afterwards)."""
    engine = create_engine(DatabaseSettings(url=db_url))
    try:
        store = Store(engine, org_ids=[ORG_ID])
        store.create_schema(include_ebs_stand_ins=True)
        tables = store.md.tables
        with engine.begin() as conn:
            for name, rows in _rows(book, portal_url, pdf_kb):
                for start in range(0, len(rows), INSERT_BATCH_ROWS):
                    conn.execute(sa.insert(tables[name]), rows[start : start + INSERT_BATCH_ROWS])
        if enqueue:
            store.enqueue_open_invoices(run_id="bench-setup")
    finally:
        engine.dispose()


def _rows(
    book: BenchBook, portal_url: str, pdf_kb: int
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    stamp = dt.datetime.combine(book.today, dt.time(0, 0), tzinfo=dt.UTC)
    who = {
        "created_by": -1,
        "creation_date": stamp,
        "last_updated_by": -1,
        "last_update_date": stamp,
    }
    yield (
        "hz_parties",
        [
            {
                "party_id": b.party_id,
                "party_number": str(b.party_id),
                "party_name": b.name,
                "party_type": "ORGANIZATION",
                "status": "A",
                "country": "US",
            }
            for b in book.buyers
        ],
    )
    yield (
        "hz_cust_accounts",
        [
            {
                "cust_account_id": b.cust_account_id,
                "party_id": b.party_id,
                "account_number": b.account_number,
                "account_name": b.name,
                "status": "A",
                "orig_system_reference": f"BENCH-{b.code}",
            }
            for b in book.buyers
        ],
    )
    yield (
        "xx_arw_portal_accounts",
        [
            {
                "cust_account_id": b.cust_account_id,
                "portal_code": FAMILY,
                "portal_url": f"{portal_url.rstrip('/')}/{FAMILY}",
                "buyer_name": b.name,
                "supplier_portal_id": f"BENCH-{b.code}",
                "login_name": SUPPLIER_LOGIN,
                "secret_ref": PASSWORD_REF,
                "totp_secret_ref": TOTP_REF,
                "enabled_flag": True,
                "po_required_flag": True,
                "new_number_on_resubmit": False,
                "org_id": ORG_ID,
                **who,
            }
            for b in book.buyers
        ],
    )
    yield "ra_customer_trx_all", [_trx_row(invoice, who) for invoice in book.invoices]
    yield (
        "ra_customer_trx_lines_all",
        [row for invoice in book.invoices for row in _line_rows(invoice)],
    )
    yield "ar_payment_schedules_all", [_schedule_row(invoice) for invoice in book.invoices]
    lobs, documents, attached = [], [], []
    for invoice in book.invoices:
        file_id = document_id = invoice.customer_trx_id
        file_name = f"Invoice_{invoice.trx_number}.pdf"
        lobs.append(
            {
                "file_id": file_id,
                "file_name": file_name,
                "file_content_type": "application/pdf",
                "file_data": invoice_pdf(book, invoice, size_kb=pdf_kb),
                "upload_date": stamp,
                "program_name": "FNDATTCH",
                "language": "US",
                "file_format": "binary",
            }
        )
        documents.append(
            {
                "document_id": document_id,
                "datatype_id": 6,
                "category_id": 1,
                "security_type": 4,
                "publish_flag": True,
                "usage_type": "O",
                "media_id": file_id,
                "file_name": file_name,
                **who,
            }
        )
        attached.append(
            {
                "attached_document_id": document_id,
                "document_id": document_id,
                "entity_name": "RA_CUSTOMER_TRX",
                "pk1_value": str(invoice.customer_trx_id),
                "seq_num": 10,
                "automatically_added_flag": False,
                "category_id": 1,
                **who,
            }
        )
    yield "fnd_lobs", lobs
    yield "fnd_documents", documents
    yield "fnd_attached_documents", attached


def _trx_row(invoice: BenchInvoice, who: dict[str, Any]) -> dict[str, Any]:
    return {
        "customer_trx_id": invoice.customer_trx_id,
        "trx_number": invoice.trx_number,
        "trx_date": invoice.invoice_date,
        "cust_trx_type_id": 1,
        "bill_to_customer_id": invoice.buyer.cust_account_id,
        "term_due_date": invoice.invoice_date + dt.timedelta(days=30),
        "purchase_order": invoice.purchase_order,
        "invoice_currency_code": CURRENCY,
        "complete_flag": True,
        "status_trx": "OP",
        "org_id": ORG_ID,
        **who,
    }


def _line_rows(invoice: BenchInvoice) -> list[dict[str, Any]]:
    first = FIRST_LINE_ID + invoice.index * 3
    rows = [
        {
            "customer_trx_line_id": first + i,
            "customer_trx_id": invoice.customer_trx_id,
            "line_number": i + 1,
            "line_type": "LINE",
            "description": ln.description,
            "uom_code": "EA",
            "quantity_invoiced": ln.quantity,
            "unit_selling_price": ln.unit_price,
            "extended_amount": ln.amount,
            "org_id": ORG_ID,
        }
        for i, ln in enumerate(invoice.lines)
    ]
    rows.append(
        {
            "customer_trx_line_id": first + len(rows),
            "customer_trx_id": invoice.customer_trx_id,
            "line_number": len(rows) + 1,
            "line_type": "TAX",
            "description": "Sales tax",
            "uom_code": None,
            "quantity_invoiced": None,
            "unit_selling_price": None,
            "extended_amount": invoice.tax,
            "org_id": ORG_ID,
        }
    )
    return rows


def _schedule_row(invoice: BenchInvoice) -> dict[str, Any]:
    return {
        "payment_schedule_id": invoice.payment_schedule_id,
        "customer_trx_id": invoice.customer_trx_id,
        "customer_id": invoice.buyer.cust_account_id,
        "trx_number": invoice.trx_number,
        "trx_date": invoice.invoice_date,
        "due_date": invoice.invoice_date + dt.timedelta(days=30),
        "amount_due_original": invoice.total,
        "amount_due_remaining": invoice.total,
        "amount_line_items_original": invoice.subtotal,
        "tax_original": invoice.tax,
        "invoice_currency_code": CURRENCY,
        "status": "OP",
        "class": "INV",
        "terms_sequence_number": 1,
        "org_id": ORG_ID,
    }


def _line(rng: random.Random) -> BenchLine:
    description, (low, high), quantities = rng.choice(_ITEMS)
    return BenchLine(
        description=description,
        quantity=Decimal(rng.choice(quantities)),
        unit_price=Decimal(rng.randint(low, high)).scaleb(-2),
    )


def _purchase_order(invoice: BenchInvoice) -> PurchaseOrder:
    amount = ((invoice.total * Decimal("1.1")) / 100).to_integral_value(ROUND_CEILING) * 100
    return PurchaseOrder(
        family=FAMILY,
        number=invoice.purchase_order,
        buyer_code=invoice.buyer.code,
        currency=CURRENCY,
        amount=amount.quantize(CENT),
        lines=tuple(
            PurchaseOrderLine(
                line_number=i,
                description=ln.description,
                quantity=ln.quantity,
                unit_price=ln.unit_price,
            )
            for i, ln in enumerate(invoice.lines, start=1)
        ),
    )
