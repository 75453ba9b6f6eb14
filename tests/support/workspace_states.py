"""The sample book's queue put in every state a collector may see (store and web tests)."""

from __future__ import annotations

import uuid
from typing import Any

from connectors.oracle.records import EventType, OutcomeRecord, PortalStatusChange, SubmissionStatus
from connectors.oracle.store import Store

OWNER = "testhost/1/1"


def _settle(store: Store, trx_number: str, outcome: dict[str, Any]) -> int:
    """Claim one invoice and record an outcome for it; returns its submission id."""
    (claimed,) = store.claim(owner=OWNER, limit=1, lease_s=300, trx_numbers=[trx_number])
    store.record_outcome(
        claimed.submission_id,
        claimed.lease_token,
        OutcomeRecord(outcome_uid=uuid.uuid4().hex, detail="test", **outcome),
    )
    return claimed.submission_id


def queue_in_every_state(store: Store) -> dict[str, int]:
    """INV-101 rejected (PO closed), INV-102 failed, INV-103 uncertain, INV-201 submitted long
    ago and still pending approval, INV-202 submitted then disputed on the portal."""
    ids = {
        "INV-101": _settle(
            store,
            "INV-101",
            {
                "to_status": SubmissionStatus.REJECTED,
                "event_type": EventType.REJECTED,
                "error_code": "PO_CLOSED",
                "error_text": "Purchase order PO-9 is closed",
            },
        ),
        "INV-102": _settle(
            store,
            "INV-102",
            {
                "to_status": SubmissionStatus.FAILED,
                "event_type": EventType.FAILED,
                "error_code": "PORTAL_UNAVAILABLE",
                "error_text": "503 system busy",
            },
        ),
        "INV-201": _settle(
            store,
            "INV-201",
            {
                "to_status": SubmissionStatus.SUBMITTED,
                "event_type": EventType.SUBMITTED,
                "portal_reference": "CP-201",
            },
        ),
        "INV-202": _settle(
            store,
            "INV-202",
            {
                "to_status": SubmissionStatus.SUBMITTED,
                "event_type": EventType.SUBMITTED,
                "portal_reference": "CP-202",
            },
        ),
    }
    store.record_portal_status(
        ids["INV-202"],
        seen=None,
        change=PortalStatusChange(
            portal_status="DISPUTED",
            detail="disputed",
            reason="Quantity on line 2 does not match the receipt",
            to_status=SubmissionStatus.REJECTED,
            error_code="PORTAL_DISPUTED",
        ),
    )
    (held,) = store.claim(owner=OWNER, limit=1, lease_s=1, trx_numbers=["INV-103"])
    # its worker passed the fence before the submit click: if it dies now, the item may be on
    # the portal (UNCERTAIN once the lease runs out)
    assert store.start_submit(held.submission_id, held.lease_token or "", lease_s=1)
    ids["INV-103"] = held.submission_id
    return ids
