"""The shipped example configuration is valid and says what the defaults are."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import Settings, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "arworker.example.toml"


def test_example_toml_loads_and_matches_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pointing ARWORKER_CONFIG at the example gives exactly the built-in defaults."""
    monkeypatch.setenv("ARWORKER_CONFIG", str(EXAMPLE))
    from_file = load_settings()
    monkeypatch.delenv("ARWORKER_CONFIG")
    defaults = load_settings()
    skip = {"config_file"}
    assert from_file.model_dump(exclude=skip | {"browser"}) == defaults.model_dump(
        exclude=skip | {"browser"}
    )
    assert from_file.browser.model_dump(exclude={"max_pages"}) == defaults.browser.model_dump(
        exclude={"max_pages"}
    )


def test_every_setting_is_in_the_example() -> None:
    """Each section key of the settings tree appears in the example file (documented)."""
    text = EXAMPLE.read_text()
    for section, field in Settings.model_fields.items():
        if section in ("config_file",):
            continue
        model = field.annotation
        sub_fields = getattr(model, "model_fields", None)
        if sub_fields is None:
            assert f"{section} =" in text, section
            continue
        assert f"[{section}]" in text, section
        for key in sub_fields:
            assert f"{key} =" in text, f"{section}.{key} is not in arworker.example.toml"
