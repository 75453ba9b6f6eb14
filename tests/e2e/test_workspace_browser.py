"""The collector workspace end to end: a running ``arworker web``, a running ``arworker run``
worker, the stand-in portals, and real headless Chromium driving the pages.

One world for the module (the database after a nightly run, the web server, the worker, one
Chromium); each test opens its own browser context, so sessions do not leak between tests. The
order matters only for the last test, which enrols an account and runs the next nightly.
"""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
import pytest_asyncio
import sqlalchemy as sa
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from connectors.oracle.records import SubmissionStatus
from connectors.portals.chromium import find_chromium, launch_args
from sandbox.book import SUPPLIER_LOGIN, demo_book, password_ref, totp_ref
from sandbox.seeder import update_purchase_order
from tests.support.workspace import TODAY, Workspace
from tests.support.workspace_world import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

PASSWORD = "correct horse battery staple"
SERVER_START_S = 30.0
WORKER_PICKUP_S = 180.0
PAGE_TIMEOUT_MS = 15_000
#: the PO-closed invoice of account 1001 (the demo book's coupa rejections)
CLOSED_PO_INVOICE = "104679"
#: kept open (the rest of the book is closed, to keep the runs short): 1001's two rejections
#: and one good invoice, and two invoices of 1002 (enrolled during the tests)
OPEN_INVOICES = (CLOSED_PO_INVOICE, "104605", "104508", "104503", "104580")
XSS = '<script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2">'


@dataclass
class World:
    ws: Workspace
    url: str
    web: subprocess.Popen[str]
    worker: subprocess.Popen[str]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("workspace")
    with make_world(
        root, accounts=("1001",), unenrolled=("1002",), open_invoices=OPEN_INVOICES
    ) as ws:
        nightly = ws.cli_json("nightly")
        assert nightly["rejected"] >= 1, nightly
        _users(ws)
        port = _free_port()
        env = {
            "ARWORKER_WEB__PORT": str(port),
            "ARWORKER_WEB__SESSION_SECRET": "s" * 48,
            "ARWORKER_SCHEDULER__RESYNC_POLL_INTERVAL_S": "1",
            "ARWORKER_SCHEDULER__ACTION_POLL_INTERVAL_S": "1",
            "ARWORKER_SCHEDULER__NIGHTLY_CRON": "0 3 1 1 *",
            "ARWORKER_SCHEDULER__STATUS_POLL_INTERVAL_S": "86400",
        }
        web = ws.spawn("web", **env)
        worker = ws.spawn("run", **env)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url, web, ws)
            yield World(ws=ws, url=url, web=web, worker=worker)
        finally:
            for proc in (web, worker):
                proc.terminate()
            for proc in (web, worker):
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()


def _users(ws: Workspace) -> None:
    """An admin through the CLI (as an operator would), a collector and a viewer."""
    for name, role in (("ada", "admin"), ("cole", "collector"), ("vera", "viewer")):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "worker",
                "users",
                "add",
                name,
                "--role",
                role,
                "--password-stdin",
            ],
            input=PASSWORD + "\n",
            cwd=ws.root,
            env=ws.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert PASSWORD not in result.stdout + result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, web: subprocess.Popen[str], ws: Workspace) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        assert web.poll() is None, ws.stderr_of(web)
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"arworker web did not get ready: {ws.stderr_of(web)}")


@pytest.fixture(scope="module")
def chromium_path() -> str:
    return str(find_chromium())  # the sync look-up, before the module's event loop runs


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def chromium(chromium_path: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=launch_args(lean=True)
        )
        try:
            yield browser
        finally:
            await browser.close()


@pytest_asyncio.fixture(loop_scope="module")
async def context(chromium: Browser, world: World) -> AsyncIterator[BrowserContext]:
    ctx = await chromium.new_context(base_url=world.url)
    ctx.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield ctx
    finally:
        await ctx.close()


async def _sign_in(context: BrowserContext, user: str) -> Page:
    page = await context.new_page()
    await page.goto("/login")
    await page.fill("input[name=user_name]", user)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(re.compile(r"/$"))
    return page


async def _csrf(page: Page) -> str:
    token = await page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    return token


def _submission_id(ws: Workspace, trx_number: str) -> int:
    store = ws.store()
    try:
        (row,) = store.submissions(trx_numbers=[trx_number])
        return row.submission_id
    finally:
        store.engine.dispose()


