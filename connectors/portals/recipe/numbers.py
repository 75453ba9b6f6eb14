"""How a locale writes numbers: typing amounts into a portal's form and reading them back.

A German form that receives ``1,234.56`` may silently read 1.23 (Basware does), so a recipe's
amounts are written with the locale's decimal mark and thousands separator, and amounts a
status page shows are read with the same knowledge (``1.234`` is 1.234 in en-US, 1234 in de-DE).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


class LocaleUnknown(ValueError):
    """A locale code we do not know; the message names the known ones."""


@dataclass(frozen=True, kw_only=True, slots=True)
class NumberLocale:
    """How one locale writes numbers: its decimal mark and its thousands separator."""

    code: str
    decimal: str
    group: str


#: the locales a recipe may name (BCP 47 codes); fr uses a plain space, which forms accept
LOCALES: Mapping[str, NumberLocale] = {
    code: NumberLocale(code=code, decimal=decimal, group=group)
    for code, decimal, group in (
        ("en-US", ".", ","),
        ("en-GB", ".", ","),
        ("en-IE", ".", ","),
        ("ja-JP", ".", ","),
        ("de-DE", ",", "."),
        ("de-AT", ",", "."),
        ("nl-NL", ",", "."),
        ("it-IT", ",", "."),
        ("es-ES", ",", "."),
        ("pt-BR", ",", "."),
        ("da-DK", ",", "."),
        ("de-CH", ".", "'"),
        ("fr-FR", ",", " "),
        ("fr-CA", ",", " "),
        ("sv-SE", ",", " "),
        ("pl-PL", ",", " "),
        ("nb-NO", ",", " "),
        ("fi-FI", ",", " "),
    )
}


def number_locale(code: str) -> NumberLocale:
    """The locale by code (case-insensitive, ``_`` or ``-``); LocaleUnknown naming the known."""
    wanted = code.strip().replace("_", "-").casefold()
    for known in LOCALES.values():
        if known.code.casefold() == wanted:
            return known
    raise LocaleUnknown(f"unknown locale {code!r}; known: {', '.join(sorted(LOCALES))}")


def format_money(value: Decimal, locale: NumberLocale, *, style: str = "amount") -> str:
    """Two decimals; ``amount`` groups thousands, ``amount_ungrouped`` does not, ``plain`` is
    ``1234.56`` whatever the locale."""
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if style == "plain":
        return f"{rounded:.2f}"
    grouped = f"{rounded:,.2f}" if style == "amount" else f"{rounded:.2f}"
    return grouped.replace(",", "\0").replace(".", locale.decimal).replace("\0", locale.group)


def format_quantity(value: Decimal, locale: NumberLocale, *, plain: bool = False) -> str:
    """No exponent, no trailing zeros, no grouping; the locale's decimal mark unless ``plain``."""
    text = format(value.normalize(), "f")
    return text if plain else text.replace(".", locale.decimal)


def parse_amount(text: str, locale: NumberLocale) -> Decimal | None:
    """An amount as a portal shows it (``1.234,56 EUR``), or None when there is none.

    Both marks present: the last one is the decimal mark. One mark, several times: thousands.
    One mark once: decimal if it is the locale's decimal mark or not followed by exactly three
    digits, else thousands (``1.234`` is 1.234 in en-US and 1234 in de-DE).
    """
    raw = text.strip()
    body = "".join(ch for ch in raw if ch.isdigit() or ch in ".,")
    if not any(ch.isdigit() for ch in body):
        return None
    marks = [i for i, ch in enumerate(body) if ch in ".,"]
    decimal_at: int | None = None
    if marks:
        last = marks[-1]
        mark = body[last]
        if len({body[i] for i in marks}) > 1:
            decimal_at = last
        elif body.count(mark) == 1 and (mark == locale.decimal or len(body) - last - 1 != 3):
            decimal_at = last
    whole = "".join(ch for ch in body[:decimal_at] if ch.isdigit()) or "0"
    fraction = body[decimal_at + 1 :] if decimal_at is not None else ""
    value = Decimal(f"{whole}.{fraction}" if fraction else whole)
    return -value if raw.startswith("-") else value
