"""Sentence vectors repository: the stored vectors of reference sentences, by encoder model and
sentence digest (written at ingest, read when a concept is graded)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import dialect_insert
from bot.db.tables import SentenceVectorRow

# Digests per IN (...) query and rows per insert: well under SQLite's variable limit.
CHUNK: Final = 500


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


async def vectors(session: AsyncSession, model: str, digests: Sequence[str]) -> dict[str, bytes]:
    """The stored vectors of ``digests`` (those stored) by digest."""
    found: dict[str, bytes] = {}
    for chunk in _chunks(sorted(set(digests))):
        rows = await session.execute(
            select(SentenceVectorRow.digest, SentenceVectorRow.vector).where(
                SentenceVectorRow.model == model, SentenceVectorRow.digest.in_(chunk)
            )
        )
        found.update({digest: vector for digest, vector in rows})
    return found


async def stored_digests(session: AsyncSession, model: str, digests: Sequence[str]) -> set[str]:
    """Which of ``digests`` have a stored vector (without reading the vectors)."""
    found: set[str] = set()
    for chunk in _chunks(sorted(set(digests))):
        rows = await session.scalars(
            select(SentenceVectorRow.digest).where(
                SentenceVectorRow.model == model, SentenceVectorRow.digest.in_(chunk)
            )
        )
        found.update(rows)
    return found


async def store(session: AsyncSession, model: str, items: Mapping[str, bytes]) -> None:
    """Store vectors by digest; one stored meanwhile (another process) is kept."""
    insert = dialect_insert(session)
    digests = sorted(items)
    for chunk in _chunks(digests):
        rows = [{"model": model, "digest": d, "vector": items[d]} for d in chunk]
        await session.execute(insert(SentenceVectorRow).values(rows).on_conflict_do_nothing())
