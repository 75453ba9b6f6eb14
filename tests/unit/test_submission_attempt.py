"""One attempt's branches against a fake portal gateway (no browser: the branches, not pages).

The real drivers are proved against the stand-in portals in tests/browser and tests/e2e; here
each branch of an attempt runs in milliseconds: lookup first, data checks, the fence before the
click, settling an unclear end by a lookup, and a lookup that fails never leading to an upload.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
import structlog
from pydantic import SecretStr

from config.settings import SupplierSettings
from connectors.oracle.records import (
    InvoiceLineRecord,
    InvoiceRecord,
    Submission,
    SubmissionStatus,
)
from connectors.portals.base import (
    InvoiceDocument,
    OutgoingInvoice,
    PortalAccount,
    PortalInvoice,
    PortalLogin,
    PortalReceipt,
    PortalStatus,
    SubmitFence,
    no_fence,
)
from connectors.portals.errors import PortalError, PortalUnavailable
from jobs.invoice_mapping import invoice_document, to_outgoing_invoice
from jobs.submission import (
    Fault,
    FoundOnPortal,
    LeaseLost,
    Refused,
    Unusable,
    Uploaded,
)
from jobs.submission_attempt import attempt_submission

SUPPLIER = SupplierSettings(name="Northwind Supply Co.")
ACCOUNT = PortalAccount(
    portal_account_id=1,
    login=PortalLogin(
        portal_code="coupa",
        portal_url="http://127.0.0.1:1/coupa",
        login_name="ar@x.example",
        password=SecretStr("pw"),
    ),
    buyer_name="Acme",
)


@dataclass
class FakePortal:
    """Answers lookups and uploads as told; records what reached "the portal"."""

    found: PortalInvoice | None = None
    lookup_errors: list[PortalError] = field(default_factory=list)
    #: raised after the click (the invoice reached the portal), or before it with ``early``
    submit_error: BaseException | None = None
    early: bool = False
    lookups: int = 0
    clicks: list[str] = field(default_factory=list)

    async def find_invoice(
        self, account: PortalAccount, invoice_number: str, *, evidence: str
    ) -> PortalInvoice | None:
        self.lookups += 1
        if self.lookup_errors:
            raise self.lookup_errors.pop(0)
        return self.found

    async def submit_invoice(
        self,
        account: PortalAccount,
        invoice: OutgoingInvoice,
        document: InvoiceDocument,
        *,
        evidence: str,
        fence: SubmitFence = no_fence,
    ) -> PortalReceipt:
        if self.submit_error is not None and self.early:
            raise self.submit_error
        await fence()
        self.clicks.append(invoice.invoice_number)
        if self.submit_error is not None:
            raise self.submit_error
        return PortalReceipt(invoice_number=invoice.invoice_number, portal_reference="CP-9")


def _item(*, started: bool = False) -> Submission:
    return Submission(
        submission_id=7,
        customer_trx_id=70,
        payment_schedule_id=700,
        cust_account_id=1,
        portal_account_id=1,
        trx_number="10234",
        portal_invoice_number="10234",
        status=SubmissionStatus.IN_PROGRESS,
        attempts=2 if started else 1,
        next_attempt_at=None,
        lease_owner="h/1/1",
        lease_token="t",
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
        submit_started_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC) if started else None,
    )


def _invoice(*lines: tuple[str, str], billed: str | None = "121.00") -> InvoiceRecord:
    return InvoiceRecord(
        customer_trx_id=70,
        trx_number="10234",
        trx_date=dt.date(2026, 11, 1),
        term_due_date=dt.date(2026, 12, 1),
        currency="USD",
        purchase_order="PO-1",
        customer_reference=None,
        cust_account_id=1,
        account_number="1001",
        account_name="Acme",
        party_name="Acme",
        lines=tuple(
            InvoiceLineRecord(
                line_number=i,
                line_type=kind,
                description="x",
                quantity=None,
                unit_price=None,
                amount=Decimal(amount),
            )
            for i, (kind, amount) in enumerate(lines, start=1)
        ),
        pdf=None,
        amount_due_original=None if billed is None else Decimal(billed),
    )


GOOD = _invoice(("LINE", "100.00"), ("TAX", "21.00"))


@dataclass
class Fence:
    ok: bool = True
    proofs: int = 0

    async def __call__(self) -> bool:
        self.proofs += 1
        return self.ok


async def _attempt(
    portal: FakePortal,
    *,
    started: bool = False,
    invoice: InvoiceRecord | None = GOOD,
    fence: Fence | None = None,
) -> object:
    async def load() -> InvoiceRecord | None:
        return invoice

    def prepare(record: InvoiceRecord) -> tuple[OutgoingInvoice, InvoiceDocument]:
        outgoing = to_outgoing_invoice(record, portal_invoice_number="10234", buyer_name="Acme")
        return outgoing, invoice_document(record, outgoing, supplier=SUPPLIER)

    result = await attempt_submission(
        portal,
        _item(started=started),
        ACCOUNT,
        load_invoice=load,
        prepare=prepare,
        prove_lease=fence or Fence(),
        log=structlog.get_logger("test"),
    )
    return result.outcome


FOUND = PortalInvoice(
    invoice_number="10234",
    portal_reference="CP-1",
    raw_status="Pending Approval",
    status=PortalStatus.PENDING_APPROVAL,
)


async def test_fresh_item_is_uploaded_once_after_the_fence() -> None:
    """An item never clicked before goes straight to the upload; the fence comes first."""
    portal, fence = FakePortal(), Fence()
    outcome = await _attempt(portal, fence=fence)
    assert outcome == Uploaded(portal_reference="CP-9")
    assert (portal.lookups, portal.clicks, fence.proofs) == (0, ["10234"], 1)


async def test_an_item_that_may_be_there_is_looked_up_first() -> None:
    """Found by the lookup: nothing is uploaded."""
    portal = FakePortal(found=FOUND)
    assert await _attempt(portal, started=True) == FoundOnPortal(portal_reference="CP-1")
    assert portal.clicks == []


async def test_a_failed_lookup_is_a_fault_never_an_upload() -> None:
    """The lookup of an item that may be there fails: a transient fault, and no upload."""
    portal = FakePortal(lookup_errors=[PortalUnavailable("503")])
    outcome = await _attempt(portal, started=True)
    assert isinstance(outcome, Fault) and not outcome.unclear
    assert portal.clicks == []


async def test_a_lost_lease_never_clicks() -> None:
    """The fence refuses: nothing reaches the portal, and the outcome records nothing."""
    portal = FakePortal()
    outcome = await _attempt(portal, fence=Fence(ok=False))
    assert isinstance(outcome, LeaseLost)
    assert portal.clicks == []


async def test_unclear_upload_found_right_after_is_ours() -> None:
    """The confirmation fails after the click; the lookup finds it: submitted, recovered."""
    portal = FakePortal(found=FOUND, submit_error=PortalUnavailable("HTTP 500", after_submit=True))
    assert await _attempt(portal) == Uploaded(portal_reference="CP-1", recovered=True)
    assert portal.clicks == ["10234"]


async def test_unclear_upload_and_failed_lookup_stay_unclear() -> None:
    """Confirmation 500, lookup 503: it may be there; the outcome says so."""
    portal = FakePortal(
        submit_error=PortalUnavailable("HTTP 500", after_submit=True),
        lookup_errors=[PortalUnavailable("HTTP 503")],
    )
    outcome = await _attempt(portal)
    assert isinstance(outcome, Fault) and outcome.unclear


async def test_unclear_upload_not_found_is_an_ordinary_fault() -> None:
    """Confirmation 500, lookup says absent: not unclear (the next attempt looks first)."""
    portal = FakePortal(submit_error=PortalUnavailable("HTTP 500", after_submit=True))
    outcome = await _attempt(portal)
    assert isinstance(outcome, Fault) and not outcome.unclear


async def test_fault_before_the_click_is_not_unclear() -> None:
    """A 503 on the form page, before the fence: surely not on the portal."""
    portal = FakePortal(submit_error=PortalUnavailable("HTTP 503"), early=True)
    outcome = await _attempt(portal)
    assert isinstance(outcome, Fault) and not outcome.unclear
    assert portal.lookups == 0


async def test_our_bug_after_the_click_is_settled_by_a_lookup() -> None:
    """An exception we did not expect after the click: looked up before anything else."""
    portal = FakePortal(found=FOUND, submit_error=KeyError("surprise"))
    assert await _attempt(portal) == Uploaded(portal_reference="CP-1", recovered=True)


@pytest.mark.parametrize(
    ("invoice", "fragment"),
    [
        (_invoice(billed="3759.20"), "no lines"),
        (_invoice(("TAX", "21.00"), billed="21.00"), "only tax lines"),
        (_invoice(("LINE", "100.00"), ("TAX", "21.00"), billed="130.00"), "add up to 121.00"),
        (_invoice(("LINE", "-50.00"), billed="-50.00"), "zero or negative"),
    ],
)
async def test_data_checks_refuse_before_any_upload(invoice: InvoiceRecord, fragment: str) -> None:
    """An invoice EBS cannot bill correctly is refused with what to fix; nothing is sent."""
    portal = FakePortal()
    outcome = await _attempt(portal, invoice=invoice)
    assert isinstance(outcome, Refused) and outcome.data_check
    assert outcome.code == "DATA_INVALID" and fragment in outcome.message
    assert portal.clicks == []


async def test_an_invoice_gone_from_ebs_is_unusable() -> None:
    """The invoice left the configured orgs since it was queued: nothing to upload."""
    portal = FakePortal()
    assert isinstance(await _attempt(portal, invoice=None), Unusable)
    assert portal.clicks == []


async def test_a_failure_to_prepare_the_invoice_is_a_fault_not_a_crash() -> None:
    """Rendering the PDF or mapping the lines failing (our side, before any page) is an
    application fault retried later; nothing reaches the portal and the drain goes on."""
    portal = FakePortal()

    async def load() -> InvoiceRecord | None:
        return GOOD

    def prepare(record: InvoiceRecord) -> tuple[OutgoingInvoice, InvoiceDocument]:
        raise RuntimeError("no supplier to print on the PDF")

    result = await attempt_submission(
        portal,
        _item(),
        ACCOUNT,
        load_invoice=load,
        prepare=prepare,
        prove_lease=Fence(),
        log=structlog.get_logger("test"),
    )
    assert isinstance(result.outcome, Fault) and not result.outcome.unclear
    assert "no supplier" in result.outcome.message
    assert portal.clicks == [] and portal.lookups == 0
