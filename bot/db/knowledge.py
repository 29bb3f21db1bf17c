"""Knowledge repository: note files, concepts, aliases; returns core models."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.core.models import Concept, KeyPoint, ParsedConcept
from bot.db.tables import AliasRow, ConceptRow, MetaRow, NoteFile, utcnow

KNOWLEDGE_VERSION_KEY = "knowledge_version"
SYNONYMS_KEY = "synonyms"
# PostgreSQL advisory lock taken by every ingest's write transaction (SQLite's BEGIN IMMEDIATE
# serialises writers already).
PG_KNOWLEDGE_LOCK = 0x6B6E6F77  # "know"

# A concept's derived values as stored: (candidate words, key points as JSON).
Derived = tuple[list[str], list[list[Any]]]
# Ids or paths per ``IN (...)`` list (well under any database's limit on bound parameters).
IN_CHUNK = 500
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class StoredFile:
    """What the database knows of a file: its id and content hash."""

    id: int
    path: str
    kind: str
    sha256: str
    scope: str = ""


@dataclass(slots=True)
class FileChange:
    """A notes file to write: its new hash and parsed concepts, and (when key points were
    derived) each concept's candidates and key points, in the same order."""

    path: str
    sha256: str
    size: int
    concepts: Sequence[ParsedConcept]
    kind: str = "notes"
    derived: Sequence[Derived] | None = None
    scope: str = ""


@dataclass(slots=True)
class ApplyCounts:
    """Concepts added, updated (definition, category, line or question changed) and removed."""

    added: int = 0
    updated: int = 0
    removed: int = 0


def _to_key_points(raw: list[list[Any]] | None) -> tuple[KeyPoint, ...]:
    if not raw:
        return ()
    return tuple(KeyPoint(tuple(str(a) for a in alts), float(weight)) for alts, weight in raw)


def key_points_to_json(points: Iterable[KeyPoint]) -> list[list[Any]]:
    """Key points as stored in the ``concepts.key_points`` JSON column."""
    return [[list(p.alternatives), p.weight] for p in points]


def to_concept(row: ConceptRow, aliases: Sequence[str]) -> Concept:
    """A stored row (with its file loaded) as a core Concept."""
    merged = list(dict.fromkeys([*row.note_aliases, *aliases]))
    return Concept(
        id=row.id,
        term=row.term,
        category=row.category,
        definition=row.definition,
        source_path=row.file.path,
        source_line=row.line,
        question=row.question,
        aliases=tuple(merged),
        key_points=_to_key_points(row.key_points),
        scope=row.file.scope,
    )


async def stored_files(session: AsyncSession) -> dict[str, StoredFile]:
    """Every ingested file by path."""
    rows = await session.execute(
        select(NoteFile.id, NoteFile.path, NoteFile.kind, NoteFile.sha256, NoteFile.scope)
    )
    return {r.path: StoredFile(r.id, r.path, r.kind, r.sha256, r.scope) for r in rows}


async def delete_files(session: AsyncSession, paths: Iterable[str]) -> int:
    """Delete files (their concepts and aliases go with them); returns concepts removed."""
    paths = list(paths)
    if not paths:
        return 0
    ids = select(NoteFile.id).where(NoteFile.path.in_(paths))
    removed = await session.scalar(
        select(func.count()).select_from(ConceptRow).where(ConceptRow.file_id.in_(ids))
    )
    await session.execute(delete(NoteFile).where(NoteFile.path.in_(paths)))
    return int(removed or 0)


async def apply_file(session: AsyncSession, change: FileChange, counts: ApplyCounts) -> None:
    """Write one changed file (see :func:`apply_files`)."""
    await apply_files(session, [change], counts)


