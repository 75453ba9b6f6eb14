"""An empty database with the worker's schema for one benchmark run, removed afterwards.

SQLite: a file in the run's temporary folder. PostgreSQL: a schema of its own on the server at
``ARWORKER_BENCH_PG_URL`` (default 127.0.0.1:5432), dropped after; ``None`` when the server does
not answer, so the benchmark can skip it and say so.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

PG_ADMIN_URL = os.environ.get(
    "ARWORKER_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextlib.contextmanager
def scratch_database(backend: str, folder: Path, name: str) -> Iterator[str | None]:
    """A URL to an empty database with the worker's schema (``name``: the SQLite file)."""
    import sqlalchemy as sa

    from connectors.oracle.tables import build_metadata

    if backend == "sqlite":
        url = f"sqlite:///{folder / name}"
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


def conninfo(url: str) -> str:
    """A libpq connection string for a SQLAlchemy PostgreSQL URL (no SQLAlchemy in a child)."""
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    parts = {
        "host": parsed.host or "127.0.0.1",
        "port": str(parsed.port or 5432),
        "user": parsed.username or "",
        "dbname": parsed.database or "",
        "options": str(parsed.query.get("options", "")),
    }
    if parsed.password:
        parts["password"] = str(parsed.password)
    return " ".join(f"{key}='{value}'" for key, value in parts.items() if value)
