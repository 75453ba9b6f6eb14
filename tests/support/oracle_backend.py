"""Oracle for the tests: a real server where one is reachable, a skip with the reason elsewhere.

Where ``ARWORKER_TEST_ORACLE_DSN`` is set (CI's service container, a developer's database) the
tests use it; where a Docker engine answers they start ``gvenzl/oracle-free:23-slim-faststart``
once per session (testcontainers); anywhere else every Oracle test is skipped and says why. Each
test run gets a fresh schema (an Oracle user created for it and dropped after, since DDL commits
and the server outlives the run), and its engine comes from the production
``connectors.oracle.engine.create_engine``, so the tests exercise the worker's real Oracle path:
credentials in ``connect_args``, call timeout, module/action, arraysize.

The DSN is a SQLAlchemy URL (``oracle+oracledb://system:pw@127.0.0.1:1521/?service_name=FREEPDB1``)
or the python-oracledb form ``system/pw@127.0.0.1:1521/FREEPDB1``. A user allowed to create users
(SYSTEM in the container) gets a fresh schema per run; any other user's own schema is used, and
the tables the run created are dropped at the end.
"""

from __future__ import annotations

import atexit
import gc
import os
import re
import secrets
import socket
import uuid
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from sqlalchemy.engine import URL, make_url

from config.settings import DatabaseSettings
from connectors.oracle.engine import create_engine
from connectors.oracle.tables import build_metadata
from tools.oracle_rules.sql_script import split_statements, substitute

DSN_ENV = "ARWORKER_TEST_ORACLE_DSN"
ORACLE_IMAGE = "gvenzl/oracle-free:23-slim-faststart"
#: a faststart image is ready in 20-60 s once pulled; allow a slow CI runner more
ORACLE_START_TIMEOUT_S = 300
DOCKER_PING_TIMEOUT_S = 5
DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"
#: the container's SYS/SYSTEM password: a throwaway database bound to this machine only
CONTAINER_ADMIN_PASSWORD = "ArwTest_" + secrets.token_hex(6)
TEST_USER_PREFIX = "ARW_T_"
_DSN_PATTERN = re.compile(
    r"^(?P<user>[^/@\s]+)/(?P<password>[^@\s]+)@(?P<host>[^:/\s]+)(?::(?P<port>\d+))?/(?P<service>\S+)$"
)

_admin_url: URL | None = None
_skip_reason: str | None = None


def oracle_url_or_skip(dsn: str | None = None) -> str:
    """An ``oracle+oracledb://`` URL with administrator credentials, or skip the calling test.

    ``dsn`` overrides the environment (the root conftest reads it before scrubbing
    ``ARWORKER_*``). The answer is decided once per session: a container is started at most once.
    """
    return oracle_admin_url_or_skip(dsn).render_as_string(hide_password=False)


def oracle_admin_url_or_skip(dsn: str | None = None) -> URL:
    """Like :func:`oracle_url_or_skip`, as a SQLAlchemy ``URL``."""
    global _admin_url, _skip_reason
    if _admin_url is None and _skip_reason is None:
        configured = dsn or _environment_dsn()
        if configured:
            _admin_url = parse_dsn(configured)
        else:
            docker_problem = docker_unavailable_reason()
            if docker_problem is None:
                _admin_url, _skip_reason = _start_container()
            else:
                _skip_reason = (
                    f"Oracle tests skipped: no {DSN_ENV} and no Docker engine "
                    f"(docker: {docker_problem})"
                )
    if _admin_url is None:
        pytest.skip(_skip_reason or "Oracle tests skipped")
    return _admin_url


def parse_dsn(dsn: str) -> URL:
    """A SQLAlchemy URL from either DSN form; ``ValueError`` naming both forms otherwise."""
    if "://" in dsn:
        url = make_url(dsn)
        if url.get_backend_name() != "oracle":
            raise ValueError(f"{DSN_ENV} must be an oracle+oracledb:// URL, got {url.drivername}")
        return url.set(drivername="oracle+oracledb")
    match = _DSN_PATTERN.match(dsn.strip())
    if match is None:
        raise ValueError(
            f"{DSN_ENV} is neither oracle+oracledb://user:pw@host:port/?service_name=SVC "
            "nor user/pw@host:port/SVC"
        )
    return URL.create(
        "oracle+oracledb",
        username=match["user"],
        password=match["password"],
        host=match["host"],
        port=int(match["port"] or 1521),
        query={"service_name": match["service"]},
    )


