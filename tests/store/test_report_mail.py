"""The monthly report and the collectors' digest by e-mail, end to end against a real SMTP server
on 127.0.0.1 (STARTTLS with a certificate made by the test, a login): sent once, retried after a
failure that delivered nothing, never sent twice after one that may have delivered it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
import structlog
from pydantic import SecretStr

from config.report_settings import MailSettings, ReportSettings
from config.settings import Settings
from connectors.oracle.deliveries import DeliveryStatus
from connectors.oracle.store import Store
from connectors.oracle.tables import build_metadata
from jobs.reports.delivery import send_pending
from jobs.reports.digest import run_digest
from jobs.reports.monthly import run_monthly
from jobs.reports.runtime import ReportContext
from tests.support.report_book import load_report_book
from tests.support.report_expectations import Expected
from tests.support.smtp_server import PASSWORD, USERNAME, LocalRelay

SLOT = dt.datetime(2026, 11, 1, 6, 0, tzinfo=dt.UTC)
RECIPIENTS = ["ar-managers@northwind-supply.example", "cfo@northwind-supply.example"]
WORKSPACE = "https://arworker.northwind-supply.example"


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[LocalRelay]:
    with LocalRelay(tmp_path) as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock(SLOT)


def _settings(tmp_path: Path, relay: LocalRelay, **mail: Any) -> Settings:
    return Settings(
        reports=ReportSettings(
            output_dir=tmp_path / "reports", recipients=RECIPIENTS, workspace_url=WORKSPACE
        ),
        mail=MailSettings(
            host="127.0.0.1",
            port=relay.port,
            username=USERNAME,
            password_ref="SMTP_PASSWORD",
            from_address="arworker@northwind-supply.example",
            ca_file=relay.ca_file,
            timeout_s=5,
            **{"max_attempts": 3, "retry_base_s": 60, **mail},
        ),
    )


def _runtime(
    engine: sa.Engine, settings: Settings, clock: Clock, password: str = PASSWORD
) -> ReportContext:
    store = Store(engine, org_ids=[204], clock=clock)
    run_id = f"test-{uuid.uuid4().hex[:8]}"
    return ReportContext(
        settings=settings,
        store=store,
        log=structlog.get_logger("test").bind(run_id=run_id),
        run_id=run_id,
        worker_name="testhost/1/1",
        resolve_secret=lambda ref: SecretStr(password),
        clock=clock,
    )


@pytest.fixture
def book_engine(engine: sa.Engine) -> sa.Engine:
    load_report_book(engine)
    return engine


async def test_monthly_report_is_emailed_once_to_each_recipient_with_the_workbook(
    book_engine: sa.Engine, relay: LocalRelay, clock: Clock, tmp_path: Path
) -> None:
    """One message per recipient over STARTTLS with a login; the workbook attached, the report
    as the HTML body; the run recorded; running it again (same slot, or by hand) sends nothing."""
    settings = _settings(tmp_path, relay)
    summary = await run_monthly(_runtime(book_engine, settings, clock), scheduled_for=SLOT)

    assert summary.period == "2026-10-31" and summary.status == "COMPLETED"
    assert (summary.queued, summary.delivery.sent) == (2, 2)
    received = relay.received
    assert sorted(r for m in received for r in m.recipients) == sorted(RECIPIENTS)
    assert all(m.tls and m.login == USERNAME for m in received)
    message = received[0].message
    assert "2026-10-31" in str(message["Subject"])
    html = message.get_body(("html",))
    assert html is not None
    body = html.get_content()
    assert "<svg" in body and "Accounts over the threshold" in body
    want = Expected.read(book_engine).past_due(dt.date(2026, 10, 31))
    assert all(account in body for account in want)
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "arworker-monthly-2026-10-31.xlsx"
    workbook_path = tmp_path / "attached.xlsx"
    workbook_path.write_bytes(attachment.get_content())
    workbook = openpyxl.load_workbook(workbook_path)
    assert workbook.sheetnames[:3] == ["Summary", "Past due accounts", "Invoices"]
    assert "DSO trend" in workbook.sheetnames
    runs = Store(book_engine, org_ids=[204]).job_runs("report_monthly")
    assert [(r["status"], r["scheduled_for"]) for r in runs] == [("COMPLETED", SLOT)]

    again = await run_monthly(_runtime(book_engine, settings, clock), scheduled_for=SLOT)
    clock.now = SLOT + dt.timedelta(days=2)  # `arworker report monthly --as-of 2026-10-31`
    by_hand = await run_monthly(_runtime(book_engine, settings, clock), as_of=dt.date(2026, 10, 31))
    assert again.skipped_reason is not None and again.queued == 0
    assert (by_hand.queued, by_hand.already_queued) == (0, 2)
    assert len(relay.received) == 2


def _needs_a_person(engine: sa.Engine) -> dict[str, str]:
    """Queue one submission per state a collector must act on, on accounts of four collectors;
    returns trx number → the collector it belongs to."""
    t = build_metadata().tables
    book = Expected.read(engine)
    with engine.connect() as conn:
        accounts = {
            r.cust_account_id: r.portal_account_id
            for r in conn.execute(sa.select(t["xx_arw_portal_accounts"]))
        }
    plan = [
        ("1001", "REJECTED", "DISPUTED", "Buyer disputes line 2: <b>wrong</b> quantity"),
        ("1001", "FAILED", None, "portal unavailable after 5 attempts"),
        ("1003", "REJECTED", None, "PO 4500012 is closed"),
        ("1008", "UNCERTAIN", None, None),
        ("1009", "SUBMITTED", "APPROVED", None),  # nothing to act on
    ]
    number_of = {v: k for k, v in book.account_number.items()}
    owner: dict[str, str] = {}
    rows = []
    for n, (account, status, portal_status, reason) in enumerate(plan):
        customer = number_of[account]
        item = next(
            i for i in book.items if i.customer_id == customer and i.cls == "INV" and i.acctd > 0
        )
        rows.append(
            {
                "customer_trx_id": 900 + n,
                "payment_schedule_id": item.ps_id,
                "cust_account_id": customer,
                "portal_account_id": accounts[customer],
                "trx_number": item.trx_number,
                "portal_invoice_number": item.trx_number,
                "status": status,
                "portal_status": portal_status,
                "portal_status_reason": reason if portal_status else None,
                "last_error_text": None if portal_status else reason,
                "attempts": 1,
                "resubmit_count": 0,
                "enqueued_at": SLOT,
                "org_id": 204,
            }
        )
        owner[item.trx_number] = book.collector[customer] or ""
    with engine.begin() as conn:
        conn.execute(sa.insert(t["xx_arw_submissions"]), rows)
    return owner


async def test_digest_goes_once_to_each_collector_with_something_to_act_on(
    book_engine: sa.Engine, relay: LocalRelay, clock: Clock, tmp_path: Path
) -> None:
    """Maria (disputed + failed), James (rejected) and Tom (uncertain) get one e-mail each with
    their items and workspace links; Priya and Sofia get none; the same day again sends nothing."""
    owner = _needs_a_person(book_engine)
    settings = _settings(tmp_path, relay)
    clock.now = dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC)
    summary = await run_digest(_runtime(book_engine, settings, clock))

    assert summary.delivery.sent == 3
    by_recipient = {m.recipients[0]: m.message for m in relay.received}
    assert set(by_recipient) == {
        "maria.lopez@northwind-supply.example",
        "james.okafor@northwind-supply.example",
        "tom.becker@northwind-supply.example",
    }
    maria = by_recipient["maria.lopez@northwind-supply.example"]
    assert "2 items" in str(maria["Subject"])
    html_part, text_part = maria.get_body(("html",)), maria.get_body(("plain",))
    assert html_part is not None and text_part is not None
    html, text = html_part.get_content(), text_part.get_content()
    assert "Disputed on the portal" in html and "Failed after every retry" in html
    assert "&lt;b&gt;wrong&lt;/b&gt;" in html and "<b>wrong</b>" not in html
    assert f'href="{WORKSPACE}/invoices/' in html and f"{WORKSPACE}/accounts/1001" in html
    assert f"{WORKSPACE}/invoices/" in text
    for trx, collector in owner.items():
        if collector == "Maria Lopez" and trx in text:
            break
    else:
        raise AssertionError("Maria's invoices are not in her digest")
    james = by_recipient["james.okafor@northwind-supply.example"].get_body(("plain",))
    assert james is not None and "PO 4500012 is closed" in james.get_content()

    again = await run_digest(_runtime(book_engine, settings, clock))
    assert (again.queued, again.already_queued, again.delivery.sent) == (0, 3, 0)
    assert len(relay.received) == 3


async def test_an_smtp_failure_is_retried_later_and_delivered_exactly_once(
    book_engine: sa.Engine, relay: LocalRelay, clock: Clock, tmp_path: Path
) -> None:
    """The relay refuses (451) every try of the first attempt: nothing delivered, the message
    waits with a backoff; not before its time, then once."""
    settings = _settings(tmp_path, relay)
    settings.reports.recipients[:] = RECIPIENTS[:1]
    relay.handler.faults.temporary = 3  # the three quick tries of the first attempt
    rt = _runtime(book_engine, settings, clock)
    first = await run_monthly(rt, scheduled_for=SLOT, quick_wait_s=0)

    assert (first.delivery.sent, first.delivery.retry_scheduled) == (0, 1)
    assert relay.received == []
    (waiting,) = rt.store.deliveries(report_name="monthly")
    assert waiting.status is DeliveryStatus.PENDING and waiting.attempts == 1
    assert waiting.next_attempt_at == SLOT + dt.timedelta(seconds=60)

    clock.now = SLOT + dt.timedelta(seconds=30)
    assert (await send_pending(rt, quick_wait_s=0)).sent == 0  # not due yet
    clock.now = SLOT + dt.timedelta(seconds=61)
    assert (await send_pending(rt, quick_wait_s=0)).sent == 1
    assert (await send_pending(rt, quick_wait_s=0)).sent == 0
    assert len(relay.received) == 1
    (sent,) = rt.store.deliveries(report_name="monthly")
    assert sent.status is DeliveryStatus.SENT and sent.attempts == 2
    assert relay.received[0].message["Message-ID"] == sent.message_id


async def test_attempts_run_out_and_a_permanent_refusal_is_not_retried(
    book_engine: sa.Engine, relay: LocalRelay, clock: Clock, tmp_path: Path
) -> None:
    """A 5xx refusal fails the message at once; passing refusals fail it after max_attempts."""
    settings = _settings(tmp_path, relay, max_attempts=2)
    rt = _runtime(book_engine, settings, clock)
    relay.handler.faults.permanent = 1
    relay.handler.faults.temporary = 100
    await run_monthly(rt, scheduled_for=SLOT, quick_wait_s=0)
    clock.now += dt.timedelta(hours=1)
    await send_pending(rt, quick_wait_s=0)
    statuses = sorted(
        (d.status.value, d.attempts) for d in rt.store.deliveries(report_name="monthly")
    )
    assert statuses == [("FAILED", 1), ("FAILED", 2)]
    assert relay.received == []
    clock.now += dt.timedelta(days=2)
    assert (await send_pending(rt, quick_wait_s=0)).sent == 0


async def test_a_connection_lost_after_the_message_went_out_is_never_resent(
    book_engine: sa.Engine, relay: LocalRelay, clock: Clock, tmp_path: Path
) -> None:
    """The relay keeps the message and drops the line before answering: the delivery becomes
    UNCERTAIN and stays unsent by every later run; a person's resend sends it again."""
    settings = _settings(tmp_path, relay)
    settings.reports.recipients[:] = RECIPIENTS[:1]
    relay.handler.faults.break_after_data = 1
    rt = _runtime(book_engine, settings, clock)
    summary = await run_monthly(rt, scheduled_for=SLOT, quick_wait_s=0)

    assert summary.delivery.uncertain == 1 and len(relay.received) == 1
    for hours in (1, 24, 24 * 7):
        clock.now = SLOT + dt.timedelta(hours=hours)
        await send_pending(rt, quick_wait_s=0)
    assert len(relay.received) == 1
    (uncertain,) = rt.store.deliveries()
    assert uncertain.status is DeliveryStatus.UNCERTAIN

    assert rt.store.requeue_delivery(uncertain.delivery_id, requeued_by="collections-lead")
    assert (await send_pending(rt, quick_wait_s=0)).sent == 1
    assert len(relay.received) == 2


