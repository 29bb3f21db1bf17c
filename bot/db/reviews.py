"""Spaced-repetition cards, progress figures, the leaderboard and review reminders.

Cards are keyed by (platform, workspace, user, concept) and upserted in one statement on SQLite
and PostgreSQL. The figures are grouped in SQL (a person's 10,000 answers are never loaded for
/stats except their timestamps, for the streak). Reminders are claimed once per local day with a
conditional UPDATE, whichever process claims first. The rules (ratings, intervals, local days,
which reminder is due) live in :mod:`bot.core.review`; this module stores and counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    String,
    and_,
    bindparam,
    cast,
    delete,
    extract,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy import insert as insert_into
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.models import CardFields
from bot.db.appeals import credited_score
from bot.db.engine import dialect_insert, insert_for
from bot.db.steps import Sql, Step, Steps, run_steps
from bot.db.tables import (
    AnswerRow,
    ConceptRow,
    ProgressConceptRow,
    ProgressDayRow,
    ProgressPrefsRow,
    ReminderRow,
    ReviewCardRow,
)


@dataclass(frozen=True, slots=True)
class StoredCard:
    """A card as stored (``CardState.of(stored)`` makes it the core's card)."""

    concept_id: int
    due: datetime
    stability: float
    difficulty: float
    state: int
    step: int | None
    last_review: datetime | None
    reps: int
    lapses: int


@dataclass(frozen=True, slots=True)
class TopicFigure:
    """Answers of one topic (concept category; None: concepts that are gone) and their average
    score (an accepted appeal counts in full)."""

    topic: str | None
    count: int
    average: float


@dataclass(frozen=True, slots=True)
class TermFigure:
    """Answers of one concept (by the term asked) and their average score."""

    term: str
    count: int
    average: float


@dataclass(frozen=True, slots=True)
class StatsRows:
    """A person's figures for /stats: answers per topic (every answer counts in exactly one
    group, so their sums are the totals) and the weakest concepts (lowest average first)."""

    by_topic: list[TopicFigure]
    weakest: list[TermFigure]

    @property
    def answers(self) -> int:
        """How many answers in all."""
        return sum(t.count for t in self.by_topic)

    @property
    def average(self) -> float | None:
        """The average score of all answers; None without answers."""
        count = self.answers
        return sum(t.average * t.count for t in self.by_topic) / count if count else None


@dataclass(frozen=True, slots=True)
class LeaderRow:
    """One person on the leaderboard: answers and their average score."""

    user_id: str
    answers: int
    average: float


@dataclass(frozen=True, slots=True)
class StoredReminder:
    """A person's review reminder: local time ``HH:MM`` in time zone ``tz``, whether it is on and
    the local day it was last sent."""

    platform: str
    workspace_id: str
    user_id: str
    local_time: str
    tz: str
    enabled: bool
    last_sent_on: date | None
    locale: str = ""


_CARD_COLUMNS = (
    ReviewCardRow.concept_id,
    ReviewCardRow.due,
    ReviewCardRow.stability,
    ReviewCardRow.difficulty,
    ReviewCardRow.state,
    ReviewCardRow.step,
    ReviewCardRow.last_review,
    ReviewCardRow.reps,
    ReviewCardRow.lapses,
)


_CARDS = ReviewCardRow.__table__
_CARD_QUERY = select(*(_CARDS.c[c.key] for c in _CARD_COLUMNS)).where(
    _CARDS.c.platform == bindparam("platform"),
    _CARDS.c.workspace_id == bindparam("workspace_id"),
    _CARDS.c.user_id == bindparam("user_id"),
    _CARDS.c.concept_id == bindparam("concept_id"),
)
_CARD_SQL = Sql(lambda _: _CARD_QUERY)


def _person_of(platform: str, workspace: str, user: str, concept_id: int) -> dict[str, object]:
    return {
        "platform": platform,
        "workspace_id": workspace,
        "user_id": user,
        "concept_id": concept_id,
    }


def _stored(row: ReviewCardRow) -> StoredCard:
    return StoredCard(
        concept_id=row.concept_id,
        due=row.due,
        stability=row.stability,
        difficulty=row.difficulty,
        state=row.state,
        step=row.step,
        last_review=row.last_review,
        reps=row.reps,
        lapses=row.lapses,
    )


def _person(platform: str, workspace: str, user: str) -> list[ColumnElement[bool]]:
    return [
        ReviewCardRow.platform == platform,
        ReviewCardRow.workspace_id == workspace,
        ReviewCardRow.user_id == user,
    ]


def card_steps(
    platform: str, workspace: str, user: str, concept_id: int
) -> Steps[StoredCard | None]:
    """:func:`get_card` as steps."""
    row = yield Step(_CARD_SQL, _person_of(platform, workspace, user, concept_id), "first")
    return None if row is None else StoredCard(*row)


async def get_card(
    session: AsyncSession, platform: str, workspace: str, user: str, concept_id: int
) -> StoredCard | None:
    """The person's card of ``concept_id``; None before their first graded answer of it."""
    return await run_steps(session, card_steps(platform, workspace, user, concept_id))


def save_card_steps(
    platform: str, workspace: str, user: str, card: CardFields, now: datetime
) -> Steps[None]:
    """:func:`save_card` as steps."""
    yield Step(_UPSERTS["card"], card_row(platform, workspace, user, card, now))


async def save_card(
    session: AsyncSession,
    platform: str,
    workspace: str,
    user: str,
    card: CardFields,
    now: datetime,
) -> None:
    """Store ``card`` as the person's card of its concept (insert, or replace the one there):
    one statement built once per database and run with the values as parameters."""
    await run_steps(session, save_card_steps(platform, workspace, user, card, now))


def card_row(
    platform: str, workspace: str, user: str, card: CardFields, now: datetime
) -> dict[str, object]:
    """The ``review_cards`` row of the person's ``card``, as of ``now`` (column -> value)."""
    return {
        **_person_of(platform, workspace, user, card.concept_id),
        "due": card.due,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "state": card.state,
        "step": card.step,
        "reps": card.reps,
        "lapses": card.lapses,
        "last_review": card.last_review,
        "updated_at": now,
    }


_CARD_FIELDS = (
    "due",
    "stability",
    "difficulty",
    "state",
    "step",
    "reps",
    "lapses",
    "last_review",
    "updated_at",
)
_PERSON_KEY = ("platform", "workspace_id", "user_id")


def _card_upsert(dialect: str) -> Any:
    columns = (*_PERSON_KEY, "concept_id", *_CARD_FIELDS)
    statement = insert_for(dialect)(ReviewCardRow.__table__).values(
        {c: bindparam(c) for c in columns}
    )
    return statement.on_conflict_do_update(
        index_elements=[*_PERSON_KEY, "concept_id"],
        set_={c: statement.excluded[c] for c in _CARD_FIELDS},
    )


def _concept_upsert(dialect: str) -> Any:
    columns = (*_PERSON_KEY, "concept_id", "term", "points")
    statement = insert_for(dialect)(ProgressConceptRow.__table__).values(
        {c: bindparam(c) for c in columns} | {"answers": 1}
    )
    return statement.on_conflict_do_update(
        index_elements=[*_PERSON_KEY, "concept_id", "term"],
        set_={
            "answers": statement.table.c.answers + 1,
            "points": statement.table.c.points + statement.excluded.points,
        },
    )


def _day_upsert(dialect: str) -> Any:
    columns = (*_PERSON_KEY, "day", "first_at", "last_at")
    statement = insert_for(dialect)(ProgressDayRow.__table__).values(
        {c: bindparam(c) for c in columns} | {"answers": 1}
    )
    return statement.on_conflict_do_update(
        index_elements=[*_PERSON_KEY, "day"],
        set_={
            "answers": statement.table.c.answers + 1,
            "last_at": statement.excluded.last_at,
        },
    )


def _name_upsert(dialect: str) -> Any:
    statement = insert_for(dialect)(ProgressPrefsRow.__table__).values(
        {c: bindparam(c) for c in (*_PERSON_KEY, "display_name")} | {"leaderboard_opt_out": False}
    )
    return statement.on_conflict_do_update(
        index_elements=list(_PERSON_KEY),
        set_={"display_name": statement.excluded.display_name},
    )


# The answer path's upserts, built once per database (statements with bind parameters hit
# SQLAlchemy's compiled cache and are compiled once for the group-commit writer).
_UPSERTS = {
    "card": Sql(_card_upsert),
    "concept": Sql(_concept_upsert),
    "day": Sql(_day_upsert),
    "name": Sql(_name_upsert),
}


async def due_cards(
    session: AsyncSession, platform: str, workspace: str, user: str, now: datetime, limit: int
) -> list[StoredCard]:
    """The person's cards due at ``now`` (due at or before it), most overdue first, at most
    ``limit`` (one query on the ``(platform, workspace, user, due)`` index)."""
    rows = await session.scalars(
        select(ReviewCardRow)
        .where(*_person(platform, workspace, user), ReviewCardRow.due <= now)
        .order_by(ReviewCardRow.due, ReviewCardRow.concept_id)
        .limit(limit)
    )
    return [_stored(row) for row in rows]


async def cards_due_between(
    session: AsyncSession,
    platform: str,
    workspace: str,
    user: str,
    start: datetime | None,
    end: datetime,
) -> int:
    """How many of the person's cards fall due from ``start`` (None: any time, overdue ones
    included) until before ``end``."""
    conditions = [*_person(platform, workspace, user), ReviewCardRow.due < end]
    if start is not None:
        conditions.append(ReviewCardRow.due >= start)
    count = await session.scalar(select(func.count()).select_from(ReviewCardRow).where(*conditions))
    return int(count or 0)


async def reviewed_since(
    session: AsyncSession, platform: str, workspace: str, user: str, since: datetime
) -> int:
    """How many of the person's cards were reviewed at or after ``since`` (e.g. the start of
    their local day, for the daily cap)."""
    count = await session.scalar(
        select(func.count())
        .select_from(ReviewCardRow)
        .where(*_person(platform, workspace, user), ReviewCardRow.last_review >= since)
    )
    return int(count or 0)


def _answers_of(platform: str, workspace: str, user: str) -> list[ColumnElement[bool]]:
    return [
        AnswerRow.platform == platform,
        AnswerRow.workspace_id == workspace,
        AnswerRow.user_id == user,
    ]


async def answer_times(
    session: AsyncSession,
    platform: str,
    workspace: str,
    user: str,
    since: datetime | None = None,
) -> list[datetime]:
    """When each of the person's answers was graded (from ``since``, when given), newest first:
    the streak's local days are made of these."""
    conditions = _answers_of(platform, workspace, user)
    if since is not None:
        conditions.append(AnswerRow.created_at >= since)
    rows = await session.scalars(
        select(AnswerRow.created_at).where(*conditions).order_by(AnswerRow.created_at.desc())
    )
    return list(rows)


def _utc_date(session: AsyncSession) -> ColumnElement[Any]:
    """The UTC calendar date of an answer's ``created_at``, in the session's SQL dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", AnswerRow.created_at))
    return func.substr(AnswerRow.created_at, 1, 10)  # SQLite stores naive UTC text


async def answer_day_spans(
    session: AsyncSession,
    platform: str,
    workspace: str,
    user: str,
    since: datetime | None = None,
    before: datetime | None = None,
) -> list[tuple[datetime, datetime]]:
    """The person's first and last answer of each UTC day they answered on (days that end at
    or after ``since`` and, with ``before``, that end before it), newest day first, from the
    counted figures (:class:`ProgressDayRow`) read as one joined value (:func:`_day_pairs`);
    ``bot.core.review.progress.local_days`` gives the local days of every answer from them
    exactly (the local day of a moment only moves forward, and a UTC day spans at most two
    local ones)."""
    conditions = _progress_of(ProgressDayRow, platform, workspace, user)
    if since is not None:
        conditions.append(ProgressDayRow.last_at >= since)
    if before is not None:
        conditions.append(ProgressDayRow.last_at < before)
    return _spans_of(await session.scalar(select(_day_pairs(session)).where(*conditions)))


def _epoch(session: AsyncSession, moment: Any) -> ColumnElement[int]:
    """Whole seconds since 1970 (UTC) of a timestamp column, in the session's SQL dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(extract("epoch", moment)), BigInteger)
    return cast(func.strftime("%s", moment), BigInteger)


