"""A snapshot of the loaded concepts next to a SQLite database, for commands that only look
something up (``interview-bot define``) and should start without the database layer.

The Service writes the snapshot whenever it loads a new knowledge version. A reader trusts it
only while the database still says the same schema revision and knowledge version; anything else
(another ingest, a migration, a missing or broken file) sends the caller down the normal path.
Standard library only.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.core.models import Concept, KeyPoint

SNAPSHOT_SUFFIX = ".lookup.json"
SQLITE_PREFIXES = ("sqlite+aiosqlite:///", "sqlite:///")


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL, or None (PostgreSQL, in-memory)."""
    for prefix in SQLITE_PREFIXES:
        if url.startswith(prefix):
            path = url.removeprefix(prefix).split("?", 1)[0]
            return Path(path) if path and path != ":memory:" else None
    return None


def snapshot_file(database: Path) -> Path:
    """Where the snapshot of ``database`` lives."""
    return database.with_name(database.name + SNAPSHOT_SUFFIX)


def _concept_json(concept: Concept) -> dict[str, Any]:
    return {
        "id": concept.id,
        "term": concept.term,
        "category": concept.category,
        "definition": concept.definition,
        "source_path": concept.source_path,
        "source_line": concept.source_line,
        "question": concept.question,
        "aliases": list(concept.aliases),
        "key_points": [[list(p.alternatives), p.weight] for p in concept.key_points],
        "scope": concept.scope,
    }


def _concept(data: dict[str, Any]) -> Concept:
    return Concept(
        id=int(data["id"]),
        term=str(data["term"]),
        category=str(data["category"]),
        definition=str(data["definition"]),
        source_path=str(data["source_path"]),
        source_line=int(data["source_line"]),
        question=data["question"],
        aliases=tuple(data["aliases"]),
        key_points=tuple(KeyPoint(tuple(alts), float(w)) for alts, w in data["key_points"]),
        scope=str(data.get("scope", "")),
    )


def write(database: Path, revision: str | None, version: int, concepts: Sequence[Concept]) -> None:
    """Replace the snapshot atomically (a reader never sees half a file)."""
    payload = {
        "revision": revision,
        "version": version,
        "concepts": [_concept_json(c) for c in concepts],
    }
    target = snapshot_file(database)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(payload, out, ensure_ascii=False)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def read(database: Path, revision: str | None) -> tuple[list[Concept], dict[str, str]] | None:
    """The snapshot's concepts and the stored notes hashes (path -> sha256), if the snapshot
    matches what the database says now; None otherwise."""
    if revision is None:
        return None
    try:
        payload = json.loads(snapshot_file(database).read_text(encoding="utf-8"))
        if payload.get("revision") != revision:
            return None
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            current = db.execute("SELECT version_num FROM alembic_version").fetchone()
            version = db.execute(
                "SELECT value FROM meta WHERE key = 'knowledge_version'"
            ).fetchone()
            stored = dict(db.execute("SELECT path, sha256 FROM note_files").fetchall())
        if current is None or current[0] != revision:
            return None
        if version is None or int(version[0]) != payload.get("version"):
            return None
        return [_concept(item) for item in payload["concepts"]], stored
    except (OSError, ValueError, KeyError, TypeError, sqlite3.Error):
        return None
