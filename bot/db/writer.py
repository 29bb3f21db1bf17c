"""The answer path's writer: one per process and database, committing writes in groups.

A flow hands :meth:`GroupWriter.run` a write (a function making its :class:`~bot.db.steps.Steps`)
and awaits it. Writes queue while a batch is being committed; the next batch takes every write
queued by then, runs them one after another in one transaction, commits, and only then answers
each caller: what a caller was told is stored is durable (on SQLite the commit is in the WAL file
before the reply, so a killed process loses nothing it acknowledged). A write's result is decided
inside the batch in order, so two writes racing for one question see each other exactly as two
transactions would (the guarded update of the first moves it; the second's finds nothing).

When anything in a batch fails (a lock timeout, a deadlock with another process, a constraint),
the batch is rolled back and each write runs again alone, in its own transaction: one bad write
fails only its caller.

On a SQLite file the batch runs in one worker-thread call on a stdlib ``sqlite3`` connection of
the writer's own (one thread hop per batch, not several per statement); on PostgreSQL on the
asyncpg connection under a SQLAlchemy connection the writer keeps checked out; any other
database (an in-memory SQLite) through a SQLAlchemy connection. Statements are compiled once
(:meth:`~bot.db.steps.Sql.prepared`) and the drivers cache them prepared.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol, TypeVar

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.db.engine import SQLITE_BUSY_TIMEOUT_MS
from bot.db.snapshot import sqlite_file
from bot.db.steps import Prepared, Step, Steps, drive, executor

T = TypeVar("T")

log = logging.getLogger(__name__)

# How many writes one transaction takes at most (a burst of thousands commits in a few groups;
# a group this size commits in a few milliseconds on SQLite).
MAX_BATCH = 500
# PostgreSQL: groups in flight at once (one connection each) and the writes in one group.
PG_LANES = 4
PG_MAX_BATCH = 64

Build = Callable[[], Steps[Any]]


@dataclass(slots=True)
class _Job:
    build: Build
    future: asyncio.Future[Any]


@dataclass(slots=True)
class _Outcome:
    value: Any = None
    error: BaseException | None = None


@dataclass(slots=True)
class WriterFigures:
    """What a writer did so far (benchmarks and tests read it)."""

    batches: int = 0
    writes: int = 0
    largest_batch: int = 0


class _Rollback(Exception):
    """Raised inside a transaction block to roll back a write that handled its own error."""

    def __init__(self, outcome: _Outcome) -> None:
        super().__init__("roll back")
        self.outcome = outcome


class _Backend(Protocol):
    async def run(self, builds: Sequence[Build]) -> list[_Outcome]: ...

    async def close(self) -> None: ...


def _drive_sync(steps: Steps[Any], execute: Callable[[Step], Any]) -> tuple[Any, bool]:
    """:func:`~bot.db.steps.drive` with a synchronous ``execute`` (in the SQLite writer's
    thread)."""
    handled = False
    try:
        step = next(steps)
        while True:
            try:
                answer = execute(step)
            except DBAPIError as exc:
                handled = True
                step = steps.throw(exc)
            else:
                step = steps.send(answer)
    except StopIteration as done:
        return done.value, handled


def _as_sqlalchemy(exc: Exception, prepared: Prepared, parameters: Sequence[object]) -> DBAPIError:
    """A driver's error as the SQLAlchemy error the rest of the bot expects."""
    if isinstance(exc, sqlite3.Error):
        error = DBAPIError.instance(prepared.sql, list(parameters), exc, sqlite3.Error)
        assert isinstance(error, DBAPIError)
        return error
    if type(exc).__name__.endswith("ViolationError"):  # asyncpg's constraint violations
        return IntegrityError(prepared.sql, list(parameters), exc)
    return OperationalError(prepared.sql, list(parameters), exc)


