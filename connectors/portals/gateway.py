"""The portal gateway: what jobs call to look up, submit and poll invoices on portals.

Jobs think in invoices and portal accounts; this module turns a call into a page of the account's
browser context, logs in when the portal asks for it (once per login, whatever the number of
accounts sharing it), retries what is worth retrying inside the attempt, and keeps failure
evidence. It also protects the portals and our accounts on them:

- a bound on pages open at once (``BrowserSettings.max_pages``), an optional cap per portal and
  an optional minimum interval between operations on one portal;
- a login the portal refused is never tried again in this run (a second wrong password is how
  accounts get locked): every later call for that login fails at once without a page;
- a portal whose pages no longer match its driver is paused for the run; other portals go on;
- ``PortalUnavailable`` before the submit click is retried with backoff; after it, never (the
  invoice may be on the portal: the caller looks it up first); ``InvoiceRejected``, never.
"""

from __future__ import annotations

import asyncio
import functools
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import structlog
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from config.settings import ConfigError, QueueSettings
from connectors.portals.base import (
    DEFAULT_LIST_PAGES,
    InvoiceDocument,
    OutgoingInvoice,
    PortalAccount,
    PortalDriver,
    PortalInvoice,
    PortalLogin,
    PortalReceipt,
    StatusList,
    SubmitFence,
    no_fence,
)
from connectors.portals.browser import BrowserRuntime, PageLease, login_key_hash
from connectors.portals.errors import (
    LoginFailed,
    LoginPaused,
    PortalChanged,
    PortalError,
    PortalPaused,
    PortalUnavailable,
    SessionExpired,
    SubmitFenced,
    wrap_playwright_errors,
)
from connectors.portals.evidence import TraceChunk, evidence_folder, keep_evidence

if TYPE_CHECKING:
    from playwright.async_api import Page
    from structlog.typing import FilteringBoundLogger

#: first wait between in-attempt retries; doubles each time, plus up to as much jitter
RETRY_WAIT_BASE_S = 0.2
#: longest wait between in-attempt retries
RETRY_WAIT_MAX_S = 2.0

log = structlog.get_logger()

T = TypeVar("T")
#: one driver call on a page: the unit the gateway retries and keeps evidence of
Operation = Callable[[PortalDriver, "Page"], Awaitable[T]]


def artifact_path_of(exc: BaseException) -> str | None:
    """The evidence folder a gateway failure carries, if any."""
    return exc.artifact_path if isinstance(exc, PortalError) else None


def is_retryable_here(exc: BaseException) -> bool:
    """Transient and safe to repeat now: unavailable before any submit click."""
    return (
        isinstance(exc, PortalUnavailable)
        and not exc.after_submit
        and not isinstance(exc, SessionExpired)  # one re-login per call; a second is not ours
    )


def worth_confirming(exc: BaseException, attempt_number: int, clicked: bool) -> bool:
    """A changed page is confirmed once with a fresh page load before the portal is paused.

    Concluding "the portal changed" pauses it for every worker until a person or a re-probe
    lifts the pause; an element that was merely slow to appear (a loaded portal, a loaded
    machine) must not do that. Never after the submit click: repeating it could upload twice.
    """
    return (
        isinstance(exc, PortalChanged)
        and not isinstance(exc, PortalPaused)
        and attempt_number == 1
        and not clicked
    )


