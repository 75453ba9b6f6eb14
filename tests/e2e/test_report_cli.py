"""``arworker report`` as a subprocess: reports on stdout and in files, the monthly report and the
digest by e-mail to a real SMTP server on 127.0.0.1, and the daemon sending the monthly report."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from config.settings import DatabaseSettings
from connectors.oracle.engine import create_engine
from connectors.oracle.store import Store
from tests.support.report_book import TODAY, load_report_book
from tests.support.report_expectations import Expected
from tests.support.smtp_server import PASSWORD, USERNAME, LocalRelay
from tests.support.workspace import base_env

pytestmark = pytest.mark.e2e

MONTH_END = dt.date(2026, 10, 31)
RECIPIENTS = "ar-managers@northwind-supply.example,cfo@northwind-supply.example"
CLI_TIMEOUT_S = 180
DAEMON_WAIT_S = 120


class ReportWorld:
    def __init__(self, root: Path, relay: LocalRelay) -> None:
        self.root = root
        self.relay = relay
        self.db_url = f"sqlite:///{root / 'arworker.db'}"
        self.env = base_env(root, self.db_url) | {
            "ARWORKER_REPORTS__OUTPUT_DIR": str(root / "reports"),
            "ARWORKER_REPORTS__RECIPIENTS": json.dumps(RECIPIENTS.split(",")),
            "ARWORKER_MAIL__HOST": "127.0.0.1",
            "ARWORKER_MAIL__PORT": str(relay.port),
            "ARWORKER_MAIL__USERNAME": USERNAME,
            "ARWORKER_MAIL__PASSWORD_REF": "SMTP_PASSWORD",
            "ARWORKER_MAIL__FROM_ADDRESS": "arworker@northwind-supply.example",
            "ARWORKER_MAIL__CA_FILE": str(relay.ca_file),
            "ARWORKER_SECRET_SMTP_PASSWORD": PASSWORD,
        }

    def cli(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "worker", *args],
            cwd=self.root,
            env=self.env | env,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_S,
            check=False,
        )

    def engine(self) -> sa.Engine:
        return create_engine(DatabaseSettings(url=self.db_url))


@pytest.fixture
def world(tmp_path: Path) -> Iterator[ReportWorld]:
    with LocalRelay(tmp_path) as relay:
        world = ReportWorld(tmp_path, relay)
        engine = world.engine()
        Store(engine, org_ids=[204]).create_schema(include_ebs_stand_ins=True)
        load_report_book(engine)
        engine.dispose()
        yield world


def _expected(world: ReportWorld) -> Expected:
    engine = world.engine()
    try:
        return Expected.read(engine)
    finally:
        engine.dispose()


def test_past_due_csv_on_stdout_matches_the_book_and_is_recorded_as_a_run(
    world: ReportWorld,
) -> None:
    """The default report: one header row, the accounts over 10,000 more than 60 days late."""
    result = world.cli("report", "past-due", "--as-of", TODAY.isoformat())
    assert result.returncode == 0, result.stderr[-2000:]
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    want = _expected(world).past_due(TODAY)
    assert {r["account_number"]: Decimal(r["past_due_amount"]) for r in rows} == {
        a: w.past_due for a, w in want.items()
    }
    engine = world.engine()
    runs = Store(engine, org_ids=[204]).job_runs("report_past_due")
    engine.dispose()
    assert [r["status"] for r in runs] == ["COMPLETED"]


def test_formats_and_filters_by_hand(world: ReportWorld) -> None:
    """XLSX to a file, JSON with the detail, HTML on stdout, a collector, another bucket set."""
    out = world.root / "aging.xlsx"
    xlsx = world.cli(
        "report", "aging", "--as-of", "2026-10-31", "--format", "xlsx", "--out", str(out)
    )
    assert xlsx.returncode == 0, xlsx.stderr[-2000:]
    assert openpyxl.load_workbook(out).sheetnames == [
        "Summary",
        "Aging by customer",
        "Aging by collector",
    ]
    js = world.cli(
        "report", "past-due", "--as-of", "2026-10-31", "--format", "json", "--detail",
        "--collector", "james okafor",
    )  # fmt: skip
    assert js.returncode == 0, js.stderr[-2000:]
    data = json.loads(js.stdout)
    assert {r["collector"] for r in data["tables"]["past_due_accounts"]} == {"James Okafor"}
    assert all(int(r["days_late"]) > 60 for r in data["tables"]["invoices"])
    html = world.cli("report", "aging", "--buckets", "4-bucket aging", "--format", "html")
    assert html.returncode == 0 and "61+" in html.stdout and "<svg" in html.stdout
    dso = world.cli("report", "dso", "--as-of", "2026-10-31", "--format", "csv", "--detail")
    assert dso.returncode == 0
    assert len(list(csv.DictReader(io.StringIO(dso.stdout)))) == 12 * 6  # 5 collectors + all


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--buckets", "9-Bucket"], "no aging bucket set named '9-Bucket'; the database has"),
        (["--collector", "Nobody"], "no collector named 'Nobody'"),
        (["--org-id", "458"], "[458] are not configured"),
        (["--as-of", "31/10/2026"], "is not a date such as 2026-10-31"),
        (["--min-balance", "ten"], "is not an amount such as 10000"),
    ],
)
def test_a_bad_request_exits_2_saying_what_exists(
    world: ReportWorld, args: list[str], message: str
) -> None:
    """Unknown bucket sets, collectors, operating units and malformed values: exit 2, no file."""
    result = world.cli("report", "past-due", *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_monthly_and_digest_by_hand_are_sent_once(world: ReportWorld) -> None:
    """`report monthly` mails each recipient once (a second call sends nothing); `report
    deliveries` lists them; the SMTP password never reaches the output."""
    first = world.cli("report", "monthly", "--as-of", "2026-10-31", "--json")
    assert first.returncode == 0, first.stderr[-3000:]
    summary = json.loads(first.stdout)
    assert (summary["queued"], summary["delivery"]["sent"]) == (2, 2)
    assert any(path.endswith(".xlsx") for path in summary["files"])
    again = json.loads(world.cli("report", "monthly", "--as-of", "2026-10-31", "--json").stdout)
    assert (again["queued"], again["already_queued"], again["delivery"]["sent"]) == (0, 2, 0)
    assert len(world.relay.received) == 2

    listed = json.loads(world.cli("report", "deliveries", "--json").stdout)
    assert sorted((d["recipient"], d["status"]) for d in listed) == sorted(
        (r, "SENT") for r in RECIPIENTS.split(",")
    )
    resend = world.cli("report", "resend", str(listed[0]["delivery_id"]))
    assert resend.returncode == 2 and "is not FAILED or UNCERTAIN" in resend.stderr
    digest = world.cli("report", "digest", "--json")
    assert digest.returncode == 0, digest.stderr[-2000:]
    assert json.loads(digest.stdout)["delivery"]["sent"] == 0  # nothing needs anyone yet
    for result in (first, resend, digest):
        assert PASSWORD not in result.stdout + result.stderr


def test_the_daemon_sends_the_monthly_report_it_missed_once(world: ReportWorld) -> None:
    """`arworker run` started after the monthly slot catches up: the report goes out once, and
    the next firings of the cron send nothing more."""
    env = {
        # a slot every minute: the last one has just passed, so the catch-up runs at start
        "ARWORKER_SCHEDULER__MONTHLY_REPORT_CRON": "* * * * *",
        "ARWORKER_SCHEDULER__NIGHTLY_CRON": "0 1 1 1 *",
        "ARWORKER_REPORTS__DIGEST_ENABLED": "false",
        "ARWORKER_SCHEDULER__STATUS_POLL_INTERVAL_S": "86400",
    }
    logs = world.root / "daemon.err"
    with logs.open("w") as err:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "worker", "run"],
            cwd=world.root,
            env=world.env | env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        deadline = time.monotonic() + DAEMON_WAIT_S
        while len(world.relay.received) < 2 and time.monotonic() < deadline:
            assert daemon.poll() is None, logs.read_text()[-3000:]
            time.sleep(0.2)  # polling what the relay received, not waiting on a timer
        assert len(world.relay.received) == 2, logs.read_text()[-3000:]
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=60)
    assert daemon.returncode == 0, logs.read_text()[-3000:]
    engine = world.engine()
    runs = Store(engine, org_ids=[204]).job_runs("report_monthly")
    engine.dispose()
    assert runs and all(r["status"] == "COMPLETED" for r in runs)
    assert len(world.relay.received) == 2
    assert PASSWORD not in logs.read_text()
