"""The shipped upload recipe as text, and the ways recipe tests change it and load it."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.portals.recipe.files import RecipeError, installed_recipes_dir, load_recipe

SHIPPED = installed_recipes_dir() / "upload.toml"
SHIPPED_TEXT = SHIPPED.read_text(encoding="utf-8")


def write_recipe(tmp_path: Path, text: str, name: str = "acme.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def mutated(old: str, new: str) -> str:
    """The shipped recipe with one change (which must apply exactly once)."""
    assert SHIPPED_TEXT.count(old) == 1, f"{old!r} must occur once in the shipped recipe"
    return SHIPPED_TEXT.replace(old, new)


def line_with(text: str, needle: str) -> int:
    """The 1-based line of the first line containing ``needle``."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def load_problems(tmp_path: Path, text: str) -> tuple[Path, list[str]]:
    """Load ``text`` as a recipe that must fail; its file and the problems found."""
    path = write_recipe(tmp_path, text)
    with pytest.raises(RecipeError) as caught:
        load_recipe(path)
    return path, caught.value.problems