def _progress_of(
    table: type[ProgressConceptRow] | type[ProgressDayRow], platform: str, workspace: str, user: str
) -> list[ColumnElement[bool]]:
    return [table.platform == platform, table.workspace_id == workspace, table.user_id == user]


async def stats_rows(
    session: AsyncSession,
    platform: str,
    workspace: str,
    user: str,
    *,
    weakest: int = 5,
    min_answers: int = 1,
) -> StatsRows:
    """The person's answers grouped by topic (their concept's category; None for answers whose
    concept is gone, which still count in the totals), most answered first, and their
    ``weakest`` concepts (by term) with at least ``min_answers`` answers, lowest average first.
    Two small grouped queries over the counted figures (:class:`ProgressConceptRow`, a row per
    concept answered) joined to their concepts, so only the groups come back; an accepted appeal
    counts as full marks."""
    figures = ProgressConceptRow
    person = _progress_of(figures, platform, workspace, user)
    topic_rows = await session.execute(
        select(ConceptRow.category, func.sum(figures.answers), func.sum(figures.points))
        .select_from(figures)
        .outerjoin(ConceptRow, ConceptRow.id == figures.concept_id)
        .where(*person)
        .group_by(ConceptRow.category)
    )
    by_topic = sorted(
        (
            TopicFigure(topic, int(n), int(total) / int(n))
            for topic, n, total in topic_rows
            if n and int(n) > 0
        ),
        key=lambda t: (-t.count, t.topic is None, t.topic or ""),
    )
    n = func.sum(figures.answers)
    total = func.sum(figures.points)
    average = cast(total, Float) / n
    term_rows = await session.execute(
        select(figures.term, n, total)
        .where(*person)
        .group_by(figures.term)
        .having(n >= max(1, min_answers))
        .order_by(average, n.desc(), figures.term)
        .limit(max(0, weakest))
    )
    weak = [
        TermFigure(term, int(count), int(points) / int(count)) for term, count, points in term_rows
    ]
    return StatsRows(by_topic=by_topic, weakest=weak)


