"""The shape of a portal recipe: what a TOML file may say, checked before any browser starts.

A recipe describes one portal without Python (``config/portals/<code>.toml``): how to sign in,
which page to open, what to type where (templates, :mod:`connectors.portals.recipe.template`),
which file input takes the PDF, which button submits, where the confirmation reference and the
error messages are, how to find an invoice and read its status, and how the portal's words map
onto our status and rejection codes, and optionally the invoice list that settles many verdicts in
one page load (``[status.list]``). A value the page only writes inside a sentence is read with a
pattern (``{ selector = "#message", pattern = "invoice (?P<value>\\S+) was delivered" }``). Every
model forbids unknown keys and every field says what
it expects (its ``description`` is quoted in load errors), so a recipe with a typo fails at
start-up with the key and the fix; :func:`scope_problems` adds the checks that need the whole
recipe (a template may only use the data available at its step).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from connectors.portals.base import PortalStatus
from connectors.portals.errors import RejectionCode
from connectors.portals.matching import did_you_mean, normalised
from connectors.portals.recipe.numbers import LocaleUnknown, number_locale
from connectors.portals.recipe.template import (
    DATE_DIRECTIVES,
    FieldKind,
    TemplateInvalid,
    parse_template,
)

#: a key path inside the recipe, as pydantic reports it: ("submit", "steps", 3, "value")
Loc = tuple[str | int, ...]

ACTIONS = ("fill", "select", "click", "check", "upload", "expect", "wait_for")
#: action → the keys that may go with it
COMPANIONS: dict[str, frozenset[str]] = {
    "fill": frozenset({"value"}),
    "select": frozenset({"value", "label"}),
    "click": frozenset({"navigates"}),
    "check": frozenset(),
    "upload": frozenset({"button"}),
    "expect": frozenset({"text"}),
    "wait_for": frozenset(),
}
#: which template namespaces each part of a recipe may use
LOGIN_NAMESPACES = frozenset({"account"})
SUBMIT_NAMESPACES = frozenset({"invoice", "account", "document"})
LINE_NAMESPACES = SUBMIT_NAMESPACES | {"line"}
LOOKUP_NAMESPACES = frozenset({"invoice", "account"})
#: when looking an invoice up, only its number is known
LOOKUP_FIELDS = frozenset({"number"})
#: the invoice list is opened for the account, not for one invoice
LIST_NAMESPACES = frozenset({"account"})
#: the named group of a value pattern that holds the value
VALUE_GROUP = "value"


def _selector(value: str) -> str:
    if not value.strip():
        raise ValueError('a CSS selector is expected, e.g. "#invoice-number"; got an empty text')
    return value


def _template(value: str) -> str:
    try:
        parse_template(value)
    except TemplateInvalid as exc:
        raise ValueError(str(exc)) from exc
    return value


def _url_path(value: str) -> str:
    _template(value)
    if not value.startswith("/"):
        raise ValueError(
            f"{value!r}: a path relative to the portal account's URL is expected, "
            'starting with "/", e.g. "/login"'
        )
    return value


def _column(value: str) -> str:
    selector, at, attribute = value.rpartition("@")
    if not at:
        selector, attribute = value, ""
    if (at and not attribute.strip()) or not (selector.strip() or attribute.strip()):
        raise ValueError(
            f'{value!r}: expected a selector inside the row (".col-status"), a selector and an '
            'attribute (".col-amount@data-value") or the row\'s own attribute ("@data-reference")'
        )
    return value


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"{value!r} is not a valid regular expression: {exc}") from exc
    return value


def _value_pattern(value: str) -> str:
    try:
        compiled = re.compile(value, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{value!r} is not a valid regular expression: {exc}") from exc
    names = list(compiled.groupindex)
    others = [name for name in names if name != VALUE_GROUP]
    if VALUE_GROUP not in names:
        hint = did_you_mean(others[0], [VALUE_GROUP]) if others else ""
        raise ValueError(
            f"{value!r} names no group (?P<{VALUE_GROUP}>...): the pattern must say which part "
            f"is the value, e.g. 'invoice (?P<{VALUE_GROUP}>\\S+) was delivered'{hint}"
        )
    if others:
        raise ValueError(
            f"{value!r}: only the group (?P<{VALUE_GROUP}>...) may be named; also named: "
            + ", ".join(others)
        )
    return value


def _value_source(check: Callable[[str], str], example: str) -> Callable[[Any], Any]:
    """A value read from the page: a selector as text, or a table with a ``pattern``."""

    def before(value: Any) -> Any:
        if isinstance(value, ValueSource):
            return value
        if isinstance(value, str):
            return {"selector": check(value)}
        if isinstance(value, dict):
            return value
        raise ValueError(
            f"expected a selector ({example}) or a table "
            f'{{ selector = {example}, pattern = "... (?P<{VALUE_GROUP}>...) ..." }}, '
            f"got {value!r}"
        )

    return before


def _locale(value: str) -> str:
    try:
        return number_locale(value).code
    except LocaleUnknown as exc:
        raise ValueError(str(exc)) from exc


def _date_format(value: str) -> str:
    directives = {value[i + 1 : i + 2] for i, ch in enumerate(value) if ch == "%"}
    if not directives or not directives <= DATE_DIRECTIVES:
        raise ValueError(f'{value!r}: a strftime date format is expected, e.g. "%d.%m.%Y"')
    return value


def _status(value: Any) -> Any:
    if isinstance(value, str) and value not in PortalStatus.__members__:
        raise ValueError(
            f"unknown status {value!r}; expected one of {', '.join(PortalStatus)}"
            + did_you_mean(value, list(PortalStatus.__members__))
        )
    return value


def _code(value: Any) -> Any:
    if isinstance(value, str) and value not in RejectionCode.__members__:
        raise ValueError(
            f"unknown rejection code {value!r}; expected one of {', '.join(RejectionCode)}"
            + did_you_mean(value, list(RejectionCode.__members__))
        )
    return value


Selector = Annotated[str, AfterValidator(_selector)]
TemplateText = Annotated[str, AfterValidator(_template)]
UrlPath = Annotated[str, AfterValidator(_url_path)]
Pattern = Annotated[str, AfterValidator(_regex)]
ValuePattern = Annotated[str, AfterValidator(_value_pattern)]
ColumnSelector = Annotated[str, AfterValidator(_column)]
StatusTarget = Annotated[PortalStatus, BeforeValidator(_status)]
CodeTarget = Annotated[RejectionCode, BeforeValidator(_code)]


class RecipeSection(BaseModel):
    """Every part of a recipe: unknown keys are errors, values never change after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ValueSource(RecipeSection):
    """Where a value is read, and the part of the text that is the value (optional)."""

    pattern: ValuePattern | None = Field(
        None,
        description="a regular expression (case-insensitive) on the text whose group "
        f"(?P<{VALUE_GROUP}>...) is the value, for a value written inside a sentence: "
        f"'invoice (?P<{VALUE_GROUP}>\\S+) was delivered'",
    )

    def pick(self, text: str | None) -> str | None:
        """The value in ``text``: all of it without a pattern, the group with one; None when
        the pattern does not match."""
        if text is None or self.pattern is None:
            return text
        found = re.search(self.pattern, text, re.IGNORECASE)
        value = found.group(VALUE_GROUP) if found is not None else None
        return value.strip() if value is not None else None


