"""Appeals repository: a person's "I was right" on one of their graded answers, recorded once
(the unique ``answer_id`` decides), the answer marked accepted, and the per-concept figures
admins read to fix key points."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.core.models import Appeal, AppealCount, StoredAnswer
from bot.db.engine import dialect_insert
from bot.db.tables import AnswerRow, AppealRow

ACCEPTED_SCORE = 100  # an accepted answer counts as fully correct in the history
Scope = tuple[str, str] | None  # (platform, workspace id), or None: everywhere


def credited_score() -> ColumnElement[int]:
    """An answer's score as the history counts it: full marks once an appeal accepted it."""
    return case((AnswerRow.accepted.is_(True), ACCEPTED_SCORE), else_=AnswerRow.score)


def _answer(row: AnswerRow) -> StoredAnswer:
    return StoredAnswer(
        id=row.id,
        platform=row.platform,
        workspace_id=row.workspace_id,
        user_id=row.user_id,
        concept_id=row.concept_id,
        term=row.term,
        score=row.score,
        band=row.band,
        answer=row.answer,
        skipped=row.skipped,
        accepted=row.accepted,
        created_at=row.created_at,
    )


def _appeal(row: AppealRow) -> Appeal:
    return Appeal(
        id=row.id,
        answer_id=row.answer_id,
        concept_id=row.concept_id,
        term=row.term,
        platform=row.platform,
        workspace_id=row.workspace_id,
        user_id=row.user_id,
        score=row.score,
        band=row.band,
        answer=row.answer,
        note=row.note,
        created_at=row.created_at,
    )


async def get_answer(session: AsyncSession, answer_id: int) -> StoredAnswer | None:
    """A stored answer by id (read fresh), if it exists."""
    row = await session.get(AnswerRow, answer_id, populate_existing=True)
    return _answer(row) if row is not None else None


async def daily_answer_id(session: AsyncSession, post_id: int, user_id: str) -> int | None:
    """The id of a person's stored answer to a daily question, if they answered."""
    return await session.scalar(
        select(AnswerRow.id).where(AnswerRow.daily_post_id == post_id, AnswerRow.user_id == user_id)
    )


async def record(
    session: AsyncSession, answer: StoredAnswer, note: str, now: datetime
) -> Appeal | None:
    """Record the appeal of ``answer`` at ``now`` and mark the answer accepted, once: None when
    it was already appealed (a racing second appeal waits for the first and then does nothing)."""
    insert = dialect_insert(session)
    statement = (
        insert(AppealRow)
        .values(
            answer_id=answer.id,
            concept_id=answer.concept_id,
            term=answer.term,
            platform=answer.platform,
            workspace_id=answer.workspace_id,
            user_id=answer.user_id,
            score=answer.score,
            band=answer.band,
            answer=answer.answer,
            note=note,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["answer_id"])
        .returning(AppealRow.id)
    )
    appeal_id = await session.scalar(statement)
    if appeal_id is None:
        return None
    await session.execute(
        update(AnswerRow)
        .where(AnswerRow.id == answer.id)
        .values(accepted=True)
        .execution_options(synchronize_session=False)
    )
    row = await session.get(AppealRow, appeal_id)
    assert row is not None
    return _appeal(row)


async def of_answer(session: AsyncSession, answer_id: int) -> Appeal | None:
    """The appeal already recorded for an answer, if any."""
    row = await session.scalar(select(AppealRow).where(AppealRow.answer_id == answer_id))
    return _appeal(row) if row is not None else None


def _in_scope(
    scope: Scope, platform: InstrumentedAttribute[str], workspace: InstrumentedAttribute[str]
) -> list[ColumnElement[bool]]:
    if scope is None:
        return []
    return [platform == scope[0], workspace == scope[1]]


async def counts(session: AsyncSession, scope: Scope = None) -> list[AppealCount]:
    """Every appealed concept (by term) with its appeals and its graded (not skipped) answers,
    most appealed first."""
    appealed = await session.execute(
        select(AppealRow.term, func.count())
        .where(*_in_scope(scope, AppealRow.platform, AppealRow.workspace_id))
        .group_by(AppealRow.term)
    )
    appeals = {str(term): int(count) for term, count in appealed}
    if not appeals:
        return []
    graded_rows = await session.execute(
        select(AnswerRow.term, func.count())
        .where(
            AnswerRow.term.in_(appeals),
            AnswerRow.skipped.is_(False),
            *_in_scope(scope, AnswerRow.platform, AnswerRow.workspace_id),
        )
        .group_by(AnswerRow.term)
    )
    graded = {str(term): int(count) for term, count in graded_rows}
    found = [AppealCount(term, count, graded.get(term, 0)) for term, count in appeals.items()]
    return sorted(found, key=lambda c: (-c.appeals, -c.rate, c.term))


async def latest(session: AsyncSession, scope: Scope = None, limit: int = 10) -> list[Appeal]:
    """The newest appeals, newest first."""
    rows = await session.scalars(
        select(AppealRow)
        .where(*_in_scope(scope, AppealRow.platform, AppealRow.workspace_id))
        .order_by(AppealRow.created_at.desc(), AppealRow.id.desc())
        .limit(limit)
    )
    return [_appeal(row) for row in rows]
