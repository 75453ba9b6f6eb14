"""Hermetic test environment, the quick tier, and the database backends store tests run on.

Every ``ARWORKER_*`` variable of the developer's shell is removed, so a test sees the defaults it
expects. The ``engine`` fixture is parametrized over SQLite (always), PostgreSQL (127.0.0.1:5432,
a fresh schema per run, dropped after) and Oracle (``ARWORKER_TEST_ORACLE_DSN`` or Docker);
servers that are not reachable are skipped with the reason.

The quick tier (``./run.sh test -m quick``, the inner loop) is every test of ``tests/unit``,
``tests/standin`` and ``tests/store`` that needs no database server, no browser and is not
marked ``slow``: the marker is given here, so a new test there is in it without asking.

The suite runs on one pytest-xdist worker per core (``-n auto`` in ``pyproject.toml``); the
longest tiers are collected first (end to end, then browser; tests marked ``slow`` first in
their tier), so the workers start on the long runs and the short tests fill in at the end
instead of one long test running alone last.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from connectors.oracle.tables import build_metadata

PG_ADMIN_URL = os.environ.get(
    "ARWORKER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
_ORACLE_DSN = os.environ.get("ARWORKER_TEST_ORACLE_DSN")

for _name in list(os.environ):
    if _name.startswith("ARWORKER_") and _name not in (
        "ARWORKER_TEST_PG_URL",
        "ARWORKER_TEST_ORACLE_DSN",
    ):
        os.environ.pop(_name)


TESTS = Path(__file__).resolve().parent
#: tiers whose tests are quick unless they need a server, a browser, or are marked slow
QUICK_TIERS = frozenset({"unit", "standin", "store"})
NOT_QUICK_MARKERS = ("slow", "external_service", "browser", "e2e")
#: the order tiers run in: longest first (a tier not listed runs last)
TIER_ORDER = ("e2e", "browser", "store", "standin", "unit")


def _tier(item: pytest.Item) -> str:
    parts = item.path.relative_to(TESTS).parts
    return parts[0] if len(parts) > 1 else ""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the quick tier and put the longest tiers first (see the module's docstring)."""
    for item in items:
        if _tier(item) in QUICK_TIERS:
            if not any(item.get_closest_marker(name) for name in NOT_QUICK_MARKERS):
                item.add_marker(pytest.mark.quick)
    rank = {tier: position for position, tier in enumerate(TIER_ORDER)}
    # stable: a tier's modules keep their order; within a tier, tests marked slow go first
    items.sort(
        key=lambda item: (
            rank.get(_tier(item), len(TIER_ORDER)),
            item.get_closest_marker("slow") is None,
        )
    )


def postgres_unreachable_reason() -> str | None:
    """None when PostgreSQL answers; otherwise why not (printed as the skip reason)."""
    try:
        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means "skip", with the reason
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {str(exc).splitlines()[0]}"
    return None


@contextlib.contextmanager
def fresh_pg_schema(prefix: str = "arw_test") -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a new, empty schema, dropped on the way out.

    Skips the test (with the reason) when PostgreSQL does not answer.
    """
    reason = postgres_unreachable_reason()
    if reason:
        pytest.skip(reason)
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = sa.engine.make_url(PG_ADMIN_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a schema created for this run and dropped after."""
    with fresh_pg_schema() as url:
        yield url


@pytest.fixture(scope="session")
def pg_engine(pg_schema_url: str) -> Iterator[sa.Engine]:
    from config.settings import DatabaseSettings
    from connectors.oracle.engine import create_engine

    engine = create_engine(DatabaseSettings(url=pg_schema_url))
    build_metadata().create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgresql_engine(pg_engine: sa.Engine) -> sa.Engine:
    return pg_engine


@pytest.fixture(scope="session")
def oracle_engine() -> Iterator[sa.Engine]:
    """Oracle for real where a DSN or Docker exists; skipped with the reason elsewhere."""
    from tests.support.oracle_backend import oracle_engine_or_skip

    yield from oracle_engine_or_skip(_ORACLE_DSN)


def _clear(engine: sa.Engine) -> None:
    md = build_metadata()
    with engine.begin() as conn:
        for table in reversed(md.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.external_service),
        pytest.param("oracle", marks=pytest.mark.external_service),
    ]
)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """An empty worker + EBS stand-in schema on one backend; no connection left checked out."""
    if request.param == "sqlite":
        from config.settings import DatabaseSettings
        from connectors.oracle.engine import create_engine

        eng = create_engine(DatabaseSettings(url=f"sqlite:///{tmp_path / 'arworker.db'}"))
        build_metadata().create_all(eng)
        yield eng
        assert eng.pool.checkedout() == 0, "a store method leaked a connection"  # type: ignore[attr-defined]
        eng.dispose()
        return
    shared: sa.Engine = request.getfixturevalue(f"{request.param}_engine")
    _clear(shared)
    yield shared
    assert shared.pool.checkedout() == 0, "a store method leaked a connection"  # type: ignore[attr-defined]
    _clear(shared)
