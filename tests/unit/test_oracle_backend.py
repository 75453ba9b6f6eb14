"""The Oracle test backend reads both DSN forms and tells a live Docker engine from none."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.oracle_backend import docker_unavailable_reason, oracle_settings, parse_dsn

PING_REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK"


@pytest.fixture
def fake_docker(tmp_path: Path) -> Iterator[Path]:
    """A unix socket answering GET /_ping the way the Docker engine does."""
    path = tmp_path / "docker.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)

    def answer() -> None:
        connection, _ = server.accept()
        with connection:
            connection.recv(1024)
            connection.sendall(PING_REPLY)

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        yield path
    finally:
        thread.join(timeout=5)
        server.close()


def test_parse_dsn_reads_a_sqlalchemy_url() -> None:
    """An oracle+oracledb:// URL is taken as it is."""
    url = parse_dsn("oracle+oracledb://system:pw@127.0.0.1:1521/?service_name=FREEPDB1")
    assert (url.username, url.host, url.port, url.query["service_name"]) == (
        "system",
        "127.0.0.1",
        1521,
        "FREEPDB1",
    )


def test_parse_dsn_reads_the_python_oracledb_form() -> None:
    """user/password@host:port/service becomes the same URL."""
    url = parse_dsn("system/pw@127.0.0.1:1521/FREEPDB1")
    assert (url.drivername, url.username, url.password, url.query["service_name"]) == (
        "oracle+oracledb",
        "system",
        "pw",
        "FREEPDB1",
    )


def test_parse_dsn_refuses_anything_else() -> None:
    """A DSN in neither form is refused with both forms shown."""
    with pytest.raises(ValueError, match="user/pw@host:port/SVC"):
        parse_dsn("just-a-host")


def test_oracle_settings_keep_the_password_out_of_the_url() -> None:
    """The settings built for a test URL carry the password as a secret, like production."""
    settings = oracle_settings(parse_dsn("system/pw@127.0.0.1:1521/FREEPDB1"))
    assert "pw" not in settings.url.replace("oracledb", "")
    assert settings.user == "system"
    assert settings.password is not None and settings.password.get_secret_value() == "pw"


def test_docker_probe_names_the_missing_socket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no engine at DOCKER_HOST the reason names the address that failed."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'absent.sock'}")
    reason = docker_unavailable_reason()
    assert reason is not None and "absent.sock" in reason


def test_docker_probe_accepts_an_engine_that_answers(
    fake_docker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An engine answering the ping means Docker is available."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{fake_docker}")
    assert docker_unavailable_reason() is None
