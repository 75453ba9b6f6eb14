"""The browser runtime against real headless Chromium: contexts, login state, recycling, crashes.

No portal is needed here: pages get their content with ``set_content``; the gateway's tests
(``test_portal_gateway.py``) drive a stand-in portal over HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import psutil
import pytest
from playwright.async_api import Error as PlaywrightError
from pydantic import SecretStr

from config.settings import BrowserSettings
from connectors.portals.base import PortalAccount, PortalLogin
from connectors.portals.browser import BrowserRuntime, login_key_hash

pytestmark = pytest.mark.browser

PASSWORD = "s3cret-Runtime-Pw"
#: how long we give Chromium's processes to disappear after a close or a kill
PROCESS_EXIT_TIMEOUT_S = 10.0
PROCESS_POLL_S = 0.1


def make_settings(tmp_path: Path, **overrides: object) -> BrowserSettings:
    """Browser settings writing under ``tmp_path``, with short timeouts."""
    values: dict[str, object] = {
        "headless": True,
        "max_pages": 4,
        "recycle_after_invoices": 100,
        "navigation_timeout_ms": 10_000,
        "action_timeout_ms": 5_000,
        "trace_on_failure": True,
        "lean_flags": True,
        "artifacts_dir": tmp_path / "artifacts",
        "state_dir": tmp_path / "state",
    }
    values.update(overrides)
    return BrowserSettings.model_validate(values)


def make_account(account_id: int, *, login_name: str = "supplier-7") -> PortalAccount:
    """A portal account on a login that several accounts may share."""
    login = PortalLogin(
        portal_code="ACME",
        portal_url="http://127.0.0.1:9/acme",
        login_name=login_name,
        password=SecretStr(PASSWORD),
    )
    return PortalAccount(portal_account_id=account_id, login=login)


def chromium_processes() -> list[psutil.Process]:
    """Every Chromium process below this test process (browser, zygotes, renderers...)."""
    return [
        process
        for process in psutil.Process().children(recursive=True)
        if "chrom" in process.name().lower()
    ]


def browser_main_process() -> psutil.Process:
    """The Chromium process that Playwright's driver launched (the others descend from it)."""
    candidates = [
        process
        for process in chromium_processes()
        if "chrom" not in psutil.Process(process.ppid()).name().lower()
    ]
    assert len(candidates) == 1, candidates
    return candidates[0]


def alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    """Those of ``processes`` still running; zombies (exited, awaiting their reaper) are gone."""
    running = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                running.append(process)
        except psutil.NoSuchProcess:
            continue
    return running


async def wait_until_gone(processes: list[psutil.Process]) -> list[psutil.Process]:
    """Wait for ``processes`` to exit; return those still alive at the deadline."""
    for _ in range(int(PROCESS_EXIT_TIMEOUT_S / PROCESS_POLL_S)):
        if not alive(processes):
            break
        await asyncio.sleep(PROCESS_POLL_S)
    return alive(processes)


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[BrowserRuntime]:
    """A started runtime with default test settings, closed after the test."""
    async with BrowserRuntime(make_settings(tmp_path)) as started:
        yield started


async def test_browser_runtime_login_state_is_owner_only_and_shared_by_login(
    runtime: BrowserRuntime,
) -> None:
    """A saved session is a 0600 file named by the login hash, without the password, and a
    second account on the same login starts with its cookies."""
    first, second = make_account(1), make_account(2)
    assert runtime.login_version(first.login) == 0
    async with runtime.page(first) as lease:
        await lease.holder.context.add_cookies(
            [{"name": "sid", "value": "session-abc", "domain": "127.0.0.1", "path": "/"}]
        )
        path = await runtime.save_login_state(lease)

    assert path.name == f"{login_key_hash(first.login)}.json"
    assert "supplier-7" not in path.name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text(encoding="utf-8")
    assert PASSWORD not in text
    assert [c["value"] for c in json.loads(text)["cookies"]] == ["session-abc"]
    assert runtime.login_version(first.login) == 1

    async with runtime.page(second) as lease:
        cookies = await lease.holder.context.cookies()
        assert [c["value"] for c in cookies] == ["session-abc"]
        assert lease.holder.state_version == 1
    assert runtime.stats().contexts_created == 2


async def test_browser_runtime_gives_each_account_its_own_context(
    runtime: BrowserRuntime,
) -> None:
    """Pages of one account share a context; another account gets a different one."""
    async with runtime.page(make_account(1)) as a, runtime.page(make_account(1)) as b:
        assert a.holder is b.holder
        assert a.page is not b.page
        async with runtime.page(make_account(2)) as c:
            assert c.holder is not a.holder
            assert runtime.stats().pages_in_use == 3
    assert runtime.stats().pages_in_use == 0
    assert runtime.stats().contexts_open == 2


