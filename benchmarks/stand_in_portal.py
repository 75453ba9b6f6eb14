"""The stand-in portal in a process of its own, serving the benchmark book, and its handle.

A benchmark must not let the portal share a process (and a GIL) with what it measures, and it
must be able to subtract the portal's CPU from the machine's: so the portal runs as a child, is
driven through the sandbox's admin endpoints (latency fault, reset, received invoices, logins),
and its CPU is read from ``/proc`` by pid.

Run as a script, it serves until its stdin closes (the parent died or is done)::

    python benchmarks/stand_in_portal.py --invoices 40 --buyers 8 --seed 11 --today 2026-11-22
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import psutil
from bench_book import DEFAULT_BUYERS, DEFAULT_SEED, bench_book

READY_PREFIX = "READY "
START_TIMEOUT_S = 60.0
ADMIN_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


@dataclass(frozen=True, kw_only=True, slots=True)
class PortalActivity:
    """What the portal saw in one run: accepted uploads and successful logins, with times."""

    received: tuple[str, ...]  #: invoice numbers, in arrival order
    received_at: tuple[float, ...]  #: epoch seconds
    logins_ok: int
    logins_failed: int
    first_login_at: float | None  #: epoch seconds of the first successful login

    @property
    def duplicates(self) -> int:
        return len(self.received) - len(set(self.received))

    @property
    def last_received_at(self) -> float | None:
        return max(self.received_at) if self.received_at else None


class PortalProcess:
    """``with PortalProcess(invoices=N) as portal:`` a portal child on 127.0.0.1."""

    def __init__(
        self,
        *,
        invoices: int,
        buyers: int = DEFAULT_BUYERS,
        seed: int = DEFAULT_SEED,
        today: dt.date | None = None,
    ) -> None:
        self._args = [
            "--invoices",
            str(invoices),
            "--buyers",
            str(buyers),
            "--seed",
            str(seed),
            "--today",
            (today or dt.date.today()).isoformat(),
        ]
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("the portal is not started")
        return self._process.pid

    def __enter__(self) -> PortalProcess:
        script = Path(__file__).resolve()
        self._process = subprocess.Popen(
            [sys.executable, str(script), *self._args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        assert self._process.stdout is not None
        while time.monotonic() < deadline:
            line = self._process.stdout.readline()
            if line.startswith(READY_PREFIX):
                self.url = line[len(READY_PREFIX) :].strip()
                return self
            if not line and self._process.poll() is not None:
                break
        self.__exit__(None, None, None)
        raise RuntimeError("the stand-in portal process did not start")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()  # the child's signal to stop
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT_S)

    def cpu_seconds(self) -> float:
        """User + system CPU of the portal process (all its threads) so far."""
        times = psutil.Process(self.pid).cpu_times()
        return float(times.user + times.system)

    def set_latency(self, latency_ms: int) -> None:
        self._post("/__sandbox/faults", {"latency_ms": latency_ms})

    def reset(self) -> None:
        """Forget received invoices, logins and lock-outs; keeps the latency fault."""
        faults = self._get("/__sandbox/faults")
        self._post("/__sandbox/reset", {})
        self._post("/__sandbox/faults", {"latency_ms": faults["latency_ms"]})

    def pages_served(self) -> int:
        """Pages (not static assets) the portal served since it started: compare two reads."""
        counts: dict[str, dict[str, int]] = self._get("/__sandbox/requests")
        return sum(n for paths in counts.values() for n in paths.values())

    def set_status(self, invoice_number: str, body: dict[str, Any]) -> None:
        """Move an invoice along its life on the portal (approved, disputed, paid ...)."""
        self._post(f"/__sandbox/coupa/invoices/{invoice_number}/status", body)

    def activity(self) -> PortalActivity:
        received = self._get("/__sandbox/received")
        logins = self._get("/__sandbox/logins")
        ok = [_epoch(item["at"]) for item in logins if item["ok"]]
        return PortalActivity(
            received=tuple(item["invoice_number"] for item in received),
            received_at=tuple(_epoch(item["received_at"]) for item in received),
            logins_ok=len(ok),
            logins_failed=len(logins) - len(ok),
            first_login_at=min(ok) if ok else None,
        )

    def _get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=ADMIN_TIMEOUT_S) as response:
            return json.load(response)

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=ADMIN_TIMEOUT_S) as response:
            return json.load(response)


def _epoch(stamp: str) -> float:
    return dt.datetime.fromisoformat(stamp).timestamp()


def main() -> int:
    from sandbox.server import start_sandbox

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, required=True)
    parser.add_argument("--buyers", type=int, default=DEFAULT_BUYERS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    args = parser.parse_args()
    book = bench_book(args.invoices, buyers=args.buyers, seed=args.seed, today=args.today)
    with start_sandbox(book.catalog) as running:
        print(READY_PREFIX + running.url, flush=True)
        sys.stdin.read()  # until the parent closes our stdin (or dies)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
