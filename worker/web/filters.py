"""The worklist's filters, from a query string (or a confirmation form) and back.

Untrusted input: every value is checked against what it may be (a known kind, digits for numbers)
and an unknown value means "any", never an error page and never SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from connectors.oracle.workspace_records import WorkKind, WorklistFilter

FILTER_FIELDS = ("kind", "collector", "account", "portal", "code", "min_days_late")
MAX_TEXT_CHARS = 60
MY_WORKLIST = "me"


@dataclass(frozen=True, kw_only=True, slots=True)
class WorklistQuery:
    """The filter as the person set it (for the form and links) and as the store wants it."""

    values: dict[str, str]
    wanted: WorklistFilter

    def query_string(self, **extra: str | int) -> str:
        pairs = {k: v for k, v in self.values.items() if v} | {k: str(v) for k, v in extra.items()}
        return urlencode(pairs)


def _text(params: Mapping[str, str], name: str) -> str:
    return (params.get(name) or "").strip()[:MAX_TEXT_CHARS]


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 9 else None


def worklist_query(
    params: Mapping[str, str], *, my_collector_id: int | None, not_approved_after_days: int
) -> WorklistQuery:
    """Parse the filter fields; ``collector=me`` follows the signed-in user's collector."""
    values = {name: _text(params, name) for name in FILTER_FIELDS}
    kinds = tuple(WorkKind)
    if values["kind"] in WorkKind.__members__:
        kinds = (WorkKind(values["kind"]),)
    else:
        values["kind"] = ""
    collector_id = None
    if values["collector"] == MY_WORKLIST:
        collector_id = my_collector_id if my_collector_id is not None else -1
    else:
        collector_id = _number(values["collector"])
        if collector_id is None:
            values["collector"] = ""
    min_days = _number(values["min_days_late"])
    if min_days is None:
        values["min_days_late"] = ""
    wanted = WorklistFilter(
        kinds=kinds,
        collector_id=collector_id,
        account_number=values["account"] or None,
        portal_code=values["portal"].lower() or None,
        reason_code=values["code"].upper() or None,
        min_days_late=min_days,
        not_approved_after_days=not_approved_after_days,
    )
    return WorklistQuery(values=values, wanted=wanted)
