"""Mock interviews through the Service on real databases (SQLite files, PostgreSQL when
``TEST_DATABASE_URL`` is set): rounds, grades, hints, skips, summaries, restarts, idle expiry,
one interview per conversation, answers racing for one question, the stored history, odd input.

Randomness is pinned by replacing ``secrets`` in :mod:`bot.app.interview` (the only source of an
interview's seed); time by a :class:`FakeClock`. Nothing sleeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Final

import pytest
from pydantic_settings import SettingsConfigDict
from sqlalchemy import select

import bot.app.interview as interviews_module
from bot.app.grading import MAX_STORED_ANSWER_CHARS
from bot.app.service import Service
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.errors import BadInput, BotError, Conflict, Forbidden, NotFound
from bot.core.grading.grader import HINT_PENALTY, grade, with_hints
from bot.core.interview.rules import HINT_MASK, MAX_ROUNDS, WEAK_SCORE
from bot.core.messages import t
from bot.core.models import Caller, Concept, Grade, Reply, ReplyKind
from bot.core.sanitize import clean_text
from bot.db.tables import AnswerRow, InterviewRow
from bot.db.writer import GroupWriter
from bot.testing import FakeClock

STATS: Final = "통계적 개념"
ML: Final = "머신러닝 (딥러닝 포함) 수학 관한 질문 및 답변"
START: Final = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
RACE_REPEATS: Final = 3
RACE_ROUNDS: Final = 3
PREFERENCE_SEEDS: Final = 80
BARRIER_TIMEOUT_S: Final = 20.0
ALONE_WAIT_S: Final = 0.5  # how long a write waits for a racing one that never comes

# Answers a person might give to each statistics concept: a partial one in Korean (some key
# points, not all) and a complete one in English (the notes are Korean).
KOREAN_PARTIAL: Final[dict[str, str]] = {
    "귀무가설": "통계적 검정에서 기본 전제로 두는 가설입니다.",
    "대립가설": "새로운 주장을 하는 가설이에요.",
    "편미분": "3차원 그래프에서 한 방향으로만 기울기를 보는 거예요.",
    "선형회귀": "독립변수로 종속변수를 예측합니다.",
    "로지스틱 회귀": "시그모이드 함수로 확률을 구해요.",
}
ENGLISH_GOOD: Final[dict[str, str]] = {
    "귀무가설": "The null hypothesis is the default assumption of a statistical test: there is"
    " no difference and no effect.",
    "대립가설": "The alternative hypothesis is the new claim we accept when we reject the null"
    " hypothesis because the p value is small, so it earns trust.",
    "편미분": "A partial derivative differentiates a multivariable function with respect to one"
    " variable, for example a 3D surface.",
    "선형회귀": "Linear regression finds the best regression line for the linear relationship"
    " between an independent variable and a dependent variable.",
    "로지스틱 회귀": "Logistic regression is used for binary classification: it turns the logit,"
    " a linear function of the odds, into a probability with the sigmoid.",
}
DONT_KNOW: Final = "잘 모르겠습니다."


# --- helpers ----------------------------------------------------------------------------------


def who(
    user: str = "u1",
    channel: str = "c1",
    *,
    thread: str | None = None,
    platform: str = "test",
    locale: str | None = None,
) -> Caller:
    """A caller built by hand, as a front end would."""
    return Caller(platform, user, channel, workspace_id="w1", thread_id=thread, locale=locale)


class Seeds:
    """Stands in for ``secrets`` in bot.app.interview: hands out the seeds a test queued."""

    def __init__(self) -> None:
        self.queue: list[int] = []

    def randbits(self, bits: int) -> int:
        """The next queued seed (an interview's whole random choice follows from it)."""
        assert self.queue, "a test started more interviews than it queued seeds for"
        return self.queue.pop(0) % (1 << bits)


@pytest.fixture(scope="module")
def ingested_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the shipped notes ingested by a real Service, made once per module."""

    folder = tmp_path_factory.mktemp("ingested")
    path = folder / "ingested.sqlite3"

    class Isolated(Settings):  # like make_settings: no .env file
        model_config = SettingsConfigDict(**{**Settings.model_config, "env_file": None})

    template = Isolated(
        database_url=f"sqlite+aiosqlite:///{path}",
        data_dir=folder,
        knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
    )

    async def ingest() -> None:
        await (await Service.start(template)).close()  # closing checkpoints the WAL into the file

    asyncio.run(ingest())
    return path


@pytest.fixture
def settings(make_settings: type[Settings], tmp_path: Path, ingested_database: Path) -> Settings:
    """Like the shared fixture (a fresh SQLite file per test) but starting from a copy of an
    ingested database, so each Service.start finds its notes up to date instead of ingesting."""
    database = tmp_path / "test.sqlite3"
    shutil.copyfile(ingested_database, database)
    return make_settings(
        database_url=f"sqlite+aiosqlite:///{database}",
        data_dir=tmp_path / "data",
        knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
    )


@pytest.fixture
def seeds(monkeypatch: pytest.MonkeyPatch) -> Seeds:
    """Fixed interview seeds: ``seeds.queue.extend([...])`` before starting interviews."""
    feed = Seeds()
    monkeypatch.setattr(interviews_module, "secrets", SimpleNamespace(randbits=feed.randbits))
    return feed


@pytest.fixture
def clock() -> FakeClock:
    """Time that moves only when a test says so."""
    return FakeClock(START)


@pytest.fixture
async def timed(settings: Settings, clock: FakeClock) -> AsyncIterator[Service]:
    """A Service on SQLite whose interviews read the fake clock."""
    svc = await Service.start(settings, clock=clock)
    yield svc
    await svc.close()


def concept_of(service: Service, reply: Reply) -> Concept:
    """The concept a question (or grade) reply is about."""
    concept_id = reply.extra["concept_id"]
    assert isinstance(concept_id, int)
    return service.concept(concept_id)


def field(reply: Reply, key: str, locale: str = "ko") -> str:
    """The value of the reply's field named by message ``key``."""
    name = t(key, locale)
    values = [f.value for f in reply.fields if f.name == name]
    assert len(values) == 1, f"{name} not in {reply.fields}"
    return values[0]


def assert_grade_reply(reply: Reply, concept: Concept, expected: Grade, locale: str = "ko") -> None:
    """The grade reply shows the score and band, the points hit with the words that hit them,
    the points missed, and the concept's reference answer with the hit points marked."""
    assert reply.kind is ReplyKind.GRADE
    assert reply.extra["score"] == expected.score
    assert reply.extra["band"] == expected.band.value
    assert reply.extra["concept_id"] == concept.id
    band = t(f"band_{expected.band.value}", locale)
    assert reply.title == t("grade_title", locale, score=expected.score, band=band)
    hits = field(reply, "field_hits", locale)
    misses = field(reply, "field_misses", locale)
    for hit in expected.hits:
        assert t("hit_with_word", locale, point=hit.point.label, word=hit.matched) in hits
    for missed in expected.misses:
        assert missed.label in misses
    if not expected.hits:
        assert hits == t("nothing", locale)
    if not expected.misses:
        assert misses == t("nothing", locale)
    assert concept.term in reply.body
    assert expected.reference_marked in reply.body
    assert t("field_reference", locale) in reply.body


async def start_question(service: Service, caller: Caller, *args: object) -> Reply:
    """Start an interview and return its first question (after checking the intro)."""
    intro, question = await service.interviews.start(caller, *args)  # type: ignore[arg-type]
    assert intro.kind is ReplyKind.INFO
    assert question.kind is ReplyKind.QUESTION
    return question


async def answers_in_db(service: Service) -> list[AnswerRow]:
    """Every stored answer, oldest first."""
    async with service.sessions() as session:
        return list(await session.scalars(select(AnswerRow).order_by(AnswerRow.id)))


async def interview_rows(service: Service) -> list[InterviewRow]:
    """Every stored interview, oldest first."""
    async with service.sessions() as session:
        return list(await session.scalars(select(InterviewRow).order_by(InterviewRow.id)))


# --- a whole interview ------------------------------------------------------------------------


async def test_three_round_interview_in_korean_and_english_ends_with_a_summary(
    service: Service, seeds: Seeds
) -> None:
    seeds.queue.append(11)
    me = who()
    intro, question = await service.interviews.start(me, "통계", 3)
    assert intro.title == t(
        "interview_started", "ko", topic=STATS, rounds=3, how=t("answer_how_text", "ko")
    )
    assert question.kind is ReplyKind.QUESTION
    assert question.title == t("question_title", "ko", number=1, total=3, category=STATS)
    assert {a.command for a in question.actions} >= {
        "interview.hint",
        "interview.skip",
        "interview.stop",
    }

    scores: list[tuple[str, int]] = []
    asked: list[int] = []
    answers = (KOREAN_PARTIAL, ENGLISH_GOOD, None)
    for number, table in enumerate(answers, 1):
        concept = concept_of(service, question)
        assert concept.category == STATS
        assert concept.id not in asked
        asked.append(concept.id)
        assert concept.term in question.body or concept.question == question.body
        text = table[concept.term] if table else DONT_KNOW
        expected = grade(concept, text, service.synonyms)
        replies = await service.interviews.answer(me, text)
        assert len(replies) == 2
        graded, question = replies
        assert_grade_reply(graded, concept, expected)
        if table is KOREAN_PARTIAL:
            assert expected.hits and expected.misses, "a partial answer hits some points, not all"
        elif table is ENGLISH_GOOD:
            assert expected.score >= WEAK_SCORE and len(expected.hits) > len(expected.misses)
        else:
            assert expected.score == 0 and not expected.hits
        scores.append((concept.term, expected.score))
        if number < len(answers):
            assert question.kind is ReplyKind.QUESTION
            assert question.title == t(
                "question_title", "ko", number=number + 1, total=3, category=STATS
            )

    summary = question
    assert summary.kind is ReplyKind.SUMMARY
    assert summary.title == t("summary_title", "ko")
    assert summary.body.startswith(t("summary_finished", "ko"))
    for number, (term, score) in enumerate(scores, 1):
        assert t("summary_line", "ko", number=number, term=term, score=score) in summary.body
    average = round(sum(s for _, s in scores) / 3, 1)
    assert summary.extra == {"average": average, "count": 3}
    assert t("summary_average", "ko", average=average, count=3) in summary.body
    weakest = [
        term for score, term in sorted((s, term) for term, s in scores) if score < WEAK_SCORE
    ]
    assert weakest and weakest[-1] != scores[1][0]
    assert t("summary_weakest", "ko", terms=", ".join(weakest)) in summary.body
    assert [a.argument for a in summary.suggestions] == weakest
    assert await service.interviews.current(me) is None
    with pytest.raises(NotFound):
        await service.interviews.answer(me, "한 번 더")


async def test_english_caller_gets_english_messages_and_questions(
    service: Service, seeds: Seeds
) -> None:
    seeds.queue.append(5)
    me = who(locale="en")
    intro, question = await service.interviews.start(me, None, 2)
    assert intro.title == t(
        "interview_started",
        "en",
        topic=t("topic_all", "en"),
        rounds=2,
        how=t("answer_how_text", "en"),
    )
    concept = concept_of(service, question)
    assert question.title == t("question_title", "en", number=1, total=2, category=concept.category)
    assert concept.question == question.body or question.body.startswith(("What is", "Explain"))
    graded, _ = await service.interviews.answer(me, concept.definition)
    assert_grade_reply(graded, concept, grade(concept, concept.definition, service.synonyms), "en")


async def test_a_concept_name_as_topic_picks_its_category(service: Service, seeds: Seeds) -> None:
    seeds.queue.extend([1, 2])
    intro, question = await service.interviews.start(who(), "cnn", 2)
    assert intro.title == t(
        "interview_started", "ko", topic=ML, rounds=2, how=t("answer_how_text", "ko")
    )
    assert concept_of(service, question).category == ML
    intro, _ = await service.interviews.start(who(channel="c2"), "통계적 개념")
    assert intro.title == t(
        "interview_started", "ko", topic=STATS, rounds=5, how=t("answer_how_text", "ko")
    )


async def test_an_unknown_topic_is_bad_input_and_starts_nothing(service: Service) -> None:
    with pytest.raises(BadInput) as caught:
        await service.interviews.start(who(), "양자역학 얘기")
    assert caught.value.key == "interview_unknown_topic"
    assert STATS in str(caught.value.params["categories"])
    with pytest.raises(BadInput):
        await service.interviews.start(who(), "x" * 20_000)
    assert await interview_rows(service) == []


@pytest.mark.parametrize("rounds", ["abc", "0", 0, -1, MAX_ROUNDS + 1, "3.5", "삼"])
async def test_bad_rounds_are_bad_input(service: Service, rounds: int | str) -> None:
    with pytest.raises(BadInput) as caught:
        await service.interviews.start(who(), None, rounds)
    assert caught.value.key == "interview_bad_rounds"
    assert await service.interviews.current(who()) is None


async def test_no_concept_repeats_within_an_interview(service: Service, seeds: Seeds) -> None:
    seeds.queue.extend(range(100, 104))
    for channel in ("all", "stats-a", "stats-b", "stats-c"):
        topic, rounds = (None, MAX_ROUNDS) if channel == "all" else ("통계", 10)
        me = who(channel=channel)
        intro, question = await service.interviews.start(me, topic, rounds)
        expected_rounds = MAX_ROUNDS if topic is None else 5  # 통계적 개념 has five concepts
        assert intro.title.startswith(
            t(
                "interview_started",
                "ko",
                topic=STATS if topic else t("topic_all", "ko"),
                rounds=expected_rounds,
                how=t("answer_how_text", "ko"),
            )
        )
        seen: list[int] = []
        while question.kind is ReplyKind.QUESTION:
            seen.append(concept_of(service, question).id)
            _, question = await service.interviews.skip(me)
        assert question.kind is ReplyKind.SUMMARY
        assert len(seen) == expected_rounds == len(set(seen))
        if topic:
            assert {service.concept(c).category for c in seen} == {STATS}


async def test_low_scored_and_unseen_concepts_come_first(service: Service, seeds: Seeds) -> None:
    """The person knows two statistics concepts well, missed two and never saw one. Over many
    fixed seeds, the first question of a new interview on the topic is mostly one they missed
    or never saw (weights 3 unseen, 2.2 scored 0, about 0.2 scored 100: 92% vs 40% if even)."""
    me = who()
    seeds.queue.append(7)
    question = await start_question(service, me, "통계", 5)
    strong: list[int] = []
    weak: list[int] = []
    for _ in range(4):
        concept = concept_of(service, question)
        if len(strong) < 2:
            strong.append(concept.id)
            graded, question = await service.interviews.answer(me, concept.definition)
            assert graded.extra["score"] == 100
        else:
            weak.append(concept.id)
            _, question = await service.interviews.skip(me)
    unseen = concept_of(service, question).id
    await service.interviews.stop(me)  # the fifth was asked but never answered: still unseen

    firsts: Counter[int] = Counter()
    seeds.queue.extend(range(1000, 1000 + PREFERENCE_SEEDS))
    for number in range(PREFERENCE_SEEDS):
        where = who(channel=f"pref-{number}")
        firsts[concept_of(service, await start_question(service, where, "통계", 1)).id] += 1
        await service.interviews.stop(where)
    assert sum(firsts.values()) == PREFERENCE_SEEDS
    known = sum(firsts[c] for c in strong)
    assert known / PREFERENCE_SEEDS < 0.15, firsts
    assert min(firsts[c] for c in (*weak, unseen)) > max(firsts[c] for c in strong), firsts
    assert firsts[unseen] > 0

    # Another person's history does not count: for them every concept is new.
    fresh: Counter[int] = Counter()
    seeds.queue.extend(range(1000, 1000 + PREFERENCE_SEEDS))
    for number in range(PREFERENCE_SEEDS):
        where = who(user="u2", channel=f"pref-{number}")
        fresh[concept_of(service, await start_question(service, where, "통계", 1)).id] += 1
        await service.interviews.stop(where)
    assert sum(fresh[c] for c in strong) / PREFERENCE_SEEDS > 0.25, fresh


# --- hint, skip, stop -------------------------------------------------------------------------


async def test_hints_reveal_key_points_masked_one_by_one_then_no_more(
    service: Service, seeds: Seeds
) -> None:
    seeds.queue.append(3)
    me = who()
    question = await start_question(service, me, "통계", 2)
    concept = concept_of(service, question)
    heaviest_first = sorted(concept.key_points, key=lambda p: -p.weight)
    shown: list[str] = []
    for point in heaviest_first:
        hint = await service.interviews.hint(me)
        assert hint.title == t("hint_title", "ko")
        prefix = t("hint_body", "ko", hint="")
        assert hint.body.startswith(prefix)
        masked = hint.body.removeprefix(prefix)
        assert len(masked) == len(point.label)
        assert masked[0] == point.label[0]
        if len(point.label.replace(" ", "")) > 1:
            assert HINT_MASK in masked and masked != point.label
        shown.append(masked)
    assert len(set(shown)) == len(shown), "each hint reveals another key point"
    for _ in range(2):
        none_left = await service.interviews.hint(me)
        assert none_left.body == t("hint_none_left", "ko")

    await service.interviews.answer(me, KOREAN_PARTIAL[concept.term])
    (row,) = await answers_in_db(service)
    assert row.hints_used == len(heaviest_first)
    first_again = await service.interviews.hint(me)
    assert first_again.body != t("hint_none_left", "ko"), "hints count per question"


async def test_skip_scores_zero_and_shows_the_reference(service: Service, seeds: Seeds) -> None:
    seeds.queue.append(4)
    me = who()
    question = await start_question(service, me, "통계", 2)
    concept = concept_of(service, question)
    shown, following = await service.interviews.skip(me)
    assert shown.kind is ReplyKind.GRADE
    assert shown.title == t("skipped_title", "ko")
    assert shown.extra["score"] == 0
    assert concept.definition in shown.body and concept.term in shown.body
    assert following.kind is ReplyKind.QUESTION
    assert concept_of(service, following).id != concept.id
    (row,) = await answers_in_db(service)
    assert (row.concept_id, row.score, row.skipped, row.hits) == (concept.id, 0, True, [])
    assert row.misses == [p.label for p in concept.key_points]
    _, summary = await service.interviews.skip(me)
    assert summary.kind is ReplyKind.SUMMARY
    assert summary.extra == {"average": 0.0, "count": 2}


async def test_stop_gives_the_summary_of_what_was_answered(service: Service, seeds: Seeds) -> None:
    seeds.queue.append(9)
    me = who()
    question = await start_question(service, me, "통계", 4)
    concept = concept_of(service, question)
    graded, _ = await service.interviews.answer(me, ENGLISH_GOOD[concept.term])
    summary = await service.interviews.stop(me)
    assert summary.kind is ReplyKind.SUMMARY
    assert summary.body.startswith(t("summary_stopped", "ko"))
    score = graded.extra["score"]
    assert t("summary_line", "ko", number=1, term=concept.term, score=score) in summary.body
    assert summary.extra == {"average": float(score), "count": 1}  # type: ignore[arg-type]
    assert await service.interviews.current(me) is None
    (row,) = await interview_rows(service)
    assert row.status == "stopped" and row.ended_at is not None

    seeds.queue.append(10)
    await start_question(service, me, "통계", 2)
    empty = await service.interviews.stop(me)
    assert t("summary_no_answers", "ko") in empty.body
    assert empty.extra == {"average": 0.0, "count": 0}


@pytest.mark.parametrize("command", ["answer", "hint", "skip", "stop"])
async def test_interview_commands_without_an_interview_are_not_found(
    service: Service, command: str
) -> None:
    interviews = service.interviews
    calls: dict[str, Callable[[], object]] = {
        "answer": lambda: interviews.answer(who(), "CNN은 합성곱 신경망"),
        "hint": lambda: interviews.hint(who()),
        "skip": lambda: interviews.skip(who()),
        "stop": lambda: interviews.stop(who()),
    }
    with pytest.raises(NotFound) as caught:
        await calls[command]()  # type: ignore[misc]
    assert caught.value.key == "interview_none"
    assert await interviews.resume(who()) == []
    assert await answers_in_db(service) == []


# --- restart ----------------------------------------------------------------------------------


async def test_a_restart_mid_interview_continues_the_same_interview(
    settings: Settings, seeds: Seeds
) -> None:
    seeds.queue.append(21)
    me = who(thread="t1")
    first = await Service.start(settings)
    try:
        question = await start_question(first, me, "통계", 3)
        graded, question = await first.interviews.answer(
            me, KOREAN_PARTIAL[concept_of(first, question).term]
        )
        await first.interviews.hint(me)
    finally:
        await first.close()

    second = await Service.start(settings)
    try:
        notice, resumed = await second.interviews.resume(me)
        assert (notice.kind, notice.title) == (ReplyKind.INFO, t("interview_resumed", "ko"))
        assert resumed.kind is ReplyKind.QUESTION, "the notice comes before the question"
        assert (resumed.title, resumed.body) == (question.title, question.body)
        assert resumed.extra == question.extra
        assert await second.interviews.resume(who(thread="t2")) == []
        with pytest.raises(Conflict):
            await second.interviews.start(me)

        concept = concept_of(second, resumed)
        text = ENGLISH_GOOD[concept.term]
        graded_again, third = await second.interviews.answer(me, text)
        expected = with_hints(grade(concept, text, second.synonyms), 1)  # the hint before it
        assert_grade_reply(graded_again, concept, expected)
        assert third.title == t("question_title", "ko", number=3, total=3, category=STATS)
        _, summary = await second.interviews.skip(me)
        assert summary.extra["count"] == 3
        assert (
            t(
                "summary_line",
                "ko",
                number=1,
                term=concept_of(second, graded).term,
                score=graded.extra["score"],
            )
            in summary.body
        )
        rows = await answers_in_db(second)
        assert [r.question_seq for r in rows] == [1, 2, 3]
        assert len({r.interview_id for r in rows}) == 1
        assert rows[1].hints_used == 1
    finally:
        await second.close()


async def test_an_interview_whose_question_left_the_notes_ends_with_its_summary(
    make_settings: type[Settings], tmp_path: Path, seeds: Seeds
) -> None:
    """The notes are edited while an interview runs and its current concept is gone: the next
    command ends the interview with its summary instead of leaving it stuck."""
    notes = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, notes)
    settings = make_settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'edited.sqlite3'}",
        data_dir=tmp_path,
        knowledge_paths=[notes],
    )
    service = await Service.start(settings)
    try:
        me = who()
        seeds.queue.extend(range(200, 300))
        while True:  # the first seed whose second question is 편미분, a one-line note
            first = concept_of(service, await start_question(service, me, "통계", 3))
            _, question = await service.interviews.skip(me)
            if concept_of(service, question).term == "편미분":
                break
            await service.interviews.stop(me)
        note = notes / "interview-notes.md"
        lines = note.read_text(encoding="utf-8").split("\n")
        kept = [line for line in lines if not line.startswith("- 편미분 - ")]
        assert len(kept) == len(lines) - 1
        note.write_text("\n".join(kept), encoding="utf-8")
        await service.ingest(settings.knowledge_paths)
        assert "편미분" not in {c.term for c in service.concepts()}

        assert await service.interviews.resume(me) == []
        (summary,) = await service.interviews.answer(me, "3차원 식에서 씁니다")
        assert summary.kind is ReplyKind.SUMMARY
        assert summary.body.startswith(t("summary_stopped", "ko"))
        assert t("summary_line", "ko", number=1, term=first.term, score=0) in summary.body
        assert await service.interviews.current(me) is None
        assert (await interview_rows(service))[-1].status == "stopped"
        question = await start_question(service, me, "통계", 5)
        assert question.extra["question_seq"] == 1
    finally:
        await service.close()


