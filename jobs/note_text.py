"""The words a collector reads in iCollections: one pure function per kind of note.

Every note starts with ``arworker:`` so a collector knows a robot wrote it, and a note that asks
for action starts with ``ACTION NEEDED`` so it stands out in the notes list.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

NOTE_PREFIX = "arworker: "
ACTION_PREFIX = "ACTION NEEDED - "
PORTAL_NAMES = {"coupa": "Coupa", "ariba": "Ariba", "upload": "upload", "recipe": "recipe"}


def portal_label(portal_code: str, buyer_name: str | None) -> str:
    name = PORTAL_NAMES.get(portal_code, portal_code)
    return f"{name} portal" + (f" of {buyer_name}" if buyer_name else "")


def money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def submitted(
    *,
    invoice_number: str,
    amount: Decimal,
    currency: str,
    portal_code: str,
    buyer_name: str | None,
    portal_reference: str,
    pdf_rendered: bool,
) -> str:
    text = (
        f"{NOTE_PREFIX}invoice {invoice_number} ({money(amount, currency)}) submitted to the "
        f"{portal_label(portal_code, buyer_name)}; portal document {portal_reference}."
    )
    if pdf_rendered:
        text += " No PDF was attached in EBS: the PDF sent was rendered from the invoice data."
    return text


def already_submitted(
    *, invoice_number: str, portal_code: str, buyer_name: str | None, portal_reference: str | None
) -> str:
    ref = f" (portal document {portal_reference})" if portal_reference else ""
    return (
        f"{NOTE_PREFIX}invoice {invoice_number} was found already on the "
        f"{portal_label(portal_code, buyer_name)}{ref}; it was not uploaded again."
    )


def rejected(
    *, invoice_number: str, portal_code: str, buyer_name: str | None, code: str, reason: str
) -> str:
    return (
        f"{NOTE_PREFIX}{ACTION_PREFIX}the {portal_label(portal_code, buyer_name)} rejected "
        f'invoice {invoice_number}: "{reason}" [{code}]. Correct the invoice in EBS '
        "(for example its PO number), then request a resync of the account."
    )


def failed(
    *, invoice_number: str, portal_code: str, buyer_name: str | None, attempts: int, error: str
) -> str:
    return (
        f"{NOTE_PREFIX}{ACTION_PREFIX}invoice {invoice_number} could not be submitted to the "
        f"{portal_label(portal_code, buyer_name)} after {attempts} attempts; last error: {error}. "
        "The AR automation team has been alerted; a resync retries it."
    )


def login_failed(*, portal_code: str, login_name: str, reason: str, secret_ref: str) -> str:
    return (
        f"{NOTE_PREFIX}{ACTION_PREFIX}login to the {portal_label(portal_code, None)} as "
        f'{login_name} failed: "{reason}". Invoices for this portal were not submitted in this '
        f"run. Fix the password (secret {secret_ref}) or unlock the portal user; arworker does "
        "not retry a failed login within a run, to avoid locking the account."
    )


def portal_changed(*, portal_code: str, reason: str) -> str:
    return (
        f"{NOTE_PREFIX}{ACTION_PREFIX}the {portal_label(portal_code, None)} pages no longer match "
        f"what arworker expects ({reason}). Submissions to this portal are paused for this run; "
        "the AR automation team has been alerted."
    )


def resync_summary(
    *,
    account_number: str,
    requeued: int,
    enqueued: int,
    submitted: int,
    already_submitted: int,
    rejected: int,
    failed: int,
    still_queued: int,
    at: dt.datetime,
) -> str:
    return (
        f"{NOTE_PREFIX}resync of account {account_number} at {at:%Y-%m-%d %H:%M} UTC: "
        f"{requeued} re-queued, {enqueued} newly queued, {submitted} submitted, "
        f"{already_submitted} already on the portal, {rejected} rejected, {failed} failed, "
        f"{still_queued} still queued for retry."
    )


def portal_status(
    *,
    invoice_number: str,
    portal_code: str,
    buyer_name: str | None,
    status: str,
    reason: str | None,
    projected_pay_date: dt.date | None,
    payment_date: dt.date | None,
    payment_reference: str | None,
) -> str | None:
    """The note for a portal verdict, or None when the change is not worth a collector's time."""
    where = f"on the {portal_label(portal_code, buyer_name)}"
    if status == "APPROVED":
        text = f"{NOTE_PREFIX}invoice {invoice_number} was approved {where}"
        if projected_pay_date:
            text += f"; projected payment date {projected_pay_date:%Y-%m-%d}"
        return text + "."
    if status == "DISPUTED":
        return (
            f"{NOTE_PREFIX}{ACTION_PREFIX}invoice {invoice_number} is disputed {where}: "
            f'"{reason or "no reason given"}". Correct it (or issue a credit memo), then '
            "request a resync of the account."
        )
    if status == "REJECTED":
        return (
            f"{NOTE_PREFIX}{ACTION_PREFIX}invoice {invoice_number} was rejected {where} after "
            f'submission: "{reason or "no reason given"}". Correct it, then request a resync.'
        )
    if status == "PAID":
        text = f"{NOTE_PREFIX}invoice {invoice_number} was paid {where}"
        if payment_date:
            text += f" on {payment_date:%Y-%m-%d}"
        if payment_reference:
            text += f", payment number {payment_reference}"
        return text + "."
    if status == "VOIDED":
        return f"{NOTE_PREFIX}invoice {invoice_number} was voided {where}."
    return None
