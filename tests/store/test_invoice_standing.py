"""Where a named invoice stands, read on each backend and explained: every trap of the sample
book (closed, credit memo, incomplete, other org, not enrolled, disabled, rejected) by name."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa

from connectors.oracle.records import EventType, OutcomeRecord, SubmissionStatus
from connectors.oracle.store import Store
from jobs.submit_explain import Verdict, explain
from tests.support.books.ebs import ORG, OTHER_ORG, load_sample_book

OWNER = "testhost:1:1"


def test_each_named_invoice_gets_its_verdict(engine: sa.Engine) -> None:
    """One read answers for every number; explained, each case gets its own verdict."""
    load_sample_book(engine)
    store = Store(engine, org_ids=[ORG])
    pa = store.md.tables["xx_arw_portal_accounts"]
    with engine.begin() as conn:  # Globex's portal account is switched off
        conn.execute(sa.update(pa).where(pa.c.cust_account_id == 12).values(enabled_flag=False))
    store.enqueue(list(store.open_invoices()), run_id="run-1")
    (claimed,) = store.claim(owner=OWNER, limit=1, lease_s=300, trx_numbers=["INV-102"])
    store.record_outcome(
        claimed.submission_id,
        claimed.lease_token,
        OutcomeRecord(
            outcome_uid=uuid.uuid4().hex,
            to_status=SubmissionStatus.REJECTED,
            event_type=EventType.REJECTED,
            detail="PO closed",
            error_code="PO_CLOSED",
            error_text="PO is closed and cannot be invoiced",
        ),
    )
    numbers = [
        "INV-101", "INV-102", "INV-104", "CM-105", "INV-106", "INV-107", "INV-201", "INV-301",
        "NOPE-1", "INV-101",
    ]  # fmt: skip
    standings = store.invoice_standings(numbers)
    assert [s.trx_number for s in standings] == list(dict.fromkeys(numbers))
    other = next(s for s in standings if s.trx_number == "INV-107")
    assert other.transactions == () and other.other_org_ids == (OTHER_ORG,)

    now = dt.datetime.now(dt.UTC)
    verdicts = {}
    for standing in standings:
        (e,) = explain(standing, org_ids=(ORG,), include_debit_memos=False, now=now)
        verdicts[e.invoice] = e
    assert {n: e.verdict for n, e in verdicts.items()} == {
        "INV-101": Verdict.QUEUED,
        "INV-102": Verdict.REJECTED,
        "INV-104": Verdict.CLOSED,
        "CM-105": Verdict.NOT_AN_INVOICE,
        "INV-106": Verdict.INCOMPLETE,
        "INV-107": Verdict.OTHER_ORG,
        "INV-201": Verdict.ENROLMENT_DISABLED,
        "INV-301": Verdict.NOT_ENROLLED,
        "NOPE-1": Verdict.NOT_FOUND,
    }
    rejected = verdicts["INV-102"]
    assert rejected.message == (
        "rejected by the coupa portal: PO_CLOSED: PO is closed and cannot be invoiced"
    )
    assert rejected.action is not None and "`arworker resync 1001`" in rejected.action
    assert verdicts["INV-301"].account_number == "1003"
    assert store.invoice_standings([]) == []