# --- idle expiry ------------------------------------------------------------------------------


async def test_an_answer_after_the_idle_limit_gets_the_expiry_summary(
    timed: Service, clock: FakeClock, seeds: Seeds
) -> None:
    seeds.queue.append(12)
    me = who()
    limit = timedelta(minutes=timed.settings.interview_idle_minutes)
    question = await start_question(timed, me, "통계", 3)
    concept = concept_of(timed, question)
    clock.advance(limit)  # exactly at the limit: still running
    graded, question = await timed.interviews.answer(me, KOREAN_PARTIAL[concept.term])
    assert graded.kind is ReplyKind.GRADE

    clock.advance(limit + timedelta(seconds=1))
    (expired,) = await timed.interviews.answer(me, "늦은 답변")
    assert expired.kind is ReplyKind.SUMMARY
    minutes = timed.settings.interview_idle_minutes
    assert expired.body.startswith(t("summary_expired", "ko", minutes=minutes))
    assert expired.extra["count"] == 1
    assert len(await answers_in_db(timed)) == 1, "the late answer is not graded"
    assert await timed.interviews.current(me) is None
    with pytest.raises(NotFound):
        await timed.interviews.answer(me, "또 늦은 답변")
    (row,) = await interview_rows(timed)
    assert row.status == "expired"

    seeds.queue.append(13)
    await start_question(timed, me, "통계", 1)  # the conversation is free again