class PageValue(ValueSource):
    """A value of the page: an element's text (``"#upload-reference"``) or a part of it."""

    selector: Selector = Field(description='the element holding the value, e.g. "#message"')


class CellValue(ValueSource):
    """A value of a list row: a cell's text or attribute (``".col-number"``), or a part of it."""

    selector: ColumnSelector = Field(
        description='inside the row: ".col-status", ".col-amount@data-value" or "@data-reference"'
    )


#: a value read from the page: ``"#sel"`` or ``{ selector = "#sel", pattern = "..." }``
Value = Annotated[PageValue, BeforeValidator(_value_source(_selector, '"#upload-reference"'))]
#: a value read from a list row: ``".col"`` or ``{ selector = ".col", pattern = "..." }``
Column = Annotated[CellValue, BeforeValidator(_value_source(_column, '".col-number"'))]


class Step(RecipeSection):
    """One thing done on a page; exactly one action key, plus the keys that go with it."""

    fill: Selector | None = Field(None, description="type `value` into this field")
    select: Selector | None = Field(
        None, description="choose an option of this <select> by `label` (its text) or `value`"
    )
    click: Selector | None = Field(
        None, description="click this element (`navigates = true` when it loads a page)"
    )
    check: Selector | None = Field(None, description="tick this checkbox")
    upload: Selector | None = Field(
        None,
        description="set the invoice PDF on this <input type=file> (hidden inputs work); or "
        "with `button`, click that button and answer the file chooser it opens",
    )
    expect: Selector | None = Field(
        None,
        description="this element must show `text` (a template), else stop before submitting",
    )
    wait_for: Selector | None = Field(None, description="wait until this element is present")
    value: TemplateText | None = Field(
        None, description='a template, e.g. "{invoice.number}" or "{invoice.total:amount}"'
    )
    label: TemplateText | None = Field(
        None, description='the option text to select, a template, e.g. "{account.buyer_name}"'
    )
    text: TemplateText | None = Field(None, description="the text `expect` requires (a template)")
    button: Selector | None = Field(None, description="the custom button that opens the chooser")
    navigates: bool = Field(False, description="true when the click loads another page")

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        present = [a for a in ACTIONS if getattr(self, a) is not None]
        if len(present) != 1:
            got = ", ".join(present) if present else "none"
            raise ValueError(
                f"a step does one thing: give exactly one of {', '.join(ACTIONS)} (got {got})"
            )
        action = present[0]
        extra = sorted(self.model_fields_set - {action} - COMPANIONS[action])
        if extra:
            allowed = ", ".join(sorted(COMPANIONS[action])) or "nothing else"
            raise ValueError(
                f"{', '.join(extra)} does not go with {action!r} ({action} takes: {allowed})"
            )
        if action == "fill" and self.value is None:
            raise ValueError("'fill' needs 'value': what to type, e.g. \"{invoice.number}\"")
        if action == "select" and (self.value is None) == (self.label is None):
            raise ValueError("'select' needs exactly one of 'label' (option text) or 'value'")
        if action == "expect" and self.text is None:
            raise ValueError("'expect' needs 'text': what the element must show")
        return self

    @property
    def action(self) -> str:
        return next(a for a in ACTIONS if getattr(self, a) is not None)

    @property
    def target(self) -> str:
        """The selector the action works on."""
        selector: str = getattr(self, self.action)
        return selector

    def templates(self) -> Iterator[tuple[str, str]]:
        """(key, template) of the step's templates."""
        for key in ("value", "label", "text"):
            source = getattr(self, key)
            if source is not None:
                yield key, source