async def test_resync_from_the_worklist_gets_the_invoice_submitted(
    world: World, context: BrowserContext
) -> None:
    """Sign in, see the rejected invoice with the portal's reason, fix its PO, click Resync;
    after the worker picks the request up, the invoice page shows it submitted, with its note."""
    page = await _sign_in(context, "cole")
    await page.click("text=Action needed")
    row = page.locator("tr", has=page.locator(f"a:text-is('{CLOSED_PO_INVOICE}')"))
    await row.wait_for()
    reason = (await row.locator("td.reason").inner_text()).lower()
    assert "po_closed" in reason and "closed" in reason.replace("po_closed", "")
    book = demo_book(today=TODAY)
    spare = book.customer("1001").spare_po
    assert spare is not None
    store = world.ws.store()
    try:
        update_purchase_order(store.engine, CLOSED_PO_INVOICE, spare)
    finally:
        store.engine.dispose()
    await row.locator(f"a:text-is('{CLOSED_PO_INVOICE}')").click()
    await page.fill("form[action$='/resync'] input[name=reason]", "PO replaced in EBS")
    await page.click("button:has-text('Resync account 1001')")
    await page.locator(".flash", has_text="resync of account 1001 queued").wait_for()
    deadline = time.monotonic() + WORKER_PICKUP_S
    while True:
        status = (await page.locator("h1 .status").inner_text()).strip()
        if status == "submitted":
            break
        assert time.monotonic() < deadline, f"still {status}: {world.ws.stderr_of(world.worker)}"
        assert world.worker.poll() is None, world.ws.stderr_of(world.worker)
        await asyncio.sleep(1.0)
        await page.reload()
    notes = page.locator("blockquote.note")
    await notes.filter(has_text="submitted to the Coupa portal").wait_for()
    assert await notes.filter(has_text="rejected").count() >= 1  # the first attempt's note
    assert await page.locator("td", has_text="re-queued by resync").count() >= 1
    received = [r for r in world.ws.received() if r["invoice_number"] == CLOSED_PO_INVOICE]
    assert len(received) == 1


async def test_a_viewers_post_is_refused(world: World, context: BrowserContext) -> None:
    """A viewer sees no buttons, and a POST it forges anyway (with its CSRF token) gets 403."""
    page = await _sign_in(context, "vera")
    sid = _submission_id(world.ws, "104605")
    await page.goto(f"/invoices/{sid}")
    assert await page.locator("button:has-text('Retry now')").count() == 0
    token = await _csrf(page)
    for path in (f"/invoices/{sid}/retry", "/accounts/1001/resync"):
        answer = await page.request.post(path, form={"csrf_token": token})
        assert answer.status == 403, path
    store = world.ws.store()
    try:
        assert not [r for r in store.resync_requests() if r["requested_by"] == "vera"]
        assert not store.action_requests(submission_id=sid)
    finally:
        store.engine.dispose()


async def test_a_post_without_the_csrf_token_is_refused(
    world: World, context: BrowserContext
) -> None:
    """A collector's POST without the session's CSRF token (or with another) gets 403."""
    page = await _sign_in(context, "cole")
    store = world.ws.store()
    try:
        before = len(store.resync_requests())
        missing = await page.request.post("/accounts/1001/resync", form={"reason": "x"})
        wrong = await page.request.post("/accounts/1001/resync", form={"csrf_token": "forged"})
        assert (missing.status, wrong.status) == (403, 403)
        assert len(store.resync_requests()) == before
    finally:
        store.engine.dispose()


async def test_an_unauthenticated_request_is_refused(world: World, context: BrowserContext) -> None:
    """No session: pages send to the sign-in form, POSTs and the API answer 401."""
    page = await context.new_page()
    await page.goto("/worklist")
    assert page.url.endswith("/login?next=/worklist")
    assert await page.locator("input[name=password]").count() == 1
    assert (await page.request.post("/accounts/1001/resync", form={})).status == 401
    assert (await page.request.get("/api/v1/worklist")).status == 401
    assert (await page.request.get(f"/invoices/{_submission_id(world.ws, '104605')}")).url.endswith(
        "/login?next=/invoices/" + str(_submission_id(world.ws, "104605"))
    )


async def test_a_hostile_rejection_reason_is_shown_as_text(
    world: World, context: BrowserContext
) -> None:
    """A portal reason carrying <script> and <img onerror> shows as text and runs nothing."""
    sid = _submission_id(world.ws, "104605")
    engine = world.ws.store().engine
    sub = sa.table("xx_arw_submissions", sa.column("submission_id"), sa.column("last_error_text"))
    with engine.begin() as conn:
        conn.execute(sa.update(sub).where(sub.c.submission_id == sid).values(last_error_text=XSS))
    engine.dispose()
    page = await _sign_in(context, "cole")
    dialogs: list[str] = []
    page.on("dialog", lambda d: dialogs.append(d.message))
    for path in (f"/invoices/{sid}", "/worklist?code=PO_AMOUNT_EXCEEDED"):
        await page.goto(path)
        shown = page.locator(".reason", has_text="<script>").first
        assert XSS in await shown.inner_text()
        assert await page.locator(".reason img").count() == 0
        assert await page.locator("main script").count() == 0
        assert await page.evaluate("window.__pwned") is None
    assert dialogs == []


