"""Aging by the lines of an EBS bucket set, per customer and per collector.

The database sums each account's items per line (one pass); the per-collector view adds up the
account rows of each collector (accounts, not items: a few hundred additions at most).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from connectors.oracle.report_records import AgingBucketSet, CustomerReceivables
from jobs.reports import definitions
from jobs.reports.document import (
    BarChart,
    ColumnKind,
    Figure,
    ReportColumn,
    ReportDocument,
    ReportTable,
    TableRole,
)
from jobs.reports.params import ReportParams, find_bucket_set

if TYPE_CHECKING:
    from connectors.oracle.store import Store

ZERO = Decimal("0")
REPORT = "aging"
M = ColumnKind.MONEY
UNASSIGNED = "(no collector)"


@dataclass(frozen=True, kw_only=True, slots=True)
class AgingLine:
    """One row of the aging: an account, or a collector's accounts together."""

    org_id: int
    currency: str | None
    account_number: str | None
    customer_name: str | None
    collector: str | None
    buckets: tuple[Decimal, ...]
    total: Decimal
    credit_memos: Decimal
    unapplied_cash: Decimal
    accounts: int = 1


@dataclass(frozen=True, kw_only=True, slots=True)
class AgingReport:
    params: ReportParams
    bucket_set: AgingBucketSet
    customers: tuple[AgingLine, ...]
    collectors: tuple[AgingLine, ...]
    generated_at: dt.datetime

    def totals(self) -> dict[str | None, list[Decimal]]:
        """Per currency: one total per bucket line, then the open total."""
        sums: defaultdict[str | None, list[Decimal]] = defaultdict(
            lambda: [ZERO] * (len(self.bucket_set.lines) + 1)
        )
        for line in self.customers:
            for index, amount in enumerate((*line.buckets, line.total)):
                sums[line.currency][index] += amount
        return dict(sums)

    def document(self) -> ReportDocument:
        heads = tuple(
            ReportColumn(key=bucket_key(n, line.short_label), heading=line.label, kind=M)
            for n, line in enumerate(self.bucket_set.lines, 1)
        )
        tail = (
            ReportColumn(key="total", heading="Total", kind=M),
            ReportColumn(key="credit_memos", heading="Credit memos", kind=M),
            ReportColumn(key="unapplied_cash", heading="Unapplied cash", kind=M),
            ReportColumn(key="currency", heading="Currency", width=8),
            ReportColumn(key="org_id", heading="Operating unit", kind=ColumnKind.INTEGER, width=9),
        )
        customer_columns = (
            ReportColumn(key="account_number", heading="Account", width=10),
            ReportColumn(key="customer_name", heading="Customer", width=34),
            ReportColumn(key="collector", heading="Collector", width=16),
            *heads,
            *tail,
        )
        collector_columns = (
            ReportColumn(key="collector", heading="Collector", width=18),
            ReportColumn(key="accounts", heading="Accounts", kind=ColumnKind.INTEGER, width=9),
            *heads,
            *tail,
        )
        figures: list[Figure] = []
        charts: list[BarChart] = []
        labels = tuple(line.short_label for line in self.bucket_set.lines)
        for currency, sums in self.totals().items():
            figures.append(Figure(label="Open balance", value=sums[-1], kind=M, currency=currency))
            charts.append(
                BarChart(
                    title=f"Open balance by bucket ({currency or 'ledger currency'})",
                    labels=labels,
                    values=tuple(sums[:-1]),
                    kind=M,
                    currency=currency,
                )
            )
        figures.append(Figure(label="Accounts", value=len(self.customers), kind=ColumnKind.INTEGER))
        return ReportDocument(
            report=REPORT,
            title=f"Aging ({self.bucket_set.name}) as of {self.params.as_of.isoformat()}",
            as_of=self.params.as_of,
            generated_at=self.generated_at,
            parameters=(
                ("As of", self.params.as_of.isoformat()),
                ("Aging buckets", self.bucket_set.name),
                ("Collector", self.params.collector or "all"),
            ),
            figures=tuple(figures),
            charts=tuple(charts),
            tables=(
                ReportTable(
                    name="Aging by customer",
                    title="Aging by customer",
                    role=TableRole.MAIN,
                    columns=customer_columns,
                    rows=lambda: (_customer_row(line) for line in self.customers),
                ),
                ReportTable(
                    name="Aging by collector",
                    title="Aging by collector",
                    role=TableRole.EXTRA,
                    columns=collector_columns,
                    rows=lambda: (_collector_row(line) for line in self.collectors),
                ),
            ),
            definitions=definitions.aging(self.bucket_set.name, self.bucket_set.has_dispute_line),
        )


def bucket_key(position: int, heading: str) -> str:
    """A machine name for a bucket column: ``b1_current``, ``b2_1_30``, ``b7_181``."""
    slug = "_".join("".join(ch if ch.isalnum() else " " for ch in heading.lower()).split())
    return f"b{position}_{slug}" if slug else f"b{position}"


def build_aging(store: Store, params: ReportParams, *, now: dt.datetime) -> AgingReport:
    bucket_set = find_bucket_set(store.aging_bucket_sets(), params.bucket_set)
    rows = store.customer_receivables(
        as_of=params.as_of,
        bucket_set=bucket_set,
        min_days=params.min_days,
        org_ids=params.org_ids,
        collector=params.collector,
        past_due_figures=False,
    )
    rows.sort(key=lambda r: (r.account_number, r.org_id))
    customers = tuple(_customer_line(r) for r in rows)
    return AgingReport(
        params=params,
        bucket_set=bucket_set,
        customers=customers,
        collectors=per_collector(customers),
        generated_at=now,
    )


def per_collector(customers: Sequence[AgingLine]) -> tuple[AgingLine, ...]:
    """Each collector's accounts added up, per operating unit and currency, by name."""
    groups: dict[tuple[int, str | None, str], list[AgingLine]] = defaultdict(list)
    for line in customers:
        groups[(line.org_id, line.currency, line.collector or UNASSIGNED)].append(line)
    lines = []
    for (org_id, currency, collector), members in sorted(groups.items(), key=lambda g: g[0][2]):
        lines.append(
            AgingLine(
                org_id=org_id,
                currency=currency,
                account_number=None,
                customer_name=None,
                collector=collector,
                buckets=tuple(
                    sum((m.buckets[i] for m in members), ZERO)
                    for i in range(len(members[0].buckets))
                ),
                total=sum((m.total for m in members), ZERO),
                credit_memos=sum((m.credit_memos for m in members), ZERO),
                unapplied_cash=sum((m.unapplied_cash for m in members), ZERO),
                accounts=len(members),
            )
        )
    return tuple(lines)


def _customer_line(r: CustomerReceivables) -> AgingLine:
    return AgingLine(
        org_id=r.org_id,
        currency=r.currency,
        account_number=r.account_number,
        customer_name=r.customer_name,
        collector=r.collector,
        buckets=r.buckets,
        total=r.open_balance,
        credit_memos=r.credit_memos,
        unapplied_cash=r.unapplied_cash,
    )


def _customer_row(line: AgingLine) -> tuple[Any, ...]:
    return (
        line.account_number,
        line.customer_name,
        line.collector,
        *line.buckets,
        line.total,
        line.credit_memos,
        line.unapplied_cash,
        line.currency,
        line.org_id,
    )


def _collector_row(line: AgingLine) -> tuple[Any, ...]:
    return (
        line.collector,
        line.accounts,
        *line.buckets,
        line.total,
        line.credit_memos,
        line.unapplied_cash,
        line.currency,
        line.org_id,
    )
