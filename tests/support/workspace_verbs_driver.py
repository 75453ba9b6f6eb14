"""Drives every store verb the collector workspace added, for the Oracle-rules statement test.

Kept beside ``test_oracle_statements.py`` (which calls :func:`drive_workspace_verbs`) so that the
shared test grows by one line while every workspace statement is still compiled for Oracle and
checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors.oracle.records import CollectionNote, EventType, SubmissionStatus
from connectors.oracle.store import Store
from connectors.oracle.workspace_records import (
    ActionCode,
    AuditEntry,
    NewActionRequest,
    PortalAccountValues,
    WorkKind,
    WorklistFilter,
)

OWNER = "testhost:4242:1700000000"


def _audit(action: str) -> AuditEntry:
    return AuditEntry(
        actor="ann",
        actor_role="ADMIN",
        channel="CLI",
        source_address="127.0.0.1",
        action_code=action,
        target_kind="SUBMISSION",
        target_ref="1",
        reason="test",
    )


def drive_workspace_verbs(
    store: Store, verb: Callable[[str], Callable[..., Any]], *, account_id: int, party_id: int
) -> None:
    """Call each workspace verb at least once (the caller records the SQL)."""
    verb("database_ping")()
    verb("queue_by_portal")()
    verb("oldest_due")()
    verb("recent_job_runs")(limit=5)
    verb("last_finished_run")("nightly")
    verb("active_collectors")()
    every = WorklistFilter(
        account_number="1001",
        portal_code="coupa",
        reason_code="PO_CLOSED",
        min_days_late=1,
        collector_id=2101,
    )
    verb("worklist")(every, limit=10, offset=10)
    verb("worklist")(WorklistFilter(statuses=(SubmissionStatus.PENDING,)), limit=10)
    verb("worklist_ids")(
        WorklistFilter(kinds=(WorkKind.REJECTED,)),
        statuses=(SubmissionStatus.REJECTED, SubmissionStatus.FAILED),
        limit=10,
    )
    subs = store.submissions(cust_account_id=account_id)
    first = subs[0]
    verb("account_submissions")(account_id, limit=10)
    verb("customer_account")("1001")
    verb("submission_view")(first.submission_id)
    verb("notes_for_invoice")(first.payment_schedule_id)
    verb("portal_account")(first.portal_account_id)
    ids = verb("request_actions")(
        [
            NewActionRequest(
                action_code=ActionCode.RETRY, requested_by="ann", submission_id=first.submission_id
            )
        ],
        audit=_audit("RETRY"),
    )
    assert verb("action_requests_due")()
    verb("claim_action_requests")(worker_name=OWNER, limit=5, request_ids=ids)
    verb("finish_action_request")(ids[0], ok=True, result_text="done")
    verb("action_requests")(
        portal_account_id=first.portal_account_id,
        submission_id=first.submission_id,
        action_code=ActionCode.RETRY,
    )
    verb("record_audit")(_audit("NOTHING"))
    verb("audit_entries")(target_kind="SUBMISSION", target_ref="1")
    verb("make_due_now")([first.submission_id])
    note = CollectionNote(
        cust_account_id=account_id, party_id=party_id, payment_schedule_id=None, text="note"
    )
    verb("mark_submitted_manually")(
        first.submission_id,
        expected_status=first.status,
        portal_reference="MAN-1",
        event_type=EventType.MARKED_SUBMITTED,
        detail="by hand",
        note=note,
        audit=_audit("MARK_SUBMITTED"),
    )
    values = PortalAccountValues(
        portal_code="ariba",
        portal_url="http://127.0.0.1:1/ariba",
        login_name="ar@example.com",
        secret_ref="ARIBA_PASSWORD",
    )
    new_id = verb("enrol_portal_account")(
        cust_account_id=account_id,
        org_id=store.org_ids[0],
        values=values,
        note=note,
        audit=_audit("ENROL_ACCOUNT"),
    )
    verb("update_portal_account")(
        new_id, values=values, enabled=False, note=note, audit=_audit("EDIT")
    )
    verb("add_web_user")(
        user_name="ann", role="ADMIN", password_hash="x", collector_id=2101, audit=_audit("ADD")
    )
    verb("update_web_user")("ann", changes={"role_code": "VIEWER"}, audit=_audit("SET_ROLE"))
    verb("web_user")("ann")
    verb("web_users")()
    verb("record_sign_in")("ann")
    token_id = verb("add_api_token")(
        token_hash="0" * 64,
        token_hint="arw_abcd",
        user_name="ann",
        role="VIEWER",
        label="t",
        expires_at=None,
        audit=_audit("CREATE_TOKEN"),
    )
    verb("api_token_by_hash")("0" * 64)
    verb("revoke_api_token")(token_id, revoked_by="ann", audit=_audit("REVOKE_TOKEN"))
    verb("api_tokens")()