class _SqliteFile:
    """Batches on a stdlib ``sqlite3`` connection of the writer's own, one thread call each."""

    def __init__(self, path: str, dialect: Dialect) -> None:
        self._path = path
        self._dialect = dialect
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            connection = sqlite3.connect(
                self._path,
                timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,  # used by one batch at a time, from worker threads
            )
            for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):
                connection.execute(f"PRAGMA {pragma}")
            connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            self._connection = connection
        return self._connection

    def _execute(self, step: Step) -> Any:
        prepared = step.sql.prepared(self._dialect)
        parameters = prepared.parameters(step.values)
        try:
            cursor = self._connect().execute(prepared.sql, parameters)
            if step.want == "rowcount":
                return cursor.rowcount
            rows = cursor.fetchall()
        except sqlite3.Error as exc:
            raise _as_sqlalchemy(exc, prepared, parameters) from exc
        if step.want == "all":
            return [prepared.row(row) for row in rows]
        if not rows:
            return None
        first = prepared.row(rows[0])
        return first[0] if step.want == "scalar" else first

    def _one_transaction(self, builds: Sequence[Build]) -> list[_Outcome]:
        connection = self._connect()
        connection.execute("BEGIN IMMEDIATE")
        try:
            outcomes = []
            for build in builds:
                value, handled = _drive_sync(build(), self._execute)
                if handled:  # the write undid itself: only alone can it be rolled back
                    raise _Rollback(_Outcome(value))
                outcomes.append(_Outcome(value))
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        return outcomes

    def _run(self, builds: Sequence[Build]) -> list[_Outcome]:
        try:
            return self._one_transaction(builds)
        except Exception as exc:
            if len(builds) > 1:
                return [self._alone(build) for build in builds]
            return [self._failed(exc)]

    def _alone(self, build: Build) -> _Outcome:
        try:
            return self._one_transaction([build])[0]
        except Exception as exc:
            return self._failed(exc)

    @staticmethod
    def _failed(exc: Exception) -> _Outcome:
        return exc.outcome if isinstance(exc, _Rollback) else _Outcome(error=exc)

    async def run(self, builds: Sequence[Build]) -> list[_Outcome]:
        return await asyncio.to_thread(self._run, builds)

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class _AsyncBatches:
    """What the asynchronous backends share: a batch in one transaction, else each write
    alone (:meth:`_one_transaction` is theirs)."""

    async def _one_transaction(self, builds: Sequence[Build]) -> list[_Outcome]:
        raise NotImplementedError

    async def _alone(self, build: Build) -> _Outcome:
        try:
            return (await self._one_transaction([build]))[0]
        except _Rollback as rolled:
            return rolled.outcome
        except Exception as exc:
            return _Outcome(error=exc)

    async def run(self, builds: Sequence[Build]) -> list[_Outcome]:
        try:
            return await self._one_transaction(builds)
        except Exception as exc:
            if len(builds) == 1:
                return [exc.outcome if isinstance(exc, _Rollback) else _Outcome(error=exc)]
            return [await self._alone(build) for build in builds]


class _Asyncpg(_AsyncBatches):
    """Batches on the asyncpg connection under a SQLAlchemy connection kept checked out."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._dialect = engine.dialect
        self._held: AsyncConnection | None = None
        self._driver: Any = None

    async def _connect(self) -> Any:
        if self._driver is not None and self._driver.is_closed():
            await self.close()
        if self._driver is None:
            self._held = await self._engine.connect()
            raw = await self._held.get_raw_connection()
            self._driver = raw.driver_connection
        return self._driver

    async def _execute(self, driver: Any, step: Step) -> Any:
        prepared = step.sql.prepared(self._dialect)
        parameters = prepared.parameters(step.values)
        try:
            if step.want == "rowcount":
                status = await driver.execute(prepared.sql, *parameters)
                return int(str(status).rsplit(" ", 1)[-1] or 0)
            rows = await driver.fetch(prepared.sql, *parameters)
        except Exception as exc:
            if type(exc).__module__.startswith("asyncpg"):
                raise _as_sqlalchemy(exc, prepared, parameters) from exc
            raise
        if step.want == "all":
            return [prepared.row(tuple(row)) for row in rows]
        if not rows:
            return None
        first = prepared.row(tuple(rows[0]))
        return first[0] if step.want == "scalar" else first

    async def _one_transaction(self, builds: Sequence[Build]) -> list[_Outcome]:
        driver = await self._connect()
        if driver.is_in_transaction():  # never nested: a savepoint would commit nothing
            await self.close()
            raise OperationalError(
                "BEGIN", None, RuntimeError("writer connection in a transaction")
            )
        outcomes = []
        async with driver.transaction():
            for build in builds:
                value, handled = await drive(build(), partial(self._execute, driver))
                if handled:
                    raise _Rollback(_Outcome(value))
                outcomes.append(_Outcome(value))
        return outcomes

    async def close(self) -> None:
        held, self._held, self._driver = self._held, None, None
        if held is not None:
            try:
                await held.close()
            except Exception:  # a connection the server dropped: nothing left to release
                log.debug("writer connection closed with an error", exc_info=True)


class _Engine(_AsyncBatches):
    """Batches through a SQLAlchemy connection (a database without a faster path)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def _one_transaction(self, builds: Sequence[Build]) -> list[_Outcome]:
        async with self._engine.connect() as connection, connection.begin():
            execute = executor(connection)
            outcomes = []
            for build in builds:
                value, handled = await drive(build(), execute)
                if handled:
                    raise _Rollback(_Outcome(value))
                outcomes.append(_Outcome(value))
        return outcomes

    async def close(self) -> None:
        return None


