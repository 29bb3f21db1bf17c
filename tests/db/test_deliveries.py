"""Deliveries are claimed once, on SQLite and PostgreSQL, and old keys are forgotten."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.db import deliveries
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import upgrade_to_head

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[async_sessionmaker[Any]]:
    engine = make_engine(db_url)
    await upgrade_to_head(engine)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def _claim(sessions: async_sessionmaker[Any], key: str, now: datetime = NOW) -> bool:
    async with sessions() as session, session.begin():
        return await deliveries.claim(session, "slack", key, now)


async def test_a_key_is_claimed_once_even_when_racing(sessions: async_sessionmaker[Any]) -> None:
    results = await asyncio.gather(*(_claim(sessions, "event:Ev1") for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]
    assert await _claim(sessions, "event:Ev2")


async def test_old_keys_are_forgotten(sessions: async_sessionmaker[Any]) -> None:
    assert await _claim(sessions, "event:old")
    later = NOW + deliveries.KEEP_FOR * 2
    assert await _claim(sessions, "event:other", later)
    assert await _claim(sessions, "event:old", later), "a day later the key is free again"
