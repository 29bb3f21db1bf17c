"""Faults an operator met with the notes files themselves: a NUL byte after the first 8 KB slipped
past the binary check; an 8 MB note took 128 s and 761 MB to ingest; a note half-written while
being ingested was stored truncated with exit 0."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.app import ingest as ingest_module
from bot.app.ingest import ingest
from bot.core.errors import BadInput
from bot.core.knowledge.decode import MAX_NOTE_BYTES, decode_notes
from bot.core.messages import t
from bot.db import knowledge as repo
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import upgrade_to_head
from tests.wording import message_pattern


@pytest.fixture
async def sessions(sqlite_url: str) -> AsyncIterator[async_sessionmaker[Any]]:
    engine = make_engine(sqlite_url)
    await upgrade_to_head(engine)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def _terms(sessions: async_sessionmaker[Any]) -> dict[str, str]:
    async with sessions() as session:
        return {c.term: c.definition for c in await repo.load_concepts(session)}


def _skipped(report: ingest_module.IngestReport, name: str) -> ingest_module.IngestWarning:
    [warning] = [w for w in report.warnings if w.message.key == "file_skipped"]
    assert warning.path.endswith(name)
    return warning


# --- a NUL byte anywhere --------------------------------------------------------------------


def _nul_at_9000() -> bytes:
    lines = b"".join(b"Term%d - definition number %d\n" % (i, i) for i in range(400))
    assert len(lines) > 9000
    return lines[:9000] + b"\x00" + lines[9000:]


def test_a_nul_byte_past_the_first_8_kb_makes_the_file_binary() -> None:
    data = _nul_at_9000()
    with pytest.raises(BadInput) as err:
        decode_notes(data)
    assert err.value.key == "file_binary"
    assert err.value.params["line"] == data.count(b"\n", 0, 9000) + 1


def test_a_nul_in_a_utf16_file_makes_it_binary_too() -> None:
    with pytest.raises(BadInput) as err:
        decode_notes(("Alpha - 하나\n" * 1000 + "Beta - \x00둘\n").encode("utf-16"))
    assert err.value.key == "file_binary"
    assert err.value.params["line"] == 1001


async def test_a_folder_skips_a_note_with_a_nul_at_byte_9000(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "good.md").write_text("Alpha - 하나\n", encoding="utf-8")
    (folder / "dump.md").write_bytes(_nul_at_9000())
    report = await ingest(sessions, [folder], isolate_tokenizer=False)
    assert (report.files, report.files_skipped) == (1, 1)
    assert _skipped(report, "dump.md").message.params["detail"].key == "file_binary"  # type: ignore[attr-defined]
    assert set(await _terms(sessions)) == {"Alpha"}


# --- a size limit, checked before reading ---------------------------------------------------


def _just_over_the_limit(path: Path) -> Path:
    block = b"Term - a definition that goes on and on\n"
    data = block * (MAX_NOTE_BYTES // len(block) + 1)
    assert MAX_NOTE_BYTES < len(data) < MAX_NOTE_BYTES + 1024
    path.write_bytes(data)
    return path


def test_the_limit_keeps_a_notes_file_to_seconds_of_work() -> None:
    assert MAX_NOTE_BYTES <= 2 * 1024 * 1024


async def test_a_file_over_the_limit_is_skipped_in_a_folder_and_fails_named_explicitly(
    sessions: async_sessionmaker[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "good.md").write_text("Alpha - 하나\n", encoding="utf-8")
    big = _just_over_the_limit(folder / "big.md")
    reads: list[int] = []
    real = ingest_module._read_bytes

    def counted(handle: BinaryIO, limit: int) -> bytes:
        data = real(handle, limit)
        reads.append(len(data))
        return data

    monkeypatch.setattr(ingest_module, "_read_bytes", counted)
    report = await ingest(sessions, [folder], isolate_tokenizer=False)
    assert (report.files, report.files_skipped, report.added) == (1, 1, 1)
    detail = _skipped(report, "big.md").message.params["detail"]
    assert detail.key == "file_too_big"  # type: ignore[attr-defined]
    assert reads == [len("Alpha - 하나\n".encode())], "the big file is refused on its size"
    limit_kb = f"{MAX_NOTE_BYTES // 1024:,}"
    with pytest.raises(BadInput) as err:
        await ingest(sessions, [big], isolate_tokenizer=False)
    assert err.value.key == "ingest_failed"
    assert err.value.params["detail"].key == "file_too_big"  # type: ignore[attr-defined]
    for locale in ("ko", "en"):
        text = t(err.value.key, locale, **err.value.params)
        assert "big.md" in text and limit_kb in text
        assert message_pattern("file_too_big", locale, limit_kb=limit_kb).search(text)
    assert set(await _terms(sessions)) == {"Alpha"}


# --- a note changing while it is read -------------------------------------------------------


def _writer_appending(monkeypatch: pytest.MonkeyPatch, path: Path, times: int) -> list[int]:
    """Make the next ``times`` reads of ``path`` see a writer append to it while it is read;
    returns the list of read sizes."""
    real = ingest_module._read_bytes
    sizes: list[int] = []

    def read_while_written(handle: BinaryIO, limit: int) -> bytes:
        data = real(handle, limit)
        if os.path.samefile(handle.name, path) and len(sizes) < times:
            with path.open("ab") as out:
                out.write(f"Term{len(sizes)} - 나중에 쓴 부분\n".encode())
        sizes.append(len(data))
        return data

    monkeypatch.setattr(ingest_module, "_read_bytes", read_while_written)
    return sizes


async def test_a_note_still_being_written_is_skipped_not_stored_truncated(
    sessions: async_sessionmaker[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    note = folder / "note.md"
    note.write_text("Alpha - 하나\n", encoding="utf-8")
    sizes = _writer_appending(monkeypatch, note, times=ingest_module.READ_TRIES)
    report = await ingest(sessions, [folder], isolate_tokenizer=False)
    assert len(sizes) == ingest_module.READ_TRIES, "read again once, then left alone"
    assert report.files_skipped == 1 and report.added == 0
    detail = _skipped(report, "note.md").message.params["detail"]
    assert detail.key == "file_changed_while_reading"  # type: ignore[attr-defined]
    async with sessions() as session:
        assert await repo.stored_files(session) == {}, "nothing stored: read again next time"
    monkeypatch.undo()
    again = await ingest(sessions, [folder], isolate_tokenizer=False)
    assert again.files_skipped == 0
    assert set(await _terms(sessions)) == {"Alpha", "Term0", "Term1"}


async def test_a_note_that_changed_during_one_read_is_read_again_whole(
    sessions: async_sessionmaker[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = tmp_path / "note.md"
    note.write_text("Alpha - 하나\n", encoding="utf-8")
    sizes = _writer_appending(monkeypatch, note, times=1)
    report = await ingest(sessions, [note], isolate_tokenizer=False)
    assert len(sizes) == 2 and sizes[1] == note.stat().st_size
    assert report.added == 2 and set(await _terms(sessions)) == {"Alpha", "Term0"}
    async with sessions() as session:
        [stored] = (await repo.stored_files(session)).values()
    assert stored.sha256 == hashlib.sha256(note.read_bytes()).hexdigest(), "what was parsed"


async def test_a_note_named_explicitly_that_keeps_changing_fails_the_ingest(
    sessions: async_sessionmaker[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    note = tmp_path / "note.md"
    note.write_text("Alpha - 하나\n", encoding="utf-8")
    _writer_appending(monkeypatch, note, times=ingest_module.READ_TRIES)
    with pytest.raises(BadInput) as err:
        await ingest(sessions, [note], isolate_tokenizer=False)
    assert err.value.params["detail"].key == "file_changed_while_reading"  # type: ignore[attr-defined]
    assert await _terms(sessions) == {}


async def test_a_pipe_named_explicitly_is_still_read(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    """``interview-bot ingest <(cat notes.md)``: a pipe has no size or mtime to check."""
    pipe = tmp_path / "notes.md"
    os.mkfifo(pipe)

    def write() -> None:
        with pipe.open("wb") as out:
            out.write("Alpha - 하나\n".encode())

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    report = await ingest(sessions, [pipe], isolate_tokenizer=False)
    writer.join(timeout=10)
    assert report.added == 1 and set(await _terms(sessions)) == {"Alpha"}
