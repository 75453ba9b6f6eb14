"""Submission values for pure tests: one place that knows every field of a queue row, so a new
column of XX_ARW_SUBMISSIONS changes one helper rather than every test that needs a row."""

from __future__ import annotations

import dataclasses
from typing import Any

from connectors.oracle.records import Submission, SubmissionStatus

#: a queued invoice nobody has tried yet; tests change what they are about
QUEUED = Submission(
    submission_id=1,
    customer_trx_id=1,
    payment_schedule_id=1,
    cust_account_id=1,
    portal_account_id=1,
    trx_number="1",
    portal_invoice_number="1",
    status=SubmissionStatus.PENDING,
    attempts=0,
    next_attempt_at=None,
    lease_owner=None,
    lease_token=None,
    lease_expires_at=None,
    portal_reference=None,
    portal_status=None,
    portal_status_reason=None,
    projected_pay_date=None,
    payment_date=None,
    payment_reference=None,
    last_error_code=None,
    last_error_text=None,
    artifact_path=None,
    resubmit_count=0,
    submitted_at=None,
)


def submission(**changes: Any) -> Submission:
    """:data:`QUEUED` with ``changes`` (field names of :class:`Submission`)."""
    return dataclasses.replace(QUEUED, **changes)
