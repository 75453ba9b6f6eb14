"""The store tier's shared fixtures: the sample book on the tier's database, a settable clock,
and a store that tells time by it (leases, retry times and next status checks without sleeping).
A module that needs another store defines its own ``store``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from connectors.oracle.store import Store
from tests.support.books.ebs import ORG, SampleBook, load_sample_book
from tests.support.clock import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def book(engine: sa.Engine) -> SampleBook:
    return load_sample_book(engine)


@pytest.fixture
def store(engine: sa.Engine, book: SampleBook, clock: Clock) -> Store:
    return Store(engine, org_ids=[ORG], clock=clock)
