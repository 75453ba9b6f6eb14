"""Matching what a portal shows, or what a person typed, with what we know.

Portals compare names and status words loosely (white space folded, case ignored) and document
numbers as trimmed, case-insensitive text: we compare them the same way, or we would miss an
invoice the portal has (and upload it twice). A misspelt word in a recipe or a setting gets the
closest word we know as a suggestion; a portal's refusal message gets our rejection code from the
words that portal uses (:class:`RejectionWords`). Written once, used by every driver and the
recipe checks.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from connectors.portals.errors import RejectionCode


def normalised(text: str) -> str:
    """A name, label or status word as compared: white space folded, case ignored."""
    return " ".join(text.split()).casefold()


def same_number(shown: str | None, ours: str) -> bool:
    """Document numbers compare as the portals compare them: trimmed, case-insensitive."""
    return number_key(shown) == number_key(ours)


def number_key(number: str | None) -> str:
    """What :func:`same_number` compares: a dictionary key for many numbers at once."""
    return (number or "").strip().casefold()


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` naming the closest known word, or "" when none is close."""
    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass(frozen=True, kw_only=True, slots=True)
class RejectionWords:
    """How a portal words one reason to refuse an invoice: a pattern of its message, or the form
    field it names."""

    code: RejectionCode
    pattern: str  #: searched in the message, case ignored
    fields: frozenset[str] = frozenset()

    def match(self, field: str, text: str) -> bool:
        found = re.search(self.pattern, text, re.IGNORECASE | re.DOTALL)
        return field in self.fields or found is not None


def rejection_code(vocabulary: Sequence[RejectionWords], field: str, text: str) -> RejectionCode:
    """The code of the first reason whose words the message uses; OTHER when none does."""
    return next(
        (words.code for words in vocabulary if words.match(field, text)), RejectionCode.OTHER
    )
