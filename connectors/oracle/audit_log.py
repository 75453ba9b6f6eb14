"""The audit trail (XX_ARW_AUDIT_LOG): append-only, written in the same transaction as the action.

An action and its audit line commit together or not at all, so the trail can neither claim an
action that did not happen nor miss one that did. Nothing ever updates or deletes a line (the
worker's grant on the table is SELECT, INSERT).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import MetaData

from connectors.oracle.unit_of_work import UnitOfWork, clip_text
from connectors.oracle.workspace_records import AuditEntry, AuditRecord

#: column widths of XX_ARW_AUDIT_LOG that free text is clipped to
ACTOR_MAX_CHARS = 100
REF_MAX_CHARS = 100


def write_audit(
    conn: sa.Connection,
    md: MetaData,
    entry: AuditEntry,
    *,
    now: dt.datetime,
    who: dict[str, Any],
) -> None:
    """Insert one audit line inside the caller's transaction."""
    conn.execute(
        sa.insert(md.tables["xx_arw_audit_log"]).values(
            acted_at=now,
            actor=entry.actor[:ACTOR_MAX_CHARS],
            actor_role=entry.actor_role,
            channel=entry.channel,
            source_address=(entry.source_address or None) and entry.source_address[:REF_MAX_CHARS],
            action_code=entry.action_code,
            target_kind=entry.target_kind,
            target_ref=(entry.target_ref or None) and entry.target_ref[:REF_MAX_CHARS],
            reason=clip_text(entry.reason),
            detail=clip_text(entry.detail),
            **who,
        )
    )


class AuditVerbs(UnitOfWork):
    """Writing a stand-alone audit line and reading the trail back."""

    def record_audit(self, entry: AuditEntry) -> None:
        """An audit line for an action that changes nothing else in the database."""

        def work(conn: sa.Connection) -> None:
            now = self.clock()
            write_audit(conn, self.md, entry, now=now, who=self._who(now, insert=True))

        self._unit(work)

    def audit_entries(
        self, *, target_kind: str | None = None, target_ref: str | None = None, limit: int = 50
    ) -> list[AuditRecord]:
        """The newest audit lines first, optionally about one target."""
        log = self._t["xx_arw_audit_log"]
        query = sa.select(log).order_by(log.c.audit_id.desc()).limit(limit)
        if target_kind is not None:
            query = query.where(log.c.target_kind == target_kind)
        if target_ref is not None:
            query = query.where(log.c.target_ref == target_ref)
        return self._read(lambda c: [AuditRecord.from_row(r) for r in c.execute(query)])
