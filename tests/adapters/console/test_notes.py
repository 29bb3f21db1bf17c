"""``/notes`` in the console, typed line by line over a real Service: a local notes file or a
git repository added to the console's own workspace, listed, synced and removed."""

from __future__ import annotations

import asyncio
import io
import subprocess
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.adapters.console.repl import Console
from bot.app.service import Service
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.messages import t
from tests.wording import message_pattern

# Made-up concepts, not in the shipped notes.
FLUX = "플럭스축전기"
FLUX_NOTES = f"## 운영체제\n- {FLUX} - 시간 여행을 가능하게 하는 가상의 저장 장치\n"
WARP = "워프코일"
WARP_NOTES = f"## 운영체제\n- {WARP} - 공간을 접어 먼 곳으로 옮겨 주는 가상의 부품\n"


@pytest.fixture
async def notes_service(
    make_settings: type[Settings], tmp_path: Path, sqlite_url: str
) -> AsyncIterator[Service]:
    """The shipped notes; local repositories allowed (``file://``); no watcher, no timer."""
    settings = make_settings(
        database_url=sqlite_url,
        data_dir=tmp_path / "data",
        knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
        knowledge_git_schemes=["file"],
        knowledge_watch=False,
        knowledge_sync_minutes=0,
    )
    service = await Service.start(settings)
    yield service
    await service.close()


async def _session(service: Service, *lines: str, admin: bool = True) -> str:
    out = io.StringIO()
    console = Console(service, out)
    console.caller = replace(console.caller, is_admin=admin)
    await console.run(io.StringIO("".join(f"{line}\n" for line in lines)), interactive=False)
    return out.getvalue()


def _notes_file(folder: Path, name: str = "flux.md", text: str = FLUX_NOTES) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


async def test_a_local_file_is_added_listed_found_and_removed(
    notes_service: Service, tmp_path: Path
) -> None:
    path = _notes_file(tmp_path)
    text = await _session(
        notes_service, f"/notes add {path}", "/notes list", f"/define {FLUX}", "/notes remove 2"
    )
    assert t("notes_added_file", "ko", name="flux.md") in text
    assert message_pattern("ingest_summary", added=1).search(text)
    assert message_pattern(
        "notes_source_line", kind=t("notes_kind_upload", "ko"), label="flux.md"
    ).search(text)
    assert "가상의 저장 장치" in text
    assert t("notes_removed", "ko", source="flux.md") in text
    assert t("not_found_title", "ko") in await _session(notes_service, f"/define {FLUX}")


async def test_a_path_with_spaces_may_be_quoted(notes_service: Service, tmp_path: Path) -> None:
    folder = tmp_path / "my notes"
    folder.mkdir()
    path = _notes_file(folder)
    text = await _session(notes_service, f'/notes add "{path}"')
    assert t("notes_added_file", "ko", name="flux.md") in text


async def test_a_missing_or_unreadable_path_is_said_and_nothing_changes(
    notes_service: Service, tmp_path: Path
) -> None:
    before = notes_service.concept_count
    missing = tmp_path / "nope.md"
    text = await _session(notes_service, f"/notes add {missing}", f"/notes add {tmp_path}")
    assert t("ingest_not_found", "ko", path=str(missing)) in text
    assert message_pattern("console_file_unreadable", path=str(tmp_path)).search(text)
    assert notes_service.concept_count == before


async def test_a_file_too_big_is_refused_unread(notes_service: Service, tmp_path: Path) -> None:
    limit = notes_service.upload_limit
    path = tmp_path / "big.md"
    path.write_bytes(FLUX_NOTES.encode() * (limit // len(FLUX_NOTES.encode()) + 2))
    text = await _session(notes_service, f"/notes add {path}")
    assert message_pattern("upload_refused", name="big.md").search(text)
    assert message_pattern("file_too_big", limit_kb=f"{limit // 1024:,}").search(text)


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "file_binary"), (b"", "file_empty")],
)
async def test_a_binary_or_empty_file_is_refused(
    notes_service: Service, tmp_path: Path, data: bytes, reason: str
) -> None:
    path = tmp_path / "notes.md"
    path.write_bytes(data)
    text = await _session(notes_service, f"/notes add {path}", "/notes list")
    assert message_pattern("upload_refused", name="notes.md").search(text)
    assert t(reason, "ko") in text
    assert t("notes_kind_upload", "ko") not in text


async def test_notes_is_for_admins(notes_service: Service, tmp_path: Path) -> None:
    path = _notes_file(tmp_path)
    text = await _session(notes_service, f"/notes add {path}", "/notes list", admin=False)
    assert text.count(t("admin_only", "ko")) == 2


@pytest.mark.parametrize("line", ["/notes add", "/notes frobnicate", "/notes sync now"])
async def test_a_notes_line_it_cannot_read_shows_the_usage(
    notes_service: Service, line: str
) -> None:
    text = await _session(notes_service, line)
    assert t("console_notes_usage", "ko") in text


async def test_help_lists_notes(notes_service: Service) -> None:
    text = await _session(notes_service, "/help")
    assert t("help_body", "ko") in text and "/notes" in t("help_body", "ko")


# --- git -------------------------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _commit(work: Path, name: str, text: str) -> None:
    (work / name).write_text(text, encoding="utf-8")
    _git(work, "add", name)
    _git(work, "commit", "-m", f"add {name}")
    _git(work, "push", "origin", "HEAD:main")


async def test_a_repository_is_added_and_reload_brings_its_new_commit(
    notes_service: Service, tmp_path: Path
) -> None:
    bare, work = tmp_path / "notes.git", tmp_path / "work"
    _git(tmp_path, "init", "--bare", "--initial-branch=main", str(bare))
    _git(tmp_path, "clone", str(bare), str(work))
    _commit(work, "flux.md", FLUX_NOTES)
    text = await _session(notes_service, f"/notes add git {bare.as_uri()}", f"/define {FLUX}")
    assert message_pattern("notes_added_git").search(text)
    assert "가상의 저장 장치" in text

    _commit(work, "warp.md", WARP_NOTES)
    text = await _session(notes_service, "/reload", f"/define {WARP}", "/notes sync")
    assert text.count(t("notes_sync_title", "ko")) == 2, "/reload is /notes sync"
    # the new commit is there: pulled by the keeper as the console starts, or by /reload
    assert "가상의 부품" in text
    assert message_pattern("ingest_summary", added=0).search(text), "the last sync: nothing new"


# --- the keeper --------------------------------------------------------------------------------


class _Job:
    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.stopping = asyncio.Event()

    async def run_forever(self) -> None:
        self.started.set()
        await self.stopping.wait()

    def stop(self) -> None:
        self.stopping.set()


async def test_the_notes_keeper_runs_while_the_console_does(notes_service: Service) -> None:
    console = Console(notes_service, io.StringIO())
    assert console.keeper is notes_service.notes_keeper()
    job = _Job()
    console.keeper = job  # type: ignore[assignment]
    await console.run(io.StringIO("/topics\n"), interactive=False)
    assert job.started.is_set() and job.stopping.is_set(), "started with the console, stopped"
