"""Interview and answer-history repository. Guards against double grading live in the schema."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, Table, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.models import AnswerRecord, Caller, InterviewState
from bot.db.appeals import credited_score
from bot.db.steps import Sql, Step, Steps, run_steps
from bot.db.tables import AnswerRow, InterviewRow

ACTIVE = "active"


def _state(row: InterviewRow) -> InterviewState:
    return InterviewState(
        id=row.id,
        platform=row.platform,
        workspace_id=row.workspace_id,
        channel_id=row.channel_id,
        user_id=row.user_id,
        status=row.status,
        topic=row.topic,
        rounds=row.rounds,
        locale=row.locale,
        seed=row.seed,
        asked=tuple(row.asked or ()),
        current_concept_id=row.current_concept_id,
        current_question=row.current_question,
        question_seq=row.question_seq,
        hints_used=row.hints_used,
        updated_at=row.updated_at,
        parent_channel_id=row.parent_channel_id,
        plan=tuple(row.plan or ()),
    )


def _where_caller(caller: Caller) -> tuple[ColumnElement[bool], ...]:
    return (
        InterviewRow.platform == caller.platform,
        InterviewRow.workspace_id == caller.workspace_id,
        InterviewRow.channel_id == caller.conversation,
        InterviewRow.user_id == caller.user_id,
        InterviewRow.status == ACTIVE,
    )


async def get_active(session: AsyncSession, caller: Caller) -> InterviewState | None:
    """The caller's running interview in this conversation, if any."""
    row = await session.scalar(select(InterviewRow).where(*_where_caller(caller)))
    return _state(row) if row is not None else None


async def active_in_conversation(session: AsyncSession, caller: Caller) -> InterviewState | None:
    """Anyone's running interview in the caller's conversation (a thread is one interview's)."""
    row = await session.scalar(
        select(InterviewRow)
        .where(
            InterviewRow.platform == caller.platform,
            InterviewRow.workspace_id == caller.workspace_id,
            InterviewRow.channel_id == caller.conversation,
            InterviewRow.status == ACTIVE,
        )
        .order_by(InterviewRow.updated_at.desc(), InterviewRow.id.desc())
        .limit(1)
    )
    return _state(row) if row is not None else None


async def latest_active_in_channel(session: AsyncSession, caller: Caller) -> InterviewState | None:
    """The caller's most recently active running interview in their channel: in the channel
    itself or in any thread under it (a Slack slash command names the channel, never the
    thread)."""
    row = await session.scalar(
        select(InterviewRow)
        .where(
            InterviewRow.platform == caller.platform,
            InterviewRow.workspace_id == caller.workspace_id,
            InterviewRow.user_id == caller.user_id,
            InterviewRow.status == ACTIVE,
            (InterviewRow.channel_id == caller.channel_id)
            | (InterviewRow.parent_channel_id == caller.channel_id),
        )
        .order_by(InterviewRow.updated_at.desc(), InterviewRow.id.desc())
        .limit(1)
    )
    return _state(row) if row is not None else None


async def create(
    session: AsyncSession,
    caller: Caller,
    *,
    topic: str | None,
    rounds: int,
    locale: str,
    seed: int,
    concept_id: int,
    question: str,
    now: datetime,
    plan: Sequence[int] | None = None,
) -> InterviewState | None:
    """Start an interview at ``now`` (a review session with its ``plan``); None when one is
    already running (the unique index decided)."""
    row = InterviewRow(
        platform=caller.platform,
        workspace_id=caller.workspace_id,
        channel_id=caller.conversation,
        parent_channel_id=caller.channel_id,
        user_id=caller.user_id,
        status=ACTIVE,
        topic=topic,
        rounds=rounds,
        locale=locale,
        seed=seed,
        asked=[concept_id],
        current_concept_id=concept_id,
        current_question=question,
        question_seq=1,
        hints_used=0,
        created_at=now,
        updated_at=now,
        plan=list(plan) if plan else None,
    )
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return _state(row)