class LocaleSource(RecipeSection):
    selector: Selector = Field(description="the element that declares the locale")
    attribute: str = Field(description='its attribute holding a code such as "de-DE"')


class PortalSection(RecipeSection):
    name: str = Field(description="a human name for the portal, shown in logs and errors")
    locale: Annotated[str, AfterValidator(_locale)] = Field(
        "en-US",
        description='how amounts are written when the page does not say, e.g. "de-DE" '
        "(a portal account's option 'locale' overrides it)",
    )
    locale_from: LocaleSource | None = Field(
        None, description="where the form page declares its locale; it wins when present"
    )


class PageMarkers(RecipeSection):
    login: Selector = Field(
        description="an element only the login page has: met mid-flow, the session expired"
    )
    notice: Selector | None = Field(
        None,
        description="the login page's notice: when it says the session expired or timed out "
        "right after signing in, the worker signs in once more",
    )
    busy: Selector | None = Field(None, description='the "system busy" page\'s element')
    failure: Selector | None = Field(None, description="the error page's element")


class Timeouts(RecipeSection):
    element_ms: int = Field(2_500, ge=100, le=60_000, description="wait for an element")
    navigation_ms: int = Field(30_000, ge=1_000, le=600_000, description="wait for a page")
    submit_ms: int = Field(120_000, ge=1_000, le=900_000, description="wait after submitting")


