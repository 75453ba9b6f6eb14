"""Chaos run: the crash test at a larger size, with figures instead of assertions.

Seeds the whole demo book (or several copies' worth of kills), serves the stand-in portal with
fault injection, then runs ``arworker run --nightly-now --exit-when-drained`` again and again,
killing it with SIGKILL at random moments, until every invoice is settled. Prints how many
invoices reached the portal twice (must be 0), how many were lost (must be 0), and how many
outcomes have other than exactly one note (must be 0).

``--mode clock-skew``: two workers drain one queue on PostgreSQL at the same time, each under
libfaketime with its host clock moved (``--skew-s``, default 600: one ahead, one behind), with
30 s leases and lost confirmations, then more drains until everything is settled. Leases and
retry times come from the database's clock, so a host whose clock runs ahead must not take over
the other's items: prints duplicates, lost invoices, and statuses that disagree with what the
portal holds (each must be 0), and how many leases were taken over.

    python benchmarks/chaos.py [--kills 15] [--error-rate 0.05] [--confirm-fail-rate 0.1]
    python benchmarks/chaos.py --mode clock-skew [--skew-s 600]   # needs faketime, PostgreSQL
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from config.settings import DatabaseSettings  # noqa: E402
from connectors.oracle.engine import create_engine  # noqa: E402
from connectors.oracle.records import SubmissionStatus  # noqa: E402
from connectors.oracle.store import Store  # noqa: E402
from sandbox.book import SUPPLIER_NAME, demo_book  # noqa: E402
from sandbox.faults import Faults  # noqa: E402
from sandbox.seeder import portal_catalog, seed_demo_book  # noqa: E402
from sandbox.server import start_sandbox  # noqa: E402

MAX_ROUNDS = 200
RUN_TIMEOUT_S = 600


SKEW_ROUNDS = 10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("kill", "clock-skew"), default="kill")
    parser.add_argument("--skew-s", type=int, default=600, help="clock-skew: each host's offset")
    parser.add_argument("--kills", type=int, default=15)
    parser.add_argument("--error-rate", type=float, default=0.05)
    parser.add_argument("--confirm-fail-rate", type=float, default=0.1)
    parser.add_argument("--latency-ms", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks/results/chaos.json")
    args = parser.parse_args()
    if args.mode == "clock-skew":
        return clock_skew(args)
    rng = random.Random(args.seed)
    today = dt.date.today()
    book = demo_book(today=today)
    faults = Faults(
        error_rate=args.error_rate,
        confirm_fail_rate=args.confirm_fail_rate,
        latency_ms=args.latency_ms,
        seed=args.seed,
    )
    with (
        tempfile.TemporaryDirectory() as tmp,
        start_sandbox(portal_catalog(today=today), faults=faults) as sandbox,
    ):
        root = Path(tmp)
        db_url = f"sqlite:///{root / 'chaos.db'}"
        store = Store(create_engine(DatabaseSettings(url=db_url)), org_ids=[204])
        store.create_schema(include_ebs_stand_ins=True)
        seed_demo_book(
            store.engine, portal_base_url=sandbox.url, today=today, secrets_dir=root / "secrets"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("ARWORKER_")} | {
            "PYTHONPATH": str(REPO),
            "ARWORKER_DATABASE__URL": db_url,
            "ARWORKER_SECRETS_DIR": str(root / "secrets"),
            "ARWORKER_BROWSER__ARTIFACTS_DIR": str(root / "artifacts"),
            "ARWORKER_BROWSER__STATE_DIR": str(root / "state"),
            "ARWORKER_QUEUE__JOURNAL_PATH": str(root / "journal.jsonl"),
            "ARWORKER_QUEUE__BACKOFF_BASE_S": "0.2",
            "ARWORKER_QUEUE__BACKOFF_MAX_S": "1",
            "ARWORKER_QUEUE__MAX_ATTEMPTS": "15",
            "ARWORKER_QUEUE__LEASE_DURATION_S": "30",
            "ARWORKER_LOGGING__LEVEL": "WARNING",
            "ARWORKER_SUPPLIER__NAME": SUPPLIER_NAME,
        }
        started = time.monotonic()
        kills = rounds = 0
        for rounds in range(1, MAX_ROUNDS + 1):  # noqa: B007 - rounds is reported
            with (root / "worker.log").open("a") as log:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "worker", "run", "--nightly-now", "--exit-when-drained"],
                    cwd=root,
                    env=env,
                    stdout=log,
                    stderr=log,
                )
            if kills < args.kills:
                try:
                    proc.wait(timeout=rng.uniform(3.0, 12.0))
                except subprocess.TimeoutExpired:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait(timeout=30)
                    kills += 1
                    continue
            else:
                proc.wait(timeout=RUN_TIMEOUT_S)
            if kills >= args.kills and all(s.status.is_terminal for s in store.submissions()):
                break
            time.sleep(1.0)
        elapsed = time.monotonic() - started
        with urllib.request.urlopen(f"{sandbox.url}/__sandbox/received", timeout=10) as r:
            received = json.load(r)
        rows = store.submissions()
        eligible = {i.trx_number for i in book.eligible_invoices}
        per_invoice = Counter(str(r["invoice_number"]) for r in received)
        notes: Counter[int] = Counter()
        for customer in book.enrolled_customers:
            for note in store.notes_for_account(customer.cust_account_id):
                schedule = dict(note.contexts).get("IEX_INVOICES")
                if schedule is not None:
                    notes[schedule] += 1
        result = {
            "kills": kills,
            "worker_runs": rounds,
            "seconds": round(elapsed, 1),
            **_outcomes(store, rows, eligible, per_invoice),
            "outcomes_without_exactly_one_note": sum(
                1 for s in rows if s.status.is_terminal and notes[s.payment_schedule_id] != 1
            ),
            "faults": {
                "error_rate": args.error_rate,
                "confirm_fail_rate": args.confirm_fail_rate,
                "latency_ms": args.latency_ms,
            },
        }
        store.engine.dispose()
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    bad = result["duplicates"] or result["lost"] or result["outcomes_without_exactly_one_note"]
    return 1 if bad else 0


def _outcomes(
    store: Store, rows: list[Any], eligible: set[str], on_portal: Counter[str]
) -> dict[str, int]:
    """What both modes report: how the invoices ended, lost ones, duplicates, takeovers."""
    return {
        "eligible": len(eligible),
        "submitted": sum(s.status is SubmissionStatus.SUBMITTED for s in rows),
        "rejected": sum(s.status is SubmissionStatus.REJECTED for s in rows),
        "failed": sum(s.status is SubmissionStatus.FAILED for s in rows),
        "not_settled": sum(not s.status.is_terminal for s in rows),
        "lost": len(eligible - {s.trx_number for s in rows}),
        "duplicates": sum(1 for c in on_portal.values() if c > 1),
        "lease_takeovers": sum(
            1
            for s in rows
            for e in store.events(s.submission_id)
            if e["event_type"] == "LEASE_EXPIRED"
        ),
    }


def clock_skew(args: argparse.Namespace) -> int:
    """Two workers, host clocks ``--skew-s`` ahead and behind, one PostgreSQL queue."""
    import shutil

    from scratch_database import scratch_database

    faketime = shutil.which("faketime")
    if faketime is None:
        print("clock-skew needs libfaketime: apt-get install -y faketime")
        return 2
    today = dt.date.today()
    book = demo_book(today=today)
    faults = Faults(
        confirm_fail_rate=args.confirm_fail_rate, latency_ms=args.latency_ms, seed=args.seed
    )
    with (
        tempfile.TemporaryDirectory() as tmp,
        scratch_database("postgresql", Path(tmp), "skew") as db_url,
        start_sandbox(portal_catalog(today=today), faults=faults) as sandbox,
    ):
        if db_url is None:
            print("clock-skew needs PostgreSQL (ARWORKER_BENCH_PG_URL): not reachable")
            return 2
        root = Path(tmp)
        store = Store(create_engine(DatabaseSettings(url=db_url)), org_ids=[204])
        seed_demo_book(
            store.engine, portal_base_url=sandbox.url, today=today, secrets_dir=root / "secrets"
        )
        store.enqueue_open_invoices(run_id="skew")
        base = {k: v for k, v in os.environ.items() if not k.startswith("ARWORKER_")} | {
            "PYTHONPATH": str(REPO),
            "ARWORKER_DATABASE__URL": db_url,
            "ARWORKER_SECRETS_DIR": str(root / "secrets"),
            "ARWORKER_QUEUE__BACKOFF_BASE_S": "0.2",
            "ARWORKER_QUEUE__BACKOFF_MAX_S": "1",
            "ARWORKER_QUEUE__MAX_ATTEMPTS": "15",
            "ARWORKER_QUEUE__LEASE_DURATION_S": "30",
            "ARWORKER_LOGGING__LEVEL": "WARNING",
            "ARWORKER_SUPPLIER__NAME": SUPPLIER_NAME,
        }

        def worker(name: str, offset_s: int) -> subprocess.Popen[bytes]:
            folder = root / name
            env = base | {
                "ARWORKER_BROWSER__ARTIFACTS_DIR": str(folder / "artifacts"),
                "ARWORKER_BROWSER__STATE_DIR": str(folder / "state"),
                "ARWORKER_QUEUE__JOURNAL_PATH": str(folder / "journal.jsonl"),
            }
            folder.mkdir(exist_ok=True)
            command = [faketime, "-f", f"{offset_s:+d}s", sys.executable, "-m", "worker", "submit"]
            with (folder / "worker.log").open("a") as log:
                return subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=log)

        started = time.monotonic()
        rounds = 0
        for rounds in range(1, SKEW_ROUNDS + 1):  # noqa: B007 - rounds is reported
            pair = [worker("ahead", args.skew_s), worker("behind", -args.skew_s)]
            for proc in pair:
                proc.wait(timeout=RUN_TIMEOUT_S)
            if all(s.status.is_terminal for s in store.submissions()):
                break
        elapsed = time.monotonic() - started
        with urllib.request.urlopen(f"{sandbox.url}/__sandbox/received", timeout=10) as r:
            received = json.load(r)
        rows = store.submissions()
        eligible = {i.trx_number for i in book.eligible_invoices}
        on_portal = Counter(str(r["invoice_number"]) for r in received)
        mismatched = [
            s.trx_number
            for s in rows
            if (s.status is SubmissionStatus.SUBMITTED) != (on_portal[s.portal_invoice_number] > 0)
        ]
        result = {
            "mode": "clock-skew",
            "host_clocks_s": [args.skew_s, -args.skew_s],
            "rounds_of_two_workers": rounds,
            "seconds": round(elapsed, 1),
            **_outcomes(store, rows, eligible, on_portal),
            "statuses_not_matching_the_portal": len(mismatched),
            "mismatched_examples": mismatched[:5],
            "confirm_fail_rate": args.confirm_fail_rate,
        }
        store.engine.dispose()
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    out = args.out.with_name("chaos_clock_skew.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    bad = result["duplicates"] or result["lost"] or result["statuses_not_matching_the_portal"]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