_INTERVIEWS = cast(Table, InterviewRow.__table__)
_ANSWERS = cast(Table, AnswerRow.__table__)
# The interview's guard: still active, at the question this answer is for, with the hints the
# grade counted (a hint taken meanwhile, in another process, makes the answer grade again).
_GUARD = (
    _INTERVIEWS.c.id == bindparam("interview_id"),
    _INTERVIEWS.c.question_seq == bindparam("seq"),
    _INTERVIEWS.c.status == ACTIVE,
    _INTERVIEWS.c.hints_used == bindparam("hints"),
)
_MOVE_ON = Sql(
    lambda _: (
        update(_INTERVIEWS)
        .where(*_GUARD)
        .values(
            question_seq=bindparam("next_seq"),
            hints_used=0,
            updated_at=bindparam("now"),
            current_concept_id=bindparam("next_concept_id"),
            current_question=bindparam("next_question"),
            asked=bindparam("asked"),
        )
    )
)
_FINISH_ON_ANSWER = Sql(
    lambda _: (
        update(_INTERVIEWS)
        .where(*_GUARD)
        .values(
            status="finished",
            ended_at=bindparam("now"),
            question_seq=bindparam("next_seq"),
            hints_used=0,
            updated_at=bindparam("now"),
            current_concept_id=None,
            current_question=None,
        )
    )
)
_ANSWER_COLUMNS = (
    "interview_id",
    "daily_post_id",
    "question_seq",
    "platform",
    "workspace_id",
    "channel_id",
    "user_id",
    "created_at",
    "concept_id",
    "term",
    "score",
    "band",
    "hits",
    "misses",
    "answer",
    "skipped",
    "hints_used",
    "accepted",
)
_INSERT_ANSWER = Sql(
    lambda _: (
        insert(_ANSWERS).values({c: bindparam(c) for c in _ANSWER_COLUMNS}).returning(_ANSWERS.c.id)
    )
)
_SCORES = Sql(
    lambda _: (
        select(AnswerRow.term, credited_score())
        .where(AnswerRow.interview_id == bindparam("interview_id"))
        .order_by(AnswerRow.question_seq)
    )
)


def record_answer(
    state: InterviewState,
    record: AnswerRecord,
    *,
    next_concept_id: int | None,
    next_question: str | None,
    now: datetime,
) -> Steps[int | None]:
    """Store the answer to the current question and move the interview on, once, at ``now``;
    returns the stored answer's id (steps: :mod:`bot.db.steps`).

    First a compare-and-set: the interview moves on only if it is still active, at
    ``state.question_seq`` and with ``state.hints_used`` hints (the first statement writes, so
    on SQLite the transaction holds the write lock from its start; on PostgreSQL a racing update
    waits for this one's row lock and then finds the question moved on). Then the answer row,
    which the unique ``(interview_id, question_seq)`` guards once more. None when another answer
    to the same question got there first or the interview ended or changed meanwhile (nothing
    was written then, or the caller must roll back).
    """
    guard = {"interview_id": state.id, "seq": state.question_seq, "hints": state.hints_used}
    moves = {"next_seq": state.question_seq + 1, "now": now}
    if next_concept_id is None:
        moved = yield Step(_FINISH_ON_ANSWER, guard | moves)
    else:
        asked = [*state.asked, next_concept_id]
        values = guard | moves | {"next_concept_id": next_concept_id, "asked": asked}
        moved = yield Step(_MOVE_ON, values | {"next_question": next_question})
    if not moved:
        return None
    row = {
        "interview_id": state.id,
        "daily_post_id": None,
        "question_seq": state.question_seq,
        "platform": state.platform,
        "workspace_id": state.workspace_id,
        "channel_id": state.channel_id,
        "user_id": state.user_id,
        "created_at": now,
        "accepted": False,
        **_answer_fields(record),
    }
    try:
        stored = yield Step(_INSERT_ANSWER, row, "scalar")
    except IntegrityError:
        return None
    assert stored is not None
    return int(stored)


