"""Request tables (resync requests, workspace action requests): one claim, one finish, for both.

A request row is inserted by a person (a button, the CLI, a PL/SQL call) and run once by whichever
worker of the fleet claims it first: pick pending ids without a lock, then take each with a guarded
UPDATE (design §8's portable claim), so two workers never run the same request. A request whose
worker died while running it is taken again after ``stale_after_s``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from connectors.oracle.unit_of_work import UnitOfWork, clip_text

REQUEST_PENDING = "PENDING"
REQUEST_RUNNING = "RUNNING"
REQUEST_DONE = "DONE"
REQUEST_FAILED = "FAILED"


def _due(table: sa.Table, now: dt.datetime, stale_after_s: float) -> sa.ColumnElement[bool]:
    """Pending, or running so long that its worker must have died."""
    stale_before = now - dt.timedelta(seconds=stale_after_s)
    return sa.or_(
        table.c.status == REQUEST_PENDING,
        sa.and_(table.c.status == REQUEST_RUNNING, table.c.started_at < stale_before),
    )


def any_request_due(uow: UnitOfWork, table: sa.Table, *, stale_after_s: float) -> bool:
    """Whether a claim would find something: one indexed look-up, for polls that run often."""
    query = sa.select(table.c.request_id).where(_due(table, uow.clock(), stale_after_s)).limit(1)
    return uow._read(lambda c: c.execute(query).first() is not None)


def claim_request_rows(
    uow: UnitOfWork,
    table: sa.Table,
    *,
    worker_name: str,
    limit: int,
    stale_after_s: float,
    request_ids: list[int] | None = None,
) -> list[Any]:
    """Take up to ``limit`` due rows of ``table`` (key ``request_id``; only ``request_ids``
    when given) for ``worker_name``."""
    key = table.c.request_id
    now = uow.clock()
    due = _due(table, now, stale_after_s)
    candidates = sa.select(key).where(due).order_by(key).limit(limit)
    if request_ids is not None:
        candidates = candidates.where(key.in_(request_ids))
    ids = uow._read(lambda c: [int(i) for (i,) in c.execute(candidates)])
    claimed: list[Any] = []
    for request_id in ids:

        def work(conn: sa.Connection, request_id: int = request_id) -> Any:
            taken = conn.execute(
                sa.update(table)
                .where(key == request_id, due)
                .values(
                    status=REQUEST_RUNNING,
                    started_at=now,
                    worker_name=worker_name,
                    **uow._who(now, insert=False),
                )
            )
            if taken.rowcount != 1:
                return None
            return conn.execute(sa.select(table).where(key == request_id)).one()

        row = uow._unit(work)
        if row is not None:
            claimed.append(row)
    return claimed


def finish_request_row(
    uow: UnitOfWork, table: sa.Table, request_id: int, *, ok: bool, result_text: str
) -> None:
    """Mark a claimed request DONE or FAILED, with what happened in words."""

    def work(conn: sa.Connection) -> None:
        now = uow.clock()
        conn.execute(
            sa.update(table)
            .where(table.c.request_id == request_id)
            .values(
                status=REQUEST_DONE if ok else REQUEST_FAILED,
                finished_at=now,
                result_text=clip_text(result_text),
                **uow._who(now, insert=False),
            )
        )

    uow._unit(work)
