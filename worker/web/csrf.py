"""CSRF protection: a per-session random token, required on every unsafe request a browser makes.

A form carries it in a hidden ``csrf_token`` field; an API call made with the session cookie (not
a bearer token) carries it in the ``X-CSRF-Token`` header. A bearer token is not sent by the
browser on its own, so API calls with one need no CSRF token.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
TOKEN_BYTES = 32


class CsrfRejected(Exception):
    """The request carried no CSRF token, or not the session's."""


def csrf_token(request: Request) -> str:
    """The session's token, created on first use."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        request.session[SESSION_KEY] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    """Raise :class:`CsrfRejected` unless ``submitted`` is the session's token."""
    expected = request.session.get(SESSION_KEY)
    if not isinstance(expected, str) or not expected or not submitted:
        raise CsrfRejected("missing CSRF token")
    if not hmac.compare_digest(expected.encode(), submitted.encode()):
        raise CsrfRejected("wrong CSRF token")
