"""The workspace's store verbs and service rules, on every reachable database backend.

The worklist finds exactly the items a collector must act on (rejected with the portal's words,
disputed, failed, uncertain, submitted but not approved after N days) and filters them in the
database; a hand-made "submitted" is one transaction with its event, note and audit line; requests
are claimed by exactly one worker; users, tokens and portal accounts change only with an audit line.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from connectors.oracle.records import SubmissionStatus
from connectors.oracle.store import Store
from connectors.oracle.workspace_records import (
    ActionCode,
    PortalAccountValues,
    WorkKind,
    WorklistFilter,
)
from jobs import actions
from jobs.actions import Actor, Channel, NotApplicable, NotPermitted, Role
from tests.support.books.ebs import NOW, ORG, SampleBook, load_sample_book
from tests.support.workspace_states import queue_in_every_state

ADMIN = Actor(name="ann", role=Role.ADMIN, channel=Channel.WEB, address="10.0.0.5")
COLLECTOR = Actor(name="carl", role=Role.COLLECTOR, channel=Channel.API, address="10.0.0.6")
VIEWER = Actor(name="vic", role=Role.VIEWER, channel=Channel.WEB, address="10.0.0.7")
CODES = ("coupa", "ariba", "upload")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def book_store(engine: sa.Engine, clock: Clock) -> tuple[Store, SampleBook]:
    book = load_sample_book(engine)
    store = Store(engine, org_ids=[ORG], clock=clock)
    store.enqueue_open_invoices(run_id="nightly-1")
    return store, book


def test_worklist_lists_each_kind_with_the_portals_words(
    book_store: tuple[Store, SampleBook], clock: Clock
) -> None:
    """Rejected, failed, disputed, uncertain and long-unapproved items are listed, nothing else."""
    store, _book = book_store
    ids = queue_in_every_state(store)
    clock.now += dt.timedelta(days=20)  # INV-201 waits for approval longer than 14 days
    store.expire_leases()  # INV-103's worker died: uncertain
    page = store.worklist(WorklistFilter(not_approved_after_days=14), limit=50)
    kinds = {row.trx_number: row.kind for row in page.rows}
    assert kinds == {
        "INV-101": WorkKind.REJECTED,
        "INV-102": WorkKind.FAILED,
        "INV-103": WorkKind.UNCERTAIN,
        "INV-201": WorkKind.NOT_APPROVED,
        "INV-202": WorkKind.DISPUTED,
    }
    assert page.total == 5
    rejected = next(r for r in page.rows if r.trx_number == "INV-101")
    assert (rejected.reason_code, rejected.reason_text) == (
        "PO_CLOSED",
        "Purchase order PO-9 is closed",
    )
    disputed = next(r for r in page.rows if r.submission_id == ids["INV-202"])
    assert disputed.reason_text == "Quantity on line 2 does not match the receipt"
    assert rejected.amount_due_remaining is not None and rejected.due_date is not None
    fresh = store.worklist(WorklistFilter(not_approved_after_days=30), limit=50)
    assert "INV-201" not in {r.trx_number for r in fresh.rows}


def test_worklist_filters_and_pages_in_the_database(
    book_store: tuple[Store, SampleBook], engine: sa.Engine
) -> None:
    """Customer, portal, reason code, days late, collector and kind narrow the list; paging keeps
    the total."""
    store, book = book_store
    queue_in_every_state(store)
    by_account = store.worklist(WorklistFilter(account_number="1002"), limit=50)
    assert {r.account_number for r in by_account.rows} == {"1002"}
    by_code = store.worklist(WorklistFilter(reason_code="PO_CLOSED"), limit=50)
    assert [r.trx_number for r in by_code.rows] == ["INV-101"]
    assert store.worklist(WorklistFilter(portal_code="ariba"), limit=50).total == 0
    only_failed = store.worklist(WorklistFilter(kinds=(WorkKind.FAILED,)), limit=50)
    assert [r.trx_number for r in only_failed.rows] == ["INV-102"]
    late = store.worklist(WorklistFilter(min_days_late=10_000), limit=50)
    assert late.total == 0
    profiles = store.md.tables["hz_customer_profiles"]
    with engine.begin() as conn:
        conn.execute(
            sa.insert(profiles),
            [
                {
                    "cust_account_profile_id": 1,
                    "cust_account_id": book.acme_account_id,
                    "party_id": book.acme_party_id,
                    "site_use_id": None,
                    "collector_id": 77,
                },
                # a site-level profile of another collector must not count
                {
                    "cust_account_profile_id": 2,
                    "cust_account_id": book.globex_account_id,
                    "party_id": 2,
                    "site_use_id": 555,
                    "collector_id": 77,
                },
            ],
        )
    mine = store.worklist(WorklistFilter(collector_id=77), limit=50)
    assert {r.account_number for r in mine.rows} == {"1001"}
    first = store.worklist(WorklistFilter(), limit=2, offset=0)
    second = store.worklist(WorklistFilter(), limit=2, offset=2)
    assert first.total == second.total == 3  # rejected, failed, disputed: the others are fine
    assert not {r.submission_id for r in first.rows} & {r.submission_id for r in second.rows}


def test_mark_submitted_is_one_transaction_with_event_note_and_audit(
    book_store: tuple[Store, SampleBook],
) -> None:
    """State, event, collection note (on the invoice) and audit line are written together."""
    store, _book = book_store
    ids = queue_in_every_state(store)
    sid = ids["INV-101"]
    note_id = actions.mark_submitted_manually(
        store, COLLECTOR, sid, portal_reference="CP-MANUAL-7", reason="keyed in by hand on Coupa"
    )
    view = store.submission_view(sid)
    assert view is not None and view.status is SubmissionStatus.SUBMITTED
    assert view.portal_reference == "CP-MANUAL-7"
    last = store.events(sid)[-1]
    assert (last["event_type"], last["from_status"], last["to_status"], last["jtf_note_id"]) == (
        "MARKED_SUBMITTED",
        "REJECTED",
        "SUBMITTED",
        note_id,
    )
    (note,) = [
        n for n in store.notes_for_invoice(view.payment_schedule_id) if n.jtf_note_id == note_id
    ]
    assert "marked as submitted" in note.text and "carl" in note.text and "CP-MANUAL-7" in note.text
    (audit,) = store.audit_entries(target_kind="SUBMISSION", target_ref=str(sid))
    assert (audit.entry.actor, audit.entry.channel, audit.entry.source_address) == (
        "carl",
        "API",
        "10.0.0.6",
    )
    assert audit.entry.reason == "keyed in by hand on Coupa"


def test_mark_submitted_refuses_a_missing_reason_a_held_item_and_a_viewer(
    book_store: tuple[Store, SampleBook],
) -> None:
    """No reason, no reference, an item a worker holds, or a viewer: refused, nothing written."""
    store, _book = book_store
    ids = queue_in_every_state(store)
    with pytest.raises(NotApplicable, match="reason"):
        actions.mark_submitted_manually(
            store, ADMIN, ids["INV-101"], portal_reference="X", reason=" "
        )
    with pytest.raises(NotApplicable, match="reference"):
        actions.mark_submitted_manually(
            store, ADMIN, ids["INV-101"], portal_reference="", reason="r"
        )
    with pytest.raises(NotApplicable, match="worker is uploading"):
        actions.mark_submitted_manually(
            store, ADMIN, ids["INV-103"], portal_reference="X", reason="r"
        )
    with pytest.raises(NotPermitted):
        actions.mark_submitted_manually(
            store, VIEWER, ids["INV-101"], portal_reference="X", reason="r"
        )
    assert store.audit_entries() == []
    assert store.submission_view(ids["INV-101"]).status is SubmissionStatus.REJECTED  # type: ignore[union-attr]


def test_retry_request_is_claimed_once_and_requeues_through_the_store(
    book_store: tuple[Store, SampleBook],
) -> None:
    """A retry is a request row (audited); one worker claims it; requeue makes it PENDING again."""
    store, _book = book_store
    ids = queue_in_every_state(store)
    request_id = actions.request_retry(store, COLLECTOR, ids["INV-101"], "PO fixed in EBS")
    with pytest.raises(NotApplicable, match="only rejected or failed"):
        actions.request_retry(store, COLLECTOR, ids["INV-201"], None)
    first = store.claim_action_requests(worker_name="w1", limit=10)
    second = store.claim_action_requests(worker_name="w2", limit=10)
    assert [r.request_id for r in first] == [request_id] and second == []
    assert first[0].action_code is ActionCode.RETRY and first[0].reason == "PO fixed in EBS"
    (requeued,) = store.requeue(
        submission_ids=[ids["INV-101"]], reason="re-queued by carl"
    ).requeued
    assert requeued.status is SubmissionStatus.REJECTED  # what it was
    assert store.submission_view(ids["INV-101"]).status is SubmissionStatus.PENDING  # type: ignore[union-attr]
    assert store.events(ids["INV-101"])[-1]["detail"] == "re-queued by carl"
    store.finish_action_request(request_id, ok=True, result_text="submitted")
    (done,) = store.action_requests(submission_id=ids["INV-101"])
    assert (done.status.value, done.result_text) == ("DONE", "submitted")
    (audit,) = store.audit_entries(target_kind="SUBMISSION")
    assert audit.entry.action_code == "RETRY"
    with pytest.raises(ValueError, match="whole queue"):
        store.requeue()


def test_bulk_retry_needs_the_confirmed_count(book_store: tuple[Store, SampleBook]) -> None:
    """A bulk retry queues nothing when the list changed since the confirmation counted it."""
    store, _book = book_store
    queue_in_every_state(store)
    wanted = WorklistFilter()
    candidates = actions.bulk_retry_candidates(store, wanted)
    assert len(candidates) == 3  # INV-101 rejected, INV-102 failed, INV-202 disputed (rejected)
    with pytest.raises(NotApplicable, match="the list changed"):
        actions.request_bulk_retry(store, COLLECTOR, wanted, confirmed_count=2, reason=None)
    assert store.action_requests() == []
    ids = actions.request_bulk_retry(store, COLLECTOR, wanted, confirmed_count=3, reason="fixed")
    assert len(ids) == 3
    (audit,) = store.audit_entries(target_kind="WORKLIST")
    assert audit.entry.action_code == "BULK_RETRY" and "3 invoices" in (audit.entry.detail or "")


def test_enrol_edit_disable_portal_account_with_note_and_audit(
    book_store: tuple[Store, SampleBook],
) -> None:
    """Only an admin enrols; a duplicate portal is refused; disabling needs a reason and notes."""
    store, book = book_store
    values = PortalAccountValues(
        portal_code="Ariba",
        portal_url="https://buyer.ariba.example/",
        login_name=" ar@supplier.example ",
        secret_ref="ARIBA_ACME_PASSWORD",
    )
    with pytest.raises(NotPermitted):
        actions.enrol_portal_account(store, COLLECTOR, "1001", values, known_portal_codes=CODES)
    with pytest.raises(NotApplicable, match="no driver or recipe"):
        actions.enrol_portal_account(
            store,
            ADMIN,
            "1001",
            PortalAccountValues(
                portal_code="sap", portal_url=values.portal_url, login_name="x", secret_ref="S"
            ),
            known_portal_codes=CODES,
        )
    new_id = actions.enrol_portal_account(store, ADMIN, "1001", values, known_portal_codes=CODES)
    record = store.portal_account(new_id)
    assert record is not None
    assert (record.portal_code, record.login_name, record.enabled) == (
        "ariba",
        "ar@supplier.example",
        True,
    )
    with pytest.raises(NotApplicable, match="already enrolled"):
        actions.enrol_portal_account(store, ADMIN, "1001", values, known_portal_codes=CODES)
    with pytest.raises(NotApplicable, match="reason"):
        actions.set_portal_account_enabled(store, ADMIN, new_id, enabled=False, reason="")
    actions.set_portal_account_enabled(store, ADMIN, new_id, enabled=False, reason="left Ariba")
    assert store.portal_account(new_id).enabled is False  # type: ignore[union-attr]
    notes = [n.text for n in store.notes_for_account(book.acme_account_id)]
    assert any("enrolled on the Ariba portal by ann" in t for t in notes)
    assert any("disabled by ann" in t and "left Ariba" in t for t in notes)
    codes = [a.entry.action_code for a in store.audit_entries()]
    assert codes == ["DISABLE_ACCOUNT", "ENROL_ACCOUNT"]


def test_users_and_tokens_change_only_with_an_audit_line(
    book_store: tuple[Store, SampleBook], clock: Clock
) -> None:
    """A token is found by its hash while usable; revoking it is immediate and audited."""
    store, _book = book_store
    audit = ADMIN.audit("ADD_USER", "USER", "vic")
    store.add_web_user(user_name="vic", role="VIEWER", password_hash="h", audit=audit)
    assert store.web_user("vic").role == "VIEWER"  # type: ignore[union-attr]
    token_id = store.add_api_token(
        token_hash="a" * 64,
        token_hint="arw_abcd",
        user_name="vic",
        role="VIEWER",
        label="report script",
        expires_at=clock.now + dt.timedelta(days=1),
        audit=ADMIN.audit("CREATE_TOKEN", "TOKEN", None),
    )
    token = store.api_token_by_hash("a" * 64)
    assert token is not None and token.usable_at(clock.now)
    assert not token.usable_at(clock.now + dt.timedelta(days=2))
    assert store.revoke_api_token(token_id, revoked_by="ann", audit=ADMIN.audit("R", "TOKEN", 1))
    assert not store.revoke_api_token(
        token_id, revoked_by="ann", audit=ADMIN.audit("R", "TOKEN", 1)
    )
    assert not store.api_token_by_hash("a" * 64).usable_at(clock.now)  # type: ignore[union-attr]
    assert [a.entry.action_code for a in store.audit_entries()] == ["R", "CREATE_TOKEN", "ADD_USER"]
