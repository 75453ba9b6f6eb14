"""Recipe templates: how a recipe says what to type, ``{invoice.date:%d.%m.%Y}`` and friends.

A portal recipe maps invoice data onto form fields without Python, so it needs a small,
checkable language: ``{namespace.field:format}`` placeholders in literal text (``{{`` and
``}}`` for braces). Every field is known in advance, so a typo (``{invoice.nubmer}``) fails
when the recipe is loaded, naming the known fields, and never at 02:00 in front of a portal.
Amounts are written the way the portal's locale writes them: a German form that receives
``1,234.56`` may silently read 1.23 (Basware does), so ``{invoice.total:amount}`` follows the
locale the driver settles on (the page's, the account's, or the recipe's).
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING
from urllib.parse import quote

from connectors.portals.matching import did_you_mean
from connectors.portals.recipe.numbers import NumberLocale, format_money, format_quantity

if TYPE_CHECKING:
    from connectors.portals.base import (
        InvoiceDocument,
        OutgoingInvoice,
        OutgoingLine,
        PortalAccount,
    )

DEFAULT_DATE_FORMAT = "%Y-%m-%d"
#: strftime directives a date template may use (dates only: no hours, no zones)
DATE_DIRECTIVES = frozenset("dmyYbBaAjeuwUWGV%")


class FieldKind(StrEnum):
    """What kind of value a template field holds, which decides the formats it takes."""

    #: printed as is; takes no format
    TEXT = "text"
    #: a date; the format is a strftime pattern (default ISO, 2024-03-31)
    DATE = "date"
    #: money; formats ``amount`` (default), ``amount_ungrouped``, ``plain``
    MONEY = "money"
    #: a quantity; formats ``number`` (default, the locale's decimal mark), ``plain``
    QUANTITY = "quantity"
    #: a secret, typed but never shown; only the login may use it
    SECRET = "secret"


#: namespace → field → kind: everything a recipe may type
FIELDS: Mapping[str, Mapping[str, FieldKind]] = {
    "invoice": {
        "number": FieldKind.TEXT,
        "date": FieldKind.DATE,
        "due_date": FieldKind.DATE,
        "currency": FieldKind.TEXT,
        "total": FieldKind.MONEY,
        "tax": FieldKind.MONEY,
        "net": FieldKind.MONEY,
        "purchase_order": FieldKind.TEXT,
        "buyer_name": FieldKind.TEXT,
    },
    "account": {
        "login_name": FieldKind.TEXT,
        "password": FieldKind.SECRET,
        "buyer_name": FieldKind.TEXT,
        "supplier_portal_id": FieldKind.TEXT,
    },
    "document": {"file_name": FieldKind.TEXT},
    "line": {
        "number": FieldKind.TEXT,
        "description": FieldKind.TEXT,
        "quantity": FieldKind.QUANTITY,
        "unit_price": FieldKind.MONEY,
        "amount": FieldKind.MONEY,
    },
}
MONEY_FORMATS = ("amount", "amount_ungrouped", "plain")
QUANTITY_FORMATS = ("number", "plain")


class TemplateInvalid(ValueError):
    """A template names a field or a format that does not exist; the message says which."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Placeholder:
    namespace: str
    name: str
    kind: FieldKind
    format: str  #: the format after ``:``, or "" for the kind's default


@dataclass(frozen=True, kw_only=True, slots=True)
class Template:
    """A parsed template: literal text and placeholders, in order."""

    source: str
    parts: tuple[str | Placeholder, ...]

    @property
    def placeholders(self) -> tuple[Placeholder, ...]:
        return tuple(p for p in self.parts if isinstance(p, Placeholder))

    @property
    def namespaces(self) -> frozenset[str]:
        return frozenset(p.namespace for p in self.placeholders)

    @property
    def needs_locale(self) -> bool:
        """True when rendering depends on the locale (amounts and quantities)."""
        return any(
            p.kind in (FieldKind.MONEY, FieldKind.QUANTITY) and p.format != "plain"
            for p in self.placeholders
        )


#: namespace → field → value; a missing value renders as ""
TemplateValues = Mapping[str, Mapping[str, "str | Decimal | dt.date | None"]]


def parse_template(source: str) -> Template:
    """Parse and check a template; TemplateInvalid says what is wrong and what is expected."""
    parts: list[str | Placeholder] = []
    try:
        pieces = list(string.Formatter().parse(source))
    except ValueError as exc:
        raise TemplateInvalid(
            f"{source!r} is not a valid template ({exc}); write {{{{ and }}}} for literal braces"
        ) from exc
    for literal, field, spec, conversion in pieces:
        if literal:
            parts.append(literal)
        if field is None:
            continue
        if conversion is not None:
            raise TemplateInvalid(f"{source!r}: '!{conversion}' is not supported in templates")
        parts.append(_placeholder(source, field, spec or ""))
    return Template(source=source, parts=tuple(parts))


