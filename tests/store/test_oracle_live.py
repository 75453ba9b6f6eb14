"""Oracle for real: the DBA scripts apply, the least-privilege grants suffice, api notes work.

These run only where an Oracle server is reachable (``ARWORKER_TEST_ORACLE_DSN``, or Docker for
``gvenzl/oracle-free:23-slim-faststart``) and are skipped with that reason elsewhere. Each test
works in schemas created for it and dropped after (the DSN's user must be able to create users,
as SYSTEM in the container can).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from connectors.oracle.ddl import ddl_statements, render_ddl
from connectors.oracle.engine import create_engine
from connectors.oracle.notes import NoteSettings, read_notes
from connectors.oracle.notes_api import NoteApiError, write_note_via_api
from connectors.oracle.records import CollectionNote
from connectors.oracle.store import Store
from connectors.oracle.tables import build_metadata
from tests.support.oracle_backend import (
    fresh_schema,
    oracle_admin_url_or_skip,
    oracle_settings,
    run_script,
)
from tools.oracle_rules.sql_script import read_schema

pytestmark = pytest.mark.external_service

DDL_DIR = Path(__file__).resolve().parents[2] / "connectors" / "oracle" / "ddl"
ACCOUNT_ID = 1001
PARTY_ID = 2001
SCHEDULE_ID = 3001
USER_ID = 1318


def _script(name: str) -> str:
    return (DDL_DIR / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def admin_url() -> URL:
    return oracle_admin_url_or_skip()


@pytest.fixture
def schema_url(admin_url: URL) -> Iterator[URL]:
    with fresh_schema(admin_url) as url:
        if url == admin_url:
            pytest.skip("these tests need a DSN user that may create users (e.g. SYSTEM)")
        yield url


@pytest.fixture
def engine(schema_url: URL) -> Iterator[sa.Engine]:
    """The production engine on an empty schema; disposed before the schema is dropped."""
    eng = create_engine(oracle_settings(schema_url))
    yield eng
    eng.dispose()


def _dictionary_columns(conn: sa.Connection) -> dict[str, dict[str, tuple[str, bool]]]:
    """USER_TAB_COLUMNS as {table: {column: (type as DDL would write it, nullable)}}."""
    rows = conn.exec_driver_sql(
        "SELECT table_name, column_name, data_type, data_precision, data_scale, char_length,"
        " char_used, nullable FROM user_tab_columns ORDER BY table_name, column_id"
    ).all()
    tables: dict[str, dict[str, tuple[str, bool]]] = {}
    for table, column, data_type, precision, scale, length, char_used, nullable in rows:
        if data_type == "NUMBER" and precision is None and scale == 0:
            type_text = "INTEGER"
        elif data_type == "NUMBER":
            type_text = f"NUMBER({precision})" if not scale else f"NUMBER({precision},{scale})"
        elif data_type == "VARCHAR2":
            type_text = f"VARCHAR2({length} CHAR)" if char_used == "C" else f"VARCHAR2({length})"
        else:
            type_text = data_type.replace("TIMESTAMP(6)", "TIMESTAMP")
        tables.setdefault(table, {})[column] = (type_text, nullable == "Y")
    return tables


def _code_columns(include_ebs: bool) -> dict[str, dict[str, tuple[str, bool]]]:
    schema = read_schema(render_ddl("oracle", include_ebs=include_ebs))
    return {
        name: {c.name: (c.type, c.nullable) for c in table.columns.values()}
        for name, table in schema.tables.items()
    }


def test_install_sql_applies_on_oracle_and_matches_the_code(engine: sa.Engine) -> None:
    """install.sql runs clean, creates the tables the code declares, and uninstall.sql undoes it."""
    with engine.connect() as conn:
        run_script(conn, _script("install.sql"))
        assert _dictionary_columns(conn) == _code_columns(include_ebs=False)
        run_script(conn, _script("uninstall.sql"))
        left = conn.exec_driver_sql(
            "SELECT object_name FROM user_objects WHERE object_name LIKE 'XX\\_ARW\\_%' ESCAPE '\\'"
        ).all()
    assert left == []


def test_code_ddl_applies_on_oracle(engine: sa.Engine) -> None:
    """Every statement `arworker db ddl --dialect oracle` prints executes on Oracle as printed."""
    with engine.connect() as conn:
        for statement in ddl_statements("oracle", include_ebs=True):
            conn.exec_driver_sql(statement)
        assert _dictionary_columns(conn) == _code_columns(include_ebs=True)


def test_xe_seed_then_install_build_the_whole_schema(engine: sa.Engine) -> None:
    """xe_seed.sql + install.sql give the stand-ins and worker tables the code declares."""
    with engine.connect() as conn:
        run_script(conn, _script("xe_seed.sql"))
        run_script(conn, _script("install.sql"))
        assert _dictionary_columns(conn) == _code_columns(include_ebs=True)


def test_api_note_is_written_with_its_contexts(engine: sa.Engine) -> None:
    """JTF_NOTES_PUB.CREATE_NOTE (the stand-in) writes the note, its detail and three contexts."""
    with engine.connect() as conn:
        run_script(conn, _script("xe_seed.sql"))
    detail = "line of detail\n" * 400  # > 4000 bytes: a PL/SQL VARCHAR2 into the CLOB
    with engine.begin() as conn:
        note_id = write_note_via_api(
            conn,
            source_object_id=ACCOUNT_ID,
            notes="Invoice INV-1 submitted to Coupa (document CP-1).",
            notes_detail=detail,
            entered_by=USER_ID,
            note_type=None,
            contexts=[("PARTY", PARTY_ID), ("IEX_INVOICES", SCHEDULE_ID), ("PARTY", PARTY_ID)],
        )
    with engine.connect() as conn:
        (note,) = read_notes(conn, build_metadata(), ACCOUNT_ID)
    assert note.jtf_note_id == note_id
    assert note.text == "Invoice INV-1 submitted to Coupa (document CP-1)."
    assert note.detail == detail
    assert sorted(note.contexts) == [
        ("IEX_ACCOUNT", ACCOUNT_ID),
        ("IEX_INVOICES", SCHEDULE_ID),
        ("PARTY", PARTY_ID),
    ]


def test_api_note_failure_raises_with_the_fnd_messages(engine: sa.Engine) -> None:
    """A status other than 'S' raises NoteApiError carrying fnd_msg_pub's text; nothing stays."""
    with engine.connect() as conn:
        run_script(conn, _script("xe_seed.sql"))
    with pytest.raises(NoteApiError) as caught, engine.begin() as conn:
        write_note_via_api(
            conn,
            source_object_id=ACCOUNT_ID,
            notes="never written",
            notes_detail=None,
            entered_by=USER_ID,
            note_type=None,
            contexts=[("NOT_A_JTF_OBJECT", 1)],
        )
    assert caught.value.return_status == "E"
    assert any("NOT_A_JTF_OBJECT" in m for m in caught.value.messages)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM jtf_notes_b").scalar_one() == 0


