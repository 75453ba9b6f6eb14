"""Browser sessions of a stand-in portal, forgotten after an idle time as real portals do.

Portals drop a session after ~30 minutes idle and send the next request, even a form post in
the middle of an upload, to the login page. The worker has to recognise that page and log in
again rather than report a failed login; the idle time comes from the live fault settings so a
test can shrink it to a second.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.faults import FaultControl

SESSION_ID_BYTES = 24
FORM_TOKEN_BYTES = 16


@dataclass(kw_only=True, slots=True)
class PortalSession:
    """One browser's session. Mutable: it is the server's working state, not a value."""

    session_id: str
    form_token: str  #: anti-forgery token every form posts back
    last_seen_s: float
    login_name: str | None = None  #: set once fully signed in
    pending_login: str | None = None  #: password accepted, waiting for the TOTP code
    last_customer: str | None = None  #: the customer chosen last (used when a URL omits it)

    @property
    def signed_in(self) -> bool:
        return self.login_name is not None


@dataclass(frozen=True, kw_only=True, slots=True)
class SessionLookup:
    session: PortalSession | None
    #: a session existed for the cookie but had been idle too long
    expired: bool = False


class SessionStore:
    """The sessions of one portal family, keyed by the cookie's value."""

    def __init__(
        self, faults: FaultControl, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._faults = faults
        self._clock = clock
        self._sessions: dict[str, PortalSession] = {}

    def create(self) -> PortalSession:
        session = PortalSession(
            session_id=secrets.token_urlsafe(SESSION_ID_BYTES),
            form_token=secrets.token_urlsafe(FORM_TOKEN_BYTES),
            last_seen_s=self._clock(),
        )
        self._sessions[session.session_id] = session
        return session

    def lookup(self, session_id: str | None) -> SessionLookup:
        """The live session for a cookie value, touched; an idle one is dropped and reported."""
        if not session_id:
            return SessionLookup(session=None)
        session = self._sessions.get(session_id)
        if session is None:
            return SessionLookup(session=None)
        now = self._clock()
        if now - session.last_seen_s > self._faults.current.session_idle_s:
            del self._sessions[session_id]
            return SessionLookup(session=None, expired=True)
        session.last_seen_s = now
        return SessionLookup(session=session)

    def drop(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)

    def clear(self) -> None:
        self._sessions.clear()