def _placeholder(source: str, field: str, spec: str) -> Placeholder:
    namespace, dot, name = field.partition(".")
    if not field:
        raise TemplateInvalid(f"{source!r}: empty placeholder {{}}; write e.g. {{invoice.number}}")
    if not dot:
        raise TemplateInvalid(
            f"{source!r}: {{{field}}} needs a namespace, e.g. {{invoice.{field}}}; "
            f"namespaces: {', '.join(sorted(FIELDS))}"
        )
    known = FIELDS.get(namespace)
    if known is None:
        raise TemplateInvalid(
            f"{source!r}: unknown template namespace {namespace!r}; "
            f"known: {', '.join(sorted(FIELDS))}{did_you_mean(namespace, FIELDS)}"
        )
    kind = known.get(name)
    if kind is None:
        raise TemplateInvalid(
            f"{source!r}: unknown {namespace} field {name!r}; "
            f"known: {', '.join(sorted(known))}{did_you_mean(name, known)}"
        )
    _check_format(source, f"{namespace}.{name}", kind, spec)
    return Placeholder(namespace=namespace, name=name, kind=kind, format=spec)


def _check_format(source: str, field: str, kind: FieldKind, spec: str) -> None:
    if not spec:
        return
    if kind in (FieldKind.TEXT, FieldKind.SECRET):
        raise TemplateInvalid(f"{source!r}: {field} is text and takes no format (got {spec!r})")
    if kind is FieldKind.MONEY and spec not in MONEY_FORMATS:
        raise TemplateInvalid(
            f"{source!r}: unknown amount format {spec!r} for {field}; "
            f"use one of {', '.join(MONEY_FORMATS)}"
        )
    if kind is FieldKind.QUANTITY and spec not in QUANTITY_FORMATS:
        raise TemplateInvalid(
            f"{source!r}: unknown quantity format {spec!r} for {field}; "
            f"use one of {', '.join(QUANTITY_FORMATS)}"
        )
    if kind is FieldKind.DATE:
        directives = [spec[i + 1 : i + 2] for i, ch in enumerate(spec) if ch == "%"]
        if not directives:
            raise TemplateInvalid(
                f"{source!r}: date format {spec!r} for {field} has no % directive; "
                "use e.g. %d.%m.%Y"
            )
        unknown = sorted({d for d in directives if d not in DATE_DIRECTIVES})
        if unknown:
            raise TemplateInvalid(
                f"{source!r}: unknown date directive(s) {', '.join('%' + d for d in unknown)} "
                f"for {field}; use e.g. %d.%m.%Y"
            )


# --- rendering ----------------------------------------------------------------------------------


def render(
    template: Template,
    values: TemplateValues,
    *,
    locale: NumberLocale,
    for_url: bool = False,
) -> str:
    """The template filled with ``values``; ``for_url`` percent-encodes each value."""
    out: list[str] = []
    for part in template.parts:
        if isinstance(part, str):
            out.append(part)
            continue
        value = values.get(part.namespace, {}).get(part.name)
        text = _format(value, part, locale)
        out.append(quote(text, safe="") if for_url else text)
    return "".join(out)


def _format(value: str | Decimal | dt.date | None, part: Placeholder, locale: NumberLocale) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime(part.format or DEFAULT_DATE_FORMAT)
    if isinstance(value, Decimal):
        if part.kind is FieldKind.QUANTITY:
            return format_quantity(value, locale, plain=part.format == "plain")
        return format_money(value, locale, style=part.format or "amount")
    return value


# --- values -------------------------------------------------------------------------------------


def invoice_values(invoice: OutgoingInvoice) -> dict[str, str | Decimal | dt.date | None]:
    return {
        "number": invoice.invoice_number,
        "date": invoice.invoice_date,
        "due_date": invoice.due_date,
        "currency": invoice.currency,
        "total": invoice.total_amount,
        "tax": invoice.tax_amount,
        "net": invoice.total_amount - invoice.tax_amount,
        "purchase_order": invoice.purchase_order,
        "buyer_name": invoice.buyer_name,
    }


def account_values(account: PortalAccount) -> dict[str, str | Decimal | dt.date | None]:
    return {
        "login_name": account.login.login_name,
        "password": account.login.password.get_secret_value(),
        "buyer_name": account.buyer_name,
        "supplier_portal_id": account.supplier_portal_id,
    }


def document_values(document: InvoiceDocument) -> dict[str, str | Decimal | dt.date | None]:
    return {"file_name": document.file_name}


def line_values(line: OutgoingLine) -> dict[str, str | Decimal | dt.date | None]:
    return {
        "number": str(line.line_number),
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "amount": line.amount,
    }
