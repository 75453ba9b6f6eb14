"""Collectors' resync requests (XX_ARW_RESYNC_REQUESTS): queued by a button, a PL/SQL call or
the CLI, run once by whichever worker claims them first.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from connectors.oracle.audit_log import write_audit
from connectors.oracle.records import ResyncRequest
from connectors.oracle.request_rows import (
    REQUEST_DONE,
    REQUEST_FAILED,
    REQUEST_PENDING,
    REQUEST_RUNNING,
    claim_request_rows,
    finish_request_row,
)
from connectors.oracle.unit_of_work import UnitOfWork
from connectors.oracle.workspace_records import AuditEntry

RESYNC_PENDING = REQUEST_PENDING
RESYNC_RUNNING = REQUEST_RUNNING
RESYNC_DONE = REQUEST_DONE
RESYNC_FAILED = REQUEST_FAILED


class ResyncRequestVerbs(UnitOfWork):
    """Queueing, claiming and finishing resync requests."""

    def request_resync(
        self, account_number: str, *, requested_by: str, audit: AuditEntry | None = None
    ) -> int:
        """Queue a collector's resync request (what a button or a PL/SQL call would insert);
        with ``audit``, the audit line goes in the same transaction."""
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
            if audit is not None:
                write_audit(conn, self.md, audit, now=now, who=self._who(now, insert=True))
            return int(key[0])

        return self._unit(work)

    def claim_resync_requests(
        self, *, worker_name: str, limit: int, stale_after_s: float = 3600.0
    ) -> list[ResyncRequest]:
        """Take pending requests (and ones whose worker died long ago), each by one worker."""
        rows = claim_request_rows(
            self,
            self._t["xx_arw_resync_requests"],
            worker_name=worker_name,
            limit=limit,
            stale_after_s=stale_after_s,
        )
        return [
            ResyncRequest(
                request_id=int(row.request_id),
                account_number=row.account_number,
                requested_by=row.requested_by,
            )
            for row in rows
        ]

    def finish_resync_request(self, request_id: int, *, ok: bool, result_text: str) -> None:
        finish_request_row(
            self, self._t["xx_arw_resync_requests"], request_id, ok=ok, result_text=result_text
        )

    def resync_requests(self) -> list[dict[str, Any]]:
        req = self._t["xx_arw_resync_requests"]
        return self._read(
            lambda c: [
                dict(r._mapping) for r in c.execute(sa.select(req).order_by(req.c.request_id))
            ]
        )
