"""The report reads, on every backend, against a plain item-by-item computation of the demo book."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from connectors.oracle.records import CollectionNote
from connectors.oracle.report_records import AgingBucketSet
from connectors.oracle.store import Store
from connectors.oracle.tables import build_metadata
from tests.support.report_book import TODAY, load_report_book
from tests.support.report_expectations import Expected

MONTH_END = dt.date(2026, 10, 31)
TEN_K = Decimal("10000")


@pytest.fixture
def store(engine: sa.Engine) -> Store:
    load_report_book(engine)
    return Store(engine, org_ids=[204])


def _set(store: Store, name: str) -> AgingBucketSet:
    (found,) = [s for s in store.aging_bucket_sets() if s.name == name]
    return found


@pytest.mark.parametrize("as_of", [TODAY, MONTH_END], ids=["today", "month-end"])
def test_customer_receivables_past_due_match_the_plain_computation(
    store: Store, engine: sa.Engine, as_of: dt.date
) -> None:
    """Past-due accounts, their amounts, counts, disputes, credits and collectors are what an
    item-by-item reading of the tables gives, today and as of a past month-end."""
    expected = Expected.read(engine).past_due(as_of)
    rows = store.customer_receivables(
        as_of=as_of, bucket_set=_set(store, "7-Bucket Aging"), min_days=60, min_past_due=TEN_K
    )

    assert len(expected) >= 3, "the demo book has several accounts over the threshold"
    assert {r.account_number for r in rows} == set(expected)
    for row in rows:
        want = expected[row.account_number]
        assert row.past_due == want.past_due
        assert row.open_balance == want.open_balance
        assert row.in_dispute == want.in_dispute
        assert row.past_due_count == want.count
        assert row.oldest_due_date == want.oldest
        assert row.credit_memos == want.credits
        assert row.unapplied_cash == want.unapplied
        assert row.customer_name == want.customer_name
        assert row.collector == want.collector
        assert row.currency == "USD"
        assert sum(row.buckets) == row.open_balance


def test_month_end_adds_back_what_was_paid_after_it(store: Store, engine: sa.Engine) -> None:
    """As of a past date, an invoice paid since counts with what was open then: the account's
    balance is more than what is still open today of the items it had then."""
    book = Expected.read(engine)
    paid_later = [
        item
        for item in book.items
        if item.cls == "INV" and item.gl_date <= MONTH_END < item.gl_closed and item.acctd == 0
    ]
    assert paid_later, "the demo book has invoices paid after the month-end"
    customer = paid_later[0].customer_id
    rows = store.customer_receivables(
        as_of=MONTH_END, bucket_set=_set(store, "7-Bucket Aging"), min_days=60
    )
    (balance,) = [r.open_balance for r in rows if r.cust_account_id == customer]
    still_open_today = sum(
        (
            item.acctd
            for item, _ in book.open_items(MONTH_END)
            if item.customer_id == customer and item.cls == "INV"
        ),
        Decimal(0),
    )
    assert book.balance(paid_later[0], MONTH_END) > 0
    assert balance >= still_open_today + book.balance(paid_later[0], MONTH_END)


def _past_due_account(store: Store) -> tuple[str, int, Decimal]:
    rows = store.customer_receivables(
        as_of=TODAY, bucket_set=_set(store, "7-Bucket Aging"), min_days=60, min_past_due=TEN_K
    )
    row = min(rows, key=lambda r: r.past_due)
    return row.account_number, row.cust_account_id, row.past_due


def test_an_account_exactly_at_the_threshold_is_not_listed_one_cent_more_is(
    store: Store, engine: sa.Engine
) -> None:
    """Listed when the past-due amount is *greater* than the minimum balance: 10,000.00 is not,
    10,000.01 is."""
    account, account_id, past_due = _past_due_account(store)
    ps = build_metadata().tables["ar_payment_schedules_all"]
    with engine.connect() as conn:
        biggest = conn.execute(
            sa.select(ps.c.payment_schedule_id, ps.c.acctd_amount_due_remaining)
            .where(
                ps.c.customer_id == account_id,
                ps.c.status == "OP",
                ps.c["class"] == "INV",
                ps.c.org_id == 204,
                ps.c.due_date < TODAY - dt.timedelta(days=61),
            )
            .order_by(ps.c.acctd_amount_due_remaining.desc())
        ).first()
    assert biggest is not None

    def set_past_due(target: Decimal) -> set[str]:
        amount = Decimal(str(biggest.acctd_amount_due_remaining)) - (past_due - target)
        with engine.begin() as conn:
            conn.execute(
                sa.update(ps)
                .where(ps.c.payment_schedule_id == biggest.payment_schedule_id)
                .values(acctd_amount_due_remaining=amount)
            )
        rows = store.customer_receivables(
            as_of=TODAY, bucket_set=_set(store, "7-Bucket Aging"), min_days=60, min_past_due=TEN_K
        )
        assert Expected.read(engine).past_due(TODAY).keys() == {r.account_number for r in rows}
        return {r.account_number for r in rows}

    assert account not in set_past_due(Decimal("10000.00"))
    assert account in set_past_due(Decimal("10000.01"))


def test_an_item_exactly_60_days_late_is_not_past_due_61_is(
    store: Store, engine: sa.Engine
) -> None:
    """More than ``min_days`` late: an item 60 days late is not in the past-due amount, at 61 it
    is, with its count."""
    account, account_id, past_due = _past_due_account(store)
    ps = build_metadata().tables["ar_payment_schedules_all"]
    with engine.connect() as conn:
        current = conn.execute(
            sa.select(ps.c.payment_schedule_id, ps.c.acctd_amount_due_remaining).where(
                ps.c.customer_id == account_id,
                ps.c.status == "OP",
                ps.c["class"] == "INV",
                ps.c.org_id == 204,
                ps.c.due_date >= TODAY,
            )
        ).first()
    assert current is not None
    amount = Decimal(str(current.acctd_amount_due_remaining))

    def with_days_late(days: int) -> tuple[Decimal, int, list[str]]:
        with engine.begin() as conn:
            conn.execute(
                sa.update(ps)
                .where(ps.c.payment_schedule_id == current.payment_schedule_id)
                .values(due_date=TODAY - dt.timedelta(days=days))
            )
        (row,) = [
            r
            for r in store.customer_receivables(
                as_of=TODAY, bucket_set=_set(store, "7-Bucket Aging"), min_days=60
            )
            if r.account_number == account
        ]
        items = list(store.past_due_items(as_of=TODAY, min_days=60, accounts=[(204, account_id)]))
        return row.past_due, row.past_due_count, [str(i.payment_schedule_id) for i in items]

    at_60, count_60, items_60 = with_days_late(60)
    at_61, count_61, items_61 = with_days_late(61)
    assert at_60 == past_due and str(current.payment_schedule_id) not in items_60
    assert at_61 == past_due + amount and count_61 == count_60 + 1
    assert str(current.payment_schedule_id) in items_61


@pytest.mark.parametrize("name", ["7-Bucket Aging", "4-Bucket Aging", "7-Bucket + Dispute"])
def test_aging_by_bucket_lines_matches_the_plain_computation(
    store: Store, engine: sa.Engine, name: str
) -> None:
    """Each account's amount per line of the set, dispute-only line included, as computed item
    by item; the lines of an account add up to its open balance."""
    bucket_set = _set(store, name)
    lines = [
        (line.days_start or 0, line.days_to or 0, line.line_type.value) for line in bucket_set.lines
    ]
    expected = Expected.read(engine).aging(MONTH_END, lines)
    rows = store.customer_receivables(as_of=MONTH_END, bucket_set=bucket_set, min_days=60)

    assert {r.account_number: list(r.buckets) for r in rows} == expected
    for row in rows:
        assert sum(row.buckets) == row.open_balance
    if bucket_set.has_dispute_line:
        assert any(r.buckets[-1] > 0 for r in rows)


def test_receivables_and_sales_per_collector_match_the_plain_computation(
    store: Store, engine: sa.Engine
) -> None:
    """What DSO is made of, per collector: the balance at several dates and the sales of
    several months."""
    book = Expected.read(engine)
    points = [MONTH_END, dt.date(2026, 9, 30), dt.date(2026, 6, 30), TODAY]
    periods = [(dt.date(2026, 10, 1), MONTH_END), (dt.date(2026, 7, 1), dt.date(2026, 9, 30))]
    receivables = store.receivables_at(points)
    sales = store.credit_sales(periods)

    collectors = {f.collector for f in receivables}
    assert collectors == {c for c in book.collector.values() if c}
    for figure in receivables:
        assert figure.amount == book.receivables(points[figure.key], figure.collector), figure
    for figure in sales:
        first, last = periods[figure.key]
        assert figure.amount == book.sales(first, last, figure.collector), figure
    assert sum(f.amount for f in sales if f.key == 0) > 0


def test_collector_filter_keeps_that_collectors_accounts_only(
    store: Store, engine: sa.Engine
) -> None:
    """``collector`` (any case) keeps the accounts whose account-level profile names them, not
    those where they only hold a site-level profile."""
    book = Expected.read(engine)
    rows = store.customer_receivables(
        as_of=TODAY, bucket_set=_set(store, "7-Bucket Aging"), min_days=60, collector="tom BECKER"
    )
    assert {r.account_number for r in rows} == {
        book.account_number[c] for c, name in book.collector.items() if name == "Tom Becker"
    }
    assert "1001" not in {r.account_number for r in rows}  # his site-level profile only


def test_reports_refuse_an_operating_unit_that_is_not_configured(store: Store) -> None:
    """Another operating unit's rows are not read: asking for it says what is configured."""
    with pytest.raises(ValueError, match=r"\[458\].*\[204\]"):
        store.receivables_at([TODAY], org_ids=[458])


