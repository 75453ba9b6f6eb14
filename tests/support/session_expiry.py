"""Making a stand-in portal's session expire in the middle of a login, on purpose.

The stand-ins forget a session after ``Faults.session_idle_s`` idle. A route on the sign-in
POSTs shrinks that to a few milliseconds at the right moment of the first login, then restores
it when the login starts over: either before the held POST reaches the portal (the session it
continues, e.g. the one waiting for the TOTP code, has expired when it arrives) or after the
portal answered it and before the browser follows the redirect (the session it just created has
expired when the next page asks for it). Nothing sleeps longer than the expiry it waits out.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from structlog.testing import capture_logs

from sandbox.faults import DEFAULT_SESSION_IDLE_S

if TYPE_CHECKING:
    from playwright.async_api import Page, Route

    from connectors.portals.base import PortalAccount, PortalDriver
    from tests.support.sandbox_admin import SandboxAdmin

#: the idle expiry while a session is made to expire
EXPIRING_IDLE_S = 0.01
#: waited once the expiry is set, so the session has been idle for longer
IDLE_WAIT_S = 0.05


class ExpiryDuringSignIn:
    """A route handler on a portal's sign-in POSTs: the first one's session expires."""

    def __init__(self, admin: SandboxAdmin, *, expire_path: str, after_answer: bool) -> None:
        self.admin = admin
        self.expire_path = expire_path  #: the POST whose session expires (the first one only)
        self.after_answer = after_answer  #: expire after the portal answered it, not before
        self.posts: list[str] = []  #: the paths of the sign-in POSTs seen, in order
        self.expired = False

    async def install(self, page: Page, url_glob: str) -> None:
        await page.route(url_glob, self)

    async def __call__(self, route: Route) -> None:
        request = route.request
        if request.method != "POST":
            await route.continue_()
            return
        path = "/" + request.url.split("://", 1)[-1].split("/", 1)[-1].split("?")[0]
        self.posts.append(path)
        if self.expired or not path.endswith(self.expire_path):
            if self.expired:  # the login starts over: sessions live as long as usual again
                await self.admin.set_faults(session_idle_s=DEFAULT_SESSION_IDLE_S)
            await route.continue_()
            return
        self.expired = True
        if self.after_answer:
            answer = await route.fetch(max_redirects=0)
            await self._expire_sessions()
            await route.fulfill(response=answer)
        else:
            await self._expire_sessions()
            await route.continue_()

    async def _expire_sessions(self) -> None:
        await self.admin.set_faults(session_idle_s=EXPIRING_IDLE_S)
        await asyncio.sleep(IDLE_WAIT_S)


@dataclass(frozen=True, kw_only=True, slots=True)
class LoginThroughExpiry:
    """What a login that met an expiry left behind, for the test to assert on."""

    posts: list[str]  #: the sign-in POSTs, in order
    events: list[str]  #: the log events of the login
    logins: list[tuple[str, bool, str]]  #: (login, ok, reason) as the portal recorded them


async def log_in_through_an_expiry(
    driver: PortalDriver,
    page: Page,
    account: PortalAccount,
    admin: SandboxAdmin,
    *,
    url_glob: str,
    expire_path: str,
    after_answer: bool,
) -> LoginThroughExpiry:
    """Log in while the first sign-in's session expires (:class:`ExpiryDuringSignIn`)."""
    expiry = ExpiryDuringSignIn(admin, expire_path=expire_path, after_answer=after_answer)
    await expiry.install(page, url_glob)
    with capture_logs() as logs:
        await driver.login(page, account)
    recorded = [
        (str(e["login_name"]), bool(e["ok"]), str(e["reason"])) for e in await admin.logins()
    ]
    return LoginThroughExpiry(
        posts=expiry.posts, events=[str(e["event"]) for e in logs], logins=recorded
    )