def _chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def apply_files(
    session: AsyncSession, changes: Sequence[FileChange], counts: ApplyCounts
) -> None:
    """Write changed files in a few statements whatever their number: a file's concepts matched
    by term are updated in place (ids, and so history, survive an edit), new ones added,
    vanished ones removed. With ``change.derived`` every concept of the file gets the
    candidates and key points derived for it; without, a changed definition loses its stale
    ones."""
    for change in changes:
        if change.derived is not None and len(change.derived) != len(change.concepts):
            raise ValueError(f"derived key points do not match the concepts of {change.path}")
    if not changes:
        return
    now = utcnow()
    file_ids: dict[str, int] = {}
    for chunk in _chunks([change.path for change in changes]):
        found = await session.execute(
            select(NoteFile.path, NoteFile.id).where(NoteFile.path.in_(chunk))
        )
        file_ids.update({path: fid for path, fid in found})
    known = [change for change in changes if change.path in file_ids]
    if known:
        await session.execute(
            update(NoteFile),
            [
                {
                    "id": file_ids[c.path],
                    "sha256": c.sha256,
                    "size": c.size,
                    "kind": c.kind,
                    "scope": c.scope,
                    "ingested_at": now,
                }
                for c in known
            ],
        )
    fresh = [change for change in changes if change.path not in file_ids]
    if fresh:
        inserted = await session.execute(
            insert(NoteFile).returning(NoteFile.path, NoteFile.id),
            [
                {
                    "path": c.path,
                    "kind": c.kind,
                    "scope": c.scope,
                    "sha256": c.sha256,
                    "size": c.size,
                    "ingested_at": now,
                }
                for c in fresh
            ],
        )
        file_ids.update({path: fid for path, fid in inserted})
    stored: dict[int, list[Any]] = {}
    for id_chunk in _chunks([file_ids[c.path] for c in known]):
        rows = await session.execute(
            select(
                ConceptRow.id,
                ConceptRow.file_id,
                ConceptRow.term,
                ConceptRow.category,
                ConceptRow.definition,
                ConceptRow.line,
                ConceptRow.position,
                ConceptRow.question,
                ConceptRow.note_aliases,
                ConceptRow.tokens,
                ConceptRow.key_points,
            )
            .where(ConceptRow.file_id.in_(id_chunk))
            .order_by(ConceptRow.id)
        )
        for row in rows:
            stored.setdefault(row.file_id, []).append(row)
    new_rows: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    stale: list[int] = []
    for change in changes:
        file_id = file_ids[change.path]
        rows_of_file = stored.get(file_id, [])
        existing = {row.term: row for row in rows_of_file}  # a repeated term: the last row
        repeated = [row.id for row in rows_of_file if existing[row.term] is not row]
        stale.extend(repeated)
        counts.removed += len(repeated)
        for position, parsed in enumerate(change.concepts):
            tokens, points = (
                change.derived[position] if change.derived is not None else (None, None)
            )
            row = existing.pop(parsed.term, None)
            if row is None:
                new_rows.append(
                    {
                        "file_id": file_id,
                        "term": parsed.term,
                        "category": parsed.category,
                        "definition": parsed.definition,
                        "line": parsed.line,
                        "position": position,
                        "question": parsed.question,
                        "note_aliases": list(parsed.aliases),
                        "tokens": tokens,
                        "key_points": points,
                    }
                )
                counts.added += 1
                continue
            values: dict[str, Any] = {}
            content = (parsed.definition, parsed.category, parsed.line, parsed.question)
            aliases = list(parsed.aliases)
            if (row.definition, row.category, row.line, row.question) != content or (
                row.note_aliases != aliases
            ):
                counts.updated += 1
                values.update(
                    definition=parsed.definition,
                    category=parsed.category,
                    line=parsed.line,
                    question=parsed.question,
                    note_aliases=aliases,
                )
                if change.derived is None and row.definition != parsed.definition:
                    values.update(tokens=None, key_points=None)
            if row.position != position:
                values["position"] = position
            if change.derived is not None:
                if row.tokens != tokens:
                    values["tokens"] = tokens
                if row.key_points != points:
                    values["key_points"] = points
            if values:
                updates.append({"id": row.id, **values})
        for vanished in existing.values():
            stale.append(vanished.id)
            counts.removed += 1
    for stale_chunk in _chunks(stale):
        await session.execute(delete(ConceptRow).where(ConceptRow.id.in_(stale_chunk)))
    if updates:
        await session.execute(update(ConceptRow), updates)
    if new_rows:  # one multi-row INSERT: far cheaper than the unit of work for new concepts
        await session.execute(insert(ConceptRow), new_rows)


async def record_file(session: AsyncSession, path: str, kind: str, sha256: str, size: int) -> None:
    """Record a curation file's hash (aliases / key points / synonyms)."""
    file = await session.scalar(select(NoteFile).where(NoteFile.path == path))
    if file is None:
        session.add(NoteFile(path=path, kind=kind, sha256=sha256, size=size))
    else:
        file.sha256, file.size, file.ingested_at = sha256, size, utcnow()


async def replace_aliases(session: AsyncSession, aliases: Mapping[str, Sequence[str]]) -> None:
    """Replace every curated alias: ``aliases`` maps a concept term to its other names."""
    await session.execute(delete(AliasRow))
    if not aliases:
        return
    rows = await session.execute(select(ConceptRow.id, ConceptRow.term))
    values = [
        {"concept_id": cid, "alias": alias}
        for cid, term in rows
        for alias in dict.fromkeys(aliases.get(term, ()))
        if alias != term
    ]
    if values:
        await session.execute(insert(AliasRow), values)


