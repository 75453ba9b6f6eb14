"""Workspace action requests (XX_ARW_ACTION_REQUESTS): retry, submit now, test login.

The web app and the CLI never drive a browser: they insert a request (and its audit line, in the
same transaction) and whichever worker claims it runs it (design §10), so one worker or a fleet
behave alike and the web app stays up when a portal does not.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from connectors.oracle.audit_log import write_audit
from connectors.oracle.request_rows import (
    REQUEST_PENDING,
    any_request_due,
    claim_request_rows,
    finish_request_row,
)
from connectors.oracle.unit_of_work import UnitOfWork, clip_text
from connectors.oracle.workspace_records import (
    ActionCode,
    ActionRequest,
    AuditEntry,
    NewActionRequest,
)


class ActionRequestVerbs(UnitOfWork):
    """Queueing, claiming, finishing and listing action requests."""

    def request_actions(
        self, requests: Sequence[NewActionRequest], *, audit: AuditEntry
    ) -> list[int]:
        """Queue requests (one, or a bulk retry's many) with one audit line, in one transaction."""
        req = self._t["xx_arw_action_requests"]

        def work(conn: sa.Connection) -> list[int]:
            now = self.clock()
            ids = []
            for r in requests:
                result = conn.execute(
                    sa.insert(req).values(
                        action_code=r.action_code.value,
                        submission_id=r.submission_id,
                        portal_account_id=r.portal_account_id,
                        cust_account_id=r.cust_account_id,
                        requested_by=r.requested_by,
                        reason=clip_text(r.reason),
                        status=REQUEST_PENDING,
                        requested_at=now,
                        **self._who(now, insert=True),
                    )
                )
                key = result.inserted_primary_key
                if key is None:
                    raise RuntimeError("XX_ARW_ACTION_REQUESTS insert returned no id")
                ids.append(int(key[0]))
            write_audit(conn, self.md, audit, now=now, who=self._who(now, insert=True))
            return ids

        return self._unit(work)

    def claim_action_requests(
        self,
        *,
        worker_name: str,
        limit: int,
        stale_after_s: float = 3600.0,
        request_ids: Sequence[int] | None = None,
    ) -> list[ActionRequest]:
        """Take pending requests (and ones whose worker died long ago), each by one worker;
        only ``request_ids`` when given (the CLI running its own request at once)."""
        rows = claim_request_rows(
            self,
            self._t["xx_arw_action_requests"],
            worker_name=worker_name,
            limit=limit,
            stale_after_s=stale_after_s,
            request_ids=None if request_ids is None else list(request_ids),
        )
        return [ActionRequest.from_row(r) for r in rows]

    def action_requests_due(self, *, stale_after_s: float = 3600.0) -> bool:
        """Whether a worker has anything to claim (the poll asks this before building a job)."""
        return any_request_due(self, self._t["xx_arw_action_requests"], stale_after_s=stale_after_s)

    def finish_action_request(self, request_id: int, *, ok: bool, result_text: str) -> None:
        finish_request_row(
            self, self._t["xx_arw_action_requests"], request_id, ok=ok, result_text=result_text
        )

    def action_requests(
        self,
        *,
        portal_account_id: int | None = None,
        submission_id: int | None = None,
        action_code: ActionCode | None = None,
        limit: int = 20,
    ) -> list[ActionRequest]:
        """The newest requests first, optionally about one portal account or submission."""
        req = self._t["xx_arw_action_requests"]
        query = sa.select(req).order_by(req.c.request_id.desc()).limit(limit)
        if portal_account_id is not None:
            query = query.where(req.c.portal_account_id == portal_account_id)
        if submission_id is not None:
            query = query.where(req.c.submission_id == submission_id)
        if action_code is not None:
            query = query.where(req.c.action_code == action_code.value)
        return self._read(lambda c: [ActionRequest.from_row(r) for r in c.execute(query)])
