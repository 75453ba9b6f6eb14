"""Store errors: what the jobs may catch instead of SQLAlchemy's or the drivers' exceptions.

``StoreUnavailable`` is transient (the database went away, a network blip, a call timeout): the
unit of work is retried whole, and if the database stays down the outcome goes to the local
journal. ``AlreadyExists`` is a unique-key collision, carried with the constraint's name so the
caller can tell "this invoice is already queued" from a real bug.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc as sa_exc

#: Oracle and python-oracledb codes meaning "the connection or the server went away"
TRANSIENT_ORACLE_CODES = (
    "ORA-00028",  # your session has been killed
    "ORA-01012",  # not logged on
    "ORA-01033",  # initialization or shutdown in progress
    "ORA-01089",  # immediate shutdown in progress
    "ORA-03113",  # end-of-file on communication channel
    "ORA-03114",  # not connected to ORACLE
    "ORA-03135",  # connection lost contact
    "ORA-12170",  # connect timeout
    "ORA-12514",  # listener does not know the service (during failover)
    "ORA-12537",  # TNS connection closed
    "ORA-12541",  # no listener
    "ORA-12571",  # TNS packet writer failure
    "DPI-1010",  # not connected
    "DPI-1067",  # call timeout
    "DPI-1080",  # connection was closed by ORA-03113
    "DPY-1001",  # not connected
    "DPY-4011",  # the database or network closed the connection
    "DPY-6005",  # cannot connect to database
)
#: PostgreSQL SQLSTATE classes worth retrying: connection exceptions, operator intervention
TRANSIENT_PG_SQLSTATE_PREFIXES = ("08", "57P")
#: "no such table" in each backend's words: SQLite, PostgreSQL (SQLSTATE 42P01), Oracle
MISSING_TABLE_ORACLE_CODE = "ORA-00942"
MISSING_TABLE_PG_SQLSTATE = "42P01"
_NAME = r'"?(?:[A-Za-z0-9_$#]+"?\.)?"?([A-Za-z0-9_$#]+)"?'
_MISSING_TABLE_PATTERN = re.compile(
    rf"no such table: {_NAME}|relation {_NAME} does not exist|table or view {_NAME} does not exist"
)
_CONSTRAINT_PATTERN = re.compile(
    r"(?:constraint \"?|ORA-00001: unique constraint \(?(?:[A-Z0-9_$#]+\.)?)([A-Za-z0-9_$#]+)"
)


class StoreError(Exception):
    """The store could not do what was asked."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or self.__class__.__name__).strip())


class StoreUnavailable(StoreError):
    """The database is unreachable or dropped the connection; retry the whole unit of work."""


class AlreadyExists(StoreError):
    """A row with the same unique key already exists."""

    def __init__(self, message: str, *, constraint_name: str | None) -> None:
        super().__init__(message)
        self.constraint_name = constraint_name


class TableMissing(StoreError):
    """A table the worker needs does not exist, or this login may not read it (Oracle)."""

    def __init__(self, message: str, *, table_name: str | None) -> None:
        super().__init__(message)
        self.table_name = table_name


def missing_table(exc: BaseException) -> TableMissing | None:
    """The :class:`TableMissing` that ``exc`` (a DBAPI error) means, if it means one."""
    if not isinstance(exc, sa_exc.DBAPIError):
        return None
    text = str(exc.orig)
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if not (
        "no such table" in text
        or MISSING_TABLE_ORACLE_CODE in text
        or sqlstate == MISSING_TABLE_PG_SQLSTATE
    ):
        return None
    match = _MISSING_TABLE_PATTERN.search(text)
    name = next((g for g in match.groups() if g), None) if match else None
    return TableMissing(text.splitlines()[0][:300], table_name=name.lower() if name else None)


def is_transient(exc: BaseException) -> bool:
    """True when ``exc`` (a SQLAlchemy DBAPI error) means the database went away, not a bug."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.DatabaseError):
        text = str(exc.orig) if isinstance(exc, sa_exc.DBAPIError) else str(exc)
        if any(code in text for code in TRANSIENT_ORACLE_CODES):
            return True
        sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(TRANSIENT_PG_SQLSTATE_PREFIXES):
            return True
        if isinstance(exc, sa_exc.OperationalError):
            lowered = text.lower()
            # psycopg without a sqlstate on connect failures; SQLite's lock timeouts
            return (
                "connection" in lowered
                or "could not connect" in lowered
                or "database is locked" in lowered
                or "server closed" in lowered
            )
    return False


@contextmanager
def wrap_db_errors() -> Iterator[None]:
    """Translate SQLAlchemy/driver errors raised inside the block into store errors."""
    try:
        yield
    except sa_exc.IntegrityError as exc:
        text = str(exc.orig)
        if "unique" in text.lower() or "ORA-00001" in text or "duplicate key" in text.lower():
            match = _CONSTRAINT_PATTERN.search(text)
            raise AlreadyExists(
                text.splitlines()[0][:300],
                constraint_name=match.group(1).lower() if match else None,
            ) from exc
        raise StoreError(text.splitlines()[0][:300]) from exc
    except sa_exc.DBAPIError as exc:
        if is_transient(exc):
            raise StoreUnavailable(str(exc.orig).splitlines()[0][:300]) from exc
        if (missing := missing_table(exc)) is not None:
            raise missing from exc
        raise StoreError(str(exc.orig).splitlines()[0][:300]) from exc