def progress_steps(
    platform: str,
    workspace: str,
    user: str,
    concept_id: int | None,
    term: str,
    points: int,
    when: datetime,
) -> Steps[None]:
    """:func:`record_progress` as steps."""
    person = {"platform": platform, "workspace_id": workspace, "user_id": user}
    concept = {"concept_id": concept_id or 0, "term": term[:300], "points": points}
    yield Step(_UPSERTS["concept"], person | concept)
    day = when.astimezone(UTC).strftime("%Y-%m-%d")
    yield Step(_UPSERTS["day"], person | {"day": day, "first_at": when, "last_at": when})


async def record_progress(
    session: AsyncSession,
    platform: str,
    workspace: str,
    user: str,
    concept_id: int | None,
    term: str,
    points: int,
    when: datetime,
) -> None:
    """Count one stored answer in the person's figures (two prebuilt upserts): its concept's
    answers and points, and its UTC day's count and last answer."""
    steps = progress_steps(platform, workspace, user, concept_id, term, points, when)
    await run_steps(session, steps)


async def recount_progress(
    session: AsyncSession,
    platform: str | None = None,
    workspace: str | None = None,
    user: str | None = None,
    concept_id: int | None = None,
) -> None:
    """Count the figures again from the stored answers: everyone's, or one person's (and one
    concept's: an appeal accepted an answer). Answers inserted in bulk (tests, benchmarks, an
    import) are counted by this."""
    answer_where: list[ColumnElement[bool]] = []
    if platform is not None and workspace is not None and user is not None:
        answer_where = _answers_of(platform, workspace, user)
    concepts_where = list(answer_where)
    if concept_id is not None:
        concepts_where.append(AnswerRow.concept_id == concept_id)
    figure_where: list[ColumnElement[bool]] = []
    if answer_where:
        figure_where = _progress_of(ProgressConceptRow, platform or "", workspace or "", user or "")
    if concept_id is not None:
        figure_where.append(ProgressConceptRow.concept_id == concept_id)
    await session.execute(delete(ProgressConceptRow).where(*figure_where))
    key = func.coalesce(AnswerRow.concept_id, 0)
    grouped = (
        select(
            AnswerRow.platform,
            AnswerRow.workspace_id,
            AnswerRow.user_id,
            key,
            AnswerRow.term,
            func.count(),
            func.sum(credited_score()),
        )
        .where(*concepts_where)
        .group_by(
            AnswerRow.platform, AnswerRow.workspace_id, AnswerRow.user_id, key, AnswerRow.term
        )
    )
    columns = ["platform", "workspace_id", "user_id", "concept_id", "term", "answers", "points"]
    await session.execute(insert_into(ProgressConceptRow).from_select(columns, grouped))
    if concept_id is not None:
        return  # an appeal moves points, not days
    day_where: list[ColumnElement[bool]] = []
    if answer_where:
        day_where = _progress_of(ProgressDayRow, platform or "", workspace or "", user or "")
    await session.execute(delete(ProgressDayRow).where(*day_where))
    utc_day = cast(_utc_date(session), String)
    days = (
        select(
            AnswerRow.platform,
            AnswerRow.workspace_id,
            AnswerRow.user_id,
            utc_day,
            func.count(),
            func.min(AnswerRow.created_at),
            func.max(AnswerRow.created_at),
        )
        .where(*answer_where)
        .group_by(AnswerRow.platform, AnswerRow.workspace_id, AnswerRow.user_id, utc_day)
    )
    day_columns = ["platform", "workspace_id", "user_id", "day", "answers", "first_at", "last_at"]
    await session.execute(insert_into(ProgressDayRow).from_select(day_columns, days))


