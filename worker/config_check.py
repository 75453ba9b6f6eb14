"""``arworker config check``: every problem of the configuration at once, each with its key and a
fix, and the effective configuration (secrets masked) when it could be read.

It checks what the worker would refuse at start: the settings (unknown names, bad values, a
cron expression the scheduler cannot fire, an unknown time zone), the supplier that rendered
PDFs name, and the portal drivers and recipes. It does not connect to the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from config.settings import ConfigError, load_settings
from connectors.portals.portal_checks import check_portals
from worker.config_report import effective_configuration
from worker.preflight import supplier_problems


@dataclass(frozen=True, kw_only=True, slots=True)
class ConfigCheck:
    """The effective configuration (None when the settings cannot be read) and the problems."""

    report: dict[str, Any] | None
    problems: list[str] = field(default_factory=list)


def check_configuration() -> ConfigCheck:
    """Read and check everything; nothing is raised, every problem is in the result."""
    problems: list[str] = []
    report: dict[str, Any] | None = None
    try:
        settings = load_settings()
    except ConfigError as exc:
        problems.extend(exc.problems)
    else:
        report = effective_configuration(settings)
        problems.extend(supplier_problems(settings))
    portals = check_portals()
    problems.extend(portals.problems)
    if report is not None:
        report["portals"] = portals.drivers
    return ConfigCheck(report=report, problems=problems)
