"""The upload-style portal's books: uploads, the checks at the door, the checks done later.

Tungsten and Basware take an invoice in two stages (``reference/portals.md`` §1.3, §1.4, §1.9):
the form refuses what it cannot read (a missing field, a date or an amount not written the
buyer's way, a file that is not a PDF), then the upload is listed as *Processing* and is
validated later against the buyer's books; it becomes *Accepted* or lands in *Invoices in
error* with a failure reason ("VAL 7 ..."). Only an accepted upload reaches the buyer, so only
then is it written to the sandbox ledger. Afterwards the buyer's AP team moves it to *Approved*
(with the date it will be paid), *Paid* (with a payment reference) or *Rejected*, through the
sandbox admin endpoint. Kept apart from the pages so the rules read as plain code.
All state is in memory.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sandbox.catalog import Buyer, Catalog, PurchaseOrder
from sandbox.ledger import Ledger, ReceivedInvoice
from sandbox.upload_locale import AmountLocale, AmountRefused, locale_of, read_amount

FAMILY = "upload"
#: catalog extra keys: validation delay, default locale (and ``upload_locale:{BUYER}``), back-dating
DELAY_EXTRA_KEY = "upload_validation_delay_s"
LOCALE_EXTRA_KEY = "upload_locale"
BACKDATE_EXTRA_KEY = "upload_max_backdate_days"
DEFAULT_VALIDATION_DELAY_S = 1.0  #: "a little later": long enough to see Processing
DEFAULT_MAX_BACKDATE_DAYS = 365
DEFAULT_PAYMENT_TERMS_DAYS = 30  #: projected payment date when the admin gives none
INVOICE_NUMBER_MAX_CHARS = 30
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
PDF_SIGNATURE = b"%PDF"
DATE_FORMAT = "%d.%m.%Y"
DATE_FORMAT_HINT = "DD.MM.YYYY"
CURRENCIES = ("EUR", "USD", "GBP", "CHF", "CAD", "SEK", "PLN", "JPY")

MESSAGE_DUPLICATE = "VAL 7: Invoice number {number} has already been submitted to this customer"
MESSAGE_PO_REQUIRED = "VAL 8: A purchase order number is required by this customer"
MESSAGE_PO_UNKNOWN = "VAL 8: Purchase order {po} was not found for this customer"
MESSAGE_PO_AMOUNT = (
    "VAL 9: Invoice net amount exceeds the open balance of purchase order {po} ({left} left)"
)
MESSAGE_PO_CLOSED = "VAL 10: Purchase order {po} is closed"
MESSAGE_DATE_FUTURE = "VAL 11: Invoice date {date} is in the future"
MESSAGE_DATE_OLD = "VAL 12: Invoice date {date} is more than {days} days in the past"
MESSAGE_DUE_BEFORE = "VAL 13: Due date {due} is before the invoice date {date}"
MESSAGE_PDF_UNREADABLE = "VAL 14: The attached document could not be read as a PDF"
MESSAGE_CURRENCY = "VAL 15: Currency {currency} does not match purchase order currency {po_ccy}"


class UploadStatus(StrEnum):
    """Statuses as the portal words them."""

    #: received, validation not done yet
    PROCESSING = "Processing"
    #: validated and delivered to the buyer
    ACCEPTED = "Accepted"
    #: refused by the validation; the failure reason says why
    IN_ERROR = "In error"
    #: approved by the buyer, with a projected payment date
    APPROVED = "Approved"
    #: paid, with a payment date and reference
    PAID = "Paid"
    #: refused by the buyer after delivery, with a reason
    REJECTED = "Rejected"


#: status → statuses the admin endpoint may move it to
ALLOWED_TRANSITIONS: Mapping[UploadStatus, frozenset[UploadStatus]] = {
    UploadStatus.PROCESSING: frozenset(),
    UploadStatus.IN_ERROR: frozenset(),
    UploadStatus.ACCEPTED: frozenset({UploadStatus.APPROVED, UploadStatus.REJECTED}),
    UploadStatus.APPROVED: frozenset({UploadStatus.PAID, UploadStatus.REJECTED}),
    UploadStatus.PAID: frozenset(),
    UploadStatus.REJECTED: frozenset(),
}
#: statuses whose invoice number counts as used (a rejected one too: resubmit with a new number)
NUMBER_TAKEN = frozenset(
    {UploadStatus.ACCEPTED, UploadStatus.APPROVED, UploadStatus.PAID, UploadStatus.REJECTED}
)
#: statuses whose amount is drawn on the purchase order
DRAWS_ON_PO = frozenset({UploadStatus.ACCEPTED, UploadStatus.APPROVED, UploadStatus.PAID})


@dataclass(frozen=True, kw_only=True, slots=True)
class Attachment:
    file_name: str
    data: bytes


@dataclass(frozen=True, kw_only=True, slots=True)
class UploadEntry:
    """The upload form as the supplier filled it, every value still text."""

    number: str
    invoice_date: str
    due_date: str
    po_number: str
    currency: str
    net_amount: str
    tax_amount: str
    total_amount: str
    attachment: Attachment | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Upload:
    """One upload as the portal keeps it."""

    reference: str  #: the portal's own id ("UP-000001"), never the supplier's number
    number: str
    supplier: str  #: the login that uploaded it
    buyer_code: str
    invoice_date: dt.date
    due_date: dt.date | None
    po_number: str
    currency: str
    net_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal
    attachment_name: str
    attachment_readable: bool
    uploaded_at: dt.datetime
    validate_at_s: float  #: clock time after which the validation runs
    status: UploadStatus = UploadStatus.PROCESSING
    status_date: dt.date | None = None
    reason: str | None = None
    projected_payment_date: dt.date | None = None
    payment_date: dt.date | None = None
    payment_reference: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Intake:
    """The outcome of a form post: the upload (Processing), or the errors per form field."""

    upload: Upload | None
    #: logical field ("number", "invoice_date", "net_amount", "attachment", "form"...) → message
    errors: Mapping[str, str]


@dataclass(frozen=True, kw_only=True, slots=True)
class StatusChange:
    """A move in an accepted invoice's lifecycle, as the admin endpoint receives it."""

    status: UploadStatus
    projected_payment_date: dt.date | None = None
    payment_date: dt.date | None = None
    payment_reference: str | None = None
    reason: str | None = None