async def leaderboard(
    session: AsyncSession,
    platform: str,
    workspace: str,
    since: datetime | None,
    limit: int,
    offset: int = 0,
) -> list[LeaderRow]:
    """One page of the workspace's leaderboard: per person their answers (from ``since``, when
    given) and average score, most answers first, then the higher average, then by user id (a
    stable order for paging). People who opted out are left out. One grouped query."""
    conditions = [AnswerRow.platform == platform, AnswerRow.workspace_id == workspace]
    if since is not None:
        conditions.append(AnswerRow.created_at >= since)
    count = func.count()
    average = func.avg(credited_score())
    opted_out = (
        select(ProgressPrefsRow.user_id)
        .where(
            ProgressPrefsRow.platform == platform,
            ProgressPrefsRow.workspace_id == workspace,
            ProgressPrefsRow.leaderboard_opt_out.is_(True),
        )
        .scalar_subquery()
    )
    rows = await session.execute(
        select(AnswerRow.user_id, count, average)
        .where(*conditions, AnswerRow.user_id.not_in(opted_out))
        .group_by(AnswerRow.user_id)
        .order_by(count.desc(), average.desc(), AnswerRow.user_id)
        .limit(limit)
        .offset(offset)
    )
    return [LeaderRow(user_id, int(n), float(avg)) for user_id, n, avg in rows]