async def test_an_interview_that_went_idle_while_the_bot_was_down_shows_its_summary_on_restart(
    settings: Settings, clock: FakeClock, seeds: Seeds
) -> None:
    seeds.queue.extend([31, 32])
    me, other = who(thread="t1"), who(thread="t2")
    first = await Service.start(settings, clock=clock)
    try:
        question = await start_question(first, me, "통계", 3)
        await first.interviews.answer(me, KOREAN_PARTIAL[concept_of(first, question).term])
        await start_question(first, other, "통계", 3)
    finally:
        await first.close()

    clock.advance(timedelta(minutes=first.settings.interview_idle_minutes, seconds=1))
    second = await Service.start(settings, clock=clock)
    try:
        (summary,) = await second.interviews.resume(me)
        assert summary.kind is ReplyKind.SUMMARY
        minutes = second.settings.interview_idle_minutes
        assert summary.body.startswith(t("summary_expired", "ko", minutes=minutes))
        assert summary.extra["count"] == 1
        assert await second.interviews.resume(me) == [], "shown once"
        assert await second.interviews.current(me) is None

        # the other person's next message in their thread gets their summary, not silence
        assert await second.interviews.current(other) is not None
        (late,) = await second.answer_in_thread(other, "늦은 답변")
        assert late.kind is ReplyKind.SUMMARY
        assert late.body.startswith(t("summary_expired", "ko", minutes=minutes))
        assert await second.answer_in_thread(other, "또 늦은 답변") == []
        assert [r.status for r in await interview_rows(second)] == ["expired", "expired"]
    finally:
        await second.close()


