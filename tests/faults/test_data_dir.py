"""Faults an operator met with the data folder: a read-only one (or a full disk) gave a raw
traceback on start-up and ingest. A data folder or SQLite file that cannot be created is one
clear message naming it, and nothing is changed.

Tests run as root may pass permission bits, so a path through a regular file (which fails for
root too) stands in for a read-only folder; the read-only folder itself is tried when not root.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app.ingest import ingest
from bot.app.service import Service
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.errors import BadInput
from bot.core.messages import t
from bot.db import knowledge as repo
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import upgrade_to_head
from tests.wording import message_pattern

TIMEOUT_S = 120


def _blocked(tmp_path: Path) -> Path:
    """A folder that cannot be created: its parent is a regular file."""
    (tmp_path / "a-file").write_text("not a folder\n", encoding="utf-8")
    return tmp_path / "a-file" / "data"


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


async def test_a_data_folder_that_cannot_be_created_is_one_clear_error(
    make_settings: type[Settings], tmp_path: Path
) -> None:
    data = _blocked(tmp_path)
    before = _tree(tmp_path)
    settings = make_settings(
        database_url="", data_dir=data, knowledge_paths=[DEFAULT_KNOWLEDGE_DIR]
    )
    with pytest.raises(BadInput) as err:
        await Service.start(settings)
    assert err.value.key == "data_dir_unusable"
    assert err.value.params["path"] == str(data)
    for locale in ("ko", "en"):
        assert str(data) in t(err.value.key, locale, **err.value.params)
    assert _tree(tmp_path) == before, "nothing changed"


async def test_a_database_file_that_cannot_be_created_is_one_clear_error(
    make_settings: type[Settings], tmp_path: Path
) -> None:
    database = _blocked(tmp_path) / "bot.sqlite3"
    before = _tree(tmp_path)
    settings = make_settings(
        database_url=f"sqlite+aiosqlite:///{database}",
        data_dir=tmp_path,
        knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
    )
    with pytest.raises(BadInput) as err:
        await Service.start(settings)
    assert err.value.key == "database_unusable"
    assert err.value.params["path"] == str(database)
    assert _tree(tmp_path) == before, "nothing changed"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
async def test_a_read_only_data_folder_is_one_clear_error(
    make_settings: type[Settings], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o500)
    try:
        settings = make_settings(
            database_url="", data_dir=data, knowledge_paths=[DEFAULT_KNOWLEDGE_DIR]
        )
        with pytest.raises(BadInput) as err:
            await Service.start(settings)
        assert err.value.key == "database_unusable"
        assert list(data.iterdir()) == []
    finally:
        data.chmod(0o700)


@pytest.mark.parametrize("command", [["migrate"], ["ingest"], ["define", "도커"]])
def test_the_command_line_says_it_in_one_line_without_a_traceback(
    tmp_path: Path, command: list[str]
) -> None:
    data = _blocked(tmp_path)
    env = {**os.environ, "DATA_DIR": str(data), "LOCALE": "en"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot", *command],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert message_pattern("data_dir_unusable", "en", path=str(data)).search(done.stderr)


async def test_an_ingest_into_a_database_that_refuses_writes_is_one_clear_error(
    tmp_path: Path,
) -> None:
    """A read-only database file (or a full disk) refuses the ingest's write: a SQLite URI in
    read-only mode stands in for it (root cannot write through it either)."""
    database = tmp_path / "bot.sqlite3"
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    await upgrade_to_head(engine)
    await engine.dispose()
    notes = tmp_path / "notes.md"
    notes.write_text("Alpha - 하나\n", encoding="utf-8")
    read_only = make_engine(f"sqlite+aiosqlite:///file:{database}?mode=ro&uri=true")
    try:
        with pytest.raises(BadInput) as err:
            await ingest(make_sessionmaker(read_only), [notes], isolate_tokenizer=False)
    finally:
        await read_only.dispose()
    assert err.value.key == "database_unusable"
    assert err.value.params["path"] == str(database)
    assert message_pattern("database_unusable", "en", path=str(database)).search(
        t(err.value.key, "en", **err.value.params)
    )
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with make_sessionmaker(engine)() as session:
            assert await repo.stored_files(session) == {}, "nothing changed"
    finally:
        await engine.dispose()
