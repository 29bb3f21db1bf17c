"""The lookup snapshot: written by the Service, trusted only while the database agrees."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from bot.__main__ import quick_knowledge
from bot.app.service import Service
from bot.config import Settings
from bot.db import snapshot
from bot.db.revision import head_revision
from tests.conftest import SHIPPED_NOTES


def _settings(make_settings: type[Settings], tmp_path: Path, notes: Path) -> Settings:
    return make_settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
        data_dir=tmp_path,
        knowledge_paths=[notes],
    )


def test_sqlite_file_of_urls() -> None:
    assert snapshot.sqlite_file("sqlite+aiosqlite:////tmp/x.sqlite3") == Path("/tmp/x.sqlite3")
    assert snapshot.sqlite_file("postgresql+asyncpg://u@h/db") is None
    assert snapshot.sqlite_file("sqlite+aiosqlite:///:memory:") is None


async def test_the_snapshot_matches_the_database_and_goes_stale_with_it(
    make_settings: type[Settings], tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(SHIPPED_NOTES, notes / SHIPPED_NOTES.name)
    settings = _settings(make_settings, tmp_path, notes)
    database = tmp_path / "db.sqlite3"
    service = await Service.start(settings)
    try:
        found = snapshot.read(database, head_revision())
        assert found is not None
        concepts, stored = found
        assert concepts == service.concepts()
        digest = hashlib.sha256((notes / SHIPPED_NOTES.name).read_bytes()).hexdigest()
        assert list(stored.values()) == [digest]
        quick = quick_knowledge(settings)
        assert quick is not None and quick.concepts() == service.concepts()

        old = snapshot.snapshot_file(database).read_text(encoding="utf-8")
        more = tmp_path / "more"
        more.mkdir()
        (more / "k8s.md").write_text("Kubernetes - 컨테이너 오케스트레이션\n", encoding="utf-8")
        await service.ingest([more])
        snapshot.snapshot_file(database).write_text(old, encoding="utf-8")
        assert snapshot.read(database, head_revision()) is None, "an older version is not trusted"
        assert snapshot.read(database, "not-the-head") is None
    finally:
        await service.close()


async def test_changed_notes_or_a_broken_file_take_the_full_path(
    make_settings: type[Settings], tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("Alpha - 하나\n", encoding="utf-8")
    settings = _settings(make_settings, tmp_path, notes)
    service = await Service.start(settings)
    await service.close()
    assert quick_knowledge(settings) is not None
    (notes / "a.md").write_text("Alpha - 바뀜\n", encoding="utf-8")
    assert quick_knowledge(settings) is None, "notes edited since the last ingest"
    (notes / "a.md").write_text("Alpha - 하나\n", encoding="utf-8")
    snapshot.snapshot_file(tmp_path / "db.sqlite3").write_text("{not json", encoding="utf-8")
    assert quick_knowledge(settings) is None
