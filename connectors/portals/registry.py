"""Which driver speaks which portal family.

A portal account's configuration names a family ("coupa", "ariba", "upload"...); this registry
turns the name into a driver. Python drivers are found by import path and imported only when
asked for, so a worker that never talks to an Ariba portal never imports its driver. Every other
family is a recipe: a portal code with a file ``<code>.toml`` in ``config/portals/`` (or in
``ARWORKER_PORTALS_DIR``) is driven by :class:`~connectors.portals.recipe.driver.RecipeDriver`,
checked when it is loaded. A misspelt family, or a recipe with a mistake, fails at start-up with
the list of the families that exist or the recipe's file, line and key.
"""

from __future__ import annotations

import importlib

from config.settings import ConfigError
from connectors.portals.base import PortalDriver
from connectors.portals.recipe.files import find_recipe, load_recipe, recipe_codes

#: family → "module:ClassName"; a class built without arguments
DRIVER_PATHS: dict[str, str] = {
    "coupa": "connectors.portals.coupa:CoupaDriver",
    "ariba": "connectors.portals.ariba:AribaDriver",
}


def known_families() -> tuple[str, ...]:
    """The portal families this build has a driver for (Python or recipe), sorted."""
    return tuple(sorted(set(DRIVER_PATHS) | set(recipe_codes())))


def driver_for(family: str) -> PortalDriver:
    """A new driver of the family; :class:`ConfigError` naming the known families otherwise."""
    path = DRIVER_PATHS.get(family.strip().lower())
    if path is None and (recipe := find_recipe(family)) is not None:
        from connectors.portals.recipe.driver import RecipeDriver

        return RecipeDriver(load_recipe(recipe))
    if path is None:
        raise ConfigError(
            f"unknown portal family {family!r}; known families: {', '.join(known_families())}"
        )
    module_name, _, class_name = path.partition(":")
    try:
        driver_class = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(
            f"the driver of portal family {family!r} ({path}) cannot be loaded: {exc}"
        ) from exc
    driver = driver_class()
    if not isinstance(driver, PortalDriver):
        raise ConfigError(f"{path} does not implement the PortalDriver contract")
    return driver
