"""The monthly past-due report: accounts more than ``min_balance`` past due by more than
``min_days``, with their aging, the last collection note, and per invoice the portal's verdict."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from connectors.oracle.report_records import (
    AccountNote,
    AgingBucketSet,
    CustomerReceivables,
    PastDueItem,
)
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
from jobs.reports.verdict import PortalVerdict, portal_verdict

if TYPE_CHECKING:
    from connectors.oracle.store import Store

ZERO = Decimal("0")
REPORT = "past-due"
#: a note cell shows this much of the note (the full text stays in EBS)
NOTE_MAX_CHARS = 500

M, D, INT = ColumnKind.MONEY, ColumnKind.DATE, ColumnKind.INTEGER
#: the CSV header starts with exactly these eight columns (the issue's contract)
CUSTOMER_COLUMNS = (
    ReportColumn(key="account_number", heading="Account", width=10),
    ReportColumn(key="customer_name", heading="Customer", width=34),
    ReportColumn(key="collector", heading="Collector", width=16),
    ReportColumn(key="past_due_amount", heading="Past due", kind=M),
    ReportColumn(key="open_balance", heading="Open balance", kind=M),
    ReportColumn(key="in_dispute", heading="In dispute", kind=M),
    ReportColumn(key="oldest_days_late", heading="Oldest days late", kind=INT, width=9),
    ReportColumn(key="invoice_count", heading="Invoices", kind=INT, width=9),
    ReportColumn(key="credit_memos", heading="Credit memos", kind=M),
    ReportColumn(key="unapplied_cash", heading="Unapplied cash", kind=M),
    ReportColumn(key="currency", heading="Currency", width=8),
    ReportColumn(key="org_id", heading="Operating unit", kind=INT, width=9),
    ReportColumn(key="last_note_date", heading="Last note", kind=ColumnKind.DATETIME, width=18),
    ReportColumn(key="last_note", heading="Last note text", width=60),
)
ITEM_COLUMNS = (
    ReportColumn(key="account_number", heading="Account", width=10),
    ReportColumn(key="customer_name", heading="Customer", width=30),
    ReportColumn(key="collector", heading="Collector", width=16),
    ReportColumn(key="invoice_number", heading="Invoice", width=12),
    ReportColumn(key="class", heading="Class", width=6),
    ReportColumn(key="due_date", heading="Due date", kind=D, width=11),
    ReportColumn(key="days_late", heading="Days late", kind=INT, width=9),
    ReportColumn(key="amount", heading="Amount", kind=M),
    ReportColumn(key="in_dispute", heading="In dispute", kind=M),
    ReportColumn(key="currency", heading="Currency", width=8),
    ReportColumn(key="invoice_currency", heading="Invoice currency", width=8),
    ReportColumn(key="portal_verdict", heading="Portal verdict", width=60),
    ReportColumn(key="verdict_kind", heading="Verdict", width=14),
    ReportColumn(key="submission_id", heading="Submission", kind=INT, width=10),
)


@dataclass(frozen=True, kw_only=True, slots=True)
class PastDueAccount:
    """A listed account: its grouped figures and its latest note."""

    receivables: CustomerReceivables
    last_note: AccountNote | None

    def oldest_days_late(self, as_of: dt.date) -> int | None:
        due = self.receivables.oldest_due_date
        return None if due is None else (as_of - due).days


@dataclass(frozen=True, kw_only=True, slots=True)
class PastDueInvoice:
    """One item of a listed account, with the portal's verdict."""

    item: PastDueItem
    account: PastDueAccount
    days_late: int
    verdict: PortalVerdict


