"""The Oracle engine keeps credentials out of the URL and configures the driver as documented."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from config.settings import DatabaseSettings
from connectors.oracle.engine import (
    ORACLE_CONNECT_TIMEOUT_S,
    create_engine,
    oracle_connect_args,
    oracle_thick_mode_options,
    redacted_url,
)
from connectors.oracle.errors import StoreUnavailable, wrap_db_errors

URL = "oracle+oracledb://@127.0.0.1:1521/?service_name=FREEPDB1"


def _settings(**values: object) -> DatabaseSettings:
    return DatabaseSettings.model_validate({"url": URL, **values})


def test_oracle_engine_url_carries_no_credentials() -> None:
    """User and password travel in connect_args; the engine's URL has neither."""
    engine = create_engine(
        DatabaseSettings(
            url="oracle+oracledb://xxarw_app@127.0.0.1:1521/?service_name=FREEPDB1",
            password=SecretStr("s3cret"),
        )
    )
    try:
        assert not engine.url.username
        assert engine.url.password is None
        assert "s3cret" not in engine.url.render_as_string(hide_password=False)
        _, connect_kwargs = engine.dialect.create_connect_args(engine.url)
        assert "s3cret" not in str(connect_kwargs)
        assert engine.dialect.arraysize == DatabaseSettings().arraysize  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def test_oracle_connect_args_hold_credentials_wallet_and_tns_admin(tmp_path: Path) -> None:
    """Thin mode gets user, password, config_dir, wallet and the connect timeout per connection."""
    settings = _settings(
        user="XXARW_APP",
        password=SecretStr("s3cret"),
        tns_admin=tmp_path,
        wallet_location=tmp_path / "wallet",
        wallet_password=SecretStr("w4llet"),
    )
    args = oracle_connect_args(make_url(settings.url), settings)
    assert args["user"] == "XXARW_APP"
    assert args["password"] == "s3cret"
    assert args["config_dir"] == str(tmp_path)
    assert args["wallet_location"] == str(tmp_path / "wallet")
    assert args["wallet_password"] == "w4llet"
    assert args["tcp_connect_timeout"] == ORACLE_CONNECT_TIMEOUT_S


def test_oracle_connect_args_read_tns_admin_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a tns_admin setting, $TNS_ADMIN names the directory of tnsnames.ora."""
    monkeypatch.setenv("TNS_ADMIN", str(tmp_path))
    settings = DatabaseSettings(url="oracle+oracledb://@EBSPROD", user="XXARW_APP")
    assert oracle_connect_args(make_url(settings.url), settings)["config_dir"] == str(tmp_path)


def test_oracle_thin_mode_is_the_default() -> None:
    """No Instant Client is initialised unless thick mode is configured."""
    assert oracle_thick_mode_options(_settings()) is None


def test_oracle_thick_mode_takes_the_client_and_config_directories(tmp_path: Path) -> None:
    """Thick mode passes lib_dir and config_dir to init_oracle_client, not to each connection."""
    settings = _settings(
        thick_mode=True, instant_client_dir=tmp_path / "ic", tns_admin=tmp_path / "net"
    )
    assert oracle_thick_mode_options(settings) == {
        "lib_dir": str(tmp_path / "ic"),
        "config_dir": str(tmp_path / "net"),
    }
    assert "config_dir" not in oracle_connect_args(make_url(settings.url), settings)


def test_redacted_url_never_shows_a_password() -> None:
    """The URL as logged hides any password."""
    settings = DatabaseSettings.model_construct(url="oracle+oracledb://u:pw@h:1521/?service_name=S")
    assert "pw" not in redacted_url(settings).replace("1521", "")


def test_oracle_engine_reports_an_unreachable_server_as_transient() -> None:
    """A refused connection (python-oracledb thin, DPY-6005) becomes StoreUnavailable: retried."""
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = create_engine(
        DatabaseSettings(
            url=f"oracle+oracledb://@127.0.0.1:{port}/?service_name=FREEPDB1",
            user="xxarw_app",
            password=SecretStr("s3cret"),
        )
    )
    try:
        with pytest.raises(StoreUnavailable) as caught, wrap_db_errors(), engine.connect():
            pass
    finally:
        engine.dispose()
    assert "s3cret" not in str(caught.value)
