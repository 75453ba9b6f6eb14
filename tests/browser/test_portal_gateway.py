"""The portal gateway against a tiny stand-in portal in real headless Chromium.

The stand-in (a Starlette app served by uvicorn on 127.0.0.1, in a thread) counts what reaches
it, so the tests prove on the server side what the gateway did: how many logins, page loads and
uploads, and how many requests were open at once. Its pages can be told to answer 503, to forget
every session (the portal sends us to its login page), or to lose an element the driver needs.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import secrets
import signal
import stat
import threading
import time
import zipfile
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import psutil
import pytest
import uvicorn
from playwright.async_api import Page
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from structlog.testing import capture_logs

from config.settings import BrowserSettings, ConfigError, QueueSettings
from connectors.portals.base import (
    DEFAULT_LIST_PAGES,
    InvoiceDocument,
    OutgoingInvoice,
    PortalAccount,
    PortalInvoice,
    PortalLogin,
    PortalReceipt,
    PortalStatus,
    StatusList,
    SubmitFence,
    no_fence,
)
from connectors.portals.browser import BrowserRuntime
from connectors.portals.errors import (
    InvoiceRejected,
    LoginFailed,
    PortalChanged,
    PortalUnavailable,
    RejectionCode,
    SessionExpired,
)
from connectors.portals.evidence import PAGE_HTML_FILE, SCREENSHOT_FILE, TRACE_FILE
from connectors.portals.gateway import PortalGateway, artifact_path_of
from connectors.portals.registry import driver_for, known_families

pytestmark = pytest.mark.browser

PASSWORD = "Pw-7f3e-not-in-traces"
WRONG_PASSWORD = "Pw-wrong-0000"
SERVER_START_TIMEOUT_S = 10.0
#: fast in-attempt backoff for tests
RETRY_WAIT_BASE_S = 0.05
RETRY_WAIT_MAX_S = 0.2


# -- the stand-in portal --------------------------------------------------------------------


@dataclass
class StandInPortal:
    """What the stand-in knows, what it was told to do, and what it counted."""

    users: dict[str, str] = field(default_factory=lambda: {"supplier-7": PASSWORD})
    invoices: dict[str, str] = field(default_factory=lambda: {"INV-1": "APPROVED"})
    rejected_numbers: set[str] = field(default_factory=lambda: {"DUP-1"})
    sessions: set[str] = field(default_factory=set)
    #: the next N invoice pages answer 503
    unavailable_pages: int = 0
    #: uploads are recorded, then answered with 503
    fail_after_upload: bool = False
    #: portals whose invoice page lost its #status element
    changed_portals: set[str] = field(default_factory=set)
    #: seconds each invoice page takes
    page_delay_s: float = 0.0
    login_posts: int = 0
    upload_posts: int = 0
    invoice_pages: Counter[str] = field(default_factory=Counter)
    invoice_page_starts: list[float] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0

    def forget_sessions(self) -> None:
        """Every session expires: the next page redirects to the login form."""
        self.sessions.clear()


def page_html(body: str) -> HTMLResponse:
    return HTMLResponse(f"<!doctype html><html><body>{body}</body></html>")


def build_app(portal: StandInPortal) -> Starlette:
    """The stand-in's routes, all under ``/{code}/`` so one server can play several portals."""

    def signed_in(request: Request) -> bool:
        return request.cookies.get("sid") in portal.sessions

    async def login_form(request: Request) -> Response:
        return page_html(
            "<form method=post><input id=user name=user>"
            "<input id=password name=password type=password>"
            "<button id=submit type=submit>Sign in</button></form>"
        )

    async def login(request: Request) -> Response:
        portal.login_posts += 1
        form = await request.form()
        user, password = str(form.get("user")), str(form.get("password"))
        if portal.users.get(user) != password:
            return page_html("<p id=login-error>Invalid user name or password</p>")
        sid = secrets.token_hex(8)
        portal.sessions.add(sid)
        response = RedirectResponse(f"/{request.path_params['code']}/home", status_code=303)
        response.set_cookie("sid", sid, httponly=True, path="/")
        return response

    async def home(request: Request) -> Response:
        if not signed_in(request):
            return RedirectResponse(f"/{request.path_params['code']}/login", status_code=303)
        return page_html("<h1 id=home>Welcome</h1>")

    async def invoice_page(request: Request) -> Response:
        code = request.path_params["code"]
        portal.invoice_pages[code] += 1
        portal.invoice_page_starts.append(time.monotonic())
        portal.in_flight += 1
        portal.max_in_flight = max(portal.max_in_flight, portal.in_flight)
        try:
            await asyncio.sleep(portal.page_delay_s)
            if not signed_in(request):
                return RedirectResponse(f"/{code}/login", status_code=303)
            if portal.unavailable_pages > 0:
                portal.unavailable_pages -= 1
                return Response("Something went wrong", status_code=503)
            if code in portal.changed_portals:
                return page_html("<p>We redesigned this page!</p>")
            status = portal.invoices.get(request.path_params["number"], "NONE")
            return page_html(f"<span id=status>{status}</span>")
        finally:
            portal.in_flight -= 1

    async def new_invoice(request: Request) -> Response:
        if not signed_in(request):
            return RedirectResponse(f"/{request.path_params['code']}/login", status_code=303)
        return page_html(
            "<form method=post action=upload><input id=number name=number>"
            "<button id=submit type=submit>Submit</button></form>"
        )

    async def upload(request: Request) -> Response:
        portal.upload_posts += 1
        number = str((await request.form()).get("number"))
        if portal.fail_after_upload:
            portal.invoices[number] = "PENDING_APPROVAL"
            return Response("Service Unavailable", status_code=503)
        if number in portal.rejected_numbers:
            return page_html("<p id=rejection>Invoice number already used</p>")
        portal.invoices[number] = "PENDING_APPROVAL"
        return page_html(f"<span id=ref>REF-{len(portal.invoices)}</span>")

    return Starlette(
        routes=[
            Route("/{code}/login", login_form, methods=["GET"]),
            Route("/{code}/login", login, methods=["POST"]),
            Route("/{code}/home", home),
            Route("/{code}/invoices/{number}", invoice_page),
            Route("/{code}/invoice/new", new_invoice),
            Route("/{code}/invoice/upload", upload, methods=["POST"]),
        ]
    )


