"""Authenticator codes follow the database's clock when this host's clock is off."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Iterator

import pyotp
import pytest
import sqlalchemy as sa
import structlog
from pydantic import SecretStr

from connectors.oracle.store import Store
from connectors.portals import login_codes
from worker.runtime import _align_authenticator_clock

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def host_clock_again() -> Iterator[None]:
    yield
    login_codes.follow_database_clock(0.0)


def test_codes_follow_the_database_only_beyond_the_tolerance() -> None:
    totp = pyotp.TOTP(SECRET)
    assert not login_codes.follow_database_clock(login_codes.TOLERATED_SKEW_S / 2)
    assert login_codes.authenticator_code(SecretStr(SECRET)) in {
        totp.at(time.time() - 30),
        totp.at(time.time()),
    }
    assert login_codes.follow_database_clock(600.0)
    assert login_codes.authenticator_code(SecretStr(SECRET)) in {
        totp.at(time.time() + 600 - 30),
        totp.at(time.time() + 600),
    }
    assert login_codes.authenticator_code(SecretStr(SECRET)) != totp.now()


def test_a_run_measures_the_host_against_the_database(tmp_path: object) -> None:
    """The database's clock ten minutes ahead of this host: codes are computed on it, and the
    log says which clock to fix."""
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    store = Store(sa.create_engine("sqlite://"), org_ids=[204], clock=lambda: ahead)
    with structlog.testing.capture_logs() as logs:
        asyncio.run(_align_authenticator_clock(store, structlog.get_logger("test")))
    (event,) = [e for e in logs if e["event"] == "host.clock_skew"]
    assert 590 <= event["offset_s"] <= 610 and "NTP" in event["fix"]
    assert login_codes.authenticator_code(SecretStr(SECRET)) in {
        pyotp.TOTP(SECRET).at(time.time() + 600 - 30),
        pyotp.TOTP(SECRET).at(time.time() + 600),
    }
