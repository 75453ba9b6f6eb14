"""Every statement the store issues, compiled for Oracle, passes the Oracle rules (design §8).

No Oracle server runs here, so the store is driven through every public verb on SQLite while a
``before_execute`` listener keeps each statement object; each one is then compiled with the
Oracle dialect (exactly what SQLAlchemy would send to Oracle) and checked. A new store verb that
this test does not drive fails the test, so "every statement" stays true as the store grows.
"""

from __future__ import annotations

import datetime as dt
import inspect
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.dml import UpdateBase

from config.settings import DatabaseSettings
from connectors.oracle.ddl import dialect_for
from connectors.oracle.engine import create_engine
from connectors.oracle.records import (
    CollectionNote,
    EventType,
    JobRunCounts,
    OutcomeRecord,
    PortalStatusChange,
    SubmissionStatus,
)
from connectors.oracle.store import Store
from tests.support.books.ebs import ORG, load_sample_book
from tests.support.workspace_verbs_driver import drive_workspace_verbs
from tools.oracle_rules.dialect_rules import RuleViolation, check_oracle_sql

OWNER = "testhost:4242:1700000000"
LEASE_S = 300.0


class _Clock:
    """A settable clock, so lease expiry needs no sleeping."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


class _Recorder:
    """Keeps the statements an engine executes while ``on`` is set, with their parameter keys.

    The keys matter: an INSERT compiled without them binds every column, while the one executed
    lets the Oracle dialect fill a missing primary key from its sequence (``..._s.nextval``).
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.on = False
        self.statements: list[tuple[ClauseElement, list[str] | None, bool]] = []
        event.listen(engine, "before_execute", self._before_execute)

    def _before_execute(
        self, _conn: Any, element: Any, multiparams: Any, params: Any, _options: Any
    ) -> None:
        if not self.on or not isinstance(element, ClauseElement):  # str: SQLite's BEGIN, PRAGMAs
            return
        first = multiparams[0] if multiparams else params
        keys = list(first) if isinstance(first, dict) and first else None
        self.statements.append((element, keys, len(multiparams) > 1))

    def oracle_sql(self) -> list[str]:
        """Each statement as the Oracle dialect would compile it for that execution."""
        dialect = dialect_for("oracle")
        return [
            str(element.compile(dialect=dialect, column_keys=keys, for_executemany=many))
            if isinstance(element, UpdateBase)
            else str(element.compile(dialect=dialect))
            for element, keys, many in self.statements
        ]


def _verbs_driven(store: Store, driven: set[str]) -> Callable[[str], Callable[..., Any]]:
    """``verb("claim")(...)`` calls the store verb and notes that it was driven."""

    def verb(name: str) -> Callable[..., Any]:
        driven.add(name)
        method: Callable[..., Any] = getattr(store, name)
        return method

    return verb


def _public_verbs(store: Store) -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(store, inspect.ismethod)
        if not name.startswith("_")
    }


def _note(book_account: int, party_id: int, schedule_id: int | None, text: str) -> CollectionNote:
    return CollectionNote(
        cust_account_id=book_account, party_id=party_id, payment_schedule_id=schedule_id, text=text
    )