async def test_starting_over_an_idle_interview_shows_its_summary_first(
    timed: Service, clock: FakeClock, seeds: Seeds
) -> None:
    seeds.queue.extend([33, 34])
    me = who()
    await start_question(timed, me, "통계", 3)
    clock.advance(timedelta(minutes=timed.settings.interview_idle_minutes, seconds=1))
    summary, intro, question = await timed.interviews.start(me, "통계", 2)
    assert summary.kind is ReplyKind.SUMMARY
    minutes = timed.settings.interview_idle_minutes
    assert summary.body.startswith(t("summary_expired", "ko", minutes=minutes))
    assert (intro.kind, question.kind) == (ReplyKind.INFO, ReplyKind.QUESTION)
    assert [r.status for r in await interview_rows(timed)] == ["expired", "active"]


@pytest.mark.parametrize("command", ["hint", "skip"])
async def test_hint_and_skip_after_the_idle_limit_end_the_interview(
    timed: Service, clock: FakeClock, seeds: Seeds, command: str
) -> None:
    seeds.queue.append(14)
    me = who()
    await start_question(timed, me, "통계", 3)
    clock.advance(timedelta(minutes=timed.settings.interview_idle_minutes, seconds=1))
    if command == "hint":
        reply = await timed.interviews.hint(me)
    else:
        (reply,) = await timed.interviews.skip(me)
    assert reply.kind is ReplyKind.SUMMARY
    assert await answers_in_db(timed) == []
    assert [r.status for r in await interview_rows(timed)] == ["expired"]


