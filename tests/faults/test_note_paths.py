"""Faults an operator meets with note paths: the working directory, symlinks (issue: notes
stored once whatever the cwd; a removed link is noticed; a link out of the folder is not read)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.app.ingest import ingest
from bot.db import knowledge as repo
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import upgrade_to_head


@pytest.fixture
async def sessions(sqlite_url: str) -> AsyncIterator[async_sessionmaker[Any]]:
    engine = make_engine(sqlite_url)
    await upgrade_to_head(engine)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def _terms(sessions: async_sessionmaker[Any]) -> list[str]:
    async with sessions() as session:
        return sorted(c.term for c in await repo.load_concepts(session))


async def test_a_folder_ingested_from_several_working_directories_is_stored_once(
    sessions: async_sessionmaker[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "site" / "notes"
    notes.mkdir(parents=True)
    (notes / "a.md").write_text("Alpha - 하나\n", encoding="utf-8")
    (notes / "b.md").write_text("Beta - 둘\n", encoding="utf-8")
    for cwd, given in ((tmp_path, "site/notes"), (notes, "."), (Path("/"), str(notes))):
        monkeypatch.chdir(cwd)
        await ingest(sessions, [Path(given)], isolate_tokenizer=False)
    assert await _terms(sessions) == ["Alpha", "Beta"]
    async with sessions() as session:
        assert len(await repo.stored_files(session)) == 2
    (notes / "b.md").unlink()
    monkeypatch.chdir("/")  # systemd's default working directory
    report = await ingest(sessions, [notes], isolate_tokenizer=False)
    assert report.deleted == 1
    assert await _terms(sessions) == ["Alpha"]


async def test_a_removed_symlink_is_noticed_and_a_link_out_of_the_folder_is_not_followed(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    (notes / "shared").mkdir(parents=True)
    (notes / "shared" / "real.md").write_text("Gamma - 셋\n", encoding="utf-8")
    (notes / "link.md").symlink_to(notes / "shared" / "real.md")
    outside = tmp_path / "secret.md"
    outside.write_text("Secret - 밖의 파일\n", encoding="utf-8")
    (notes / "out.md").symlink_to(outside)
    await ingest(sessions, [notes], isolate_tokenizer=False)
    async with sessions() as session:
        stored = set(await repo.stored_files(session))
    assert any(path.endswith("/link.md") for path in stored)
    assert not any(path.endswith("/out.md") or path.endswith("/secret.md") for path in stored)
    assert "Secret" not in await _terms(sessions)
    (notes / "link.md").unlink()
    await ingest(sessions, [notes], isolate_tokenizer=False)
    async with sessions() as session:
        stored = set(await repo.stored_files(session))
    assert not any(path.endswith("/link.md") for path in stored)
    assert await _terms(sessions) == ["Gamma"]