class TotpStep(RecipeSection):
    field: Selector = Field(description="the verification code field")
    submit: Selector = Field(description="the button that sends the code")
    error: Selector | None = Field(None, description="where a refused code is explained")


class LoginSection(RecipeSection):
    open: UrlPath = Field(description='the login page, relative to the portal URL: "/login"')
    steps: list[Step] = Field(
        min_length=1, description="fill the user name and {account.password} fields"
    )
    submit: Selector = Field(description="the sign-in button")
    signed_in: Selector = Field(description="an element only a signed-in page has")
    error: Selector | None = Field(None, description="where a refused sign-in is explained")
    totp: TotpStep | None = Field(None, description="the authenticator-code step, if asked")


class LinesSection(RecipeSection):
    row: Selector = Field(description="one invoice line's row; steps' selectors are inside it")
    add: Selector | None = Field(None, description="the button that adds a row")
    remove: Selector | None = Field(None, description="inside a row: the button removing it")
    steps: list[Step] = Field(min_length=1, description="what to type in each row")


class Confirmation(RecipeSection):
    reference: Value = Field(description="the portal's own reference for the upload")
    number: Value | None = Field(None, description="the invoice number it confirms")


class Processing(RecipeSection):
    statuses: list[str] = Field(
        min_length=1, description='raw statuses meaning "not validated yet": ["Processing"]'
    )
    poll_interval_ms: int = Field(500, ge=50, le=60_000, description="between two looks")
    timeout_ms: int = Field(
        30_000, ge=0, le=900_000, description="stop waiting; the status job reads the verdict"
    )


class SubmitSection(RecipeSection):
    open: UrlPath = Field(description='the page where an invoice starts: "/invoices/new"')
    steps: list[Step] = Field(
        min_length=1, description="select, fill and upload steps, in page order"
    )
    lines: LinesSection | None = Field(None, description="how to type the invoice lines")
    button: Selector = Field(description="the button that submits the invoice")
    errors: Selector = Field(description="every element holding a validation message")
    confirmation: Confirmation = Field(description="where the accepted upload is confirmed")
    processing: Processing | None = Field(
        None, description="the portal validates later: wait for the verdict on the status page"
    )

    @field_validator("steps")
    @classmethod
    def _one_upload(cls, steps: list[Step]) -> list[Step]:
        uploads = [s for s in steps if s.upload is not None]
        if len(uploads) != 1:
            raise ValueError(
                f"submit.steps must attach the invoice PDF exactly once with an 'upload' step "
                f'(found {len(uploads)}); add {{ upload = "#file-input" }}'
            )
        return steps


class StatusColumns(RecipeSection):
    number: Column = Field(description="the invoice number in a row")
    status: Column = Field(description="the status in a row")
    reference: Column | None = Field(None, description="the portal's reference")
    buyer: Column | None = Field(None, description="the customer (rows of others are skipped)")
    reason: Column | None = Field(None, description="the failure, rejection or dispute reason")
    amount: Column | None = Field(None, description="the invoice total")
    status_date: Column | None = Field(None, description="when the status was set")
    projected_pay_date: Column | None = Field(None, description="when it will be paid")
    payment_date: Column | None = Field(None, description="when it was paid")
    payment_reference: Column | None = Field(None, description="the payment's reference")


