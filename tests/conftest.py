"""Shared fixtures: real databases (a SQLite file per test; a fresh PostgreSQL database per test
when ``TEST_DATABASE_URL`` points at a server), settings and a started Service."""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pydantic_settings import SettingsConfigDict

from bot.config import DEFAULT_KNOWLEDGE_DIR, PROJECT_ROOT, Settings

if TYPE_CHECKING:
    from bot.app.service import Service

TEST_DATABASE_URL_ENV = "TEST_DATABASE_URL"
SHIPPED_NOTES = DEFAULT_KNOWLEDGE_DIR / "interview-notes.md"
# The sentence encoder's table file, written once and shared by every test (and run) here.
TEST_MODELS_DIR = Path(tempfile.gettempdir()) / f"interview-bot-test-models-{os.getuid()}"


def _pg_server_url() -> str | None:
    url = os.environ.get(TEST_DATABASE_URL_ENV, "")
    return url if url.startswith("postgresql") else None


async def _pg_admin(url: str, statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def _fresh_pg_database() -> Iterator[str]:
    server = _pg_server_url()
    if server is None:
        pytest.skip(reason=f"PostgreSQL tests need {TEST_DATABASE_URL_ENV} (set by .ci/run)")
    name = f"ib_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_pg_admin(server, f'CREATE DATABASE "{name}"'))
    except OSError as exc:
        pytest.skip(reason=f"PostgreSQL at {TEST_DATABASE_URL_ENV} unreachable: {exc}")
    base, _, _ = server.rpartition("/")
    yield f"{base}/{name}"
    asyncio.run(_pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (dropped afterwards)."""
    yield from _fresh_pg_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite file for one test."""
    return f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test that uses this runs on SQLite and on PostgreSQL (skipped without a server)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
    else:
        yield from _fresh_pg_database()


@pytest.fixture
def make_settings(tmp_path: Path) -> Iterator[type[Settings]]:
    """Settings isolated from the developer's environment and .env file; the key-point tokenizer
    runs in the test process (its model and results are then reused across tests)."""

    class TestSettings(Settings):
        model_config = SettingsConfigDict(**{**Settings.model_config, "env_file": None})
        tokenizer_process: bool = False
        models_dir: Path | None = TEST_MODELS_DIR

    old = os.environ.pop("DATABASE_URL", None)
    yield TestSettings
    if old is not None:
        os.environ["DATABASE_URL"] = old


@pytest.fixture
def settings(make_settings: type[Settings], tmp_path: Path, sqlite_url: str) -> Settings:
    """Default settings on a fresh SQLite file and the shipped notes."""
    return make_settings(
        database_url=sqlite_url,
        data_dir=tmp_path / "data",
        knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
    )


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[Service]:
    """A started Service on SQLite with the shipped notes ingested."""
    from bot.app.service import Service

    svc = await Service.start(settings)
    yield svc
    await svc.close()


@pytest.fixture
def project_root() -> Path:
    """The repository root."""
    return PROJECT_ROOT
