"""Why a named invoice is or is not on the portal: one explanation per case, with what to do."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from connectors.oracle.invoice_standing import (
    EnrolmentStanding,
    InvoiceStanding,
    ScheduleStanding,
    TransactionStanding,
)
from connectors.oracle.records import Submission, SubmissionStatus
from jobs.submit_explain import Conclusion, Explanation, Verdict, explain, overall
from tests.support.submission_values import submission

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
ORGS = (204,)
SCHEDULE = ScheduleStanding(
    payment_schedule_id=5001,
    cust_account_id=11,
    account_number="1001",
    trx_class="INV",
    status="OP",
    amount_due_remaining=Decimal("100.00"),
    currency="USD",
)
ENROLMENT = EnrolmentStanding(
    portal_account_id=1,
    cust_account_id=11,
    account_number="1001",
    portal_code="coupa",
    enabled=True,
)
QUEUED = submission(
    submission_id=9,
    customer_trx_id=101,
    payment_schedule_id=5001,
    cust_account_id=11,
    portal_account_id=1,
    trx_number="INV-101",
    portal_invoice_number="INV-101",
)


def _explain(
    *,
    complete: bool = True,
    schedules: tuple[ScheduleStanding, ...] = (SCHEDULE,),
    enrolments: tuple[EnrolmentStanding, ...] = (ENROLMENT,),
    submissions: tuple[Submission, ...] = (),
    include_debit_memos: bool = False,
) -> Explanation:
    standing = InvoiceStanding(
        trx_number="INV-101",
        transactions=(
            TransactionStanding(
                customer_trx_id=101,
                org_id=204,
                complete=complete,
                schedules=schedules,
                enrolments=enrolments,
                submissions=submissions,
            ),
        ),
        other_org_ids=(),
    )
    (one,) = explain(standing, org_ids=ORGS, include_debit_memos=include_debit_memos, now=NOW)
    return one


def _queued(**changes: Any) -> tuple[Submission, ...]:
    return (dataclasses.replace(QUEUED, **changes),)


def test_number_found_nowhere() -> None:
    """A number EBS does not know: check the number (the EBS one, not a portal suffix)."""
    standing = InvoiceStanding(trx_number="UNKNOWN-1", transactions=(), other_org_ids=())
    (e,) = explain(standing, org_ids=ORGS, include_debit_memos=False, now=NOW)
    assert e.verdict is Verdict.NOT_FOUND
    assert e.conclusion is Conclusion.NOT_SUBMITTABLE
    assert e.text() == (
        "invoice UNKNOWN-1: no transaction with this number in RA_CUSTOMER_TRX_ALL\n"
        "  what to do: check the number: it is the EBS transaction number (TRX_NUMBER), "
        "without the portal's suffix such as -R1"
    )


def test_number_found_in_another_operating_unit() -> None:
    """Found only outside database.org_ids: says which unit, and the setting that would add it."""
    standing = InvoiceStanding(trx_number="INV-107", transactions=(), other_org_ids=(458,))
    (e,) = explain(standing, org_ids=ORGS, include_debit_memos=False, now=NOW)
    assert e.verdict is Verdict.OTHER_ORG
    assert "operating unit (ORG_ID) 458" in e.message and "(204)" in e.message
    assert e.action is not None and "add 458 to database.org_ids" in e.action


@pytest.mark.parametrize(
    ("kwargs", "verdict", "says"),
    [
        # an incomplete transaction is never read as open AR
        ({"complete": False}, Verdict.INCOMPLETE, "not complete in EBS"),
        # paid or credited: closed schedule
        (
            {"schedules": (dataclasses.replace(SCHEDULE, status="CL"),)},
            Verdict.CLOSED,
            "closed in EBS (payment schedule status CL",
        ),
        # open but nothing left to pay
        (
            {"schedules": (dataclasses.replace(SCHEDULE, amount_due_remaining=Decimal(0)),)},
            Verdict.CLOSED,
            "closed in EBS",
        ),
        # a credit memo is applied in EBS, not uploaded
        (
            {"schedules": (dataclasses.replace(SCHEDULE, trx_class="CM"),)},
            Verdict.NOT_AN_INVOICE,
            "class CM",
        ),
        # no portal account for the paying customer
        ({"enrolments": ()}, Verdict.NOT_ENROLLED, "account 1001 is not enrolled"),
        # the portal account is switched off
        (
            {"enrolments": (dataclasses.replace(ENROLMENT, enabled=False),)},
            Verdict.ENROLMENT_DISABLED,
            "ENABLED_FLAG = 'N'",
        ),
    ],
)
def test_invoices_the_run_did_not_queue(
    kwargs: dict[str, object], verdict: Verdict, says: str
) -> None:
    """Each rule that keeps an invoice out of the queue is named, with a fix or "none"."""
    e = _explain(**kwargs)  # type: ignore[arg-type]
    assert e.verdict is verdict
    assert e.conclusion is Conclusion.NOT_SUBMITTABLE
    assert says in e.message
    assert e.action


def test_debit_memo_names_the_setting_that_would_submit_it() -> None:
    """A debit memo is refused pointing at include_debit_memos, and accepted with it on."""
    dm = (dataclasses.replace(SCHEDULE, trx_class="DM"),)
    refused = _explain(schedules=dm)
    assert refused.verdict is Verdict.NOT_AN_INVOICE
    assert refused.action == "set database.include_debit_memos = true to submit debit memos"
    assert _explain(schedules=dm, include_debit_memos=True).verdict is Verdict.QUEUED


@pytest.mark.parametrize(
    ("changes", "verdict", "conclusion", "says"),
    [
        # on the portal: no action
        (
            {
                "status": SubmissionStatus.SUBMITTED,
                "portal_reference": "CP-7",
                "submitted_at": NOW,
            },
            Verdict.SUBMITTED,
            Conclusion.ON_PORTAL,
            "on the coupa portal as CP-7 since 2026-12-02 09:00 UTC",
        ),
        # refused by the portal: its reason, fix in EBS, resync the account
        (
            {
                "status": SubmissionStatus.REJECTED,
                "last_error_code": "PO_CLOSED",
                "last_error_text": "PO is closed and cannot be invoiced",
            },
            Verdict.REJECTED,
            Conclusion.NEEDS_ACTION,
            "rejected by the coupa portal: PO_CLOSED: PO is closed and cannot be invoiced",
        ),
        # attempts ran out
        (
            {"status": SubmissionStatus.FAILED, "attempts": 5, "last_error_code": "TIMEOUT"},
            Verdict.FAILED,
            Conclusion.NEEDS_ACTION,
            "gave up after 5 attempt(s): TIMEOUT",
        ),
        # backing off after a transient fault
        (
            {
                "attempts": 2,
                "last_error_code": "PORTAL_UNAVAILABLE",
                "next_attempt_at": NOW + dt.timedelta(minutes=30),
            },
            Verdict.RETRY_SCHEDULED,
            Conclusion.NOT_YET,
            "the next attempt is due at 2026-12-02 09:30 UTC",
        ),
        # another worker holds the lease
        (
            {"status": SubmissionStatus.IN_PROGRESS, "lease_owner": "host-b/42/1"},
            Verdict.IN_PROGRESS,
            Conclusion.NOT_YET,
            "being uploaded by another worker (host-b/42/1",
        ),
        # a dead worker's item: looked up first
        (
            {"status": SubmissionStatus.UNCERTAIN},
            Verdict.UNCERTAIN,
            Conclusion.NOT_YET,
            "looked up there before anything is uploaded",
        ),
        # due but not taken (a paused login handed it back)
        ({}, Verdict.QUEUED, Conclusion.NOT_YET, "not uploaded in this run"),
    ],
)
def test_queued_invoices_by_status(
    changes: dict[str, object], verdict: Verdict, conclusion: Conclusion, says: str
) -> None:
    """A queue item is explained by its status, naming the portal and the account."""
    e = _explain(submissions=_queued(**changes))
    assert (e.verdict, e.conclusion) == (verdict, conclusion)
    assert says in e.message
    assert e.account_number == "1001" and e.portal_code == "coupa"


def test_rejected_invoice_says_fix_in_ebs_then_resync_the_account() -> None:
    """The action for a rejection names the account to resync."""
    e = _explain(submissions=_queued(status=SubmissionStatus.REJECTED, last_error_code="X"))
    assert e.action == (
        "fix what the portal says in EBS (or on the portal account), then run "
        "`arworker resync 1001` to submit it again"
    )


def test_overall_conclusion_precedence() -> None:
    """Not submittable wins over needs action, which wins over not yet; all on portal is OK."""

    def of(verdict: Verdict) -> Explanation:
        return Explanation(invoice="x", verdict=verdict, message="m")

    assert overall([of(Verdict.SUBMITTED)]) is Conclusion.ON_PORTAL
    assert overall([of(Verdict.SUBMITTED), of(Verdict.QUEUED)]) is Conclusion.NOT_YET
    assert overall([of(Verdict.QUEUED), of(Verdict.REJECTED)]) is Conclusion.NEEDS_ACTION
    mixed = [of(Verdict.REJECTED), of(Verdict.NOT_FOUND), of(Verdict.SUBMITTED)]
    assert overall(mixed) is Conclusion.NOT_SUBMITTABLE
    assert {v.conclusion for v in Verdict} == set(Conclusion)
