"""``arworker sandbox serve`` as a person starts it: no fault options, a page answers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


def _wait_for(url: str, proc: subprocess.Popen[str]) -> tuple[int, str]:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            _, err = proc.communicate()
            pytest.fail(f"sandbox serve exited with {proc.returncode}: {err[-3000:]}")
        try:
            return _get(url)
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_sandbox_serve_without_fault_options_serves_the_portals(tmp_path: Path) -> None:
    """With only a port, the stand-ins start with a healthy portal's defaults and answer pages."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARWORKER_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker", "sandbox", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env | {"PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        status, index = _wait_for(f"http://127.0.0.1:{port}/", proc)
        assert status == 200
        assert 'href="/coupa/login"' in index
        status, login = _get(f"http://127.0.0.1:{port}/coupa/login")
        assert status == 200
        assert "<form" in login
        _, faults = _get(f"http://127.0.0.1:{port}/__sandbox/faults")
        applied = json.loads(faults)
        assert applied["session_idle_s"] == 1800.0
        assert applied["lockout_after"] == 3
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    assert proc.returncode == 0


def test_sandbox_serve_refuses_a_bad_fault_option(tmp_path: Path) -> None:
    """An out-of-range fault option is a usage error naming the option, not a traceback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARWORKER_")}
    result = subprocess.run(
        [sys.executable, "-m", "worker", "sandbox", "serve", "--error-rate", "2"],
        cwd=tmp_path,
        env=env | {"PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "error_rate must be a number between 0.0 and 1.0" in result.stderr
    assert "Traceback" not in result.stderr
