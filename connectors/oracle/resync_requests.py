"""Collectors' resync requests (XX_ARW_RESYNC_REQUESTS): queued by a button, a PL/SQL call or
the CLI, run once by whichever worker claims them first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from connectors.oracle.records import ResyncRequest
from connectors.oracle.unit_of_work import UnitOfWork, clip_text

RESYNC_PENDING = "PENDING"
RESYNC_RUNNING = "RUNNING"
RESYNC_DONE = "DONE"
RESYNC_FAILED = "FAILED"


class ResyncRequestVerbs(UnitOfWork):
    """Queueing, claiming and finishing resync requests."""

    def request_resync(self, account_number: str, *, requested_by: str) -> int:
        """Queue a collector's resync request (what a button or a PL/SQL call would insert)."""
        req = self._t["xx_arw_resync_requests"]

        def work(conn: sa.Connection) -> int:
            now = self.clock()
            result = conn.execute(
                sa.insert(req).values(
                    account_number=account_number,
                    requested_by=requested_by,
                    status=RESYNC_PENDING,
                    requested_at=now,
                    **self._who(now, insert=True),
                )
            )
            key = result.inserted_primary_key
            if key is None:
                raise RuntimeError("XX_ARW_RESYNC_REQUESTS insert returned no id")
            return int(key[0])

        return self._unit(work)

    def claim_resync_requests(
        self, *, worker_name: str, limit: int, stale_after_s: float = 3600.0
    ) -> list[ResyncRequest]:
        """Take pending requests (and ones whose worker died long ago), each by one worker."""
        req = self._t["xx_arw_resync_requests"]
        claimed: list[ResyncRequest] = []
        now = self.clock()
        stale_before = now - dt.timedelta(seconds=stale_after_s)
        due = sa.or_(
            req.c.status == RESYNC_PENDING,
            sa.and_(req.c.status == RESYNC_RUNNING, req.c.started_at < stale_before),
        )
        ids = self._read(
            lambda c: [
                int(i)
                for (i,) in c.execute(
                    sa.select(req.c.request_id).where(due).order_by(req.c.request_id).limit(limit)
                )
            ]
        )
        for request_id in ids:

            def work(conn: sa.Connection, request_id: int = request_id) -> ResyncRequest | None:
                taken = conn.execute(
                    sa.update(req)
                    .where(req.c.request_id == request_id, due)
                    .values(
                        status=RESYNC_RUNNING,
                        started_at=now,
                        worker_name=worker_name,
                        **self._who(now, insert=False),
                    )
                )
                if taken.rowcount != 1:
                    return None
                row = conn.execute(sa.select(req).where(req.c.request_id == request_id)).one()
                return ResyncRequest(
                    request_id=int(row.request_id),
                    account_number=row.account_number,
                    requested_by=row.requested_by,
                )

            got = self._unit(work)
            if got is not None:
                claimed.append(got)
        return claimed

    def finish_resync_request(self, request_id: int, *, ok: bool, result_text: str) -> None:
        req = self._t["xx_arw_resync_requests"]

        def work(conn: sa.Connection) -> None:
            now = self.clock()
            conn.execute(
                sa.update(req)
                .where(req.c.request_id == request_id)
                .values(
                    status=RESYNC_DONE if ok else RESYNC_FAILED,
                    finished_at=now,
                    result_text=clip_text(result_text),
                    **self._who(now, insert=False),
                )
            )

        self._unit(work)

    def resync_requests(self) -> list[dict[str, Any]]:
        req = self._t["xx_arw_resync_requests"]
        return self._read(
            lambda c: [
                dict(r._mapping) for r in c.execute(sa.select(req).order_by(req.c.request_id))
            ]
        )