class GroupWriter:
    """One process's writer to one database: writes queue and commit in groups; each caller is
    answered after the group holding its write is committed.

    On SQLite one group commits at a time (the database has one write lock). On PostgreSQL up
    to :data:`PG_LANES` groups of at most :data:`PG_MAX_BATCH` commit at once, each on its own
    connection: a group's statements are round trips, so several groups in flight keep the
    server busy while this process builds the next (rows two groups both touch are ordered by
    PostgreSQL's row locks; a deadlock between them rolls one back and its writes run alone).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        max_batch: int | None = None,
        lanes: int | None = None,
        on_driver: bool = True,
    ) -> None:
        self._engine = engine
        self._on_driver = on_driver  # False: always through SQLAlchemy connections
        postgres = engine.dialect.name == "postgresql"
        self._max_batch = max_batch or (PG_MAX_BATCH if postgres else MAX_BATCH)
        self._lanes = lanes or (PG_LANES if postgres else 1)
        self._queue: deque[_Job] = deque()
        self._draining: set[asyncio.Task[None]] = set()
        self._idle: list[_Backend] = []
        self._backends: list[_Backend] = []
        self._closed = False
        self.figures = WriterFigures()

    def _make_backend(self) -> _Backend:
        url = self._engine.url
        if not self._on_driver:
            return _Engine(self._engine)
        if url.get_backend_name() == "sqlite" and not url.query:  # a plain file, not a URI
            path = sqlite_file(url.render_as_string(hide_password=False))
            if path is not None:
                return _SqliteFile(str(path), self._engine.dialect)
        elif url.get_driver_name() == "asyncpg":
            return _Asyncpg(self._engine)
        return _Engine(self._engine)

    async def run(self, build: Callable[[], Steps[T]]) -> T:
        """Run the write ``build`` makes in the next group and return its result once the group
        is committed (its error, if it failed even alone)."""
        if self._closed:
            raise RuntimeError("the writer is closed")
        loop = asyncio.get_running_loop()
        job = _Job(build, loop.create_future())
        self._queue.append(job)
        if len(self._draining) < self._lanes:
            self._draining.add(loop.create_task(self._drain()))
        return await job.future  # type: ignore[no-any-return]

    def _next_batch(self) -> list[_Job]:
        batch: list[_Job] = []
        while self._queue and len(batch) < self._max_batch:
            job = self._queue.popleft()
            if not job.future.done():  # its caller gave up before it ran: never run it
                batch.append(job)
        return batch

    async def _drain(self) -> None:
        """One lane: groups from the queue until it is empty, on a backend of its own."""
        backend: _Backend | None = None
        try:
            while self._queue:
                batch = self._next_batch()
                if not batch:
                    continue
                try:
                    if backend is None:
                        backend = self._idle.pop() if self._idle else self._new_backend()
                    outcomes = await backend.run([job.build for job in batch])
                except Exception as exc:  # the database could not be reached at all
                    outcomes = [_Outcome(error=exc) for _ in batch]
                self.figures.batches += 1
                self.figures.writes += len(batch)
                self.figures.largest_batch = max(self.figures.largest_batch, len(batch))
                for job, outcome in zip(batch, outcomes, strict=True):
                    if job.future.done():
                        continue
                    if outcome.error is not None:
                        job.future.set_exception(outcome.error)
                    else:
                        job.future.set_result(outcome.value)
        finally:
            # Leaves the lanes in the same step that found the queue empty: a write queued
            # after this starts a lane of its own.
            self._draining.discard(asyncio.current_task())  # type: ignore[arg-type]
            if backend is not None:
                self._idle.append(backend)

    def _new_backend(self) -> _Backend:
        backend = self._make_backend()
        self._backends.append(backend)
        return backend

    async def close(self) -> None:
        """Finish the queued writes, then release the writer's connections."""
        self._closed = True
        while self._draining:
            await asyncio.shield(asyncio.gather(*self._draining))
        for backend in self._backends:
            await backend.close()
        self._backends, self._idle = [], []
