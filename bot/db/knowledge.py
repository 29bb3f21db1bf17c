"""Knowledge repository: note files, concepts, aliases; returns core models."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.core.models import Concept, KeyPoint, ParsedConcept
from bot.db.tables import AliasRow, ConceptRow, MetaRow, NoteFile, utcnow

KNOWLEDGE_VERSION_KEY = "knowledge_version"
SYNONYMS_KEY = "synonyms"


@dataclass(frozen=True, slots=True)
class StoredFile:
    """What the database knows of a file: its id and content hash."""

    id: int
    path: str
    kind: str
    sha256: str


@dataclass(slots=True)
class FileChange:
    """A notes file to write: its new hash and parsed concepts."""

    path: str
    sha256: str
    size: int
    concepts: Sequence[ParsedConcept]
    kind: str = "notes"


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
    )


async def stored_files(session: AsyncSession) -> dict[str, StoredFile]:
    """Every ingested file by path."""
    rows = await session.execute(select(NoteFile.id, NoteFile.path, NoteFile.kind, NoteFile.sha256))
    return {r.path: StoredFile(r.id, r.path, r.kind, r.sha256) for r in rows}


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
    """Write one changed file: concepts matched by term are updated in place (ids, and so history,
    survive an edit), new ones added, vanished ones removed."""
    file = await session.scalar(select(NoteFile).where(NoteFile.path == change.path))
    if file is None:
        file = NoteFile(path=change.path, kind=change.kind, sha256=change.sha256, size=change.size)
        session.add(file)
        await session.flush()
        existing: dict[str, ConceptRow] = {}
    else:
        file.sha256, file.size, file.kind, file.ingested_at = (
            change.sha256,
            change.size,
            change.kind,
            utcnow(),
        )
        rows = await session.scalars(select(ConceptRow).where(ConceptRow.file_id == file.id))
        existing = {row.term: row for row in rows}
    new_rows: list[dict[str, Any]] = []
    for position, parsed in enumerate(change.concepts):
        row = existing.pop(parsed.term, None)
        if row is None:
            new_rows.append(
                {
                    "file_id": file.id,
                    "term": parsed.term,
                    "category": parsed.category,
                    "definition": parsed.definition,
                    "line": parsed.line,
                    "position": position,
                    "question": parsed.question,
                    "note_aliases": list(parsed.aliases),
                    "tokens": None,
                    "key_points": None,
                }
            )
            counts.added += 1
            continue
        if (row.definition, row.category, row.line, row.question, row.note_aliases) != (
            parsed.definition,
            parsed.category,
            parsed.line,
            parsed.question,
            list(parsed.aliases),
        ):
            counts.updated += 1
            if row.definition != parsed.definition:
                row.tokens, row.key_points = None, None
        else:
            row.position = position
            continue
        row.category, row.definition, row.line = parsed.category, parsed.definition, parsed.line
        row.question, row.note_aliases, row.position = (
            parsed.question,
            list(parsed.aliases),
            position,
        )
    for stale in existing.values():
        await session.delete(stale)
        counts.removed += 1
    await session.flush()
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


@dataclass(frozen=True, slots=True)
class KeyPointInput:
    """What key-point derivation needs of a stored concept."""

    id: int
    term: str
    names: tuple[str, ...]
    definition: str
    candidates: list[str] | None


async def key_point_inputs(session: AsyncSession) -> list[KeyPointInput]:
    """Every concept with its names and stored candidate words (None when not yet derived)."""
    aliases: dict[int, list[str]] = {}
    for cid, alias in await session.execute(select(AliasRow.concept_id, AliasRow.alias)):
        aliases.setdefault(cid, []).append(alias)
    rows = await session.execute(
        select(
            ConceptRow.id,
            ConceptRow.term,
            ConceptRow.note_aliases,
            ConceptRow.definition,
            ConceptRow.tokens,
        ).order_by(ConceptRow.id)
    )
    return [
        KeyPointInput(cid, term, (term, *note_aliases, *aliases.get(cid, ())), definition, tokens)
        for cid, term, note_aliases, definition, tokens in rows
    ]


async def save_key_points(
    session: AsyncSession, values: Mapping[int, tuple[list[str], list[list[Any]]]]
) -> None:
    """Store each concept's candidate words and key points (``{id: (candidates, points)}``)."""
    if values:
        await session.execute(
            update(ConceptRow),
            [
                {"id": cid, "tokens": tokens, "key_points": points}
                for cid, (tokens, points) in values.items()
            ],
        )
