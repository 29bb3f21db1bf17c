"""Daily-question repository: schedules, occurrences claimed under a unique constraint, answers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.models import AnswerRecord, Caller, DailyPost, ScheduleState
from bot.db.appeals import credited_score
from bot.db.engine import dialect_insert
from bot.db.tables import AnswerRow, DailyPostRow, DailyScheduleRow, utcnow

CLAIMED, POSTED, SKIPPED, FAILED = "claimed", "posted", "skipped", "failed"
TOP_MISSED = 3  # most missed key points shown when a question is revealed
Confirmation = tuple[int, str, str | None, datetime]  # post id, message id, thread id, posted at


def _schedule(row: DailyScheduleRow) -> ScheduleState:
    return ScheduleState(
        id=row.id,
        platform=row.platform,
        workspace_id=row.workspace_id,
        channel_id=row.channel_id,
        local_time=row.local_time,
        tz=row.tz,
        weekdays=row.weekdays,
        topic=row.topic,
        mention=row.mention,
        locale=row.locale,
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        cycle=tuple(row.cycle or ()),
        cycle_no=row.cycle_no,
        seed=row.seed,
        updated_at=row.updated_at,
    )


def _post(row: DailyPostRow) -> DailyPost:
    return DailyPost(
        id=row.id,
        schedule_id=row.schedule_id,
        local_date=row.local_date,
        due_at=row.due_at,
        status=row.status,
        concept_id=row.concept_id,
        message_id=row.message_id,
        thread_id=row.thread_id,
        posted_at=row.posted_at,
        revealed_at=row.revealed_at,
        attempts=row.attempts,
        error=row.error,
    )


async def get_schedule(
    session: AsyncSession, platform: str, workspace_id: str, channel_id: str
) -> ScheduleState | None:
    """The schedule of one channel, if any."""
    row = await session.scalar(
        select(DailyScheduleRow).where(
            DailyScheduleRow.platform == platform,
            DailyScheduleRow.workspace_id == workspace_id,
            DailyScheduleRow.channel_id == channel_id,
        )
    )
    return _schedule(row) if row is not None else None


async def schedules_by_ids(
    session: AsyncSession, schedule_ids: Sequence[int]
) -> dict[int, ScheduleState]:
    """Several schedules by id, read fresh (one query)."""
    if not schedule_ids:
        return {}
    rows = await session.scalars(
        select(DailyScheduleRow)
        .where(DailyScheduleRow.id.in_(schedule_ids))
        .execution_options(populate_existing=True)
    )
    return {row.id: _schedule(row) for row in rows}


async def schedule_by_id(session: AsyncSession, schedule_id: int) -> ScheduleState | None:
    """A schedule by id."""
    row = await session.get(DailyScheduleRow, schedule_id)
    return _schedule(row) if row is not None else None


async def save_schedule(
    session: AsyncSession,
    platform: str,
    workspace_id: str,
    channel_id: str,
    *,
    now: datetime | None = None,
    **values: Any,
) -> ScheduleState:
    """Create or change a channel's schedule (only the given fields change). ``now`` (the
    Service clock) stamps ``updated_at``: occurrences due before it are never posted late."""
    row = await session.scalar(
        select(DailyScheduleRow).where(
            DailyScheduleRow.platform == platform,
            DailyScheduleRow.workspace_id == workspace_id,
            DailyScheduleRow.channel_id == channel_id,
        )
    )
    if row is None:
        row = DailyScheduleRow(
            platform=platform,
            workspace_id=workspace_id,
            channel_id=channel_id,
            cycle=[],
            cycle_no=0,
        )
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at = now or utcnow()
    await session.flush()
    return _schedule(row)


async def enabled_schedules(session: AsyncSession, platform: str) -> list[ScheduleState]:
    """Every enabled schedule of a platform."""
    rows = await session.scalars(
        select(DailyScheduleRow).where(
            DailyScheduleRow.platform == platform, DailyScheduleRow.enabled.is_(True)
        )
    )
    return [_schedule(row) for row in rows]


async def last_handled(session: AsyncSession, schedule_id: int) -> date | None:
    """The latest local date with an occurrence row (posted, skipped, claimed or failed)."""
    return await session.scalar(
        select(func.max(DailyPostRow.local_date)).where(DailyPostRow.schedule_id == schedule_id)
    )


async def claim(
    session: AsyncSession,
    schedule_id: int,
    local_date: date | None,
    due_at: datetime,
    *,
    runner: str,
    status: str = CLAIMED,
    ttl: timedelta | None = None,
    now: datetime | None = None,
    concept_id: int | None = None,
) -> int | None:
    """Claim an occurrence under the unique (schedule, local date) constraint: the post id when
    this runner won, None when another got there first. ``now`` is the runner's clock: the claim
    expires ``ttl`` after it (a ``None`` local date, ``/daily now``, never conflicts)."""
    claimed_at = now or utcnow()
    values = {
        "schedule_id": schedule_id,
        "local_date": local_date,
        "due_at": due_at,
        "status": status,
        "claimed_by": runner,
        "claimed_at": claimed_at,
        "claim_expires_at": claimed_at + ttl if ttl is not None and status == CLAIMED else None,
        "attempts": 1 if status == CLAIMED else 0,
        "concept_id": concept_id,
    }
    insert = dialect_insert(session)
    statement = (
        insert(DailyPostRow)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["schedule_id", "local_date"])
        .returning(DailyPostRow.id)
    )
    return await session.scalar(statement)


async def claim_many(
    session: AsyncSession,
    occurrences: Sequence[tuple[int, date, datetime, int | None]],
    *,
    runner: str,
    ttl: timedelta,
    now: datetime,
) -> dict[tuple[int, date], int]:
    """:func:`claim` several occurrences (schedule id, local date, due instant, concept id) in
    one statement, in the given order; returns the post ids of those this runner won."""
    if not occurrences:
        return {}
    rows = [
        {
            "schedule_id": schedule_id,
            "local_date": local_date,
            "due_at": due_at,
            "status": CLAIMED,
            "claimed_by": runner,
            "claimed_at": now,
            "claim_expires_at": now + ttl,
            "attempts": 1,
            "concept_id": concept_id,
        }
        for schedule_id, local_date, due_at, concept_id in occurrences
    ]
    insert = dialect_insert(session)
    statement = (
        insert(DailyPostRow)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["schedule_id", "local_date"])
        .returning(DailyPostRow.id, DailyPostRow.schedule_id, DailyPostRow.local_date)
    )
    won = await session.execute(statement)
    return {
        (schedule_id, local_date): post_id
        for post_id, schedule_id, local_date in won
        if local_date is not None
    }


async def reclaim(
    session: AsyncSession, post_id: int, *, runner: str, now: datetime, ttl: timedelta
) -> bool:
    """Take over a claim whose holder never confirmed it (crashed) once it has expired."""
    result = await session.execute(
        update(DailyPostRow)
        .where(
            DailyPostRow.id == post_id,
            DailyPostRow.status == CLAIMED,
            DailyPostRow.claim_expires_at < now,
        )
        .values(
            claimed_by=runner,
            claimed_at=now,
            claim_expires_at=now + ttl,
            attempts=DailyPostRow.attempts + 1,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def renew_claim(
    session: AsyncSession, post_id: int, *, runner: str, now: datetime, ttl: timedelta
) -> bool:
    """Extend this runner's claim just before it posts; False when the claim is no longer its
    own (it expired and another runner took it over, or it was settled), so it must not post."""
    result = await session.execute(
        update(DailyPostRow)
        .where(
            DailyPostRow.id == post_id,
            DailyPostRow.status == CLAIMED,
            DailyPostRow.claimed_by == runner,
        )
        .values(claim_expires_at=now + ttl)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def last_handled_all(session: AsyncSession, platform: str) -> dict[int, date]:
    """The latest handled local date of every schedule of a platform (one query)."""
    rows = await session.execute(
        select(DailyPostRow.schedule_id, func.max(DailyPostRow.local_date))
        .join(DailyScheduleRow)
        .where(DailyScheduleRow.platform == platform, DailyPostRow.local_date.is_not(None))
        .group_by(DailyPostRow.schedule_id)
    )
    return {int(schedule_id): day for schedule_id, day in rows if day is not None}


async def expired_claims(session: AsyncSession, platform: str, now: datetime) -> list[DailyPost]:
    """Claims of this platform's schedules never confirmed and past their expiry."""
    rows = await session.scalars(
        select(DailyPostRow)
        .join(DailyScheduleRow)
        .where(
            DailyScheduleRow.platform == platform,
            DailyPostRow.status == CLAIMED,
            DailyPostRow.claim_expires_at < now,
        )
    )
    return [_post(row) for row in rows]


