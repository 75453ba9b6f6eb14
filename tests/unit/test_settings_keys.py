"""Unknown setting names and unreadable values are refused, at every level, with a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import ConfigError, Settings, load_settings
from config.settings_keys import section_model, setting_locs
from config.settings_section import SettingsSection


def _problems(monkeypatch: pytest.MonkeyPatch, **env: str) -> list[str]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    return info.value.problems


def test_every_section_refuses_unknown_keys() -> None:
    """Each section of the settings tree forbids extra keys (pydantic's default ignores them)."""
    sections = [
        model
        for _, info in setting_locs(Settings)
        if (model := section_model(info.annotation)) is not None
    ]
    assert len(sections) >= 6
    for model in sections:
        assert issubclass(model, SettingsSection), f"{model.__name__} must be a SettingsSection"
        assert model.model_config.get("extra") == "forbid", model.__name__


def test_misspelt_nested_variable_is_refused_with_the_real_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ARWORKER_QUEUE__LEASE_DURATIN_S is refused, offering ARWORKER_QUEUE__LEASE_DURATION_S."""
    (problem,) = _problems(monkeypatch, ARWORKER_QUEUE__LEASE_DURATIN_S="600")
    assert problem.startswith("ARWORKER_QUEUE__LEASE_DURATIN_S (environment): not a setting")
    assert "did you mean ARWORKER_QUEUE__LEASE_DURATION_S?" in problem


def test_misspelt_section_and_top_level_names_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A wrong section, a key in the wrong section and a name near nothing are each refused."""
    problems = _problems(
        monkeypatch,
        ARWORKER_QUEUEE__MAX_ATTEMPTS="3",
        ARWORKER_BROWSER__LEASE_DURATION_S="30",
        ARWORKER_FROBNICATE="1",
    )
    text = "\n".join(problems)
    assert len(problems) == 3
    assert "ARWORKER_QUEUEE__MAX_ATTEMPTS (environment)" in text
    assert "did you mean ARWORKER_QUEUE__MAX_ATTEMPTS?" in text
    assert "did you mean ARWORKER_QUEUE__LEASE_DURATION_S?" in text
    frobnicate = next(p for p in problems if p.startswith("ARWORKER_FROBNICATE"))
    assert "the settings of the top level are: database, browser, queue" in frobnicate
    assert "ARWORKER_SECRET_<NAME>" in frobnicate


def test_a_name_below_a_plain_value_is_reported_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """ARWORKER_QUEUE__MAX_ATTEMPTS__X is one mistake: one line, not also "not an integer"."""
    (problem,) = _problems(monkeypatch, ARWORKER_QUEUE__MAX_ATTEMPTS__X="3")
    assert "did you mean ARWORKER_QUEUE__MAX_ATTEMPTS?" in problem


def test_the_value_of_an_unknown_variable_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    """A misspelt password variable is named, its value (a secret) is not."""
    (problem,) = _problems(monkeypatch, ARWORKER_DATABASE__PASWORD="hunter2-secret")
    assert "did you mean ARWORKER_DATABASE__PASSWORD?" in problem
    assert "hunter2" not in problem


def test_derived_config_file_is_not_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """ARWORKER_CONFIG_FILE does not point at a file; the refusal names ARWORKER_CONFIG."""
    (problem,) = _problems(monkeypatch, ARWORKER_CONFIG_FILE="/etc/arworker.toml")
    assert "did you mean ARWORKER_CONFIG?" in problem


def test_non_setting_variables_and_table_entries_are_accepted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Portal secrets, the recipes folder, test URLs and one entry of a table are not refused."""
    monkeypatch.setenv("ARWORKER_SECRET_COUPA_PW", "x")
    monkeypatch.setenv("ARWORKER_PORTALS_DIR", str(tmp_path))
    monkeypatch.setenv("ARWORKER_TEST_SOMETHING", "y")
    monkeypatch.setenv("ARWORKER_BROWSER__PORTAL_MAX_PAGES__ARIBA", "1")
    settings = load_settings()
    assert settings.browser.portal_max_pages == {"ariba": 1}


def test_bad_json_names_the_variable_and_shows_an_example(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ARWORKER_DATABASE__ORG_IDS='204,' names the variable, the value, and a JSON example."""
    (problem,) = _problems(monkeypatch, ARWORKER_DATABASE__ORG_IDS="204,")
    assert problem.startswith("ARWORKER_DATABASE__ORG_IDS (environment): '204,' is not valid JSON")
    assert "for example ARWORKER_DATABASE__ORG_IDS='[204, 458]'" in problem


def test_bad_json_table_and_empty_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """A table written as key=value, and an empty list variable, each get their own line."""
    problems = _problems(
        monkeypatch,
        ARWORKER_BROWSER__PORTAL_MAX_PAGES="ariba=1",
        ARWORKER_DATABASE__ORG_IDS="",
    )
    text = "\n".join(problems)
    assert "ARWORKER_BROWSER__PORTAL_MAX_PAGES (environment): 'ariba=1' is not valid JSON" in text
    assert """for example ARWORKER_BROWSER__PORTAL_MAX_PAGES='{"ariba": 1}'""" in text
    assert "ARWORKER_DATABASE__ORG_IDS (environment): is empty" in text


def test_bad_json_section_never_echoes_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole section in one variable may carry the password: the error does not show it."""
    (problem,) = _problems(monkeypatch, ARWORKER_DATABASE='{"password": "hunter2-secret"')
    assert problem.startswith("ARWORKER_DATABASE (environment): is not valid JSON")
    assert "hunter2" not in problem


def test_unknown_key_in_json_section_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unknown key inside a section's JSON says which variable holds it and the real key."""
    (problem,) = _problems(monkeypatch, ARWORKER_DATABASE='{"urll": "sqlite:///x.db"}')
    assert problem.startswith("database.urll (in the JSON of ARWORKER_DATABASE): unknown setting")
    assert "did you mean database.url (ARWORKER_DATABASE__URL)?" in problem


def test_unknown_toml_keys_at_every_level(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Unknown keys in the TOML file, nested or not, are refused naming the file."""
    path = tmp_path / "arworker.toml"
    path.write_text(
        "[queue]\nlease_duratin_s = 600\n[scheduler]\nnightly_cron = '0 2 * * *'\n"
        "[databse]\nurl = 'sqlite:///x.db'\n"
    )
    monkeypatch.setenv("ARWORKER_CONFIG", str(path))
    problems = _problems(monkeypatch)
    assert len(problems) == 2
    text = "\n".join(problems)
    assert f"queue.lease_duratin_s (in {path}): unknown setting" in text
    assert "did you mean queue.lease_duration_s (ARWORKER_QUEUE__LEASE_DURATION_S)?" in text
    assert f"databse (in {path}): unknown setting; did you mean database" in text


def test_dotenv_unknown_names_refused_other_lines_ignored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """In .env an unknown ARWORKER_ name is refused; other tools' variables are left alone."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "COMPOSE_PROJECT_NAME=ar\nARWORKER_QUEUE__MAX_ATTEMPTS=4\nARWORKER_QUEUE__MAX_ATEMPTS=9\n"
    )
    (problem,) = _problems(monkeypatch)
    assert problem.startswith("ARWORKER_QUEUE__MAX_ATEMPTS (.env): not a setting")
    (tmp_path / ".env").write_text("COMPOSE_PROJECT_NAME=ar\nARWORKER_QUEUE__MAX_ATTEMPTS=4\n")
    assert load_settings().queue.max_attempts == 4


def test_unknown_names_and_bad_values_reported_together(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every problem at once: an unknown name and a bad value in one report."""
    problems = _problems(
        monkeypatch, ARWORKER_QUEUE__MAX_ATEMPTS="3", ARWORKER_QUEUE__CLAIM_BATCH="many"
    )
    assert len(problems) == 2
    assert problems[0].startswith("ARWORKER_QUEUE__MAX_ATEMPTS (environment)")
    assert problems[1].startswith("queue.claim_batch (ARWORKER_QUEUE__CLAIM_BATCH)")


def test_shipped_env_example_is_accepted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """config/.env.example, copied to .env, has no unknown name and sets the supplier."""
    example = Path(__file__).resolve().parents[2] / "config" / ".env.example"
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(example.read_text())
    settings = load_settings()
    assert settings.supplier.name == "Northwind Supply Co."
    assert settings.supplier.address[0] == "1200 Harbor Way"
