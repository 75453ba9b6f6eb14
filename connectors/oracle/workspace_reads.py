"""What the collector workspace reads: the overview, the worklist, one invoice, one account.

Every list is computed in the database (counts, filters, paging), never by loading the queue into
Python: the workspace must answer in well under a second with a hundred thousand submissions and
a million events (``benchmarks/workspace_render.py``). Dates compared with EBS ``DATE`` columns
are bound as Python dates (design §8).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from connectors.oracle.engine import READ_ONLY_OPTION
from connectors.oracle.errors import wrap_db_errors
from connectors.oracle.notes import NOTE_LANGUAGE
from connectors.oracle.records import CLAIMABLE_STATUSES, NoteRecord, SubmissionStatus
from connectors.oracle.unit_of_work import UnitOfWork
from connectors.oracle.workspace_records import (
    InvoiceFacts,
    OldestDue,
    QueueCell,
    SubmissionView,
    WorkKind,
    WorklistFilter,
    WorklistPage,
    WorklistRow,
)

DISPUTED = "DISPUTED"
#: portal statuses under which a submitted invoice still waits for the buyer's approval
AWAITING_APPROVAL = ("PENDING_APPROVAL",)
#: statuses a bulk retry may put back in the queue
RETRYABLE_STATUSES = (SubmissionStatus.REJECTED, SubmissionStatus.FAILED)


class WorkspaceReadVerbs(UnitOfWork):
    """Reads behind the overview, worklist, invoice and account pages (and the JSON API)."""

    # ---- health and overview ---------------------------------------------------------------

    def database_ping(self) -> None:
        """One round trip, not retried: readiness must say "down" now, not after the backoff."""
        with (
            wrap_db_errors(),
            self.engine.connect().execution_options(**{READ_ONLY_OPTION: True}) as conn,
        ):
            conn.execute(sa.select(sa.literal(1))).scalar_one()
            conn.rollback()

    def queue_by_portal(self) -> list[QueueCell]:
        """Submissions counted by portal code and status."""
        sub = self._t["xx_arw_submissions"]
        pa = self._t["xx_arw_portal_accounts"]
        n = sa.func.count().label("n")
        query = (
            sa.select(pa.c.portal_code, sub.c.status, n)
            .join(pa, pa.c.portal_account_id == sub.c.portal_account_id)
            .group_by(pa.c.portal_code, sub.c.status)
            .order_by(pa.c.portal_code, sub.c.status)
        )
        return self._read(
            lambda c: [
                QueueCell(portal_code=r.portal_code, status=r.status, count=int(r.n))
                for r in c.execute(query)
            ]
        )

    def oldest_due(self) -> OldestDue | None:
        """The queued item that has waited longest and is due now (its backoff is over)."""
        sub = self._t["xx_arw_submissions"]
        now = self.clock()
        query = (
            sa.select(sub.c.submission_id, sub.c.trx_number, sub.c.status, sub.c.enqueued_at)
            .where(
                sub.c.status.in_([s.value for s in CLAIMABLE_STATUSES]),
                sa.or_(sub.c.next_attempt_at.is_(None), sub.c.next_attempt_at <= now),
            )
            .order_by(sub.c.enqueued_at, sub.c.submission_id)
            .limit(1)
        )
        row = self._read(lambda c: c.execute(query).first())
        if row is None:
            return None
        return OldestDue(
            submission_id=int(row.submission_id),
            trx_number=row.trx_number,
            status=row.status,
            enqueued_at=row.enqueued_at,
        )

    def recent_job_runs(self, *, limit: int = 10) -> list[dict[str, Any]]:
        """The newest job runs first (nightly, submit, resync, actions...)."""
        runs = self._t["xx_arw_job_runs"]
        query = sa.select(runs).order_by(runs.c.job_run_id.desc()).limit(limit)
        return self._read(lambda c: [dict(r._mapping) for r in c.execute(query)])

    def last_finished_run(self, job_name: str, *, status: str = "COMPLETED") -> dt.datetime | None:
        """When the last run of ``job_name`` that ended in ``status`` finished."""
        runs = self._t["xx_arw_job_runs"]
        query = sa.select(sa.func.max(runs.c.finished_at)).where(
            runs.c.job_name == job_name, runs.c.status == status
        )
        value: dt.datetime | None = self._read(lambda c: c.execute(query).scalar())
        return value

    # ---- the worklist ----------------------------------------------------------------------

    def worklist(self, wanted: WorklistFilter, *, limit: int, offset: int = 0) -> WorklistPage:
        """One page of the "action needed" list (or of ``wanted.statuses``), newest change
        first, with the total count."""
        sub = self._t["xx_arw_submissions"]
        base = self._worklist_from(wanted)
        rows_query = (
            self._listing_columns(base)
            .order_by(sub.c.last_update_date.desc(), sub.c.submission_id.desc())
            .limit(limit)
            .offset(offset)
        )
        count_query = base.with_only_columns(sa.func.count()).order_by(None)
        today = self.clock().date()

        def work(conn: sa.Connection) -> WorklistPage:
            total = int(conn.execute(count_query).scalar_one())
            listing = wanted.statuses is not None
            rows = tuple(_listing_row(r, today, listing=listing) for r in conn.execute(rows_query))
            return WorklistPage(rows=rows, total=total)

        return self._read(work)

    def worklist_ids(
        self, wanted: WorklistFilter, *, statuses: tuple[SubmissionStatus, ...], limit: int
    ) -> list[int]:
        """Ids of the listed items in ``statuses`` (what a bulk retry of the list would take)."""
        sub = self._t["xx_arw_submissions"]
        query = (
            self._worklist_from(wanted)
            .with_only_columns(sub.c.submission_id)
            .where(sub.c.status.in_([s.value for s in statuses]))
            .order_by(sub.c.submission_id)
            .limit(limit)
        )
        return self._read(lambda c: [int(i) for (i,) in c.execute(query)])

    def _worklist_from(self, wanted: WorklistFilter) -> sa.Select[Any]:
        sub = self._t["xx_arw_submissions"]
        pa = self._t["xx_arw_portal_accounts"]
        acct = self._t["hz_cust_accounts"]
        ps = self._t["ar_payment_schedules_all"]
        now = self.clock()
        query = (
            sa.select(sub.c.submission_id)
            .select_from(sub)
            .join(pa, pa.c.portal_account_id == sub.c.portal_account_id)
            .join(acct, acct.c.cust_account_id == sub.c.cust_account_id)
            .outerjoin(ps, ps.c.payment_schedule_id == sub.c.payment_schedule_id)
            .where(sub.c.org_id.in_(self.org_ids))
        )
        cutoff = now - dt.timedelta(days=wanted.not_approved_after_days)
        if wanted.statuses is not None:
            query = query.where(sub.c.status.in_([s.value for s in wanted.statuses]))
        else:
            query = query.where(sa.or_(*(self._kind_condition(k, cutoff) for k in wanted.kinds)))
        if wanted.account_number is not None:
            query = query.where(acct.c.account_number == wanted.account_number)
        if wanted.portal_code is not None:
            query = query.where(pa.c.portal_code == wanted.portal_code)
        if wanted.reason_code is not None:
            query = query.where(sub.c.last_error_code == wanted.reason_code)
        if wanted.min_days_late is not None:
            query = query.where(
                ps.c.due_date <= now.date() - dt.timedelta(days=wanted.min_days_late)
            )
        if wanted.collector_id is not None:
            query = query.where(sub.c.cust_account_id.in_(self._accounts_of(wanted.collector_id)))
        return query

    def _accounts_of(self, collector_id: int) -> sa.Select[Any]:
        """Customer accounts whose account-level profile names the collector (as EBS assigns)."""
        profiles = self._t["hz_customer_profiles"]
        return sa.select(profiles.c.cust_account_id).where(
            profiles.c.collector_id == collector_id,
            profiles.c.site_use_id.is_(None),
            profiles.c.status == "A",
        )

    def _kind_condition(self, kind: WorkKind, cutoff: dt.datetime) -> sa.ColumnElement[bool]:
        sub = self._t["xx_arw_submissions"]
        not_disputed = sa.or_(sub.c.portal_status.is_(None), sub.c.portal_status != DISPUTED)
        if kind is WorkKind.DISPUTED:
            return sa.and_(
                sub.c.status.in_([SubmissionStatus.REJECTED.value, SubmissionStatus.SUBMITTED]),
                sub.c.portal_status == DISPUTED,
            )
        if kind is WorkKind.REJECTED:
            return sa.and_(sub.c.status == SubmissionStatus.REJECTED.value, not_disputed)
        if kind is WorkKind.NOT_APPROVED:
            return sa.and_(
                sub.c.status == SubmissionStatus.SUBMITTED.value,
                sub.c.submitted_at < cutoff,
                sa.or_(sub.c.portal_status.is_(None), sub.c.portal_status.in_(AWAITING_APPROVAL)),
            )
        return sub.c.status == kind.value  # FAILED, UNCERTAIN

    def _listing_columns(self, query: sa.Select[Any]) -> sa.Select[Any]:
        sub = self._t["xx_arw_submissions"]
        pa = self._t["xx_arw_portal_accounts"]
        acct = self._t["hz_cust_accounts"]
        ps = self._t["ar_payment_schedules_all"]
        return query.with_only_columns(
            sub.c.submission_id,
            sub.c.trx_number,
            sub.c.status,
            sub.c.portal_status,
            sub.c.portal_status_reason,
            sub.c.last_error_code,
            sub.c.last_error_text,
            sub.c.last_update_date,
            acct.c.account_number,
            acct.c.account_name,
            pa.c.portal_code,
            ps.c.amount_due_remaining,
            ps.c.invoice_currency_code,
            ps.c.due_date,
        )

    def collectors(self) -> list[dict[str, Any]]:
        """Active collectors (AR_COLLECTORS), for the worklist's collector filter."""
        coll = self._t["ar_collectors"]
        query = (
            sa.select(coll.c.collector_id, coll.c.name, coll.c.email_address)
            .where(coll.c.status == "A")
            .order_by(coll.c.name)
        )
        return self._read(lambda c: [dict(r._mapping) for r in c.execute(query)])

    # ---- one account, one invoice ----------------------------------------------------------

    def account_submissions(self, cust_account_id: int, *, limit: int = 500) -> list[WorklistRow]:
        """An account's submissions, newest change first (every status, not only problems)."""
        sub = self._t["xx_arw_submissions"]
        pa = self._t["xx_arw_portal_accounts"]
        acct = self._t["hz_cust_accounts"]
        ps = self._t["ar_payment_schedules_all"]
        query = (
            self._listing_columns(
                sa.select(sub.c.submission_id)
                .select_from(sub)
                .join(pa, pa.c.portal_account_id == sub.c.portal_account_id)
                .join(acct, acct.c.cust_account_id == sub.c.cust_account_id)
                .outerjoin(ps, ps.c.payment_schedule_id == sub.c.payment_schedule_id)
            )
            .where(sub.c.cust_account_id == cust_account_id)
            .order_by(sub.c.last_update_date.desc(), sub.c.submission_id.desc())
            .limit(limit)
        )
        today = self.clock().date()
        return self._read(
            lambda c: [_listing_row(r, today, listing=True) for r in c.execute(query)]
        )

    def customer_account(self, account_number: str) -> dict[str, Any] | None:
        """HZ_CUST_ACCOUNTS + HZ_PARTIES facts of one account number, or None."""
        acct = self._t["hz_cust_accounts"]
        party = self._t["hz_parties"]
        query = (
            sa.select(
                acct.c.cust_account_id,
                acct.c.account_number,
                acct.c.account_name,
                acct.c.party_id,
                acct.c.status,
                party.c.party_name,
            )
            .join(party, party.c.party_id == acct.c.party_id)
            .where(acct.c.account_number == account_number)
        )
        row = self._read(lambda c: c.execute(query).first())
        return None if row is None else dict(row._mapping)

    def submission_view(self, submission_id: int) -> SubmissionView | None:
        """One submission with its account, portal account and the EBS facts of its invoice."""
        sub = self._t["xx_arw_submissions"]
        pa = self._t["xx_arw_portal_accounts"]
        acct = self._t["hz_cust_accounts"]
        ps = self._t["ar_payment_schedules_all"]
        trx = self._t["ra_customer_trx_all"]
        query = (
            sa.select(
                sub,
                acct.c.account_number,
                acct.c.account_name,
                acct.c.party_id,
                pa.c.portal_code,
                pa.c.portal_url,
                pa.c.buyer_name,
                ps.c.due_date,
                ps.c.amount_due_original,
                ps.c.amount_due_remaining,
                ps.c.invoice_currency_code,
                ps.c.status.label("schedule_status"),
                trx.c.trx_date,
                trx.c.purchase_order,
            )
            .join(pa, pa.c.portal_account_id == sub.c.portal_account_id)
            .join(acct, acct.c.cust_account_id == sub.c.cust_account_id)
            .outerjoin(ps, ps.c.payment_schedule_id == sub.c.payment_schedule_id)
            .outerjoin(trx, trx.c.customer_trx_id == sub.c.customer_trx_id)
            .where(sub.c.submission_id == submission_id, sub.c.org_id.in_(self.org_ids))
        )
        row = self._read(lambda c: c.execute(query).first())
        if row is None:
            return None
        m = row._mapping
        return SubmissionView(
            submission_id=int(m["submission_id"]),
            trx_number=m["trx_number"],
            portal_invoice_number=m["portal_invoice_number"],
            status=SubmissionStatus(m["status"]),
            attempts=int(m["attempts"]),
            next_attempt_at=m["next_attempt_at"],
            portal_reference=m["portal_reference"],
            portal_status=m["portal_status"],
            portal_status_at=m["portal_status_at"],
            portal_status_reason=m["portal_status_reason"],
            projected_pay_date=_date(m["projected_pay_date"]),
            payment_date=_date(m["payment_date"]),
            payment_reference=m["payment_reference"],
            last_error_code=m["last_error_code"],
            last_error_text=m["last_error_text"],
            artifact_path=m["artifact_path"],
            enqueued_at=m["enqueued_at"],
            submitted_at=m["submitted_at"],
            changed_at=m["last_update_date"],
            cust_account_id=int(m["cust_account_id"]),
            account_number=m["account_number"],
            account_name=m["account_name"],
            party_id=int(m["party_id"]),
            payment_schedule_id=int(m["payment_schedule_id"]),
            portal_account_id=int(m["portal_account_id"]),
            portal_code=m["portal_code"],
            portal_url=m["portal_url"],
            buyer_name=m["buyer_name"],
            facts=InvoiceFacts(
                trx_date=_date(m["trx_date"]),
                due_date=_date(m["due_date"]),
                currency=m["invoice_currency_code"],
                amount_due_original=m["amount_due_original"],
                amount_due_remaining=m["amount_due_remaining"],
                purchase_order=m["purchase_order"],
                schedule_status=m["schedule_status"],
            ),
        )

    def notes_for_invoice(self, payment_schedule_id: int, *, limit: int = 100) -> list[NoteRecord]:
        """Collection notes attached to one invoice (context IEX_INVOICES), oldest first."""
        b = self._t["jtf_notes_b"]
        tl = self._t["jtf_notes_tl"]
        ctx = self._t["jtf_note_contexts"]
        query = (
            sa.select(
                b.c.jtf_note_id,
                b.c.source_object_id,
                b.c.entered_date,
                tl.c.notes,
                tl.c.notes_detail,
            )
            .join(tl, sa.and_(tl.c.jtf_note_id == b.c.jtf_note_id, tl.c.language == NOTE_LANGUAGE))
            .join(ctx, ctx.c.jtf_note_id == b.c.jtf_note_id)
            .where(
                ctx.c.note_context_type == "IEX_INVOICES",
                ctx.c.note_context_type_id == payment_schedule_id,
            )
            .order_by(b.c.jtf_note_id)
            .limit(limit)
        )
        return self._read(
            lambda c: [
                NoteRecord(
                    jtf_note_id=int(r.jtf_note_id),
                    source_object_id=int(r.source_object_id),
                    text=r.notes,
                    detail=r.notes_detail,
                    entered_at=r.entered_date,
                    contexts=(("IEX_INVOICES", payment_schedule_id),),
                )
                for r in c.execute(query)
            ]
        )


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date) or value is None:
        return value
    return dt.date.fromisoformat(str(value))


