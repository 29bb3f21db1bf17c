"""Ingest against real databases: transactional, idempotent, clear about bad files."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.app.ingest import STAGE_FILES, IngestProgress, ingest
from bot.app.keypoint_stage import InProcessTokenizer, KeyPointProgress, TokenizerFailed
from bot.core.errors import BadInput
from bot.core.knowledge.decode import MAX_NOTE_BYTES
from bot.core.messages import t
from bot.db import knowledge as repo
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.db.tables import ConceptRow
from tests.conftest import SHIPPED_NOTES

# Generous bounds for waiting on the other side of a race (never a timing assertion).
WAIT_S = 60.0
# The busy timeout of the "other writer": short, so a held write lock shows as a failure.
OTHER_WRITER_TIMEOUT_S = 0.5


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


# --- the write lock and concurrent ingests ----------------------------------------------------


class GatedTokenizer(InProcessTokenizer):
    """The real in-process tokenizer, held at its door until the test opens it."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.calls = 0

    async def derive(
        self,
        definitions: Sequence[str],
        user_words: Sequence[str],
        progress: KeyPointProgress | None = None,
    ) -> list[list[str]]:
        self.calls += 1
        self.entered.set()
        await self.release.wait()
        return await super().derive(definitions, user_words, progress)


class FailingTokenizer(InProcessTokenizer):
    async def derive(
        self,
        definitions: Sequence[str],
        user_words: Sequence[str],
        progress: KeyPointProgress | None = None,
    ) -> list[list[str]]:
        raise TokenizerFailed("the tokenizer process exited (-9)")


def _sqlite_file(url: str) -> Path:
    return Path(url.removeprefix("sqlite+aiosqlite:///"))


def _other_writer(database: Path, key: str) -> bool:
    """One write through its own connection with a short busy timeout: True when it committed,
    False when the database was locked."""
    connection = sqlite3.connect(database, timeout=OTHER_WRITER_TIMEOUT_S)
    try:
        with connection:
            connection.execute("INSERT INTO meta (key, value) VALUES (?, '1')", (key,))
        return True
    except sqlite3.OperationalError:  # database is locked
        return False
    finally:
        connection.close()


def _folder_of_notes(folder: Path, files: int = 3) -> Path:
    for number in range(files):
        _notes(
            folder,
            f"n{number}.md",
            f"합성곱{number} - 필터로 특징 맵을 만드는 연산 {number}\n\n"
            f"풀링{number} - 특징 맵을 줄이는 단계, 최대값을 고른다 {number}\n",
        )
    return folder


async def _concept_rows(sessions: async_sessionmaker[Any]) -> list[tuple[str, str, str]]:
    async with sessions() as session:
        concepts = await repo.load_concepts(session)
    return sorted((c.source_path, c.term, c.definition) for c in concepts)


async def test_other_writers_go_on_while_an_ingest_parses_and_derives_key_points(
    sqlite_url: str, tmp_path: Path
) -> None:
    engine = make_engine(sqlite_url)
    await upgrade_to_head(engine)
    sessions = make_sessionmaker(engine)
    database = _sqlite_file(sqlite_url)
    folder = _folder_of_notes(tmp_path / "notes")
    gate = GatedTokenizer()
    while_parsing: list[bool] = []

    def progress(step: IngestProgress) -> None:
        if step.stage == STAGE_FILES and step.done == 1:
            while_parsing.append(_other_writer(database, "while-parsing"))

    try:
        task = asyncio.create_task(ingest(sessions, [folder], progress=progress, tokenizer=gate))
        await asyncio.wait_for(gate.entered.wait(), WAIT_S)
        while_deriving = [
            await asyncio.to_thread(_other_writer, database, f"while-deriving-{n}")
            for n in range(3)
        ]
        gate.release.set()
        report = await asyncio.wait_for(task, WAIT_S)
        assert while_parsing == [True], "parsing holds no write lock"
        assert while_deriving == [True, True, True], "the tokenizer stage holds no write lock"
        assert (report.added, report.attempts) == (6, 1)
        async with sessions() as session:
            concepts = await repo.load_concepts(session)
            kept = [await repo.get_meta(session, f"while-deriving-{n}") for n in range(3)]
        assert kept == ["1", "1", "1"], "the other writes survive the ingest"
        assert len(concepts) == 6 and all(c.key_points for c in concepts)
    finally:
        gate.release.set()
        await engine.dispose()


