"""The sandbox counts the pages each family serves (what status-pass benchmarks compare)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from sandbox.server import create_app
from tests.support.books.coupa import standin_catalog


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(standin_catalog()))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as http:
        yield http


async def _pages(http: httpx.AsyncClient) -> dict[str, int]:
    answer = await http.get("/__sandbox/pages")
    assert answer.status_code == 200
    counts: dict[str, int] = answer.json()
    return counts


async def test_pages_are_counted_per_family_without_static_assets(
    client: httpx.AsyncClient,
) -> None:
    assert await _pages(client) == {}
    await client.get("/coupa/login")
    await client.get("/coupa/login")
    await client.get("/ariba/login")
    await client.get("/coupa/static/coupa.css")
    await client.get("/__sandbox/received")
    assert await _pages(client) == {"coupa": 2, "ariba": 1}
    await client.post("/__sandbox/reset", json={})
    assert await _pages(client) == {}
