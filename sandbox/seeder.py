"""Load the demo book into a database: the EBS stand-in tables and the worker's portal accounts.

``arworker demo`` and the tests start from an empty schema and need a realistic receivables book
and the ``XX_ARW_PORTAL_ACCOUNTS`` rows that point at the stand-in portals. Everything goes in as
one transaction of bulk inserts, so a half-seeded database never exists, and the same code runs on
SQLite, PostgreSQL and Oracle (explicit EBS ids, Decimal money, ``date`` for EBS dates, aware UTC
timestamps, no ``''``). The portal process builds the matching catalog with
:func:`portal_catalog`, without a database.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from connectors.oracle.tables import build_metadata, utcnow
from sandbox.book import (
    OPERATING_UNIT_ID,
    SUPPLIER_LOGIN,
    DemoBook,
    demo_book,
    password_ref,
)
from sandbox.catalog import Catalog

SECRET_FILE_MODE = 0o600
SECRETS_DIR_MODE = 0o700
PORTAL_ACCOUNTS_TABLE = "xx_arw_portal_accounts"
_ALREADY_SEEDED = (
    "HZ_CUST_ACCOUNTS already has rows; the demo book is only seeded into an empty schema "
    "(check is_seeded() first, or use a fresh database)"
)


class AlreadySeeded(RuntimeError):
    """The database already holds customer accounts; the demo book only goes into an empty one."""


@dataclass(frozen=True, kw_only=True, slots=True)
class SeedReport:
    """What :func:`seed_demo_book` inserted."""

    counts: dict[str, int]  #: rows per table, EBS stand-ins and XX_ARW_PORTAL_ACCOUNTS
    eligible_invoices: int  #: open invoices the worker should submit
    expected_rejections: int  #: of those, how many a portal must refuse
    documents: int  #: invoice PDFs attached in FND_LOBS
    secret_files: tuple[Path, ...]
    duration_s: float

    def __str__(self) -> str:
        return (
            f"{self.counts.get('hz_cust_accounts', 0)} customer accounts, "
            f"{self.counts.get('ra_customer_trx_all', 0)} transactions, "
            f"{self.eligible_invoices} open invoices to submit "
            f"({self.expected_rejections} the portals will refuse), "
            f"{self.documents} PDFs, {self.counts.get(PORTAL_ACCOUNTS_TABLE, 0)} portal accounts "
            f"in {self.duration_s:.2f} s"
        )


def is_seeded(engine: sa.Engine, *, schema: str | None = None) -> bool:
    """True when HZ_CUST_ACCOUNTS already has rows (a book, demo or real, is there)."""
    accounts = build_metadata(schema).tables[_name("hz_cust_accounts", schema)]
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(accounts)).scalar_one()
    return bool(count)


def seed_demo_book(
    engine: sa.Engine,
    *,
    portal_base_url: str,
    today: dt.date,
    seed: int = 7,
    families: Sequence[str] = ("coupa",),
    secrets_dir: Path | None = None,
    schema: str | None = None,
) -> SeedReport:
    """Insert the demo book and its portal accounts in one transaction; write its secrets.

    Raises :class:`AlreadySeeded` when HZ_CUST_ACCOUNTS is not empty (check :func:`is_seeded`
    first). Each secret goes to ``secrets_dir/<SECRET_REF>`` (mode 0600) once the rows are in.
    """
    started = time.perf_counter()
    if is_seeded(engine, schema=schema):  # fail before rendering a book that cannot go in
        raise AlreadySeeded(_ALREADY_SEEDED)
    book = demo_book(today=today, seed=seed, families=families)
    md = build_metadata(schema)
    accounts = md.tables[_name("hz_cust_accounts", schema)]
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        existing = conn.execute(sa.select(sa.func.count()).select_from(accounts)).scalar_one()
        if existing:
            raise AlreadySeeded(_ALREADY_SEEDED)
        tables = {**book.rows, PORTAL_ACCOUNTS_TABLE: book.portal_accounts(portal_base_url)}
        for name, rows in tables.items():
            if rows:
                conn.execute(sa.insert(md.tables[_name(name, schema)]), rows)
            counts[name] = len(rows)
    written = _write_secrets(book, secrets_dir) if secrets_dir is not None else ()
    return SeedReport(
        counts=counts,
        eligible_invoices=book.eligible_invoice_count,
        expected_rejections=len(book.expected_rejections),
        documents=counts["fnd_lobs"],
        secret_files=written,
        duration_s=time.perf_counter() - started,
    )


def portal_catalog(
    *, today: dt.date, seed: int = 7, families: Sequence[str] = ("coupa",)
) -> Catalog:
    """The stand-in portals' catalog for the book :func:`seed_demo_book` loads with the same
    arguments: a portal started in another process agrees with the seeded database."""
    return demo_book(today=today, seed=seed, families=families, with_documents=False).catalog


def update_purchase_order(
    engine: sa.Engine, trx_number: str, po: str | None, *, schema: str | None = None
) -> None:
    """Set (or, with None, clear) the PO of invoice ``trx_number`` of ORG 204, as a collector
    fixing a rejected invoice in EBS would. Raises LookupError when there is no such invoice."""
    trx = build_metadata(schema).tables[_name("ra_customer_trx_all", schema)]
    statement = (
        sa.update(trx)
        .where(trx.c.trx_number == trx_number, trx.c.org_id == OPERATING_UNIT_ID)
        .values(purchase_order=po or None, last_update_date=utcnow())
    )
    with engine.begin() as conn:
        if conn.execute(statement).rowcount == 0:
            raise LookupError(
                f"no transaction {trx_number!r} in operating unit {OPERATING_UNIT_ID}"
            )


def repoint_portal_accounts(
    engine: sa.Engine, portal_base_url: str, *, schema: str | None = None
) -> int:
    """Point the demo's portal accounts at portals now served under ``portal_base_url``
    (the demo picks a free port each run); returns how many rows changed. Accounts that are not
    the demo's (another login or secret) are left alone."""
    base = portal_base_url.rstrip("/")
    accounts = build_metadata(schema).tables[_name(PORTAL_ACCOUNTS_TABLE, schema)]
    changed = 0
    with engine.begin() as conn:
        rows = conn.execute(
            sa.select(
                accounts.c.portal_account_id,
                accounts.c.portal_code,
                accounts.c.portal_url,
                accounts.c.secret_ref,
            ).where(accounts.c.login_name == SUPPLIER_LOGIN)
        ).all()
        for account_id, family, url, secret_ref in rows:
            wanted = f"{base}/{family}"
            if secret_ref != password_ref(family) or url == wanted:
                continue
            conn.execute(
                sa.update(accounts)
                .where(accounts.c.portal_account_id == account_id)
                .values(portal_url=wanted, last_update_date=utcnow())
            )
            changed += 1
    return changed


