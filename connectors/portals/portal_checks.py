"""Are the portal drivers usable? Checked by ``config check`` and before any job opens a browser.

Every problem is collected, not only the first: the recipes folder named by
``ARWORKER_PORTALS_DIR`` exists, each ``.toml`` file in it has a name a portal code can have (a
file called ``Acme.toml`` would otherwise be skipped without a word), and every Python driver
and every recipe loads (a recipe's own errors name its file, line and key).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from config.settings import ConfigError
from connectors.portals.recipe.files import (
    CODE_PATTERN,
    RECIPE_SUFFIX,
    RECIPES_DIR_ENV,
)
from connectors.portals.registry import driver_for, known_families


@dataclass(frozen=True, kw_only=True, slots=True)
class PortalCheck:
    """What loaded (portal family → driver class) and what did not."""

    drivers: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def check_portals(environ: Mapping[str, str] | None = None) -> PortalCheck:
    """Load every driver and recipe, and look at the recipes folder; nothing is raised."""
    env = os.environ if environ is None else environ
    check = PortalCheck()
    check.problems.extend(_folder_problems(env.get(RECIPES_DIR_ENV, "").strip()))
    for family in known_families():
        try:
            check.drivers[family] = type(driver_for(family)).__name__
        except ConfigError as exc:
            check.problems.extend(exc.problems)
    return check


def require_usable_portals() -> None:
    """Raise one :class:`ConfigError` listing every portal problem, if there is any."""
    problems = check_portals().problems
    if problems:
        raise ConfigError(
            "the portal drivers cannot be used:\n  " + "\n  ".join(problems), problems=problems
        )


def _folder_problems(folder_text: str) -> list[str]:
    if not folder_text:
        return []
    folder = Path(folder_text).expanduser()
    if not folder.is_dir():
        return [
            f"{RECIPES_DIR_ENV} ({folder_text}): not a folder, so none of its recipes would be "
            "found; create it, correct the path, or unset the variable"
        ]
    problems = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() != RECIPE_SUFFIX or not path.is_file():
            continue
        if path.suffix == RECIPE_SUFFIX and CODE_PATTERN.fullmatch(path.stem):
            continue
        wanted = re.sub(r"[^a-z0-9_-]+", "-", path.stem.lower()).strip("-_") or "portal"
        problems.append(
            f"{path}: not used, a recipe's file name is its portal code (lower-case letters, "
            f"digits, '-' and '_', ending in {RECIPE_SUFFIX}); rename it, e.g. to "
            f"{wanted}{RECIPE_SUFFIX}"
        )
    return problems