async def test_expire_idle_ends_only_the_idle_interviews(
    timed: Service, clock: FakeClock, seeds: Seeds
) -> None:
    seeds.queue.extend([15, 16, 17])
    idle, busy, other = who(channel="idle"), who(channel="busy"), who(user="u9", channel="idle")
    await start_question(timed, idle, "통계", 3)
    await start_question(timed, other, "통계", 3)
    clock.advance(timedelta(minutes=20))
    question = await start_question(timed, busy, "통계", 3)
    await timed.interviews.answer(other, "가설")  # activity keeps an interview alive
    clock.advance(timedelta(minutes=11))
    await timed.interviews.hint(busy)
    clock.advance(timedelta(minutes=15))

    ended = await timed.interviews.expire_idle()
    assert [(s.channel_id, s.user_id) for s, _ in ended] == [("idle", "u1")]
    _, summary = ended[0]
    assert summary.kind is ReplyKind.SUMMARY
    assert t("summary_no_answers", "ko") in summary.body
    assert await timed.interviews.expire_idle() == []
    assert await timed.interviews.current(idle) is None
    assert await timed.interviews.current(busy) is not None
    assert await timed.interviews.current(other) is not None
    _, resumed = await timed.interviews.resume(busy)
    assert resumed.extra == question.extra

    clock.advance(timedelta(hours=2))
    assert sorted(s.channel_id for s, _ in await timed.interviews.expire_idle()) == ["busy", "idle"]
    assert {r.status for r in await interview_rows(timed)} == {"expired"}


# --- one interview per person and conversation ------------------------------------------------


async def test_one_running_interview_per_person_and_conversation(
    service: Service, seeds: Seeds
) -> None:
    seeds.queue.extend(range(30, 40))
    me = who()
    await start_question(service, me, "통계", 3)
    with pytest.raises(Conflict) as caught:
        await service.interviews.start(me, "cnn")
    assert caught.value.key == "interview_already_running"
    assert caught.value.params == {"number": 1, "total": 3}

    side_by_side = [
        who(user="u2"),
        who(thread="t1"),
        who(thread="t2"),
        who(channel="c2"),
        who(platform="console"),
    ]
    firsts = {}
    for caller in side_by_side:
        firsts[caller] = concept_of(service, await start_question(service, caller, "통계", 2))
    assert len(await interview_rows(service)) == 1 + len(side_by_side)

    # Answers go to the caller's own interview only.
    graded, _ = await service.interviews.answer(who(thread="t1"), "모르겠어요")
    assert graded.extra["concept_id"] == firsts[who(thread="t1")].id
    rows = await answers_in_db(service)
    assert [(r.channel_id, r.user_id, r.question_seq) for r in rows] == [("t1", "u1", 1)]
    _, resumed = await service.interviews.resume(who(thread="t2"))
    assert resumed.extra["question_seq"] == 1

    await service.interviews.stop(me)
    await start_question(service, me, "통계", 1)


