"""The base of every section of the settings tree.

A section lives in its own module so that the sections defined outside ``config/settings.py``
(reports, mail) share it without importing the whole tree.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class SettingsSection(BaseModel):
    """A section of the settings tree: a key it does not know is an error, never ignored."""

    model_config = ConfigDict(extra="forbid")
