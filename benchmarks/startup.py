"""Startup: how long ``arworker --help`` takes; proof it loads neither Playwright nor SQLAlchemy.

A CLI that imports its heavy dependencies to print its help is slow in every shell completion,
every cron ``--help`` and every typo. Each run is a fresh process (nothing cached in memory but
the OS page cache; the first run is a warm-up and not counted). The import check runs the same
command under ``python -X importtime`` and lists every top-level package it imported. Usage::

    python benchmarks/startup.py            # 21 timed runs
    python benchmarks/startup.py --quick    # 5 timed runs
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from result_table import loadavg_text, render_table, write_results

NAME = "startup"
DEFAULT_RUNS = 21
QUICK_RUNS = 5
RUN_TIMEOUT_S = 60.0
#: what ``arworker --help`` must not import
HEAVY_PACKAGES = ("playwright", "sqlalchemy", "oracledb", "psycopg", "structlog", "pydantic")
#: the issue's target for ``arworker --help``
TARGET_S = 0.5


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_RUNS} runs")
    parser.add_argument("--runs", type=int, help=f"timed runs (default {DEFAULT_RUNS})")
    args = parser.parse_args(argv)
    runs = args.runs or (QUICK_RUNS if args.quick else DEFAULT_RUNS)
    command = arworker_command()
    env = {name: value for name, value in os.environ.items() if not name.startswith("ARWORKER_")}
    loadavg_before = os.getloadavg()
    _run(command, env)  # warm-up: page cache, .pyc files
    times = [_run(command, env) for _ in range(runs)]
    python_only = [_run([sys.executable, "-c", "pass"], env) for _ in range(runs)]
    imported = imported_packages(command, env)
    heavy = sorted(p for p in imported if p in HEAVY_PACKAGES)
    loadavg_after = os.getloadavg()
    median_s = statistics.median(times)
    rows = [
        ("arworker --help", median_s, min(times), max(times), runs),
        (
            "python -c pass (floor)",
            statistics.median(python_only),
            min(python_only),
            max(python_only),
            runs,
        ),
    ]
    print(render_table(("command", "median s", "min s", "max s", "runs"), rows))
    print(f"\ntarget: median under {TARGET_S} s: {'met' if median_s < TARGET_S else 'NOT met'}")
    print(f"heavy packages imported by --help: {', '.join(heavy) or 'none'}")
    print(
        f"load average before/after: {loadavg_text(loadavg_before)} / {loadavg_text(loadavg_after)}"
    )
    path = write_results(
        NAME,
        {
            "command": command,
            "runs": runs,
            "median_s": median_s,
            "times_s": times,
            "python_floor_median_s": statistics.median(python_only),
            "target_s": TARGET_S,
            "heavy_packages_imported": heavy,
            "packages_imported": sorted(imported),
            "loadavg_before": loadavg_before,
            "loadavg_after": loadavg_after,
        },
    )
    print(f"written {path}")
    return 0 if not heavy else 1


def arworker_command() -> list[str]:
    """The installed console script next to this interpreter, else ``python -m worker``."""
    script = Path(sys.executable).with_name("arworker")
    if script.is_file():
        return [str(script), "--help"]
    found = shutil.which("arworker")
    if found:
        return [found, "--help"]
    return [sys.executable, "-m", "worker", "--help"]


def imported_packages(command: Sequence[str], env: dict[str, str]) -> set[str]:
    """Top-level packages the command imports, from ``python -X importtime``'s report."""
    if Path(command[0]).name == "arworker":
        python_command = [sys.executable, "-X", "importtime", command[0], *command[1:]]
    else:
        python_command = [sys.executable, "-X", "importtime", *command[1:]]
    result = subprocess.run(
        python_command,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=True,
    )
    packages = set()
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        name = line.rsplit("|", 1)[1].strip()
        if name and name != "imported package":
            packages.add(name.split(".")[0])
    return packages


def _run(command: Sequence[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        list(command),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=RUN_TIMEOUT_S,
        check=True,
    )
    return time.perf_counter() - started


if __name__ == "__main__":
    raise SystemExit(main())
