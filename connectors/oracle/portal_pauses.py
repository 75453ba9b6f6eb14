"""Paused portal logins, paused portals and outage breakers, shared by every run and worker.

A refused login paused only in a process's memory is tried again by the next daemon poll (a
wrong password made three refused logins in ten minutes and the portal locked the account). So
a pause is a row here, and it lasts until it is lifted: a LOGIN pause by a changed secret or a
person, a PORTAL pause by a person or a successful re-probe, an OUTAGE pause by its cool-down
running out and the portal answering again. One pause per thing at a time: ``PAUSE_KEY`` names
what is paused and the unique (key, seq) pair lets exactly one worker of a fleet open it, so the
notes and alerts that go with opening it are written once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import sqlalchemy as sa

from connectors.oracle.errors import AlreadyExists
from connectors.oracle.records import PauseKind, PortalPause
from connectors.oracle.unit_of_work import UnitOfWork, clip_text


def pause_key(
    kind: PauseKind, portal_code: str, portal_url: str | None = None, login: str | None = None
) -> str:
    """What is paused, as a fixed-length key (a URL can be longer than an index allows)."""
    parts = [kind.value, portal_code]
    if kind is PauseKind.LOGIN:
        parts += [(portal_url or "").rstrip("/"), login or ""]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


class PortalPauseVerbs(UnitOfWork):
    """Opening, reading and lifting pauses."""

    def active_pauses(self) -> list[PortalPause]:
        """Pauses in force now (by the database's clock): not resumed, not cooled down."""
        pauses = self._t["xx_arw_portal_pauses"]

        def work(conn: sa.Connection) -> list[PortalPause]:
            now = self._db_now(conn)
            rows = conn.execute(
                sa.select(pauses)
                .where(
                    pauses.c.resumed_at.is_(None),
                    sa.or_(pauses.c.paused_until.is_(None), pauses.c.paused_until > now),
                )
                .order_by(pauses.c.pause_id)
            )
            return [PortalPause.from_row(r) for r in rows]

        return self._read(work)

    def unresolved_outages(self) -> list[PortalPause]:
        """Outage breakers not closed yet: open (cooling down) or half-open (cooled down, the
        portal not heard from since). The first success on such a portal closes it."""
        pauses = self._t["xx_arw_portal_pauses"]
        query = (
            sa.select(pauses)
            .where(pauses.c.resumed_at.is_(None), pauses.c.pause_kind == PauseKind.OUTAGE.value)
            .order_by(pauses.c.pause_id)
        )
        return self._read(lambda c: [PortalPause.from_row(r) for r in c.execute(query)])

    def login_pause_fingerprint(self, pause_id: int) -> str | None:
        """The secret fingerprint stored with a LOGIN pause (compared, never shown)."""
        pauses = self._t["xx_arw_portal_pauses"]
        query = sa.select(pauses.c.secret_fingerprint).where(pauses.c.pause_id == pause_id)
        value = self._read(lambda c: c.execute(query).scalar_one_or_none())
        return None if value is None else str(value)

    def pause_login(
        self,
        *,
        portal_code: str,
        portal_url: str,
        login_name: str,
        fingerprint: str,
        reason: str,
        error_code: str | None,
        worker_name: str,
    ) -> PortalPause | None:
        """Pause a login the portal refused; None when it is paused already (by anyone)."""
        return self._open_once(
            PauseKind.LOGIN,
            pause_key(PauseKind.LOGIN, portal_code, portal_url, login_name),
            {
                "portal_code": portal_code,
                "portal_url": portal_url.rstrip("/"),
                "login_name": login_name,
                "secret_fingerprint": fingerprint,
                "reason": clip_text(reason),
                "error_code": error_code,
                "worker_name": worker_name,
            },
        )

    def pause_portal(
        self,
        *,
        portal_code: str,
        reason: str,
        error_code: str | None,
        worker_name: str,
        probe_after_s: float | None,
    ) -> PortalPause | None:
        """Pause a portal whose pages changed; None when it is paused already (by anyone).

        ``probe_after_s``: when a worker may let one item through to see whether the portal is
        back to what its driver knows (None: only a person resumes it).
        """
        return self._open_once(
            PauseKind.PORTAL,
            pause_key(PauseKind.PORTAL, portal_code),
            {
                "portal_code": portal_code,
                "reason": clip_text(reason),
                "error_code": error_code,
                "worker_name": worker_name,
            },
            probe_after_s=probe_after_s,
        )

    def open_outage(
        self, *, portal_code: str, reason: str, cooldown_s: float, worker_name: str
    ) -> tuple[PortalPause, bool]:
        """Open (or, when it tripped before and never closed, extend) a portal's outage breaker.

        Returns the pause and whether it is newly open: only a new one is worth an alert; a
        portal down all night re-trips the same breaker after each cool-down, quietly.
        """
        pauses = self._t["xx_arw_portal_pauses"]
        key = pause_key(PauseKind.OUTAGE, portal_code)

        def extend(conn: sa.Connection) -> PortalPause | None:
            now = self._db_now(conn)
            found = self._latest(conn, key)
            if found is None or found[0].resumed_at is not None:
                return None
            conn.execute(
                sa.update(pauses)
                .where(pauses.c.pause_id == found[0].pause_id, pauses.c.resumed_at.is_(None))
                .values(
                    paused_until=now + dt.timedelta(seconds=cooldown_s),
                    trip_count=pauses.c.trip_count + 1,
                    reason=clip_text(reason),
                    **self._who(self.clock(), insert=False),
                )
            )
            again = self._latest(conn, key)
            return None if again is None else again[0]

        extended = self._unit(extend)
        if extended is not None:
            return extended, False
        opened = self._open_once(
            PauseKind.OUTAGE,
            key,
            {
                "portal_code": portal_code,
                "reason": clip_text(reason),
                "error_code": "PORTAL_UNAVAILABLE",
                "worker_name": worker_name,
            },
            until_s=cooldown_s,
        )
        if opened is not None:
            return opened, True
        # another worker opened it between our two units: theirs is the alert
        again = self._read(lambda c: self._latest(c, key))
        assert again is not None
        return again[0], False

    def close_outage(self, portal_code: str, *, resumed_by: str) -> int:
        """The portal answered: its outage breaker (open or half-open) closes."""
        pauses = self._t["xx_arw_portal_pauses"]

        def work(conn: sa.Connection) -> int:
            now = self._db_now(conn)
            result = conn.execute(
                sa.update(pauses)
                .where(
                    pauses.c.pause_key == pause_key(PauseKind.OUTAGE, portal_code),
                    pauses.c.resumed_at.is_(None),
                )
                .values(
                    resumed_at=now,
                    resumed_by=resumed_by,
                    resume_reason="the portal answered again",
                    **self._who(self.clock(), insert=False),
                )
            )
            return int(result.rowcount)

        return self._unit(work)

    def resume_pause(self, pause_id: int, *, resumed_by: str, reason: str) -> bool:
        """Lift a pause (a person, a changed secret, a successful re-probe); False if it was
        not in force."""
        pauses = self._t["xx_arw_portal_pauses"]

        def work(conn: sa.Connection) -> bool:
            now = self._db_now(conn)
            result = conn.execute(
                sa.update(pauses)
                .where(pauses.c.pause_id == pause_id, pauses.c.resumed_at.is_(None))
                .values(
                    resumed_at=now,
                    resumed_by=resumed_by[:100],
                    resume_reason=clip_text(reason),
                    **self._who(self.clock(), insert=False),
                )
            )
            return bool(result.rowcount == 1)

        return self._unit(work)

    def claim_probe(self, pause_id: int, *, interval_s: float) -> bool:
        """Take the next re-probe of a PORTAL pause: True for exactly one worker per interval."""
        pauses = self._t["xx_arw_portal_pauses"]

        def work(conn: sa.Connection) -> bool:
            now = self._db_now(conn)
            result = conn.execute(
                sa.update(pauses)
                .where(
                    pauses.c.pause_id == pause_id,
                    pauses.c.resumed_at.is_(None),
                    pauses.c.probe_after.is_not(None),
                    pauses.c.probe_after <= now,
                )
                .values(probe_after=now + dt.timedelta(seconds=interval_s))
            )
            return bool(result.rowcount == 1)

        return self._unit(work)

    def _open_once(
        self,
        kind: PauseKind,
        key: str,
        values: dict[str, Any],
        *,
        until_s: float | None = None,
        probe_after_s: float | None = None,
    ) -> PortalPause | None:
        pauses = self._t["xx_arw_portal_pauses"]

        def work(conn: sa.Connection) -> PortalPause | None:
            now = self._db_now(conn)
            latest = self._latest(conn, key)
            if latest is not None and latest[0].resumed_at is None:
                until = latest[0].paused_until
                if until is None or until > now:
                    return None  # in force already
            conn.execute(
                sa.insert(pauses).values(
                    pause_key=key,
                    pause_seq=(latest[1] if latest is not None else 0) + 1,
                    pause_kind=kind.value,
                    paused_at=now,
                    paused_until=None if until_s is None else now + dt.timedelta(seconds=until_s),
                    probe_after=None
                    if probe_after_s is None
                    else now + dt.timedelta(seconds=probe_after_s),
                    trip_count=1,
                    **values,
                    **self._who(self.clock(), insert=True),
                )
            )
            opened = self._latest(conn, key)
            return None if opened is None else opened[0]

        try:
            return self._unit(work)
        except AlreadyExists:
            return None  # another worker opened it at the same moment

    def _latest(self, conn: sa.Connection, key: str) -> tuple[PortalPause, int] | None:
        """The newest pause of ``key`` and its sequence number."""
        pauses = self._t["xx_arw_portal_pauses"]
        row = conn.execute(
            sa.select(pauses)
            .where(pauses.c.pause_key == key)
            .order_by(pauses.c.pause_seq.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return PortalPause.from_row(row), int(row.pause_seq)