async def set_post(session: AsyncSession, post_id: int, **values: Any) -> None:
    """Change fields of an occurrence (concept chosen, posted with ids, failed with error ...)."""
    await session.execute(update(DailyPostRow).where(DailyPostRow.id == post_id).values(**values))


async def confirm_posted(session: AsyncSession, confirmations: Sequence[Confirmation]) -> None:
    """Record posts the platform accepted: (post id, message id, thread id, posted at)."""
    if confirmations:
        await session.execute(
            update(DailyPostRow),
            [
                {
                    "id": post_id,
                    "status": POSTED,
                    "message_id": message_id,
                    "thread_id": thread_id,
                    "posted_at": posted_at,
                    "claim_expires_at": None,
                    "error": None,
                }
                for post_id, message_id, thread_id, posted_at in confirmations
            ],
        )


async def get_post(session: AsyncSession, post_id: int) -> DailyPost | None:
    """An occurrence by id."""
    row = await session.get(DailyPostRow, post_id)
    return _post(row) if row is not None else None


async def post_by_thread(session: AsyncSession, thread_id: str) -> DailyPost | None:
    """The posted occurrence whose thread (or message) this is."""
    row = await session.scalar(
        select(DailyPostRow)
        .where(
            DailyPostRow.status == POSTED,
            (DailyPostRow.thread_id == thread_id) | (DailyPostRow.message_id == thread_id),
        )
        .order_by(DailyPostRow.id.desc())
    )
    return _post(row) if row is not None else None