#: field types spelled once outside the sections: [status] has a key named ``list``
StepList = list[Step]
WordList = list[str]
DateFormat = Annotated[str, AfterValidator(_date_format)]


class StatusListSection(RecipeSection):
    """The portal's invoice list: many invoices' statuses per page load (``[status.list]``)."""

    open: UrlPath = Field(
        description="the list's first page, a template of {account.*} only: "
        '"/status?per_page=100"; it must list every upload the status search would find'
    )
    rows: Selector = Field(description="one invoice's row in the list")
    empty: Selector | None = Field(
        None, description='the "nothing listed" element; [status] empty when not given'
    )
    next_page: Selector | None = Field(
        None, description="the link to the next page of the list (without it: one page only)"
    )
    max_pages: int | None = Field(
        None,
        ge=1,
        le=1_000,
        description="list pages one read loads at most (the status pass's own cap still holds)",
    )
    columns: StatusColumns = Field(
        description="where each fact is inside a row, as in [status.columns]"
    )
    date_format: DateFormat | None = Field(
        None, description="how the list writes dates (strftime); [status] date_format if not given"
    )


class StatusSection(RecipeSection):
    open: UrlPath = Field(
        description='the search page for one number: "/status?number={invoice.number}"'
    )
    steps: StepList = Field(default_factory=list, description="steps before reading the rows")
    rows: Selector = Field(description="one invoice's row")
    empty: Selector = Field(
        description='the "nothing found" element (required: without it a changed page would '
        'read as "not there" and the invoice would be uploaded again)'
    )
    next_page: Selector | None = Field(None, description="the link to the next page of rows")
    columns: StatusColumns = Field(description="where each fact is inside a row")
    date_format: DateFormat = Field("%Y-%m-%d", description="how the rows write dates (strftime)")
    map: dict[str, StatusTarget] = Field(
        min_length=1,
        description="the portal's status words → PENDING_APPROVAL, APPROVED, DISPUTED, "
        "REJECTED, PAID or VOIDED",
    )
    refused: WordList = Field(
        default_factory=list,
        description='status words of an upload the portal refused and never delivered ("In '
        'error"): a lookup treats such a row as not there, so the corrected invoice is sent '
        "again; each must be a word of [status.map]",
    )
    list: StatusListSection | None = Field(
        None,
        description="the invoice list read by the status pass: verdicts it settles need no "
        "page of their own",
    )

    @model_validator(mode="after")
    def _refused_are_mapped(self) -> StatusSection:
        unknown = [word for word in self.refused if word not in self.map]
        if unknown:
            raise ValueError(
                f"refused names {unknown}, which [status.map] does not have; "
                f"known: {', '.join(self.map)}"
            )
        return self

    @property
    def list_empty(self) -> str:
        """The list's "nothing listed" element."""
        return (self.list.empty if self.list is not None else None) or self.empty

    @property
    def list_date_format(self) -> str:
        return (self.list.date_format if self.list is not None else None) or self.date_format


class RejectionRule(RecipeSection):
    pattern: Pattern = Field(description="a regular expression (case-insensitive) on a message")
    code: CodeTarget = Field(description="the rejection code it means")


class Recipe(RecipeSection):
    """A whole recipe file."""

    portal: PortalSection = Field(description="[portal]: name and locale")
    pages: PageMarkers = Field(description="[pages]: how to recognise login/busy/error pages")
    timeouts: Timeouts = Field(default_factory=Timeouts, description="[timeouts]")
    login: LoginSection = Field(description="[login]: how to sign in")
    submit: SubmitSection = Field(description="[submit]: how to upload an invoice")
    status: StatusSection = Field(description="[status]: how to find an invoice and its status")
    rejections: list[RejectionRule] = Field(
        default_factory=list,
        description="[[rejections]]: message pattern → code, first match wins; else OTHER",
    )


