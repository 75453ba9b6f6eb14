"""The database server's clock: the one every worker of a fleet agrees on.

Leases, retry times and pause cool-downs are compared across hosts. With each host's own clock
a host running ahead sees leases of the others as expired (and takes items over while their
worker is still uploading), a host running behind keeps items it lost; so every time the queue
compares is read from the database, in the unit of work that uses it (design §10, "Time").
On SQLite, the embedded single-host default, the "server" is the worker's own process.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

#: one round trip, UTC, on each backend (Oracle: SYSTIMESTAMP carries the server's zone;
#: SYS_EXTRACT_UTC makes it a plain UTC TIMESTAMP, which the driver returns as is)
_NOW_SQL = {
    "oracle": "SELECT SYS_EXTRACT_UTC(SYSTIMESTAMP) FROM DUAL",
    "postgresql": "SELECT clock_timestamp()",
    "sqlite": "SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')",
}


def database_now(conn: sa.Connection) -> dt.datetime:
    """The database server's current time, aware, in UTC."""
    sql = _NOW_SQL.get(conn.dialect.name)
    if sql is None:
        raise ValueError(f"no database clock for the {conn.dialect.name!r} dialect")
    value = conn.exec_driver_sql(sql).scalar_one()
    if isinstance(value, str):  # SQLite answers text
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise TypeError(f"the database clock answered {value!r}, not a timestamp")
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)