async def latest_posted(session: AsyncSession, schedule_id: int) -> DailyPost | None:
    """The schedule's most recent posted occurrence (by due instant, so a ``/daily now`` post,
    whose local date is NULL, sorts where it happened on every backend)."""
    row = await session.scalar(
        select(DailyPostRow)
        .where(DailyPostRow.schedule_id == schedule_id, DailyPostRow.status == POSTED)
        .order_by(DailyPostRow.due_at.desc(), DailyPostRow.id.desc())
        .limit(1)
    )
    return _post(row) if row is not None else None


async def take_reveals(
    session: AsyncSession, schedule_ids: Sequence[int], now: datetime
) -> dict[int, DailyPost]:
    """Mark the posted, not yet revealed questions of these schedules revealed (one statement)
    and return, per schedule, the latest of them: the one this caller now reveals. Racing
    callers never get the same one."""
    if not schedule_ids:
        return {}
    rows = await session.scalars(
        update(DailyPostRow)
        .where(
            DailyPostRow.schedule_id.in_(schedule_ids),
            DailyPostRow.status == POSTED,
            DailyPostRow.revealed_at.is_(None),
        )
        .values(revealed_at=now)
        .returning(DailyPostRow)
        .execution_options(synchronize_session=False)
    )
    latest: dict[int, DailyPost] = {}
    for post in (_post(row) for row in rows):
        known = latest.get(post.schedule_id)
        if known is None or (post.due_at, post.id) > (known.due_at, known.id):
            latest[post.schedule_id] = post
    return latest


async def channel_scores(
    session: AsyncSession, platform: str, workspace_id: str, channel_id: str
) -> dict[int, float]:
    """The channel's average daily score per concept (an accepted appeal counts as full
    marks)."""
    rows = await session.execute(
        select(AnswerRow.concept_id, func.avg(credited_score()))
        .where(
            AnswerRow.platform == platform,
            AnswerRow.workspace_id == workspace_id,
            AnswerRow.channel_id == channel_id,
            AnswerRow.daily_post_id.is_not(None),
            AnswerRow.concept_id.is_not(None),
        )
        .group_by(AnswerRow.concept_id)
    )
    return {int(cid): float(avg) for cid, avg in rows}


async def channel_scores_many(
    session: AsyncSession, platform: str, channels: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], dict[int, float]]:
    """:func:`channel_scores` of several (workspace, channel) pairs of a platform (one query)."""
    found: dict[tuple[str, str], dict[int, float]] = {channel: {} for channel in channels}
    if not channels:
        return found
    rows = await session.execute(
        select(
            AnswerRow.workspace_id,
            AnswerRow.channel_id,
            AnswerRow.concept_id,
            func.avg(credited_score()),
        )
        .where(
            AnswerRow.platform == platform,
            AnswerRow.channel_id.in_({channel for _, channel in channels}),
            AnswerRow.daily_post_id.is_not(None),
            AnswerRow.concept_id.is_not(None),
        )
        .group_by(AnswerRow.workspace_id, AnswerRow.channel_id, AnswerRow.concept_id)
    )
    for workspace_id, channel_id, concept_id, average in rows:
        scores = found.get((workspace_id, channel_id))
        if scores is not None:
            scores[int(concept_id)] = float(average)
    return found


