"""Apply Alembic migrations on start (batch mode on SQLite), cheaply when already up to date."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import MIGRATIONS_DIR
from bot.db.revision import head_revision

if TYPE_CHECKING:
    from alembic.config import Config

# Any fixed 64-bit number: several processes starting at once migrate one at a time (PostgreSQL).
PG_MIGRATION_LOCK = 7_355_608_042


def alembic_config(migrations_dir: Path = MIGRATIONS_DIR) -> Config:
    """An Alembic config pointing at the project's migrations, independent of the working dir."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    return cfg


async def is_up_to_date(engine: AsyncEngine) -> bool:
    """Whether the database already has the newest schema (one cheap query)."""
    head = head_revision()
    if head is None:
        return False
    try:
        async with engine.connect() as conn:
            current = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    except DBAPIError:
        return False
    return current == head


def _upgrade(connection: Any, cfg: Config) -> bool:
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

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
    if await is_up_to_date(engine):
        return False
    cfg = alembic_config()
    async with engine.begin() as conn:
        return bool(await conn.run_sync(_upgrade, cfg))