async def set_leaderboard_opt_out(
    session: AsyncSession, platform: str, workspace: str, user: str, opt_out: bool
) -> None:
    """Record whether the person stays off the workspace leaderboard."""
    statement = (
        dialect_insert(session)(ProgressPrefsRow)
        .values(
            platform=platform, workspace_id=workspace, user_id=user, leaderboard_opt_out=opt_out
        )
        .on_conflict_do_update(
            index_elements=["platform", "workspace_id", "user_id"],
            set_={"leaderboard_opt_out": opt_out},
        )
    )
    await session.execute(statement)


def _reminder(row: ReminderRow) -> StoredReminder:
    return StoredReminder(
        platform=row.platform,
        workspace_id=row.workspace_id,
        user_id=row.user_id,
        local_time=row.local_time,
        tz=row.tz,
        enabled=row.enabled,
        last_sent_on=row.last_sent_on,
        locale=row.locale,
    )


async def set_reminder(
    session: AsyncSession,
    platform: str,
    workspace: str,
    user: str,
    *,
    local_time: str,
    tz: str,
    enabled: bool,
    now: datetime,
    locale: str = "",
) -> None:
    """Turn the person's reminder on at ``local_time`` (``HH:MM``, validated by the caller) in
    time zone ``tz``, or off (``enabled=False``), speaking ``locale`` ("": the configured
    language); the day it was last sent is kept."""
    values = {
        "local_time": local_time,
        "tz": tz,
        "enabled": enabled,
        "updated_at": now,
        "locale": locale,
    }
    statement = (
        dialect_insert(session)(ReminderRow)
        .values(platform=platform, workspace_id=workspace, user_id=user, **values)
        .on_conflict_do_update(index_elements=["platform", "workspace_id", "user_id"], set_=values)
    )
    await session.execute(statement)


