"""What a run may not try: paused logins, paused portals, open outage breakers.

The pauses live in the database (:mod:`connectors.oracle.portal_pauses`), so that a refused
login is not tried again by the next daemon poll, the next run or another worker; this board is
one run's view of them, and the place where the run's own observations open new ones:

- a refused login (or a missing secret) pauses that login: notes on each customer account using
  it, once per pause; lifted when the secret changes (the stored fingerprint no longer matches)
  or a person resumes it;
- a page that no longer matches its driver pauses the portal: one note, once per pause; lifted
  by a person, or by a re-probe (one item let through after ``queue.portal_reprobe_after_s``,
  claimed by one worker of the fleet) that no longer meets a changed page;
- ``queue.breaker_threshold`` unavailability faults in a row on one portal open its outage
  breaker for ``queue.breaker_cooldown_s``: logged and alerted once, the items handed back with
  their attempts not counted; the first answer from the portal after the cool-down closes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from config.secrets import SecretNotFound
from connectors.oracle.errors import StoreUnavailable
from connectors.oracle.records import CollectionNote, PauseKind, PortalAccountRecord, PortalPause
from connectors.portals.base import login_key
from jobs import note_text
from jobs.secret_fingerprint import fingerprint, login_secret_text, same_secret

if TYPE_CHECKING:
    from jobs.context import JobContext
    from jobs.run_summary import RunSummary

RESUMED_BY_WORKER = "arworker"


@dataclass
class PauseBoard:
    """One run's pauses: which accounts are blocked, and what to do when the portal says no."""

    accounts: dict[int, PortalAccountRecord]
    active: list[PortalPause] = field(default_factory=list)
    #: portal codes whose outage breaker has not closed since it last opened
    unresolved_outages: set[str] = field(default_factory=set)
    #: portal codes paused for a changed page that this worker may probe with one item
    probing: set[str] = field(default_factory=set)
    #: per portal code, unavailability faults in a row, and the items they were recorded for
    _streaks: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    _streak_counts: dict[str, int] = field(default_factory=dict)

    # ---- building -------------------------------------------------------------------------

    @classmethod
    async def load(cls, ctx: JobContext, accounts: Iterable[PortalAccountRecord]) -> PauseBoard:
        """Read the pauses in force, lift those whose secret changed, take due re-probes."""
        board = cls(accounts={a.portal_account_id: a for a in accounts})
        try:
            active = await ctx.db(ctx.store.active_pauses)
            outages = await ctx.db(ctx.store.unresolved_outages)
        except StoreUnavailable as exc:
            ctx.log.error("pauses.unreadable", error=str(exc))
            return board
        board.unresolved_outages = {p.portal_code for p in outages}
        reprobe_s = ctx.settings.queue.portal_reprobe_after_s
        for pause in active:
            if pause.kind is PauseKind.LOGIN and await board._secret_changed(ctx, pause):
                if await ctx.db(
                    ctx.store.resume_pause,
                    pause.pause_id,
                    resumed_by=RESUMED_BY_WORKER,
                    reason="the login's secret changed since the portal refused it",
                ):
                    ctx.log.info(
                        "portal.login_resumed",
                        portal=pause.portal_code,
                        login=pause.login_name,
                        why="secret changed",
                    )
                continue
            if (
                pause.kind is PauseKind.PORTAL
                and reprobe_s
                and await ctx.db(ctx.store.claim_probe, pause.pause_id, interval_s=reprobe_s)
            ):
                ctx.log.info("portal.reprobe", portal=pause.portal_code)
                board.probing.add(pause.portal_code)
            board.active.append(pause)
        for pause in board.active:
            board._hold_in_gateway(ctx, pause)
        return board

    async def _secret_changed(self, ctx: JobContext, pause: PortalPause) -> bool:
        covered = [a for a in self.accounts.values() if pause.covers(a)]
        if not covered:
            return False
        stored = await ctx.db(ctx.store.login_pause_fingerprint, pause.pause_id)
        return not same_secret(stored, _secret_text(ctx, covered[0]))

    def _hold_in_gateway(self, ctx: JobContext, pause: PortalPause) -> None:
        if pause.kind is PauseKind.LOGIN:
            key = login_key(pause.portal_code, pause.portal_url or "", pause.login_name or "")
            ctx.portals.hold_login(key, pause.reason)
        elif pause.portal_code not in self.probing:
            ctx.portals.hold_portal(pause.portal_code, pause.reason)

    # ---- what is blocked ------------------------------------------------------------------

    def blocked(self, *, probing_too: bool = True) -> set[int]:
        """Portal accounts no work may be claimed for (a re-probed portal's, unless
        ``probing_too`` is False: the re-probe's one item)."""
        return {
            account_id
            for account_id, account in self.accounts.items()
            if any(
                p.covers(account) and (probing_too or p.portal_code not in self.probing)
                for p in self.active
            )
        }

    def pause_of(self, account: PortalAccountRecord) -> PortalPause | None:
        return next((p for p in self.active if p.covers(account)), None)

    # ---- what the portal said -------------------------------------------------------------

    async def login_refused(
        self, ctx: JobContext, account: PortalAccountRecord, reason: str, *, code: str
    ) -> int:
        """Pause the account's login (once across runs and the fleet) and tell the collectors;
        returns the number of notes written."""
        secret = _secret_text(ctx, account)
        pause = await ctx.db(
            ctx.store.pause_login,
            portal_code=account.portal_code,
            portal_url=account.portal_url,
            login_name=account.login_name,
            fingerprint=fingerprint(secret),
            reason=reason,
            error_code=code,
            worker_name=ctx.worker_name,
        )
        ctx.portals.hold_login(
            login_key(account.portal_code, account.portal_url, account.login_name), reason
        )
        if pause is None:
            return 0  # paused already, by this run or another: its notes are written
        self.active.append(pause)
        covered = [a for a in self.accounts.values() if pause.covers(a)]
        ctx.log.error(
            "portal.login_paused",
            portal=account.portal_code,
            login=account.login_name,
            reason=reason,
            accounts=len(covered),
        )
        written = 0
        for covered_account in covered:
            written += await self._account_note(
                ctx,
                covered_account,
                note_text.login_failed(
                    portal_name=note_text.portal_name_of(covered_account),
                    login_name=covered_account.login_name,
                    reason=reason,
                    secret_ref=covered_account.secret_ref,
                    missing_secret=code == "SECRET_MISSING",
                ),
            )
        return written

    async def page_changed(self, ctx: JobContext, account: PortalAccountRecord, reason: str) -> int:
        """Pause the portal (once across runs and the fleet), with one note and an alert;
        returns the number of notes written."""
        self.probing.discard(account.portal_code)
        ctx.portals.hold_portal(account.portal_code, reason)
        reprobe_s = ctx.settings.queue.portal_reprobe_after_s
        pause = await ctx.db(
            ctx.store.pause_portal,
            portal_code=account.portal_code,
            reason=reason,
            error_code="PORTAL_CHANGED",
            worker_name=ctx.worker_name,
            probe_after_s=reprobe_s or None,
        )
        if pause is None:
            if not any(p.portal_code == account.portal_code for p in self.active):
                # paused by another worker just now: block it here too, no second note
                self.active.extend(
                    p
                    for p in await ctx.db(ctx.store.active_pauses)
                    if p.portal_code == account.portal_code and p.kind is PauseKind.PORTAL
                )
            return 0
        self.active.append(pause)
        ctx.log.error("portal.paused", portal=account.portal_code, reason=reason)
        return await self._account_note(
            ctx,
            account,
            note_text.portal_changed(
                portal_name=note_text.portal_name_of(account),
                reason=reason,
                reprobe_after_s=reprobe_s,
            ),
        )

    def unavailable(self, portal_code: str, item: tuple[int, int] | None = None) -> None:
        """Count an unavailability fault in a row. ``item`` (submission id, attempt number) is
        one whose attempt was counted: given back if the streak trips the breaker."""
        self._streak_counts[portal_code] = self._streak_counts.get(portal_code, 0) + 1
        if item is not None:
            self._streaks.setdefault(portal_code, []).append(item)

    def should_trip(self, ctx: JobContext, portal_code: str) -> bool:
        threshold: int = ctx.settings.queue.breaker_threshold
        return self._streak_counts.get(portal_code, 0) >= threshold

    def breaker_open(self, portal_code: str) -> bool:
        return any(p.kind is PauseKind.OUTAGE and p.portal_code == portal_code for p in self.active)

    async def trip(self, ctx: JobContext, portal_code: str, reason: str) -> list[tuple[int, int]]:
        """Open the portal's outage breaker; returns the streak's items whose attempts were
        counted (to be handed back uncounted)."""
        cooldown_s = ctx.settings.queue.breaker_cooldown_s
        pause, newly = await ctx.db(
            ctx.store.open_outage,
            portal_code=portal_code,
            reason=reason,
            cooldown_s=cooldown_s,
            worker_name=ctx.worker_name,
        )
        self.active.append(pause)
        self.unresolved_outages.add(portal_code)
        ctx.portals.hold_portal(portal_code, f"outage breaker open: {reason}")
        event = "portal.outage_breaker_opened" if newly else "portal.outage_breaker_extended"
        log = ctx.log.error if newly else ctx.log.warning
        log(
            event,
            portal=portal_code,
            faults_in_a_row=self._streak_counts.get(portal_code, 0),
            cooldown_s=cooldown_s,
            until=_iso(pause.paused_until),
            reason=reason,
        )
        self._streak_counts[portal_code] = 0
        return self._streaks.pop(portal_code, [])

    async def answered(self, ctx: JobContext, portal_code: str) -> None:
        """The portal answered (whatever it said): its fault streak ends, a half-open outage
        breaker closes, a re-probed page change is over."""
        self._streak_counts.pop(portal_code, None)
        self._streaks.pop(portal_code, None)
        if portal_code in self.unresolved_outages and not self.breaker_open(portal_code):
            self.unresolved_outages.discard(portal_code)
            if await ctx.db(ctx.store.close_outage, portal_code, resumed_by=RESUMED_BY_WORKER):
                ctx.log.info("portal.outage_breaker_closed", portal=portal_code)
        if portal_code in self.probing:
            self.probing.discard(portal_code)
            for pause in [p for p in self.active if p.portal_code == portal_code]:
                if pause.kind is PauseKind.PORTAL and await ctx.db(
                    ctx.store.resume_pause,
                    pause.pause_id,
                    resumed_by=RESUMED_BY_WORKER,
                    reason="re-probe: the portal's pages match its driver again",
                ):
                    ctx.log.info("portal.resumed", portal=portal_code, why="re-probe succeeded")
                self.active.remove(pause)

    # ---- reporting ------------------------------------------------------------------------

    def report(self, summary: RunSummary) -> None:
        """Put the pauses that stopped work into the run summary."""
        for pause in self.active:
            if not any(pause.covers(a) for a in self.accounts.values()):
                continue
            if pause.kind is PauseKind.LOGIN:
                summary.paused_logins[f"{pause.portal_code}:{pause.login_name}"] = pause.reason
            elif pause.kind is PauseKind.PORTAL:
                summary.paused_portals[pause.portal_code] = pause.reason
            else:
                until = _iso(pause.paused_until)
                summary.outages[pause.portal_code] = f"{pause.reason} (until {until})"

    async def _account_note(self, ctx: JobContext, account: PortalAccountRecord, text: str) -> int:
        note = CollectionNote(
            cust_account_id=account.cust_account_id,
            party_id=account.party_id,
            payment_schedule_id=None,
            text=text,
        )
        try:
            await ctx.db(ctx.store.write_account_note, note)
        except StoreUnavailable:
            ctx.log.error("note.not_written", account=account.account_number, text=text)
            return 0
        return 1


