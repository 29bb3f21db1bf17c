"""Deliveries already handled: claimed once, whichever process claims first."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import dialect_insert
from bot.db.tables import DeliveryRow

#: Retries and replays come within minutes; a day of keys is plenty and keeps the table small.
KEEP_FOR = timedelta(days=1)


async def claim(session: AsyncSession, platform: str, key: str, now: datetime) -> bool:
    """Record ``key`` as handled on ``platform``; False when it already was (then nothing is
    written). Keys older than :data:`KEEP_FOR` are forgotten on the way."""
    await session.execute(delete(DeliveryRow).where(DeliveryRow.seen_at < now - KEEP_FOR))
    statement = (
        dialect_insert(session)(DeliveryRow)
        .values(platform=platform, key=key[:200], seen_at=now)
        .on_conflict_do_nothing(index_elements=["platform", "key"])
        .returning(DeliveryRow.key)
    )
    return await session.scalar(statement) is not None
