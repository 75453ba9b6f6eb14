"""Secrets never reach the logs: by key name, and by value wherever they appear."""

from __future__ import annotations

import io
import json

import structlog

from worker.logging import configure_logging, register_secret


def test_secret_values_and_keys_are_masked() -> None:
    """A registered secret inside any string, and any secret-named key, are replaced by ***."""
    stream = io.StringIO()
    configure_logging(level="INFO", fmt="json", stream=stream)
    register_secret("hunter2-very-secret")
    structlog.get_logger("t").info(
        "login.failed",
        password="hunter2-very-secret",
        message="form said: password hunter2-very-secret is wrong",
        totp_secret="JBSWY3DPEHPK3PXP",
        nested={"secret_ref": "COUPA_PW", "note": "x hunter2-very-secret"},
    )
    line = json.loads(stream.getvalue())
    assert "hunter2-very-secret" not in stream.getvalue()
    assert "JBSWY3DPEHPK3PXP" not in stream.getvalue()
    assert line["password"] == "***"
    assert line["message"] == "form said: password *** is wrong"
    assert line["nested"]["note"] == "x ***"
