"""An empty database with the worker's schema for a benchmark: a SQLite file, or a PostgreSQL
schema of its own (127.0.0.1:5432 by default, ``ARWORKER_BENCH_PG_URL``) dropped afterwards."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

PG_ADMIN_URL = os.environ.get(
    "ARWORKER_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextlib.contextmanager
def empty_database(backend: str, tmp: Path, *, file_name: str) -> Iterator[str | None]:
    """A URL to an empty database with the worker's schema (None: PostgreSQL unreachable)."""
    from connectors.oracle.tables import build_metadata

    if backend == "sqlite":
        url = f"sqlite:///{tmp / file_name}"
        engine = sa.create_engine(url)
        build_metadata().create_all(engine)
        engine.dispose()
        yield url
        return
    admin = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError:
        admin.dispose()
        yield None
        return
    schema = f"arw_bench_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    schema_url = sa.make_url(PG_ADMIN_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = schema_url.render_as_string(hide_password=False)
    try:
        engine = sa.create_engine(rendered)
        build_metadata().create_all(engine)
        engine.dispose()
        yield rendered
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
