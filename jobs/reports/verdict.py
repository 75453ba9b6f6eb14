"""What the customer's portal did with an invoice, in the words the past-due report prints.

The report puts the aging next to the portal's verdict: submitted, approved (with the projected
pay date), disputed (with the buyer's reason), paid, rejected, or not on a portal at all. The
reason is the portal's own text: untrusted, carried as data, escaped by whoever renders it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from connectors.oracle.report_records import PastDueItem

#: how much of a portal's reason a report cell shows
REASON_MAX_CHARS = 300


class VerdictKind(StrEnum):
    """The verdict's category, for filtering and for the JSON output."""

    NOT_ON_PORTAL = "not_on_portal"
    QUEUED = "queued"
    UNCERTAIN = "uncertain"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    DISPUTED = "disputed"
    PAID = "paid"
    VOIDED = "voided"
    REJECTED = "rejected"
    FAILED = "failed"


@dataclass(frozen=True, kw_only=True, slots=True)
class PortalVerdict:
    kind: VerdictKind
    text: str


def portal_verdict(item: PastDueItem) -> PortalVerdict:
    """The verdict of an item's latest submission (none: not on a portal)."""
    status, portal = item.submission_status, item.portal_status
    where = f" on {item.portal_code}" if item.portal_code else ""
    if status is None:
        return PortalVerdict(kind=VerdictKind.NOT_ON_PORTAL, text="not on a portal")
    if portal == "DISPUTED":
        return PortalVerdict(
            kind=VerdictKind.DISPUTED,
            text=f"disputed{where}: {_reason(item.portal_status_reason)}",
        )
    if status in ("PENDING", "IN_PROGRESS"):
        return PortalVerdict(kind=VerdictKind.QUEUED, text=f"queued for submission{where}")
    if status == "UNCERTAIN":
        return PortalVerdict(
            kind=VerdictKind.UNCERTAIN, text=f"being checked{where} after an interrupted upload"
        )
    if status == "REJECTED":
        reason = item.portal_status_reason or item.last_error_text
        return PortalVerdict(kind=VerdictKind.REJECTED, text=f"rejected{where}: {_reason(reason)}")
    if status == "FAILED":
        return PortalVerdict(
            kind=VerdictKind.FAILED, text=f"failed{where}: {_reason(item.last_error_text)}"
        )
    return _after_submission(item, where)


def _after_submission(item: PastDueItem, where: str) -> PortalVerdict:
    portal = item.portal_status
    if portal == "APPROVED":
        pay = item.projected_pay_date
        text = f"approved{where}" + (f", projected pay date {pay.isoformat()}" if pay else "")
        return PortalVerdict(kind=VerdictKind.APPROVED, text=text)
    if portal == "PAID":
        paid = item.payment_date
        text = f"paid{where}" + (f" on {paid.isoformat()}" if paid else "")
        return PortalVerdict(kind=VerdictKind.PAID, text=text)
    if portal == "VOIDED":
        return PortalVerdict(kind=VerdictKind.VOIDED, text=f"voided{where}")
    if portal == "REJECTED":
        text = f"rejected{where}: {_reason(item.portal_status_reason)}"
        return PortalVerdict(kind=VerdictKind.REJECTED, text=text)
    return PortalVerdict(kind=VerdictKind.SUBMITTED, text=f"submitted{where}, awaiting approval")


def _reason(text: str | None) -> str:
    if not text or not text.strip():
        return "no reason given"
    text = " ".join(text.split())
    return text if len(text) <= REASON_MAX_CHARS else text[: REASON_MAX_CHARS - 1] + "…"
