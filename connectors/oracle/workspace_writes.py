"""What a person changes directly from the workspace or the CLI, each with its audit line.

Only what needs no browser is done here, at once: marking an invoice submitted by hand (the state
change, its event, its note and its audit line in one transaction, design §4.3), making a queued
item due now, and enrolling, editing or disabling a portal account. Everything that needs a portal
is a request a worker picks up (:mod:`connectors.oracle.action_requests`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from connectors.oracle.audit_log import write_audit
from connectors.oracle.notes import write_note
from connectors.oracle.records import (
    CLAIMABLE_STATUSES,
    CollectionNote,
    EventType,
    PortalAccountRecord,
    SubmissionStatus,
)
from connectors.oracle.unit_of_work import UnitOfWork, clip_text
from connectors.oracle.workspace_records import AuditEntry, PortalAccountValues


class WorkspaceWriteVerbs(UnitOfWork):
    """Direct changes a person makes, each with its audit line in the same transaction."""

    def mark_submitted_manually(
        self,
        submission_id: int,
        *,
        expected_status: SubmissionStatus,
        portal_reference: str,
        event_type: EventType,
        detail: str,
        note: CollectionNote,
        audit: AuditEntry,
    ) -> int | None:
        """SUBMITTED by a person's word, guarded by the status they saw; the note id, or None
        when the item moved meanwhile (a worker claimed it, say)."""
        if expected_status is SubmissionStatus.IN_PROGRESS:
            raise ValueError("an item a worker holds cannot be marked by hand")
        sub = self._t["xx_arw_submissions"]
        ev = self._t["xx_arw_events"]

        def work(conn: sa.Connection) -> int | None:
            now = self.clock()
            guard = [
                sub.c.submission_id == submission_id,
                sub.c.status == expected_status.value,
            ]
            current = conn.execute(sa.select(sub.c.cust_account_id).where(*guard)).first()
            if current is None:
                return None
            conn.execute(
                sa.update(sub)
                .where(*guard)
                .values(
                    status=SubmissionStatus.SUBMITTED.value,
                    portal_reference=portal_reference,
                    portal_status=None,
                    next_status_check_at=None,
                    submitted_at=now,
                    next_attempt_at=None,
                    lease_owner=None,
                    lease_token=None,
                    lease_expires_at=None,
                    last_error_code=None,
                    last_error_text=None,
                    **self._who(now, insert=False),
                )
            )
            note_id = write_note(conn, self.md, note, self.notes, now=now)
            conn.execute(
                sa.insert(ev).values(
                    submission_id=submission_id,
                    cust_account_id=current.cust_account_id,
                    event_type=event_type.value,
                    from_status=expected_status.value,
                    to_status=SubmissionStatus.SUBMITTED.value,
                    detail=clip_text(detail),
                    jtf_note_id=note_id,
                    **self._who(now, insert=True),
                )
            )
            write_audit(conn, self.md, audit, now=now, who=self._who(now, insert=True))
            return note_id

        return self._unit(work)

    def make_due_now(self, submission_ids: Sequence[int]) -> int:
        """Queued items (PENDING/UNCERTAIN) waiting out a backoff become due at once."""
        if not submission_ids:
            return 0
        sub = self._t["xx_arw_submissions"]

        def work(conn: sa.Connection) -> int:
            now = self.clock()
            result = conn.execute(
                sa.update(sub)
                .where(
                    sub.c.submission_id.in_(list(submission_ids)),
                    sub.c.status.in_([s.value for s in CLAIMABLE_STATUSES]),
                )
                .values(next_attempt_at=None, **self._who(now, insert=False))
            )
            return int(result.rowcount)

        return self._unit(work)

    # ---- portal accounts -------------------------------------------------------------------

    def portal_account(self, portal_account_id: int) -> PortalAccountRecord | None:
        """One portal account, enabled or not."""
        pa = self._t["xx_arw_portal_accounts"]
        acct = self._t["hz_cust_accounts"]
        query = (
            sa.select(pa, acct.c.account_number, acct.c.account_name, acct.c.party_id)
            .join(acct, acct.c.cust_account_id == pa.c.cust_account_id)
            .where(pa.c.portal_account_id == portal_account_id, pa.c.org_id.in_(self.org_ids))
        )
        row = self._read(lambda c: c.execute(query).first())
        return None if row is None else PortalAccountRecord.from_row(row)

    def enrol_portal_account(
        self,
        *,
        cust_account_id: int,
        org_id: int,
        values: PortalAccountValues,
        note: CollectionNote | None,
        audit: AuditEntry,
    ) -> int:
        """Enrol a customer account on a portal; ``AlreadyExists`` if it is on that portal."""
        pa = self._t["xx_arw_portal_accounts"]

        def work(conn: sa.Connection) -> int:
            now = self.clock()
            result = conn.execute(
                sa.insert(pa).values(
                    cust_account_id=cust_account_id,
                    org_id=org_id,
                    enabled_flag=True,
                    options_json=None,
                    **_columns(values),
                    **self._who(now, insert=True),
                )
            )
            key = result.inserted_primary_key
            if key is None:
                raise RuntimeError("XX_ARW_PORTAL_ACCOUNTS insert returned no id")
            if note is not None:
                write_note(conn, self.md, note, self.notes, now=now)
            write_audit(conn, self.md, audit, now=now, who=self._who(now, insert=True))
            return int(key[0])

        return self._unit(work)

    def update_portal_account(
        self,
        portal_account_id: int,
        *,
        values: PortalAccountValues | None = None,
        enabled: bool | None = None,
        note: CollectionNote | None = None,
        audit: AuditEntry,
    ) -> bool:
        """Change an account's portal settings and/or its enabled flag; False if unknown."""
        pa = self._t["xx_arw_portal_accounts"]
        changes = _columns(values) if values is not None else {}
        if enabled is not None:
            changes["enabled_flag"] = enabled

        def work(conn: sa.Connection) -> bool:
            now = self.clock()
            result = conn.execute(
                sa.update(pa)
                .where(pa.c.portal_account_id == portal_account_id, pa.c.org_id.in_(self.org_ids))
                .values(**changes, **self._who(now, insert=False))
            )
            if result.rowcount != 1:
                return False
            if note is not None:
                write_note(conn, self.md, note, self.notes, now=now)
            write_audit(conn, self.md, audit, now=now, who=self._who(now, insert=True))
            return True

        return self._unit(work)


def _columns(values: PortalAccountValues) -> dict[str, object]:
    return {
        "portal_code": values.portal_code,
        "portal_url": values.portal_url,
        "login_name": values.login_name,
        "secret_ref": values.secret_ref,
        "buyer_name": values.buyer_name,
        "display_name": values.display_name,
        "supplier_portal_id": values.supplier_portal_id,
        "totp_secret_ref": values.totp_secret_ref,
        "po_required_flag": values.po_required,
        "new_number_on_resubmit": values.new_number_on_resubmit,
    }
