"""The operator surface: Prometheus metrics that move during a nightly run, and readiness that
follows the database down and back up.

The worker runs as ``arworker run`` with ``metrics.port`` set (its real operator port); the
readiness test puts a TCP proxy between the web app and PostgreSQL and cuts it, which is what a
database outage looks like from the application: connections die, new ones are refused.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from config.settings import DatabaseSettings, Settings, WebSettings
from connectors.oracle.engine import create_engine
from connectors.oracle.store import Store
from sandbox.faults import Faults
from tests.support.workspace_world import make_world
from worker.web.app import create_app

pytestmark = [pytest.mark.e2e]

#: six invoices of account 1001 (one the portal rejects), slowed so scrapes see them go by
OPEN_INVOICES = ("104508", "104526", "104549", "104563", "104591", "104605")
SCRAPE_EVERY_S = 0.2
RUN_TIMEOUT_S = 240.0
SAMPLE = re.compile(r"^(?P<name>[a-z_]+)(?:\{(?P<labels>[^}]*)\})? (?P<value>\S+)$", re.M)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _samples(text: str) -> dict[str, float]:
    """``name{labels}`` → value, from the Prometheus text format."""
    return {f"{m['name']}{{{m['labels'] or ''}}}": float(m["value"]) for m in SAMPLE.finditer(text)}


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_metrics_move_during_a_nightly_run(tmp_path: Path) -> None:
    """Scraping ``arworker run``'s /metrics while it works shows uploads counted, latencies
    observed and the queue draining; /healthz and /readyz answer meanwhile."""
    port = _free_port()
    with make_world(
        tmp_path, accounts=("1001",), open_invoices=OPEN_INVOICES, faults=Faults(latency_ms=120)
    ) as ws:
        proc = ws.spawn(
            "run",
            "--nightly-now",
            "--exit-when-drained",
            ARWORKER_METRICS__PORT=str(port),
            ARWORKER_METRICS__DATABASE_CACHE_S="0",
        )
        scrapes: list[dict[str, float]] = []
        ready: list[int] = []
        deadline = time.monotonic() + RUN_TIMEOUT_S
        try:
            while proc.poll() is None and time.monotonic() < deadline:
                try:
                    status, text = _get(f"http://127.0.0.1:{port}/metrics")
                    readiness = _get(f"http://127.0.0.1:{port}/readyz")[0]
                    alive = _get(f"http://127.0.0.1:{port}/healthz")[0]
                except OSError:  # not listening yet, or already stopped
                    time.sleep(SCRAPE_EVERY_S)
                    continue
                if status == 200:
                    scrapes.append(_samples(text))
                    ready.append(readiness)
                    assert alive == 200
                time.sleep(SCRAPE_EVERY_S)
            assert proc.wait(timeout=60) == 0, ws.stderr_of(proc)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
    submitted = 'arworker_submissions_total{outcome="submitted",portal="coupa"}'
    seen = [s.get(submitted, 0.0) for s in scrapes]
    assert len(set(seen)) >= 3, f"the upload counter did not move between scrapes: {seen}"
    assert seen == sorted(seen) and seen[-1] == 5
    rejected = 'arworker_submissions_total{outcome="rejected",portal="coupa"}'
    assert scrapes[-1].get(rejected) == 1
    depth = [s.get('arworker_queue_depth{status="SUBMITTED"}', 0.0) for s in scrapes]
    assert len(set(depth)) >= 2 and depth[-1] == 5, depth
    waiting = [
        s.get('arworker_queue_depth{status="PENDING"}', 0.0)
        + s.get('arworker_queue_depth{status="IN_PROGRESS"}', 0.0)
        for s in scrapes
    ]
    assert max(waiting) >= 1 and waiting[-1] == 0, waiting
    latency = 'arworker_portal_operation_seconds_count{operation="submit_invoice",portal="coupa"}'
    assert scrapes[-1][latency] == 6
    assert scrapes[-1]["arworker_database_up{}"] == 1
    assert scrapes[-1]["arworker_journal_backlog{}"] == 0
    assert 200 in ready


class TcpProxy:
    """127.0.0.1:<port> → target, until :meth:`cut`; :meth:`restore` listens again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = _free_port()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._lock = threading.Lock()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Stop listening and close every connection: the database is gone."""
        with self._lock:
            if self._listener is not None:
                try:  # wakes the blocked accept(); close() alone leaves it listening
                    self._listener.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                self._listener.close()
                self._listener = None
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass


@pytest.fixture
def proxied_pg(pg_schema_url: str) -> Iterator[tuple[str, TcpProxy]]:
    url = sa.engine.make_url(pg_schema_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.restore()
    try:
        yield (
            url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
            proxy,
        )
    finally:
        proxy.cut()


@pytest.mark.external_service
async def test_readyz_fails_while_the_database_is_down_and_recovers(
    proxied_pg: tuple[str, TcpProxy], tmp_path: Path
) -> None:
    """/readyz: 200, then 503 naming the database while it is unreachable, then 200 again."""
    url, proxy = proxied_pg
    settings = Settings(
        database=DatabaseSettings(url=url),
        secrets_dir=tmp_path,
        web=WebSettings(session_secret=SecretStr("k" * 40)),
    )
    store = Store(create_engine(settings.database), org_ids=[204])
    store.create_schema(include_ebs_stand_ins=True)
    app = create_app(settings, store, portal_codes=("coupa",))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://ops.test") as client:
            assert (await client.get("/readyz")).status_code == 200
            proxy.cut()
            down = await client.get("/readyz")
            assert down.status_code == 503
            assert down.json()["checks"]["database"].startswith("unreachable")
            assert (await client.get("/healthz")).status_code == 200  # alive, just not ready
            metrics = (await client.get("/metrics")).text
            assert "arworker_database_up 0.0" in metrics
            proxy.restore()
            deadline = time.monotonic() + 20
            while (answer := await client.get("/readyz")).status_code != 200:
                assert time.monotonic() < deadline, answer.text
            assert answer.json()["checks"] == {"database": "ok"}
    finally:
        store.engine.dispose()
