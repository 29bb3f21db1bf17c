"""The group-commit writer on a SQLite file, on PostgreSQL (asyncpg) and through SQLAlchemy
connections: writes arriving together commit in one group and each caller hears its own result;
one failing write fails only its caller; a write that handles its own error leaves nothing; the
values the driver is handed read back through the ORM as they were written; and a process
killed with -9 loses no write it had acknowledged."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.review.scheduling import review
from bot.db import reviews
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.db.steps import Sql, Step, Steps
from bot.db.tables import ConceptRow, MetaRow, NoteFile, ProgressConceptRow
from bot.db.writer import GroupWriter

NOW: Final = datetime(2026, 12, 2, 9, 30, 15, 123456, tzinfo=UTC)
PUT: Final = Sql(
    lambda _: insert(MetaRow.__table__).values(key=bindparam("key"), value=bindparam("value"))
)
KILL_RUNS: Final = 3
KILL_WINDOW_S: Final = (0.4, 1.0)
CHILD_READY_TIMEOUT_S: Final = 60.0


def put(key: str, value: str = "v") -> Steps[str]:
    """One row of ``meta``; returns its key."""
    yield Step(PUT, {"key": key, "value": value})
    return key


def put_then_handle_a_duplicate(key: str) -> Steps[str]:
    """A row, then the same key again, its error handled: the caller must be left nothing."""
    yield Step(PUT, {"key": key, "value": "first"})
    try:
        yield Step(PUT, {"key": key, "value": "again"})
    except IntegrityError:
        return "handled"
    return "not reached"


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(db_url)
    await upgrade_to_head(engine)
    yield engine
    await engine.dispose()


@pytest.fixture(params=["driver", "sqlalchemy"])
async def writer(request: pytest.FixtureRequest, engine: AsyncEngine) -> AsyncIterator[GroupWriter]:
    """The writer on the driver itself (the answer path's), and through SQLAlchemy."""
    writer = GroupWriter(engine, on_driver=request.param == "driver")
    yield writer
    await writer.close()


async def meta_keys(engine: AsyncEngine) -> dict[str, str]:
    async with make_sessionmaker(engine)() as session:
        return {k: v for k, v in (await session.execute(select(MetaRow.key, MetaRow.value)))}


async def test_writes_arriving_together_commit_in_one_group(
    writer: GroupWriter, engine: AsyncEngine
) -> None:
    keys = [f"k{n}" for n in range(50)]
    results = await asyncio.gather(*(writer.run(lambda k=k: put(k)) for k in keys))
    assert results == keys
    assert writer.figures.writes == 50
    assert writer.figures.batches <= 2  # the first may go alone; the rest waited for it
    stored = await meta_keys(engine)
    assert set(keys) <= set(stored)


async def test_a_failing_write_fails_only_its_caller(
    writer: GroupWriter, engine: AsyncEngine
) -> None:
    await writer.run(lambda: put("taken"))
    results = await asyncio.gather(
        writer.run(lambda: put("a")),
        writer.run(lambda: put("taken", "again")),
        writer.run(lambda: put("b")),
        return_exceptions=True,
    )
    assert results[0] == "a" and results[2] == "b"
    assert isinstance(results[1], IntegrityError)
    stored = await meta_keys(engine)
    assert stored["taken"] == "v" and {"a", "b"} <= set(stored)


async def test_a_write_that_handles_its_own_error_leaves_nothing(
    writer: GroupWriter, engine: AsyncEngine
) -> None:
    results = await asyncio.gather(
        writer.run(lambda: put("before")),
        writer.run(lambda: put_then_handle_a_duplicate("twice")),
        writer.run(lambda: put("after")),
    )
    assert results == ["before", "handled", "after"]
    stored = await meta_keys(engine)
    assert "twice" not in stored and {"before", "after"} <= set(stored)


async def test_values_read_back_through_the_orm_as_written(
    writer: GroupWriter, engine: AsyncEngine
) -> None:
    sessions = make_sessionmaker(engine)
    async with sessions() as session, session.begin():
        note = NoteFile(path="/n.md", kind="notes", sha256="0" * 64, size=1)
        session.add(note)
        await session.flush()
        concept = ConceptRow(
            file_id=note.id, term="힙", category="자료구조", definition="d", line=1
        )
        session.add(concept)
        await session.flush()
        concept_id = concept.id
    person = ("discord", "g1", "u1")
    card = review(None, concept_id, 80, NOW)
    await writer.run(lambda: reviews.save_card_steps(*person, card, NOW))
    await writer.run(
        lambda: reviews.progress_steps(*person, concept_id, "힙 (heap)", 80, NOW + timedelta(1))
    )
    async with sessions() as session:
        stored = await reviews.get_card(session, *person, concept_id)
        figures = (await session.execute(select(ProgressConceptRow))).scalars().one()
    assert stored is not None
    assert (stored.due, stored.last_review) == (card.due, card.last_review)
    assert stored.due.tzinfo is not None
    assert (stored.stability, stored.difficulty, stored.reps) == (
        card.stability,
        card.difficulty,
        card.reps,
    )
    assert (figures.term, figures.answers, figures.points) == ("힙 (heap)", 1, 80)
    # ... and what the ORM wrote reads back through the writer the same.
    read = await writer.run(lambda: reviews.card_steps(*person, concept_id))
    assert read == stored


async def test_a_caller_that_gave_up_before_its_group_ran_writes_nothing(
    writer: GroupWriter, engine: AsyncEngine
) -> None:
    first = asyncio.ensure_future(writer.run(lambda: put("kept")))
    gone = asyncio.ensure_future(writer.run(lambda: put("gone")))
    gone.cancel()
    assert await first == "kept"
    with pytest.raises(asyncio.CancelledError):
        await gone
    await writer.run(lambda: put("later"))
    assert set(await meta_keys(engine)) >= {"kept", "later"}
    assert "gone" not in await meta_keys(engine)


async def test_a_closed_writer_refuses_new_writes(writer: GroupWriter) -> None:
    await writer.run(lambda: put("one"))
    await writer.close()
    with pytest.raises(RuntimeError):
        await writer.run(lambda: put("two"))


# --- kill -9 ------------------------------------------------------------------------------------

CHILD: Final = """
import asyncio, sys
from bot.db.engine import make_engine
from bot.db.writer import GroupWriter
from tests.db.test_writer import put

async def main(url, run):
    engine = make_engine(url)
    writer = GroupWriter(engine)
    print("ready", flush=True)
    number = 0
    async def one(key):
        await writer.run(lambda: put(key))
        sys.stdout.write(key + "\\n")
        sys.stdout.flush()
    while True:
        keys = [f"{run}-{number + n}" for n in range(20)]
        number += 20
        await asyncio.gather(*(one(k) for k in keys))

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def _killed_child(url: str, run: int, rng: random.Random, folder: Path) -> list[str]:
    """Run a child writing rows in groups of 20, kill it with -9 at a random moment, and
    return the keys it acknowledged (printed after each write returned)."""
    out = folder / f"acks-{run}.txt"
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    with out.open("w") as sink:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, url, str(run)], stdout=sink, env=env, cwd=root
        )
        deadline = time.monotonic() + CHILD_READY_TIMEOUT_S
        while "ready" not in out.read_text() and time.monotonic() < deadline:
            assert child.poll() is None, "the child died before writing"
            time.sleep(0.05)
        time.sleep(rng.uniform(*KILL_WINDOW_S))
        child.send_signal(signal.SIGKILL)
        child.wait()
    lines = out.read_text().splitlines()
    return [line for line in lines[1:] if line.startswith(f"{run}-")]


async def test_a_process_killed_mid_burst_loses_no_acknowledged_write(
    db_url: str, tmp_path: Path
) -> None:
    engine = make_engine(db_url)
    await upgrade_to_head(engine)
    rng = random.Random(13)
    try:
        for run in range(KILL_RUNS):
            acked = await asyncio.to_thread(_killed_child, db_url, run, rng, tmp_path)
            assert acked, "the child acknowledged nothing before the kill"
            stored = await meta_keys(engine)
            lost = [key for key in acked if key not in stored]
            assert lost == [], f"{len(lost)} of {len(acked)} acknowledged writes lost"
    finally:
        await engine.dispose()


def test_the_writer_keeps_its_statements_compiled_once() -> None:
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    assert PUT.prepared(dialect) is PUT.prepared(dialect)
    prepared = PUT.prepared(dialect)
    assert prepared.parameters({"key": "k", "value": "v"}) == ["k", "v"]


def test_a_statement_with_a_default_the_driver_would_miss_is_refused() -> None:
    from sqlalchemy.dialects import sqlite

    from bot.db.tables import AnswerRow

    # ``accepted`` and ``created_at`` have Python-side defaults the driver never sees.
    partial: Any = Sql(lambda _: insert(AnswerRow.__table__).values(term=bindparam("term")))
    with pytest.raises(ValueError):
        partial.prepared(sqlite.dialect())