async def test_two_starts_at_once_make_one_interview(
    make_settings: type[Settings], db_url: str
) -> None:
    settings = make_settings(database_url=db_url, knowledge_paths=[DEFAULT_KNOWLEDGE_DIR])
    first = await Service.start(settings)
    second = await Service.start(settings)
    try:
        for attempt in range(RACE_REPEATS):
            me = who(channel=f"start-{attempt}")
            results = await asyncio.gather(
                first.interviews.start(me, "통계", 2),
                second.interviews.start(me, "통계", 2),
                return_exceptions=True,
            )
            started = [r for r in results if isinstance(r, list)]
            refused = [r for r in results if isinstance(r, Conflict)]
            assert len(started) == 1 and len(refused) == 1, results
            assert refused[0].key == "interview_already_running"
        assert len(await interview_rows(first)) == RACE_REPEATS
    finally:
        await first.close()
        await second.close()


# --- answers racing for one question ----------------------------------------------------------


@pytest.fixture
def both_read_first(monkeypatch: pytest.MonkeyPatch) -> Iterator[asyncio.Barrier]:
    """Make racing answers overlap for sure: each, graded and about to store its answer (after
    reading the interview), waits until the other is there too (an answer graded again after
    losing waits alone, a moment). Grading and writing are the real ones."""
    barrier = asyncio.Barrier(2)
    real_run = GroupWriter.run

    async def run_together(writer: GroupWriter, build: Any) -> Any:
        with contextlib.suppress(TimeoutError, asyncio.BrokenBarrierError):
            async with asyncio.timeout(ALONE_WAIT_S):
                await barrier.wait()
        return await real_run(writer, build)

    monkeypatch.setattr(GroupWriter, "run", run_together)
    yield barrier


async def test_two_answers_at_once_for_one_question_are_graded_once(
    make_settings: type[Settings], db_url: str, seeds: Seeds, both_read_first: asyncio.Barrier
) -> None:
    settings = make_settings(database_url=db_url, knowledge_paths=[DEFAULT_KNOWLEDGE_DIR])
    first = await Service.start(settings)  # two Services: two engines, two connection pools
    second = await Service.start(settings)
    try:
        for attempt in range(RACE_REPEATS):
            seeds.queue.append(40 + attempt)
            me = who(channel=f"race-{attempt}")
            question = await start_question(first, me, "통계", RACE_ROUNDS)
            for seq in range(1, RACE_ROUNDS + 1):
                concept = concept_of(first, question)
                results = await asyncio.gather(
                    first.interviews.answer(me, KOREAN_PARTIAL[concept.term]),
                    second.interviews.answer(me, ENGLISH_GOOD[concept.term]),
                    return_exceptions=True,
                )
                graded = [r for r in results if isinstance(r, list)]
                refused = [r for r in results if isinstance(r, BotError)]
                assert len(graded) == 1 and len(refused) == 1, results
                assert isinstance(refused[0], Conflict)
                assert refused[0].key == "interview_already_graded"
                reply, question = graded[0]
                assert reply.extra["concept_id"] == concept.id
                expected = ReplyKind.QUESTION if seq < RACE_ROUNDS else ReplyKind.SUMMARY
                assert question.kind is expected
                if seq < RACE_ROUNDS:
                    assert question.extra["question_seq"] == seq + 1
            assert question.extra["count"] == RACE_ROUNDS
        rows = await answers_in_db(second)
        per_question = Counter((r.interview_id, r.question_seq) for r in rows)
        assert len(per_question) == RACE_REPEATS * RACE_ROUNDS
        assert set(per_question.values()) == {1}
        assert {r.status for r in await interview_rows(second)} == {"finished"}
    finally:
        await first.close()
        await second.close()