def _kind_of(status: str, portal_status: str | None) -> WorkKind:
    if portal_status == DISPUTED:
        return WorkKind.DISPUTED
    if status == SubmissionStatus.SUBMITTED.value:
        return WorkKind.NOT_APPROVED
    return WorkKind(status)


def _listing_row(r: Any, today: dt.date, *, listing: bool = False) -> WorklistRow:
    due = _date(r.due_date)
    disputed = r.portal_status == DISPUTED
    kind: WorkKind | None = None
    if not listing or r.status in (
        SubmissionStatus.REJECTED.value,
        SubmissionStatus.FAILED.value,
        SubmissionStatus.UNCERTAIN.value,
    ):
        kind = _kind_of(r.status, r.portal_status)
    return WorklistRow(
        submission_id=int(r.submission_id),
        trx_number=r.trx_number,
        account_number=r.account_number,
        account_name=r.account_name,
        portal_code=r.portal_code,
        status=SubmissionStatus(r.status),
        portal_status=r.portal_status,
        kind=kind,
        reason_code="DISPUTED" if disputed else r.last_error_code,
        reason_text=r.portal_status_reason if disputed else r.last_error_text,
        amount_due_remaining=r.amount_due_remaining,
        currency=r.invoice_currency_code,
        due_date=due,
        days_late=None if due is None else (today - due).days,
        changed_at=r.last_update_date,
    )
