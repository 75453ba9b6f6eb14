"""Why a named invoice is, or is not, on the portal after ``arworker submit``: a pure function.

A collector or a script that asks for one invoice to be submitted must hear what happened to
it, and what to do, rather than a summary of zeros: the number exists nowhere, or in another
operating unit; the invoice is closed, a credit memo, or incomplete; its customer is not
enrolled on a portal; the portal rejected it (with the portal's reason: fix it in EBS and
resync); or it is still in the queue. Each explanation also has a :class:`Conclusion`, which the
CLI turns into an exit status that scripts can tell apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from connectors.oracle.ar_reads import INVOICE_AND_DEBIT_MEMO_CLASSES, INVOICE_CLASSES, OPEN_STATUS
from connectors.oracle.invoice_standing import (
    EnrolmentStanding,
    InvoiceStanding,
    TransactionStanding,
)
from connectors.oracle.records import Submission, SubmissionStatus

CREDIT_MEMO_CLASS = "CM"
DEBIT_MEMO_CLASS = "DM"


class Conclusion(StrEnum):
    """What the caller should take from an explanation (one exit status each)."""

    #: the portal has it (submitted now or earlier)
    ON_PORTAL = "ON_PORTAL"
    #: nothing arworker can submit: wrong number, other org, closed, not enrolled, …
    NOT_SUBMITTABLE = "NOT_SUBMITTABLE"
    #: the portal refused it, or the attempts ran out: a person fixes it, then resyncs
    NEEDS_ACTION = "NEEDS_ACTION"
    #: still in the queue: a retry is scheduled, another worker has it, a lookup is due
    NOT_YET = "NOT_YET"


class Verdict(StrEnum):
    """Where one named invoice stands."""

    SUBMITTED = "SUBMITTED"
    NOT_FOUND = "NOT_FOUND"
    OTHER_ORG = "OTHER_ORG"
    INCOMPLETE = "INCOMPLETE"
    NOT_AN_INVOICE = "NOT_AN_INVOICE"
    CLOSED = "CLOSED"
    NOT_ENROLLED = "NOT_ENROLLED"
    ENROLMENT_DISABLED = "ENROLMENT_DISABLED"
    REJECTED = "REJECTED"
    FAILED = "FAILED"
    RETRY_SCHEDULED = "RETRY_SCHEDULED"
    QUEUED = "QUEUED"
    IN_PROGRESS = "IN_PROGRESS"
    UNCERTAIN = "UNCERTAIN"

    @property
    def conclusion(self) -> Conclusion:
        return _CONCLUSIONS[self]


_CONCLUSIONS = {
    Verdict.SUBMITTED: Conclusion.ON_PORTAL,
    Verdict.NOT_FOUND: Conclusion.NOT_SUBMITTABLE,
    Verdict.OTHER_ORG: Conclusion.NOT_SUBMITTABLE,
    Verdict.INCOMPLETE: Conclusion.NOT_SUBMITTABLE,
    Verdict.NOT_AN_INVOICE: Conclusion.NOT_SUBMITTABLE,
    Verdict.CLOSED: Conclusion.NOT_SUBMITTABLE,
    Verdict.NOT_ENROLLED: Conclusion.NOT_SUBMITTABLE,
    Verdict.ENROLMENT_DISABLED: Conclusion.NOT_SUBMITTABLE,
    Verdict.REJECTED: Conclusion.NEEDS_ACTION,
    Verdict.FAILED: Conclusion.NEEDS_ACTION,
    Verdict.RETRY_SCHEDULED: Conclusion.NOT_YET,
    Verdict.QUEUED: Conclusion.NOT_YET,
    Verdict.IN_PROGRESS: Conclusion.NOT_YET,
    Verdict.UNCERTAIN: Conclusion.NOT_YET,
}
#: when named invoices conclude differently, the first of these that applies is the run's
CONCLUSION_PRECEDENCE = (Conclusion.NOT_SUBMITTABLE, Conclusion.NEEDS_ACTION, Conclusion.NOT_YET)


@dataclass(frozen=True, kw_only=True, slots=True)
class Explanation:
    """What happened to one named invoice (with one portal account), and what to do."""

    invoice: str
    verdict: Verdict
    message: str
    action: str | None = None
    account_number: str | None = None
    portal_code: str | None = None

    @property
    def conclusion(self) -> Conclusion:
        return self.verdict.conclusion

    def as_json(self) -> dict[str, Any]:
        return {
            "invoice": self.invoice,
            "verdict": self.verdict.value,
            "conclusion": self.conclusion.value,
            "message": self.message,
            "action": self.action,
            "account": self.account_number,
            "portal": self.portal_code,
        }

    def text(self) -> str:
        line = f"invoice {self.invoice}: {self.message}"
        return f"{line}\n  what to do: {self.action}" if self.action else line


def overall(explanations: list[Explanation]) -> Conclusion:
    """The one conclusion of a run over several named invoices (see CONCLUSION_PRECEDENCE)."""
    found = {e.conclusion for e in explanations}
    return next((c for c in CONCLUSION_PRECEDENCE if c in found), Conclusion.ON_PORTAL)


def explain(
    standing: InvoiceStanding,
    *,
    org_ids: tuple[int, ...],
    include_debit_memos: bool,
    now: dt.datetime,
) -> list[Explanation]:
    """Explain one number: one explanation per queue item, else one for the invoice."""
    number = standing.trx_number
    if not standing.transactions:
        return [_not_ours(standing, org_ids)]
    out: list[Explanation] = []
    for trx in standing.transactions:
        if trx.submissions:
            out += [_from_queue(number, s, _enrolment(trx, s), now) for s in trx.submissions]
        else:
            out.append(_not_queued(number, trx, include_debit_memos=include_debit_memos))
    return out


def _not_ours(standing: InvoiceStanding, org_ids: tuple[int, ...]) -> Explanation:
    number = standing.trx_number
    configured = ", ".join(str(o) for o in org_ids)
    if standing.other_org_ids:
        others = ", ".join(str(o) for o in standing.other_org_ids)
        return Explanation(
            invoice=number,
            verdict=Verdict.OTHER_ORG,
            message=f"found in operating unit (ORG_ID) {others}, not in the configured "
            f"database.org_ids ({configured}); arworker does not read other units' invoices",
            action="check the number; if arworker should submit that unit's invoices, add "
            f"{standing.other_org_ids[0]} to database.org_ids",
        )
    return Explanation(
        invoice=number,
        verdict=Verdict.NOT_FOUND,
        message="no transaction with this number in RA_CUSTOMER_TRX_ALL",
        action="check the number: it is the EBS transaction number (TRX_NUMBER), without the "
        "portal's suffix such as -R1",
    )


def _not_queued(number: str, trx: TransactionStanding, *, include_debit_memos: bool) -> Explanation:
    """A transaction of ours that the submit run did not queue: say which rule kept it out."""
    if not trx.complete:
        return Explanation(
            invoice=number,
            verdict=Verdict.INCOMPLETE,
            message="the transaction is not complete in EBS (COMPLETE_FLAG = 'N')",
            action="complete it in EBS Receivables, then run `arworker submit` again",
        )
    classes = INVOICE_AND_DEBIT_MEMO_CLASSES if include_debit_memos else INVOICE_CLASSES
    kinds = [s for s in trx.schedules if s.trx_class in classes]
    account = trx.schedules[0].account_number if trx.schedules else None
    if not kinds:
        return _not_an_invoice(number, trx, include_debit_memos=include_debit_memos)
    open_ones = [s for s in kinds if s.status == OPEN_STATUS and s.amount_due_remaining > 0]
    if not open_ones:
        schedule = kinds[0]
        return Explanation(
            invoice=number,
            verdict=Verdict.CLOSED,
            message=f"closed in EBS (payment schedule status {schedule.status}, "
            f"{schedule.amount_due_remaining} {schedule.currency} remaining): nothing to submit",
            action="none, unless it was closed by mistake in EBS",
            account_number=account,
        )
    customers = {s.cust_account_id for s in open_ones}
    enrolled = [e for e in trx.enrolments if e.cust_account_id in customers]
    if not enrolled:
        return Explanation(
            invoice=number,
            verdict=Verdict.NOT_ENROLLED,
            message=f"customer account {account} is not enrolled on any e-invoicing portal",
            action=f"enrol account {account} with a row in XX_ARW_PORTAL_ACCOUNTS (portal code, "
            "URL, login and secret names), then run `arworker submit` again",
            account_number=account,
        )
    if not any(e.enabled for e in enrolled):
        codes = ", ".join(sorted({e.portal_code for e in enrolled}))
        return Explanation(
            invoice=number,
            verdict=Verdict.ENROLMENT_DISABLED,
            message=f"the portal account of customer account {account} ({codes}) is disabled "
            "(XX_ARW_PORTAL_ACCOUNTS.ENABLED_FLAG = 'N')",
            action="set ENABLED_FLAG = 'Y' when the account should be submitted again",
            account_number=account,
            portal_code=enrolled[0].portal_code,
        )
    return Explanation(
        invoice=number,
        verdict=Verdict.QUEUED,
        message="open and enrolled, but not queued by this run (it stopped early?)",
        action="run `arworker submit` with this number again",
        account_number=account,
        portal_code=enrolled[0].portal_code,
    )


def _not_an_invoice(
    number: str, trx: TransactionStanding, *, include_debit_memos: bool
) -> Explanation:
    found = sorted({s.trx_class for s in trx.schedules}) or ["no payment schedule"]
    action = "none: credit memos are applied in EBS, not uploaded to a portal"
    if DEBIT_MEMO_CLASS in found and not include_debit_memos:
        action = "set database.include_debit_memos = true to submit debit memos"
    elif CREDIT_MEMO_CLASS not in found:
        action = "none: only invoices (class INV) and, if configured, debit memos are submitted"
    return Explanation(
        invoice=number,
        verdict=Verdict.NOT_AN_INVOICE,
        message=f"not an invoice arworker submits (class {', '.join(found)})",
        action=action,
        account_number=trx.schedules[0].account_number if trx.schedules else None,
    )


def _enrolment(trx: TransactionStanding, s: Submission) -> EnrolmentStanding | None:
    return next((e for e in trx.enrolments if e.portal_account_id == s.portal_account_id), None)


def _from_queue(
    number: str, s: Submission, enrolment: EnrolmentStanding | None, now: dt.datetime
) -> Explanation:
    """Explain a queue item by its status."""
    account = enrolment.account_number if enrolment else None
    portal = enrolment.portal_code if enrolment else None
    on = f"the {portal} portal" if portal else "the portal"
    error = ": ".join(p for p in (s.last_error_code, s.last_error_text) if p) or "no reason given"
    resync = f"`arworker resync {account}`" if account else "`arworker resync ACCOUNT_NUMBER`"

    def made(verdict: Verdict, message: str, action: str | None = None) -> Explanation:
        return Explanation(
            invoice=number,
            verdict=verdict,
            message=message,
            action=action,
            account_number=account,
            portal_code=portal,
        )

    if s.status is SubmissionStatus.SUBMITTED:
        when = f" since {s.submitted_at:%Y-%m-%d %H:%M} UTC" if s.submitted_at else ""
        seen = f"; the portal's status: {s.portal_status}" if s.portal_status else ""
        return made(
            Verdict.SUBMITTED,
            f"on {on} as {s.portal_reference or s.portal_invoice_number}{when}{seen}",
        )
    if s.status is SubmissionStatus.REJECTED:
        return made(
            Verdict.REJECTED,
            f"rejected by {on}: {error}",
            f"fix what the portal says in EBS (or on the portal account), then run {resync} "
            "to submit it again",
        )
    if s.status is SubmissionStatus.FAILED:
        evidence = f" (evidence: {s.artifact_path})" if s.artifact_path else ""
        return made(
            Verdict.FAILED,
            f"not submitted: gave up after {s.attempts} attempt(s): {error}",
            f"check {on}{evidence}, then run {resync} to try again",
        )
    if s.status is SubmissionStatus.IN_PROGRESS:
        until = f" until {s.lease_expires_at:%H:%M:%S} UTC" if s.lease_expires_at else ""
        return made(
            Verdict.IN_PROGRESS,
            f"being uploaded by another worker ({s.lease_owner}, lease{until})",
            "wait for that worker; `arworker submit` with this number shows the result",
        )
    if s.status is SubmissionStatus.UNCERTAIN:
        return made(
            Verdict.UNCERTAIN,
            f"may already be on {on}: it is looked up there before anything is uploaded",
            "run `arworker submit` with this number again once the portal answers",
        )
    if s.next_attempt_at is not None and s.next_attempt_at > now:
        return made(
            Verdict.RETRY_SCHEDULED,
            f"attempt {s.attempts} failed ({error}); the next attempt is due at "
            f"{s.next_attempt_at:%Y-%m-%d %H:%M} UTC",
            "the running worker (`arworker run`) takes it then; or run `arworker submit` with "
            "this number after that time",
        )
    return made(
        Verdict.QUEUED,
        "queued, but not uploaded in this run (see the run's paused logins and portals)",
        "fix what paused it, then run `arworker submit` with this number again",
    )
