"""Signing in and out (auth ``basic``): a form, an argon2 check, a fresh signed session."""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from worker.web.app import flash, redirect, render, workspace_of
from worker.web.auth import SESSION_USER_KEY, client_address
from worker.web.credentials import verify_password
from worker.web.csrf import check_csrf

router = APIRouter(include_in_schema=False)
log = structlog.get_logger("arworker.web")


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never ``//host`` or a scheme): no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    if workspace_of(request).settings.web.auth != "basic":
        return redirect("/")
    return render(request, "login.html", {"next": _safe_next(next), "user_name": ""})


@router.post("/login")
def login(
    request: Request,
    user_name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf_token)
    ws = workspace_of(request)
    name = user_name.strip()[:100]
    user = ws.store.web_user(name) if name else None
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not user.enabled or not ok:
        log.warning("web.sign_in_refused", user=name, client=client_address(request))
        flash(request, "wrong user name or password", error=True)
        return render(
            request,
            "login.html",
            {"next": _safe_next(next), "user_name": name},
            status_code=401,
        )
    request.session.clear()  # a new session (and CSRF token) on sign-in: nothing carried over
    request.session[SESSION_USER_KEY] = user.user_name
    ws.store.record_sign_in(user.user_name)
    log.info("web.signed_in", user=user.user_name, client=client_address(request))
    return redirect(_safe_next(next))


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    request.session.clear()
    return redirect("/login" if workspace_of(request).settings.web.auth == "basic" else "/")