async def pause_board(ctx: JobContext, accounts: Iterable[PortalAccountRecord]) -> PauseBoard:
    """The run's pause board: built once per run (a nightly's drain and status pass share it),
    so what one learned the other honours."""
    if ctx.pauses is None:
        ctx.pauses = await PauseBoard.load(ctx, accounts)
    else:
        for account in accounts:
            ctx.pauses.accounts.setdefault(account.portal_account_id, account)
    return ctx.pauses


async def report_pauses(
    ctx: JobContext, board: PauseBoard, summary: RunSummary, *, not_read: int = 0
) -> None:
    """Say in the summary what was paused, and mark the run DEGRADED when that left work
    (queued items of paused accounts, or ``not_read`` portal statuses a pause kept unread)."""
    board.report(summary)
    blocked = board.blocked()
    queued = 0
    if blocked:
        try:
            depth = await ctx.db(ctx.store.queue_depth_by_portal_account)
        except StoreUnavailable:
            depth = {}
        queued = sum(n for account, n in depth.items() if account in blocked)
    summary.left_undone = max(summary.left_undone, queued + not_read)
    if summary.left_undone and summary.status == "COMPLETED":
        summary.status = "DEGRADED"


def _secret_text(ctx: JobContext, account: PortalAccountRecord) -> str | None:
    """The login's secret as the fingerprint covers it; None when it cannot be resolved."""
    try:
        password = ctx.resolve_secret(account.secret_ref).get_secret_value()
        totp = (
            ctx.resolve_secret(account.totp_secret_ref).get_secret_value()
            if account.totp_secret_ref
            else None
        )
    except SecretNotFound:
        return None
    return login_secret_text(password, totp)


def _iso(value: dt.datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value is not None else "-"
