"""The real Alembic migrations, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.db.engine import make_engine
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
