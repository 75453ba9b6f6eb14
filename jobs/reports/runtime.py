"""What a report job may use. ``JobContext`` provides it (the daemon's jobs); so does the light
:class:`ReportContext` the CLI builds, which opens no browser: reports never drive one."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, Protocol, TypeVar

from pydantic import SecretStr

from config.settings import Settings
from connectors.oracle.store import Store

P = ParamSpec("P")
T = TypeVar("T")


class ReportRuntime(Protocol):
    @property
    def settings(self) -> Settings: ...
    @property
    def store(self) -> Store: ...
    @property
    def log(self) -> Any: ...
    @property
    def run_id(self) -> str: ...
    @property
    def worker_name(self) -> str: ...
    @property
    def resolve_secret(self) -> Callable[[str], SecretStr]: ...
    @property
    def clock(self) -> Callable[[], dt.datetime]: ...

    async def db(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T: ...


@dataclass(kw_only=True)
class ReportContext:
    """A :class:`ReportRuntime` without portals or a browser."""

    settings: Settings
    store: Store
    log: Any
    run_id: str
    worker_name: str
    resolve_secret: Callable[[str], SecretStr]
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))

    async def db(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        return await asyncio.to_thread(fn, *args, **kwargs)
