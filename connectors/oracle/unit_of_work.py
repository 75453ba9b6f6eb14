"""The unit of work every store verb runs in, and what the verbs share.

One transaction per verb, retried whole when the database blips (style rule 4): a dropped
connection never leaves half a unit applied. The verb families (queue, job runs, resync
requests, portal statuses) each live in their own module on top of this.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import Engine, MetaData

from connectors.oracle.database_clock import database_now
from connectors.oracle.engine import READ_ONLY_OPTION
from connectors.oracle.errors import wrap_db_errors
from connectors.oracle.notes import NoteSettings
from connectors.oracle.retry import RetrySettings
from connectors.oracle.tables import WORKER_TABLES, build_metadata

T = TypeVar("T")

ERROR_TEXT_MAX_CHARS = 2000


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UnitOfWork:
    """Engine, schema and clocks, and the transaction every verb runs in.

    Two clocks: ``clock`` (this host's, for WHO columns and run bookkeeping) and
    :meth:`_db_now` (the database server's, for everything compared across hosts: leases,
    retry times, pause cool-downs). A test that injects ``clock`` drives both.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        org_ids: Sequence[int],
        include_debit_memos: bool = False,
        notes: NoteSettings | None = None,
        retry: RetrySettings | None = None,
        metadata: MetaData | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.engine = engine
        self.md = metadata if metadata is not None else build_metadata()
        self.org_ids = tuple(org_ids)
        self.include_debit_memos = include_debit_memos
        self.notes = notes or NoteSettings()
        self.retry = retry or RetrySettings()
        self.clock: Callable[[], dt.datetime] = clock or utcnow
        self._injected_clock = clock
        self._t = self.md.tables

    # ---- plumbing --------------------------------------------------------------------------

    def _unit(self, work: Callable[[sa.Connection], T]) -> T:
        """Run ``work`` in one transaction, retried whole on transient database errors."""
        for attempt in self.retry.retrying():
            with attempt, wrap_db_errors(), self.engine.begin() as conn:
                return work(conn)
        raise AssertionError("unreachable: tenacity re-raises")  # pragma: no cover

    def _read(self, work: Callable[[sa.Connection], T]) -> T:
        """Like :meth:`_unit`, for reads (SQLite takes no write lock for them)."""
        for attempt in self.retry.retrying():
            with (
                attempt,
                wrap_db_errors(),
                self.engine.connect().execution_options(**{READ_ONLY_OPTION: True}) as conn,
            ):
                try:
                    return work(conn)
                finally:
                    conn.rollback()
        raise AssertionError("unreachable: tenacity re-raises")  # pragma: no cover

    def _db_now(self, conn: sa.Connection) -> dt.datetime:
        """The time to compare leases and retry times with: the database server's clock."""
        if self._injected_clock is not None:
            return self._injected_clock()
        return database_now(conn)

    def db_now(self) -> dt.datetime:
        """The database server's current time (for jobs that report or compare times)."""
        return self._read(self._db_now)

    def _who(self, now: dt.datetime, *, insert: bool) -> dict[str, Any]:
        who: dict[str, Any] = {
            "last_updated_by": self.notes.entered_by,
            "last_update_date": now,
        }
        if insert:
            who |= {"created_by": self.notes.entered_by, "creation_date": now}
        return who

    # ---- schema ----------------------------------------------------------------------------

    def create_schema(self, *, include_ebs_stand_ins: bool) -> None:
        """Create the worker's tables (and, for the embedded default, the EBS stand-ins).

        DDL commits implicitly on Oracle, so it never runs inside a unit of work with data.
        """
        names = list(WORKER_TABLES)
        if include_ebs_stand_ins:
            names = [t.name for t in self.md.sorted_tables]
        with wrap_db_errors():
            self.md.create_all(self.engine, tables=[self._t[n] for n in names], checkfirst=True)

    def drop_schema(self) -> None:
        """Drop every table of the metadata (tests and the demo's reset only)."""
        with wrap_db_errors():
            self.md.drop_all(self.engine, checkfirst=True)


def clip_text(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    return text[:ERROR_TEXT_MAX_CHARS]
