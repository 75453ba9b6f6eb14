"""The Ariba-style invoice wizard's working state: drafts, their steps, their anti-forgery token.

The wizard (header → lines → attachments → review → submit) keeps what the supplier typed on
the server between steps, as the real network does, so a driver must walk the steps in order
and cannot post the whole invoice at once. Every step page carries a fresh token and a post must
return the token of the page it came from: a stale or missing token is refused, which is what a
driver replaying an old form (or two tabs on one draft) meets on the real site.

The field names of the header step change with the ``layout`` fault ("v2" = a new release),
so a driver written for "v1" must notice and stop rather than type into the wrong field.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from sandbox.ariba_records import Attachment, HeaderEntry, LineEntry

CSRF_FIELD = "_csrf"
ACTION_FIELD = "_action"
STEPS = ("header", "lines", "attachments", "review")
DONE_STEP = "done"
DRAFT_ID_BYTES = 9
CSRF_TOKEN_BYTES = 18
MAX_DRAFTS = 2_000  #: the oldest drafts are forgotten beyond this many (abandoned wizards)
_LINE_FIELD = re.compile(r"^line\.(\d+)\.(include|description|quantity|unitPrice)$")


@dataclass(frozen=True, kw_only=True, slots=True)
class WizardField:
    id: str
    name: str
    label: str


@dataclass(frozen=True, kw_only=True, slots=True)
class HeaderLayout:
    """The header step's fields in one release of the portal."""

    number: WizardField
    invoice_date: WizardField
    tax_amount: WizardField


LAYOUT_V1 = HeaderLayout(
    number=WizardField(id="aw-inv-no", name="invoiceNumber", label="Invoice #"),
    invoice_date=WizardField(id="aw-inv-date", name="invoiceDate", label="Invoice Date"),
    tax_amount=WizardField(id="aw-tax-amount", name="taxAmount", label="Tax Amount"),
)
LAYOUT_V2 = HeaderLayout(
    number=WizardField(
        id="aw-supplier-doc-no", name="supplierDocumentNumber", label="Supplier Invoice No."
    ),
    invoice_date=WizardField(id="aw-doc-date", name="documentDate", label="Document Date"),
    tax_amount=WizardField(id="aw-header-tax", name="headerTaxTotal", label="Header Tax"),
)
LAYOUTS: Mapping[str, HeaderLayout] = {"v1": LAYOUT_V1, "v2": LAYOUT_V2}


@dataclass(kw_only=True, slots=True)
class Draft:
    """One wizard in progress. Mutable: it is the server's working state, not a value."""

    draft_id: str
    login_name: str
    buyer_code: str
    order_id: int
    csrf_token: str
    header: HeaderEntry = field(default_factory=HeaderEntry)
    lines: list[LineEntry] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    completed: set[str] = field(default_factory=set)  #: steps passed with "Next"
    document_id: str | None = None  #: set once submitted; the draft is then closed

    def first_open_step(self, wanted: str) -> str:
        """``wanted``, or the first earlier step not completed yet (steps go in order)."""
        if self.document_id is not None:
            return DONE_STEP
        for step in STEPS[: STEPS.index(wanted)]:
            if step not in self.completed:
                return step
        return wanted

    def next_token(self) -> str:
        """A fresh token for the page about to be rendered; earlier pages' tokens go stale."""
        self.csrf_token = secrets.token_urlsafe(CSRF_TOKEN_BYTES)
        return self.csrf_token

    def token_matches(self, posted: object) -> bool:
        return isinstance(posted, str) and secrets.compare_digest(posted, self.csrf_token)


class DraftStore:
    """The drafts of one portal family, keyed by their id."""

    def __init__(self) -> None:
        self._drafts: dict[str, Draft] = {}

    def create(
        self, *, login_name: str, buyer_code: str, order_id: int, lines: tuple[LineEntry, ...]
    ) -> Draft:
        if len(self._drafts) >= MAX_DRAFTS:
            del self._drafts[next(iter(self._drafts))]
        draft = Draft(
            draft_id=secrets.token_hex(DRAFT_ID_BYTES),
            login_name=login_name,
            buyer_code=buyer_code,
            order_id=order_id,
            csrf_token=secrets.token_urlsafe(CSRF_TOKEN_BYTES),
            lines=list(lines),
        )
        self._drafts[draft.draft_id] = draft
        return draft

    def get(self, draft_id: str, login_name: str) -> Draft | None:
        """The draft, only for the user who started it."""
        draft = self._drafts.get(draft_id)
        return draft if draft is not None and draft.login_name == login_name else None

    def clear(self) -> None:
        self._drafts.clear()


def read_header(layout: HeaderLayout, fields: Mapping[str, str]) -> HeaderEntry:
    """The header step as posted, read with the layout that is live."""
    return HeaderEntry(
        number=fields.get(layout.number.name, ""),
        invoice_date=fields.get(layout.invoice_date.name, ""),
        tax_amount=fields.get(layout.tax_amount.name, ""),
    )


def read_lines(fields: Mapping[str, str]) -> list[LineEntry]:
    """The lines step as posted; a row without its ``include`` box ticked is kept, unticked."""
    rows: dict[int, dict[str, str]] = {}
    for name, value in fields.items():
        match = _LINE_FIELD.match(name)
        if match is not None:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = value
    return [
        LineEntry(
            include="include" in row,
            description=row.get("description", ""),
            quantity=row.get("quantity", ""),
            unit_price=row.get("unitPrice", ""),
        )
        for _, row in sorted(rows.items())
    ]


def line_field(row: int, stem: str) -> str:
    """The posted name of a line input, e.g. ``line.2.quantity``."""
    return f"line.{row}.{stem}"
