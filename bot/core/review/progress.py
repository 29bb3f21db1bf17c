"""Progress, the pure rules: local days and streaks, the figures /stats shows, time zones and
the next moment of a local reminder time (daylight-saving gaps and folds resolved).

Every datetime given here must be timezone-aware; every datetime returned is UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.errors import BadInput

#: How many weakest concepts :func:`build_stats` lists.
WEAKEST_COUNT = 5
#: A concept needs this many answers before it can be called weak (one bad day is not a pattern).
WEAKEST_MIN_ANSWERS = 1


def zone_of(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``Asia/Seoul``); :class:`BadInput` ``review_bad_zone`` when
    there is no such zone."""
    cleaned = name.strip()
    try:
        if not cleaned:
            raise ValueError(name)
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise BadInput("review_bad_zone", zone=name) from None


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime given where a timezone-aware one is needed")
    return moment


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    """The calendar day ``moment`` falls on in ``zone``."""
    return _aware(moment).astimezone(zone).date()


def streak(days_with_answers: Iterable[date], today: date) -> int:
    """How many consecutive days with an answer end today, or yesterday (today is not over, so a
    streak is not broken before the day ends); 0 when neither has an answer."""
    days = set(days_with_answers)
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def local_days(spans: Iterable[tuple[datetime, datetime]], zone: ZoneInfo) -> set[date]:
    """The local days (in ``zone``) of a person's answers, from the first and last answer of
    each UTC day (``bot.db.reviews.answer_day_spans``): a UTC day's answers fall on the local
    days of its first and last one (less than a day apart, so the same or consecutive days)."""
    days: set[date] = set()
    for first, last in spans:
        days.add(local_day(first, zone))
        days.add(local_day(last, zone))
    return days


def _gap_end(wall: datetime, zone: ZoneInfo) -> datetime:
    """The first valid moment (UTC) after the nonexistent local ``wall`` time: the instant of the
    transition that skipped it, found by bisection between its two readings."""
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)  # read with the later offset
    after = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)  # read with the earlier offset
    lo, hi = min(before, after), max(before, after)
    offset_lo = lo.astimezone(zone).utcoffset()
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid <= lo:
            break
        if mid.astimezone(zone).utcoffset() == offset_lo:
            lo = mid
        else:
            hi = mid
    return hi


def at_local(day: date, time_of_day: time, zone: ZoneInfo) -> datetime:
    """The moment (UTC) the clocks in ``zone`` show ``time_of_day`` on ``day``. A time the clocks
    skip (spring forward) becomes the first valid moment after it (the transition itself, e.g.
    03:00 for 02:30 in New York); a time they show twice (fall back) its first occurrence."""
    wall = datetime.combine(day, time_of_day.replace(tzinfo=None, fold=0))
    moment = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != wall:
        return _gap_end(wall, zone)
    return moment


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The moment (UTC) ``day`` begins in ``zone`` (its first valid moment when midnight is
    skipped)."""
    return at_local(day, time(0), zone)


def next_local(time_of_day: time, zone: ZoneInfo, after: datetime) -> datetime:
    """The first moment (UTC) strictly after ``after`` at which the clocks in ``zone`` show
    ``time_of_day`` (resolved as :func:`at_local` does on a daylight-saving day)."""
    day = local_day(after, zone)
    while True:
        candidate = at_local(day, time_of_day, zone)
        if candidate > after:
            return candidate
        day += timedelta(days=1)


def parse_time_of_day(text: str) -> time | None:
    """``HH:MM`` (24-hour) as a time, None when it is not one."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not (hours.isdigit() and minutes.isdigit()) or len(minutes) != 2:
        return None
    if len(hours) > 2 or int(hours) > 23 or int(minutes) > 59:
        return None
    return time(int(hours), int(minutes))


def reminder_due_on(
    time_of_day: time, zone: ZoneInfo, last_sent_on: date | None, now: datetime
) -> date | None:
    """The local day (in ``zone``) a reminder at ``time_of_day`` is due to be sent at ``now``:
    today once its time has come (:func:`at_local`) and it was not sent today yet; else None."""
    today = local_day(now, zone)
    if last_sent_on is not None and last_sent_on >= today:
        return None
    return today if now >= at_local(today, time_of_day, zone) else None


class TopicFact(Protocol):
    """Answers of one topic as counted by the database (``topic`` None: concepts that are gone)."""

    @property
    def topic(self) -> str | None:
        """The concept category; None when the concept is gone."""
        ...

    @property
    def count(self) -> int:
        """How many answers."""
        ...

    @property
    def average(self) -> float:
        """Their average score (0-100)."""
        ...


class TermFact(Protocol):
    """Answers of one concept (by term) as counted by the database."""

    @property
    def term(self) -> str:
        """The concept's term as asked."""
        ...

    @property
    def count(self) -> int:
        """How many answers."""
        ...

    @property
    def average(self) -> float:
        """Their average score (0-100)."""
        ...


@dataclass(frozen=True, slots=True)
class TopicStat:
    """One topic (a concept category): answers and their average score."""

    topic: str
    count: int
    average: float


@dataclass(frozen=True, slots=True)
class ConceptStat:
    """One concept (by term): its average score and answers."""

    term: str
    average: float
    count: int


@dataclass(frozen=True, slots=True)
class Stats:
    """A person's progress: answers and their average (None without answers), per topic (most
    answered first), the weakest concepts (lowest average first), the streak of days with an
    answer and how many review cards fall due within the coming week."""

    answers: int
    average: float | None
    by_topic: tuple[TopicStat, ...]
    weakest: tuple[ConceptStat, ...]
    streak: int
    due_this_week: int


def build_stats(
    topics: Iterable[TopicFact],
    terms: Iterable[TermFact],
    answer_days: Iterable[date],
    *,
    today: date,
    due_this_week: int = 0,
    weakest: int = WEAKEST_COUNT,
) -> Stats:
    """A person's :class:`Stats` from their answers per topic (``topic`` None for answers whose
    concept is gone: they count in the totals, under no topic), per concept, and the local days
    they answered on (the streak ends ``today`` or yesterday)."""
    groups = [t for t in topics if t.count > 0]
    count = sum(t.count for t in groups)
    total = sum(t.average * t.count for t in groups)
    by_topic = sorted(
        (TopicStat(t.topic, t.count, t.average) for t in groups if t.topic is not None),
        key=lambda t: (-t.count, t.average, t.topic),
    )
    weak = sorted(
        (ConceptStat(t.term, t.average, t.count) for t in terms if t.count >= WEAKEST_MIN_ANSWERS),
        key=lambda c: (c.average, -c.count, c.term),
    )
    return Stats(
        answers=count,
        average=total / count if count else None,
        by_topic=tuple(by_topic),
        weakest=tuple(weak[: max(0, weakest)]),
        streak=streak(answer_days, today),
        due_this_week=due_this_week,
    )