def test_api_note_rolls_back_with_the_callers_transaction(engine: sa.Engine) -> None:
    """p_commit is 'F': the note goes or stays with the caller's unit of work."""
    with engine.connect() as conn:
        run_script(conn, _script("xe_seed.sql"))
        with conn.begin() as tx:
            write_note_via_api(
                conn,
                source_object_id=ACCOUNT_ID,
                notes="rolled back",
                notes_detail=None,
                entered_by=USER_ID,
                note_type=None,
                contexts=[],
            )
            tx.rollback()
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM jtf_notes_b").scalar_one() == 0


def test_grants_sql_is_enough_for_the_worker(admin_url: URL, schema_url: URL) -> None:
    """A worker login with only grants.sql's privileges runs the store's reads, notes, job runs."""
    owner = schema_url.username or ""
    owner_engine = create_engine(oracle_settings(schema_url))
    try:
        with owner_engine.connect() as conn:
            run_script(conn, _script("xe_seed.sql"))
            run_script(conn, _script("install.sql"))
    finally:
        owner_engine.dispose()
    with fresh_schema(admin_url) as worker_url:
        defines = {
            "worker_user": worker_url.username or "",
            "arw_owner": owner,
            "ar_schema": owner,
            "iex_schema": owner,
            "fnd_schema": owner,
            "jtf_schema": owner,
            "apps_schema": owner,
        }
        admin = sa.create_engine(admin_url, poolclass=sa.NullPool)
        try:
            with admin.connect() as conn:
                run_script(conn, _script("grants.sql"), defines)
        finally:
            admin.dispose()
        worker = create_engine(oracle_settings(worker_url))
        try:
            store = Store(worker, org_ids=[204], notes=NoteSettings(mode="api", entered_by=USER_ID))
            assert store.portal_accounts() == []
            assert list(store.open_invoices()) == []
            note_id = store.write_account_note(
                CollectionNote(
                    cust_account_id=ACCOUNT_ID,
                    party_id=PARTY_ID,
                    payment_schedule_id=SCHEDULE_ID,
                    text="Resync done: nothing to submit.",
                )
            )
            assert [n.jtf_note_id for n in store.notes_for_account(ACCOUNT_ID)] == [note_id]
            scheduled = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)
            assert store.start_job_run(
                run_id="r1", job_name="nightly", scheduled_for=scheduled, worker_name="w1"
            )
            # the unique index on (job name, scheduled time) holds on Oracle too
            assert not store.start_job_run(
                run_id="r2", job_name="nightly", scheduled_for=scheduled, worker_name="w2"
            )
        finally:
            worker.dispose()