def test_store_statements_compiled_for_oracle_pass_the_oracle_rules(tmp_path: Path) -> None:
    """Each statement of each store verb, compiled with the Oracle dialect, breaks no rule."""
    engine = create_engine(DatabaseSettings(url=f"sqlite:///{tmp_path / 'arworker.db'}"))
    recorder = _Recorder(engine)
    clock = _Clock()
    store = Store(engine, org_ids=[ORG], clock=clock)
    driven: set[str] = set()
    verb = _verbs_driven(store, driven)
    try:
        recorder.on = True
        verb("drop_schema")()
        verb("create_schema")(include_ebs_stand_ins=True)
        assert not verb("schema_gaps")()
        recorder.on = False
        book = load_sample_book(engine)
        recorder.on = True

        acme = book.acme_account_id
        verb("portal_accounts")()
        verb("portal_accounts")(account_number="1001", enabled_only=False)
        assert verb("account_id")("1001") == acme
        invoices = list(verb("open_invoices")())
        list(store.open_invoices(cust_account_id=acme, unqueued_only=False))
        assert invoices, "the sample book has open invoices"
        verb("load_invoice")(invoices[0].customer_trx_id)
        verb("invoice_standings")(["INV-101", "INV-107", "NOPE-1"])
        verb("enqueue")(invoices, run_id="run-1")
        assert verb("enqueue_open_invoices")(cust_account_id=acme, run_id="run-1").enqueued == 0
        verb("submissions")(
            cust_account_id=acme,
            statuses=[SubmissionStatus.PENDING],
            trx_numbers=[i.trx_number for i in invoices],
        )
        claimed = verb("claim")(
            owner=OWNER,
            limit=3,
            lease_s=LEASE_S,
            portal_account_ids=sorted({i.portal_account_id for i in invoices}),
            exclude_portal_account_ids=[999_999],
            trx_numbers=[i.trx_number for i in invoices],
            cust_account_id=acme,
            run_id="run-1",
        )
        assert len(claimed) >= 2, "the sample book lets one account claim two invoices"
        first, second, *rest = claimed
        verb("renew_lease")(first.submission_id, first.lease_token, lease_s=LEASE_S)
        assert verb("start_submit")(
            first.submission_id, first.lease_token, lease_s=LEASE_S, run_id="run-1"
        )
        note = _note(acme, book.acme_party_id, first.payment_schedule_id, "Submitted to Coupa.")
        verb("record_outcome")(
            first.submission_id,
            first.lease_token,
            OutcomeRecord(
                outcome_uid=uuid.uuid4().hex,
                to_status=SubmissionStatus.SUBMITTED,
                event_type=EventType.SUBMITTED,
                detail="portal document CP-1",
                portal_reference="CP-1",
                portal_invoice_number=first.trx_number,
                artifact_path="var/artifacts/1",
                note=note,
                run_id="run-1",
            ),
        )
        store.record_outcome(
            second.submission_id,
            None,  # a journal replay: guarded by status instead of the lease token
            OutcomeRecord(
                outcome_uid=uuid.uuid4().hex,
                to_status=SubmissionStatus.REJECTED,
                event_type=EventType.REJECTED,
                detail="PO closed",
                error_code="PO_CLOSED",
                error_text="the purchase order is closed",
                note=_note(acme, book.acme_party_id, second.payment_schedule_id, "Rejected."),
            ),
            reset_attempts_to=0,
        )
        verb("events")(first.submission_id)
        store.invoice_standings([first.trx_number, second.trx_number])  # with queue items
        verb("notes_for_account")(acme)
        verb("status_counts")()
        verb("requeue")(cust_account_id=acme, run_id="run-1")
        clock.now += dt.timedelta(seconds=LEASE_S * 2)
        verb("expire_leases")(run_id="run-1")
        store.claim(owner=OWNER, limit=5, lease_s=LEASE_S)
        verb("release_dead_owner_leases")("testhost:", lambda _owner: False, run_id="run-1")
        verb("write_account_note")(_note(acme, book.acme_party_id, None, "Resync done."))
        request_id = verb("request_resync")("1001", requested_by="collector")
        verb("claim_resync_requests")(worker_name=OWNER, limit=2)
        verb("finish_resync_request")(request_id, ok=True, result_text="1 re-queued")
        verb("resync_requests")()
        scheduled = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)
        assert verb("start_job_run")(
            run_id="run-1", job_name="nightly", scheduled_for=scheduled, worker_name=OWNER
        )
        assert not store.start_job_run(
            run_id="run-2", job_name="nightly", scheduled_for=scheduled, worker_name=OWNER
        )
        verb("finish_job_run")(
            "run-1", status="OK", counts=JobRunCounts(enqueued=len(invoices)), summary="done"
        )
        verb("mark_enqueued")("run-1", len(invoices))
        verb("job_run_for_slot")("nightly", scheduled)
        verb("job_runs")("nightly")
        polled = verb("submissions_to_poll")(cust_account_id=acme)
        if polled:
            account_of = polled[0].portal_account_id
            assert verb("claim_status_pass")(account_of, owner=OWNER, lease_s=60)
            book_of = verb("status_book")(account_of)
            assert book_of.due and book_of.watched >= len(book_of.due)
            verb("status_book")(account_of, every=True)
            verb("schedule_status_checks")({s.submission_id: book_of.as_of for s in book_of.due})
            verb("end_status_pass")(account_of, owner=OWNER)
            verb("record_portal_status")(
                polled[0].submission_id,
                seen=polled[0].portal_status,
                change=PortalStatusChange(
                    portal_status="DISPUTED",
                    detail="portal status Disputed: PO line mismatch",
                    reason="PO line mismatch",
                    to_status=SubmissionStatus.REJECTED,
                    error_code="PORTAL_DISPUTED",
                    note=_note(
                        acme, book.acme_party_id, polled[0].payment_schedule_id, "Disputed."
                    ),
                    run_id="run-1",
                ),
            )
        else:
            verb("record_portal_status")(
                first.submission_id,
                seen=None,
                change=PortalStatusChange(portal_status="PAID", detail="x"),
            )
        verb("db_now")()
        verb("held_on_portal")(cust_account_id=acme)
        verb("open_items_by_kind")(cust_account_id=acme)
        verb("queue_depth_by_portal_account")()
        verb("refund_attempt")(second.submission_id, attempts=1, reason="outage", run_id="run-1")
        login = verb("pause_login")(
            portal_code="coupa",
            portal_url="http://127.0.0.1:1/coupa",
            login_name="ar@x.example",
            fingerprint="scrypt$00$00",
            reason="Invalid email or password",
            error_code="LOGIN_FAILED",
            worker_name=OWNER,
        )
        verb("active_pauses")()
        verb("login_pause_fingerprint")(login.pause_id)
        verb("resume_pause")(login.pause_id, resumed_by="ops", reason="password fixed")
        portal = verb("pause_portal")(
            portal_code="coupa",
            reason="no #invoice-number",
            error_code="PORTAL_CHANGED",
            worker_name=OWNER,
            probe_after_s=0.0,
        )
        verb("claim_probe")(portal.pause_id, interval_s=60)
        verb("open_outage")(portal_code="ariba", reason="refused", cooldown_s=60, worker_name=OWNER)
        store.open_outage(portal_code="ariba", reason="refused", cooldown_s=60, worker_name=OWNER)
        verb("unresolved_outages")()
        verb("close_outage")("ariba", resumed_by="arworker")
        del rest
        _drive_report_verbs(verb, acme)  # the reports' reads (issue 14)
        drive_workspace_verbs(store, verb, account_id=acme, party_id=book.acme_party_id)
    finally:
        recorder.on = False
        engine.dispose()

    missing = _public_verbs(store) - driven
    assert not missing, f"store verbs this test does not drive yet: {sorted(missing)}"
    violations: list[RuleViolation] = []
    compiled: set[str] = set()
    for sql in recorder.oracle_sql():
        if sql not in compiled:
            compiled.add(sql)
            violations.extend(check_oracle_sql(sql, source="store statement"))
    assert len(compiled) > 30, f"only {len(compiled)} distinct statements were captured"
    assert violations == [], "\n".join(map(str, violations))


