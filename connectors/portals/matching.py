"""Matching what a portal shows, or what a person typed, with what we know.

Portals compare names and status words loosely (white space folded, case ignored) and document
numbers as trimmed, case-insensitive text: we compare them the same way, or we would miss an
invoice the portal has (and upload it twice). A misspelt word in a recipe or a setting gets the
closest word we know as a suggestion. Written once, used by every driver and the recipe checks.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def normalised(text: str) -> str:
    """A name, label or status word as compared: white space folded, case ignored."""
    return " ".join(text.split()).casefold()


def same_number(shown: str | None, ours: str) -> bool:
    """Document numbers compare as the portals compare them: trimmed, case-insensitive."""
    return (shown or "").strip().casefold() == ours.strip().casefold()


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` naming the closest known word, or "" when none is close."""
    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
