"""The real Alembic migrations, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import alembic_config, upgrade_to_head
from bot.db.tables import Base


async def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    return names


async def test_upgrade_creates_every_table_and_is_idempotent(db_url: str) -> None:
    engine = make_engine(db_url)
    assert await upgrade_to_head(engine) is True
    assert await upgrade_to_head(engine) is False
    await engine.dispose()
    assert set(Base.metadata.tables) <= await _tables(db_url)


async def test_downgrade_to_base_and_up_again(db_url: str) -> None:
    engine = make_engine(db_url)
    await upgrade_to_head(engine)

    def downgrade(connection: object) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "base")

    async with engine.begin() as conn:
        await conn.run_sync(downgrade)
    assert await _tables(db_url) <= {"alembic_version"}
    assert await upgrade_to_head(engine) is True
    await engine.dispose()


async def test_concurrent_starts_migrate_once(db_url: str) -> None:
    engines = [make_engine(db_url) for _ in range(3)]
    if db_url.startswith("sqlite"):
        # SQLite serialises writers; run one after another like processes waiting on the lock.
        results = [await upgrade_to_head(e) for e in engines]
    else:
        results = list(await asyncio.gather(*(upgrade_to_head(e) for e in engines)))
    assert results.count(True) == 1
    for engine in engines:
        await engine.dispose()


def test_migrations_form_one_line_of_history() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    revisions = list(script.walk_revisions())
    assert all(rev.doc for rev in revisions)


async def test_migrations_match_the_table_definitions(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(db_url)
    await upgrade_to_head(engine)

    def diff(connection: object) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})  # type: ignore[arg-type]
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)
    await engine.dispose()
    assert differences == [], "a table changed without a migration"


async def test_answers_stored_before_the_figures_are_counted_by_the_migration(
    db_url: str,
) -> None:
    """Answers of an older schema (0007) are counted per concept and per UTC day by 0008, so
    ``/stats`` after the upgrade shows the whole history; an accepted one counts as 100."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    from bot.db import reviews

    engine = make_engine(db_url)

    def to(revision: str) -> Callable[[object], None]:
        def run(connection: object) -> None:
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)

        return run

    async with engine.begin() as conn:
        await conn.run_sync(to("0007"))
        for minute, (score, accepted) in enumerate([(40, False), (60, False), (10, True)]):
            await conn.execute(
                text(
                    "INSERT INTO answers (platform, workspace_id, channel_id, user_id, term, "
                    "score, band, hits, misses, answer, skipped, hints_used, accepted, "
                    "created_at) VALUES ('discord', 'G', 'c', 'u', 'TCP', :score, 'x', '[]', "
                    "'[]', '', false, 0, :accepted, :at)"
                ),
                {
                    "score": score,
                    "accepted": accepted,
                    "at": datetime(2026, 11, 30, 23, 58 + minute, tzinfo=UTC)
                    if minute < 2
                    else datetime(2026, 12, 1, 0, 1, tzinfo=UTC),
                },
            )
    assert await upgrade_to_head(engine) is True
    sessions = make_sessionmaker(engine)
    async with sessions() as session:
        rows = await reviews.stats_rows(session, "discord", "G", "u")
        spans = await reviews.answer_day_spans(session, "discord", "G", "u")
    await engine.dispose()
    assert rows.answers == 3 and rows.average == (40 + 60 + 100) / 3
    assert [t.term for t in rows.weakest] == ["TCP"]
    assert len(spans) == 2  # two UTC days
