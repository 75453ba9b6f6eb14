"""Authenticator (TOTP) codes, computed on the fleet's clock rather than this host's.

A TOTP code is only good for its 30-second step: a host whose clock is off by more than a step
or two types codes the portal refuses, and a refused sign-in pauses that login for every worker
until its secret changes (a lock-out guard: nothing is retried). Found by
``benchmarks/chaos.py --mode clock-skew``: the host ten minutes ahead paused the fleet's login
although the secret was right. So the worker measures how far this host's clock is from the
database server's (the one clock the fleet agrees on for leases) at the start of every run and,
when they disagree by more than :data:`TOLERATED_SKEW_S`, computes codes on the database's time
and says so in the log (``host.clock_skew``): fix the host's NTP.

The offset is process-wide: drivers get a page and an account, not the run's context, and one
process has one host clock.
"""

from __future__ import annotations

import time

import pyotp
from pydantic import SecretStr

#: host and database clocks may differ by this much before codes follow the database's
TOLERATED_SKEW_S = 15.0

_offset_s = 0.0


def follow_database_clock(offset_s: float) -> bool:
    """Use ``offset_s`` (database time − host time) for codes when it is beyond the tolerance;
    returns whether it is (the host's clock needs fixing)."""
    global _offset_s
    skewed = abs(offset_s) > TOLERATED_SKEW_S
    _offset_s = offset_s if skewed else 0.0
    return skewed


def authenticator_code(secret: SecretStr) -> str:
    """The code an authenticator app would show now, on the fleet's clock."""
    return pyotp.TOTP(secret.get_secret_value()).at(time.time() + _offset_s)