class LifecycleRefused(Exception):
    """The requested status change is not possible from the upload's current status."""


class UploadRecords:
    """Buyers, their purchase orders and locales, and every upload on the portal."""

    def __init__(
        self,
        catalog: Catalog,
        ledger: Ledger,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        own = catalog.for_family(FAMILY)
        self._buyers = {b.code: b for b in own.buyers}
        self._pos = {(po.buyer_code, po.number.casefold()): po for po in own.purchase_orders}
        self._ledger = ledger
        self._clock = clock
        self._default_locale = catalog.extra.get(LOCALE_EXTRA_KEY)
        self._locales = {
            code: catalog.extra[f"{LOCALE_EXTRA_KEY}:{code}"]
            for code in self._buyers
            if f"{LOCALE_EXTRA_KEY}:{code}" in catalog.extra
        }
        self._max_backdate_days = int(
            catalog.extra.get(BACKDATE_EXTRA_KEY, DEFAULT_MAX_BACKDATE_DAYS)
        )
        self.baseline_delay_s = float(
            catalog.extra.get(DELAY_EXTRA_KEY, DEFAULT_VALIDATION_DELAY_S)
        )
        self.validation_delay_s = self.baseline_delay_s
        self._uploads: dict[str, Upload] = {}  # by reference, in upload order
        self._next_reference = 1
        self._next_payment = 1

    # --- buyers -----------------------------------------------------------------------------

    def buyers(self) -> list[Buyer]:
        return sorted(self._buyers.values(), key=lambda b: b.name.casefold())

    def buyer(self, code: str | None) -> Buyer | None:
        return self._buyers.get(code) if code else None

    def locale(self, buyer_code: str) -> AmountLocale:
        """The buyer's locale: it decides how amounts must be written on its form."""
        return locale_of(self._locales.get(buyer_code, self._default_locale))

    # --- intake (synchronous checks) ------------------------------------------------------

    def receive(self, *, supplier: str, buyer: Buyer, entry: UploadEntry) -> Intake:
        """Refuse what the form cannot read; otherwise store the upload as Processing."""
        errors: dict[str, str] = {}
        locale = self.locale(buyer.code)
        number = entry.number.strip()
        if not number:
            errors["number"] = "Invoice number is required"
        elif any(ch.isspace() for ch in number):
            errors["number"] = "Invoice number must not contain spaces"
        elif len(number) > INVOICE_NUMBER_MAX_CHARS:
            errors["number"] = (
                f"Invoice number is longer than {INVOICE_NUMBER_MAX_CHARS} characters"
            )
        invoice_date = _date(entry.invoice_date, "Invoice date", errors, "invoice_date")
        due_date = None
        if entry.due_date.strip():
            due_date = _date(entry.due_date, "Due date", errors, "due_date")
        currency = entry.currency.strip().upper()
        if currency not in CURRENCIES:
            errors["currency"] = "Select the invoice currency"
        amounts: dict[str, Decimal] = {}
        for field, label, text in (
            ("net_amount", "Net amount", entry.net_amount),
            ("tax_amount", "Tax amount", entry.tax_amount),
            ("total_amount", "Total amount", entry.total_amount),
        ):
            try:
                amounts[field] = read_amount(text, locale)
            except AmountRefused as exc:
                errors[field] = f"{label}: {exc}"
        net, tax, total = (amounts.get(k) for k in ("net_amount", "tax_amount", "total_amount"))
        if net is not None and tax is not None and total is not None and net + tax != total:
            errors["total_amount"] = "Total amount must equal net amount plus tax amount"
        attachment = entry.attachment
        if attachment is None or not attachment.file_name:
            errors["attachment"] = "Attach the invoice as a PDF file"
        elif not attachment.file_name.lower().endswith(".pdf"):
            errors["attachment"] = "Only PDF files can be uploaded"
        elif not attachment.data:
            errors["attachment"] = "The attached file is empty"
        elif len(attachment.data) > ATTACHMENT_MAX_BYTES:
            limit_mb = ATTACHMENT_MAX_BYTES // (1024 * 1024)
            errors["attachment"] = f"The attached file is larger than {limit_mb} MB"
        if errors or invoice_date is None or attachment is None or None in (net, tax, total):
            return Intake(upload=None, errors=errors)
        assert net is not None and tax is not None and total is not None  # for the type checker
        upload = Upload(
            reference=f"UP-{self._next_reference:06d}",
            number=number,
            supplier=supplier,
            buyer_code=buyer.code,
            invoice_date=invoice_date,
            due_date=due_date,
            po_number=entry.po_number.strip(),
            currency=currency,
            net_amount=net,
            tax_amount=tax,
            total_amount=total,
            attachment_name=attachment.file_name,
            attachment_readable=attachment.data.startswith(PDF_SIGNATURE),
            uploaded_at=dt.datetime.now(dt.UTC),
            validate_at_s=self._clock() + self.validation_delay_s,
            status_date=dt.date.today(),
        )
        self._next_reference += 1
        self._uploads[upload.reference] = upload
        return Intake(upload=upload, errors={})

    # --- validation (asynchronous) --------------------------------------------------------

    def settle(self, today: dt.date | None = None) -> int:
        """Validate every upload whose time has come, in upload order; returns how many."""
        now = self._clock()
        day = today or dt.date.today()
        due = [
            u
            for u in self._uploads.values()
            if u.status is UploadStatus.PROCESSING and u.validate_at_s <= now
        ]
        for upload in due:
            reason = self._failure(upload, day)
            if reason is None:
                settled = dataclasses.replace(upload, status=UploadStatus.ACCEPTED, status_date=day)
                self._record_received(settled)
            else:
                settled = dataclasses.replace(
                    upload, status=UploadStatus.IN_ERROR, status_date=day, reason=reason
                )
            self._uploads[upload.reference] = settled
        return len(due)

    def next_validation_in_s(self) -> float | None:
        """Seconds until the next Processing upload is due, or None when none is waiting."""
        waiting = [
            u.validate_at_s for u in self._uploads.values() if u.status is UploadStatus.PROCESSING
        ]
        return max(0.0, min(waiting) - self._clock()) if waiting else None

    def _failure(self, upload: Upload, today: dt.date) -> str | None:
        """The first rule the upload breaks, worded as the portal's failure reason."""
        if self._number_taken(upload):
            return MESSAGE_DUPLICATE.format(number=upload.number)
        po = self._pos.get((upload.buyer_code, upload.po_number.casefold()))
        if not upload.po_number:
            return MESSAGE_PO_REQUIRED
        if po is None:
            return MESSAGE_PO_UNKNOWN.format(po=upload.po_number)
        if po.status != "OPEN":
            return MESSAGE_PO_CLOSED.format(po=po.number)
        if upload.currency != po.currency:
            return MESSAGE_CURRENCY.format(currency=upload.currency, po_ccy=po.currency)
        left = self.remaining(po)
        if upload.net_amount > left:
            return MESSAGE_PO_AMOUNT.format(po=po.number, left=f"{left:,.2f} {po.currency}")
        shown = upload.invoice_date.strftime(DATE_FORMAT)
        if upload.invoice_date > today:
            return MESSAGE_DATE_FUTURE.format(date=shown)
        if (today - upload.invoice_date).days > self._max_backdate_days:
            return MESSAGE_DATE_OLD.format(date=shown, days=self._max_backdate_days)
        if upload.due_date is not None and upload.due_date < upload.invoice_date:
            return MESSAGE_DUE_BEFORE.format(due=upload.due_date.strftime(DATE_FORMAT), date=shown)
        if not upload.attachment_readable:
            return MESSAGE_PDF_UNREADABLE
        return None

    def _number_taken(self, upload: Upload) -> bool:
        wanted = upload.number.casefold()
        return any(
            u.status in NUMBER_TAKEN
            and u.supplier == upload.supplier
            and u.buyer_code == upload.buyer_code
            and u.number.casefold() == wanted
            for u in self._uploads.values()
        )

    def remaining(self, po: PurchaseOrder) -> Decimal:
        """What is left on the PO after the uploads drawn on it."""
        drawn = sum(
            (
                u.net_amount
                for u in self._uploads.values()
                if u.status in DRAWS_ON_PO
                and u.buyer_code == po.buyer_code
                and u.po_number.casefold() == po.number.casefold()
            ),
            Decimal("0.00"),
        )
        return po.remaining - drawn

    def _record_received(self, upload: Upload) -> None:
        buyer = self._buyers[upload.buyer_code]
        self._ledger.record_received(
            ReceivedInvoice(
                portal=FAMILY,
                buyer=buyer.code,
                buyer_name=buyer.name,
                invoice_number=upload.number,
                amount=upload.total_amount,
                currency=upload.currency,
                portal_reference=upload.reference,
                received_at=dt.datetime.now(dt.UTC),
            )
        )

    # --- reading ----------------------------------------------------------------------------

    def uploads(
        self, supplier: str, *, number: str = "", status: UploadStatus | None = None
    ) -> list[Upload]:
        """The supplier's uploads whose number contains ``number``, newest first."""
        needle = number.strip().casefold()
        found = [
            u
            for u in self._uploads.values()
            if u.supplier == supplier
            and needle in u.number.casefold()
            and (status is None or u.status is status)
        ]
        return found[::-1]

    def all_uploads(self) -> list[Upload]:
        """Every upload of every supplier, in upload order (for the admin endpoint)."""
        return list(self._uploads.values())

    # --- lifecycle (admin) ------------------------------------------------------------------

    def change_status(
        self, *, number: str, change: StatusChange, today: dt.date, buyer_code: str | None = None
    ) -> Upload:
        """Move the live upload with that number; LookupError or LifecycleRefused otherwise."""
        matches = [
            u
            for u in self._uploads.values()
            if u.number == number
            and (buyer_code is None or u.buyer_code == buyer_code)
            and u.status is not UploadStatus.IN_ERROR
        ]
        if not matches:
            raise LookupError(f"no upload {number!r} on the {FAMILY} portal (in error ones aside)")
        if len({u.buyer_code for u in matches}) > 1:
            raise LifecycleRefused(f"upload {number!r} exists for several buyers; name one")
        current = matches[-1]
        if change.status not in ALLOWED_TRANSITIONS[current.status]:
            raise LifecycleRefused(
                f"upload {number!r} is {current.status.value}; cannot become {change.status.value}"
            )
        updated = dataclasses.replace(current, status=change.status, status_date=today)
        if change.status is UploadStatus.APPROVED:
            updated = dataclasses.replace(
                updated,
                projected_payment_date=change.projected_payment_date
                or today + dt.timedelta(days=DEFAULT_PAYMENT_TERMS_DAYS),
            )
        elif change.status is UploadStatus.PAID:
            reference = change.payment_reference
            if not reference:
                reference = f"PAY-{self._next_payment:06d}"
                self._next_payment += 1
            updated = dataclasses.replace(
                updated, payment_date=change.payment_date or today, payment_reference=reference
            )
        elif change.status is UploadStatus.REJECTED:
            updated = dataclasses.replace(updated, reason=change.reason or "Rejected by customer")
        self._uploads[updated.reference] = updated
        return updated

    def reset(self) -> None:
        """Forget every upload and the delay set by the admin (references keep counting)."""
        self._uploads.clear()
        self.validation_delay_s = self.baseline_delay_s


def _date(text: str, label: str, errors: dict[str, str], field: str) -> dt.date | None:
    raw = text.strip()
    if not raw:
        errors[field] = f"{label} is required"
        return None
    try:
        return dt.datetime.strptime(raw, DATE_FORMAT).date()
    except ValueError:
        errors[field] = f"{label} must be a date written {DATE_FORMAT_HINT}"
        return None
