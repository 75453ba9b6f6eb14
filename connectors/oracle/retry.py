"""Retrying a unit of work as a whole when the database blips.

Only :class:`StoreUnavailable` is retried, and always the whole transaction (never half of one):
every store method opens its own ``engine.begin()`` inside the attempt.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from connectors.oracle.errors import StoreUnavailable

log = structlog.get_logger(__name__)


@dataclass(frozen=True, kw_only=True, slots=True)
class RetrySettings:
    """How hard a unit of work tries before the database is declared down."""

    attempts: int = 3
    initial_wait_s: float = 0.2
    max_wait_s: float = 5.0

    def retrying(self) -> Retrying:
        """A tenacity controller for one unit of work."""
        return Retrying(
            retry=retry_if_exception_type(StoreUnavailable),
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential_jitter(multiplier=self.initial_wait_s, max=self.max_wait_s),
            after=_log_attempt,
            reraise=True,
        )


def _log_attempt(state: RetryCallState) -> None:
    if state.outcome is not None and state.outcome.failed:
        log.warning(
            "store.retry",
            attempt_number=state.attempt_number,
            error=str(state.outcome.exception()),
        )
