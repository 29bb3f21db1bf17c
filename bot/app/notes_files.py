"""Finding notes and curation files, and telling cheaply whether any changed since the last
ingest (so a start with unchanged notes loads nothing heavy)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.core.errors import BadInput

NOTE_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
CURATION_FILES = {
    "aliases.toml": "aliases",
    "keypoints.toml": "keypoints",
    "synonyms.toml": "synonyms",
}


@dataclass(slots=True)
class Found:
    """A file to ingest: where it is, how it is named when stored, its kind, and whether it was
    named explicitly (an explicit file that fails fails the ingest; one found in a folder is
    skipped with its reason)."""

    path: Path
    display: str
    kind: str
    explicit: bool = False


def _hidden(path: Path, root: Path) -> bool:
    """Whether ``path`` lies in a hidden file or folder below ``root`` (``.git``, ``.github``,
    ``.obsidian`` ...); what the root itself is called does not matter (``..``, ``.notes``)."""
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def canonical(path: Path) -> Path:
    """One name per file whatever the working directory: absolute, ``..`` folded, the folders'
    symlinks resolved but not a symlinked file itself (so removing the link is noticed)."""
    whole = Path(os.path.abspath(path))
    return whole.parent.resolve() / whole.name


def display_path(path: Path) -> str:
    """How a file is named in the database and in ``source``: relative to the project when it
    lives there, else its canonical absolute path (never relative to the working directory)."""
    whole = canonical(path)
    if whole.is_relative_to(PROJECT_ROOT):
        return whole.relative_to(PROJECT_ROOT).as_posix()
    return whole.as_posix()


def _points_outside(path: Path, root: Path) -> bool:
    """A symlink in a notes folder whose target lies outside it (never followed)."""
    return path.is_symlink() and not path.resolve().is_relative_to(root)


def absolute(display: str) -> Path:
    """The file a stored path names."""
    path = Path(display)
    return path if path.is_absolute() else PROJECT_ROOT / path


def collect(paths: Sequence[Path]) -> tuple[list[Found], list[Path]]:
    """The notes and curation files under ``paths`` (sorted), and the folders searched."""
    found: dict[Path, Found] = {}
    roots: list[Path] = []
    for given in paths:
        if not given.exists():
            raise BadInput("ingest_not_found", path=str(given))
        if given.is_dir():
            root = given.resolve()
            roots.append(root)
            candidates = sorted(
                p
                for p in given.rglob("*")
                if p.is_file() and not _hidden(p, given) and not _points_outside(p, root)
            )
        else:
            candidates = [given]
        before = len(found)
        for candidate in candidates:
            kind = CURATION_FILES.get(candidate.name)
            if kind is None and candidate.suffix.lower() in NOTE_SUFFIXES:
                kind = "notes"
            if kind is None and not given.is_dir():
                kind = "notes"  # a file named explicitly is read as notes whatever its suffix
            if kind is not None:
                whole = canonical(candidate)
                explicit = not given.is_dir()
                found[whole] = Found(whole, display_path(whole), kind, explicit)
        if len(found) == before and given.is_dir():
            raise BadInput("ingest_no_files", path=str(given))
    return sorted(found.values(), key=lambda f: f.display), roots


def unchanged(paths: Sequence[Path], stored: Mapping[str, str]) -> bool:
    """Whether every file under ``paths`` is stored with the same hash and none vanished.

    ``stored`` maps stored paths to content hashes. Any doubt (a missing path, a new file)
    answers False so the full ingest decides.
    """
    try:
        files, roots = collect(paths)
    except BadInput:
        return False
    seen = set()
    for found in files:
        digest = stored.get(found.display)
        try:
            if digest is None or hashlib.sha256(found.path.read_bytes()).hexdigest() != digest:
                return False
        except OSError:  # unreadable now: the ingest says which file and why
            return False
        seen.add(found.display)
    for path in stored:
        if path not in seen and any(canonical(absolute(path)).is_relative_to(r) for r in roots):
            return False
    return True
