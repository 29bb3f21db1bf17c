"""Grading an answer for a flow: the grader runs off the event loop, and the history record to
store is built in one place (interview and daily answers alike)."""

from __future__ import annotations

import asyncio

from bot.app.context import Context
from bot.core.grading.grader import MAX_ANSWER_CHARS
from bot.core.models import AnswerRecord, Concept, Grade

MAX_STORED_ANSWER_CHARS = 4_000


async def grade_answer(
    ctx: Context, concept: Concept, text: str, *, hints_used: int = 0
) -> tuple[Grade, AnswerRecord]:
    """Grade ``text`` off the event loop and the history record to store for it."""
    answer = text[:MAX_ANSWER_CHARS]
    synonyms = ctx.knowledge.synonyms
    result = await asyncio.to_thread(ctx.grader.grade, concept, answer, synonyms)
    record = AnswerRecord(
        concept_id=concept.id,
        term=concept.term,
        score=result.score,
        band=result.band.value,
        hits=tuple(h.point.label for h in result.hits),
        misses=tuple(p.label for p in result.misses),
        answer=answer[:MAX_STORED_ANSWER_CHARS],
        hints_used=hints_used,
    )
    return result, record
