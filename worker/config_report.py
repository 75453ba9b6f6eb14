"""The effective configuration, as ``arworker config check`` prints it: secrets masked."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from config.settings import Settings

MASK = "********"


def effective_configuration(settings: Settings) -> dict[str, Any]:
    """Every setting with its value; ``SecretStr`` values shown as set/unset only."""
    masked: dict[str, Any] = _mask(settings.model_dump(mode="python"), settings)
    return masked


def _mask(data: Any, model: Any) -> Any:
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            current = getattr(model, key, None)
            if isinstance(current, SecretStr):
                out[key] = MASK
            else:
                out[key] = _mask(value, current)
        return out
    if isinstance(data, SecretStr):
        return MASK
    if isinstance(data, list):
        return [_mask(v, None) for v in data]
    return data if not hasattr(data, "__fspath__") else str(data)


def render_configuration(report: dict[str, Any], prefix: str = "") -> str:
    lines = []
    for key, value in report.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            lines.append(render_configuration(value, prefix=name + "."))
        else:
            lines.append(f"{name} = {value!r}")
    return "\n".join(lines)
