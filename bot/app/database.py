"""Opening the database for a process: the data folder and the SQLite file are created on
demand and the migrations applied. A folder or file that cannot be created or written (a
read-only data folder, a full disk, a path through a regular file) is a :class:`BadInput` naming
it, never a traceback; nothing is changed then."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.core.errors import BadInput
from bot.db.engine import make_engine
from bot.db.migrate import is_up_to_date, upgrade_to_head
from bot.db.snapshot import sqlite_file


def _reason(exc: BaseException) -> str:
    """The first line of what the system said, without a traceback."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0][:300]


def ensure_data_dir(settings: Settings) -> None:
    """Create the data folder when the database is its SQLite file (no ``DATABASE_URL``).

    Raises :class:`BadInput` ``data_dir_unusable`` when it cannot be created."""
    if settings.database_url:
        return
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(
            "data_dir_unusable", path=str(settings.data_dir), reason=_reason(exc)
        ) from exc


async def open_database(settings: Settings) -> tuple[AsyncEngine, bool]:
    """The engine on the configured database, migrated to the newest schema, and whether any
    migration was applied.

    Raises :class:`BadInput`: ``data_dir_unusable`` (the data folder cannot be created) or, on
    SQLite, ``database_unusable`` (the file cannot be created, opened or written: permissions,
    a full disk). Other databases' errors (PostgreSQL unreachable ...) pass unchanged.
    """
    ensure_data_dir(settings)
    url = settings.resolved_database_url
    engine = make_engine(url)
    database = sqlite_file(url)
    try:
        applied = await upgrade_to_head(engine)
    except (OSError, OperationalError) as exc:
        await engine.dispose()
        if database is None:
            raise
        raise BadInput("database_unusable", path=str(database), reason=_reason(exc)) from exc
    except BaseException:
        await engine.dispose()
        raise
    return engine, applied


def refused_write(engine: AsyncEngine, exc: OperationalError) -> BadInput | None:
    """The ``database_unusable`` error for a SQLite database that refused a write (a read-only
    file or folder, a full disk), or None for another database (its error passes unchanged)."""
    if engine.dialect.name != "sqlite":
        return None
    database = (engine.url.database or "").removeprefix("file:")
    return BadInput("database_unusable", path=database, reason=_reason(exc))


async def schema_current(settings: Settings) -> bool:
    """Whether the configured database answers with the newest schema, changing nothing (what a
    health check asks). A database that cannot be reached raises as on start."""
    engine = make_engine(settings.resolved_database_url)
    try:
        async with engine.connect():
            pass  # reachable at all: else the error says why
        return await is_up_to_date(engine)
    finally:
        await engine.dispose()