async def get_reminder(
    session: AsyncSession, platform: str, workspace: str, user: str
) -> StoredReminder | None:
    """The person's reminder; None when they never set one."""
    row = await session.get(ReminderRow, (platform, workspace, user))
    return None if row is None else _reminder(row)


async def reminders_due(
    session: AsyncSession, latest_local_date: date, platform: str | None = None
) -> list[StoredReminder]:
    """Reminders that are on and not yet sent on ``latest_local_date`` (the latest local date
    anywhere, e.g. the UTC date plus one day), optionally of one platform. A coarse cut: the
    caller decides with each reminder's own time zone which are due now, and claims each with
    :func:`claim_reminder` before sending."""
    conditions = [
        ReminderRow.enabled.is_(True),
        or_(ReminderRow.last_sent_on.is_(None), ReminderRow.last_sent_on < latest_local_date),
    ]
    if platform is not None:
        conditions.append(ReminderRow.platform == platform)
    rows = await session.scalars(
        select(ReminderRow)
        .where(*conditions)
        .order_by(ReminderRow.platform, ReminderRow.workspace_id, ReminderRow.user_id)
    )
    return [_reminder(row) for row in rows]


async def claim_reminder(
    session: AsyncSession, platform: str, workspace: str, user: str, local_date: date
) -> bool:
    """Mark the person's reminder sent on ``local_date``; True for the one caller (of any
    process) that did, False when it was already sent that day (or later), is off or does not
    exist. One conditional UPDATE: on PostgreSQL a racing claim waits for the first to commit
    and then matches no row; SQLite serialises writers."""
    statement = (
        update(ReminderRow)
        .where(
            and_(
                ReminderRow.platform == platform,
                ReminderRow.workspace_id == workspace,
                ReminderRow.user_id == user,
                ReminderRow.enabled.is_(True),
                or_(ReminderRow.last_sent_on.is_(None), ReminderRow.last_sent_on < local_date),
            )
        )
        .values(last_sent_on=local_date)
        .returning(ReminderRow.user_id)
    )
    return (await session.execute(statement)).first() is not None


# --- the learning loop's reads and names ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One answer of the person's history as an export lists it."""

    created_at: datetime
    term: str
    score: int
    credited: int
    band: str
    answer: str
    source: str  # "interview", "daily" or "grade"


def name_steps(platform: str, workspace: str, user: str, name: str) -> Steps[None]:
    """:func:`record_name` as steps."""
    if name:
        person = {"platform": platform, "workspace_id": workspace, "user_id": user}
        yield Step(_UPSERTS["name"], person | {"display_name": name[:100]})


