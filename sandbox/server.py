"""The sandbox server: every stand-in portal family in one ASGI app, plus the admin endpoints.

The demo and the browser tests need customer portals on 127.0.0.1 that behave like real ones
and that a test can interrogate ("did this invoice arrive exactly once?") and bully (latency,
busy pages, lost confirmations, idle expiry, lock-outs, a changed form). Each family is a
sub-app mounted at ``/{family}`` behind a fault gate; ``/__sandbox/*`` is shared by all
families and never subject to faults:

    GET  /__sandbox/received   accepted uploads, confirmation lost or not
    GET  /__sandbox/logins     every login attempt
    GET  /__sandbox/faults     current faults;   POST (JSON, partial update) to change them
    GET  /__sandbox/requests   page requests per family and path ({"coupa": {"/invoices": 3}}),
                               static assets not counted, busy answers counted: page loads
    POST /__sandbox/reset      clear received invoices, logins, lock-outs, faults, requests
    POST /__sandbox/{family}/...   family-specific admin (Coupa, Ariba: invoice lifecycle)

Adding a family is one line in :data:`PORTAL_FAMILIES`.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from html import escape
from types import FrameType, TracebackType
from typing import Protocol

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.config import LOGGING_CONFIG

from sandbox.ariba_portal import AribaPortal
from sandbox.catalog import Catalog
from sandbox.coupa_portal import CoupaPortal
from sandbox.faults import FaultControl, Faults, FaultsInvalid
from sandbox.ledger import Ledger
from sandbox.upload_portal import UploadPortal

ADMIN_PREFIX = "/__sandbox"
STATIC_SEGMENT = "/static/"
BUSY_RETRY_AFTER_S = 30
STARTUP_TIMEOUT_S = 15.0
SHUTDOWN_TIMEOUT_S = 10.0
STARTUP_POLL_S = 0.01
LOG_LEVEL = "warning"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class PortalFamily(Protocol):
    """What a stand-in portal family gives the server to mount."""

    family: str
    prefix: str  #: "/coupa"
    #: paths (below the prefix) of the pages a worker looks an invoice up on
    lookup_paths: tuple[str, ...]

    @property
    def app(self) -> ASGIApp: ...

    def admin_routes(self) -> list[BaseRoute]:
        """Family-specific admin routes, mounted under ``/__sandbox/{family}``."""
        ...

    def busy_page(self) -> str:
        """The family's "System busy - please try again later" page."""
        ...

    def reset(self) -> None:
        """Forget stored invoices, failed logins and lock-outs."""
        ...


#: builds a family's portal from the catalog, the shared ledger and faults, and its mount prefix
FamilyFactory = Callable[[Catalog, Ledger, FaultControl, str], PortalFamily]


def _coupa(catalog: Catalog, ledger: Ledger, faults: FaultControl, prefix: str) -> PortalFamily:
    return CoupaPortal(catalog, ledger=ledger, faults=faults, prefix=prefix)


def _ariba(catalog: Catalog, ledger: Ledger, faults: FaultControl, prefix: str) -> PortalFamily:
    return AribaPortal(catalog, ledger=ledger, faults=faults, prefix=prefix)


def _upload(catalog: Catalog, ledger: Ledger, faults: FaultControl, prefix: str) -> PortalFamily:
    return UploadPortal(catalog, ledger=ledger, faults=faults, prefix=prefix)


#: family → factory; each one is mounted at ``/{family}``
PORTAL_FAMILIES: Mapping[str, FamilyFactory] = {
    "coupa": _coupa,
    "ariba": _ariba,
    "upload": _upload,
}


class RequestCounter:
    """Page requests each family received, by path below its prefix (what a page load costs)."""

    def __init__(self) -> None:
        self._counts: dict[str, Counter[str]] = {}

    def count(self, family: str, path: str) -> None:
        self._counts.setdefault(family, Counter())[path] += 1

    def as_json(self) -> dict[str, dict[str, int]]:
        return {family: dict(paths) for family, paths in self._counts.items()}

    def clear(self) -> None:
        self._counts.clear()


class FaultGate:
    """ASGI middleware in front of a family: latency on every request, busy pages on some;
    every page request (static assets aside) is counted."""

    def __init__(
        self,
        app: ASGIApp,
        faults: FaultControl,
        busy_page: Callable[[], str],
        *,
        lookup_paths: Sequence[str] = (),
        family: str = "",
        requests: RequestCounter | None = None,
    ) -> None:
        self._app = app
        self._faults = faults
        self._busy_page = busy_page
        self._lookup_paths = tuple(lookup_paths)
        self._family = family
        self._requests = requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        current = self._faults.current
        if current.latency_ms:
            await asyncio.sleep(current.latency_ms / 1000)
        path: str = scope["path"]
        root: str = scope.get("root_path", "")
        relative = path[len(root) :] if root and path.startswith(root) else path
        if self._requests is not None and STATIC_SEGMENT not in path:
            self._requests.count(self._family, relative)
        if STATIC_SEGMENT not in path and self._is_busy(relative):
            busy = HTMLResponse(
                self._busy_page(),
                status_code=503,
                headers={"Retry-After": str(BUSY_RETRY_AFTER_S)},
            )
            await busy(scope, receive, send)
            return
        await self._app(scope, receive, send)

    def _is_busy(self, relative: str) -> bool:
        """Roll the dice for a page (its path below the family's prefix): any page may be
        busy, a lookup page more often."""
        current = self._faults.current
        if self._faults.roll(current.error_rate):
            return True
        is_lookup = any(relative == p or relative.startswith(p + "/") for p in self._lookup_paths)
        return is_lookup and self._faults.roll(current.lookup_error_rate)


