"""Statements built once, and a flow's writes as steps.

A repository write that the answer path uses is a generator of :class:`Step`: it yields each
statement with its values and is sent back the result, so the logic of one write (a guarded
update, then an insert only if it moved ...) is written once and runs either on a session
(:func:`run_steps`, any flow) or inside the group-commit writer's batch on the driver itself
(:mod:`bot.db.writer`). Each :class:`Sql` is a Core statement with bind parameters, built once
per database dialect and, for the driver, compiled once (:meth:`Sql.prepared`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from sqlalchemy import Executable
from sqlalchemy.engine import Dialect, Result
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

T = TypeVar("T")

# What a step wants back: the number of rows it changed, the first column of its first row
# (None without rows), its first row, or all its rows (rows as tuples).
Want = Literal["rowcount", "scalar", "first", "all"]

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class Prepared:
    """A statement compiled for one dialect: its SQL text, its bind parameters in order (with
    the value of those the statement fixes, and each type's conversion for the driver) and the
    conversion of each result column."""

    sql: str
    names: tuple[str, ...]
    fixed: tuple[object, ...]
    binds: tuple[Processor, ...]
    results: tuple[Processor, ...]

    def parameters(self, values: Mapping[str, object]) -> list[object]:
        """The driver's positional parameters for ``values`` (name -> value)."""
        get = values.get
        return [
            value if (value := get(name, fixed)) is None or convert is None else convert(value)
            for name, fixed, convert in zip(self.names, self.fixed, self.binds, strict=True)
        ]

    def row(self, raw: Any) -> tuple[Any, ...]:
        """One result row from the driver, each column converted as the ORM would."""
        return tuple(
            convert(value) if convert is not None and value is not None else value
            for value, convert in zip(raw, self.results, strict=False)
        )


def _prepare(statement: Executable, dialect: Dialect) -> Prepared:
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    if getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None):
        # A column default SQLAlchemy computes at execution: the driver would get NULL for it.
        raise ValueError(f"give every column a value or bind parameter: {compiled}")
    names = tuple(compiled.positiontup or ())
    binds = [compiled.binds[name] for name in names]
    columns = getattr(statement, "exported_columns", ())
    return Prepared(
        sql=str(compiled),
        names=names,
        fixed=tuple(bind.effective_value for bind in binds),
        binds=tuple(bind.type.dialect_impl(dialect).bind_processor(dialect) for bind in binds),
        results=tuple(_result_processor(column.type, dialect) for column in columns),
    )


def _result_processor(type_: Any, dialect: Dialect) -> Processor:
    """How the driver's value of a column of ``type_`` becomes the ORM's. A type that needs
    the database's own column type to say (PostgreSQL's numbers) gets none: asyncpg decodes
    those itself."""
    try:
        return type_.dialect_impl(dialect).result_processor(dialect, None)  # type: ignore[no-any-return]
    except (TypeError, ValueError, LookupError):
        return None


class Sql:
    """A Core statement with bind parameters, built once per database dialect (``build`` is
    given the dialect's name: upserts differ between PostgreSQL and SQLite) and compiled once
    for the driver."""

    __slots__ = ("_build", "_built", "_prepared")

    def __init__(self, build: Callable[[str], Executable]) -> None:
        self._build = build
        self._built: dict[str, Executable] = {}
        self._prepared: dict[str, Prepared] = {}

    def statement(self, dialect: str) -> Executable:
        """The statement for the dialect named ``dialect``."""
        built = self._built.get(dialect)
        if built is None:
            built = self._built[dialect] = self._build(dialect)
        return built

    def prepared(self, dialect: Dialect) -> Prepared:
        """The statement compiled for ``dialect`` (what the writer hands the driver)."""
        found = self._prepared.get(dialect.name)
        if found is None:
            found = self._prepared[dialect.name] = _prepare(self.statement(dialect.name), dialect)
        return found


@dataclass(frozen=True, slots=True)
class Step:
    """One statement of a write, its values, and what the write wants back."""

    sql: Sql
    values: Mapping[str, object]
    want: Want = "rowcount"


Steps = Generator[Step, Any, T]


def result_of(result: Result[Any], want: Want) -> Any:
    """What a step wants of a SQLAlchemy result."""
    if want == "rowcount":
        return int(result.rowcount)  # type: ignore[attr-defined]
    if want == "scalar":
        return result.scalar()
    if want == "first":
        row = result.first()
        return None if row is None else tuple(row)
    return [tuple(row) for row in result]


async def drive(steps: Steps[T], execute: Callable[[Step], Awaitable[Any]]) -> tuple[T, bool]:
    """Run ``steps``, each statement through ``execute``; returns the result and whether a
    database error was thrown into the steps (they handled it: their caller must roll the
    transaction back)."""
    handled = False
    try:
        step = next(steps)
        while True:
            try:
                answer = await execute(step)
            except DBAPIError as exc:  # the write may handle it (a unique key that decided)
                handled = True
                step = steps.throw(exc)
            else:
                step = steps.send(answer)
    except StopIteration as done:
        return done.value, handled


def executor(connection: AsyncConnection) -> Callable[[Step], Awaitable[Any]]:
    """What runs one step on ``connection`` (for :func:`drive`)."""
    dialect = connection.dialect.name

    async def execute(step: Step) -> Any:
        statement = step.sql.statement(dialect)
        return result_of(await connection.execute(statement, dict(step.values)), step.want)

    return execute


async def run_on(connection: AsyncConnection, steps: Steps[T]) -> T:
    """Run ``steps`` on ``connection``, in the transaction it is in. A statement's database
    error is thrown into the steps (a write that handles it has left the transaction for its
    caller to roll back)."""
    value, _ = await drive(steps, executor(connection))
    return value


async def run_steps(session: AsyncSession, steps: Steps[T]) -> T:
    """Run ``steps`` on the session's connection, in its transaction."""
    return await run_on(await session.connection(), steps)