async def record_name(
    session: AsyncSession, platform: str, workspace: str, user: str, name: str
) -> None:
    """Keep the person's display name for the leaderboard (it names, never mentions, them)."""
    await run_steps(session, name_steps(platform, workspace, user, name))


async def names_of(
    session: AsyncSession, platform: str, workspace: str, users: list[str]
) -> dict[str, str]:
    """The kept display names of ``users`` (one query; people never named are absent)."""
    if not users:
        return {}
    rows = await session.execute(
        select(ProgressPrefsRow.user_id, ProgressPrefsRow.display_name).where(
            ProgressPrefsRow.platform == platform,
            ProgressPrefsRow.workspace_id == workspace,
            ProgressPrefsRow.user_id.in_(users),
            ProgressPrefsRow.display_name != "",
        )
    )
    return {user: name for user, name in rows}


async def recent_scores(
    session: AsyncSession, platform: str, workspace: str, user: str, since: datetime, limit: int
) -> list[tuple[datetime, int]]:
    """The person's answers from ``since`` on as (when, credited score), oldest first, at most
    the ``limit`` latest (what a chart draws)."""
    rows = await session.execute(
        select(AnswerRow.created_at, credited_score())
        .where(*_answers_of(platform, workspace, user), AnswerRow.created_at >= since)
        .order_by(AnswerRow.created_at.desc())
        .limit(limit)
    )
    return sorted((when, int(score)) for when, score in rows)


async def history(
    session: AsyncSession, platform: str, workspace: str, user: str
) -> list[HistoryRow]:
    """Every answer of the person, oldest first (an export)."""
    rows = await session.execute(
        select(
            AnswerRow.created_at,
            AnswerRow.term,
            AnswerRow.score,
            credited_score(),
            AnswerRow.band,
            AnswerRow.answer,
            AnswerRow.interview_id,
            AnswerRow.daily_post_id,
        )
        .where(*_answers_of(platform, workspace, user))
        .order_by(AnswerRow.created_at, AnswerRow.id)
    )
    return [
        HistoryRow(
            when,
            term,
            int(score),
            int(credited),
            band,
            answer,
            "interview" if interview else "daily" if daily else "grade",
        )
        for when, term, score, credited, band, answer, interview, daily in rows
    ]


async def upcoming_cards(
    session: AsyncSession, platform: str, workspace: str, user: str, limit: int
) -> list[StoredCard]:
    """The person's cards soonest due first, due or not (what "review anyway" crams)."""
    rows = await session.scalars(
        select(ReviewCardRow)
        .where(*_person(platform, workspace, user))
        .order_by(ReviewCardRow.due, ReviewCardRow.concept_id)
        .limit(limit)
    )
    return [_stored(row) for row in rows]


async def cards_of(
    session: AsyncSession, platform: str, workspace: str, user: str, concept_ids: list[int]
) -> dict[int, StoredCard]:
    """The person's cards of ``concept_ids`` by concept (one query)."""
    if not concept_ids:
        return {}
    rows = await session.scalars(
        select(ReviewCardRow).where(
            *_person(platform, workspace, user), ReviewCardRow.concept_id.in_(concept_ids)
        )
    )
    return {row.concept_id: _stored(row) for row in rows}


async def concept_answers(
    session: AsyncSession, platform: str, workspace: str, user: str, concept_id: int
) -> list[tuple[datetime, int, bool]]:
    """The person's answers to one concept as (when, score, accepted on appeal), oldest first:
    what a card is rescheduled from."""
    rows = await session.execute(
        select(AnswerRow.created_at, AnswerRow.score, AnswerRow.accepted)
        .where(*_answers_of(platform, workspace, user), AnswerRow.concept_id == concept_id)
        .order_by(AnswerRow.created_at, AnswerRow.id)
    )
    return [(when, int(score), bool(accepted)) for when, score, accepted in rows]