async def record_answer(
    session: AsyncSession,
    post: DailyPost,
    schedule: ScheduleState,
    caller: Caller,
    record: AnswerRecord,
) -> int | None:
    """Store a person's answer to a daily question; returns its id, None if they already
    answered it."""
    try:
        async with session.begin_nested():
            row = AnswerRow(
                daily_post_id=post.id,
                platform=schedule.platform,
                workspace_id=schedule.workspace_id,
                channel_id=schedule.channel_id,
                user_id=caller.user_id,
                concept_id=record.concept_id,
                term=record.term,
                score=record.score,
                band=record.band,
                hits=list(record.hits),
                misses=list(record.misses),
                answer=record.answer,
            )
            session.add(row)
    except IntegrityError:
        return None
    return row.id


async def previous_answer(session: AsyncSession, post_id: int, user_id: str) -> int | None:
    """The score a person already got on a daily question, if they answered."""
    return await session.scalar(
        select(AnswerRow.score).where(
            AnswerRow.daily_post_id == post_id, AnswerRow.user_id == user_id
        )
    )


async def stored_answer(session: AsyncSession, post_id: int, user_id: str) -> str | None:
    """The text a person answered a daily question with, if they answered."""
    return await session.scalar(
        select(AnswerRow.answer).where(
            AnswerRow.daily_post_id == post_id, AnswerRow.user_id == user_id
        )
    )


async def figures(session: AsyncSession, post_id: int) -> tuple[int, float, list[tuple[str, int]]]:
    """(answers, average score, most missed key points with counts) of one daily question."""
    rows = (
        await session.execute(
            select(credited_score(), AnswerRow.misses).where(AnswerRow.daily_post_id == post_id)
        )
    ).all()
    if not rows:
        return 0, 0.0, []
    missed: Counter[str] = Counter()
    for _, misses in rows:
        missed.update(misses or [])
    average = sum(score for score, _ in rows) / len(rows)
    return len(rows), round(average, 1), missed.most_common(TOP_MISSED)


async def figures_many(
    session: AsyncSession, post_ids: Sequence[int]
) -> dict[int, tuple[int, float, list[tuple[str, int]]]]:
    """:func:`figures` of several daily questions (one query)."""
    found: dict[int, tuple[int, float, list[tuple[str, int]]]] = {
        post_id: (0, 0.0, []) for post_id in post_ids
    }
    if not post_ids:
        return found
    rows = (
        await session.execute(
            select(AnswerRow.daily_post_id, credited_score(), AnswerRow.misses).where(
                AnswerRow.daily_post_id.in_(post_ids)
            )
        )
    ).all()
    grouped: dict[int, list[tuple[int, list[str]]]] = {}
    for post_id, score, misses in rows:
        if post_id is not None:
            grouped.setdefault(post_id, []).append((score, misses or []))
    for post_id, answers in grouped.items():
        missed: Counter[str] = Counter()
        for _, misses in answers:
            missed.update(misses)
        average = sum(score for score, _ in answers) / len(answers)
        found[post_id] = (len(answers), round(average, 1), missed.most_common(TOP_MISSED))
    return found


async def count_posts(session: AsyncSession, status: str | None = None) -> int:
    """How many occurrences (of a status) are stored."""
    query = select(func.count()).select_from(DailyPostRow)
    if status is not None:
        query = query.where(DailyPostRow.status == status)
    return int(await session.scalar(query) or 0)


async def save_cycle(
    session: AsyncSession, schedule_id: int, cycle: list[int], cycle_no: int
) -> None:
    """Store the concepts asked in the current cycle (does not count as a schedule change)."""
    await session.execute(
        update(DailyScheduleRow)
        .where(DailyScheduleRow.id == schedule_id)
        .values(cycle=cycle, cycle_no=cycle_no)
    )


async def save_cycles(session: AsyncSession, cycles: Sequence[tuple[int, list[int], int]]) -> None:
    """:func:`save_cycle` for several schedules: (schedule id, cycle, cycle number)."""
    if cycles:
        await session.execute(
            update(DailyScheduleRow),
            [{"id": sid, "cycle": cycle, "cycle_no": number} for sid, cycle, number in cycles],
        )


async def disable(session: AsyncSession, schedule_id: int, reason: str) -> None:
    """Turn a schedule off with the reason (shown by status), e.g. the channel is gone."""
    await session.execute(
        update(DailyScheduleRow)
        .where(DailyScheduleRow.id == schedule_id)
        .values(enabled=False, disabled_reason=reason[:500])
    )