async def test_an_answer_racing_a_stop_is_not_stored(
    make_settings: type[Settings], db_url: str, seeds: Seeds, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(database_url=db_url, knowledge_paths=[DEFAULT_KNOWLEDGE_DIR])
    first = await Service.start(settings)
    second = await Service.start(settings)
    graded_started = threading.Event()
    release = threading.Event()
    grader_type = type(first.context.grader)
    real_grade = grader_type.grade

    def slow_grade(grader: object, *args: object) -> Grade:
        graded_started.set()
        release.wait(BARRIER_TIMEOUT_S)
        return real_grade(grader, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(grader_type, "grade", slow_grade)
    try:
        seeds.queue.append(50)
        me = who()
        await start_question(first, me, "통계", 2)
        answering = asyncio.create_task(first.interviews.answer(me, "가설 검정"))
        await asyncio.to_thread(graded_started.wait, BARRIER_TIMEOUT_S)
        summary = await second.interviews.stop(me)
        assert summary.extra["count"] == 0
        release.set()
        with pytest.raises(Conflict):
            await answering
        assert await answers_in_db(first) == []
        assert [r.status for r in await interview_rows(first)] == ["stopped"]
    finally:
        release.set()
        await first.close()
        await second.close()


# --- history ----------------------------------------------------------------------------------


async def test_every_graded_answer_is_stored_with_who_where_what_and_when(
    timed: Service, clock: FakeClock, seeds: Seeds
) -> None:
    seeds.queue.append(60)
    me = Caller("test", "u7", "c7", workspace_id="w7", thread_id="t7")
    question = await start_question(timed, me, "통계", 3)
    expected: list[tuple[Concept, Grade | None, datetime]] = []
    for step in range(3):
        concept = concept_of(timed, question)
        clock.advance(timedelta(minutes=5))
        if step == 1:
            _, question = await timed.interviews.skip(me)
            expected.append((concept, None, clock.now()))
        else:
            text = KOREAN_PARTIAL[concept.term] if step == 0 else ENGLISH_GOOD[concept.term]
            _, question = await timed.interviews.answer(me, text)
            expected.append((concept, grade(concept, text, timed.synonyms), clock.now()))

    rows = await answers_in_db(timed)
    assert len(rows) == 3
    (interview,) = await interview_rows(timed)
    for row, (concept, result, when) in zip(rows, expected, strict=True):
        assert (row.platform, row.workspace_id, row.channel_id, row.user_id) == (
            "test",
            "w7",
            "t7",
            "u7",
        )
        assert (row.interview_id, row.daily_post_id) == (interview.id, None)
        assert (row.concept_id, row.term) == (concept.id, concept.term)
        assert row.created_at == when
        if result is None:
            assert (row.score, row.band, row.skipped, row.hits) == (0, "off_topic", True, [])
            assert row.misses == [p.label for p in concept.key_points]
        else:
            assert (row.score, row.band, row.skipped) == (result.score, result.band.value, False)
            assert row.hits == [h.point.label for h in result.hits]
            assert row.misses == [p.label for p in result.misses]
    assert interview.status == "finished"
    assert interview.ended_at == expected[-1][2]


# --- odd input --------------------------------------------------------------------------------


ODD_ANSWERS: Final[dict[str, str]] = {
    "empty": "",
    "blank": "   \n\t  ",
    "huge": "가설 검정 " * 4_000,  # 24,000 characters
    "huge_single_word": "가" * 20_000,
    "code": "def null_hypothesis(x):\n    return x == 0  # 차이가 없다?\n\nSELECT * FROM t;",
    "emoji": "🤔🤔 🙈 통계... 😅",
    "control": "\x00\x1b[31m귀무\u200b가설\x00",
    "markup": "**@everyone** <script>alert(1)</script> ||스포||",
}


@pytest.mark.parametrize("kind", list(ODD_ANSWERS))
async def test_odd_answers_get_a_sensible_grade(service: Service, seeds: Seeds, kind: str) -> None:
    seeds.queue.append(70)
    me = who()
    question = await start_question(service, me, "통계", 2)
    concept = concept_of(service, question)
    text = ODD_ANSWERS[kind]
    graded, following = await service.interviews.answer(me, text)
    assert graded.kind is ReplyKind.GRADE
    score = graded.extra["score"]
    assert isinstance(score, int) and 0 <= score <= 100
    if kind in ("empty", "blank", "emoji", "huge_single_word"):
        assert score == 0
    assert concept.term in graded.body
    assert following.kind is ReplyKind.QUESTION
    (row,) = await answers_in_db(service)
    assert row.score == score
    assert len(row.answer) <= MAX_STORED_ANSWER_CHARS
    assert row.answer == clean_text(text)[: len(row.answer)]  # NUL dropped: PostgreSQL refuses it


async def test_where_running_finds_the_callers_interview_in_a_thread_of_the_channel(
    timed: Service, clock: FakeClock, seeds: Seeds
) -> None:
    seeds.queue.extend([50, 51, 52, 53])
    assert await timed.interviews.where_running(who()) == who(), "nothing runs: unchanged"
    await start_question(timed, who(thread="t1"), "통계", 2)
    clock.advance(timedelta(minutes=1))
    await start_question(timed, who(thread="t2"), "통계", 2)
    await start_question(timed, who(user="u2", thread="t3"), "통계", 2)
    await start_question(timed, who(channel="c2", thread="t4"), "통계", 2)
    assert await timed.interviews.where_running(who()) == who(thread="t2"), "the latest"
    clock.advance(timedelta(minutes=1))
    await timed.interviews.hint(who(thread="t1"))
    assert await timed.interviews.where_running(who()) == who(thread="t1"), "used last"
    assert await timed.interviews.where_running(who(thread="t2")) == who(thread="t2")
    assert await timed.interviews.where_running(who(user="u2")) == who(user="u2", thread="t3")
    assert await timed.interviews.where_running(who(user="u3")) == who(user="u3")


async def test_each_hint_costs_points_and_the_grade_says_so(service: Service, seeds: Seeds) -> None:
    seeds.queue.append(3)
    me = who()
    question = await start_question(service, me, "통계", 2)
    concept = concept_of(service, question)
    plain = service.context.grader.grade(concept, concept.definition, service.synonyms)
    await service.interviews.hint(me)
    await service.interviews.hint(me)
    graded, *_ = await service.interviews.answer(me, concept.definition)
    assert graded.extra["score"] == max(0, plain.score - 2 * HINT_PENALTY)
    hints = {f.name: f.value for f in graded.fields}[t("field_hints", "ko")]
    points = plain.score - int(str(graded.extra["score"]))
    assert hints == t("grade_hint_penalty", "ko", hints=2, points=points)
    (row,) = await answers_in_db(service)
    assert row.score == graded.extra["score"] and row.hints_used == 2


async def test_someone_elses_interview_is_named_as_such_not_as_none(
    service: Service, seeds: Seeds
) -> None:
    seeds.queue.append(3)
    alice = who("alice", thread="t1")
    await start_question(service, alice, "통계", 2)
    bob_there = who("bob", thread="t1")
    for act in (service.interviews.hint, service.interviews.stop):
        with pytest.raises(Forbidden) as refused:
            await act(bob_there)
        assert refused.value.key == "interview_not_yours"
    with pytest.raises(NotFound) as none:
        await service.interviews.hint(who("bob", thread="t2"))
    assert none.value.key == "interview_none"
    assert (await service.interviews.hint(alice)).title == t("hint_title", "ko")


async def test_an_interview_speaks_the_callers_language_now_not_the_one_it_started_in(
    service: Service, seeds: Seeds
) -> None:
    seeds.queue.append(11)
    korean, english = who(locale="ko"), who(locale="en")
    await service.interviews.start(korean, "통계", 2)
    hint = await service.interviews.hint(english)
    assert hint.title == t("hint_title", "en")
    notice, question = await service.interviews.resume(english)
    assert notice.title == t("interview_resumed", "en")
    assert question.title == t("question_title", "en", number=1, total=2, category=STATS)
    assert {a.label for a in question.actions} == {
        t(key, "en") for key in ("action_answer", "action_hint", "action_skip", "action_stop")
    }
    graded, *_ = await service.interviews.answer(english, "잘 모르겠어요")
    assert t("field_reference", "en") in str(graded)


# --- two processes on one interview (each keeps what it knows in memory) ----------------------


@pytest.fixture
async def two_processes(
    make_settings: type[Settings], db_url: str, clock: FakeClock
) -> AsyncIterator[tuple[Service, Service]]:
    """Two Services (two engines, two writers, two memories) on one database and clock."""
    settings = make_settings(database_url=db_url, knowledge_paths=[DEFAULT_KNOWLEDGE_DIR])
    first = await Service.start(settings, clock=clock)
    second = await Service.start(settings, clock=clock)
    yield first, second
    await first.close()
    await second.close()


async def test_a_hint_taken_in_another_process_counts_in_the_grade(
    two_processes: tuple[Service, Service], clock: FakeClock, seeds: Seeds
) -> None:
    first, second = two_processes
    seeds.queue.append(70)
    me = who()
    question = await start_question(first, me, "통계", 2)  # the first process knows it now
    concept = concept_of(first, question)
    clock.advance(timedelta(seconds=5))
    await second.interviews.hint(me)
    clock.advance(timedelta(seconds=5))
    text = ENGLISH_GOOD[concept.term]
    graded, _ = await first.interviews.answer(me, text)
    assert_grade_reply(graded, concept, with_hints(grade(concept, text, first.synonyms), 1))
    assert [r.hints_used for r in await answers_in_db(first)] == [1]
    # The first process stored what the second gave: its next hint is the first of question 2.
    hint = await first.interviews.hint(me)
    assert hint.kind is not ReplyKind.ERROR


async def test_an_answer_after_the_question_moved_on_in_another_process_answers_the_new_one(
    two_processes: tuple[Service, Service], clock: FakeClock, seeds: Seeds
) -> None:
    first, second = two_processes
    seeds.queue.append(71)
    me = who()
    question = await start_question(first, me, "통계", 3)
    clock.advance(timedelta(seconds=5))
    await first.interviews.answer(me, "모르겠어요")  # the first process knows question 2
    clock.advance(timedelta(seconds=5))
    _, third = await second.interviews.answer(me, "모르겠어요")  # question 2, elsewhere
    assert third.extra["question_seq"] == 3
    clock.advance(timedelta(seconds=5))
    concept = concept_of(first, third)
    text = KOREAN_PARTIAL[concept.term]
    graded, summary = await first.interviews.answer(me, text)  # what it knew is stale
    assert graded.extra["concept_id"] == concept.id
    assert_grade_reply(graded, concept, grade(concept, text, first.synonyms))
    assert summary.kind is ReplyKind.SUMMARY and summary.extra["count"] == 3
    rows = await answers_in_db(first)
    assert [(r.question_seq, r.concept_id) for r in rows][-1] == (3, concept.id)
    assert len(rows) == 3 and question.extra["question_seq"] == 1


async def test_an_interview_stopped_in_another_process_is_none_to_a_later_answer(
    two_processes: tuple[Service, Service], clock: FakeClock, seeds: Seeds
) -> None:
    first, second = two_processes
    seeds.queue.append(72)
    me = who()
    await start_question(first, me, "통계", 2)
    clock.advance(timedelta(seconds=5))
    await second.interviews.stop(me)
    clock.advance(timedelta(seconds=5))
    with pytest.raises(NotFound) as caught:
        await first.interviews.answer(me, "모르겠어요")
    assert caught.value.key == "interview_none"
    assert await answers_in_db(first) == []


async def test_activity_in_another_process_keeps_an_interview_from_expiring(
    two_processes: tuple[Service, Service], clock: FakeClock, seeds: Seeds
) -> None:
    first, second = two_processes
    seeds.queue.append(73)
    me = who()
    await start_question(first, me, "통계", 3)
    limit = first.interviews.idle_limit
    clock.advance(limit - timedelta(minutes=1))
    _, question = await second.interviews.answer(me, "모르겠어요")
    clock.advance(timedelta(minutes=2))  # idle to what the first process knew; not in truth
    graded, after = await first.interviews.answer(me, "모르겠어요")
    assert graded.kind is ReplyKind.GRADE
    assert graded.extra["concept_id"] == question.extra["concept_id"]
    assert after.kind is ReplyKind.QUESTION and after.extra["question_seq"] == 3
    assert {r.status for r in await interview_rows(first)} == {"active"}


async def test_answers_arriving_together_in_one_process_are_stored_in_one_group(
    service: Service, seeds: Seeds
) -> None:
    seeds.queue.extend(range(80, 90))
    callers = [who(user=f"group-{n}") for n in range(8)]
    questions = [await start_question(service, c, "통계", 2) for c in callers]
    before = service.context.writer.figures.batches
    replies = await asyncio.gather(
        *(
            service.interviews.answer(c, KOREAN_PARTIAL[concept_of(service, q).term])
            for c, q in zip(callers, questions, strict=True)
        )
    )
    assert all(r[0].kind is ReplyKind.GRADE for r in replies)
    assert service.context.writer.figures.batches - before < len(callers)
    rows = await answers_in_db(service)
    assert sorted(r.user_id for r in rows) == sorted(c.user_id for c in callers)


async def test_the_same_answer_sent_twice_at_once_in_one_process_is_graded_once(
    service: Service, seeds: Seeds, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds.queue.append(90)
    me = who()
    question = await start_question(service, me, "통계", 2)
    grades = Counter[int]()
    real = type(service.context.grader).grade

    def counted(grader: Any, concept: Concept, *args: Any) -> Grade:
        grades[concept.id] += 1
        return real(grader, concept, *args)

    monkeypatch.setattr(type(service.context.grader), "grade", counted)
    text = KOREAN_PARTIAL[concept_of(service, question).term]
    results = await asyncio.gather(
        service.interviews.answer(me, text),
        service.interviews.answer(me, text),
        return_exceptions=True,
    )
    assert sum(isinstance(r, list) for r in results) == 1
    refused = [r for r in results if isinstance(r, Conflict)]
    assert [r.key for r in refused] == ["interview_already_graded"]
    assert len(await answers_in_db(service)) == 1
    assert sum(grades.values()) == 1, "the second waited for the first and was not graded"