def test_past_due_items_carry_the_latest_submission_and_the_last_note(
    store: Store, engine: sa.Engine
) -> None:
    """Each past-due item comes with its latest submission's portal verdict; each account with
    its newest note."""
    account, account_id, _ = _past_due_account(store)
    items = list(store.past_due_items(as_of=TODAY, min_days=60, accounts=[(204, account_id)]))
    assert items and all(i.submission_id is None for i in items)
    assert [i.due_date for i in items] == sorted(i.due_date for i in items)
    first = items[0]
    (portal_account_id,) = [
        a.portal_account_id for a in store.portal_accounts(account_number=account)
    ]
    sub = build_metadata().tables["xx_arw_submissions"]
    now = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
    common = {
        "customer_trx_id": 1,
        "payment_schedule_id": first.payment_schedule_id,
        "cust_account_id": account_id,
        "portal_account_id": portal_account_id,
        "trx_number": first.trx_number,
        "portal_invoice_number": first.trx_number,
        "attempts": 1,
        "resubmit_count": 0,
        "enqueued_at": now,
        "org_id": 204,
    }
    with engine.begin() as conn:
        conn.execute(sa.insert(sub).values(**common, status="REJECTED"))
        conn.execute(
            sa.insert(sub).values(
                **{**common, "customer_trx_id": 2},
                status="SUBMITTED",
                portal_status="APPROVED",
                projected_pay_date=dt.date(2026, 12, 4),
            )
        )
    store.write_account_note(
        CollectionNote(
            cust_account_id=account_id, party_id=None, payment_schedule_id=None, text="a"
        )
    )
    store.write_account_note(
        CollectionNote(
            cust_account_id=account_id, party_id=None, payment_schedule_id=None, text="b"
        )
    )

    (again,) = [
        i
        for i in store.past_due_items(as_of=TODAY, min_days=60, accounts=[(204, account_id)])
        if i.payment_schedule_id == first.payment_schedule_id
    ]
    assert (again.submission_status, again.portal_status) == ("SUBMITTED", "APPROVED")
    assert again.projected_pay_date == dt.date(2026, 12, 4)
    assert again.portal_code is not None
    assert store.last_account_notes([account_id])[account_id].text == "b"