async def test_two_ingests_at_once_write_every_concept_once(db_url: str, tmp_path: Path) -> None:
    engines = [make_engine(db_url), make_engine(db_url)]  # two processes' worth
    await upgrade_to_head(engines[0])
    folder = _folder_of_notes(tmp_path / "notes")
    gates = [GatedTokenizer(), GatedTokenizer()]
    try:
        tasks = [
            asyncio.create_task(ingest(make_sessionmaker(engine), [folder], tokenizer=gate))
            for engine, gate in zip(engines, gates, strict=True)
        ]
        for gate in gates:  # both have read the empty database and parsed the notes
            await asyncio.wait_for(gate.entered.wait(), WAIT_S)
        for gate in gates:
            gate.release.set()
        reports = await asyncio.wait_for(asyncio.gather(*tasks), WAIT_S)
        sessions = make_sessionmaker(engines[0])
        assert sorted((r.attempts, r.added) for r in reports) == [(1, 6), (2, 0)], (
            "the later writer saw the knowledge change, started again and found nothing to do"
        )
        rows = await _concept_rows(sessions)
        assert len(rows) == len(set(rows)) == 6
        async with sessions() as session:
            assert await repo.knowledge_version(session) == 1
            count = await session.scalar(select(func.count()).select_from(ConceptRow))
            assert count == 6
    finally:
        for gate in gates:
            gate.release.set()
        for engine in engines:
            await engine.dispose()


async def test_an_ingest_that_read_before_another_wrote_keeps_the_newer_notes(
    db_url: str, tmp_path: Path
) -> None:
    engines = [make_engine(db_url), make_engine(db_url)]
    await upgrade_to_head(engines[0])
    first, second = (make_sessionmaker(engine) for engine in engines)
    folder = tmp_path / "notes"
    notes = _notes(folder, "a.md", "Alpha - 옛 설명: 스택\n\nBeta - 큐는 먼저 들어온 것이 먼저\n")
    gate = GatedTokenizer()
    try:
        stale = asyncio.create_task(ingest(first, [folder], tokenizer=gate))
        await asyncio.wait_for(gate.entered.wait(), WAIT_S)  # it parsed the old text
        notes.write_text(
            "Alpha - 새 설명: 힙은 우선순위를 다룬다\n\nBeta - 큐는 먼저 들어온 것이 먼저\n",
            encoding="utf-8",
        )
        newer = await ingest(second, [folder], isolate_tokenizer=False)
        assert newer.added == 2
        gate.release.set()
        report = await asyncio.wait_for(stale, WAIT_S)
        assert (report.attempts, report.changed, report.added) == (2, 0, 0)
        async with first() as session:
            concepts = {c.term: c for c in await repo.load_concepts(session)}
        assert concepts["Alpha"].definition == "새 설명: 힙은 우선순위를 다룬다"
        labels = [point.label for point in concepts["Alpha"].key_points]
        spaced_out = concepts["Alpha"].definition.replace(" ", "")
        assert labels and all(label.replace(" ", "") in spaced_out for label in labels), (
            "the key points come from the newer definition"
        )
    finally:
        gate.release.set()
        for engine in engines:
            await engine.dispose()


async def test_key_points_follow_their_concepts_when_a_file_is_reordered_and_edited(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    notes = _notes(
        folder,
        "a.md",
        "스택 - 나중에 넣은 원소를 먼저 꺼내는 자료구조, 재귀 호출\n\n"
        "큐 - 먼저 넣은 원소를 먼저 꺼내는 자료구조, 너비 우선 탐색\n\n"
        "힙 - 완전 이진 트리로 우선순위 큐를 구현한다\n",
    )
    _notes(folder, "b.md", "해시 테이블 - 해시 함수로 버킷을 골라 충돌은 체이닝으로 푼다\n")
    await ingest(sessions, [folder], isolate_tokenizer=False)
    notes.write_text(
        "힙 - 완전 이진 트리로 우선순위 큐를 구현한다\n\n"
        "스택 - 후입선출 구조로 함수 호출 프레임과 괄호 검사에 쓴다\n\n"
        "큐 - 먼저 넣은 원소를 먼저 꺼내는 자료구조, 너비 우선 탐색\n\n"
        "트라이 - 문자열 접두사를 노드로 나눠 저장하는 트리\n",
        encoding="utf-8",
    )
    report = await ingest(sessions, [folder], isolate_tokenizer=False)
    assert (report.added, report.removed) == (1, 0)
    async with sessions() as session:
        incremental = {c.term: c.key_points for c in await repo.load_concepts(session)}

    fresh_engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}")
    await upgrade_to_head(fresh_engine)
    fresh = make_sessionmaker(fresh_engine)
    try:
        await ingest(fresh, [folder], isolate_tokenizer=False)
        async with fresh() as session:
            from_scratch = {c.term: c.key_points for c in await repo.load_concepts(session)}
    finally:
        await fresh_engine.dispose()
    assert incremental == from_scratch, "each concept got the key points of its own definition"
    assert any("프레임" in point.label for point in incremental["스택"])


