"""Apply Alembic migrations on start (batch mode on SQLite), cheaply when already up to date."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import MIGRATIONS_DIR

# Any fixed 64-bit number: several processes starting at once migrate one at a time (PostgreSQL).
PG_MIGRATION_LOCK = 7_355_608_042


def alembic_config(migrations_dir: Path = MIGRATIONS_DIR) -> Config:
    """An Alembic config pointing at the project's migrations, independent of the working dir."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    return cfg


def _upgrade(connection: Any, cfg: Config) -> bool:
    script = ScriptDirectory.from_config(cfg)
    head = script.get_current_head()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_MIGRATION_LOCK})")
    current = MigrationContext.configure(connection).get_current_revision()
    if current == head:
        return False
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")
    return True


async def upgrade_to_head(engine: AsyncEngine) -> bool:
    """Bring the database to the newest schema; returns whether anything was applied."""
    cfg = alembic_config()
    async with engine.begin() as conn:
        return bool(await conn.run_sync(_upgrade, cfg))