@dataclass(frozen=True, kw_only=True, slots=True)
class PastDueReport:
    """The report's data; ``invoices()`` streams the detail from the database each time."""

    params: ReportParams
    bucket_set: AgingBucketSet
    accounts: tuple[PastDueAccount, ...]
    generated_at: dt.datetime
    store: Store

    def invoices(self) -> Iterator[PastDueInvoice]:
        """The listed accounts' items more than ``min_days`` late, by account number."""
        by_key = {(a.receivables.org_id, a.receivables.cust_account_id): a for a in self.accounts}
        ordered = sorted(self.accounts, key=lambda a: a.receivables.account_number)
        items = self.store.past_due_items(
            as_of=self.params.as_of,
            min_days=self.params.min_days,
            accounts=[(a.receivables.org_id, a.receivables.cust_account_id) for a in ordered],
            org_ids=self.params.org_ids,
        )
        for item in items:
            yield PastDueInvoice(
                item=item,
                account=by_key[(item.org_id, item.cust_account_id)],
                days_late=(self.params.as_of - item.due_date).days,
                verdict=portal_verdict(item),
            )

    def totals(self) -> dict[str | None, dict[str, Decimal | int]]:
        """Per ledger currency: accounts, past due, open balance, in dispute, invoices."""
        totals: defaultdict[str | None, dict[str, Decimal | int]] = defaultdict(
            lambda: {"accounts": 0, "past_due": ZERO, "open": ZERO, "dispute": ZERO, "count": 0}
        )
        for account in self.accounts:
            r = account.receivables
            t = totals[r.currency]
            t["accounts"] += 1
            t["past_due"] += r.past_due
            t["open"] += r.open_balance
            t["dispute"] += r.in_dispute
            t["count"] += r.past_due_count
        return dict(totals)

    def document(self) -> ReportDocument:
        params = self.params
        figures: list[Figure] = []
        for currency, t in self.totals().items():
            figures += [
                Figure(label="Accounts listed", value=t["accounts"], kind=INT),
                Figure(label="Past due", value=t["past_due"], kind=M, currency=currency),
                Figure(label="Open balance", value=t["open"], kind=M, currency=currency),
                Figure(label="In dispute", value=t["dispute"], kind=M, currency=currency),
                Figure(label="Invoices past due", value=t["count"], kind=INT),
            ]
        if not self.accounts:
            figures.append(Figure(label="Accounts listed", value=0, kind=INT))
        return ReportDocument(
            report=REPORT,
            title=(
                f"Balances over {params.min_balance:,.0f} more than {params.min_days} days "
                f"past due, as of {params.as_of.isoformat()}"
            ),
            as_of=params.as_of,
            generated_at=self.generated_at,
            parameters=_parameters(params, self.bucket_set),
            figures=tuple(figures),
            charts=_aging_charts(self),
            tables=(
                ReportTable(
                    name="Past due accounts",
                    title="Accounts over the threshold",
                    role=TableRole.MAIN,
                    columns=CUSTOMER_COLUMNS,
                    rows=lambda: (self._account_row(a) for a in self.accounts),
                ),
                ReportTable(
                    name="Invoices",
                    title="Invoices past due, with the portal's verdict",
                    role=TableRole.DETAIL,
                    columns=ITEM_COLUMNS,
                    rows=lambda: (self._invoice_row(i) for i in self.invoices()),
                ),
            ),
            definitions=definitions.past_due(params.min_days, f"{params.min_balance:,.2f}"),
        )

    def _account_row(self, account: PastDueAccount) -> tuple[Any, ...]:
        r, note = account.receivables, account.last_note
        return (
            r.account_number,
            r.customer_name,
            r.collector,
            r.past_due,
            r.open_balance,
            r.in_dispute,
            account.oldest_days_late(self.params.as_of),
            r.past_due_count,
            r.credit_memos,
            r.unapplied_cash,
            r.currency,
            r.org_id,
            None if note is None else note.entered_at,
            None if note is None else _clip(note.text),
        )

    def _invoice_row(self, invoice: PastDueInvoice) -> tuple[Any, ...]:
        item, r = invoice.item, invoice.account.receivables
        return (
            r.account_number,
            r.customer_name,
            r.collector,
            item.trx_number,
            item.trx_class,
            item.due_date,
            invoice.days_late,
            item.amount,
            item.in_dispute,
            r.currency,
            item.invoice_currency,
            invoice.verdict.text,
            invoice.verdict.kind.value,
            item.submission_id,
        )


def build_past_due(store: Store, params: ReportParams, *, now: dt.datetime) -> PastDueReport:
    """Read and assemble the report (the invoice detail is read when rendered)."""
    bucket_set = find_bucket_set(store.aging_bucket_sets(), params.bucket_set)
    rows = store.customer_receivables(
        as_of=params.as_of,
        bucket_set=bucket_set,
        min_days=params.min_days,
        min_past_due=params.min_balance,
        org_ids=params.org_ids,
        collector=params.collector,
    )
    rows.sort(key=lambda r: (-r.past_due, r.account_number, r.org_id))
    notes = store.last_account_notes([r.cust_account_id for r in rows])
    return PastDueReport(
        params=params,
        bucket_set=bucket_set,
        accounts=tuple(
            PastDueAccount(receivables=r, last_note=notes.get(r.cust_account_id)) for r in rows
        ),
        generated_at=now,
        store=store,
    )


def _parameters(params: ReportParams, bucket_set: AgingBucketSet) -> tuple[tuple[str, str], ...]:
    return (
        ("As of", params.as_of.isoformat()),
        ("More than (days late)", str(params.min_days)),
        ("Past due greater than", f"{params.min_balance:,.2f}"),
        ("Aging buckets", bucket_set.name),
        ("Operating units", _orgs(params)),
        ("Collector", params.collector or "all"),
    )


def _orgs(params: ReportParams) -> str:
    return "all configured" if params.org_ids is None else ", ".join(map(str, params.org_ids))


def _aging_charts(report: PastDueReport) -> tuple[BarChart, ...]:
    """The listed accounts' open balance by bucket line, per currency."""
    sums: defaultdict[str | None, list[Decimal]] = defaultdict(
        lambda: [ZERO] * len(report.bucket_set.lines)
    )
    for account in report.accounts:
        r = account.receivables
        for index, amount in enumerate(r.buckets):
            sums[r.currency][index] += amount
    labels = tuple(line.short_label for line in report.bucket_set.lines)
    return tuple(
        BarChart(
            title=f"Aging of the listed accounts ({currency or 'ledger currency'})",
            labels=labels,
            values=tuple(values),
            kind=M,
            currency=currency,
        )
        for currency, values in sums.items()
    )


def _clip(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text if len(text) <= NOTE_MAX_CHARS else text[: NOTE_MAX_CHARS - 1] + "…"
