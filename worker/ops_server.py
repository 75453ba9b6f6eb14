"""The worker's operator port: ``/metrics`` (Prometheus), ``/healthz`` and ``/readyz``.

Served by uvicorn inside the daemon's own event loop, so a worker needs no second process; it
listens only when ``metrics.port`` is set, on ``metrics.host`` (loopback by default).
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from worker.health import ReadinessChecks, healthz, readyz_endpoint


def metrics_endpoint(registry: CollectorRegistry) -> Any:
    """A ``/metrics`` handler rendering ``registry`` (database gauges are read in a thread)."""

    async def metrics(request: Request) -> Response:
        body = await asyncio.to_thread(generate_latest, registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return metrics


def ops_app(registry: CollectorRegistry, checks: ReadinessChecks) -> Starlette:
    return Starlette(
        routes=[
            Route("/metrics", metrics_endpoint(registry)),
            Route("/healthz", healthz),
            Route("/readyz", readyz_endpoint(checks)),
        ]
    )


class OpsServer:
    """uvicorn on a socket bound before the scheduler starts (a busy port fails at once)."""

    def __init__(self, app: Starlette, *, host: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.port = int(self._socket.getsockname()[1])
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="off", ws="none", log_config=None
        )
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(sockets=[self._socket]))

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await asyncio.wait([self._task], timeout=5)
        self._socket.close()