async def concept_terms(session: AsyncSession) -> list[tuple[int, str, str]]:
    """(id, term, source path) of every concept."""
    rows = await session.execute(
        select(ConceptRow.id, ConceptRow.term, NoteFile.path)
        .join(NoteFile)
        .order_by(NoteFile.path, ConceptRow.position)
    )
    return [(r[0], r[1], r[2]) for r in rows]


async def load_concepts(session: AsyncSession, ids: Iterable[int] | None = None) -> list[Concept]:
    """Concepts with their aliases and key points, in note order (all, or those with ``ids``)."""
    query = select(ConceptRow).options(selectinload(ConceptRow.file))
    alias_query = select(AliasRow.concept_id, AliasRow.alias).order_by(AliasRow.id)
    if ids is not None:
        id_list = list(ids)
        query = query.where(ConceptRow.id.in_(id_list))
        alias_query = alias_query.where(AliasRow.concept_id.in_(id_list))
    aliases: dict[int, list[str]] = {}
    for cid, alias in await session.execute(alias_query):
        aliases.setdefault(cid, []).append(alias)
    rows = await session.scalars(query.order_by(ConceptRow.file_id, ConceptRow.position))
    return [to_concept(row, aliases.get(row.id, ())) for row in rows]


async def count_concepts(session: AsyncSession) -> int:
    """How many concepts are stored."""
    return int(await session.scalar(select(func.count()).select_from(ConceptRow)) or 0)


async def knowledge_version(session: AsyncSession) -> int:
    """A number that grows every time the knowledge changes (other processes watch it)."""
    value = await session.scalar(select(MetaRow.value).where(MetaRow.key == KNOWLEDGE_VERSION_KEY))
    return int(value or 0)


async def bump_knowledge_version(session: AsyncSession) -> int:
    """Increase the knowledge version inside the current transaction."""
    row = await session.get(MetaRow, KNOWLEDGE_VERSION_KEY)
    if row is None:
        row = MetaRow(key=KNOWLEDGE_VERSION_KEY, value="1")
        session.add(row)
    else:
        row.value = str(int(row.value) + 1)
    await session.flush()
    return int(row.value)


async def get_meta(session: AsyncSession, key: str) -> str | None:
    """A stored key/value fact, or None."""
    return await session.scalar(select(MetaRow.value).where(MetaRow.key == key))


async def set_meta(session: AsyncSession, key: str, value: str | None) -> None:
    """Store (or with None, delete) a key/value fact inside the current transaction."""
    row = await session.get(MetaRow, key)
    if value is None:
        if row is not None:
            await session.delete(row)
    elif row is None:
        session.add(MetaRow(key=key, value=value))
    else:
        row.value = value


async def lock_knowledge(session: AsyncSession) -> None:
    """Serialise ingests' write transactions: on PostgreSQL an advisory lock held until the
    transaction ends; on SQLite the transaction's ``BEGIN IMMEDIATE`` already holds the write
    lock (this first statement takes it)."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await session.execute(text(f"SELECT pg_advisory_xact_lock({PG_KNOWLEDGE_LOCK})"))


@dataclass(frozen=True, slots=True)
class StoredConcept:
    """A stored concept as the key-point stage and the ingest's plan see it."""

    id: int
    path: str
    term: str
    note_aliases: tuple[str, ...]
    definition: str
    tokens: list[str] | None
    key_points: list[list[Any]] | None


async def stored_concepts(session: AsyncSession) -> list[StoredConcept]:
    """Every concept with its file's path, by file and position (ties by id)."""
    rows = await session.execute(
        select(
            ConceptRow.id,
            NoteFile.path,
            ConceptRow.term,
            ConceptRow.note_aliases,
            ConceptRow.definition,
            ConceptRow.tokens,
            ConceptRow.key_points,
        )
        .join(NoteFile)
        .order_by(NoteFile.path, ConceptRow.position, ConceptRow.id)
    )
    return [
        StoredConcept(cid, path, term, tuple(aliases or ()), definition, tokens, points)
        for cid, path, term, aliases, definition, tokens, points in rows
    ]


async def save_key_points(session: AsyncSession, values: Mapping[int, Derived]) -> None:
    """Store each concept's candidate words and key points (``{id: (candidates, points)}``)."""
    if values:
        await session.execute(
            update(ConceptRow),
            [
                {"id": cid, "tokens": tokens, "key_points": points}
                for cid, (tokens, points) in values.items()
            ],
        )