class PortalGateway:
    """Runs driver operations on the right page, with logins, bounds, pauses and retries.

    ``drivers`` maps a portal code (``PortalLogin.portal_code``, matched as is, then in lower
    case, so family names work where portal codes are family names) to its driver;
    ``portal_caps`` bounds pages at once per portal code; ``portal_pacing_s`` sets the
    minimum seconds between operation starts on one portal code.
    """

    def __init__(
        self,
        runtime: BrowserRuntime,
        drivers: Mapping[str, PortalDriver],
        settings: QueueSettings,
        *,
        portal_caps: Mapping[str, int] | None = None,
        portal_pacing_s: Mapping[str, float] | None = None,
        retry_wait_base_s: float = RETRY_WAIT_BASE_S,
        retry_wait_max_s: float = RETRY_WAIT_MAX_S,
    ) -> None:
        self._runtime = runtime
        self._drivers = dict(drivers)
        self._attempts = settings.in_attempt_retries
        self._wait_base_s = retry_wait_base_s
        self._wait_max_s = retry_wait_max_s
        self._pages = asyncio.Semaphore(runtime.settings.max_pages)
        self._portal_caps = {
            code: asyncio.Semaphore(cap) for code, cap in (portal_caps or {}).items()
        }
        self._pacing_s = dict(portal_pacing_s or {})
        self._pacing_locks: dict[str, asyncio.Lock] = {}
        self._last_start: dict[str, float] = {}
        self._login_locks: dict[str, asyncio.Lock] = {}
        self._paused_logins: dict[str, str] = {}
        self._paused_portals: dict[str, str] = {}

    # -- what jobs call ----------------------------------------------------------------------

    async def find_invoice(
        self, account: PortalAccount, invoice_number: str, *, evidence: str
    ) -> PortalInvoice | None:
        """Look the invoice up on the account's portal; None when the portal does not have it."""

        async def operation(driver: PortalDriver, page: Page) -> PortalInvoice | None:
            return await driver.find_invoice(page, account, invoice_number)

        return await self._run(account, "find_invoice", operation, evidence=evidence)

    async def submit_invoice(
        self,
        account: PortalAccount,
        invoice: OutgoingInvoice,
        document: InvoiceDocument,
        *,
        evidence: str,
        fence: SubmitFence = no_fence,
    ) -> PortalReceipt:
        """Upload the invoice; failures after the submit click are never repeated here.

        ``fence`` is awaited by the driver immediately before its submit click; when it raises
        :class:`SubmitFenced` nothing is clicked and nothing is retried.
        """

        fenced = False

        async def fence_then_click() -> None:
            nonlocal fenced
            await fence()
            fenced = True

        async def operation(driver: PortalDriver, page: Page) -> PortalReceipt:
            return await driver.submit_invoice(page, account, invoice, document, fence_then_click)

        # a Playwright error the driver did not classify may come after the click: assume so
        return await self._run(
            account,
            "submit_invoice",
            operation,
            evidence=evidence,
            unsure_after_submit=True,
            clicked=lambda: fenced,
        )

    async def invoice_status(
        self, account: PortalAccount, invoice_number: str, *, evidence: str
    ) -> PortalInvoice | None:
        """Read the portal's current status of the invoice; None when it does not have it."""

        async def operation(driver: PortalDriver, page: Page) -> PortalInvoice | None:
            return await driver.invoice_status(page, account, invoice_number)

        return await self._run(account, "invoice_status", operation, evidence=evidence)

    async def invoice_statuses(
        self,
        account: PortalAccount,
        invoice_numbers: Sequence[str],
        *,
        evidence: str,
        max_pages: int = DEFAULT_LIST_PAGES,
    ) -> StatusList:
        """Many verdicts from the portal's list pages; what it leaves out, read one by one."""

        async def operation(driver: PortalDriver, page: Page) -> StatusList:
            return await driver.invoice_statuses(
                page, account, invoice_numbers, max_pages=max_pages
            )

        return await self._run(account, "invoice_statuses", operation, evidence=evidence)

    def hold_login(self, key: str, reason: str) -> None:
        """Treat a login as refused for this run without trying it (a pause kept in the
        database from an earlier run): every call for it fails at once, before any page."""
        self._paused_logins.setdefault(key, reason)

    def hold_portal(self, portal_code: str, reason: str) -> None:
        """Treat a portal as paused for this run without trying it (see :meth:`hold_login`)."""
        self._paused_portals.setdefault(portal_code, reason)

    def release_portal(self, portal_code: str) -> None:
        """A paused portal may be tried again in this run (its re-probe is under way)."""
        self._paused_portals.pop(portal_code, None)

    async def check_login(self, account: PortalAccount, *, evidence: str) -> None:
        """Log in once on a fresh session, without its stored cookies: proves the secret works.

        What a person's "Test login" runs. Exactly one try: a refused login is never repeated
        (lock-out risk), and nothing is traced while the password is typed. A failure keeps a
        screenshot (password fields masked) and the page, and raises the driver's error.
        """
        driver = self._driver_for(account)
        folder = evidence_folder(self._runtime.settings.artifacts_dir, evidence)
        async with self._slot(account.login.portal_code), self._runtime.scratch_page() as page:
            try:
                with wrap_playwright_errors("login"):
                    await driver.login(page, account)
            except PortalError as exc:
                try:
                    kept = await keep_evidence(
                        page, tracer=None, chunk=None, folder=folder, failure=exc
                    )
                    exc.artifact_path = str(kept)
                except OSError:
                    exc.artifact_path = None
                raise

    def paused_logins(self) -> dict[str, str]:
        """Logins refused in this run (login key → the portal's message); never retried."""
        return dict(self._paused_logins)

    def paused_portals(self) -> dict[str, str]:
        """Portal codes paused in this run because their pages changed (code → message)."""
        return dict(self._paused_portals)

    # -- one call: attempts ------------------------------------------------------------------

    async def _run(
        self,
        account: PortalAccount,
        step: str,
        operation: Operation[T],
        *,
        evidence: str,
        unsure_after_submit: bool = False,
        clicked: Callable[[], bool] = lambda: False,
    ) -> T:
        folder = evidence_folder(self._runtime.settings.artifacts_dir, evidence)

        def retryable(exc: BaseException, attempt_number: int) -> bool:
            return is_retryable_here(exc) or worth_confirming(exc, attempt_number, clicked())

        def retry(state: RetryCallState) -> bool:
            outcome = state.outcome
            failure = outcome.exception() if outcome is not None and outcome.failed else None
            return failure is not None and retryable(failure, state.attempt_number)

        driver = self._driver_for(account)
        logger = log.bind(
            portal=account.login.portal_code,
            account=account.portal_account_id,
            login=login_key_hash(account.login),
            operation=step,
            evidence=evidence,
        )
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=self._wait_base_s, max=self._wait_max_s)
            + wait_random(0, self._wait_base_s),
            retry=retry,
            before_sleep=lambda state: _log_retry(logger, state),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                number = attempt.retry_state.attempt_number
                return await self._attempt(
                    account,
                    driver,
                    step,
                    operation,
                    folder=folder,
                    final=functools.partial(_is_final, retryable, number, self._attempts),
                    unsure_after_submit=unsure_after_submit,
                    logger=logger,
                )
        raise AssertionError("tenacity ended without a result or an error")  # pragma: no cover

    async def _attempt(
        self,
        account: PortalAccount,
        driver: PortalDriver,
        step: str,
        operation: Operation[T],
        *,
        folder: Path,
        final: Callable[[BaseException], bool],
        unsure_after_submit: bool,
        logger: FilteringBoundLogger,
    ) -> T:
        self._raise_if_paused(account)
        async with self._slot(account.login.portal_code):
            self._raise_if_paused(account)  # it may have been paused while we waited
            async with self._runtime.page(account) as lease:
                return await self._on_page(
                    lease,
                    account,
                    driver,
                    step,
                    operation,
                    folder=folder,
                    final=final,
                    unsure_after_submit=unsure_after_submit,
                    logger=logger,
                )

    async def _on_page(
        self,
        lease: PageLease,
        account: PortalAccount,
        driver: PortalDriver,
        step: str,
        operation: Operation[T],
        *,
        folder: Path,
        final: Callable[[BaseException], bool],
        unsure_after_submit: bool,
        logger: FilteringBoundLogger,
    ) -> T:
        chunk: TraceChunk | None = None
        try:
            await self._ensure_logged_in(lease, account, driver, logger)
            chunk = await lease.tracer.begin()
            seen_version = lease.holder.state_version
            try:
                return await _call(operation, driver, lease.page, step, unsure_after_submit)
            except SessionExpired as exc:
                if exc.after_submit:
                    raise  # the invoice may be on the portal: not ours to repeat
                logger.info("portal.session_expired")
                await self._log_in_again(lease, account, driver, seen_version, logger)
                chunk = await lease.tracer.begin()
                return await _call(operation, driver, lease.page, step, unsure_after_submit)
        except (LoginPaused, PortalPaused, SubmitFenced):
            raise  # nothing was tried (or, fenced, nothing clicked): no evidence to keep
        except Exception as exc:
            await self._on_failure(exc, account, lease, chunk, folder, final(exc), logger)
            raise
        finally:
            await lease.tracer.end(chunk)  # success: discarded; already kept: no-op

    async def _on_failure(
        self,
        exc: Exception,
        account: PortalAccount,
        lease: PageLease,
        chunk: TraceChunk | None,
        folder: Path,
        final: bool,
        logger: FilteringBoundLogger,
    ) -> None:
        if not final:
            return
        if isinstance(exc, PortalChanged):
            self._pause_portal(account.login.portal_code, exc, logger)
        artifact_path: str | None = None
        try:
            path = await keep_evidence(
                lease.page, tracer=lease.tracer, chunk=chunk, folder=folder, failure=exc
            )
            artifact_path = str(path)
        except OSError as evidence_error:  # a full disk must not hide the portal's failure
            logger.error("portal.evidence_failed", error=str(evidence_error))
        if isinstance(exc, PortalError):
            exc.artifact_path = artifact_path
        elif artifact_path is not None:
            exc.add_note(f"portal failure evidence: {artifact_path}")
        logger.warning(
            "portal.operation_failed",
            error_code=getattr(exc, "code", exc.__class__.__name__),
            error=str(exc),
            artifact_path=artifact_path,
        )

    # -- logins ------------------------------------------------------------------------------

    async def _ensure_logged_in(
        self,
        lease: PageLease,
        account: PortalAccount,
        driver: PortalDriver,
        logger: FilteringBoundLogger,
    ) -> None:
        """Before the operation: log in if the login has no session yet, or take the newest."""
        login = account.login
        current = self._runtime.login_version(login)
        if current and lease.holder.state_version >= current:
            return
        async with self._login_lock(login):
            self._raise_if_paused(account)
            current = self._runtime.login_version(login)
            if not current:
                await self._log_in(lease, account, driver, logger, reason="no stored session")
            elif lease.holder.state_version < current:
                await self._runtime.adopt_login_state(lease)

    async def _log_in_again(
        self,
        lease: PageLease,
        account: PortalAccount,
        driver: PortalDriver,
        seen_version: int,
        logger: FilteringBoundLogger,
    ) -> None:
        """After SessionExpired: log in, unless another operation already did since we looked."""
        async with self._login_lock(account.login):
            self._raise_if_paused(account)
            if self._runtime.login_version(account.login) > seen_version:
                await self._runtime.adopt_login_state(lease)
                return
            await self._log_in(lease, account, driver, logger, reason="session expired")

    async def _log_in(
        self,
        lease: PageLease,
        account: PortalAccount,
        driver: PortalDriver,
        logger: FilteringBoundLogger,
        *,
        reason: str,
    ) -> None:
        """Log in with tracing off, then store the session; a refusal pauses the login."""
        logger.info("portal.login", reason=reason)
        try:
            async with lease.tracer.login_window():
                with wrap_playwright_errors("login"):
                    await driver.login(lease.page, account)
        except LoginFailed as exc:
            # paused before the lock is released, so no waiting call tries the password again
            self._pause_login(account.login, exc, logger)
            raise
        await self._runtime.save_login_state(lease)

    def _login_lock(self, login: PortalLogin) -> asyncio.Lock:
        return self._login_locks.setdefault(login.key, asyncio.Lock())

    # -- pauses ------------------------------------------------------------------------------

    def _raise_if_paused(self, account: PortalAccount) -> None:
        login_message = self._paused_logins.get(account.login.key)
        if login_message is not None:
            raise LoginPaused(
                f"login paused after a refused login: {login_message}", reason=login_message
            )
        portal_message = self._paused_portals.get(account.login.portal_code)
        if portal_message is not None:
            raise PortalPaused(
                f"portal {account.login.portal_code} paused for this run: {portal_message}"
            )

    def _pause_login(
        self, login: PortalLogin, exc: LoginFailed, logger: FilteringBoundLogger
    ) -> None:
        if login.key not in self._paused_logins:
            self._paused_logins[login.key] = exc.message
            logger.error("portal.login_paused", error_code=exc.code, error=exc.message)

    def _pause_portal(
        self, portal_code: str, exc: PortalChanged, logger: FilteringBoundLogger
    ) -> None:
        if portal_code not in self._paused_portals:
            self._paused_portals[portal_code] = exc.message
            logger.error("portal.paused", error_code=exc.code, error=exc.message)

    # -- bounds ------------------------------------------------------------------------------

    @asynccontextmanager
    async def _slot(self, portal_code: str) -> AsyncIterator[None]:
        """The portal's cap first, then its pacing, then a page of the global bound."""
        async with AsyncExitStack() as stack:
            cap = self._portal_caps.get(portal_code)
            if cap is not None:
                await stack.enter_async_context(cap)
            await self._pace(portal_code)
            await stack.enter_async_context(self._pages)
            yield

    async def _pace(self, portal_code: str) -> None:
        interval_s = self._pacing_s.get(portal_code)
        if not interval_s:
            return
        async with self._pacing_locks.setdefault(portal_code, asyncio.Lock()):
            loop = asyncio.get_running_loop()
            wait_s = self._last_start.get(portal_code, -math.inf) + interval_s - loop.time()
            if wait_s > 0:
                await asyncio.sleep(wait_s)
            self._last_start[portal_code] = loop.time()

    def _driver_for(self, account: PortalAccount) -> PortalDriver:
        code = account.login.portal_code
        driver = self._drivers.get(code) or self._drivers.get(code.lower())
        if driver is None:
            raise ConfigError(
                f"no portal driver for portal code {code!r} (portal account "
                f"{account.portal_account_id}); configured: {', '.join(sorted(self._drivers))}"
            )
        return driver


async def _call(
    operation: Operation[T],
    driver: PortalDriver,
    page: Page,
    step: str,
    unsure_after_submit: bool,
) -> T:
    with wrap_playwright_errors(step, after_submit=unsure_after_submit):
        return await operation(driver, page)


def _is_final(
    retryable: Callable[[BaseException, int], bool],
    attempt_number: int,
    attempts: int,
    exc: BaseException,
) -> bool:
    """No further try follows this failure: keep its evidence, pause what it pauses."""
    return attempt_number >= attempts or not retryable(exc, attempt_number)


def _log_retry(logger: FilteringBoundLogger, state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome is not None else None
    logger.warning(
        "portal.retry",
        attempt=state.attempt_number,
        wait_s=round(state.upcoming_sleep, 3),
        error=str(error),
    )