async def test_a_refused_login_stops_the_run_after_one_try(
    book_engine: sa.Engine, relay: LocalRelay, clock: Clock, tmp_path: Path
) -> None:
    """A wrong password is tried once, not once per message: the other message goes back
    untried, and the next try waits hours (an SMTP account locks after a few refusals)."""
    settings = _settings(tmp_path, relay)
    rt = _runtime(book_engine, settings, clock, password="wrong")
    summary = await run_monthly(rt, scheduled_for=SLOT, quick_wait_s=0)

    assert relay.handler.logins == [(USERNAME, False)]
    assert summary.delivery.sent == 0 and summary.delivery.errors
    rows = sorted(rt.store.deliveries(), key=lambda d: -d.attempts)
    assert [(d.status, d.attempts) for d in rows] == [
        (DeliveryStatus.PENDING, 1),
        (DeliveryStatus.PENDING, 0),
    ]
    assert rows[0].next_attempt_at is not None
    assert rows[0].next_attempt_at - SLOT >= dt.timedelta(hours=6)


async def test_a_sender_that_died_mid_send_leaves_an_uncertain_message(
    book_engine: sa.Engine, relay: LocalRelay, clock: Clock, tmp_path: Path
) -> None:
    """A message claimed by a worker that never settled it becomes UNCERTAIN when its lease
    runs out; no later run sends it."""
    settings = _settings(tmp_path, relay)
    rt = _runtime(book_engine, settings, clock)
    await run_monthly(rt, scheduled_for=SLOT, send=False)
    assert rt.store.deliveries() == []  # --no-send writes the files and queues nothing
    settings.reports.recipients[:] = RECIPIENTS[:1]
    relay.handler.faults.temporary = 3
    clock.now = SLOT + dt.timedelta(hours=1)  # by hand, later: `arworker report monthly`
    by_hand = _runtime(book_engine, settings, clock)
    await run_monthly(by_hand, as_of=dt.date(2026, 10, 31), quick_wait_s=0)
    clock.now += dt.timedelta(minutes=5)
    (claimed,) = rt.store.claim_deliveries(limit=5, lease_s=60)  # then the worker dies
    clock.now += dt.timedelta(minutes=2)
    counts = await send_pending(rt, quick_wait_s=0)
    assert counts.uncertain == 1 and counts.sent == 0 and relay.received == []
    assert rt.store.deliveries()[0].status is DeliveryStatus.UNCERTAIN
    del claimed


async def test_a_failed_run_of_a_slot_is_taken_over_and_its_row_settled(
    book_engine: sa.Engine, relay: LocalRelay, clock: Clock, tmp_path: Path
) -> None:
    """The 06:00 run fails (a bucket set that does not exist); a later run of the same slot
    builds and sends the report and marks the slot's row COMPLETED, so nothing runs it again."""
    from jobs.reports.params import ReportRequestError

    broken = _settings(tmp_path, relay)
    broken.reports.buckets = "No Such Set"
    with pytest.raises(ReportRequestError, match="no aging bucket set named 'No Such Set'"):
        await run_monthly(_runtime(book_engine, broken, clock), scheduled_for=SLOT)
    store = Store(book_engine, org_ids=[204])
    assert [r["status"] for r in store.job_runs("report_monthly")] == ["FAILED"]

    clock.now = SLOT + dt.timedelta(hours=2)
    fixed = _settings(tmp_path, relay)
    summary = await run_monthly(_runtime(book_engine, fixed, clock), scheduled_for=SLOT)
    assert summary.delivery.sent == 2 and len(relay.received) == 2
    (slot_row,) = store.job_runs("report_monthly")
    assert slot_row["status"] == "COMPLETED" and slot_row["scheduled_for"] == SLOT
