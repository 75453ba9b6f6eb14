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
from pydantic import SecretStr
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url

from config.settings import DatabaseSettings

PROGRAM_NAME = "arworker"
#: execution option marking a connection that only reads (SQLite then takes no write lock)
READ_ONLY_OPTION = "arworker_read_only"
ORACLE_MODULE = "arworker"
#: V$SESSION.ACTION of the worker's connections
ORACLE_ACTION = "worker"
#: give up opening a TCP connection to the listener after this long (thin mode)
ORACLE_CONNECT_TIMEOUT_S = 10
#: probe idle connections this often so firewalls do not silently drop them (thin mode)
ORACLE_KEEPALIVE_MIN = 2


def redacted_url(settings: DatabaseSettings) -> str:
    """The URL as it may appear in logs: never with a password."""
    return make_url(settings.url).render_as_string(hide_password=True)


def create_engine(settings: DatabaseSettings, *, application_name: str = PROGRAM_NAME) -> Engine:
    """Build the engine for ``settings.url``; the caller disposes it."""
    url = make_url(settings.url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        # the embedded file is "unreachable" when another process holds its write lock this long
        return _sqlite_engine(url, settings.call_timeout_ms / 1000)
    if backend == "postgresql":
        return _postgresql_engine(url, settings, application_name)
    if backend == "oracle":
        return _oracle_engine(url, settings, application_name)
    raise ValueError(f"unsupported database backend {backend!r}")


def _sqlite_engine(url: URL, busy_timeout_s: float) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": busy_timeout_s}, pool_pre_ping=False)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own BEGIN handling defers locks; take the write lock at BEGIN instead,
        # so two processes claiming the same row serialise rather than deadlock
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
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
        # no server-side prepared statements: psycopg prepares a query after five runs and the
        # server may then keep a generic plan made while XX_ARW_SUBMISSIONS was still empty
        # (sequential scans) for the connection's life. The nightly enqueue of 50,000 invoices
        # took 20.0 s with them, 5.8 s without (benchmarks/ar_read.py). Also what PgBouncer's
        # transaction pooling requires.
        "prepare_threshold": None,
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

    oracledb.defaults.program = application_name  # V$SESSION.PROGRAM, sent at connect
    thick = oracle_thick_mode_options(settings)
    engine = sa.create_engine(
        url._replace(username=None, password=None),  # credentials only in connect_args
        connect_args=oracle_connect_args(url, settings),
        thick_mode=thick,  # SQLAlchemy calls init_oracle_client(**thick) once, before connecting
        arraysize=settings.arraysize,
        pool_size=settings.pool_size,
        max_overflow=2,
        pool_pre_ping=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.call_timeout = settings.call_timeout_ms
        dbapi_conn.module = ORACLE_MODULE
        dbapi_conn.action = ORACLE_ACTION

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(
        _conn: Any, cursor: Any, _sql: str, _params: Any, context: Any, _many: bool
    ) -> None:
        # a streamed read (the open-AR query runs with yield_per) gets its first batch with the
        # execute round trip; short queries keep the driver's small prefetch
        if context is not None and context.execution_options.get("yield_per"):
            cursor.prefetchrows = settings.arraysize

    return engine


def oracle_thick_mode_options(settings: DatabaseSettings) -> dict[str, str] | None:
    """``init_oracle_client`` arguments for thick mode, or None for thin mode (the default).

    Thick mode (Oracle Instant Client) is what EBS databases with native network encryption
    (DPY-3001), old password verifiers (DPY-3015) or release 11.2 need. It reads tnsnames.ora and
    sqlnet.ora (wallets) from ``config_dir``, given here rather than per connection.
    """
    if not settings.thick_mode:
        return None
    options: dict[str, str] = {}
    if settings.instant_client_dir is not None:
        options["lib_dir"] = str(settings.instant_client_dir)
    config_dir = _tns_admin(settings)
    if config_dir is not None:
        options["config_dir"] = config_dir
    return options


def oracle_connect_args(url: URL, settings: DatabaseSettings) -> dict[str, Any]:
    """Driver connect arguments: credentials, TNS_ADMIN, wallet; never part of the URL or logs."""
    connect_args: dict[str, Any] = {}
    user = settings.user or url.username
    if user:
        connect_args["user"] = user
    password = settings.password or (SecretStr(url.password) if url.password else None)
    if password is not None:
        connect_args["password"] = password.get_secret_value()
    if not settings.thick_mode:  # thick mode takes these from init_oracle_client / sqlnet.ora
        config_dir = _tns_admin(settings)
        if config_dir is not None:
            connect_args["config_dir"] = config_dir
        if settings.wallet_location is not None:
            connect_args["wallet_location"] = str(settings.wallet_location)
            if settings.wallet_password is not None:
                connect_args["wallet_password"] = settings.wallet_password.get_secret_value()
        connect_args["tcp_connect_timeout"] = ORACLE_CONNECT_TIMEOUT_S
        connect_args["expire_time"] = ORACLE_KEEPALIVE_MIN
    return connect_args


def _tns_admin(settings: DatabaseSettings) -> str | None:
    """Where tnsnames.ora / sqlnet.ora live: the setting, else $TNS_ADMIN."""
    if settings.tns_admin is not None:
        return str(settings.tns_admin)
    return os.environ.get("TNS_ADMIN") or None
