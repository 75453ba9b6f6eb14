"""The collector's morning digest: one e-mail to each collector with something to act on.

It lists their accounts' invoices that need a person (rejected, failed, uncertain, disputed on
the portal) and the portal logins paused on their customers' portal accounts, with links to the
web workspace when ``reports.workspace_url`` is set. Collectors with nothing to act on get
nothing. One delivery row per (day, collector address): a second run the same day sends nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any, Protocol
from urllib.parse import quote
from zoneinfo import ZoneInfo

from config.report_settings import check_address
from connectors.oracle.digest_reads import CollectorPortalAccount, DigestItem
from jobs.reports.delivery import send_pending
from jobs.reports.html_out import CELL, FONT, HEAD_CELL, NOTE, TABLE, email_document
from jobs.reports.outbox import queue_message, report_dir, write_atomically
from jobs.reports.run_record import ReportRunSummary, recorded_run
from jobs.reports.runtime import ReportRuntime

JOB_NAME = "digest"
REPORT_NAME = "digest"
REASON_MAX_CHARS = 300
LOGIN = "LOGIN"


class LoginPause(Protocol):
    """What the digest needs of a pause (``connectors.oracle.records.PortalPause``, issue 12)."""

    @property
    def kind(self) -> Any: ...
    @property
    def portal_code(self) -> str: ...
    @property
    def portal_url(self) -> str | None: ...
    @property
    def login_name(self) -> str | None: ...
    @property
    def reason(self) -> str: ...
    @property
    def paused_at(self) -> dt.datetime: ...


@dataclass(frozen=True, kw_only=True, slots=True)
class PausedLogin:
    portal_code: str
    login_name: str
    reason: str  #: the portal's words: untrusted
    paused_at: dt.datetime
    accounts: tuple[str, ...]  #: the collector's customer accounts that use this login


@dataclass(kw_only=True)
class CollectorDigest:
    collector_id: int
    collector: str
    email: str | None
    day: dt.date
    sections: dict[str, list[DigestItem]] = field(default_factory=dict)
    paused_logins: list[PausedLogin] = field(default_factory=list)

    @property
    def item_count(self) -> int:
        return sum(len(items) for items in self.sections.values()) + len(self.paused_logins)


#: section title per kind, in the order the digest shows them
SECTIONS = (
    ("disputed", "Disputed on the portal"),
    ("rejected", "Rejected by the portal"),
    ("failed", "Failed after every retry"),
    ("uncertain", "Being checked after an interrupted upload"),
)


def section_of(item: DigestItem) -> str:
    if item.portal_status == "DISPUTED":
        return "disputed"
    return {"REJECTED": "rejected", "FAILED": "failed"}.get(item.status, "uncertain")


def paused_logins_by_collector(
    pauses: Sequence[LoginPause], accounts: Sequence[CollectorPortalAccount]
) -> dict[int, list[PausedLogin]]:
    """Each LOGIN pause, under every collector whose customers' enabled portal accounts it
    covers: same portal code, same URL (without a trailing '/'), same login name."""
    found: dict[int, list[PausedLogin]] = defaultdict(list)
    for pause in pauses:
        if str(getattr(pause.kind, "value", pause.kind)) != LOGIN or pause.login_name is None:
            continue
        url = (pause.portal_url or "").rstrip("/")
        covered: dict[int, list[str]] = defaultdict(list)
        for account in accounts:
            if (
                account.portal_code == pause.portal_code
                and account.portal_url.rstrip("/") == url
                and account.login_name == pause.login_name
            ):
                covered[account.collector_id].append(account.account_number)
        for collector_id, numbers in covered.items():
            found[collector_id].append(
                PausedLogin(
                    portal_code=pause.portal_code,
                    login_name=pause.login_name,
                    reason=pause.reason,
                    paused_at=pause.paused_at,
                    accounts=tuple(sorted(set(numbers))),
                )
            )
    return dict(found)


def build_digests(
    items: Sequence[DigestItem],
    paused: dict[int, list[PausedLogin]],
    day: dt.date,
    names: Mapping[int, tuple[str, str | None]],
) -> list[CollectorDigest]:
    """One digest per collector with something to act on, by name; ``names``: collector id →
    (name, e-mail) of the active collectors."""
    digests: dict[int, CollectorDigest] = {}

    def digest_of(collector_id: int) -> CollectorDigest:
        if collector_id not in digests:
            name, email = names[collector_id]
            digests[collector_id] = CollectorDigest(
                collector_id=collector_id, collector=name, email=email, day=day
            )
        return digests[collector_id]

    for item in items:
        if item.collector_id is None or item.collector_id not in names:
            continue
        digest_of(item.collector_id).sections.setdefault(section_of(item), []).append(item)
    for collector_id, logins in paused.items():
        if collector_id in names:
            digest_of(collector_id).paused_logins.extend(logins)
    return sorted(
        (d for d in digests.values() if d.item_count), key=lambda d: (d.collector, d.collector_id)
    )


def digest_subject(digest: CollectorDigest) -> str:
    n = digest.item_count
    return f"arworker: {n} item{'s' if n != 1 else ''} to act on, {digest.day.isoformat()}"


def digest_text(digest: CollectorDigest, workspace_url: str | None) -> str:
    lines = [f"Good morning {digest.collector},", "", f"{digest_subject(digest)}.", ""]
    for key, title in SECTIONS:
        items = digest.sections.get(key, [])
        if not items:
            continue
        lines.append(f"{title} ({len(items)}):")
        for item in items:
            lines.append(
                f"  - {item.account_number} {item.customer_name}: invoice {item.trx_number} "
                f"on {item.portal_code}, {_amount(item)}: {_reason(item.reason)}"
            )
            if workspace_url:
                lines.append(f"    {invoice_link(workspace_url, item.submission_id)}")
        lines.append("")
    if digest.paused_logins:
        lines.append(f"Portal logins paused ({len(digest.paused_logins)}):")
        for login in digest.paused_logins:
            lines.append(
                f"  - {login.portal_code} login {login.login_name} (accounts "
                f"{', '.join(login.accounts)}): {_reason(login.reason)}"
            )
        lines.append("")
    lines.append("Sent by arworker. Nothing here needs a reply.")
    return "\n".join(lines)


def digest_html(digest: CollectorDigest, workspace_url: str | None) -> str:
    parts = [
        f'<section style="{FONT}">',
        f'<p style="font-size:14px">Good morning {escape(digest.collector)}: '
        f"{escape(digest_subject(digest))}.</p>",
    ]
    for key, title in SECTIONS:
        items = digest.sections.get(key, [])
        if items:
            parts.append(_items_table(f"{title} ({len(items)})", items, workspace_url))
    if digest.paused_logins:
        rows = "".join(
            "<tr>"
            + "".join(
                f'<td style="{CELL}">{escape(text)}</td>'
                for text in (
                    login.portal_code,
                    login.login_name,
                    ", ".join(login.accounts),
                    _reason(login.reason),
                    login.paused_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                )
            )
            + "</tr>"
            for login in digest.paused_logins
        )
        heads = "".join(
            f'<th style="{HEAD_CELL}">{h}</th>'
            for h in ("Portal", "Login", "Accounts", "Why", "Paused")
        )
        parts.append(
            f'<h3 style="font-size:14px;margin:12px 0 2px 0">Portal logins paused '
            f"({len(digest.paused_logins)})</h3>"
            f'<table style="{TABLE}" cellspacing="0" cellpadding="0"><tr>{heads}</tr>{rows}</table>'
        )
    parts.append(f'<p style="{NOTE}">Sent by arworker. Nothing here needs a reply.</p></section>')
    return email_document(digest_subject(digest), "", ["".join(parts)])


def invoice_link(workspace_url: str, submission_id: int) -> str:
    return f"{workspace_url}/invoices/{submission_id}"


def account_link(workspace_url: str, account_number: str) -> str:
    return f"{workspace_url}/accounts/{quote(account_number, safe='')}"


def _items_table(title: str, items: list[DigestItem], workspace_url: str | None) -> str:
    heads = "".join(
        f'<th style="{HEAD_CELL}">{h}</th>'
        for h in ("Account", "Customer", "Invoice", "Portal", "Amount", "Due", "Why")
    )
    rows = []
    for item in items:
        invoice = escape(item.trx_number)
        account = escape(item.account_number)
        if workspace_url:
            href = escape(invoice_link(workspace_url, item.submission_id), quote=True)
            invoice = f'<a href="{href}">{invoice}</a>'
            href = escape(account_link(workspace_url, item.account_number), quote=True)
            account = f'<a href="{href}">{account}</a>'
        cells = (
            account,
            escape(item.customer_name),
            invoice,
            escape(item.portal_code),
            escape(_amount(item)),
            escape(item.due_date.isoformat() if item.due_date else "–"),
            escape(_reason(item.reason)),
        )
        rows.append("<tr>" + "".join(f'<td style="{CELL}">{c}</td>' for c in cells) + "</tr>")
    return (
        f'<h3 style="font-size:14px;margin:12px 0 2px 0">{escape(title)}</h3>'
        f'<table style="{TABLE}" cellspacing="0" cellpadding="0"><tr>{heads}</tr>'
        + "".join(rows)
        + "</table>"
    )


def _amount(item: DigestItem) -> str:
    if item.amount is None:
        return "amount unknown"
    return f"{item.amount:,.2f} {item.currency or ''}".strip()


def _reason(text: str | None) -> str:
    if not text or not text.strip():
        return "no reason given"
    text = " ".join(text.split())
    return text if len(text) <= REASON_MAX_CHARS else text[: REASON_MAX_CHARS - 1] + "…"


async def active_login_pauses(rt: ReportRuntime) -> Sequence[LoginPause]:
    """The LOGIN pauses in force (``XX_ARW_PORTAL_PAUSES``)."""
    pauses: Sequence[LoginPause] = await rt.db(rt.store.active_pauses)
    return [p for p in pauses if str(getattr(p.kind, "value", p.kind)) == LOGIN]


async def run_digest(
    rt: ReportRuntime,
    *,
    scheduled_for: dt.datetime | None = None,
    day: dt.date | None = None,
    send: bool = True,
    quick_wait_s: float = 2.0,
) -> ReportRunSummary:
    """Build and queue today's digests (one per collector with something to act on), send."""
    slot = scheduled_for or rt.clock()
    zone = ZoneInfo(rt.settings.scheduler.timezone)
    day = day or slot.astimezone(zone).date()
    summary = ReportRunSummary(job=JOB_NAME, run_id=rt.run_id, period=day.isoformat())
    log = rt.log.bind(job=JOB_NAME, day=day.isoformat())
    async with recorded_run(rt, slot=slot, summary=summary):
        digests = await _build(rt, day)
        folder = report_dir(rt.settings.reports.output_dir, REPORT_NAME, day.isoformat())
        workspace = rt.settings.reports.workspace_url
        for digest in digests:
            html = digest_html(digest, workspace)
            path = folder / f"collector-{digest.collector_id}.html"
            summary.files.append(str(await rt.db(write_atomically, path, html.encode("utf-8"))))
            if not (send and rt.settings.mail.enabled):
                continue
            address = _address(digest.email)
            if address is None:
                log.warning("digest.no_address", collector_id=digest.collector_id)
                continue
            queued = await queue_message(
                rt,
                report_name=REPORT_NAME,
                period_key=day.isoformat(),
                recipient=address,
                collector_id=digest.collector_id,
                subject=digest_subject(digest),
                text=digest_text(digest, workspace),
                html=html,
            )
            summary.queued += queued.queued
            summary.already_queued += not queued.queued
        if send:
            summary.delivery = await send_pending(
                rt, report_name=REPORT_NAME, quick_wait_s=quick_wait_s
            )
    log.info("digest.finished", summary=summary.text())
    return summary


async def _build(rt: ReportRuntime, day: dt.date) -> list[CollectorDigest]:
    """Today's digests from the database: items, collectors, portal accounts, login pauses."""
    items = await rt.db(rt.store.digest_items)
    accounts = await rt.db(rt.store.collector_portal_accounts)
    pauses = await active_login_pauses(rt)
    names = {
        c.collector_id: (c.name, c.email_address)
        for c in await rt.db(rt.store.collectors)
        if c.active
    }
    unassigned = sum(1 for item in items if item.collector_id not in names)
    if unassigned:
        rt.log.warning("digest.unassigned_items", items=unassigned, day=day.isoformat())
    return build_digests(items, paused_logins_by_collector(pauses, accounts), day, names)


def _address(email: str | None) -> str | None:
    """A collector's address from EBS, if it is one (EBS free text: checked, never trusted)."""
    if email is None:
        return None
    try:
        return check_address(email)
    except ValueError:
        return None