def docker_unavailable_reason() -> str | None:
    """None when a Docker engine answers ``GET /_ping``; otherwise what went wrong, in one line.

    A raw socket rather than the Docker SDK: the SDK leaves its socket open when the engine is
    missing, and an unclosed socket is an error under ``filterwarnings = error``.
    """
    host = os.environ.get("DOCKER_HOST") or DEFAULT_DOCKER_HOST
    try:
        if host.startswith("unix://"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(DOCKER_PING_TIMEOUT_S)
                sock.connect(host.removeprefix("unix://"))
                answer = _ping(sock)
        elif host.startswith("tcp://"):
            address, _, port = host.removeprefix("tcp://").rstrip("/").rpartition(":")
            with socket.create_connection((address, int(port)), DOCKER_PING_TIMEOUT_S) as sock:
                answer = _ping(sock)
        else:
            return None  # ssh:// and others: let testcontainers try, and report its failure
    except OSError as exc:
        return f"cannot reach {host}: {exc}"
    if b" 200 " not in answer.split(b"\r\n", 1)[0]:
        return f"{host} answered {answer.splitlines()[0][:100]!r} to GET /_ping"
    return None


def _ping(sock: socket.socket) -> bytes:
    sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
    return sock.recv(1024)


def oracle_settings(url: URL, **overrides: Any) -> DatabaseSettings:
    """Worker settings for ``url`` the way production takes them: password kept out of the URL."""
    return DatabaseSettings(
        url=url._replace(username=None, password=None).render_as_string(hide_password=False),
        user=url.username,
        password=SecretStr(url.password) if url.password else None,
        **overrides,
    )


@contextmanager
def fresh_schema(admin_url: URL) -> Iterator[URL]:
    """A URL for an Oracle user created for the caller and dropped (with its objects) after.

    Without the privilege to create users, yields ``admin_url`` itself: the caller then drops
    what it created (see :func:`oracle_engine_or_skip`).
    """
    admin = sa.create_engine(admin_url, poolclass=sa.NullPool)
    try:
        with admin.begin() as conn:
            user = _create_user(conn) if _can_create_users(conn) else None
        if user is None:
            yield admin_url
            return
        name, password = user
        try:
            yield admin_url.set(username=name, password=password)
        finally:
            with admin.begin() as conn:
                conn.exec_driver_sql(f"DROP USER {name} CASCADE")
    finally:
        admin.dispose()


def oracle_engine_or_skip(dsn: str | None = None) -> Iterator[sa.Engine]:
    """Yield a production engine on a fresh schema holding every table of ``build_metadata()``.

    For a session-scoped fixture: ``yield from oracle_engine_or_skip(dsn)``. The engine is
    disposed and the schema dropped afterwards.
    """
    admin_url = oracle_admin_url_or_skip(dsn)
    with fresh_schema(admin_url) as url:
        engine = create_engine(oracle_settings(url))
        md = build_metadata()
        shared_schema = url == admin_url
        md.create_all(engine)
        try:
            yield engine
        finally:
            if shared_schema:
                md.drop_all(engine)
            engine.dispose()


def run_script(conn: sa.Connection, script: str, defines: Mapping[str, str] | None = None) -> int:
    """Run a SQL*Plus script statement by statement, as SQL*Plus would; the count run.

    SQL*Plus commands are skipped, ``&`` variables come from ``defines``, and a PL/SQL unit
    that compiles with errors fails the call with USER_ERRORS' text (the driver only warns).
    """
    text = substitute(script, defines) if defines else script
    statements = split_statements(text)
    for statement in statements:
        conn.exec_driver_sql(statement.sql)
    errors = conn.exec_driver_sql(
        "SELECT name, type, line, position, text FROM user_errors ORDER BY name, type, sequence"
    ).all()
    if errors:
        raise AssertionError(
            "PL/SQL compiled with errors:\n"
            + "\n".join(f"{n} {t} {ln}:{p} {msg}" for n, t, ln, p, msg in errors)
        )
    return len(statements)


def _environment_dsn() -> str | None:
    return os.environ.get(DSN_ENV) or None


def _can_create_users(conn: sa.Connection) -> bool:
    granted = conn.exec_driver_sql(
        "SELECT COUNT(*) FROM session_privs WHERE privilege IN ('CREATE USER', 'DROP USER')"
    ).scalar_one()
    return int(granted) == 2


def _create_user(conn: sa.Connection) -> tuple[str, str]:
    """Create a throwaway schema user with quota on the default tablespace; (name, password)."""
    name = f"{TEST_USER_PREFIX}{uuid.uuid4().hex[:10].upper()}"
    password = "Pw_" + secrets.token_hex(12)
    tablespace = conn.exec_driver_sql(
        "SELECT property_value FROM database_properties "
        "WHERE property_name = 'DEFAULT_PERMANENT_TABLESPACE'"
    ).scalar_one()
    conn.exec_driver_sql(
        f'CREATE USER {name} IDENTIFIED BY "{password}" '
        f"DEFAULT TABLESPACE {tablespace} QUOTA UNLIMITED ON {tablespace}"
    )
    conn.exec_driver_sql(
        "GRANT CREATE SESSION, CREATE TABLE, CREATE SEQUENCE, CREATE PROCEDURE, "
        f"CREATE SYNONYM, CREATE VIEW TO {name}"
    )
    return name, password


def _start_container() -> tuple[URL | None, str | None]:
    """Start Oracle Free once for the session; (admin URL, None) or (None, why it failed)."""
    try:
        with warnings.catch_warnings():
            # testcontainers' own deprecations are not ours to fix; filterwarnings=error is on
            warnings.simplefilter("ignore")
            from testcontainers.community.oracle import OracleDbContainer
            from testcontainers.core.waiting_utils import wait_for_logs

            class _OracleFree(OracleDbContainer):  # type: ignore[misc]  # testcontainers: no types
                def _connect(self) -> None:
                    wait_for_logs(self, "DATABASE IS READY TO USE!", timeout=ORACLE_START_TIMEOUT_S)

            container = _OracleFree(ORACLE_IMAGE, oracle_password=CONTAINER_ADMIN_PASSWORD)
            try:
                container.start()
            except Exception as exc:  # no image, no registry, a full disk: skip, saying which
                gc.collect()  # the Docker SDK's abandoned sockets warn now, while ignored
                reason = f"could not start {ORACLE_IMAGE}: {_first_line(exc)}"
                return None, f"Oracle tests skipped: {reason}"
    except ImportError as exc:
        return None, f"Oracle tests skipped: testcontainers is not installed ({exc})"
    atexit.register(container.stop)
    url = make_url(container.get_connection_url())
    if url.host in ("localhost", "0.0.0.0"):
        url = url.set(host="127.0.0.1")
    return url, None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
