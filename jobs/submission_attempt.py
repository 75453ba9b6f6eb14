"""One attempt at one claimed invoice: look it up if it may be there, check it, upload it once.

The attempt talks to the portal and to nothing else: the invoice is read, and the fence before
the submit click is proved, through the callables it is given, and what happened comes back as
an :data:`~jobs.submission.Outcome` value for the state machine. It never decides a status and
never writes; the drain records. That keeps every branch testable with a fake portal
(``tests/unit/test_submission_attempt.py``).

Two rules are kept here, at the only place that knows the click's position:
- an invoice that may already be on the portal (``item.needs_lookup``) is looked up first, and a
  lookup that fails is a transient fault, never a reason to upload;
- a fault after this attempt's fence (the click may have happened) is settled by a lookup in the
  same attempt; found, it is ours; not settled, the outcome says ``unclear``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from config.secrets import SecretNotFound
from connectors.oracle.records import InvoiceRecord, Submission
from connectors.portals.base import (
    InvoiceDocument,
    OutgoingInvoice,
    PortalAccount,
    PortalInvoice,
    PortalReceipt,
    SubmitFence,
)
from connectors.portals.errors import (
    InvoiceRejected,
    LoginFailed,
    PortalChanged,
    PortalError,
    PortalPaused,
    PortalUnavailable,
    SubmitFenced,
)
from jobs.invoice_checks import invoice_problems
from jobs.submission import (
    DATA_INVALID,
    Fault,
    FoundOnPortal,
    HandBack,
    LeaseLost,
    LoginRefused,
    Outcome,
    PageChanged,
    Refused,
    Unusable,
    Uploaded,
)

APPLICATION_ERROR = "APPLICATION_ERROR"


class PortalCalls(Protocol):
    """What an attempt needs of the portal gateway (a fake one in the unit tests)."""

    async def find_invoice(
        self, account: PortalAccount, invoice_number: str, *, evidence: str
    ) -> PortalInvoice | None: ...

    async def submit_invoice(
        self,
        account: PortalAccount,
        invoice: OutgoingInvoice,
        document: InvoiceDocument,
        *,
        evidence: str,
        fence: SubmitFence = ...,
    ) -> PortalReceipt: ...


@dataclass(frozen=True, kw_only=True, slots=True)
class AttemptResult:
    """The outcome, and what was (or would have been) sent, for the note."""

    outcome: Outcome
    invoice: OutgoingInvoice | None = None
    pdf_rendered: bool = False
    #: the data checks' findings, for the DATA_INVALID note
    problems: tuple[str, ...] = ()


@dataclass(kw_only=True)
class _Fence:
    """The fence handed to the driver, remembering whether it was passed in this attempt."""

    prove: Callable[[], Awaitable[bool]]
    passed: bool = False

    async def __call__(self) -> None:
        if not await self.prove():
            raise SubmitFenced("the lease was lost before the submit click; not clicked")
        self.passed = True


async def attempt_submission(
    portals: PortalCalls,
    item: Submission,
    account: PortalAccount,
    *,
    load_invoice: Callable[[], Awaitable[InvoiceRecord | None]],
    prepare: Callable[[InvoiceRecord], tuple[OutgoingInvoice, InvoiceDocument]],
    prove_lease: Callable[[], Awaitable[bool]],
    log: Any,
) -> AttemptResult:
    """Take ``item`` through the portal once; the outcome says what happened."""
    evidence = f"submission-{item.submission_id}"
    number = item.portal_invoice_number
    if item.needs_lookup:
        try:
            found = await portals.find_invoice(account, number, evidence=evidence)
        except PortalError as exc:
            return AttemptResult(outcome=failure_outcome(exc, after_fence=False))
        if found is not None:
            return AttemptResult(outcome=FoundOnPortal(portal_reference=found.portal_reference))
    invoice = await load_invoice()
    if invoice is None:
        return AttemptResult(
            outcome=Unusable(
                code="INVOICE_GONE",
                message="the invoice is no longer in RA_CUSTOMER_TRX_ALL for the configured "
                "ORG_IDs",
            )
        )
    problems = invoice_problems(invoice)
    if problems:
        return AttemptResult(
            outcome=Refused(code=DATA_INVALID, message="; ".join(problems), data_check=True),
            problems=tuple(problems),
        )
    try:
        outgoing, document = prepare(invoice)
    except Exception as exc:  # rendering the PDF, mapping the lines: ours, before any page
        log.exception("submission.prepare_failed")
        return AttemptResult(
            outcome=Fault(code=APPLICATION_ERROR, message=f"{type(exc).__name__}: {exc}")
        )
    fence = _Fence(prove=prove_lease)

    def sent(outcome: Outcome) -> AttemptResult:
        return AttemptResult(outcome=outcome, invoice=outgoing, pdf_rendered=document.rendered)

    try:
        receipt = await portals.submit_invoice(
            account, outgoing, document, evidence=evidence, fence=fence
        )
    except PortalError as exc:
        outcome = failure_outcome(exc, after_fence=fence.passed)
        if isinstance(outcome, Fault) and outcome.unclear:
            outcome = await _settle(portals, account, number, evidence, outcome, log)
        return sent(outcome)
    except Exception as exc:  # the unknown is an application fault: retried with backoff
        log.exception("submission.unexpected_error")
        outcome = Fault(
            code=APPLICATION_ERROR,
            message=f"{type(exc).__name__}: {exc}",
            unclear=fence.passed,
        )
        if fence.passed:
            outcome = await _settle(portals, account, number, evidence, outcome, log)
        return sent(outcome)
    return sent(Uploaded(portal_reference=receipt.portal_reference))


def failure_outcome(exc: BaseException, *, after_fence: bool) -> Outcome:
    """What a failure means. A refusal is definitive even after the click; anything else after
    the fence leaves the invoice possibly on the portal (``unclear``)."""
    artifact = exc.artifact_path if isinstance(exc, PortalError) else None
    if isinstance(exc, InvoiceRejected):
        return Refused(code=exc.code, message=exc.message, artifact_path=artifact)
    if isinstance(exc, SubmitFenced):
        return LeaseLost(reason=exc.message)
    if isinstance(exc, LoginFailed):
        # a login paused earlier carries what the portal said then: that is the reason
        return LoginRefused(message=getattr(exc, "reason", None) or exc.message)
    if isinstance(exc, SecretNotFound):
        return LoginRefused(message=str(exc), code="SECRET_MISSING")
    if isinstance(exc, PortalPaused):
        # held in this run (a pause or an open outage breaker the board already knows of):
        # nothing was tried, so nothing to pause again
        return HandBack(reason=exc.message)
    if isinstance(exc, PortalChanged):
        return PageChanged(message=exc.message, unclear=after_fence, artifact_path=artifact)
    if isinstance(exc, PortalError):
        unclear = after_fence and (not isinstance(exc, PortalUnavailable) or exc.after_submit)
        return Fault(
            code=exc.code,
            message=exc.message,
            unclear=unclear,
            unavailable=isinstance(exc, PortalUnavailable),
            artifact_path=artifact,
        )
    return Fault(code=APPLICATION_ERROR, message=f"{type(exc).__name__}: {exc}")


async def _settle(
    portals: PortalCalls,
    account: PortalAccount,
    number: str,
    evidence: str,
    unclear: Fault,
    log: Any,
) -> Outcome:
    """After an unclear end to our own upload: is it there? Found, it is ours; the lookup
    failing leaves it unclear; absent, the next attempt may upload (it looks again first)."""
    log.warning("submission.ambiguous", error=unclear.message)
    try:
        found = await portals.find_invoice(account, number, evidence=evidence)
    except PortalError as exc:
        log.warning("submission.lookup_failed", error=str(exc))
        return unclear
    if found is not None:
        return Uploaded(portal_reference=found.portal_reference or "unknown", recovered=True)
    return Fault(
        code=unclear.code,
        message=f"{unclear.message}; a lookup right after did not find it on the portal",
        unclear=False,
        unavailable=unclear.unavailable,
        artifact_path=unclear.artifact_path,
    )
