"""Progress rules: streaks (time zones included), local days, reminder times across
daylight-saving gaps and folds, unknown time zones and the /stats figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import BadInput
from bot.core.review.progress import (
    at_local,
    build_stats,
    day_start,
    local_day,
    local_days,
    next_local,
    parse_time_of_day,
    reminder_due_on,
    streak,
    zone_of,
)

NEW_YORK = ZoneInfo("America/New_York")
SEOUL = ZoneInfo("Asia/Seoul")
TODAY = date(2026, 12, 2)


def _days(*offsets: int) -> list[date]:
    return [TODAY - timedelta(days=n) for n in offsets]


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ([], 0),
        (_days(0), 1),
        (_days(1), 1),  # today is not over: yesterday's streak still stands
        (_days(2), 0),
        (_days(0, 1, 2, 3), 4),
        (_days(1, 2, 3), 3),
        (_days(0, 1, 3, 4, 5), 2),
        (_days(0, 0, 1, 1), 2),  # several answers a day count once
        (_days(-1, 0), 1),  # a day after today (a clock ahead) does not count
    ],
)
def test_streak(days: list[date], expected: int) -> None:
    assert streak(days, TODAY) == expected


def test_a_streak_counts_local_days() -> None:
    # 23:30 in New York on Dec 1 is Dec 2 in UTC: the same answers are a streak of 2 in New York
    # (Dec 1 and Dec 2 local) but a single day in UTC.
    answers = [
        datetime(2026, 12, 2, 4, 30, tzinfo=UTC),  # Dec 1, 23:30 New York
        datetime(2026, 12, 2, 15, 0, tzinfo=UTC),  # Dec 2, 10:00 New York
    ]
    now = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
    ny_days = {local_day(a, NEW_YORK) for a in answers}
    utc_days = {local_day(a, ZoneInfo("UTC")) for a in answers}
    assert streak(ny_days, local_day(now, NEW_YORK)) == 2
    assert streak(utc_days, local_day(now, ZoneInfo("UTC"))) == 1
    # Just after midnight in Seoul, yesterday's (Seoul) answer keeps the streak alive.
    seoul_midnight = datetime(2026, 12, 2, 15, 5, tzinfo=UTC)  # Dec 3, 00:05 Seoul
    assert local_day(seoul_midnight, SEOUL) == date(2026, 12, 3)
    assert streak({local_day(answers[1], SEOUL)}, local_day(seoul_midnight, SEOUL)) == 1


def test_local_days_of_day_spans() -> None:
    # A UTC day's first and last answer: 01:00 UTC is the evening before in New York.
    spans = [(datetime(2026, 12, 2, 1, 0, tzinfo=UTC), datetime(2026, 12, 2, 20, 0, tzinfo=UTC))]
    assert local_days(spans, NEW_YORK) == {date(2026, 12, 1), date(2026, 12, 2)}
    assert local_days(spans, SEOUL) == {date(2026, 12, 2), date(2026, 12, 3)}
    assert local_days(spans, ZoneInfo("UTC")) == {date(2026, 12, 2)}
    assert local_days([], SEOUL) == set()


def test_local_day_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        local_day(datetime(2026, 12, 2, 12, 0), SEOUL)


def test_zone_of() -> None:
    assert zone_of("Asia/Seoul") == SEOUL
    assert zone_of(" America/New_York ") == NEW_YORK


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "   ", "../../etc/passwd", "Asia/"])
def test_an_unknown_zone_is_bad_input(name: str) -> None:
    with pytest.raises(BadInput) as caught:
        zone_of(name)
    assert caught.value.key == "review_bad_zone"
    assert caught.value.params == {"zone": name}


def test_a_time_in_the_spring_forward_gap_is_the_first_valid_moment_after_it() -> None:
    # 2026-03-08: New York clocks jump from 02:00 EST to 03:00 EDT; 02:30 never happens.
    after = datetime(2026, 3, 8, 0, 0, tzinfo=NEW_YORK)
    moment = next_local(time(2, 30), NEW_YORK, after)
    assert moment == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    assert moment.astimezone(NEW_YORK).replace(tzinfo=None) == datetime(2026, 3, 8, 3, 0)
    assert moment.tzinfo is UTC
    # The next day 02:30 exists again.
    assert next_local(time(2, 30), NEW_YORK, moment) == datetime(2026, 3, 9, 6, 30, tzinfo=UTC)


def test_a_time_in_the_fall_back_fold_is_its_first_occurrence() -> None:
    # 2026-11-01: New York clocks go from 02:00 EDT back to 01:00 EST; 01:30 happens twice.
    after = datetime(2026, 11, 1, 0, 0, tzinfo=NEW_YORK)
    moment = next_local(time(1, 30), NEW_YORK, after)
    assert moment == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, not 06:30 (EST)
    # Once the first 01:30 has passed, the next one is the next day's, not the repeat.
    assert next_local(time(1, 30), NEW_YORK, moment) == datetime(2026, 11, 2, 6, 30, tzinfo=UTC)


def test_next_local_is_strictly_after() -> None:
    at_nine = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # 09:00 in Seoul
    assert next_local(time(9, 0), SEOUL, at_nine) == at_nine + timedelta(days=1)
    assert next_local(time(9, 0), SEOUL, at_nine - timedelta(seconds=1)) == at_nine


def test_a_skipped_midnight_starts_the_day_at_the_transition() -> None:
    # Havana springs forward at midnight: 2026-03-08 00:00 does not exist, the day starts at 01:00.
    havana = ZoneInfo("America/Havana")
    start = day_start(date(2026, 3, 8), havana)
    assert start.astimezone(havana).replace(tzinfo=None) == datetime(2026, 3, 8, 1, 0)
    assert at_local(date(2026, 3, 8), time(0, 30), havana) == start


def test_reminder_due_on() -> None:
    before = datetime(2026, 12, 1, 23, 59, tzinfo=UTC)  # 08:59 Seoul, Dec 2
    at = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # 09:00 Seoul
    nine = time(9, 0)
    assert reminder_due_on(nine, SEOUL, None, before) is None
    assert reminder_due_on(nine, SEOUL, None, at) == date(2026, 12, 2)
    assert reminder_due_on(nine, SEOUL, date(2026, 12, 1), at) == date(2026, 12, 2)
    assert reminder_due_on(nine, SEOUL, date(2026, 12, 2), at) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("09:00", time(9)), ("7:05", time(7, 5)), ("23:59", time(23, 59)), ("24:00", None),
     ("9", None), ("09:5", None), ("ab:cd", None), ("09:60", None)],
)  # fmt: skip
def test_parse_time_of_day(text: str, expected: time | None) -> None:
    assert parse_time_of_day(text) == expected


@dataclass(frozen=True)
class Topic:
    topic: str | None
    count: int
    average: float


@dataclass(frozen=True)
class Term:
    term: str
    count: int
    average: float


def test_stats_of_someone_without_answers() -> None:
    stats = build_stats([], [], [], today=TODAY)
    assert stats.answers == 0
    assert stats.average is None
    assert stats.by_topic == ()
    assert stats.weakest == ()
    assert stats.streak == 0
    assert stats.due_this_week == 0


def test_stats_count_answers_of_concepts_that_are_gone() -> None:
    topics = [Topic("OS", 3, 60.0), Topic(None, 1, 100.0), Topic("Network", 4, 50.0)]
    terms = [Term("TCP", 4, 50.0), Term("Paging", 3, 60.0), Term("Gone", 1, 100.0)]
    stats = build_stats(topics, terms, _days(0, 1), today=TODAY, due_this_week=7, weakest=2)
    assert stats.answers == 8
    assert stats.average == pytest.approx((180 + 100 + 200) / 8)
    assert [(t.topic, t.count) for t in stats.by_topic] == [("Network", 4), ("OS", 3)]
    assert [(c.term, c.average, c.count) for c in stats.weakest] == [
        ("TCP", 50.0, 4),
        ("Paging", 60.0, 3),
    ]
    assert stats.streak == 2
    assert stats.due_this_week == 7