@dataclass(frozen=True, slots=True)
class StatsFigures:
    """Everything ``/stats`` reads, from one statement: the groups, the cards due before a
    moment, and the recent days (first and last answer of each UTC day, newest first)."""

    rows: StatsRows
    due: int
    spans: list[tuple[datetime, datetime]]


async def stats_figures(
    session: AsyncSession,
    platform: str,
    workspace: str,
    user: str,
    *,
    due_before: datetime,
    days_since: datetime,
    weakest: int = 5,
) -> StatsFigures:
    """:func:`stats_rows`, :func:`cards_due_between` (any time until ``due_before``) and
    :func:`answer_day_spans` (from ``days_since``) in one round trip: a ``UNION ALL`` of the
    four small reads, each row tagged with what it is (one statement costs a fraction of four
    on the async driver)."""
    figures = ProgressConceptRow
    person = _progress_of(figures, platform, workspace, user)
    topics = (
        select(
            literal(0).label("kind"),
            ConceptRow.category.label("label"),
            func.sum(figures.answers).label("a"),
            func.sum(figures.points).label("b"),
        )
        .select_from(figures)
        .outerjoin(ConceptRow, ConceptRow.id == figures.concept_id)
        .where(*person)
        .group_by(ConceptRow.category)
    )
    n = func.sum(figures.answers)
    total = func.sum(figures.points)
    weak = (
        select(figures.term.label("term"), n.label("n"), total.label("t"))
        .where(*person)
        .group_by(figures.term)
        .having(n >= 1)
        .order_by(cast(total, Float) / n, n.desc(), figures.term)
        .limit(max(0, weakest))
        .subquery()
    )
    weakest_rows = select(literal(1), weak.c.term, weak.c.n, weak.c.t)
    due = select(literal(2), literal(None, String), func.count(), literal(0)).where(
        *_person(platform, workspace, user), ReviewCardRow.due < due_before
    )
    days = select(literal(3), _day_pairs(session), literal(0), literal(0)).where(
        *_progress_of(ProgressDayRow, platform, workspace, user),
        ProgressDayRow.last_at >= days_since,
    )
    rows = await session.execute(union_all(topics, weakest_rows, due, days))
    by_topic: list[TopicFigure] = []
    weak_figures: list[TermFigure] = []
    due_count = 0
    spans: list[tuple[datetime, datetime]] = []
    for kind, label, a, b in rows:
        if kind == 0 and a:
            by_topic.append(TopicFigure(label, int(a), int(b) / int(a)))
        elif kind == 1 and a:
            weak_figures.append(TermFigure(label, int(a), int(b) / int(a)))
        elif kind == 2:
            due_count = int(a or 0)
        elif kind == 3:
            spans = _spans_of(label)
    by_topic.sort(key=lambda t: (-t.count, t.topic is None, t.topic or ""))
    weak_figures.sort(key=lambda t: (t.average, -t.count, t.term))
    return StatsFigures(StatsRows(by_topic=by_topic, weakest=weak_figures), due_count, spans)


def _day_pairs(session: AsyncSession) -> ColumnElement[str]:
    """The days' ``first:last`` (whole seconds) joined in one text, so a year of days comes back
    as one value instead of a row per day (each row costs far more than its bytes)."""
    pair = (
        cast(_epoch(session, ProgressDayRow.first_at), String)
        + literal(":")
        + cast(_epoch(session, ProgressDayRow.last_at), String)
    )
    if session.get_bind().dialect.name == "postgresql":
        return func.string_agg(pair, literal(","))
    return func.group_concat(pair, literal(","))


def _spans_of(text: str | None) -> list[tuple[datetime, datetime]]:
    """The (first, last) answers of :func:`_day_pairs`'s text, newest day first."""
    stamp = datetime.fromtimestamp
    pairs = sorted(
        (tuple(int(x) for x in pair.split(":")) for pair in (text or "").split(",") if pair),
        reverse=True,
    )
    return [(stamp(first, UTC), stamp(last, UTC)) for first, last in pairs]
