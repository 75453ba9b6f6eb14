"""Recipe files: where they live, and loading one with errors a person can act on.

A portal recipe is ``<code>.toml`` in the installed ``config/portals/`` folder, or in the folder
named by ``ARWORKER_PORTALS_DIR`` (looked at first, so a changed portal can be fixed without a
new release). Loading checks everything a recipe can get wrong before a browser starts, and
says where: ``config/portals/acme.toml, line 31, key submit.steps[3].value: unknown invoice
field 'nubmer'; known: ... (did you mean 'number'?)``. All problems of a file are reported at
once; the error is a :class:`~config.settings.ConfigError`, so the worker refuses to start.
"""

from __future__ import annotations

import os
import re
import tomllib
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from config.settings import ConfigError
from connectors.portals.matching import did_you_mean
from connectors.portals.recipe.model import Loc, Recipe, scope_problems
from connectors.portals.recipe.positions import KeyPath, key_lines, line_of

RECIPES_DIR_ENV = "ARWORKER_PORTALS_DIR"
RECIPE_SUFFIX = ".toml"
#: what a recipe's file name (its portal code) may look like
CODE_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class RecipeError(ConfigError):
    """A recipe file cannot be used; each problem names the file, line, key and expectation."""


@dataclass(frozen=True, kw_only=True, slots=True)
class LoadedRecipe:
    """A checked recipe, with what is needed to point back into its file."""

    code: str  #: the portal code: the file name without ``.toml``
    path: Path
    recipe: Recipe
    lines: Mapping[KeyPath, int] = field(default_factory=dict)

    def where(self, loc: Sequence[str | int]) -> str:
        """``upload.toml line 42, key submit.steps[3].fill``: for runtime errors too."""
        line = line_of(self.lines, loc)
        at = f" line {line}" if line is not None else ""
        return f"{self.path.name}{at}, key {dotted(loc)}"


def installed_recipes_dir() -> Path:
    """``config/portals`` of the installed package."""
    import config

    return Path(config.__file__).resolve().parent / "portals"


def recipe_dirs(environ: Mapping[str, str] | None = None) -> tuple[Path, ...]:
    """Folders searched for recipes, first match wins: ``ARWORKER_PORTALS_DIR``, installed."""
    env = os.environ if environ is None else environ
    extra = env.get(RECIPES_DIR_ENV, "").strip()
    folders = [Path(extra).expanduser()] if extra else []
    return (*folders, installed_recipes_dir())


def recipe_codes(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The portal codes that have a recipe file, sorted."""
    codes = {
        path.stem
        for folder in recipe_dirs(environ)
        if folder.is_dir()
        for path in folder.glob(f"*{RECIPE_SUFFIX}")
        if CODE_PATTERN.fullmatch(path.stem)
    }
    return tuple(sorted(codes))


def find_recipe(code: str, environ: Mapping[str, str] | None = None) -> Path | None:
    """The recipe file of a portal code, or None."""
    name = code.strip().lower()
    if not CODE_PATTERN.fullmatch(name):
        return None
    for folder in recipe_dirs(environ):
        candidate = folder / f"{name}{RECIPE_SUFFIX}"
        if candidate.is_file():
            return candidate
    return None


def load_recipe(path: Path) -> LoadedRecipe:
    """Read and check a recipe; :class:`RecipeError` lists every problem with its place."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecipeError(f"{path}: cannot read the recipe ({exc})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RecipeError(f"{path}: not valid TOML: {exc}") from exc
    lines = key_lines(text)
    try:
        recipe = Recipe.model_validate(data)
    except ValidationError as exc:
        problems = [(tuple(e["loc"]), _message(e)) for e in exc.errors(include_url=False)]
        raise _error(path, lines, problems) from None
    semantic = scope_problems(recipe)
    if semantic:
        raise _error(path, lines, semantic)
    return LoadedRecipe(code=path.stem.lower(), path=path, recipe=recipe, lines=lines)


def dotted(loc: Sequence[str | int]) -> str:
    """``("submit", "steps", 3, "value")`` → ``submit.steps[3].value``; odd keys quoted."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = part if _BARE_KEY.fullmatch(part) else f'"{part}"'
            out += f".{name}" if out else name
    return out


def _error(
    path: Path, lines: Mapping[KeyPath, int], problems: list[tuple[Loc, str]]
) -> RecipeError:
    located = sorted(
        ((line_of(lines, loc), loc, message) for loc, message in problems),
        key=lambda item: (item[0] or 0, dotted(item[1])),
    )
    texts = [
        f"{path}{f', line {line}' if line is not None else ''}, key {dotted(loc) or '(top)'}: "
        f"{message}"
        for line, loc, message in located
    ]
    summary = f"portal recipe {path} has {len(texts)} problem(s):\n  " + "\n  ".join(texts)
    return RecipeError(summary, problems=texts)


def _message(error: Mapping[str, Any]) -> str:
    """One pydantic error in the recipe's words: what is wrong and what is expected."""
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        known = sorted(model.model_fields) if model is not None else []
        return f"unknown key {loc[-1]!r}; expected one of: {', '.join(known)}" + did_you_mean(
            str(loc[-1]), known
        )
    info = _field_at(loc)
    expected = f" ({info.description})" if info is not None and info.description else ""
    if kind == "missing":
        what = "section" if len(loc) == 1 else "key"
        return f"missing required {what} {dotted(loc[-1:])!s}{expected}"
    message = str(error["msg"])
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    return f"{message}, got {error.get('input')!r}{expected}"


def _field_at(loc: Loc) -> FieldInfo | None:
    """The model field a loc points at (indexes and dict keys skipped), if any."""
    model: type[BaseModel] | None = Recipe
    info: FieldInfo | None = None
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None:
            return info  # inside a table of data ([status.map]): the table's own field
        info = model.model_fields.get(part)
        if info is None:
            return None
        model = _model_in(info.annotation)
    return info


def _model_at(loc: Loc) -> type[BaseModel] | None:
    model: type[BaseModel] | None = Recipe
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None:
            return None
        info = model.model_fields.get(part)
        model = _model_in(info.annotation) if info is not None else None
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The recipe model inside ``X | None``, ``list[X]``, ``Annotated[X, ...]``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is dict:
        return None  # keys are data ([status.map]), not recipe keys
    if origin is not None:  # X | None, list[X], Annotated[X, ...]
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
