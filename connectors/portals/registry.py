"""Which driver speaks which portal family.

A portal account's configuration names a family ("coupa", later "ariba", "upload", "recipe");
this registry turns the name into a driver. Drivers are found by import path and imported only
when asked for, so a worker that never talks to an Ariba portal never imports its driver, and a
misspelt family fails at start-up with the list of the ones that exist.
"""

from __future__ import annotations

import importlib

from config.settings import ConfigError
from connectors.portals.base import PortalDriver

#: family → "module:ClassName"; a class built without arguments
DRIVER_PATHS: dict[str, str] = {
    "coupa": "connectors.portals.coupa:CoupaDriver",
    # "ariba": "connectors.portals.ariba:AribaDriver",
    # "upload": "connectors.portals.upload:UploadDriver",
    # "recipe": "connectors.portals.recipe:RecipeDriver",
}


def known_families() -> tuple[str, ...]:
    """The portal families this build has a driver for, sorted."""
    return tuple(sorted(DRIVER_PATHS))


def driver_for(family: str) -> PortalDriver:
    """A new driver of the family; :class:`ConfigError` naming the known families otherwise."""
    path = DRIVER_PATHS.get(family.strip().lower())
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
