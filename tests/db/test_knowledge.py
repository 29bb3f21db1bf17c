"""The knowledge repository's batch writes, on real databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.core.models import ParsedConcept
from bot.db import knowledge as repo
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.db.tables import ConceptRow, NoteFile


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[async_sessionmaker[Any]]:
    engine = make_engine(db_url)
    await upgrade_to_head(engine)
    yield make_sessionmaker(engine)
    await engine.dispose()


def _concept(term: str, definition: str, line: int = 1) -> ParsedConcept:
    return ParsedConcept(term=term, definition=definition, category="", line=line)


async def _rows(sessions: async_sessionmaker[Any]) -> list[tuple[str, str, str, Any, Any]]:
    async with sessions() as session:
        found = await session.execute(
            select(
                NoteFile.path,
                ConceptRow.term,
                ConceptRow.definition,
                ConceptRow.tokens,
                ConceptRow.key_points,
            )
            .join(NoteFile)
            .order_by(NoteFile.path, ConceptRow.position)
        )
        return [tuple(row) for row in found]


async def test_many_files_are_written_in_one_call_with_their_derived_values(
    sessions: async_sessionmaker[Any],
) -> None:
    first = [
        repo.FileChange(f"n{i}.md", f"h{i}", 10, [_concept(f"T{i}", f"정의 {i}")]) for i in range(3)
    ]
    counts = repo.ApplyCounts()
    async with sessions() as session, session.begin():
        await repo.apply_files(session, first, counts)
    assert (counts.added, counts.updated, counts.removed) == (3, 0, 0)
    assert [row[3] for row in await _rows(sessions)] == [None, None, None]

    derived = [(["새"], [[["새"], 1.0]]), (["정의"], [[["정의"], 2.0]])]
    second = [
        repo.FileChange("n0.md", "h0b", 12, [_concept("T0", "새 정의"), _concept("U", "정의")]),
        repo.FileChange("n9.md", "h9", 5, []),
    ]
    second[0].derived = derived
    second[1].derived = []
    counts = repo.ApplyCounts()
    async with sessions() as session, session.begin():
        await repo.apply_files(session, second, counts)
    assert (counts.added, counts.updated, counts.removed) == (1, 1, 0)
    rows = await _rows(sessions)
    assert rows[:2] == [
        ("n0.md", "T0", "새 정의", ["새"], [[["새"], 1.0]]),
        ("n0.md", "U", "정의", ["정의"], [[["정의"], 2.0]]),
    ]
    assert [row[:2] for row in rows[2:]] == [("n1.md", "T1"), ("n2.md", "T2")]
    async with sessions() as session:
        files = await repo.stored_files(session)
    assert files["n0.md"].sha256 == "h0b" and "n9.md" in files


async def test_a_repeated_term_left_by_an_older_parser_is_cleaned_up(
    sessions: async_sessionmaker[Any],
) -> None:
    async with sessions() as session, session.begin():
        await repo.apply_files(
            session, [repo.FileChange("a.md", "h", 1, [_concept("A", "하나")])], repo.ApplyCounts()
        )
        file_id = await session.scalar(select(NoteFile.id).where(NoteFile.path == "a.md"))
        await session.execute(  # a second row with the same term in the same file
            insert(ConceptRow),
            [{"file_id": file_id, "term": "A", "category": "", "definition": "둘", "line": 2}],
        )
    counts = repo.ApplyCounts()
    async with sessions() as session, session.begin():
        await repo.apply_files(
            session, [repo.FileChange("a.md", "h2", 1, [_concept("A", "셋")])], counts
        )
    assert [row[1:3] for row in await _rows(sessions)] == [("A", "셋")]
    assert (counts.updated, counts.removed) == (1, 1)


async def test_derived_values_must_match_the_concepts(sessions: async_sessionmaker[Any]) -> None:
    change = repo.FileChange("a.md", "h", 1, [_concept("A", "하나")])
    change.derived = []
    async with sessions() as session, session.begin():
        with pytest.raises(ValueError):
            await repo.apply_files(session, [change], repo.ApplyCounts())
