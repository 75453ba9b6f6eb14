"""Recipes: a portal family described in a TOML file instead of Python.

- :mod:`~connectors.portals.recipe.files`: finding and loading ``<code>.toml``, errors naming
  the file, line and key (:mod:`~connectors.portals.recipe.positions` finds the line);
- :mod:`~connectors.portals.recipe.model`: the recipe language, checked when loaded;
- :mod:`~connectors.portals.recipe.template`: ``{invoice.number}``-style templates, and
  :mod:`~connectors.portals.recipe.numbers`: amounts written and read the locale's way;
- :mod:`~connectors.portals.recipe.driver`: the driver a recipe makes, and
  :mod:`~connectors.portals.recipe.page`: one recipe operation on a page (its navigation and
  landings are :mod:`connectors.portals.portal_page`'s, shared with the Python drivers).

The manual for recipe authors is ``docs/recipes.md``.
"""