def _drive_report_verbs(verb: Callable[[str], Callable[..., Any]], account_id: int) -> None:
    """Every report read, with every option that changes its SQL."""
    from tests.support.report_book import seeded_bucket_sets

    day = dt.date(2026, 11, 20)
    (bucket_set,) = [s for s in seeded_bucket_sets() if s.name == "7-Bucket + Dispute"]
    verb("aging_bucket_sets")()
    verb("collectors")()
    verb("ledger_currencies")()
    verb("report_org_ids")([ORG])
    verb("customer_receivables")(
        as_of=day,
        bucket_set=bucket_set,
        min_days=60,
        min_past_due=Decimal("10000"),
        org_ids=[ORG],
        collector="Maria Lopez",
    )
    verb("customer_receivables")(
        as_of=day, bucket_set=bucket_set, min_days=60, past_due_figures=False
    )
    list(verb("past_due_items")(as_of=day, min_days=60, accounts=[(ORG, account_id)]))
    verb("last_account_notes")([account_id])
    verb("receivables_at")([day, dt.date(2026, 10, 31)], collector="Maria Lopez")
    verb("credit_sales")([(dt.date(2026, 10, 1), dt.date(2026, 10, 31))], org_ids=[ORG])
    verb("digest_items")()
    verb("collector_portal_accounts")()
    _drive_delivery_verbs(verb)


def _drive_delivery_verbs(verb: Callable[[str], Callable[..., Any]]) -> None:
    """The report e-mail outbox: queue, claim, settle, expire, requeue, list."""
    from connectors.oracle.deliveries import DeliveryStatus, NewDelivery

    new = NewDelivery(
        report_name="monthly",
        period_key="2026-10-31",
        recipient="ar@example.com",
        collector_id=None,
        subject="Collections report",
        message_id="<1@example.com>",
        message_path="var/reports/monthly/2026-10-31/outbox/1.eml",
        run_id="run-1",
    )
    assert verb("add_delivery")(new)
    assert not verb("add_delivery")(new)
    (claimed,) = verb("claim_deliveries")(limit=5, lease_s=60, report_name="monthly")
    verb("settle_delivery")(
        claimed.delivery_id,
        claimed.lease_token,
        status=DeliveryStatus.PENDING,
        error="451",
        undo_attempt=True,
    )
    (again,) = verb("claim_deliveries")(limit=5, lease_s=-1)
    verb("expire_deliveries")()
    verb("requeue_delivery")(again.delivery_id, requeued_by="lead")
    (last,) = verb("claim_deliveries")(limit=1, lease_s=60)
    assert verb("settle_delivery")(
        last.delivery_id, last.lease_token, status=DeliveryStatus.SENT, server_reply="250 OK"
    )
    verb("deliveries")(
        report_name="monthly", period_key="2026-10-31", statuses=[DeliveryStatus.SENT]
    )


@pytest.mark.parametrize("limit", [1, 10])
def test_claim_compiles_without_row_locks_on_oracle(tmp_path: Path, limit: int) -> None:
    """The claim sends no FOR UPDATE at all on Oracle: the portable claim of design §8."""
    engine = create_engine(DatabaseSettings(url=f"sqlite:///{tmp_path / 'arworker.db'}"))
    recorder = _Recorder(engine)
    store = Store(engine, org_ids=[ORG], clock=_Clock())
    try:
        store.create_schema(include_ebs_stand_ins=True)
        load_sample_book(engine)
        store.enqueue(list(store.open_invoices()))
        recorder.on = True
        store.claim(owner=OWNER, limit=limit, lease_s=LEASE_S)
    finally:
        recorder.on = False
        engine.dispose()
    sqls = recorder.oracle_sql()
    assert any("FETCH FIRST" in s for s in sqls), "candidates are picked with a row limit"
    assert any(s.startswith("UPDATE xx_arw_submissions") for s in sqls), "and taken by UPDATE"
    assert not any("FOR UPDATE" in s for s in sqls)