def scores_steps(interview_id: int) -> Steps[list[tuple[str, int]]]:
    """:func:`scores_of` as steps (read in the transaction that stored the last answer)."""
    rows = yield Step(_SCORES, {"interview_id": interview_id}, "all")
    return [(term, int(score)) for term, score in rows]


async def record_standalone(
    session: AsyncSession, caller: Caller, record: AnswerRecord, now: datetime
) -> int:
    """Store an answer graded on its own (the command line's ``grade``) in the caller's
    history; returns its id."""
    stored = await session.scalar(
        insert(AnswerRow)
        .values(
            platform=caller.platform,
            workspace_id=caller.workspace_id,
            channel_id=caller.conversation,
            user_id=caller.user_id,
            created_at=now,
            **_answer_fields(record),
        )
        .returning(AnswerRow.id)
    )
    assert stored is not None
    return int(stored)


def _answer_fields(record: AnswerRecord) -> dict[str, object]:
    return {
        "concept_id": record.concept_id,
        "term": record.term,
        "score": record.score,
        "band": record.band,
        "hits": list(record.hits),
        "misses": list(record.misses),
        "answer": record.answer,
        "skipped": record.skipped,
        "hints_used": record.hints_used,
    }


async def use_hint(
    session: AsyncSession, state: InterviewState, now: datetime, *, limit: int
) -> int | None:
    """Count one more hint on the current question (activity at ``now``) while fewer than
    ``limit`` were used; returns how many were used before, as stored (another process may have
    given some); None when the interview is no longer at that question, has ended, or used
    them all."""
    used = await session.scalar(
        update(InterviewRow)
        .where(InterviewRow.id == state.id, InterviewRow.question_seq == state.question_seq)
        .where(InterviewRow.status == ACTIVE, InterviewRow.hints_used < limit)
        .values(hints_used=InterviewRow.hints_used + 1, updated_at=now)
        .returning(InterviewRow.hints_used)
        .execution_options(synchronize_session=False)
    )
    return None if used is None else int(used) - 1


async def ended_at(session: AsyncSession, interview_id: int) -> datetime | None:
    """When an interview ended (None: it has not, or there is no such interview)."""
    when: datetime | None = await session.scalar(
        select(InterviewRow.ended_at).where(InterviewRow.id == interview_id)
    )
    return when


async def finish(session: AsyncSession, interview_id: int, status: str, now: datetime) -> bool:
    """End an active interview (stopped, expired) at ``now``; False if it had already ended."""
    result = await session.execute(
        update(InterviewRow)
        .where(InterviewRow.id == interview_id, InterviewRow.status == ACTIVE)
        .values(status=status, ended_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def scores_of(session: AsyncSession, interview_id: int) -> list[tuple[str, int]]:
    """(term, score) of every answered question of an interview, in order (an accepted appeal
    counts as full marks)."""
    return await run_steps(session, scores_steps(interview_id))


async def past_scores(session: AsyncSession, caller: Caller) -> dict[int, float]:
    """The caller's average score per concept over all their answers (any channel; an
    accepted appeal counts as full marks)."""
    rows = await session.execute(
        select(AnswerRow.concept_id, func.avg(credited_score()))
        .where(
            AnswerRow.platform == caller.platform,
            AnswerRow.workspace_id == caller.workspace_id,
            AnswerRow.user_id == caller.user_id,
            AnswerRow.concept_id.is_not(None),
        )
        .group_by(AnswerRow.concept_id)
    )
    return {int(cid): float(avg) for cid, avg in rows}


async def idle_since(
    session: AsyncSession, cutoff: datetime, platform: str | None = None
) -> Sequence[InterviewState]:
    """Active interviews (of ``platform``, if given) idle since before ``cutoff``."""
    query = select(InterviewRow).where(
        InterviewRow.status == ACTIVE, InterviewRow.updated_at < cutoff
    )
    if platform is not None:
        query = query.where(InterviewRow.platform == platform)
    rows = await session.scalars(query)
    return [_state(row) for row in rows]