class SandboxAdmin:
    """The ``/__sandbox`` endpoints shared by every family."""

    def __init__(
        self,
        ledger: Ledger,
        faults: FaultControl,
        portals: Sequence[PortalFamily],
        requests: RequestCounter,
    ) -> None:
        self._ledger = ledger
        self._faults = faults
        self._portals = portals
        self._requests = requests

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/received", self._received, methods=["GET"]),
            Route("/logins", self._logins, methods=["GET"]),
            Route("/faults", self._get_faults, methods=["GET"]),
            Route("/faults", self._set_faults, methods=["POST"]),
            Route("/requests", self._get_requests, methods=["GET"]),
            Route("/reset", self._reset, methods=["POST"]),
            *(Mount(f"/{p.family}", routes=p.admin_routes()) for p in self._portals),
        ]

    async def _received(self, request: Request) -> Response:
        return JSONResponse([entry.as_json() for entry in self._ledger.received()])

    async def _logins(self, request: Request) -> Response:
        return JSONResponse([attempt.as_json() for attempt in self._ledger.logins()])

    async def _get_faults(self, request: Request) -> Response:
        return JSONResponse(self._faults.current.as_json())

    async def _get_requests(self, request: Request) -> Response:
        return JSONResponse(self._requests.as_json())

    async def _set_faults(self, request: Request) -> Response:
        try:
            changes = await request.json()
        except ValueError:
            return JSONResponse({"error": "body must be JSON"}, status_code=400)
        if not isinstance(changes, dict):
            return JSONResponse({"error": "body must be a JSON object"}, status_code=400)
        try:
            updated = self._faults.update(**changes)
        except (FaultsInvalid, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(updated.as_json())

    async def _reset(self, request: Request) -> Response:
        self._ledger.clear()
        self._faults.reset()
        self._requests.clear()
        for portal in self._portals:
            portal.reset()
        return JSONResponse({"reset": True})


def create_app(catalog: Catalog, *, faults: Faults | None = None) -> Starlette:
    """The sandbox ASGI app: each family at ``/{family}``, the admin endpoints at ``/__sandbox``."""
    ledger = Ledger()
    control = FaultControl(faults)
    portals = [
        factory(catalog, ledger, control, f"/{family}")
        for family, factory in PORTAL_FAMILIES.items()
    ]
    requests = RequestCounter()
    admin = SandboxAdmin(ledger, control, portals, requests)

    async def index(request: Request) -> Response:
        links = "".join(
            f'<li><a href="{escape(p.prefix)}/login">{escape(p.family)}</a></li>' for p in portals
        )
        return HTMLResponse(f"<!DOCTYPE html><title>Sandbox portals</title><ul>{links}</ul>")

    routes: list[BaseRoute] = [
        Route("/", index),
        Mount(ADMIN_PREFIX, routes=admin.routes()),
        *(
            Mount(
                p.prefix,
                app=FaultGate(
                    p.app,
                    control,
                    p.busy_page,
                    lookup_paths=p.lookup_paths,
                    family=p.family,
                    requests=requests,
                ),
            )
            for p in portals
        ),
    ]
    return Starlette(routes=routes)


class RunningSandbox:
    """A sandbox served by uvicorn on a background thread; stop it, or use it as a context."""

    def __init__(self, *, url: str, server: uvicorn.Server, thread: threading.Thread) -> None:
        self.url = url  #: e.g. "http://127.0.0.1:41233"
        self._server = server
        self._thread = thread

    def portal_url(self, family: str) -> str:
        """Where a family's portal lives, as a portal account's URL would name it."""
        return f"{self.url}/{family}"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(SHUTDOWN_TIMEOUT_S)

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_sandbox(
    catalog: Catalog, *, host: str = "127.0.0.1", port: int = 0, faults: Faults | None = None
) -> RunningSandbox:
    """Serve the sandbox in a background thread; returns once it accepts connections."""
    config = _config(create_app(catalog, faults=faults), host=host, port=port, embedded=True)
    server = uvicorn.Server(config)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="sandbox-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the sandbox did not start on {host}:{bound_port}")
        time.sleep(STARTUP_POLL_S)
    shown_host = f"[{host}]" if family == socket.AF_INET6 else host
    return RunningSandbox(url=f"http://{shown_host}:{bound_port}", server=server, thread=thread)


def serve_forever(
    catalog: Catalog, host: str = "127.0.0.1", port: int = 8765, faults: Faults | None = None
) -> None:
    """Serve in the foreground (``arworker sandbox serve``); SIGINT/SIGTERM stop it cleanly.

    Uvicorn shuts down gracefully on either signal, then raises the signal again for the
    previous handler; ours turns that into a normal return, so the command exits with 0.
    """
    server = uvicorn.Server(_config(create_app(catalog, faults=faults), host=host, port=port))
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, _stopped) for sig in STOP_SIGNALS} if in_main_thread else {}
    try:
        server.run()
    except _Stopped:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class _Stopped(Exception):
    """A stop signal arrived after uvicorn's graceful shutdown."""


def _stopped(signum: int, frame: FrameType | None) -> None:
    raise _Stopped


def _config(app: ASGIApp, *, host: str, port: int, embedded: bool = False) -> uvicorn.Config:
    """Uvicorn settings: quiet, no access log, no websockets, no lifespan.

    asyncio's transports set TCP_NODELAY on every accepted socket; uvicorn's defaults keep it,
    so Nagle never stalls a response (it would falsify latency figures). Embedded in a test or
    the demo, the server leaves the host process's logging configuration alone.
    """
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=LOG_LEVEL,
        access_log=False,
        lifespan="off",
        ws="none",
        log_config=None if embedded else LOGGING_CONFIG,
    )
