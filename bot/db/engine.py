"""Engine and session factory. One session per Service call (``expire_on_commit=False``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import event
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_ONLY_OPTION = "sqlite_read_only"


def is_sqlite(url: str) -> bool:
    """Whether ``url`` points at SQLite."""
    return url.startswith("sqlite")


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine; on SQLite turn on WAL, foreign keys and a busy timeout so several
    connections (and processes) can share the file."""
    if is_sqlite(url):
        kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    else:
        # A pooled connection the server dropped (restart, failover, idle timeout) is replaced
        # before use instead of failing the request it was handed to.
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, issue BEGIN so BEGIN IMMEDIATE can be used for guards.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Writers take the write lock up front (no deadlock upgrading a read); readers don't
            # queue behind writers (WAL lets them read while one writes).
            read_only = conn.get_execution_options().get(READ_ONLY_OPTION, False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def insert_for(dialect: str) -> Callable[[Any], PgInsert]:
    """The ``insert`` construct of the dialect named ``dialect`` (PostgreSQL or SQLite), which
    has ``on_conflict_do_nothing`` / ``on_conflict_do_update``: claims and upserts decided by a
    unique key, in one statement. (Typed as PostgreSQL's: SQLite's has the same methods.)"""
    if dialect == "postgresql":
        return pg_insert
    return cast(Callable[[Any], PgInsert], sqlite_insert)


def dialect_insert(session: AsyncSession) -> Callable[[Any], PgInsert]:
    """:func:`insert_for` the session's database."""
    return insert_for(session.get_bind().dialect.name)


def make_sessionmaker(engine: AsyncEngine, *, read_only: bool = False) -> async_sessionmaker[Any]:
    """The session factory repository calls use; ``read_only`` sessions must not write (on
    SQLite they start a plain deferred transaction instead of taking the write lock)."""
    bind = engine.execution_options(**{READ_ONLY_OPTION: True}) if read_only else engine
    return async_sessionmaker(bind, expire_on_commit=False)