async def test_browser_runtime_opens_each_page_of_an_account_in_its_own_window(
    runtime: BrowserRuntime,
) -> None:
    """Pages of one account opened at once share its context but each has a window of its own.

    As tabs of one window, all but the front one would get no animation frames, and a click
    there waits up to a second for the two frames Playwright wants to see an element stable.
    """
    async with contextlib.AsyncExitStack() as stack:
        leases = await asyncio.gather(
            *(stack.enter_async_context(runtime.page(make_account(1))) for _ in range(3))
        )
        assert len({id(lease.holder) for lease in leases}) == 1
        context = leases[0].holder.context
        assert all(lease.page.context is context for lease in leases)
        browser_session = await context.browser.new_browser_cdp_session()  # type: ignore[union-attr]
        windows = set()
        for lease in leases:
            page_session = await context.new_cdp_session(lease.page)
            target = (await page_session.send("Target.getTargetInfo"))["targetInfo"]
            await page_session.detach()
            window = await browser_session.send(
                "Browser.getWindowForTarget", {"targetId": target["targetId"]}
            )
            windows.add(window["windowId"])
            await lease.page.set_content("<button onclick='this.textContent=1'>0</button>")
            await lease.page.click("button")
            assert await lease.page.inner_text("button") == "1"
        await browser_session.detach()
        assert len(windows) == 3
    assert runtime.stats().pages_created == 3


async def test_browser_runtime_recycles_context_after_n_pages(tmp_path: Path) -> None:
    """After ``recycle_after_invoices`` pages a context is closed and a new one is made, with
    the stored session."""
    account = make_account(1)
    async with BrowserRuntime(make_settings(tmp_path, recycle_after_invoices=3)) as runtime:
        holders = []
        for number in range(7):
            async with runtime.page(account) as lease:
                if number == 0:
                    await lease.holder.context.add_cookies(
                        [{"name": "sid", "value": "kept", "domain": "127.0.0.1", "path": "/"}]
                    )
                    await runtime.save_login_state(lease)
                await lease.page.set_content(f"<p id=n>{number}</p>")
                assert await lease.page.inner_text("#n") == str(number)
                holders.append(lease.holder)
                cookies = await lease.holder.context.cookies()
                assert [c["value"] for c in cookies] == ["kept"]

        distinct = list(dict.fromkeys(holders))
        assert [holders.count(h) for h in distinct] == [3, 3, 1]
        assert [h.closed for h in distinct] == [True, True, False]
        assert runtime.stats().contexts_created == 3
        assert runtime.stats().contexts_open == 1


async def test_browser_runtime_recycles_only_when_no_page_is_in_use(tmp_path: Path) -> None:
    """A context due for recycling stays open while one of its pages is lent out."""
    account = make_account(1)
    async with BrowserRuntime(make_settings(tmp_path, recycle_after_invoices=1)) as runtime:
        async with runtime.page(account) as busy:
            async with runtime.page(account) as fresh:
                assert fresh.holder is not busy.holder
                await busy.page.set_content("<p id=still>open</p>")
                assert await busy.page.inner_text("#still") == "open"
                assert not busy.holder.closed
        assert busy.holder.closed
        assert runtime.stats().contexts_open == 1


async def test_browser_runtime_relaunches_a_killed_browser(runtime: BrowserRuntime) -> None:
    """When Chromium dies under a page, that page fails and the next one comes from a new
    browser, with nothing of the dead one left running."""
    account = make_account(1)
    with pytest.raises(PlaywrightError, match="closed"):
        async with runtime.page(account) as lease:
            await lease.page.set_content("<p>before</p>")
            before = chromium_processes()
            main = browser_main_process()
            os.kill(main.pid, signal.SIGKILL)
            assert await wait_until_gone([main]) == []
            await lease.page.set_content("<p>after the crash</p>")

    async with runtime.page(account) as lease:
        await lease.page.set_content("<p id=after>after</p>")
        assert await lease.page.inner_text("#after") == "after"
    assert runtime.stats().launches == 2
    assert runtime.stats().contexts_open == 1
    assert await wait_until_gone(before) == [], "the killed browser left processes behind"


async def test_browser_runtime_close_leaves_no_chromium_processes(tmp_path: Path) -> None:
    """Closing the runtime, even on an error, ends every Chromium process it started."""
    seen: list[psutil.Process] = []
    with pytest.raises(RuntimeError, match="job failed"):
        async with BrowserRuntime(make_settings(tmp_path)) as runtime:
            async with runtime.page(make_account(1)) as a, runtime.page(make_account(2)) as b:
                await a.page.set_content("<p>a</p>")
                await b.page.set_content("<p>b</p>")
                seen = chromium_processes()
                raise RuntimeError("job failed")
    assert len(seen) >= 3  # browser, zygotes, renderers
    assert await wait_until_gone(seen) == []
    assert chromium_processes() == []


async def test_browser_runtime_trace_chunk_has_one_owner_and_stops_for_logins(
    runtime: BrowserRuntime,
) -> None:
    """One operation at a time owns a context's trace chunk, and none can start during a login."""
    account = make_account(1)
    async with runtime.page(account) as a, runtime.page(account) as b:
        first = await a.tracer.begin()
        assert first is not None
        assert await b.tracer.begin() is None
        async with a.tracer.login_window():
            assert await b.tracer.begin() is None  # never trace a password fill
        assert await a.tracer.end(first) is False  # lost to the login: nothing to write
        second = await b.tracer.begin()
        assert second is not None
        assert await b.tracer.end(second) is False  # discarded on success


async def test_browser_runtime_rejects_a_missing_executable(tmp_path: Path) -> None:
    """A configured Chromium path that does not exist fails at start with the setting's name."""
    settings = make_settings(tmp_path, executable_path=tmp_path / "no-chromium")
    with pytest.raises(Exception, match="executable_path"):
        async with BrowserRuntime(settings):
            pass
