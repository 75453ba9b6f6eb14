"""Configuration: defaults, sources, and errors that name the key, the problem and a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.secrets import SecretNotFound, resolve_secret, secret_env_name
from config.settings import ConfigError, load_settings


def test_defaults_are_the_embedded_demo() -> None:
    """With nothing configured, the worker uses the embedded SQLite database."""
    settings = load_settings()
    assert settings.database.url == "sqlite:///var/arworker.db"
    assert settings.database.notes_mode == "table"
    assert settings.browser.max_pages >= 1


def test_env_nested_delimiter(monkeypatch: pytest.MonkeyPatch) -> None:
    """ARWORKER_QUEUE__MAX_ATTEMPTS sets queue.max_attempts."""
    monkeypatch.setenv("ARWORKER_QUEUE__MAX_ATTEMPTS", "7")
    assert load_settings().queue.max_attempts == 7


def test_toml_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A TOML file named by ARWORKER_CONFIG is read; the environment still wins."""
    path = tmp_path / "arworker.toml"
    path.write_text("[database]\norg_ids = [204, 458]\n[queue]\nmax_attempts = 4\n")
    monkeypatch.setenv("ARWORKER_CONFIG", str(path))
    monkeypatch.setenv("ARWORKER_QUEUE__MAX_ATTEMPTS", "9")
    settings = load_settings()
    assert settings.database.org_ids == [204, 458]
    assert settings.queue.max_attempts == 9


def test_bad_value_names_key_problem_and_example(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad value fails with the dotted key, the env variable, the problem and an example."""
    monkeypatch.setenv("ARWORKER_QUEUE__MAX_ATTEMPTS", "zero")
    with pytest.raises(ConfigError) as info:
        load_settings()
    (problem,) = info.value.problems
    assert problem.startswith("queue.max_attempts (ARWORKER_QUEUE__MAX_ATTEMPTS)")
    assert "integer" in problem
    assert "for example queue.max_attempts = 5" in problem


def test_password_in_url_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A password inside the database URL is refused with the place to put it instead."""
    monkeypatch.setenv(
        "ARWORKER_DATABASE__URL", "oracle+oracledb://apps:secret@db:1521/?service_name=X"
    )
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "ARWORKER_DATABASE__PASSWORD" in str(info.value)


def test_unknown_scheme_and_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two bad values are both reported at once."""
    monkeypatch.setenv("ARWORKER_DATABASE__URL", "mysql://db/x")
    monkeypatch.setenv("ARWORKER_SCHEDULER__TIMEZONE", "Mars/Olympus")
    with pytest.raises(ConfigError) as info:
        load_settings()
    text = "\n".join(info.value.problems)
    assert "database.url" in text and "oracle+oracledb" in text
    assert "scheduler.timezone" in text and "Mars/Olympus" in text


def test_missing_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """ARWORKER_CONFIG naming a missing file is an error, not silently ignored."""
    monkeypatch.setenv("ARWORKER_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="not a readable file"):
        load_settings()


def test_secret_from_env_then_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Secrets resolve from ARWORKER_SECRET_<REF>, else from the secrets directory."""
    (tmp_path / "COUPA_PW").write_text("from-file\n")
    assert resolve_secret("COUPA_PW", tmp_path).get_secret_value() == "from-file"
    monkeypatch.setenv(secret_env_name("COUPA_PW"), "from-env")
    assert resolve_secret("COUPA_PW", tmp_path).get_secret_value() == "from-env"


def test_missing_secret_says_where_it_looked(tmp_path: Path) -> None:
    """A missing secret names the variable and the file that were tried."""
    with pytest.raises(SecretNotFound) as info:
        resolve_secret("ARIBA.PW", tmp_path)
    assert "ARWORKER_SECRET_ARIBA_PW" in str(info.value)
    assert str(tmp_path / "ARIBA.PW") in str(info.value)


def test_database_password_from_secrets_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The database password may live in <secrets_dir>/database__password, never in the URL."""
    (tmp_path / "database__password").write_text("s3cret\n")
    monkeypatch.setenv("ARWORKER_SECRETS_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.database.password is not None
    assert settings.database.password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)


def test_secret_from_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A portal secret in .env is found like any setting there (config/.env.example puts them
    there), and the environment still wins."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("ARWORKER_SECRET_COUPA_PW=from-dotenv\n")
    assert resolve_secret("COUPA_PW", None).get_secret_value() == "from-dotenv"
    monkeypatch.setenv(secret_env_name("COUPA_PW"), "from-env")
    assert resolve_secret("COUPA_PW", None).get_secret_value() == "from-env"
