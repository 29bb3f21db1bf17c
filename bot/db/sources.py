"""Notes sources repository: the folders, git repositories and uploads notes come from, with
what each holds and its last sync; returns core models."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.models import SourceInfo, SourceKind
from bot.db.tables import ConceptRow, NoteFile, SourceRow


@dataclass(frozen=True, slots=True)
class StoredSource:
    """A source row as the application needs it (where its files lie, how it is named)."""

    id: int
    scope: str
    kind: SourceKind
    location: str
    root: str
    commit: str | None


def _stored(row: SourceRow) -> StoredSource:
    return StoredSource(row.id, row.scope, SourceKind(row.kind), row.location, row.root, row.commit)


async def upsert(
    session: AsyncSession,
    scope: str,
    kind: SourceKind,
    location: str,
    root: str,
    added_by: str = "",
) -> StoredSource:
    """The source ``(scope, kind, location)``, added when new (its ``root`` kept current)."""
    row = await session.scalar(
        select(SourceRow).where(
            SourceRow.scope == scope, SourceRow.kind == kind.value, SourceRow.location == location
        )
    )
    if row is None:
        row = SourceRow(
            scope=scope, kind=kind.value, location=location, root=root, added_by=added_by
        )
        session.add(row)
        await session.flush()
    elif row.root != root:
        row.root = root
    return _stored(row)


async def of_scopes(session: AsyncSession, scopes: Collection[str]) -> list[StoredSource]:
    """The sources of ``scopes``, oldest first."""
    rows = await session.scalars(
        select(SourceRow).where(SourceRow.scope.in_(list(scopes))).order_by(SourceRow.id)
    )
    return [_stored(row) for row in rows]


async def scopes_with(session: AsyncSession, kind: SourceKind) -> list[str]:
    """The scopes that have a source of ``kind``, the operator's ("") first."""
    rows = await session.scalars(
        select(SourceRow.scope).where(SourceRow.kind == kind.value).distinct()
    )
    return sorted(rows)


async def record_sync(
    session: AsyncSession,
    source_id: int,
    now: datetime,
    *,
    commit: str | None = None,
    changed: bool = False,
    error: tuple[str, dict[str, object]] | None = None,
) -> None:
    """Record a sync of a source: when, the commit it is at, whether the knowledge changed,
    and its failure (None clears the last one; a failure keeps the commit it was at)."""
    row = await session.get(SourceRow, source_id)
    if row is None:
        return
    row.synced_at = now
    if error is None:
        row.last_error = None
        if commit is not None:
            row.commit = commit
    else:
        key, params = error
        row.last_error = json.dumps({"key": key, "params": params}, ensure_ascii=False, default=str)
    if changed:
        row.changed_at = now


async def remove(session: AsyncSession, source_id: int) -> None:
    """Forget a source (its files are removed by the caller, through the knowledge)."""
    await session.execute(delete(SourceRow).where(SourceRow.id == source_id))


def _error(text: str | None) -> tuple[str, dict[str, object]] | None:
    if not text:
        return None
    try:
        data: Any = json.loads(text)
        return str(data["key"]), dict(data.get("params") or {})
    except (ValueError, KeyError, TypeError):
        return "notes_sync_error_text", {"text": text}


def under(path: str, root: str) -> bool:
    """Whether a stored file path lies in a source's root (the root itself for a file)."""
    return path == root or path.startswith(root.rstrip("/") + "/")


async def files_under(session: AsyncSession, scope: str, root: str) -> list[str]:
    """The stored notes files of ``scope`` that lie in ``root``."""
    rows = await session.scalars(select(NoteFile.path).where(NoteFile.scope == scope))
    return [path for path in rows if under(path, root)]


async def infos(session: AsyncSession, scopes: Sequence[str]) -> list[SourceInfo]:
    """The sources of ``scopes`` with how many files and concepts each holds (two queries)."""
    rows = list(
        await session.scalars(
            select(SourceRow).where(SourceRow.scope.in_(list(scopes))).order_by(SourceRow.id)
        )
    )
    counts = await session.execute(
        select(NoteFile.scope, NoteFile.path, func.count(ConceptRow.id))
        .outerjoin(ConceptRow, ConceptRow.file_id == NoteFile.id)
        .where(NoteFile.scope.in_(list(scopes)), NoteFile.kind == "notes")
        .group_by(NoteFile.id)
    )
    files = [(scope, path, int(n)) for scope, path, n in counts]
    result: list[SourceInfo] = []
    for row in rows:
        held = [n for scope, path, n in files if scope == row.scope and under(path, row.root)]
        result.append(
            SourceInfo(
                id=row.id,
                scope=row.scope,
                kind=SourceKind(row.kind),
                label=row.location,
                files=len(held),
                concepts=sum(held),
                commit=row.commit,
                synced_at=row.synced_at,
                changed_at=row.changed_at,
                error=_error(row.last_error),
            )
        )
    return result
