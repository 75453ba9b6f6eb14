"""Failure evidence: what a person opens the morning after an upload went wrong.

A failed portal operation leaves a screenshot (every password field masked), the page's HTML as
it stood and, when enabled, a Playwright trace of that operation, in
``<artifacts_dir>/<evidence name>/``; the submission row stores the folder. The trace holds the
actions, network and console but no DOM snapshots: recording a snapshot after every action cost
about 15 % of the worker's throughput (``benchmarks/throughput.py``), and the saved HTML shows the
page the failure happened on. A trace records everything the browser context does while it
runs, so it must never run while someone logs in: :class:`ContextTracer` stops (and throws
away) the context's trace before any login, and only one operation at a time owns the context's
trace chunk (the others get a screenshot only). A chunk of a successful operation is thrown away.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import structlog
from playwright.async_api import Error as PlaywrightError

from connectors.portals.errors import PortalUnavailable

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Page

SCREENSHOT_FILE = "screenshot.png"
TRACE_FILE = "trace.zip"
PAGE_HTML_FILE = "page.html"
FAILURE_FILE = "failure.txt"
#: inputs painted over in every screenshot
PASSWORD_FIELDS = "input[type=password]"
SCREENSHOT_TIMEOUT_MS = 5_000
#: folders hold customer data: owner only
EVIDENCE_DIR_MODE = 0o700
#: an evidence name becomes a folder name: ``submission-123``, ``resync-42-7``
EVIDENCE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}")

log = structlog.get_logger()


class TraceChunk:
    """Proof that one operation owns the trace chunk of its context (identity only)."""

    __slots__ = ()


class ContextTracer:
    """Lends a context's trace chunk to one operation at a time, and never during a login."""

    def __init__(self, context: BrowserContext, *, enabled: bool) -> None:
        self._context = context
        self._enabled = enabled
        self._lock = asyncio.Lock()
        self._started = False
        self._owner: TraceChunk | None = None
        self._logins_in_progress = 0

    async def begin(self) -> TraceChunk | None:
        """Start recording for the caller if the chunk is free and nobody is logging in."""
        async with self._lock:
            if not self._enabled or self._owner is not None or self._logins_in_progress:
                return None
            try:
                if self._started:
                    await self._context.tracing.start_chunk()
                else:
                    await self._context.tracing.start(screenshots=False, snapshots=False)
                    self._started = True
            except PlaywrightError as exc:
                log.warning("evidence.trace_start_failed", error=str(exc).splitlines()[0][:200])
                return None
            chunk = TraceChunk()
            self._owner = chunk
            return chunk

    async def end(self, chunk: TraceChunk | None, *, keep: Path | None = None) -> bool:
        """Stop the caller's chunk, writing it to ``keep`` or discarding it; True if written."""
        async with self._lock:
            if chunk is None or chunk is not self._owner:
                return False
            self._owner = None
            try:
                await self._context.tracing.stop_chunk(path=keep)
            except PlaywrightError as exc:
                if keep is not None:  # a discarded chunk of a dead context is no news
                    log.warning("evidence.trace_stop_failed", error=str(exc).splitlines()[0][:200])
                return False
            return keep is not None

    @asynccontextmanager
    async def login_window(self) -> AsyncIterator[None]:
        """Around a login: tracing is stopped and discarded first and cannot restart inside."""
        async with self._lock:
            self._logins_in_progress += 1
            try:
                if self._started:
                    self._owner = None  # its operation loses the chunk: screenshot only
                    self._started = False
                    await self._context.tracing.stop()
            except BaseException as exc:
                self._logins_in_progress -= 1
                if isinstance(exc, PlaywrightError):
                    # a trace that may still run must not see a password: no login now
                    raise PortalUnavailable("could not stop tracing before logging in") from exc
                raise
        try:
            yield
        finally:
            self._logins_in_progress -= 1


def evidence_folder(artifacts_dir: Path, name: str) -> Path:
    """The folder of one evidence name; the name must be a plain folder name."""
    if EVIDENCE_NAME.fullmatch(name) is None:
        raise ValueError(
            f"evidence name {name!r} is not a plain folder name "
            "(letters, digits, '.', '_', '-'), e.g. 'submission-123'"
        )
    return artifacts_dir / name


async def keep_evidence(
    page: Page | None,
    *,
    tracer: ContextTracer | None,
    chunk: TraceChunk | None,
    folder: Path,
    failure: BaseException,
) -> Path:
    """Save what the failed operation left: screenshot, page HTML, its trace chunk, a summary."""
    await asyncio.to_thread(_prepare_folder, folder)
    if page is not None and not page.is_closed():
        try:
            await page.screenshot(
                path=folder / SCREENSHOT_FILE,
                full_page=True,
                mask=[page.locator(PASSWORD_FIELDS)],
                timeout=SCREENSHOT_TIMEOUT_MS,
            )
        except PlaywrightError as exc:
            log.warning("evidence.screenshot_failed", error=str(exc).splitlines()[0][:200])
        try:
            # the DOM as serialised: typed values (a password) are properties, not attributes
            html = await page.content()
            await asyncio.to_thread(_write_private, folder / PAGE_HTML_FILE, html)
        except PlaywrightError as exc:
            log.warning("evidence.page_html_failed", error=str(exc).splitlines()[0][:200])
    if tracer is not None:
        await tracer.end(chunk, keep=folder / TRACE_FILE)
    summary = f"{failure.__class__.__name__}: {failure}\n"
    await asyncio.to_thread((folder / FAILURE_FILE).write_text, summary, encoding="utf-8")
    return folder


def _prepare_folder(folder: Path) -> None:
    """Create the folder (owner only) and drop files a previous failure left there."""
    folder.mkdir(mode=EVIDENCE_DIR_MODE, parents=True, exist_ok=True)
    for stale in (SCREENSHOT_FILE, PAGE_HTML_FILE, TRACE_FILE, FAILURE_FILE):
        (folder / stale).unlink(missing_ok=True)


def _write_private(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
