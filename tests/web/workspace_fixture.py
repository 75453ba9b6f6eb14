"""A workspace app over the small sample book, in-process (httpx against the ASGI app).

Three users (viewer, collector, admin) with passwords and one token each, and the queue in every
state a collector may see, so API and page tests can exercise each role without a server.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from pydantic import SecretStr

from config.settings import BrowserSettings, DatabaseSettings, Settings, WebSettings
from connectors.oracle.engine import create_engine
from connectors.oracle.store import Store
from jobs.actions import Actor, Channel, Role
from tests.support.books.ebs import ORG, load_sample_book
from tests.support.workspace_states import queue_in_every_state
from worker.web.app import create_app
from worker.web.credentials import hash_password, new_api_token

PASSWORD = "correct horse battery staple"
ROLES = ("viewer", "collector", "admin")
CLI = Actor(name="setup", role=Role.ADMIN, channel=Channel.CLI)


@dataclass
class WorkspaceWorld:
    store: Store
    app: FastAPI
    settings: Settings
    tokens: dict[str, str]
    ids: dict[str, int]
    engine: sa.Engine

    def client(self, role: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, client=("127.0.0.1", 50000)),
            base_url="http://workspace.test",
            headers=headers,
        )


def build_world(tmp_path: Path, *, auth: str = "basic") -> WorkspaceWorld:
    url = f"sqlite:///{tmp_path / 'arworker.db'}"
    settings = Settings(
        database=DatabaseSettings(url=url),
        secrets_dir=tmp_path / "secrets",
        browser=BrowserSettings(artifacts_dir=tmp_path / "artifacts", state_dir=tmp_path / "st"),
        web=WebSettings(auth=auth, session_secret=SecretStr("s" * 40)),
    )
    store = Store(create_engine(settings.database), org_ids=[ORG])
    store.create_schema(include_ebs_stand_ins=True)
    load_sample_book(store.engine)
    store.enqueue_open_invoices()
    ids = queue_in_every_state(store)
    tokens = {}
    for role in ROLES:
        store.add_web_user(
            user_name=role,
            role=role.upper(),
            password_hash=hash_password(PASSWORD),
            collector_id=2101 if role == "collector" else None,
            audit=CLI.audit("ADD_USER", "USER", role),
        )
        token, hashed, hint = new_api_token()
        store.add_api_token(
            token_hash=hashed,
            token_hint=hint,
            user_name=role,
            role=role.upper(),
            label=None,
            expires_at=store.clock() + dt.timedelta(days=1),
            audit=CLI.audit("CREATE_TOKEN", "TOKEN", None),
        )
        tokens[role] = token
    app = create_app(settings, store, portal_codes=("ariba", "coupa", "upload"))
    return WorkspaceWorld(
        store=store, app=app, settings=settings, tokens=tokens, ids=ids, engine=store.engine
    )
