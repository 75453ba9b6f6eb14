"""What the reports read: bucket sets, collectors, per-customer receivables, past-due items, the
last note per account, and the receivables and sales DSO is computed from.

Reads only; each verb one read unit (past-due items stream, like the open-AR read). Lists of
account ids are sent in chunks: Oracle takes at most 1000 expressions in an IN list (ORA-01795).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from connectors.oracle.engine import READ_ONLY_OPTION
from connectors.oracle.errors import wrap_db_errors
from connectors.oracle.receivables import (
    customer_receivables,
    customer_receivables_query,
    money_value,
)
from connectors.oracle.report_reads import (
    account_note,
    credit_sales_query,
    last_notes_query,
    past_due_item,
    past_due_items_query,
    receivables_at_query,
)
from connectors.oracle.report_records import (
    AccountNote,
    AgingBucketLine,
    AgingBucketSet,
    BucketLineType,
    Collector,
    CustomerReceivables,
    PastDueItem,
    PeriodFigure,
)
from connectors.oracle.unit_of_work import UnitOfWork

#: account ids per IN list (Oracle's limit is 1000 expressions)
IN_LIST_CHUNK = 500
STREAM_BATCH_ROWS = 500


class ReportVerbs(UnitOfWork):
    """Report reads over the EBS tables (and the submission rows, for portal verdicts)."""

    def aging_bucket_sets(self) -> list[AgingBucketSet]:
        """Every active bucket set with its lines, by name."""
        buckets = self._t["ar_aging_buckets"]
        lines = self._t["ar_aging_bucket_lines"]
        query = (
            sa.select(buckets.c.aging_bucket_id, buckets.c.bucket_name, lines)
            .join(lines, lines.c.aging_bucket_id == buckets.c.aging_bucket_id)
            .where(buckets.c.status == "A")
            .order_by(buckets.c.bucket_name, lines.c.bucket_sequence_num)
        )
        rows = self._read(lambda c: c.execute(query).all())
        sets: dict[int, tuple[str, list[AgingBucketLine]]] = {}
        for row in rows:
            name_lines = sets.setdefault(int(row.aging_bucket_id), (row.bucket_name, []))
            name_lines[1].append(
                AgingBucketLine(
                    sequence=int(row.bucket_sequence_num),
                    days_start=None if row.days_start is None else int(row.days_start),
                    days_to=None if row.days_to is None else int(row.days_to),
                    line_type=BucketLineType(row.type),
                    heading1=row.report_heading1,
                    heading2=row.report_heading2,
                )
            )
        return [
            AgingBucketSet(aging_bucket_id=bucket_id, name=name, lines=tuple(set_lines))
            for bucket_id, (name, set_lines) in sets.items()
        ]

    def collectors(self) -> list[Collector]:
        """AR_COLLECTORS, active and not, by name."""
        coll = self._t["ar_collectors"]
        rows = self._read(lambda c: c.execute(sa.select(coll).order_by(coll.c.name)).all())
        return [
            Collector(
                collector_id=int(r.collector_id),
                name=r.name,
                email_address=r.email_address,
                active=r.status == "A",
            )
            for r in rows
        ]

    def ledger_currencies(self) -> dict[int, str]:
        """Each configured operating unit's ledger currency (AR_SYSTEM_PARAMETERS_ALL →
        GL_LEDGERS); units without one are left out."""
        params = self._t["ar_system_parameters_all"]
        ledger = self._t["gl_ledgers"]
        query = (
            sa.select(params.c.org_id, ledger.c.currency_code)
            .join(ledger, ledger.c.ledger_id == params.c.set_of_books_id)
            .where(params.c.org_id.in_(list(self.org_ids)))
        )
        return self._read(lambda c: {int(r.org_id): r.currency_code for r in c.execute(query)})

    def customer_receivables(
        self,
        *,
        as_of: dt.date,
        bucket_set: AgingBucketSet,
        min_days: int,
        min_past_due: Decimal | None = None,
        org_ids: Sequence[int] | None = None,
        collector: str | None = None,
        past_due_figures: bool = True,
    ) -> list[CustomerReceivables]:
        """Open receivables per operating unit and customer account as of ``as_of``; with
        ``min_past_due``, only accounts more than that past due (the past-due report);
        ``past_due_figures=False`` skips the sums only the past-due report needs."""
        query = customer_receivables_query(
            self.md,
            as_of=as_of,
            org_ids=self.report_org_ids(org_ids),
            bucket_set=bucket_set,
            min_days=min_days,
            min_past_due=min_past_due,
            collector=collector,
            past_due_figures=past_due_figures,
        )
        count = len(bucket_set.lines)
        return self._read(lambda c: [customer_receivables(row, count) for row in c.execute(query)])

    def past_due_items(
        self,
        *,
        as_of: dt.date,
        min_days: int,
        accounts: Sequence[tuple[int, int]],
        org_ids: Sequence[int] | None = None,
    ) -> Iterator[PastDueItem]:
        """Stream the items more than ``min_days`` late of ``accounts`` ((org id, account id)
        pairs), in account-number order within each chunk of accounts the caller passes."""
        wanted = set(accounts)
        orgs = self.report_org_ids(org_ids)
        ids = list(dict.fromkeys(account_id for _, account_id in accounts))
        for start in range(0, len(ids), IN_LIST_CHUNK):
            query = past_due_items_query(
                self.md,
                as_of=as_of,
                org_ids=orgs,
                min_days=min_days,
                cust_account_ids=ids[start : start + IN_LIST_CHUNK],
            )
            for item in self._stream(query):
                value = past_due_item(item)
                if (value.org_id, value.cust_account_id) in wanted:
                    yield value

    def last_account_notes(self, cust_account_ids: Sequence[int]) -> dict[int, AccountNote]:
        """The newest collection note of each account that has one."""
        ids = list(dict.fromkeys(cust_account_ids))
        notes: dict[int, AccountNote] = {}
        for start in range(0, len(ids), IN_LIST_CHUNK):
            for note in self._notes_of(ids[start : start + IN_LIST_CHUNK]):
                notes[note.cust_account_id] = note
        return notes

    def _notes_of(self, cust_account_ids: Sequence[int]) -> list[AccountNote]:
        query = last_notes_query(self.md, cust_account_ids)
        return self._read(lambda c: [account_note(row) for row in c.execute(query)])

    def receivables_at(
        self,
        points: Sequence[dt.date],
        *,
        org_ids: Sequence[int] | None = None,
        collector: str | None = None,
    ) -> list[PeriodFigure]:
        """Open INV/DM/CB balance at the end of each date, per operating unit and collector."""
        query = receivables_at_query(
            self.md, points=points, org_ids=self.report_org_ids(org_ids), collector=collector
        )
        return self._figures(query, len(points))

    def credit_sales(
        self,
        periods: Sequence[tuple[dt.date, dt.date]],
        *,
        org_ids: Sequence[int] | None = None,
        collector: str | None = None,
    ) -> list[PeriodFigure]:
        """Credit sales of each (first day, last day) period, per operating unit and collector."""
        query = credit_sales_query(
            self.md, periods=periods, org_ids=self.report_org_ids(org_ids), collector=collector
        )
        return self._figures(query, len(periods))

    def report_org_ids(self, org_ids: Sequence[int] | None) -> list[int]:
        """The operating units a report reads: the configured ones, or a subset of them."""
        if org_ids is None:
            return list(self.org_ids)
        unknown = sorted(set(org_ids) - set(self.org_ids))
        if unknown:
            raise ValueError(
                f"operating unit(s) {unknown} are not configured; database.org_ids is "
                f"{list(self.org_ids)}"
            )
        return list(org_ids)

    def _figures(self, query: sa.Select[Any], count: int) -> list[PeriodFigure]:
        rows = self._read(lambda c: c.execute(query).all())
        return [
            PeriodFigure(
                org_id=int(row.org_id),
                collector_id=None if row.collector_id is None else int(row.collector_id),
                collector=row.collector_name,
                key=k,
                amount=money_value(row._mapping[f"amount_{k}"]),
            )
            for row in rows
            for k in range(count)
        ]

    def _stream(self, query: sa.Select[Any]) -> Iterator[Any]:
        with (
            wrap_db_errors(),
            self.engine.connect().execution_options(
                yield_per=STREAM_BATCH_ROWS, **{READ_ONLY_OPTION: True}
            ) as conn,
        ):
            try:
                for rows in conn.execute(query).partitions():
                    yield from rows
            finally:
                conn.rollback()
