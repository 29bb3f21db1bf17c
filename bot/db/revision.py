"""The newest migration's id, read from the migration files with the standard library only (so a
quick command can check the schema without importing SQLAlchemy or Alembic)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from bot.config import MIGRATIONS_DIR

_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN_REVISION = re.compile(r"^down_revision\s*=\s*['\"]([^'\"]+)['\"]", re.M)


@lru_cache(maxsize=1)
def head_revision(migrations_dir: Path = MIGRATIONS_DIR) -> str | None:
    """The newest revision id; None when the history is not one straight line (then Alembic
    decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (migrations_dir / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found:
            revisions.add(found.group(1))
        parent = _DOWN_REVISION.search(source)
        if parent:
            parents.add(parent.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None
