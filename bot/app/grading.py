"""Grading an answer for a flow: the grader runs off the event loop, and the history record to
store is built in one place (interview and daily answers alike)."""

from __future__ import annotations

import asyncio

from bot.app.cards import review_answer
from bot.app.context import Context
from bot.core.grading.grader import MAX_ANSWER_CHARS, with_hints
from bot.core.models import AnswerRecord, Caller, Concept, Grade
from bot.core.sanitize import clean_text
from bot.db import interviews as repo

MAX_STORED_ANSWER_CHARS = 4_000
# Up to this many characters an answer graded by key points alone is graded on the event loop
# (well under a millisecond: less than handing it to a thread and back).
INLINE_GRADE_CHARS = 600


async def grade_answer(
    ctx: Context, concept: Concept, text: str, *, hints_used: int = 0
) -> tuple[Grade, AnswerRecord]:
    """Grade ``text`` off the event loop and the history record to store for it. Every answer
    (interview, daily question, on its own) enters here, so here it is cleaned
    (:func:`~bot.core.sanitize.clean_text`: a lone surrogate would fail the insert)."""
    answer = clean_text(text)[:MAX_ANSWER_CHARS]
    result = with_hints(await grade_only(ctx, concept, answer), hints_used)
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


async def grade_only(ctx: Context, concept: Concept, answer: str) -> Grade:
    """The grade of ``answer`` by the context's grader; nothing stored. Graded on the event
    loop when that is cheaper than a thread hop (key points only, an answer of at most
    :data:`INLINE_GRADE_CHARS`), else off it (the meaning signal's reference vectors read
    first when it is on)."""
    if ctx.meaning is not None:
        await ctx.meaning.prepare(concept, ctx.knowledge.synonyms)
    elif len(answer) <= INLINE_GRADE_CHARS:
        return ctx.grader.grade(concept, answer, ctx.knowledge.synonyms)
    return await asyncio.to_thread(ctx.grader.grade, concept, answer, ctx.knowledge.synonyms)


async def grade_and_record(
    ctx: Context, caller: Caller, concept: Concept, text: str
) -> tuple[Grade, int]:
    """Grade an answer given on its own (the command line's ``grade``) and store it in the
    caller's history, so it can be appealed; returns the grade and the stored answer's id."""
    result, record = await grade_answer(ctx, concept, text)
    async with ctx.sessions() as session, session.begin():
        now = ctx.clock.now()
        answer_id = await repo.record_standalone(session, caller, record, now)
        await review_answer(
            session,
            caller.platform,
            caller.workspace_id,
            caller.user_id,
            record.concept_id,
            record.score,
            now,
            term=record.term,
            name=caller.display_name,
            kept=ctx.names,
        )
    return result, answer_id