def scope_problems(recipe: Recipe) -> list[tuple[Loc, str]]:
    """What the field checks cannot see: each template's data must exist at its step."""
    problems: list[tuple[Loc, str]] = []
    login = _Scope(where="[login]", namespaces=LOGIN_NAMESPACES)
    submit = _Scope(where="[submit]", namespaces=SUBMIT_NAMESPACES)
    lines = _Scope(where="[submit.lines]", namespaces=LINE_NAMESPACES)
    status = _Scope(where="[status]", namespaces=LOOKUP_NAMESPACES, lookup=True)
    templated: list[tuple[Loc, str, _Scope]] = [
        (("login", "open"), recipe.login.open, login),
        (("submit", "open"), recipe.submit.open, submit),
        (("status", "open"), recipe.status.open, status),
    ]
    listed = recipe.status.list
    if listed is not None:
        scope = _Scope(where="[status.list]", namespaces=LIST_NAMESPACES)
        templated.append((("status", "list", "open"), listed.open, scope))
        problems.extend(_list_column_problems(recipe.status.columns, listed.columns))
    sections: list[tuple[Loc, list[Step], _Scope]] = [
        (("login", "steps"), recipe.login.steps, login),
        (("submit", "steps"), recipe.submit.steps, submit),
        (("status", "steps"), recipe.status.steps, status),
    ]
    if recipe.submit.lines is not None:
        sections.append((("submit", "lines", "steps"), recipe.submit.lines.steps, lines))
    for prefix, items, scope in sections:
        for index, step in enumerate(items):
            for key, source in step.templates():
                # a secret is only ever typed: never in a URL, a label or an expected text
                typed_here = scope is login and step.action == "fill" and key == "value"
                templated.append(
                    ((*prefix, index, key), source, replace(scope, secrets=typed_here))
                )
    for loc, source, scope in templated:
        problems.extend((loc, message) for message in scope.problems(source))

    typed = [source for step in recipe.login.steps for _, source in step.templates()]
    if not any("{account.password}" in source for source in typed):
        problems.append(
            (
                ("login", "steps"),
                "missing required step: no step types {account.password}; add "
                '{ fill = "#password", value = "{account.password}" }',
            )
        )
    if recipe.submit.processing is not None:
        known = {normalised(raw) for raw in recipe.status.map}
        for index, raw in enumerate(recipe.submit.processing.statuses):
            if normalised(raw) not in known:
                problems.append(
                    (
                        ("submit", "processing", "statuses", index),
                        f"{raw!r} is not a status of [status.map] "
                        f"(known: {', '.join(recipe.status.map)})",
                    )
                )
    return problems


def _list_column_problems(
    search: StatusColumns, listed: StatusColumns
) -> Iterator[tuple[Loc, str]]:
    """The list must tell the account's customer apart wherever the status search does."""
    if search.buyer is not None and listed.buyer is None:
        yield (
            ("status", "list", "columns"),
            "missing key 'buyer': [status.columns] reads the customer, so the list must too, "
            "or a row of another customer with the same number would settle this one's invoice",
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class _Scope:
    """The data a part of the recipe has at hand."""

    where: str
    namespaces: frozenset[str]
    secrets: bool = False  #: may type the password
    lookup: bool = False  #: only the invoice's number is known

    def problems(self, source: str) -> Iterator[str]:
        for part in parse_template(source).placeholders:
            field = f"{{{part.namespace}.{part.name}}}"
            if part.namespace not in self.namespaces:
                usable = ", ".join(sorted(self.namespaces))
                yield f"{field} is not known in {self.where}; usable here: {usable}"
            elif part.kind is FieldKind.SECRET and not self.secrets:
                yield f"{field} may only be typed by a fill step of [login] (its value)"
            elif self.lookup and part.namespace == "invoice" and part.name not in LOOKUP_FIELDS:
                yield (
                    f"{field} is not known in {self.where}: an invoice is looked up by "
                    "{invoice.number} only"
                )
