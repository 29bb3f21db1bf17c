"""A reply's files at the console: written into ``<data dir>/files/`` under their own name, or a
new one when that is taken (``stats-2.png``), so nothing saved before is overwritten."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePath

from bot.core.models import Attachment

FILES_FOLDER = "files"
FALLBACK_NAME = "file"


def safe_name(filename: str) -> str:
    """The last part of ``filename`` (no folders, no leading dots), else ``file``."""
    name = PurePath(filename.replace("\\", "/")).name.lstrip(".").strip()
    return name or FALLBACK_NAME


def free_path(folder: Path, filename: str) -> Path:
    """A path in ``folder`` for ``filename`` that no file has yet (``name-2.ext``, ...)."""
    name = safe_name(filename)
    candidate = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 1
    while candidate.exists():
        number += 1
        candidate = folder / f"{stem}-{number}{suffix}"
    return candidate


def save_files(data_dir: Path, files: Sequence[Attachment]) -> list[Path]:
    """Write ``files`` into ``<data_dir>/files/``; returns where each went."""
    if not files:
        return []
    folder = data_dir / FILES_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    for item in files:
        path = free_path(folder, item.filename)
        with path.open("xb") as out:  # never over a file that appeared meanwhile
            out.write(item.data)
        saved.append(path)
    return saved
