"""Appeals ("I was right") through the Service on real databases (SQLite files, PostgreSQL when
``TEST_DATABASE_URL`` is set): the button under every grade, an appeal recorded once and the
answer then counted as correct, nobody else's appeal, answers whose concept left the notes, and
the admins' per-concept list with its appeal rates."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import pytest
from sqlalchemy import select

from bot.app.service import PRIVATE_ACTIONS, Service
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.errors import BadInput, Forbidden, NotFound
from bot.core.grading.appeal_replies import APPEAL_ACTION
from bot.core.messages import t
from bot.core.models import Caller, Reply, ReplyKind
from bot.db import appeals as appeals_repo
from bot.db import daily as daily_repo
from bot.db import interviews as interviews_repo
from bot.db.tables import AnswerRow, AppealRow
from bot.testing import FakeClock, RecordingNotifier
from tests.wording import message_pattern

START: Final = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
WEAK_ANSWER: Final = "잘 모르겠어요"


def who(user: str = "u1", *, admin: bool = False, platform: str = "test", ws: str = "w1") -> Caller:
    """Someone in channel c1 of workspace ``ws``."""
    return Caller(platform, user, "c1", workspace_id=ws, is_admin=admin)


@pytest.fixture
async def service(
    make_settings: type[Settings], db_url: str, tmp_path: Path
) -> AsyncIterator[Service]:
    """A Service on SQLite, then on a fresh PostgreSQL database, with the shipped notes."""
    settings = make_settings(
        database_url=db_url, data_dir=tmp_path / "data", knowledge_paths=[DEFAULT_KNOWLEDGE_DIR]
    )
    started = await Service.start(settings, clock=FakeClock(START))
    yield started
    await started.close()


def appeal_of(reply: Reply) -> str:
    """The answer id the appeal button under a grade carries."""
    (action,) = [a for a in reply.actions if a.command == APPEAL_ACTION]
    assert action.label == t("action_appeal", "ko")
    assert action.argument == str(reply.extra["answer_id"])
    return action.argument


async def appeal_rows(service: Service) -> list[AppealRow]:
    async with service.sessions() as session:
        return list(await session.scalars(select(AppealRow).order_by(AppealRow.id)))


async def answer_row(service: Service, answer_id: str) -> AnswerRow:
    async with service.sessions() as session:
        row = await session.get(AnswerRow, int(answer_id))
    assert row is not None
    return row


async def graded_interview_answer(service: Service, caller: Caller) -> Reply:
    """Start a two-question interview and answer the first weakly: its grade reply."""
    await service.interviews.start(caller, "통계", 2)
    graded, _next = await service.interviews.answer(caller, WEAK_ANSWER)
    assert graded.kind is ReplyKind.GRADE
    return graded


async def test_an_interview_grade_is_appealed_once_and_then_counts_as_correct(
    service: Service,
) -> None:
    me = who()
    graded = await graded_interview_answer(service, me)
    answer_id = appeal_of(graded)
    assert APPEAL_ACTION in PRIVATE_ACTIONS, "the appeal answer goes to the presser only"
    score = graded.extra["score"]
    assert isinstance(score, int) and score < 100

    (recorded,) = await service.act(me, APPEAL_ACTION, answer_id)
    assert recorded.title == t("appeal_recorded_title", "ko") and recorded.ephemeral
    row = await answer_row(service, answer_id)
    assert row.accepted
    [appeal] = await appeal_rows(service)
    assert (appeal.answer_id, appeal.term, appeal.score, appeal.band) == (
        row.id,
        row.term,
        score,
        graded.extra["band"],
    )
    assert (appeal.platform, appeal.workspace_id, appeal.user_id) == ("test", "w1", "u1")
    assert appeal.answer == WEAK_ANSWER and appeal.note == ""
    assert appeal.created_at == START

    (again,) = await service.act(me, APPEAL_ACTION, answer_id)
    assert again.title == t("appeal_already_title", "ko") and again.ephemeral
    assert len(await appeal_rows(service)) == 1, "appealing twice records once"

    async with service.sessions() as session:
        past = await interviews_repo.past_scores(session, me)
    assert past[row.concept_id or -1] == appeals_repo.ACCEPTED_SCORE
    summary = await service.interviews.stop(me)
    assert t("summary_line", "ko", number=1, term=row.term, score=100) in summary.body


async def test_only_the_person_graded_may_appeal(service: Service) -> None:
    graded = await graded_interview_answer(service, who("u1"))
    answer_id = appeal_of(graded)
    for stranger in (who("u2"), who("u1", ws="w2"), who("u1", platform="slack")):
        with pytest.raises(Forbidden) as refused:
            await service.act(stranger, APPEAL_ACTION, answer_id)
        assert refused.value.key == "appeal_not_yours"
    assert await appeal_rows(service) == []
    assert not (await answer_row(service, answer_id)).accepted


async def test_no_such_answer_and_a_skipped_question_are_refused(service: Service) -> None:
    me = who()
    for reference in ("999999", "", "abc", "99999999999999999999"):
        with pytest.raises(NotFound) as missing:
            await service.act(me, APPEAL_ACTION, reference)
        assert missing.value.key == "appeal_no_answer"
    await service.interviews.start(me, "통계", 2)
    await service.interviews.skip(me)
    async with service.sessions() as session:
        skipped = await session.scalar(select(AnswerRow.id).where(AnswerRow.skipped.is_(True)))
    with pytest.raises(BadInput) as refused:
        await service.appeals.appeal(me, str(skipped))
    assert refused.value.key == "appeal_skipped"


async def test_two_appeals_at_once_record_one(
    service: Service, make_settings: type[Settings], db_url: str, tmp_path: Path
) -> None:
    me = who()
    answer_id = appeal_of(await graded_interview_answer(service, me))
    other = await Service.start(
        make_settings(database_url=db_url, data_dir=tmp_path / "data2", auto_ingest=False)
    )
    try:
        replies = await asyncio.gather(
            service.appeals.appeal(me, answer_id), other.appeals.appeal(me, answer_id)
        )
    finally:
        await other.close()
    titles = sorted(reply.title for reply in replies)
    assert titles == sorted([t("appeal_recorded_title", "ko"), t("appeal_already_title", "ko")])
    assert len(await appeal_rows(service)) == 1


async def test_a_daily_grade_and_the_own_grade_view_carry_the_appeal(service: Service) -> None:
    admin = who("admin", admin=True)
    runner = service.daily_runner(RecordingNotifier(platform="test"))
    await service.daily.now(admin, runner)
    post = await service.daily.find_post("Q#1")
    assert post is not None and post.thread_id is not None
    alice = who("alice")
    graded = await service.daily.answer(alice, post.thread_id, WEAK_ANSWER)
    answer_id = appeal_of(graded)
    (mine,) = await service.act(alice, "daily.mine", post.thread_id)
    assert appeal_of(mine) == answer_id

    with pytest.raises(Forbidden):
        await service.act(who("bob"), APPEAL_ACTION, answer_id)
    (recorded,) = await service.act(alice, APPEAL_ACTION, answer_id, "풀링 대신 다른 말로 설명함")
    assert recorded.title == t("appeal_recorded_title", "ko")
    [appeal] = await appeal_rows(service)
    assert appeal.note == "풀링 대신 다른 말로 설명함"
    async with service.sessions() as session:
        scores = await daily_repo.channel_scores(session, "test", "w1", "c1")
        count, average, _missed = await daily_repo.figures(session, post.id)
    assert scores == {post.concept_id: 100.0} and (count, average) == (1, 100.0)


async def test_an_appeal_after_its_concept_left_the_notes_counts_against_the_term(
    make_settings: type[Settings], db_url: str, tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    path = notes / "net.md"
    path.write_text(
        "TCP - 연결 지향 프로토콜로 신뢰성 있는 전송을 보장\n"
        "UDP - 비연결형 프로토콜로 빠르지만 신뢰성 없음\n",
        encoding="utf-8",
    )
    settings = make_settings(
        database_url=db_url, data_dir=tmp_path / "data", knowledge_paths=[notes]
    )
    service = await Service.start(settings)
    try:
        me = who(admin=True)
        tcp = next(c for c in service.concepts() if c.term == "TCP")
        _, answer_id = await service.grade(me, tcp, "연결을 먼저 맺는 방식")
        path.write_text("UDP - 비연결형 프로토콜로 빠르지만 신뢰성 없음\n", encoding="utf-8")
        await service.reload(me)
        assert [c.term for c in service.concepts()] == ["UDP"]
        row = await answer_row(service, str(answer_id))
        assert row.concept_id is None and row.term == "TCP", "the answer stays, its concept gone"

        (recorded,) = await service.act(me, APPEAL_ACTION, str(answer_id))
        assert recorded.title == t("appeal_recorded_title", "ko")
        [appeal] = await appeal_rows(service)
        assert (appeal.term, appeal.concept_id) == ("TCP", None)
        report = await service.appeals.report(me)
        line = t("appeals_concept_line", "ko", term="TCP", appeals=1, graded=1, rate=100)
        assert line in report.body
    finally:
        await service.close()


async def test_the_admin_list_ranks_concepts_by_appeals_with_their_rates(
    service: Service,
) -> None:
    docker = next(c for c in service.concepts() if c.term == "Docker")
    cnn = next(c for c in service.concepts() if c.term.startswith("CNN"))
    alice, bob = who("alice"), who("bob")
    docker_answers = [
        (await service.grade(person, docker, text))[1]
        for person, text in ((alice, "가상화"), (alice, "컨테이너"), (bob, "몰라요"), (bob, "음"))
    ]
    _, cnn_answer = await service.grade(bob, cnn, "이미지 처리")
    await service.appeals.appeal(
        alice, str(docker_answers[0]), "컨테이너라고 했는데 놓쳤다고 나와요"
    )
    await service.appeals.appeal(bob, str(docker_answers[2]))
    await service.appeals.appeal(bob, str(cnn_answer))
    elsewhere = who("carol", ws="w2")
    _, carol_answer = await service.grade(elsewhere, cnn, "합성곱")
    await service.appeals.appeal(elsewhere, str(carol_answer))

    report = await service.appeals.report(who("admin", admin=True))
    assert report.title == t("appeals_title", "ko") and report.ephemeral
    assert report.extra["counts"] == [("Docker", 2, 4), (cnn.term, 1, 1)], "this workspace only"
    first = t("appeals_concept_line", "ko", term="Docker", appeals=2, graded=4, rate=50)
    second = t("appeals_concept_line", "ko", term=cnn.term, appeals=1, graded=1, rate=100)
    assert f"1. {first}" in report.body and f"2. {second}" in report.body
    assert t("appeals_note_line", "ko", note="컨테이너라고 했는데 놓쳤다고 나와요") in report.body
    assert t("appeals_answer_line", "ko", excerpt="가상화") in report.body
    assert message_pattern("appeals_latest_line", term="Docker").search(report.body)

    everywhere = await service.appeals.report(who("admin", admin=True), everywhere=True)
    assert everywhere.extra["counts"] == [(cnn.term, 2, 2), ("Docker", 2, 4)], "ties: by rate"


async def test_the_admin_list_is_for_admins_and_says_when_there_is_nothing(
    service: Service,
) -> None:
    with pytest.raises(Forbidden) as refused:
        await service.appeals.report(who("u1"))
    assert refused.value.key == "admin_only"
    empty = await service.appeals.report(who("admin", admin=True))
    assert empty.body == t("appeals_none", "ko")
