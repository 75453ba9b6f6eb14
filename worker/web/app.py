"""The workspace application: FastAPI (pages + ``/api/v1``), sessions, CSRF, security headers.

``create_app`` wires it from the settings and a store; ``arworker web`` serves it with uvicorn.
Pages are server-rendered Jinja2 with autoescaping (portal and EBS text is untrusted), plain
forms with post/redirect/get, no JavaScript.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
import structlog
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from config.settings import Settings
from connectors.oracle.store import Store
from jobs.actions import ActionError, NotApplicable, NotFound, NotPermitted
from worker.health import ReadinessChecks, healthz, readyz_endpoint
from worker.metrics import WEB_SECONDS_BUCKETS, QueueCollector
from worker.ops_server import metrics_endpoint
from worker.web.auth import Authenticator, Principal
from worker.web.csrf import CsrfRejected, csrf_token

SESSION_COOKIE = "arw_session"
SESSION_SECRET_FILE = "web__session_secret"
FLASH_KEY = "flash"
WEB_DIR = Path(__file__).resolve().parent

log = structlog.get_logger("arworker.web")


class LoginRequired(Exception):
    """The request needs a signed-in user and has none."""


@dataclass(kw_only=True)
class Workspace:
    """What every route of the app uses."""

    settings: Settings
    store: Store
    auth: Authenticator
    templates: Jinja2Templates
    portal_codes: tuple[str, ...]
    registry: CollectorRegistry


def workspace_of(request: Request) -> Workspace:
    ws: Workspace = request.app.state.workspace
    return ws


def principal_of(request: Request) -> Principal:
    """The signed-in principal (resolved once per request), or :class:`LoginRequired`."""
    if not hasattr(request.state, "principal"):
        request.state.principal = workspace_of(request).auth.principal(request)
    principal: Principal | None = request.state.principal
    if principal is None:
        raise LoginRequired
    return principal


def flash(request: Request, message: str, *, error: bool = False) -> None:
    """A message shown once on the next page (post/redirect/get)."""
    messages = list(request.session.get(FLASH_KEY, []))
    messages.append({"text": message[:500], "error": error})
    request.session[FLASH_KEY] = messages[-5:]


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """Render a page with what every page shows: the user, the CSRF token, flashed messages."""
    ws = workspace_of(request)
    principal = getattr(request.state, "principal", None)
    base = {
        "principal": principal,
        "csrf_token": csrf_token(request),
        "flashes": request.session.pop(FLASH_KEY, []),
        "auth_mode": ws.settings.web.auth,
    }
    return ws.templates.TemplateResponse(request, template, base | context, status_code=status_code)


def not_found(request: Request, message: str) -> HTMLResponse:
    return render(request, "error.html", {"status": 404, "message": message}, status_code=404)


def session_secret(settings: Settings) -> str:
    """The cookie signing key: configured, else kept in the secrets directory (created once)."""
    configured = settings.web.session_secret
    if configured is not None:
        return configured.get_secret_value()
    directory = settings.secrets_dir
    if directory is None:
        log.warning("web.session_secret_ephemeral", hint="set ARWORKER_WEB__SESSION_SECRET")
        return secrets.token_urlsafe(48)
    path = directory / SESSION_SECRET_FILE
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value)
    log.info("web.session_secret_created", path=str(path))
    return value


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(WEB_DIR / "templates"),
        autoescape=True,  # every value is escaped; no template uses |safe
        undefined=jinja2.StrictUndefined,
    )
    env.filters["money"] = _money
    env.filters["when"] = _when
    env.filters["day"] = _day
    return Jinja2Templates(env=env)


def _money(amount: Decimal | None, currency: str | None = None) -> str:
    if amount is None:
        return ""
    return f"{currency + ' ' if currency else ''}{amount:,.2f}"


def _when(value: dt.datetime | None) -> str:
    return "" if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _day(value: dt.date | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d")


class RequestMetrics:
    """ASGI middleware counting and timing requests by route template (not by raw path)."""

    def __init__(self, app: ASGIApp, registry: CollectorRegistry) -> None:
        self.app = app
        self.requests = Counter(
            "arworker_web_requests",
            "Web requests by route and status",
            ["route", "status"],
            registry=registry,
        )
        self.seconds = Histogram(
            "arworker_web_request_seconds",
            "Web request latency by route",
            ["route"],
            buckets=WEB_SECONDS_BUCKETS,
            registry=registry,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = {"code": 500}

        async def capture(message: Any) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = scope.get("route")
            name = str(getattr(route, "path", "other"))
            self.requests.labels(name, str(status["code"])).inc()
            self.seconds.labels(name).observe(time.monotonic() - started)


def create_app(
    settings: Settings, store: Store, *, portal_codes: tuple[str, ...] | None = None
) -> FastAPI:
    """The workspace app over ``store``; ``portal_codes`` defaults to the drivers and recipes."""
    from worker.web import api, evidence, page_actions, pages, sign_in
    from worker.web.auth import assert_auth_allowed
    from worker.web.headers import SecurityHeaders

    assert_auth_allowed(settings.web)
    if portal_codes is None:
        from connectors.portals.registry import known_families

        portal_codes = known_families()
    registry = CollectorRegistry()
    registry.register(QueueCollector(store, cache_s=settings.metrics.database_cache_s))
    app = FastAPI(
        title="arworker workspace API",
        version="1",
        description="Read the submission queue and act on it: the same actions as the "
        "collector workspace, for scripts. Authenticate with `Authorization: Bearer <token>` "
        "(`arworker tokens create`).",
        openapi_url="/api/openapi.json",
        docs_url=None,  # the interactive docs load scripts from a CDN: not under our CSP
        redoc_url=None,
    )
    app.state.workspace = Workspace(
        settings=settings,
        store=store,
        auth=Authenticator(settings.web, store),
        templates=_templates(),
        portal_codes=tuple(portal_codes),
        registry=registry,
    )
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    app.add_route("/healthz", healthz)
    app.add_route("/readyz", readyz_endpoint(ReadinessChecks(store=store)))
    app.add_route("/metrics", metrics_endpoint(registry))
    app.include_router(sign_in.router)
    app.include_router(pages.router)
    app.include_router(page_actions.router)
    app.include_router(evidence.router)
    app.include_router(api.router)
    _error_pages(app)
    secure = settings.web.secure_cookies
    if secure is None:
        secure = (settings.web.public_url or "").startswith("https://")
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie=SESSION_COOKIE,
        max_age=settings.web.session_max_age_s,
        same_site="lax",
        https_only=secure,
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestMetrics, registry=registry)
    return app


def _error_pages(app: FastAPI) -> None:
    """How refusals look: a page for people, JSON under /api/."""

    def answer(request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message}, status_code=status)
        return render(
            request, "error.html", {"status": status, "message": message}, status_code=status
        )

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"detail": "sign in or send Authorization: Bearer <token>"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        if request.method == "GET" and workspace_of(request).settings.web.auth == "basic":
            return redirect(f"/login?next={request.url.path}")
        return answer(request, 401, "sign in first")

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, exc: CsrfRejected) -> Response:
        log.warning("web.csrf_rejected", path=request.url.path, reason=str(exc))
        return answer(request, 403, "this form expired or did not come from this site; reload it")

    @app.exception_handler(NotPermitted)
    async def not_permitted(request: Request, exc: NotPermitted) -> Response:
        log.warning("web.not_permitted", path=request.url.path, reason=str(exc))
        return answer(request, 403, str(exc))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return answer(request, 404, str(exc))

    @app.exception_handler(NotApplicable)
    async def not_applicable(request: Request, exc: NotApplicable) -> Response:
        return answer(request, 409, str(exc))

    @app.exception_handler(ActionError)
    async def action_error(request: Request, exc: ActionError) -> Response:
        return answer(request, 400, str(exc))
