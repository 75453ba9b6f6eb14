"""The words a collector reads in iCollections: one pure function per kind of note.

Every note starts with ``arworker:`` so a collector knows a robot wrote it, and a note that asks
for action starts with ``ACTION NEEDED`` so it stands out in the notes list. Portals are named
the way collectors name them (the portal account's display name, else the family's name), never
by the worker's internal code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from connectors.oracle.records import PortalAccountRecord

NOTE_PREFIX = "arworker: "
ACTION_PREFIX = "ACTION NEEDED - "
#: what a portal family is called when its account has no display name
FAMILY_NAMES = {"coupa": "Coupa", "ariba": "Ariba", "upload": "e-invoicing network"}
DUPLICATE_CODE = "DUPLICATE"


def portal_name_of(account: PortalAccountRecord) -> str:
    """How collectors name this account's portal."""
    return portal_name(account.portal_code, account.display_name)


def portal_name(portal_code: str, display_name: str | None = None) -> str:
    """A portal's display name, else its family's name, else (a recipe's) its code."""
    return display_name or FAMILY_NAMES.get(portal_code, portal_code)


def portal_label(portal_name: str, buyer_name: str | None) -> str:
    return f"{portal_name} portal" + (f" of {buyer_name}" if buyer_name else "")


def money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def submitted(
    *,
    invoice_number: str,
    amount: Decimal,
    currency: str,
    portal_name: str,
    buyer_name: str | None,
    portal_reference: str,
    pdf_rendered: bool,
) -> str:
    text = (
        f"{NOTE_PREFIX}invoice {invoice_number} ({money(amount, currency)}) submitted to the "
        f"{portal_label(portal_name, buyer_name)}; portal document {portal_reference}."
    )
    if pdf_rendered:
        text += " No PDF was attached in EBS: the PDF sent was rendered from the invoice data."
    return text


def already_submitted(
    *, invoice_number: str, portal_name: str, buyer_name: str | None, portal_reference: str | None
) -> str:
    ref = f" (portal document {portal_reference})" if portal_reference else ""
    return (
        f"{NOTE_PREFIX}invoice {invoice_number} was found already on the "
        f"{portal_label(portal_name, buyer_name)}{ref}; it was not uploaded again."
    )


def rejected(
    *, invoice_number: str, portal_name: str, buyer_name: str | None, code: str, reason: str
) -> str:
    where = portal_label(portal_name, buyer_name)
    if code == DUPLICATE_CODE:
        return (
            f"{NOTE_PREFIX}{ACTION_PREFIX}the {where} already holds an invoice numbered "
            f'{invoice_number} ("{reason}" [{code}]), entered by hand or by an earlier upload, '
            f"so it was not uploaded again. Search the portal for {invoice_number}: if it is "
            "this invoice, nothing needs fixing in EBS (a resync of the account finds it and "
            "marks it submitted); if it is another document, contact the customer's AP team."
        )
    return (
        f"{NOTE_PREFIX}{ACTION_PREFIX}the {where} rejected "
        f'invoice {invoice_number}: "{reason}" [{code}]. Correct the invoice in EBS '
        "(for example its PO number), then request a resync of the account."
    )


def data_invalid(*, invoice_number: str, portal_name: str, problems: str) -> str:
    return (
        f"{NOTE_PREFIX}{ACTION_PREFIX}invoice {invoice_number} was not uploaded to the "
        f"{portal_name} portal: {problems}. Correct it in EBS, then request a resync of the "
        "account."
    )


def failed(
    *, invoice_number: str, portal_name: str, buyer_name: str | None, attempts: int, error: str
) -> str:
    return (
        f"{NOTE_PREFIX}{ACTION_PREFIX}invoice {invoice_number} could not be submitted to the "
        f"{portal_label(portal_name, buyer_name)} after {attempts} attempts; last error: {error}. "
        "Nothing reached the portal. The AR automation team has been alerted; a resync of the "
        "account retries it."
    )


def check_portal(
    *, invoice_number: str, portal_name: str, buyer_name: str | None, attempts: int, error: str
) -> str:
    return (
        f"{NOTE_PREFIX}{ACTION_PREFIX}invoice {invoice_number} may have reached the "
        f"{portal_label(portal_name, buyer_name)}: an upload was sent but its answer did not "
        f"come back, and {attempts} attempts to look it up since failed (last error: {error}). "
        f"Please search the portal for {invoice_number}. arworker keeps looking it up and will "
        "never upload it again unless the portal shows it is not there."
    )


def login_failed(
    *,
    portal_name: str,
    login_name: str,
    reason: str,
    secret_ref: str,
    missing_secret: bool = False,
) -> str:
    if missing_secret:
        return (
            f"{NOTE_PREFIX}{ACTION_PREFIX}the password of {login_name} on the {portal_name} "
            f"portal is not configured ({reason}). Invoices for this portal are held until the "
            f"secret {secret_ref} is set; arworker resumes by itself once it is."
        )
    return (
        f"{NOTE_PREFIX}{ACTION_PREFIX}login to the {portal_label(portal_name, None)} as "
        f'{login_name} failed: "{reason}". Invoices for this portal are held, and the login '
        "is not tried again (a second wrong password can lock the account) until its password "
        f"(secret {secret_ref}) is changed or an administrator resumes it "
        "(`arworker accounts resume`)."
    )


def portal_changed(*, portal_name: str, reason: str, reprobe_after_s: float = 0) -> str:
    again = (
        f" arworker tries one invoice again every {_duration(reprobe_after_s)} and resumes by "
        "itself when the pages match;"
        if reprobe_after_s
        else ""
    )
    return (
        f"{NOTE_PREFIX}{ACTION_PREFIX}the {portal_label(portal_name, None)} pages no longer "
        f"match what arworker expects ({reason}). Submissions to this portal are paused;"
        f"{again} the AR automation team has been alerted."
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
    held_on_portal: int = 0,
    at: dt.datetime,
) -> str:
    text = (
        f"{NOTE_PREFIX}resync of account {account_number} at {at:%Y-%m-%d %H:%M} UTC: "
        f"{requeued} re-queued, {enqueued} newly queued, {submitted} submitted, "
        f"{already_submitted} already on the portal, {rejected} rejected, {failed} failed, "
        f"{still_queued} still queued for retry."
    )
    if held_on_portal:
        text += (
            f" {held_on_portal} disputed or rejected on the portal cannot be sent again under "
            "the same number: resolve them on the portal."
        )
    return text


def portal_status(
    *,
    invoice_number: str,
    portal_name: str,
    buyer_name: str | None,
    status: str,
    reason: str | None,
    projected_pay_date: dt.date | None,
    payment_date: dt.date | None,
    payment_reference: str | None,
) -> str | None:
    """The note for a portal verdict, or None when the change is not worth a collector's time."""
    where = f"on the {portal_label(portal_name, buyer_name)}"
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


def _duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = int(seconds // 3600)
        return f"{hours} hour{'s' if hours > 1 else ''}"
    if seconds >= 60:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds)} seconds"