async def test_a_tokenizer_failure_writes_nothing(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    folder = tmp_path / "notes"
    _notes(folder, "a.md", "Alpha - 하나\n")
    await ingest(sessions, [folder], isolate_tokenizer=False)
    before = await _concept_rows(sessions)
    _notes(folder, "a.md", "Alpha - 바뀜\n\nOmega - 새것\n")
    with pytest.raises(TokenizerFailed):
        await ingest(sessions, [folder], tokenizer=FailingTokenizer())
    assert await _concept_rows(sessions) == before
    async with sessions() as session:
        assert await repo.knowledge_version(session) == 1


async def test_reingest_after_one_edit_parses_and_tokenises_only_that_file(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    folder = _folder_of_notes(tmp_path / "notes", files=4)
    await ingest(sessions, [folder], isolate_tokenizer=False)
    _notes(
        folder,
        "n2.md",
        "합성곱2 - 커널을 밀며 곱해 더하는 연산\n\n"
        "풀링2 - 특징 맵을 줄이는 단계, 최대값을 고른다 2\n",
    )
    asked: list[list[str]] = []
    fed: list[tuple[list[str], int]] = []
    files: list[int] = []

    class Recording(InProcessTokenizer):
        def feed(self, definitions: Sequence[str]) -> None:
            fed.append((list(definitions), len(files)))

        async def derive(
            self,
            definitions: Sequence[str],
            user_words: Sequence[str],
            progress: KeyPointProgress | None = None,
        ) -> list[list[str]]:
            asked.append(list(definitions))
            return await super().derive(definitions, user_words, progress)

    def progress(step: IngestProgress) -> None:
        if step.stage == STAGE_FILES:
            files.append(step.done)

    report = await ingest(sessions, [folder], tokenizer=Recording(), progress=progress)
    assert (report.changed, report.unchanged, report.updated) == (1, 3, 1)
    assert asked == [["커널을 밀며 곱해 더하는 연산"]], "only the changed definition is tokenised"
    assert files == [1, 2, 3, 4]
    definitions = ["커널을 밀며 곱해 더하는 연산", "특징 맵을 줄이는 단계, 최대값을 고른다 2"]
    assert [batch for batch, _ in fed] == [definitions], "the changed file, fed once parsed"
    assert fed[0][1] < len(files), "while the other files are still being read"
    assert report.write_seconds > 0


async def test_the_last_attempt_holds_the_lock_throughout_and_ingests_the_same(
    sessions: async_sessionmaker[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.app.ingest as ingest_module

    folder = _folder_of_notes(tmp_path / "notes")
    optimistic = await ingest(sessions, [folder], isolate_tokenizer=False)
    async with sessions() as session:
        expected = {c.term: c.key_points for c in await repo.load_concepts(session)}
    monkeypatch.setattr(ingest_module, "MAX_ATTEMPTS", 1)  # the first attempt is the last
    _notes(folder, "n1.md", "합성곱1 - 필터로 특징 맵을 만드는 연산 1\n")
    locked = await ingest(sessions, [folder], isolate_tokenizer=False)
    assert (optimistic.attempts, locked.attempts) == (1, 1)
    assert (locked.changed, locked.removed) == (1, 1)
    async with sessions() as session:
        after = {c.term: c.key_points for c in await repo.load_concepts(session)}
    assert set(after) == set(expected) - {"풀링1"}
    assert after["합성곱1"] and all(after.values())
