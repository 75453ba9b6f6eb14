"""Engine creation for the three databases the worker runs on.

One function turns the configured URL into a pooled SQLAlchemy engine with each backend's
must-haves: SQLite in WAL mode with a busy timeout (several worker processes share the embedded
file), PostgreSQL with pre-ping, Oracle with credentials in ``connect_args`` (never in the URL),
a per-call timeout, the session's program/module/action for DBAs, and a large fetch array for
the open-AR read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url

from config.settings import DatabaseSettings

SQLITE_BUSY_TIMEOUT_S = 30
PROGRAM_NAME = "arworker"
#: execution option marking a connection that only reads (SQLite then takes no write lock)
READ_ONLY_OPTION = "arworker_read_only"
ORACLE_MODULE = "arworker"


def redacted_url(settings: DatabaseSettings) -> str:
    """The URL as it may appear in logs: never with a password."""
    return make_url(settings.url).render_as_string(hide_password=True)


def create_engine(settings: DatabaseSettings, *, application_name: str = PROGRAM_NAME) -> Engine:
    """Build the engine for ``settings.url``; the caller disposes it."""
    url = make_url(settings.url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url)
    if backend == "postgresql":
        return _postgresql_engine(url, settings, application_name)
    if backend == "oracle":
        return _oracle_engine(url, settings, application_name)
    raise ValueError(f"unsupported database backend {backend!r}")


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}, pool_pre_ping=False
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own BEGIN handling defers locks; take the write lock at BEGIN instead,
        # so two processes claiming the same row serialise rather than deadlock
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        read_only = conn.get_execution_options().get(READ_ONLY_OPTION, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _postgresql_engine(url: URL, settings: DatabaseSettings, application_name: str) -> Engine:
    connect_args: dict[str, Any] = {
        "application_name": application_name,
        "connect_timeout": 10,
    }
    if settings.user:
        url = url.set(username=settings.user)
    if settings.password is not None:
        connect_args["password"] = settings.password.get_secret_value()
    return sa.create_engine(
        url,
        connect_args=connect_args,
        pool_size=settings.pool_size,
        max_overflow=2,
        pool_pre_ping=True,
    )


def _oracle_engine(url: URL, settings: DatabaseSettings, application_name: str) -> Engine:
    import oracledb

    if settings.thick_mode:
        lib_dir = str(settings.instant_client_dir) if settings.instant_client_dir else None
        oracledb.init_oracle_client(lib_dir=lib_dir)
    oracledb.defaults.program = application_name
    connect_args: dict[str, Any] = {}
    if settings.user or url.username:
        connect_args["user"] = settings.user or url.username
    if settings.password is not None:
        connect_args["password"] = settings.password.get_secret_value()
    if settings.tns_admin is not None:
        connect_args["config_dir"] = str(settings.tns_admin)
    elif os.environ.get("TNS_ADMIN"):
        connect_args["config_dir"] = os.environ["TNS_ADMIN"]
    if settings.wallet_location is not None:
        connect_args["wallet_location"] = str(settings.wallet_location)
        if settings.wallet_password is not None:
            connect_args["wallet_password"] = settings.wallet_password.get_secret_value()
    engine = sa.create_engine(
        url.set(username=None, password=None),
        connect_args=connect_args,
        thick_mode=settings.thick_mode or None,
        arraysize=settings.arraysize,
        pool_size=settings.pool_size,
        max_overflow=2,
        pool_pre_ping=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.call_timeout = settings.call_timeout_ms
        dbapi_conn.module = ORACLE_MODULE
        dbapi_conn.action = "worker"

    return engine