async def test_evidence_is_served_by_id_only(world: World, context: BrowserContext) -> None:
    """The rejected upload's screenshot shows inline; ``../`` in any form gets 404."""
    page = await _sign_in(context, "cole")
    sid = _submission_id(world.ws, "104605")
    await page.goto(f"/invoices/{sid}")
    image = page.locator("img.evidence")
    await image.wait_for()
    assert await image.evaluate("img => img.complete && img.naturalWidth > 0")
    html = await page.request.get(f"/invoices/{sid}/evidence/page")
    assert html.status == 200
    assert "attachment" in html.headers["content-disposition"]
    for path in (
        f"/invoices/{sid}/evidence/..%2F..%2F..%2Fetc%2Fpasswd",
        f"/invoices/{sid}/evidence/../../../etc/passwd",
        "/invoices/..%2F..%2Fetc/evidence/screenshot",
        f"/invoices/{sid}/evidence/%2Fetc%2Fpasswd",
    ):
        answer = await page.request.get(path)
        assert answer.status == 404, path
        assert "root:" not in await answer.text()


async def test_test_login_is_queued_and_its_result_shown(
    world: World, context: BrowserContext
) -> None:
    """Test login is a request a worker runs on a fresh session; the account page shows it."""
    page = await _sign_in(context, "cole")
    await page.goto("/accounts/1001")
    await page.click("button:has-text('Test login')")
    await page.locator(".flash", has_text="login test queued").wait_for()
    result = page.locator("dd.login-test")
    deadline = time.monotonic() + WORKER_PICKUP_S
    while "done" not in await result.inner_text():
        text = await result.inner_text()
        assert "failed" not in text, text
        assert time.monotonic() < deadline, world.ws.stderr_of(world.worker)
        await asyncio.sleep(1.0)
        await page.reload()
    assert f"as {SUPPLIER_LOGIN}" in await result.inner_text()


async def test_bulk_retry_confirms_the_count_first(world: World, context: BrowserContext) -> None:
    """A bulk retry of a filtered list shows how many invoices it takes before queueing any."""
    page = await _sign_in(context, "cole")
    await page.goto("/worklist?kind=REJECTED&account=1001")
    await page.click("text=Retry the rejected and failed invoices of this list")
    count = int(await page.locator(".confirm-count").inner_text())
    assert count == 1  # 104605 (PO over the amount); 104679 was fixed and submitted
    store = world.ws.store()
    try:
        sid = _submission_id(world.ws, "104605")
        assert store.action_requests(submission_id=sid) == []
        await page.fill("input[name=reason]", "amounts checked with the buyer")
        await page.click("button:has-text('Retry 1 invoices')")
        await page.locator(".flash", has_text="1 invoices queued for retry").wait_for()
        (request,) = store.action_requests(submission_id=sid)
        assert request.reason == "amounts checked with the buyer"
        deadline = time.monotonic() + WORKER_PICKUP_S
        while store.action_requests(submission_id=sid)[0].status.value in ("PENDING", "RUNNING"):
            assert time.monotonic() < deadline, world.ws.stderr_of(world.worker)
            await asyncio.sleep(0.5)
        (done,) = store.action_requests(submission_id=sid)
        # the portal still refuses the amount: the retry ran and says so
        assert done.status.value == "FAILED" and "rejected" in (done.result_text or "")
    finally:
        store.engine.dispose()


async def test_an_account_enrolled_on_the_page_is_used_by_the_next_nightly(
    world: World, context: BrowserContext
) -> None:
    """An admin enrols account 1002 on the Coupa stand-in (secret names only); the next nightly
    run submits its invoices."""
    page = await _sign_in(context, "ada")
    await page.goto("/accounts/1002")
    assert await page.locator("section.portal-account").count() == 0
    form = page.locator("form#enrol")
    await form.locator("select[name=portal_code]").select_option("coupa")
    await form.locator("input[name=portal_url]").fill(world.ws.sandbox.portal_url("coupa"))
    await form.locator("input[name=buyer_name]").fill(demo_book(today=TODAY).customer("1002").name)
    await form.locator("input[name=login_name]").fill(SUPPLIER_LOGIN)
    await form.locator("input[name=secret_ref]").fill(password_ref("coupa"))
    await form.locator("input[name=totp_secret_ref]").fill(totp_ref("coupa"))
    await form.locator("button[type=submit]").click()
    await page.locator(".flash", has_text="account 1002 enrolled on coupa").wait_for()
    await page.locator("section.portal-account").wait_for()
    summary = world.ws.cli_json("nightly")
    assert (summary["enqueued"], summary["submitted"]) == (2, 2), summary
    store = world.ws.store()
    try:
        cust = store.account_id("1002")
        assert cust is not None
        rows = store.submissions(cust_account_id=cust)
        assert rows and all(r.status is not SubmissionStatus.PENDING for r in rows)
        notes = [n.text for n in store.notes_for_account(cust)]
        assert any("enrolled on the Coupa portal" in t and "by ada" in t for t in notes)
    finally:
        store.engine.dispose()