@dataclass
class RunningPortal:
    """The stand-in's state and the address it listens on."""

    state: StandInPortal
    base_url: str


@pytest.fixture
def portal() -> Iterator[RunningPortal]:
    """The stand-in portal served on 127.0.0.1 (a free port) from a background thread."""
    state = StandInPortal()
    config = uvicorn.Config(
        build_app(state), host="127.0.0.1", port=0, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="stand-in-portal", daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "stand-in did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield RunningPortal(state=state, base_url=f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(SERVER_START_TIMEOUT_S)


# -- the test driver ------------------------------------------------------------------------


class StandInDriver:
    """A driver for the stand-in, classifying its answers the way real drivers must."""

    family = "standin"

    async def login(self, page: Page, account: PortalAccount) -> None:
        """Fill the login form; the error paragraph means the credentials were refused."""
        base = account.login.portal_url.rstrip("/")
        await page.goto(f"{base}/login")
        await page.fill("#user", account.login.login_name)
        await page.fill("#password", account.login.password.get_secret_value())
        await page.click("#submit")
        await page.wait_for_load_state()
        if await page.locator("#login-error").count():
            raise LoginFailed(await page.locator("#login-error").inner_text())
        if not await page.locator("#home").count():
            raise PortalChanged("no home page after signing in")

    async def find_invoice(
        self, page: Page, account: PortalAccount, invoice_number: str
    ) -> PortalInvoice | None:
        """Open the invoice page and read its status element."""
        await self._open(page, f"{account.login.portal_url}/invoices/{invoice_number}")
        status = page.locator("#status")
        if not await status.count():
            raise PortalChanged("the invoice page has no #status element")
        text = await status.inner_text()
        if text == "NONE":
            return None
        return PortalInvoice(
            invoice_number=invoice_number,
            portal_reference=None,
            raw_status=text,
            status=PortalStatus(text),
        )

    async def invoice_status(
        self, page: Page, account: PortalAccount, invoice_number: str
    ) -> PortalInvoice | None:
        """The stand-in shows the status on the same page."""
        return await self.find_invoice(page, account, invoice_number)

    async def invoice_statuses(
        self,
        page: Page,
        account: PortalAccount,
        invoice_numbers: Sequence[str],
        *,
        max_pages: int = DEFAULT_LIST_PAGES,
    ) -> StatusList:
        """The stand-in has no list: every invoice is read from its own page."""
        return StatusList()

    async def submit_invoice(
        self,
        page: Page,
        account: PortalAccount,
        invoice: OutgoingInvoice,
        document: InvoiceDocument,
        fence: SubmitFence = no_fence,
    ) -> PortalReceipt:
        """Fill the number and click submit; what comes after the click may be on the portal."""
        await self._open(page, f"{account.login.portal_url}/invoice/new")
        await page.fill("#number", invoice.invoice_number)
        await fence()
        async with page.expect_response(lambda r: r.request.method == "POST") as answer:
            await page.click("#submit")
        response = await answer.value
        if response.status >= 500:
            raise PortalUnavailable(f"upload answered HTTP {response.status}", after_submit=True)
        await page.wait_for_load_state()
        if await page.locator("#rejection").count():
            raise InvoiceRejected(
                RejectionCode.DUPLICATE, await page.locator("#rejection").inner_text()
            )
        reference = await page.locator("#ref").inner_text()
        return PortalReceipt(invoice_number=invoice.invoice_number, portal_reference=reference)

    async def _open(self, page: Page, url: str) -> None:
        response = await page.goto(url)
        if response is not None and response.status >= 500:
            raise PortalUnavailable(f"{url} answered HTTP {response.status}")
        if "/login" in page.url:
            raise SessionExpired()


# -- gateway fixtures -----------------------------------------------------------------------


def make_account(
    portal: RunningPortal,
    account_id: int,
    *,
    code: str = "ACME",
    login_name: str = "supplier-7",
    password: str = PASSWORD,
) -> PortalAccount:
    """A portal account of the stand-in playing portal ``code``."""
    login = PortalLogin(
        portal_code=code,
        portal_url=f"{portal.base_url}/{code}",
        login_name=login_name,
        password=SecretStr(password),
    )
    return PortalAccount(portal_account_id=account_id, login=login)


def make_invoice(number: str) -> tuple[OutgoingInvoice, InvoiceDocument]:
    """An invoice and its PDF, as the jobs hand them over."""
    invoice = OutgoingInvoice(
        invoice_number=number,
        invoice_date=dt.date(2026, 11, 2),
        due_date=None,
        currency="USD",
        total_amount=Decimal("100.00"),
        tax_amount=Decimal("0.00"),
        purchase_order="PO-1",
        buyer_name=None,
        lines=(),
    )
    document = InvoiceDocument(
        file_name=f"{number}.pdf", content_type="application/pdf", data=b"%PDF-1.4\n"
    )
    return invoice, document


@dataclass
class GatewayFactory:
    """Builds a runtime + gateway pair with the settings a test needs; closes them after."""

    tmp_path: Path
    portal: RunningPortal
    runtimes: list[BrowserRuntime] = field(default_factory=list)

    async def __call__(
        self, *, max_pages: int = 4, in_attempt_retries: int = 3, **gateway_options: Any
    ) -> tuple[PortalGateway, BrowserRuntime]:
        settings = BrowserSettings(
            max_pages=max_pages,
            navigation_timeout_ms=10_000,
            action_timeout_ms=5_000,
            trace_on_failure=True,
            artifacts_dir=self.tmp_path / "artifacts",
            state_dir=self.tmp_path / "state",
        )
        runtime = BrowserRuntime(settings)
        await runtime.start()
        self.runtimes.append(runtime)
        drivers = {"ACME": StandInDriver(), "OTHER": StandInDriver()}
        gateway = PortalGateway(
            runtime,
            drivers,
            QueueSettings(in_attempt_retries=in_attempt_retries),
            retry_wait_base_s=RETRY_WAIT_BASE_S,
            retry_wait_max_s=RETRY_WAIT_MAX_S,
            **gateway_options,
        )
        return gateway, runtime


@pytest.fixture
async def make_gateway(tmp_path: Path, portal: RunningPortal) -> AsyncIterator[GatewayFactory]:
    """A factory of gateways over a fresh browser runtime each; all closed after the test."""
    factory = GatewayFactory(tmp_path=tmp_path, portal=portal)
    try:
        yield factory
    finally:
        for runtime in factory.runtimes:
            await runtime.close()


# -- logins ---------------------------------------------------------------------------------


async def test_portal_gateway_logs_in_once_for_accounts_sharing_a_login(
    portal: RunningPortal, make_gateway: GatewayFactory
) -> None:
    """Two accounts on one login, called at once, cause one login and a 0600 session file."""
    gateway, runtime = await make_gateway()
    first, second = make_account(portal, 1), make_account(portal, 2)

    found = await asyncio.gather(
        gateway.find_invoice(first, "INV-1", evidence="submission-1"),
        gateway.find_invoice(second, "INV-1", evidence="submission-2"),
        gateway.invoice_status(second, "INV-404", evidence="submission-3"),
    )

    assert [f.status if f else None for f in found] == [
        PortalStatus.APPROVED,
        PortalStatus.APPROVED,
        None,
    ]
    assert portal.state.login_posts == 1
    state_file = runtime.state_path(first.login)
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
    assert PASSWORD not in state_file.read_text(encoding="utf-8")
    assert runtime.stats().contexts_open == 2


async def test_portal_gateway_logs_in_again_once_when_the_session_expires(
    portal: RunningPortal, make_gateway: GatewayFactory
) -> None:
    """SessionExpired leads to one new login and the operation then succeeds."""
    gateway, _ = await make_gateway()
    account = make_account(portal, 1)
    assert await gateway.find_invoice(account, "INV-1", evidence="submission-1")

    portal.state.forget_sessions()
    with capture_logs() as events:
        found = await gateway.find_invoice(account, "INV-1", evidence="submission-1")

    assert found is not None and found.status is PortalStatus.APPROVED
    assert portal.state.login_posts == 2
    assert portal.state.invoice_pages["ACME"] == 3  # ok, sent to login, ok
    assert [e["event"] for e in events if e["event"].startswith("portal.")] == [
        "portal.session_expired",
        "portal.login",
    ]


async def test_portal_gateway_never_tries_a_refused_login_twice(
    portal: RunningPortal, make_gateway: GatewayFactory
) -> None:
    """One refused login pauses that login for the run: every later call fails without a page."""
    gateway, _ = await make_gateway()
    wrong = [make_account(portal, n, password=WRONG_PASSWORD) for n in (1, 2)]

    with capture_logs() as events:
        with pytest.raises(LoginFailed) as first_error:
            await gateway.find_invoice(wrong[0], "INV-1", evidence="submission-1")
        later = await asyncio.gather(
            *(
                gateway.find_invoice(account, "INV-1", evidence=f"submission-{n}")
                for n in range(2, 6)
                for account in wrong
            ),
            return_exceptions=True,
        )

    assert portal.state.login_posts == 1
    assert portal.state.invoice_pages["ACME"] == 0
    refusals = [result for result in later if isinstance(result, LoginFailed)]
    assert len(refusals) == len(later) == 8
    assert all(artifact_path_of(refusal) is None for refusal in refusals)
    assert artifact_path_of(first_error.value) is not None  # screenshot of the refusal
    assert gateway.paused_logins() == {wrong[0].login.key: "Invalid user name or password"}
    assert [e["event"] for e in events].count("portal.login_paused") == 1
    assert not any(
        WRONG_PASSWORD in str(value) or PASSWORD in str(value)
        for event in events
        for value in event.values()
    )

    other_login = make_account(portal, 3, login_name="supplier-8")
    portal.state.users["supplier-8"] = PASSWORD
    assert await gateway.find_invoice(other_login, "INV-1", evidence="submission-9")
    assert portal.state.login_posts == 2


# -- pauses and retries ---------------------------------------------------------------------


async def test_portal_gateway_pauses_only_the_portal_that_changed(
    portal: RunningPortal, make_gateway: GatewayFactory
) -> None:
    """PortalChanged, confirmed by one more page load (an element merely slow to appear must
    not pause a portal), pauses that portal code for the run; another portal goes on."""
    gateway, _ = await make_gateway()
    changed, other = make_account(portal, 1), make_account(portal, 2, code="OTHER")
    portal.state.changed_portals.add("ACME")

    with pytest.raises(PortalChanged):
        await gateway.find_invoice(changed, "INV-1", evidence="submission-1")
    with pytest.raises(PortalChanged, match="paused"):
        await gateway.invoice_status(changed, "INV-1", evidence="submission-2")
    found = await gateway.find_invoice(other, "INV-1", evidence="submission-3")

    assert found is not None
    assert portal.state.invoice_pages == Counter({"ACME": 2, "OTHER": 1})
    assert list(gateway.paused_portals()) == ["ACME"]


async def test_portal_gateway_retries_transient_failures_then_succeeds(
    portal: RunningPortal, make_gateway: GatewayFactory
) -> None:
    """Two 503s before the submit are retried with backoff and the third attempt succeeds."""
    gateway, _ = await make_gateway(in_attempt_retries=3)
    portal.state.unavailable_pages = 2

    found = await gateway.find_invoice(make_account(portal, 1), "INV-1", evidence="submission-1")

    assert found is not None and found.status is PortalStatus.APPROVED
    assert portal.state.invoice_pages["ACME"] == 3
    assert portal.state.login_posts == 1


async def test_portal_gateway_raises_unavailable_when_retries_run_out(
    portal: RunningPortal, make_gateway: GatewayFactory, tmp_path: Path
) -> None:
    """After ``in_attempt_retries`` 503s the failure is raised with its evidence folder."""
    gateway, _ = await make_gateway(in_attempt_retries=3)
    portal.state.unavailable_pages = 10

    with pytest.raises(PortalUnavailable) as raised:
        await gateway.find_invoice(make_account(portal, 1), "INV-1", evidence="submission-4")

    assert portal.state.invoice_pages["ACME"] == 3
    assert artifact_path_of(raised.value) == str(tmp_path / "artifacts" / "submission-4")
    assert (tmp_path / "artifacts" / "submission-4" / SCREENSHOT_FILE).is_file()


async def test_portal_gateway_never_repeats_a_failure_after_the_submit_click(
    portal: RunningPortal, make_gateway: GatewayFactory
) -> None:
    """An upload that failed after the click is raised at once: the portal saw one POST."""
    gateway, _ = await make_gateway(in_attempt_retries=3)
    portal.state.fail_after_upload = True
    invoice, document = make_invoice("INV-77")

    with pytest.raises(PortalUnavailable) as raised:
        await gateway.submit_invoice(
            make_account(portal, 1), invoice, document, evidence="submission-77"
        )

    assert raised.value.after_submit
    assert portal.state.upload_posts == 1
    assert portal.state.invoices["INV-77"] == "PENDING_APPROVAL"  # it did reach the portal


async def test_portal_gateway_never_retries_a_rejected_invoice(
    portal: RunningPortal, make_gateway: GatewayFactory
) -> None:
    """InvoiceRejected is a business answer: raised after one upload, with its evidence."""
    gateway, _ = await make_gateway(in_attempt_retries=3)
    account = make_account(portal, 1)
    invoice, document = make_invoice("DUP-1")

    with pytest.raises(InvoiceRejected) as raised:
        await gateway.submit_invoice(account, invoice, document, evidence="submission-5")
    receipt = await gateway.submit_invoice(account, *make_invoice("INV-5"), evidence="submission-6")

    assert raised.value.rejection is RejectionCode.DUPLICATE
    assert artifact_path_of(raised.value) is not None
    assert receipt.portal_reference.startswith("REF-")
    assert portal.state.upload_posts == 2


# -- bounds ---------------------------------------------------------------------------------


async def test_portal_gateway_bounds_pages_open_at_once(
    portal: RunningPortal, make_gateway: GatewayFactory
) -> None:
    """With ``max_pages`` = 2 the portal never sees more than 2 page loads at once."""
    gateway, _ = await make_gateway(max_pages=2)
    accounts = [make_account(portal, n) for n in range(1, 5)]
    await gateway.find_invoice(accounts[0], "INV-1", evidence="warm-up")
    portal.state.page_delay_s = 0.2
    portal.state.max_in_flight = 0

    await asyncio.gather(
        *(
            gateway.find_invoice(account, "INV-1", evidence=f"submission-{n}")
            for n, account in enumerate(accounts * 2)
        )
    )

    # the bound is the point; on a loaded machine the loads may not even overlap
    assert 1 <= portal.state.max_in_flight <= 2


async def test_portal_gateway_caps_and_paces_one_portal(
    portal: RunningPortal, make_gateway: GatewayFactory
) -> None:
    """A portal cap of 1 serialises that portal, and pacing spaces its operations out."""
    pacing_s = 0.3
    gateway, _ = await make_gateway(
        max_pages=4, portal_caps={"ACME": 1}, portal_pacing_s={"ACME": pacing_s}
    )
    accounts = [make_account(portal, n) for n in range(1, 4)]
    await gateway.find_invoice(accounts[0], "INV-1", evidence="warm-up")
    portal.state.page_delay_s = 0.05
    portal.state.max_in_flight = 0
    portal.state.invoice_page_starts.clear()

    await asyncio.gather(
        *(gateway.find_invoice(a, "INV-1", evidence=f"s-{a.portal_account_id}") for a in accounts)
    )

    starts = portal.state.invoice_page_starts
    assert portal.state.max_in_flight == 1
    assert len(starts) == 3
    assert starts[-1] - starts[0] >= 2 * pacing_s - 0.1


# -- crashes --------------------------------------------------------------------------------


async def test_portal_gateway_survives_a_killed_browser(
    portal: RunningPortal, make_gateway: GatewayFactory
) -> None:
    """After Chromium is killed the next call succeeds on a new browser, with the stored session
    (no new login)."""
    started = time.time() - 1  # browsers of other test modules may still be shutting down
    gateway, runtime = await make_gateway()
    account = make_account(portal, 1)
    assert await gateway.find_invoice(account, "INV-1", evidence="submission-1")
    browsers = [
        process
        for process in psutil.Process().children(recursive=True)
        if process.name().lower().startswith("chrom")
        and not psutil.Process(process.ppid()).name().lower().startswith("chrom")
        and process.create_time() >= started
        and process.status() != psutil.STATUS_ZOMBIE
    ]
    assert len(browsers) == 1
    os.kill(browsers[0].pid, signal.SIGKILL)

    found = await gateway.find_invoice(account, "INV-1", evidence="submission-1")

    assert found is not None and found.status is PortalStatus.APPROVED
    assert runtime.stats().launches == 2
    assert portal.state.login_posts == 1


# -- evidence -------------------------------------------------------------------------------


async def test_portal_gateway_keeps_evidence_without_the_password(
    portal: RunningPortal, make_gateway: GatewayFactory, tmp_path: Path
) -> None:
    """A failure after a mid-operation re-login leaves a screenshot, the page's HTML and a trace,
    and neither the HTML nor the trace holds the password."""
    gateway, _ = await make_gateway()
    account = make_account(portal, 1)
    assert await gateway.find_invoice(account, "INV-1", evidence="submission-7")
    portal.state.forget_sessions()
    portal.state.changed_portals.add("ACME")

    with pytest.raises(PortalChanged) as raised:
        await gateway.find_invoice(account, "INV-1", evidence="submission-7")

    folder = tmp_path / "artifacts" / "submission-7"
    assert artifact_path_of(raised.value) == str(folder)
    assert portal.state.login_posts == 2  # the re-login happened inside the traced operation
    assert (folder / SCREENSHOT_FILE).stat().st_size > 0
    html = (folder / PAGE_HTML_FILE).read_text(encoding="utf-8")
    assert "<html" in html.lower() and PASSWORD not in html
    assert (folder / PAGE_HTML_FILE).stat().st_mode & 0o077 == 0
    with zipfile.ZipFile(folder / TRACE_FILE) as trace:
        contents = b"".join(trace.read(name) for name in trace.namelist())
    assert b"/ACME/invoices/INV-1" in contents  # the trace is of the failed operation
    assert PASSWORD.encode() not in contents


async def test_portal_gateway_discards_the_trace_of_a_success(
    portal: RunningPortal, make_gateway: GatewayFactory, tmp_path: Path
) -> None:
    """A successful operation leaves no evidence folder behind."""
    gateway, _ = await make_gateway()
    assert await gateway.find_invoice(make_account(portal, 1), "INV-1", evidence="submission-8")
    assert not (tmp_path / "artifacts" / "submission-8").exists()


async def test_portal_gateway_rejects_an_evidence_name_that_is_not_a_folder_name(
    portal: RunningPortal, make_gateway: GatewayFactory
) -> None:
    """An evidence name that could escape the artifacts folder is refused before any page."""
    gateway, _ = await make_gateway()
    with pytest.raises(ValueError, match="evidence name"):
        await gateway.find_invoice(make_account(portal, 1), "INV-1", evidence="../etc")
    assert portal.state.login_posts == 0


# -- the driver registry --------------------------------------------------------------------


def test_driver_registry_builds_known_families_and_names_them_for_an_unknown_one() -> None:
    """A known family gives its driver; an unknown one a ConfigError listing the known ones."""
    assert "coupa" in known_families()
    assert driver_for("coupa").family == "coupa"
    with pytest.raises(ConfigError, match=r"known families: .*coupa"):
        driver_for("sap-ariba-typo")
