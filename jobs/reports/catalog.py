"""The reports by name: what ``arworker report NAME`` and a web page ask for."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from jobs.reports.aging import build_aging
from jobs.reports.document import ReportDocument
from jobs.reports.dso import build_dso
from jobs.reports.params import ReportParams, ReportRequestError
from jobs.reports.past_due import build_past_due

if TYPE_CHECKING:
    from connectors.oracle.store import Store

REPORTS = ("past-due", "aging", "dso")


def build_document(
    report: str, store: Store, params: ReportParams, *, now: dt.datetime
) -> ReportDocument:
    """Read and assemble report ``report`` (past-due, aging or dso) for any renderer."""
    if report == "past-due":
        return build_past_due(store, params, now=now).document()
    if report == "aging":
        return build_aging(store, params, now=now).document()
    if report == "dso":
        return build_dso(store, params, now=now).document()
    raise ReportRequestError(f"unknown report {report!r}; choose one of {', '.join(REPORTS)}")
