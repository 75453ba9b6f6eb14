"""Days sales outstanding, by both methods, per operating unit and collector, with a 12-month trend.

The database sums receivables at each date and credit sales per month (one pass each,
``report_reads.py``); the two formulas are pure functions here:

- standard: receivables ÷ credit sales of the period × days in the period;
- count-back ("exhaustion"): subtract monthly credit sales from the receivables, newest month
  first; whole months count their days, the month that exhausts them its fraction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from connectors.oracle.report_records import PeriodFigure
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
from jobs.reports.params import (
    COUNT_BACK_MAX_MONTHS,
    TREND_MONTH_ENDS,
    ReportParams,
    month_end,
    month_ends_through,
    months_back,
)

if TYPE_CHECKING:
    from connectors.oracle.store import Store

ZERO = Decimal("0")
TENTH = Decimal("0.1")
REPORT = "dso"
ALL_COLLECTORS = "All collectors"
NO_COLLECTOR = "(no collector)"
M, DAYS, INT = ColumnKind.MONEY, ColumnKind.DAYS, ColumnKind.INTEGER


def standard_dso(receivables: Decimal, sales: Decimal, days: int) -> Decimal | None:
    """Receivables ÷ sales × days, to a tenth of a day; ``None`` without sales."""
    if sales <= 0:
        return None
    return (receivables / sales * days).quantize(TENTH, ROUND_HALF_UP)


def count_back_dso(receivables: Decimal, months: Sequence[tuple[Decimal, int]]) -> Decimal | None:
    """Exhaust ``receivables`` against ``months`` ((sales, days), newest first).

    A month without sales counts all its days (the receivables are older than it). ``None`` when
    the months given do not exhaust the receivables.
    """
    left = receivables
    if left <= 0:
        return ZERO
    days_counted = Decimal(0)
    for sales, days in months:
        if sales > 0 and left <= sales:
            return (days_counted + left / sales * days).quantize(TENTH, ROUND_HALF_UP)
        left -= max(sales, ZERO)
        days_counted += days
    return None


@dataclass(frozen=True, kw_only=True, slots=True)
class DsoPoint:
    day: dt.date
    receivables: Decimal
    period_sales: Decimal  #: credit sales of the standard method's period ending on ``day``
    period_days: int
    standard: Decimal | None
    count_back: Decimal | None


@dataclass(frozen=True, kw_only=True, slots=True)
class DsoSeries:
    """One operating unit (``collector`` None: all its collectors) or one of its collectors."""

    org_id: int
    currency: str | None
    collector: str | None
    points: tuple[DsoPoint, ...]  #: oldest first; the last one is the as-of date

    @property
    def headline(self) -> DsoPoint:
        return self.points[-1]

    @property
    def label(self) -> str:
        return self.collector or ALL_COLLECTORS


@dataclass(frozen=True, kw_only=True, slots=True)
class DsoReport:
    params: ReportParams
    series: tuple[DsoSeries, ...]
    generated_at: dt.datetime

    def document(self) -> ReportDocument:
        params = self.params
        headline_columns = (
            ReportColumn(key="org_id", heading="Operating unit", kind=INT, width=9),
            ReportColumn(key="collector", heading="Collector", width=18),
            ReportColumn(key="currency", heading="Currency", width=8),
            ReportColumn(key="as_of", heading="As of", kind=ColumnKind.DATE, width=11),
            ReportColumn(key="receivables", heading="Receivables", kind=M),
            ReportColumn(key="period_sales", heading="Credit sales of the period", kind=M),
            ReportColumn(key="period_days", heading="Days in the period", kind=INT, width=9),
            ReportColumn(key="standard_dso", heading="Standard DSO", kind=DAYS, width=10),
            ReportColumn(key="count_back_dso", heading="Count-back DSO", kind=DAYS, width=10),
        )
        figures = [
            Figure(
                label=f"Standard DSO, unit {s.org_id}",
                value=s.headline.standard,
                kind=DAYS,
            )
            for s in self.series
            if s.collector is None or params.collector is not None
        ] + [
            Figure(
                label=f"Count-back DSO, unit {s.org_id}",
                value=s.headline.count_back,
                kind=DAYS,
            )
            for s in self.series
            if s.collector is None or params.collector is not None
        ]
        charts = tuple(
            BarChart(
                title=f"Standard DSO at month-end, unit {s.org_id} ({s.label})",
                labels=tuple(p.day.strftime("%b %y") for p in s.points if _month_end(p.day)),
                values=tuple(p.standard or ZERO for p in s.points if _month_end(p.day)),
                kind=DAYS,
            )
            for s in self.series
            if s.collector is None or params.collector is not None
        )
        return ReportDocument(
            report=REPORT,
            title=f"Days sales outstanding as of {params.as_of.isoformat()}",
            as_of=params.as_of,
            generated_at=self.generated_at,
            parameters=(
                ("As of", params.as_of.isoformat()),
                ("Standard method's period", f"{params.dso_period_months} months"),
                ("Trend", f"the last {TREND_MONTH_ENDS} month-ends"),
                ("Collector", params.collector or "all"),
            ),
            figures=tuple(figures),
            charts=charts,
            tables=(
                ReportTable(
                    name="DSO",
                    title="DSO per operating unit and collector",
                    role=TableRole.MAIN,
                    columns=headline_columns,
                    rows=lambda: (_row(s, s.headline) for s in self.series),
                ),
                ReportTable(
                    name="DSO trend",
                    title=f"DSO at the last {TREND_MONTH_ENDS} month-ends",
                    role=TableRole.DETAIL,
                    columns=headline_columns,
                    rows=lambda: (_row(s, p) for s in self.series for p in s.points),
                ),
            ),
            definitions=definitions.dso(params.dso_period_months),
        )


def build_dso(store: Store, params: ReportParams, *, now: dt.datetime) -> DsoReport:
    points = month_ends_through(params.as_of, TREND_MONTH_ENDS)
    if points[-1] != params.as_of:
        points.append(params.as_of)
    depth = max(params.dso_period_months, COUNT_BACK_MAX_MONTHS)
    months = {point: months_back(point, depth) for point in points}
    ranges = sorted({period for periods in months.values() for period in periods})
    position = {period: k for k, period in enumerate(ranges)}
    receivables = store.receivables_at(points, org_ids=params.org_ids, collector=params.collector)
    sales = store.credit_sales(ranges, org_ids=params.org_ids, collector=params.collector)
    currencies = store.ledger_currencies()

    groups = _by_series(receivables, sales, include_totals=params.collector is None)
    series = []
    for (org_id, collector), (rec, sold) in sorted(groups.items(), key=_series_order):
        computed = []
        for k, point in enumerate(points):
            periods = months[point]
            standard_periods = periods[: params.dso_period_months]
            period_sales = sum((sold[position[p]] for p in standard_periods), ZERO)
            period_days = sum((end - start).days + 1 for start, end in standard_periods)
            computed.append(
                DsoPoint(
                    day=point,
                    receivables=rec[k],
                    period_sales=period_sales,
                    period_days=period_days,
                    standard=standard_dso(rec[k], period_sales, period_days),
                    count_back=count_back_dso(
                        rec[k],
                        [(sold[position[p]], (p[1] - p[0]).days + 1) for p in periods],
                    ),
                )
            )
        series.append(
            DsoSeries(
                org_id=org_id,
                currency=currencies.get(org_id),
                collector=collector,
                points=tuple(computed),
            )
        )
    return DsoReport(params=params, series=tuple(series), generated_at=now)


_Sums = defaultdict[int, Decimal]


def _by_series(
    receivables: Sequence[PeriodFigure], sales: Sequence[PeriodFigure], *, include_totals: bool
) -> dict[tuple[int, str | None], tuple[_Sums, _Sums]]:
    """(org, collector) → (receivables per point, sales per range); collector None adds up the
    whole operating unit (accounts without a collector included)."""
    groups: dict[tuple[int, str | None], tuple[_Sums, _Sums]] = {}

    def add(figure: PeriodFigure, which: int) -> None:
        keys: list[tuple[int, str | None]] = [(figure.org_id, figure.collector or NO_COLLECTOR)]
        if include_totals:
            keys.append((figure.org_id, None))
        for key in keys:
            pair = groups.setdefault(key, (defaultdict(Decimal), defaultdict(Decimal)))
            pair[which][figure.key] += figure.amount

    for figure in receivables:
        add(figure, 0)
    for figure in sales:
        add(figure, 1)
    return groups


def _series_order(item: tuple[tuple[int, str | None], Any]) -> tuple[int, int, str]:
    (org_id, collector), _ = item
    return (org_id, 0 if collector is None else 1, collector or "")


def _month_end(day: dt.date) -> bool:
    return day == month_end(day)


def _row(series: DsoSeries, point: DsoPoint) -> tuple[Any, ...]:
    return (
        series.org_id,
        series.label,
        series.currency,
        point.day,
        point.receivables,
        point.period_sales,
        point.period_days,
        point.standard,
        point.count_back,
    )
