"""The notes keeper: an edited notes file in a configured folder is ingested again within
seconds without a restart (and another process on the same database sees it through the
knowledge version); the repositories are pulled on the timer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app.keeper import notes_change
from bot.app.service import Service
from bot.config import Settings
from bot.core.models import Caller, MatchKind
from bot.testing import FakeClock
from tests.gitrepo import Remote, isolate_git

FIRST = "## 분산 시스템\n\n- 플럼버스 - 노드 사이의 합의를 세 번 확인하는 가상의 프로토콜\n"
SECOND = FIRST + "\n- 글리브 - 두 노드가 번갈아 쓰는 가상의 잠금\n"
# Long enough for a slow machine; the watcher itself reacts in about a second.
WAIT_S = 20.0


async def found(service: Service, query: str, caller: Caller | None = None) -> bool:
    result = await service.lookup(query, caller)
    return result.kind is MatchKind.CONFIDENT


async def until(check: Callable[[], Awaitable[bool]]) -> bool:
    """Whether ``check`` comes true within :data:`WAIT_S` (asked every 0.2 s)."""
    deadline = asyncio.get_running_loop().time() + WAIT_S
    while asyncio.get_running_loop().time() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.2)
    return False


async def eventually(service: Service, query: str, caller: Caller | None = None) -> bool:
    """Whether ``query`` is found confidently within :data:`WAIT_S`."""
    return await until(lambda: found(service, query, caller))


async def eventually_gone(service: Service, query: str) -> bool:
    """Whether ``query`` stops being found within :data:`WAIT_S`."""

    async def gone() -> bool:
        return not await found(service, query)

    return await until(gone)


def test_only_notes_and_curation_files_count_as_changes() -> None:
    assert notes_change("/n/os.md") and notes_change("/n/aliases.toml")
    assert not notes_change("/n/os.md.swp") and not notes_change("/n/.git/index")
    assert not notes_change("/n/.obsidian/workspace.md")


async def test_an_edited_notes_file_is_ingested_without_a_restart(
    make_settings: type[Settings], tmp_path: Path, db_url: str
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    notes = folder / "분산.md"
    notes.write_text(FIRST, encoding="utf-8")
    extra = folder / "잠금.md"
    extra.write_text("## 분산 시스템\n\n- 스냅락 - 가상의 짧은 잠금\n", encoding="utf-8")
    settings = make_settings(
        database_url=db_url, data_dir=tmp_path / "data", knowledge_paths=[folder]
    )
    service = await Service.start(settings)
    other = await Service.start(settings, auto_ingest=False)  # another process, same database
    keeper = service.notes_keeper()
    task = asyncio.create_task(keeper.run_forever())
    try:
        assert await found(service, "플럼버스") and not await found(service, "글리브")
        await asyncio.sleep(0.5)  # the watcher is set up
        notes.write_text(SECOND, encoding="utf-8")
        assert await eventually(service, "글리브")
        assert await found(other, "글리브")  # through the knowledge version
        extra.unlink()  # a file removed: its concepts go
        assert await eventually_gone(service, "스냅락")
        assert await found(service, "플럼버스")
    finally:
        keeper.stop()
        await asyncio.wait_for(task, 10)
        await other.close()
        await service.close()


async def test_repositories_are_pulled_on_the_timer(
    make_settings: type[Settings],
    tmp_path: Path,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    isolate_git(monkeypatch, tmp_path)
    remote = Remote(tmp_path / "origin")
    remote.commit({"분산.md": FIRST})
    remote.push()
    settings = make_settings(
        database_url=sqlite_url,
        data_dir=tmp_path / "data",
        knowledge_paths=[],
        knowledge_git=[remote.url],
        knowledge_sync_minutes=10,
        knowledge_watch=False,
    )
    clock = FakeClock()
    service = await Service.start(settings, clock=clock)
    keeper = service.notes_keeper()
    task = asyncio.create_task(keeper.run_forever())
    try:
        assert await found(service, "플럼버스")
        while clock.sleepers == 0:  # the pull on start is done; the timer waits
            await asyncio.sleep(0.01)
        remote.commit({"분산.md": SECOND})
        remote.push()
        clock.advance(timedelta(minutes=9))
        await asyncio.sleep(0.2)
        assert not await found(service, "글리브")  # not yet due
        clock.advance(timedelta(minutes=1))
        assert await eventually(service, "글리브")
    finally:
        keeper.stop()
        await asyncio.wait_for(task, 10)
        await service.close()


async def test_a_workspace_repository_is_pulled_when_the_job_starts(
    make_settings: type[Settings],
    tmp_path: Path,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    isolate_git(monkeypatch, tmp_path)
    remote = Remote(tmp_path / "origin")
    remote.commit({"분산.md": FIRST})
    remote.push()
    settings = make_settings(
        database_url=sqlite_url,
        data_dir=tmp_path / "data",
        knowledge_paths=[],
        knowledge_git_schemes=["file"],
        knowledge_watch=False,
    )
    admin = Caller("discord", "a", "c", workspace_id="G1", is_admin=True)
    service = await Service.start(settings)
    await service.notes_add_git(admin, remote.url)
    await service.close()
    remote.commit({"분산.md": SECOND})  # while the bot was down
    remote.push()
    again = await Service.start(settings, clock=FakeClock())
    keeper = again.notes_keeper()
    task = asyncio.create_task(keeper.run_forever())
    try:
        assert await eventually(again, "글리브", admin)
    finally:
        keeper.stop()
        await asyncio.wait_for(task, 10)
        await again.close()
