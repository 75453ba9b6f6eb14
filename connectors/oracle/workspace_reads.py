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
        """Submissions counted by portal code and status.

        Counted per portal account on XX_ARW_SUBMISSIONS alone (index N5 covers it), then
        folded into portal codes here: a join before the GROUP BY read every row twice.
        """
        sub = self._t["xx_arw_submissions"]
        pa = self._t["xx_arw_portal_accounts"]
        counts = sa.select(
            sub.c.portal_account_id, sub.c.status, sa.func.count().label("n")
        ).group_by(sub.c.portal_account_id, sub.c.status)

        def work(conn: sa.Connection) -> list[QueueCell]:
            codes = dict(conn.execute(sa.select(pa.c.portal_account_id, pa.c.portal_code)).all())
            cells: dict[tuple[str, str], int] = {}
            for account_id, status, n in conn.execute(counts):
                key = (str(codes.get(account_id, "?")), str(status))
                cells[key] = cells.get(key, 0) + int(n)
            return [
                QueueCell(portal_code=code, status=status, count=n)
                for (code, status), n in sorted(cells.items())
            ]

        return self._read(work)

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
        """One page of the "action needed" list (or of ``wanted.statuses``), newest invoice
        first, with the total count.

        The page is chosen on XX_ARW_SUBMISSIONS alone (the filters on other tables are ``IN``
        sub-queries) in primary-key order, which the database reads backwards and stops after a
        page; only that page's rows are joined to the account, portal account and payment
        schedule. The count reads index N4 alone. Joining the whole list, then sorting it by its
        last change, cost seconds on a queue of 100,000 (``benchmarks/workspace_render.py``).
        """
        sub = self._t["xx_arw_submissions"]
        conditions = self._worklist_conditions(wanted)
        page = (
            sa.select(sub.c.submission_id)
            .where(*conditions)
            .order_by(sub.c.submission_id.desc())
            .limit(limit)
            .offset(offset)
            .subquery("page")
        )
        rows_query = self._listing(
            sa.select(sub.c.submission_id).select_from(
                page.join(sub, sub.c.submission_id == page.c.submission_id)
            )
        ).order_by(sub.c.submission_id.desc())
        count_query = sa.select(sa.func.count()).select_from(sub).where(*conditions)
        today = self.clock().date()
        listing = wanted.statuses is not None

        def work(conn: sa.Connection) -> WorklistPage:
            total = int(conn.execute(count_query).scalar_one())
            rows = tuple(_listing_row(r, today, listing=listing) for r in conn.execute(rows_query))
            return WorklistPage(rows=rows, total=total)

        return self._read(work)

    def worklist_ids(
        self, wanted: WorklistFilter, *, statuses: tuple[SubmissionStatus, ...], limit: int
    ) -> list[int]:
        """Ids of the listed items in ``statuses`` (what a bulk retry of the list would take)."""
        sub = self._t["xx_arw_submissions"]
        query = (
            sa.select(sub.c.submission_id)
            .where(
                *self._worklist_conditions(wanted),
                sub.c.status.in_([s.value for s in statuses]),
            )
            .order_by(sub.c.submission_id)
            .limit(limit)
        )
        return self._read(lambda c: [int(i) for (i,) in c.execute(query)])

    def _worklist_conditions(self, wanted: WorklistFilter) -> list[sa.ColumnElement[bool]]:
        """The filter as conditions on XX_ARW_SUBMISSIONS (other tables through sub-queries)."""
        sub = self._t["xx_arw_submissions"]
        pa = self._t["xx_arw_portal_accounts"]
        acct = self._t["hz_cust_accounts"]
        ps = self._t["ar_payment_schedules_all"]
        now = self.clock()
        conditions: list[sa.ColumnElement[bool]] = [sub.c.org_id.in_(self.org_ids)]
        if wanted.statuses is not None:
            conditions.append(sub.c.status.in_([s.value for s in wanted.statuses]))
        else:
            cutoff = now - dt.timedelta(days=wanted.not_approved_after_days)
            conditions.append(self._kinds_condition(wanted.kinds, cutoff))
        if wanted.account_number is not None:
            conditions.append(
                sub.c.cust_account_id.in_(
                    sa.select(acct.c.cust_account_id).where(
                        acct.c.account_number == wanted.account_number
                    )
                )
            )
        if wanted.portal_code is not None:
            conditions.append(
                sub.c.portal_account_id.in_(
                    sa.select(pa.c.portal_account_id).where(pa.c.portal_code == wanted.portal_code)
                )
            )
        if wanted.reason_code is not None:
            conditions.append(sub.c.last_error_code == wanted.reason_code)
        if wanted.min_days_late is not None:
            due_before = now.date() - dt.timedelta(days=wanted.min_days_late)
            # EXISTS, one primary-key look-up per listed item: an IN list of every late
            # schedule of the book would be built first
            conditions.append(
                sa.exists().where(
                    ps.c.payment_schedule_id == sub.c.payment_schedule_id,
                    ps.c.due_date <= due_before,
                )
            )
        if wanted.collector_id is not None:
            conditions.append(sub.c.cust_account_id.in_(self._accounts_of(wanted.collector_id)))
        return conditions

    def _accounts_of(self, collector_id: int) -> sa.Select[Any]:
        """Customer accounts whose account-level profile names the collector (as EBS assigns)."""
        profiles = self._t["hz_customer_profiles"]
        return sa.select(profiles.c.cust_account_id).where(
            profiles.c.collector_id == collector_id,
            profiles.c.site_use_id.is_(None),
            profiles.c.status == "A",
        )

    def _kinds_condition(
        self, kinds: tuple[WorkKind, ...], cutoff: dt.datetime
    ) -> sa.ColumnElement[bool]:
        """The kinds as an OR of ranges of index XX_ARW_SUBMISSIONS_N4 (status, portal status,
        submitted): SQLite and PostgreSQL then read only the matching index entries (an OR of
        anything less simple made both scan the whole queue)."""
        sub = self._t["xx_arw_submissions"]
        wanted = set(kinds)
        rejected = SubmissionStatus.REJECTED.value
        statuses = [k.value for k in (WorkKind.FAILED, WorkKind.UNCERTAIN) if k in wanted]
        terms: list[sa.ColumnElement[bool]] = []
        if {WorkKind.REJECTED, WorkKind.DISPUTED} <= wanted:
            statuses.append(rejected)
        elif WorkKind.REJECTED in wanted:
            terms.append(
                sa.and_(
                    sub.c.status == rejected,
                    sa.or_(sub.c.portal_status.is_(None), sub.c.portal_status != DISPUTED),
                )
            )
        elif WorkKind.DISPUTED in wanted:  # the status poll sends a disputed invoice back
            terms.append(sa.and_(sub.c.status == rejected, sub.c.portal_status == DISPUTED))
        if statuses:
            terms.append(sub.c.status.in_(statuses))
        if WorkKind.NOT_APPROVED in wanted:
            submitted = SubmissionStatus.SUBMITTED.value
            for waiting in (
                sub.c.portal_status.is_(None),
                sub.c.portal_status.in_(AWAITING_APPROVAL),
            ):
                terms.append(
                    sa.and_(sub.c.status == submitted, waiting, sub.c.submitted_at < cutoff)
                )
        return sa.or_(*terms) if terms else sa.false()

    def _listing(self, query: sa.Select[Any]) -> sa.Select[Any]:
        """The listing's columns, joined from the submissions ``query`` selects."""
        sub = self._t["xx_arw_submissions"]
        pa = self._t["xx_arw_portal_accounts"]
        acct = self._t["hz_cust_accounts"]
        ps = self._t["ar_payment_schedules_all"]
        return (
            query.with_only_columns(
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
            .join(pa, pa.c.portal_account_id == sub.c.portal_account_id)
            .join(acct, acct.c.cust_account_id == sub.c.cust_account_id)
            .outerjoin(ps, ps.c.payment_schedule_id == sub.c.payment_schedule_id)
        )

    def active_collectors(self) -> list[dict[str, Any]]:
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
        """An account's submissions, newest first (every status, not only problems)."""
        sub = self._t["xx_arw_submissions"]
        query = (
            self._listing(sa.select(sub.c.submission_id).select_from(sub))
            .where(sub.c.cust_account_id == cust_account_id)
            .order_by(sub.c.submission_id.desc())
            .limit(limit)
        )
        today = self.clock().date()
        return self._read(
            lambda c: [_listing_row(r, today, listing=True) for r in c.execute(query)]
        )

    # ---- one account, one invoice ----------------------------------------------------------

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
