"""Faults an operator met with the text people type: a lone surrogate (a broken emoji pasted
from a chat, a client that splits UTF-16 pairs) crashed the answer path at the database insert
(UnicodeEncodeError: the console said "something went wrong", Discord gave no reply, Slack an
internal error). Text is cleaned once where it enters the application, for every front end."""

from __future__ import annotations

from sqlalchemy import select

from bot.app.service import Service
from bot.core.models import Caller, Concept, ReplyKind
from bot.core.sanitize import clean_text
from bot.db.tables import AnswerRow

USER = Caller("test", "u1", "c1", workspace_id="w1")


async def _concept(service: Service, query: str) -> Concept:
    result = await service.lookup(query)
    assert result.match is not None
    return service.concept(result.match.concept_id)


async def _stored_answers(service: Service) -> list[str]:
    async with service.sessions() as session:
        return list((await session.scalars(select(AnswerRow.answer))).all())


async def test_an_answer_with_a_lone_surrogate_is_graded_and_stored(service: Service) -> None:
    concept = await _concept(service, "CNN")
    grade, answer_id = await service.grade(USER, concept, "합성곱 필터 \ud800 이미지")
    assert answer_id > 0 and grade.score >= 0
    [stored] = await _stored_answers(service)
    assert "\ud800" not in stored and "합성곱 필터" in stored and "이미지" in stored
    stored.encode("utf-8")  # what the database needs


async def test_an_interview_answer_and_topic_with_lone_surrogates_go_through(
    service: Service,
) -> None:
    await service.interviews.start(USER, "통계\udfff", 1)
    replies = await service.act(USER, "interview.answer", text="\udc80 a\x00nswer \ud83d\ude00")
    assert replies, "graded"
    [stored] = await _stored_answers(service)
    assert stored.encode("utf-8").decode("utf-8") == stored
    assert "\x00" not in stored and "😀" in stored, "a split pair is joined, NUL dropped"


async def test_a_query_and_an_appeal_note_with_lone_surrogates_are_answered(
    service: Service,
) -> None:
    reply = await service.define(USER, "도커\ud800")
    assert reply.kind is ReplyKind.DEFINITION, "half an emoji is no part of the name"
    (reply.title + reply.body).encode("utf-8")
    concept = await _concept(service, "도커 \udc00")
    _, answer_id = await service.grade(USER, concept, "컨테이너")
    appealed = await service.act(USER, "appeal", str(answer_id), "메모 \ud800")
    assert appealed


def test_cleaning_joins_split_pairs_replaces_lone_surrogates_and_drops_nul() -> None:
    assert clean_text("a\ud83d\ude00b") == "a😀b"
    assert clean_text("\udc80x\ud800") == "\ufffdx\ufffd"
    assert clean_text("a\x00b") == "ab"
    fine = "그대로 text"
    assert clean_text(fine) is fine
