"""Faults an operator meets with the database server: connections it dropped are replaced."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import make_engine
from tests.conftest import _pg_admin


@pytest.fixture
async def engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    made = make_engine(pg_url, pool_size=3)
    yield made
    await made.dispose()


async def _backend_pids(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        return [(await conn.execute(text("select pg_backend_pid()"))).scalar_one()]


async def test_connections_the_server_dropped_are_replaced_before_use(
    engine: AsyncEngine, pg_url: str
) -> None:
    (first,) = await _backend_pids(engine)
    name = pg_url.rsplit("/", 1)[1]
    server = pg_url.rsplit("/", 1)[0] + "/postgres"
    await _pg_admin(
        server,
        "select pg_terminate_backend(pid) from pg_stat_activity "
        f"where datname = '{name}' and pid <> pg_backend_pid()",
    )
    for _ in range(3):  # every pooled connection was dropped: none may fail a request
        (again,) = await _backend_pids(engine)
        assert again != first
