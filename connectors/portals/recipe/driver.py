"""The recipe driver: any portal a TOML recipe describes, driven without portal-specific Python.

Most of a collections team's portals are simple upload portals that change now and then; a
Python driver per portal does not scale, a checked recipe does (``config/portals/<code>.toml``,
:mod:`connectors.portals.recipe.model`). :class:`RecipeDriver` meets the driver contract from a
loaded recipe and keeps the promises of the hand-written drivers:

- nothing is retried here and nothing is submitted twice: every failure after the submit click
  is ``PortalUnavailable(after_submit=True)``, so the caller looks the invoice up first;
- the portal's own words become ``InvoiceRejected`` with the code of the first
  ``[[rejections]]`` rule that matches them (``OTHER`` when none does), whether the form
  refused them at once or the portal's validation did later ("Invoices in error");
- a portal that validates later is watched on its status page until the upload leaves its
  "Processing" statuses, or until the recipe's timeout, after which the upload stands as
  received and the status job reads the verdict;
- a selector that finds nothing is ``PortalChanged`` naming the recipe file, line and key;
- the invoice list (``[status.list]``) settles only the verdicts it reads exactly as the
  invoice's own status search would (:meth:`RecipeDriver.invoice_statuses`); the rest is left
  to that search.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING

import structlog

from connectors.portals.base import (
    DEFAULT_LIST_PAGES,
    InvoiceDocument,
    OutgoingInvoice,
    PortalAccount,
    PortalInvoice,
    PortalReceipt,
    PortalStatus,
    StatusList,
    SubmitFence,
    no_fence,
)
from connectors.portals.errors import (
    InvoiceRejected,
    LoginFailed,
    PortalChanged,
    PortalError,
    PortalUnavailable,
    RejectionCode,
    wrap_playwright_errors,
)
from connectors.portals.invoice_entry import confirmed_receipt, entry_lines
from connectors.portals.list_reads import asked_once
from connectors.portals.login_codes import authenticator_code
from connectors.portals.matching import normalised, number_key, same_number
from connectors.portals.portal_page import LoginStage, log_in_once_more_if_expired
from connectors.portals.recipe.files import LoadedRecipe
from connectors.portals.recipe.model import LinesSection
from connectors.portals.recipe.numbers import parse_amount
from connectors.portals.recipe.page import RecipePage, StatusRow
from connectors.portals.recipe.template import (
    TemplateValues,
    account_values,
    document_values,
    invoice_values,
    line_values,
)

if TYPE_CHECKING:
    from playwright.async_api import Page

log = structlog.get_logger()

#: the details a verdict of each status may carry (a pay date set on approval stays through
#: what follows). A list that lacks a detail's column while the status search reads it leaves
#: those verdicts to the search: read from the list, they would lack what the notes say.
DETAILS_OF: Mapping[str, frozenset[PortalStatus]] = {
    "reason": frozenset({PortalStatus.DISPUTED, PortalStatus.REJECTED, PortalStatus.VOIDED}),
    "projected_pay_date": frozenset(
        {PortalStatus.APPROVED, PortalStatus.PAID, PortalStatus.DISPUTED, PortalStatus.REJECTED}
    ),
    "payment_date": frozenset({PortalStatus.PAID}),
    "payment_reference": frozenset({PortalStatus.PAID}),
}
#: the columns holding dates: a date the list writes but that does not parse settles nothing
DATE_COLUMNS = ("status_date", "projected_pay_date", "payment_date")


class RecipeDriver:
    """Drives the portal its recipe describes; holds no page, only the checked recipe."""

    def __init__(self, loaded: LoadedRecipe) -> None:
        self.loaded = loaded
        self.recipe = loaded.recipe
        self.family = loaded.code
        self._rules = [
            (re.compile(rule.pattern, re.IGNORECASE), rule.code) for rule in self.recipe.rejections
        ]
        self._status_map = {
            normalised(raw): status for raw, status in self.recipe.status.map.items()
        }
        self._refused = {normalised(raw) for raw in self.recipe.status.refused}

    # --- the contract -----------------------------------------------------------------------

    async def login(self, page: Page, account: PortalAccount) -> None:
        """The recipe's login steps, then its TOTP step if asked; LoginFailed on refusal.

        A session the portal drops during the login (SessionExpired) gets one more login.
        """
        await log_in_once_more_if_expired(partial(self._log_in, page, account))

    async def _log_in(self, page: Page, account: PortalAccount) -> None:
        spec = self.recipe.login
        session = RecipePage(page, self.loaded, account)
        values: TemplateValues = {"account": account_values(account)}
        await session.open(spec.open, ("login", "open"), values, stage=LoginStage.OPENING)
        if await session.count(spec.signed_in):
            return  # the stored session is still good
        await session.run_steps(("login", "steps"), spec.steps, values)
        await session.click_and_land(spec.submit, ("login", "submit"), stage=LoginStage.SUBMITTED)
        totp = spec.totp
        if totp is not None and await session.count(totp.field):
            secret = account.login.totp_secret
            if secret is None:
                raise LoginFailed(
                    "the portal asks for a verification code but the portal account has no "
                    "TOTP secret configured"
                )
            field = await session.element(totp.field, ("login", "totp", "field"))
            with wrap_playwright_errors("login: verification code"):
                await field.fill(authenticator_code(secret))
            await session.click_and_land(
                totp.submit, ("login", "totp", "submit"), stage=LoginStage.SUBMITTED
            )
        await session.element(spec.signed_in, ("login", "signed_in"))

    async def find_invoice(
        self, page: Page, account: PortalAccount, invoice_number: str
    ) -> PortalInvoice | None:
        """The invoice's row on the status page, or None when the portal does not hold it.

        An upload the portal refused (a ``[status] refused`` word, "In error") is not held:
        looked up before a re-upload, it must read as absent, or the corrected invoice would
        never be sent again.
        """
        found = await self.invoice_status(page, account, invoice_number)
        if found is not None and normalised(found.raw_status) in self._refused:
            return None
        return found

    async def invoice_statuses(
        self,
        page: Page,
        account: PortalAccount,
        invoice_numbers: Sequence[str],
        *,
        max_pages: int = DEFAULT_LIST_PAGES,
    ) -> StatusList:
        """The verdicts the recipe's invoice list settles, read page after page.

        Stops once every asked number was seen, at the list's end, or after ``max_pages``
        pages (and the recipe's own ``max_pages``). A number is settled only when the list
        reads it as :meth:`invoice_status` would: shown once among the account customer's rows,
        with a status of [status.map], and every detail its verdict may carry
        (:data:`DETAILS_OF`) in a column of the list. A REJECTED row (a refused upload) is
        settled only once the whole list was read, since the status search prefers a live
        upload of the number that a later page might hold. A recipe without ``[status.list]``
        settles nothing.
        """
        listed = self.recipe.status.list
        asked = asked_once(invoice_numbers)
        if listed is None or not asked or max_pages < 1:
            return StatusList()
        session = RecipePage(page, self.loaded, account)
        keys = {number_key(number) for number in asked}

        def enough(rows: list[StatusRow]) -> bool:
            seen = {number_key(row.get("number")) for row in rows if self._mine(row, account)}
            return keys <= seen

        read = await session.list_rows(
            {"account": account_values(account)},
            max_pages=min(max_pages, listed.max_pages or max_pages),
            enough=enough,
        )
        shown: dict[str, list[StatusRow]] = {}
        for row in read.rows:
            if self._mine(row, account):
                shown.setdefault(number_key(row.get("number")), []).append(row)
        verdicts: dict[str, PortalInvoice] = {}
        for number in asked:
            verdict = self._listed(
                session, shown.get(number_key(number), []), number, ended=read.ended
            )
            if verdict is not None:
                verdicts[number] = verdict
        log.info(
            "recipe.status_list",
            portal=self.family,
            asked=len(asked),
            settled=len(verdicts),
            pages_read=read.pages_read,
            list_ended=read.ended,
        )
        return StatusList(verdicts=verdicts, pages_read=read.pages_read)

    async def invoice_status(
        self, page: Page, account: PortalAccount, invoice_number: str
    ) -> PortalInvoice | None:
        """What the status page says of the invoice: status, dates, reason, payment.

        Several uploads of one number (a refused one, then the corrected one): the newest the
        portal did not refuse wins, else the newest.
        """
        session = RecipePage(page, self.loaded, account)
        row = await self._row(session, account, invoice_number)
        return self._invoice(session, row, invoice_number) if row is not None else None

    async def submit_invoice(
        self,
        page: Page,
        account: PortalAccount,
        invoice: OutgoingInvoice,
        document: InvoiceDocument,
        fence: SubmitFence = no_fence,
    ) -> PortalReceipt:
        """Open the form, run the steps, submit once, read the confirmation (and the verdict)."""
        spec = self.recipe.submit
        session = RecipePage(page, self.loaded, account)
        values: TemplateValues = {
            "invoice": invoice_values(invoice),
            "account": account_values(account),
            "document": document_values(document),
        }
        await session.open(spec.open, ("submit", "open"), values)
        await session.run_steps(("submit", "steps"), spec.steps, values, document=document)
        if spec.lines is not None:
            await self._fill_lines(session, spec.lines, invoice, values)
        await fence()
        await session.click_and_land(spec.button, ("submit", "button"), after_submit=True)
        receipt = await self._confirmation(session, invoice)
        if spec.processing is None:
            return receipt
        return await self._verdict(session, account, invoice, receipt)

    # --- submitting -------------------------------------------------------------------------

    async def _fill_lines(
        self,
        session: RecipePage,
        spec: LinesSection,
        invoice: OutgoingInvoice,
        values: TemplateValues,
    ) -> None:
        """Make the lines table hold exactly the invoice's lines, then type each row."""
        lines = entry_lines(invoice)
        where = session.where(("submit", "lines", "row"))
        rows = session.page.locator(spec.row)
        with wrap_playwright_errors(where):
            present = await rows.count()
            for index in range(present - 1, len(lines) - 1, -1):
                if spec.remove is None:
                    raise PortalChanged(
                        f"{where}: the form has {present} line rows for {len(lines)} lines "
                        "and [submit.lines] names no 'remove' button"
                    )
                remove = await session.element(
                    spec.remove, ("submit", "lines", "remove"), scope=rows.nth(index)
                )
                await remove.click(timeout=session.element_ms)
            for _ in range(len(lines) - min(present, len(lines))):
                if spec.add is None:
                    raise PortalChanged(f"{where}: more lines than rows and no 'add' button")
                add = await session.element(spec.add, ("submit", "lines", "add"))
                await add.click(timeout=session.element_ms)
            if await rows.count() != len(lines):
                raise PortalChanged(f"{where}: the lines table did not take {len(lines)} rows")
        for index, line in enumerate(lines):
            row_values: TemplateValues = {**values, "line": line_values(line)}
            await session.run_steps(
                ("submit", "lines", "steps"), spec.steps, row_values, scope=rows.nth(index)
            )

    async def _confirmation(self, session: RecipePage, invoice: OutgoingInvoice) -> PortalReceipt:
        """The confirmation's reference, or the form's errors as a rejection."""
        spec = self.recipe.submit
        step = f"submit invoice {invoice.invoice_number}"
        if await session.count(spec.confirmation.reference.selector):
            reference = await session.value(
                spec.confirmation.reference,
                ("submit", "confirmation", "reference"),
                after_submit=True,
            )
            confirmed = invoice.invoice_number
            if spec.confirmation.number is not None:
                confirmed = await session.value(
                    spec.confirmation.number,
                    ("submit", "confirmation", "number"),
                    after_submit=True,
                )
            if same_number(confirmed, invoice.invoice_number):
                confirmed = invoice.invoice_number  # the portal may show it in its own case
            return confirmed_receipt(invoice, confirmed, reference, step)
        errors = await session.texts(spec.errors, ("submit", "errors"), after_submit=True)
        if errors:
            raise InvoiceRejected(self.classify(errors), "; ".join(errors))
        raise PortalUnavailable(
            f"{step}: the portal showed neither a confirmation nor an error", after_submit=True
        )

    async def _verdict(
        self,
        session: RecipePage,
        account: PortalAccount,
        invoice: OutgoingInvoice,
        receipt: PortalReceipt,
    ) -> PortalReceipt:
        """Watch the status page until the upload is validated; its failure is a rejection."""
        processing = self.recipe.submit.processing
        assert processing is not None  # only called when the recipe has it
        pending = {normalised(raw) for raw in processing.statuses}
        deadline = time.monotonic() + processing.timeout_ms / 1000
        number = invoice.invoice_number
        while True:
            try:
                row = await self._row(session, account, number, receipt.portal_reference)
                found = self._invoice(session, row, number) if row is not None else None
            except PortalError as exc:
                # the portal has the upload; its verdict is the status job's to read
                log.warning("recipe.verdict_unread", portal=self.family, error=str(exc))
                return _still_processing(receipt, f"its status could not be read ({exc.code})")
            if found is not None and normalised(found.raw_status) not in pending:
                break
            if time.monotonic() >= deadline:
                return _still_processing(
                    receipt, f"still processing after {_seconds(processing.timeout_ms)}"
                )
            await asyncio.sleep(processing.poll_interval_ms / 1000)
        if found.status is PortalStatus.REJECTED:
            reason = found.reason or found.raw_status
            raise InvoiceRejected(self.classify([reason]), reason)
        return PortalReceipt(
            invoice_number=receipt.invoice_number,
            portal_reference=found.portal_reference or receipt.portal_reference,
            message=f"Submitted to the portal as {receipt.portal_reference}: {found.raw_status}",
        )

    def classify(self, messages: Sequence[str]) -> RejectionCode:
        """The code of the first ``[[rejections]]`` rule matching any message; else OTHER."""
        for pattern, code in self._rules:
            if any(pattern.search(message) for message in messages):
                return code
        return RejectionCode.OTHER

    # --- reading the status page ------------------------------------------------------------

    async def _row(
        self,
        session: RecipePage,
        account: PortalAccount,
        number: str,
        reference: str | None = None,
    ) -> StatusRow | None:
        """The row of ``number`` (of the account's customer; ``reference``'s if given)."""
        values: TemplateValues = {"invoice": {"number": number}, "account": account_values(account)}
        rows = await session.status_rows(number, values) or []
        mine = [
            row
            for row in rows
            if same_number(row.get("number"), number) and self._mine(row, account)
        ]
        if reference is not None and self.recipe.status.columns.reference is not None:
            # not the upload just made (an older one of that number): not listed yet
            mine = [row for row in mine if row.get("reference") == reference]
        # the live upload of that number wins over attempts the portal refused
        live = [row for row in mine if self._status_of(row) is not PortalStatus.REJECTED]
        return (live or mine)[0] if mine else None

    def _mine(self, row: StatusRow, account: PortalAccount) -> bool:
        """A row of the account's customer: any row when the account names none or the status
        search reads no customer (the list then filters as the search does, no more)."""
        buyer = normalised(account.buyer_name or "")
        if not buyer or self.recipe.status.columns.buyer is None:
            return True
        return normalised(row.get("buyer") or "") == buyer

    def _status_of(self, row: StatusRow) -> PortalStatus | None:
        return self._status_map.get(normalised(row.get("status") or ""))

    def _listed(
        self, session: RecipePage, rows: list[StatusRow], number: str, *, ended: bool
    ) -> PortalInvoice | None:
        """The verdict of ``number`` from its list rows, or None when the list cannot settle
        it exactly as the status search would (see :meth:`invoice_statuses`)."""
        if len(rows) != 1:
            return None  # not shown, or shown twice: the search decides
        [row] = rows
        status = self._status_of(row)
        if status is None:
            return None  # no status, or one the map lacks: the search reports the changed page
        if status is PortalStatus.REJECTED and not ended:
            return None  # a live upload of that number may be on a page not read
        status_spec = self.recipe.status
        assert status_spec.list is not None  # only called when the recipe has one
        search, listed = status_spec.columns, status_spec.list.columns
        for detail, statuses in DETAILS_OF.items():
            lacking = getattr(search, detail) is not None and getattr(listed, detail) is None
            if lacking and status in statuses:
                return None  # only the search shows it
        date_format = status_spec.list_date_format
        for name in DATE_COLUMNS:
            written = row.get(name)
            if written is not None and session.parse_date(written, date_format) is None:
                return None  # a date the list writes its own way: the search reads it
        return self._invoice(session, row, number, date_format=date_format)

    def _invoice(
        self,
        session: RecipePage,
        row: StatusRow,
        number: str,
        *,
        date_format: str | None = None,
    ) -> PortalInvoice:
        raw = row.get("status")
        if raw is None:
            raise PortalChanged(
                f"{session.where(('status', 'columns', 'status'))}: the row of {number} "
                "shows no status"
            )
        status = self._status_map.get(normalised(raw))
        if status is None:
            raise PortalChanged(
                f"unknown status {raw!r} on the portal; [status.map] knows "
                f"{', '.join(self.recipe.status.map)} ({session.where(('status', 'map'))})"
            )
        amount = row.get("amount")
        return PortalInvoice(
            invoice_number=row.get("number") or number,
            portal_reference=row.get("reference"),
            raw_status=raw,
            status=status,
            amount=parse_amount(amount, session.base_locale(("status",))) if amount else None,
            status_date=session.parse_date(row.get("status_date"), date_format),
            reason=row.get("reason"),
            projected_pay_date=session.parse_date(row.get("projected_pay_date"), date_format),
            payment_date=session.parse_date(row.get("payment_date"), date_format),
            payment_reference=row.get("payment_reference"),
        )


def _seconds(timeout_ms: int) -> str:
    return f"{timeout_ms / 1000:g} s"


def _still_processing(receipt: PortalReceipt, why: str) -> PortalReceipt:
    return PortalReceipt(
        invoice_number=receipt.invoice_number,
        portal_reference=receipt.portal_reference,
        message=f"Submitted to the portal as {receipt.portal_reference}; {why}: the status "
        "job will read the portal's verdict",
    )
