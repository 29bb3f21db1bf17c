"""The appeals migration on a database that already holds answers (SQLite and PostgreSQL): up
adds the appeals table and an accepted flag that is false for every existing answer; down drops
both and keeps the answers."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import make_engine
from bot.db.migrate import alembic_config

BEFORE = "0003"
APPEALS = "0004"
AN_ANSWER = text(
    "INSERT INTO answers (platform, workspace_id, channel_id, user_id, term, score, band, hits,"
    " misses, answer, skipped, hints_used, created_at) VALUES ('test', 'w1', 'c1', 'u1', 'TCP',"
    " 40, 'partial', '[]', '[]', 'an answer', false, 0, CURRENT_TIMESTAMP)"
)


async def _migrate(engine: AsyncEngine, direction: str, revision: str) -> None:
    def run(connection: object) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        getattr(command, direction)(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def _schema(engine: AsyncEngine) -> tuple[set[str], set[str]]:
    def read(connection: object) -> tuple[set[str], set[str]]:
        found = inspect(connection)
        columns = {column["name"] for column in found.get_columns("answers")}
        return set(found.get_table_names()), columns

    async with engine.connect() as conn:
        return await conn.run_sync(read)


async def test_appeals_migrate_up_and_down_over_stored_answers(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        await _migrate(engine, "upgrade", BEFORE)
        async with engine.begin() as conn:
            await conn.execute(AN_ANSWER)
        await _migrate(engine, "upgrade", APPEALS)
        tables, columns = await _schema(engine)
        assert "appeals" in tables and "accepted" in columns
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT term, accepted FROM answers"))).all()
        assert [(term, bool(accepted)) for term, accepted in rows] == [("TCP", False)]

        await _migrate(engine, "downgrade", BEFORE)
        tables, columns = await _schema(engine)
        assert "appeals" not in tables and "accepted" not in columns
        async with engine.connect() as conn:
            terms = (await conn.execute(text("SELECT term FROM answers"))).scalars().all()
        assert terms == ["TCP"], "going down keeps the answers"
        await _migrate(engine, "upgrade", "head")
        assert "appeals" in (await _schema(engine))[0]
    finally:
        await engine.dispose()