def enable_demo_accounts(engine: sa.Engine, first: int | None, *, schema: str | None = None) -> int:
    """Enable the demo's first ``first`` customers' portal accounts (all when ``None``) and
    disable the others; returns how many are enabled. A short demo (``arworker demo
    --customers 3``: one customer per portal family) keeps the whole book in the database, and the
    next demo without the option enables everything again. Accounts that are not the demo's are
    left alone."""
    accounts = build_metadata(schema).tables[_name(PORTAL_ACCOUNTS_TABLE, schema)]
    with engine.begin() as conn:
        ids = (
            conn.execute(
                sa.select(accounts.c.portal_account_id)
                .where(accounts.c.login_name == SUPPLIER_LOGIN)
                .order_by(accounts.c.cust_account_id, accounts.c.portal_account_id)
            )
            .scalars()
            .all()
        )
        kept = ids if first is None else ids[:first]
        for enabled, chosen in ((True, kept), (False, ids[len(kept) :])):
            if chosen:
                conn.execute(
                    sa.update(accounts)
                    .where(accounts.c.portal_account_id.in_(chosen))
                    .values(enabled_flag=enabled, last_update_date=utcnow())
                )
    return len(kept)


def _name(table: str, schema: str | None) -> str:
    """Key of ``table`` in a MetaData built for ``schema``."""
    return f"{schema}.{table}" if schema else table


def _write_secrets(book: DemoBook, secrets_dir: Path) -> tuple[Path, ...]:
    """Each secret in its own file, readable by the owner only (never briefly world-readable)."""
    secrets_dir.mkdir(mode=SECRETS_DIR_MODE, parents=True, exist_ok=True)
    written = []
    for ref, value in sorted(book.secrets.items()):
        path = secrets_dir / ref
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, SECRET_FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), SECRET_FILE_MODE)  # an existing file keeps its mode
            handle.write(value)
        written.append(path)
    return tuple(written)
