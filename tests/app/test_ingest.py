"""Ingest against real databases: transactional, idempotent, clear about bad files."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.app.ingest import ingest
from bot.core.errors import BadInput
from bot.core.knowledge.decode import MAX_NOTE_BYTES
from bot.core.messages import t
from bot.db import knowledge as repo
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import upgrade_to_head
from tests.conftest import SHIPPED_NOTES


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[async_sessionmaker[Any]]:
    engine = make_engine(db_url)
    await upgrade_to_head(engine)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def _terms(sessions: async_sessionmaker[Any]) -> dict[str, int]:
    async with sessions() as session:
        return {c.term: c.id for c in await repo.load_concepts(session)}


def _notes(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


async def test_shipped_notes_load_with_aliases_and_key_points(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(SHIPPED_NOTES.parent, folder)
    report = await ingest(sessions, [folder], isolate_tokenizer=False)
    assert (report.files, report.added, report.total) == (1, 27, 27)
    async with sessions() as session:
        concepts = {c.term: c for c in await repo.load_concepts(session)}
    assert "도커" in concepts["Docker"].aliases
    assert concepts["CNN"].key_points, "curated key points are stored"
    assert all(c.key_points for c in concepts.values())
    assert concepts["CNN"].source.endswith("interview-notes.md:25")


async def test_unchanged_files_are_skipped_and_edits_update_in_place(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    notes = _notes(
        folder, "a.md", "Alpha - 첫 번째 설명\n\nBeta - 두 번째 설명\n\nGamma - 세 번째\n"
    )
    first = await ingest(sessions, [folder], isolate_tokenizer=False)
    assert (first.added, first.changed) == (3, 1)
    ids = await _terms(sessions)

    again = await ingest(sessions, [folder], isolate_tokenizer=False)
    assert (again.changed, again.unchanged, again.added, again.updated) == (0, 1, 0, 0)
    assert not again.knowledge_changed

    notes.write_text(
        "Alpha - 바뀐 설명\n\nBeta - 두 번째 설명\n\nDelta - 새 개념\n", encoding="utf-8"
    )
    edited = await ingest(sessions, [folder], isolate_tokenizer=False)
    assert (edited.added, edited.updated, edited.removed) == (1, 1, 1)
    after = await _terms(sessions)
    assert after["Alpha"] == ids["Alpha"], "an edited concept keeps its id (history survives)"
    assert set(after) == {"Alpha", "Beta", "Delta"}


async def test_a_deleted_file_takes_its_concepts(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    _notes(folder, "a.md", "Alpha - 하나\n")
    gone = _notes(folder, "b.md", "Beta - 둘\n")
    await ingest(sessions, [folder], isolate_tokenizer=False)
    gone.unlink()
    report = await ingest(sessions, [folder], isolate_tokenizer=False)
    assert (report.deleted, report.removed) == (1, 1)
    assert set(await _terms(sessions)) == {"Alpha"}


async def test_ingesting_another_folder_leaves_the_first_alone(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    _notes(tmp_path / "one", "a.md", "Alpha - 하나\n")
    _notes(tmp_path / "one", "aliases.toml", '[aliases]\n"Alpha" = ["알파"]\n')
    _notes(tmp_path / "two", "b.md", "Beta - 둘\n")
    await ingest(sessions, [tmp_path / "one"], isolate_tokenizer=False)
    await ingest(sessions, [tmp_path / "two"], isolate_tokenizer=False)
    async with sessions() as session:
        concepts = {c.term: c for c in await repo.load_concepts(session)}
    assert set(concepts) == {"Alpha", "Beta"}
    assert concepts["Alpha"].aliases == ("알파",), "aliases from an earlier ingest survive"


@pytest.mark.parametrize(
    ("content", "key", "line"),
    [
        (b"Alpha - ok\nBeta - ok\n\x00\x01\x02binary", "file_binary", 3),
        (b"Alpha - ok\n" + b"\xff\xfe broken \x80\x81\n", "file_encoding", 2),
        (b"   \n\n", "file_empty", 1),
        ("그냥 문장만 있는 파일입니다.\n또 한 줄.\n".encode(), "file_no_concepts", 1),
    ],
)
async def test_strict_a_bad_file_names_file_and_line_and_changes_nothing(
    sessions: async_sessionmaker[Any], tmp_path: Path, content: bytes, key: str, line: int
) -> None:
    folder = tmp_path / "notes"
    _notes(folder, "good.md", "Alpha - 하나\n")
    await ingest(sessions, [folder], isolate_tokenizer=False)
    _notes(folder, "good.md", "Alpha - 바뀜\n\nOmega - 새것\n")
    (folder / "zbad.md").write_bytes(content)
    with pytest.raises(BadInput) as err:
        await ingest(sessions, [folder], isolate_tokenizer=False, strict=True)
    assert err.value.key == "ingest_failed"
    assert err.value.params["path"].endswith("zbad.md")
    assert err.value.params["line"] == line
    assert err.value.params["detail"].key == key  # type: ignore[attr-defined]
    message = t(err.value.key, "en", **err.value.params)
    assert "zbad.md" in message and "unchanged" in message
    async with sessions() as session:
        concepts = await repo.load_concepts(session)
    assert [(c.term, c.definition) for c in concepts] == [("Alpha", "하나")], (
        "the database stays as it was"
    )


async def test_a_50_mb_file_is_refused_without_reading_it(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    with (folder / "huge.md").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    assert (folder / "huge.md").stat().st_size > MAX_NOTE_BYTES
    with pytest.raises(BadInput) as err:
        await ingest(sessions, [folder], isolate_tokenizer=False, strict=True)
    assert err.value.params["detail"].key == "file_too_big"  # type: ignore[attr-defined]
    _notes(folder, "small.md", "Alpha - 하나\n")
    report = await ingest(sessions, [folder], isolate_tokenizer=False)
    assert report.files_skipped == 1 and report.added == 1
    [warning] = [w for w in report.warnings if w.message.key == "file_skipped"]
    assert warning.path.endswith("huge.md")
    assert warning.message.params["detail"].key == "file_too_big"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("content", "key", "line"),
    [
        (b"Alpha - ok\nBeta - ok\n\x00\x01\x02binary", "file_binary", 3),
        (b"Alpha - ok\n" + b"\xff\xfe broken \x80\x81\n", "file_encoding", 2),
        (b"   \n\n", "file_empty", 1),
        (
            "# 목차\n\n- [운영체제](os.md)\n- [네트워크](network.md)\n".encode(),
            "file_no_concepts",
            1,
        ),
    ],
)
async def test_a_folder_skips_an_unusable_notes_file_and_says_why(
    sessions: async_sessionmaker[Any], tmp_path: Path, content: bytes, key: str, line: int
) -> None:
    folder = tmp_path / "notes"
    _notes(folder, "good.md", "Alpha - 하나\n\nOmega - 둘\n")
    (folder / "SUMMARY.md").write_bytes(content)
    report = await ingest(sessions, [folder], isolate_tokenizer=False)
    assert (report.files, report.files_skipped, report.added) == (1, 1, 2)
    [warning] = [w for w in report.warnings if w.message.key == "file_skipped"]
    assert warning.path.endswith("SUMMARY.md") and warning.line == line
    assert warning.message.params["detail"].key == key  # type: ignore[attr-defined]
    assert report.summary().params["files_skipped"] == 1
    assert set(await _terms(sessions)) == {"Alpha", "Omega"}
    again = await ingest(sessions, [folder], isolate_tokenizer=False)
    assert not again.knowledge_changed, "a skipped file is remembered: unchanged next time"


async def test_a_note_edited_to_hold_no_concept_loses_its_concepts(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    _notes(folder, "a.md", "Alpha - 하나\n")
    _notes(folder, "b.md", "Beta - 둘\n")
    await ingest(sessions, [folder], isolate_tokenizer=False)
    _notes(folder, "b.md", "작성 중입니다.\n")
    report = await ingest(sessions, [folder], isolate_tokenizer=False)
    assert report.files_skipped == 1 and report.removed == 1
    assert set(await _terms(sessions)) == {"Alpha"}


async def test_a_file_named_explicitly_that_fails_is_still_an_error(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    bad = _notes(tmp_path, "template.md", "작성 중입니다.\n")
    with pytest.raises(BadInput) as err:
        await ingest(sessions, [bad], isolate_tokenizer=False)
    assert err.value.params["detail"].key == "file_no_concepts"  # type: ignore[attr-defined]


async def test_relative_parent_and_hidden_folders_named_explicitly_load(
    sessions: async_sessionmaker[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _notes(tmp_path / "notes", "a.md", "Alpha - 하나\n")
    _notes(tmp_path / "notes" / ".git", "HEAD.md", "Gitonly - 저장소 내부\n")
    _notes(tmp_path / "notes" / ".github", "PULL_REQUEST_TEMPLATE.md", "Template - 양식\n")
    _notes(tmp_path / ".hidden", "b.md", "Beta - 둘\n")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    report = await ingest(sessions, [Path("../notes"), Path("../.hidden")], isolate_tokenizer=False)
    assert report.added == 2
    assert set(await _terms(sessions)) == {"Alpha", "Beta"}, ".git and .github are skipped"


async def test_missing_path_and_folder_without_notes(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    with pytest.raises(BadInput) as err:
        await ingest(sessions, [tmp_path / "nope"], isolate_tokenizer=False)
    assert err.value.key == "ingest_not_found"
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "image.png").write_bytes(b"\x89PNG")
    with pytest.raises(BadInput) as err:
        await ingest(sessions, [tmp_path / "empty"], isolate_tokenizer=False)
    assert err.value.key == "ingest_no_files"


async def test_a_bad_aliases_file_fails_the_ingest(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    _notes(folder, "a.md", "Alpha - 하나\n")
    _notes(folder, "aliases.toml", '[aliases]\n"Alpha" = ["알파"\n')
    with pytest.raises(BadInput) as err:
        await ingest(sessions, [folder], isolate_tokenizer=False)
    assert err.value.params["path"].endswith("aliases.toml")
    assert await _terms(sessions) == {}


async def test_duplicate_terms_and_unknown_alias_terms_are_warned(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    _notes(folder, "a.md", "Alpha - 하나\n")
    _notes(folder, "b.md", "Alpha - 또 하나\n")
    _notes(folder, "aliases.toml", '[aliases]\n"Nobody" = ["누구"]\n')
    report = await ingest(sessions, [folder], isolate_tokenizer=False)
    keys = [w.message.key for w in report.warnings]
    assert "warn_duplicate_term" in keys and "warn_unknown_alias_term" in keys


async def test_crlf_bom_and_cp949_notes(sessions: async_sessionmaker[Any], tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "crlf.md").write_bytes("\ufeffAlpha - 윈도우\r\n\r\nBeta - 줄바꿈\r\n".encode())
    (folder / "legacy.txt").write_bytes("감마 - 옛 인코딩\n".encode("cp949"))
    report = await ingest(sessions, [folder], isolate_tokenizer=False)
    assert report.added == 3
    assert any(w.message.key == "file_decoded_cp949" for w in report.warnings)
    assert set(await _terms(sessions)) == {"Alpha", "Beta", "감마"}
