"""Who is asking: a signed session (auth ``basic``), an SSO proxy's header (``proxy``), an API
token, or nobody in particular (``none``, loopback only).

The role always comes from the database at each request (XX_ARW_WEB_USERS, XX_ARW_API_TOKENS), not
from the cookie, so disabling a user or revoking a token takes effect at once. A proxy's user
header is believed only from the configured proxy addresses: anyone else could send it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import structlog
from starlette.requests import Request

from config.settings import WebSettings
from connectors.oracle.store import Store
from connectors.oracle.workspace_records import WebUser
from jobs.actions import Actor, Channel, Role
from worker.web.credentials import TOKEN_PREFIX, token_hash

SESSION_USER_KEY = "user"
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")
LOCAL_USER = "local"

log = structlog.get_logger("arworker.web")


@dataclass(frozen=True, kw_only=True, slots=True)
class Principal:
    """A signed-in person or script, with its role."""

    name: str
    role: Role
    via: str  #: "session", "proxy", "token" or "none"
    collector_id: int | None = None
    display_name: str | None = None

    def actor(self, request: Request) -> Actor:
        """The actor of an action made through this request (channel, address) for the audit."""
        channel = Channel.API if self.via == "token" or _is_api(request) else Channel.WEB
        return Actor(
            name=self.name,
            role=self.role,
            channel=channel,
            address=client_address(request),
            collector_id=self.collector_id,
        )


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


class Authenticator:
    """Resolves the principal of a request under the configured auth mode."""

    def __init__(self, settings: WebSettings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self._proxies = [ipaddress.ip_network(n, strict=False) for n in settings.trusted_proxies]

    @property
    def mode(self) -> str:
        return self.settings.auth

    def principal(self, request: Request) -> Principal | None:
        """The caller, or None when not signed in (or not allowed at all)."""
        bearer = _bearer(request)
        if bearer is not None:
            return self._token_principal(bearer)
        if self.mode == "none":
            return Principal(name=LOCAL_USER, role=Role.ADMIN, via="none")
        if self.mode == "proxy":
            return self._proxy_principal(request)
        name = request.session.get(SESSION_USER_KEY)
        if not isinstance(name, str):
            return None
        user = self.store.web_user(name)
        if user is None or not user.enabled:
            request.session.pop(SESSION_USER_KEY, None)
            return None
        return _user_principal(user, via="session")

    def _token_principal(self, token: str) -> Principal | None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        found = self.store.api_token_by_hash(token_hash(token))
        if found is None or not found.usable_at(self.store.clock()):
            return None
        user = self.store.web_user(found.user_name)
        collector_id = user.collector_id if user is not None else None
        return Principal(
            name=found.user_name, role=Role(found.role), via="token", collector_id=collector_id
        )

    def _proxy_principal(self, request: Request) -> Principal | None:
        address = client_address(request)
        name = request.headers.get(self.settings.proxy_user_header, "").strip()
        if not name:
            return None
        if address is None or not self._trusted(address):
            log.warning("web.untrusted_proxy_header", client=address)
            return None
        user = self.store.web_user(name)
        if user is not None:
            return _user_principal(user, via="proxy") if user.enabled else None
        if self.settings.proxy_default_role == "NONE":
            return None
        return Principal(name=name, role=Role(self.settings.proxy_default_role), via="proxy")

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._proxies)


def _user_principal(user: WebUser, *, via: str) -> Principal:
    return Principal(
        name=user.user_name,
        role=Role(user.role),
        via=via,
        collector_id=user.collector_id,
        display_name=user.display_name,
    )


def _bearer(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


class AuthNotAllowed(ValueError):
    """The auth mode is not allowed with this listening address."""


def assert_auth_allowed(settings: WebSettings) -> None:
    """``auth = none`` only on a loopback address: anyone who can reach it is an admin."""
    if settings.auth != "none":
        return
    host = settings.host.strip("[]")
    loopback = host in LOOPBACK_HOSTS
    if not loopback:
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
    if not loopback:
        raise AuthNotAllowed(
            f"web.auth = none lets anyone who reaches {settings.host} act as an admin; it is "
            "only allowed on a loopback address (web.host = 127.0.0.1). Use auth = basic or "
            "proxy to listen on another address."
        )
    log.warning(
        "web.auth_none",
        warning="AUTHENTICATION IS OFF: every request is an admin. Loopback only; never "
        "expose this port.",
    )
