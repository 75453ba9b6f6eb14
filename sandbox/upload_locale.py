"""How the upload-style portal reads the amounts a supplier types: per the buyer's locale.

On Basware the decimal separator follows the user interface language, and a wrong separator
is not refused: it silently changes the amount (``reference/portals.md`` §1.4). A worker that
types ``1,234.56`` into a German form has just invoiced 1.23. This module reproduces both
behaviours a portal shows: *strict* locales refuse an amount not written their way, *lenient*
ones (de-DE, like Basware) misread it without a word. The driver side never imports this: the
portal's reading is the portal's business, the recipe must simply type amounts the right way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DEFAULT_LOCALE = "en-US"
CENT = Decimal("0.01")
NBSP = "\u00a0"
NARROW_NBSP = "\u202f"


@dataclass(frozen=True, kw_only=True, slots=True)
class AmountLocale:
    """One locale's way of writing amounts, and whether the portal forgives other ways."""

    code: str
    decimal: str
    group: str
    #: True: an amount written another way is refused; False: it is read anyway (misread)
    strict: bool

    @property
    def example(self) -> str:
        """How 1234.56 is written in this locale, for hints and error messages."""
        return format_amount(Decimal("1234.56"), self)


LOCALES: Mapping[str, AmountLocale] = {
    "en-US": AmountLocale(code="en-US", decimal=".", group=",", strict=True),
    "en-GB": AmountLocale(code="en-GB", decimal=".", group=",", strict=True),
    "de-DE": AmountLocale(code="de-DE", decimal=",", group=".", strict=False),
    "fr-FR": AmountLocale(code="fr-FR", decimal=",", group=" ", strict=True),
}


class AmountRefused(ValueError):
    """The text is not an amount in the locale (strict locales only); the message says why."""


def locale_of(code: str | None) -> AmountLocale:
    """The locale by code; unknown or missing codes fall back to :data:`DEFAULT_LOCALE`."""
    return LOCALES.get(code or "", LOCALES[DEFAULT_LOCALE])


def read_amount(text: str, locale: AmountLocale) -> Decimal:
    """The amount the portal understands from ``text``, rounded to cents.

    Strict locales accept ``1234.56`` / ``1,234.56`` (en) or ``1234,56`` / ``1 234,56`` (fr)
    and refuse anything else. A lenient locale drops its group character and takes its decimal
    character as the point, whatever the supplier meant: in de-DE ``1,234.56`` becomes 1.23 and
    ``1234.56`` becomes 123456.00.
    """
    raw = text.strip().replace(NBSP, " ").replace(NARROW_NBSP, " ")
    if not raw:
        raise AmountRefused("an amount is required")
    if locale.strict and not _written_in(raw, locale):
        raise AmountRefused(f"{raw!r} is not an amount; write amounts as {locale.example}")
    normalised = raw.replace(locale.group, "").replace(" ", "").replace(locale.decimal, ".")
    try:
        value = Decimal(normalised)
    except InvalidOperation as exc:
        raise AmountRefused(f"{raw!r} is not an amount; write amounts as {locale.example}") from exc
    if not value.is_finite():
        raise AmountRefused(f"{raw!r} is not an amount")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_amount(value: Decimal, locale: AmountLocale) -> str:
    """``value`` as the portal shows it: grouped thousands, two decimals, the locale's marks."""
    plain = f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"  # 1,234.56
    return plain.replace(",", "\0").replace(".", locale.decimal).replace("\0", locale.group)


def _written_in(raw: str, locale: AmountLocale) -> bool:
    group = re.escape(locale.group)
    decimal = re.escape(locale.decimal)
    grouped = rf"-?\d{{1,3}}(?:{group}\d{{3}})+(?:{decimal}\d{{1,2}})?"
    ungrouped = rf"-?\d+(?:{decimal}\d{{1,2}})?"
    return re.fullmatch(grouped, raw) is not None or re.fullmatch(ungrouped, raw) is not None
