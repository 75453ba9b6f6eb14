"""Workspace users (XX_ARW_WEB_USERS) and API tokens (XX_ARW_API_TOKENS).

Users live in the database, not in a file of one web host, so every web instance of a fleet and
the CLI see the same people and roles, and a revoked token stops working everywhere at once. A
token is stored only as its SHA-256: it is a long random string, so a fast hash is enough (unlike
a password, which gets argon2), and a request can look it up by hash directly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from connectors.oracle.audit_log import write_audit
from connectors.oracle.unit_of_work import UnitOfWork
from connectors.oracle.workspace_records import ApiToken, AuditEntry, WebUser

#: a token's LAST_USED_AT is written at most this often (not one UPDATE per API call)
TOKEN_TOUCH_INTERVAL_S = 60.0


class WebUserVerbs(UnitOfWork):
    """Users and tokens: created, changed, revoked, looked up."""

    def add_web_user(
        self,
        *,
        user_name: str,
        role: str,
        password_hash: str | None,
        display_name: str | None = None,
        email_address: str | None = None,
        collector_id: int | None = None,
        audit: AuditEntry,
    ) -> int:
        """Create a user; ``AlreadyExists`` when the name is taken."""
        users = self._t["xx_arw_web_users"]

        def work(conn: sa.Connection) -> int:
            now = self.clock()
            result = conn.execute(
                sa.insert(users).values(
                    user_name=user_name,
                    role_code=role,
                    password_hash=password_hash,
                    display_name=display_name,
                    email_address=email_address,
                    collector_id=collector_id,
                    enabled_flag=True,
                    **self._who(now, insert=True),
                )
            )
            key = result.inserted_primary_key
            if key is None:
                raise RuntimeError("XX_ARW_WEB_USERS insert returned no id")
            write_audit(conn, self.md, audit, now=now, who=self._who(now, insert=True))
            return int(key[0])

        return self._unit(work)

    def update_web_user(
        self, user_name: str, *, changes: dict[str, Any], audit: AuditEntry
    ) -> bool:
        """Change a user's role, password hash, collector, names or enabled flag; False if unknown.

        ``changes`` keys are column names of XX_ARW_WEB_USERS (``role_code``, ``password_hash``,
        ``enabled_flag``...).
        """
        users = self._t["xx_arw_web_users"]
        unknown = set(changes) - set(users.c.keys())
        if unknown:
            raise ValueError(f"not columns of XX_ARW_WEB_USERS: {sorted(unknown)}")

        def work(conn: sa.Connection) -> bool:
            now = self.clock()
            result = conn.execute(
                sa.update(users)
                .where(users.c.user_name == user_name)
                .values(**changes, **self._who(now, insert=False))
            )
            if result.rowcount != 1:
                return False
            write_audit(conn, self.md, audit, now=now, who=self._who(now, insert=True))
            return True

        return self._unit(work)

    def web_user(self, user_name: str) -> WebUser | None:
        users = self._t["xx_arw_web_users"]
        row = self._read(
            lambda c: c.execute(sa.select(users).where(users.c.user_name == user_name)).first()
        )
        return None if row is None else WebUser.from_row(row)

    def web_users(self) -> list[WebUser]:
        users = self._t["xx_arw_web_users"]
        query = sa.select(users).order_by(users.c.user_name)
        return self._read(lambda c: [WebUser.from_row(r) for r in c.execute(query)])

    def record_sign_in(self, user_name: str) -> None:
        users = self._t["xx_arw_web_users"]

        def work(conn: sa.Connection) -> None:
            conn.execute(
                sa.update(users)
                .where(users.c.user_name == user_name)
                .values(last_login_at=self.clock())
            )

        self._unit(work)

    # ---- API tokens -----------------------------------------------------------------------

    def add_api_token(
        self,
        *,
        token_hash: str,
        token_hint: str,
        user_name: str,
        role: str,
        label: str | None,
        expires_at: dt.datetime | None,
        audit: AuditEntry,
    ) -> int:
        tokens = self._t["xx_arw_api_tokens"]

        def work(conn: sa.Connection) -> int:
            now = self.clock()
            result = conn.execute(
                sa.insert(tokens).values(
                    token_hash=token_hash,
                    token_hint=token_hint,
                    user_name=user_name,
                    role_code=role,
                    label=label,
                    expires_at=expires_at,
                    **self._who(now, insert=True),
                )
            )
            key = result.inserted_primary_key
            if key is None:
                raise RuntimeError("XX_ARW_API_TOKENS insert returned no id")
            write_audit(conn, self.md, audit, now=now, who=self._who(now, insert=True))
            return int(key[0])

        return self._unit(work)

    def api_token_by_hash(self, token_hash: str) -> ApiToken | None:
        """The token with this hash (usable or not: the caller checks), noting its use."""
        tokens = self._t["xx_arw_api_tokens"]

        def work(conn: sa.Connection) -> ApiToken | None:
            row = conn.execute(sa.select(tokens).where(tokens.c.token_hash == token_hash)).first()
            if row is None:
                return None
            token = ApiToken.from_row(row)
            now = self.clock()
            last = token.last_used_at
            if last is None or (now - last).total_seconds() > TOKEN_TOUCH_INTERVAL_S:
                conn.execute(
                    sa.update(tokens)
                    .where(tokens.c.token_id == token.token_id)
                    .values(last_used_at=now)
                )
            return token

        return self._unit(work)

    def revoke_api_token(self, token_id: int, *, revoked_by: str, audit: AuditEntry) -> bool:
        """Revoke a token at once, everywhere; False when unknown or already revoked."""
        tokens = self._t["xx_arw_api_tokens"]

        def work(conn: sa.Connection) -> bool:
            now = self.clock()
            result = conn.execute(
                sa.update(tokens)
                .where(tokens.c.token_id == token_id, tokens.c.revoked_at.is_(None))
                .values(revoked_at=now, revoked_by=revoked_by, **self._who(now, insert=False))
            )
            if result.rowcount != 1:
                return False
            write_audit(conn, self.md, audit, now=now, who=self._who(now, insert=True))
            return True

        return self._unit(work)

    def api_tokens(self) -> list[ApiToken]:
        tokens = self._t["xx_arw_api_tokens"]
        query = sa.select(tokens).order_by(tokens.c.token_id)
        return self._read(lambda c: [ApiToken.from_row(r) for r in c.execute(query)])
