"""Tests for bot.core.daily.schedule: parsing, DST-correct occurrences, due/skip decisions."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.daily.schedule import (
    DEFAULT_GRACE,
    DEFAULT_TZ,
    EVERY_DAY,
    MAX_BACKFILL_DAYS,
    MONDAY_TO_FRIDAY,
    WEEKEND,
    Decision,
    ScheduleSpec,
    due_occurrences,
    format_time,
    format_weekdays,
    next_occurrence,
    occurrence_at,
    parse_time,
    parse_weekdays,
    validate_tz,
)
from bot.core.errors import BadInput

NY = "America/New_York"
BERLIN = "Europe/Berlin"
SEOUL = "Asia/Seoul"

# 2024 DST dates: New York springs forward 2024-03-10 02:00 -> 03:00 and falls back 2024-11-03
# 02:00 -> 01:00; Berlin springs forward 2024-03-31 02:00 -> 03:00, falls back 2024-10-27
# 03:00 -> 02:00.
NY_SPRING = date(2024, 3, 10)
NY_FALL = date(2024, 11, 3)
BERLIN_SPRING = date(2024, 3, 31)
BERLIN_FALL = date(2024, 10, 27)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def spec(at: str = "09:00", tz: str = SEOUL, weekdays: frozenset[int] = EVERY_DAY) -> ScheduleSpec:
    return ScheduleSpec(parse_time(at), tz, weekdays)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# --- parsing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00", time(9, 0)),
        ("9:00", time(9, 0)),
        (" 23:59 ", time(23, 59)),
        ("00:00", time(0, 0)),
        ("07：30", time(7, 30)),
        ("9pm", time(21, 0)),
        ("9:30 PM", time(21, 30)),
        ("12am", time(0, 0)),
        ("12:15 pm", time(12, 15)),
        ("9 a.m.", time(9, 0)),
        ("9시", time(9, 0)),
        ("9시 30분", time(9, 30)),
        ("9시반", time(9, 30)),
        ("오전 9시", time(9, 0)),
        ("오후 3시 5분", time(15, 5)),
        ("오후 3:30", time(15, 30)),
        ("오전 12시", time(0, 0)),
    ],
)
def test_parse_time_accepts(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "9",
        "24:00",
        "9:60",
        "09:5",
        "13pm",
        "0am",
        "오후 13시",
        "오전 9시 pm",
        "noon",
        "9:00:00",
    ],
)
def test_parse_time_rejects(text: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_time(text)
    assert info.value.key == "daily_bad_time"
    assert info.value.params == {"value": text}


def test_format_time_round_trips() -> None:
    for hour in range(24):
        for minute in (0, 7, 30, 59):
            value = time(hour, minute)
            assert parse_time(format_time(value)) == value
    assert format_time(time(9, 5)) == "09:05"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon,wed,fri", {0, 2, 4}),
        ("Mon, Wed, Fri", {0, 2, 4}),
        ("monday tuesday", {0, 1}),
        ("tues/thurs", {1, 3}),
        ("sundays", {6}),
        ("월,수,금", {0, 2, 4}),
        ("월 수 금", {0, 2, 4}),
        ("월수금", {0, 2, 4}),
        ("화요일, 목요일", {1, 3}),
        ("weekdays", set(range(5))),
        ("평일", set(range(5))),
        ("daily", set(range(7))),
        ("매일", set(range(7))),
        ("every day", set(range(7))),
        ("weekend", {5, 6}),
        ("주말", {5, 6}),
        ("mon-fri", set(range(5))),
        ("mon - wed", {0, 1, 2}),
        ("월~금", set(range(5))),
        ("fri-mon", {4, 5, 6, 0}),
        ("weekend, wed", {2, 5, 6}),
        ("평일 토", {0, 1, 2, 3, 4, 5}),
    ],
)
def test_parse_weekdays_accepts(text: str, expected: set[int]) -> None:
    assert parse_weekdays(text) == frozenset(expected)


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("", ""),
        ("   ", ""),
        ("mon,funday", "funday"),
        ("월,화,x", "x"),
        ("mon-", "mon-"),
        ("8", "8"),
    ],
)
def test_parse_weekdays_rejects(text: str, token: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_weekdays(text)
    assert info.value.key == "daily_bad_weekdays"
    assert info.value.params == {"value": text, "token": token}


def test_format_weekdays_round_trips_every_non_empty_set() -> None:
    for mask in range(1, 1 << 7):
        weekdays = frozenset(day for day in range(7) if mask >> day & 1)
        assert parse_weekdays(format_weekdays(weekdays)) == weekdays
    assert format_weekdays(frozenset({4, 0, 2})) == "mon,wed,fri"


def test_named_day_sets() -> None:
    assert frozenset(range(7)) == EVERY_DAY
    assert frozenset(range(5)) == MONDAY_TO_FRIDAY
    assert frozenset({5, 6}) == WEEKEND


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Asia/Seoul", "Asia/Seoul"),
        ("asia/seoul", "Asia/Seoul"),
        (" America/New_York ", "America/New_York"),
        ("europe/berlin", "Europe/Berlin"),
        ("UTC", "UTC"),
    ],
)
def test_validate_tz_accepts(name: str, canonical: str) -> None:
    assert validate_tz(name) == canonical


@pytest.mark.parametrize(
    "name",
    ["", "KST", "Mars/Olympus", "Asia/Seoul2", "../etc/passwd", "/etc/localtime", "localtime"],
)
def test_validate_tz_rejects(name: str) -> None:
    with pytest.raises(BadInput) as info:
        validate_tz(name)
    assert info.value.key == "daily_bad_tz"
    assert info.value.params == {"value": name}


def test_spec_defaults_and_validation() -> None:
    default = ScheduleSpec(time(9, 0))
    assert default.tz == DEFAULT_TZ == "Asia/Seoul"
    assert default.weekdays == EVERY_DAY
    assert ScheduleSpec(time(9, 0), "asia/seoul").tz == "Asia/Seoul"
    assert ScheduleSpec(time(9, 0), weekdays={1, 2}).weekdays == frozenset({1, 2})  # type: ignore[arg-type]
    with pytest.raises(BadInput) as info:
        ScheduleSpec(time(9, 0), weekdays=frozenset())
    assert info.value.key == "daily_bad_weekdays"
    with pytest.raises(BadInput):
        ScheduleSpec(time(9, 0), weekdays=frozenset({7}))
    with pytest.raises(BadInput) as tz_info:
        ScheduleSpec(time(9, 0), "Nowhere/Special")
    assert tz_info.value.key == "daily_bad_tz"
    with pytest.raises(ValueError):
        ScheduleSpec(time(9, 0, tzinfo=UTC))


def test_spec_parse_from_text() -> None:
    parsed = ScheduleSpec.parse("오전 8시 30분", "europe/berlin", "평일")
    assert parsed == ScheduleSpec(time(8, 30), BERLIN, MONDAY_TO_FRIDAY)
    assert ScheduleSpec.parse("09:00").weekdays == EVERY_DAY


# --- occurrence_at ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "at", "local_date", "expected"),
    [
        (SEOUL, "09:00", date(2024, 3, 10), utc(2024, 3, 10, 0, 0)),
        (SEOUL, "08:30", date(2024, 1, 1), utc(2023, 12, 31, 23, 30)),  # UTC date differs
        (NY, "09:00", date(2024, 1, 15), utc(2024, 1, 15, 14, 0)),  # EST, UTC-5
        (NY, "09:00", date(2024, 7, 15), utc(2024, 7, 15, 13, 0)),  # EDT, UTC-4
        (NY, "02:30", NY_SPRING, utc(2024, 3, 10, 7, 0)),  # gap -> 03:00 EDT
        (NY, "02:00", NY_SPRING, utc(2024, 3, 10, 7, 0)),  # gap start -> 03:00 EDT
        (NY, "03:00", NY_SPRING, utc(2024, 3, 10, 7, 0)),  # first valid wall time
        (NY, "01:59", NY_SPRING, utc(2024, 3, 10, 6, 59)),  # just before the gap (EST)
        (NY, "01:30", NY_FALL, utc(2024, 11, 3, 5, 30)),  # ambiguous -> first (EDT)
        (NY, "02:30", NY_FALL, utc(2024, 11, 3, 7, 30)),  # after the repeat (EST)
        (BERLIN, "02:30", BERLIN_SPRING, utc(2024, 3, 31, 1, 0)),  # gap -> 03:00 CEST
        (BERLIN, "02:30", BERLIN_FALL, utc(2024, 10, 27, 0, 30)),  # ambiguous -> CEST
        (BERLIN, "01:30", BERLIN_FALL, utc(2024, 10, 26, 23, 30)),  # before the repeat (CEST)
        ("Australia/Lord_Howe", "02:10", date(2024, 10, 6), utc(2024, 10, 5, 15, 30)),  # 30-min gap
    ],
)
def test_occurrence_at(tz: str, at: str, local_date: date, expected: datetime) -> None:
    result = occurrence_at(spec(at, tz), local_date)
    assert result == expected
    assert result.utcoffset() == timedelta(0)


def test_gap_occurrence_is_the_first_valid_instant_after_the_missing_time() -> None:
    for tz, day in ((NY, NY_SPRING), (BERLIN, BERLIN_SPRING)):
        zone = ZoneInfo(tz)
        instant = occurrence_at(spec("02:30", tz), day)
        local = instant.astimezone(zone)
        assert (local.date(), local.time()) == (day, time(3, 0))
        # one microsecond earlier is still before the jump: wall time before 02:00
        assert (instant - timedelta(microseconds=1)).astimezone(zone).time() < time(2, 0)


def test_ambiguous_time_maps_to_first_instant_only() -> None:
    for tz, day in ((NY, NY_FALL), (BERLIN, BERLIN_FALL)):
        at = "01:30" if tz == NY else "02:30"
        instant = occurrence_at(spec(at, tz), day)
        zone = ZoneInfo(tz)
        assert instant.astimezone(zone).fold == 0
        assert instant.astimezone(zone).replace(tzinfo=None) == datetime.combine(
            day, parse_time(at)
        )
        # the same wall time one hour later is the repeat, which is not the occurrence
        assert (instant + timedelta(hours=1)).astimezone(zone).time() == parse_time(at)


@pytest.mark.parametrize(
    ("tz", "at"), [(NY, "02:30"), (NY, "01:30"), (BERLIN, "02:30"), (SEOUL, "00:00")]
)
def test_a_year_of_occurrences_is_monotonic_and_daily(tz: str, at: str) -> None:
    year = days(date(2024, 1, 1), date(2024, 12, 31))
    instants = [occurrence_at(spec(at, tz), day) for day in year]
    zone = ZoneInfo(tz)
    for day, instant in zip(year, instants, strict=True):
        assert instant.astimezone(zone).date() == day
    gaps = {later - earlier for earlier, later in itertools.pairwise(instants)}
    assert gaps <= {
        timedelta(hours=23),
        timedelta(hours=24),
        timedelta(hours=25),
        timedelta(hours=23, minutes=30),
        timedelta(hours=24, minutes=30),
    }
    assert all(later > earlier for earlier, later in itertools.pairwise(instants))


# --- next_occurrence --------------------------------------------------------------------------


def test_next_occurrence_is_strictly_after() -> None:
    s = spec("09:00", SEOUL)
    first = occurrence_at(s, date(2024, 5, 1))
    assert next_occurrence(s, first - timedelta(seconds=1)) == (date(2024, 5, 1), first)
    assert next_occurrence(s, first) == (date(2024, 5, 2), first + timedelta(days=1))


def test_next_occurrence_is_keyed_by_local_date() -> None:
    s = spec("08:30", SEOUL)
    # 2024-01-01 23:00 UTC is 2024-01-02 08:00 in Seoul: the next post is Seoul's Jan 2 08:30,
    # which is still Jan 1 in UTC.
    assert next_occurrence(s, utc(2024, 1, 1, 23, 0)) == (date(2024, 1, 2), utc(2024, 1, 1, 23, 30))
    late = spec("23:30", NY)
    # 2024-01-02 03:00 UTC is still Jan 1 (22:00) in New York: the post is keyed Jan 1.
    assert next_occurrence(late, utc(2024, 1, 2, 3, 0)) == (
        date(2024, 1, 1),
        utc(2024, 1, 2, 4, 30),
    )


def test_next_occurrence_honours_weekdays() -> None:
    s = spec("09:00", SEOUL, frozenset({0, 2, 4}))  # Mon, Wed, Fri
    friday_post = occurrence_at(s, date(2024, 5, 3))
    assert date(2024, 5, 3).weekday() == 4
    assert next_occurrence(s, friday_post) == (date(2024, 5, 6), occurrence_at(s, date(2024, 5, 6)))
    sunday_only = spec("09:00", SEOUL, frozenset({6}))
    day, _ = next_occurrence(sunday_only, utc(2024, 5, 6))
    assert day == date(2024, 5, 12)


def test_next_occurrence_across_dst() -> None:
    s = spec("02:30", NY)
    assert next_occurrence(s, utc(2024, 3, 9, 8, 0)) == (NY_SPRING, utc(2024, 3, 10, 7, 0))
    fall = spec("01:30", NY)
    first = occurrence_at(fall, NY_FALL)
    # at the repeated 01:30 (EST), the next post is the following day, not a second one today
    assert next_occurrence(fall, first + timedelta(minutes=30)) == (
        date(2024, 11, 4),
        utc(2024, 11, 4, 6, 30),
    )


def test_next_occurrence_skips_handled_dates_after_clock_goes_back() -> None:
    s = spec("09:00", SEOUL)
    handled = date(2024, 5, 1)
    back = occurrence_at(s, handled) - timedelta(hours=3)  # clock went back before today's post
    assert next_occurrence(s, back)[0] == handled
    assert next_occurrence(s, back, handled_through=handled)[0] == date(2024, 5, 2)
    a_year_back = back - timedelta(days=365)
    assert next_occurrence(s, a_year_back, handled_through=handled)[0] == date(2024, 5, 2)


def test_next_occurrence_rejects_naive() -> None:
    with pytest.raises(ValueError):
        next_occurrence(spec(), datetime(2024, 1, 1))


# --- due_occurrences --------------------------------------------------------------------------

DAY = date(2024, 5, 15)  # a Wednesday
SPEC = spec("09:00", SEOUL)
DUE = occurrence_at(SPEC, DAY)  # 2024-05-15 00:00 UTC


def test_due_on_time() -> None:
    yesterday = DAY - timedelta(days=1)
    assert due_occurrences(SPEC, yesterday, DUE - timedelta(seconds=1), DEFAULT_GRACE) == []
    assert due_occurrences(SPEC, yesterday, DUE, DEFAULT_GRACE) == [(DAY, DUE, Decision.POST)]


def test_grace_window_is_inclusive() -> None:
    yesterday = DAY - timedelta(days=1)
    grace = timedelta(hours=2)
    assert due_occurrences(SPEC, yesterday, DUE + grace, grace) == [(DAY, DUE, Decision.POST)]
    late = DUE + grace + timedelta(seconds=1)
    assert due_occurrences(SPEC, yesterday, late, grace) == [(DAY, DUE, Decision.SKIP)]
    assert due_occurrences(SPEC, yesterday, DUE, timedelta(0)) == [(DAY, DUE, Decision.POST)]


def test_nothing_for_a_handled_date() -> None:
    assert due_occurrences(SPEC, DAY, DUE, DEFAULT_GRACE) == []
    assert due_occurrences(SPEC, DAY, DUE + timedelta(hours=10), DEFAULT_GRACE) == []


def test_downtime_within_grace_posts_latest_and_skips_older() -> None:
    last = DAY - timedelta(days=4)
    result = due_occurrences(SPEC, last, DUE + timedelta(minutes=30), DEFAULT_GRACE)
    assert [d for d, _, _ in result] == days(DAY - timedelta(days=3), DAY)
    assert [decision for _, _, decision in result] == [Decision.SKIP] * 3 + [Decision.POST]
    assert [due for _, due, _ in result] == [occurrence_at(SPEC, d) for d, _, _ in result]


def test_downtime_past_grace_skips_everything() -> None:
    last = DAY - timedelta(days=2)
    result = due_occurrences(SPEC, last, DUE + timedelta(hours=5), DEFAULT_GRACE)
    assert [(d, decision) for d, _, decision in result] == [
        (DAY - timedelta(days=1), Decision.SKIP),
        (DAY, Decision.SKIP),
    ]


def test_wide_grace_still_posts_only_once() -> None:
    last = DAY - timedelta(days=3)
    result = due_occurrences(SPEC, last, DUE + timedelta(hours=1), timedelta(days=5))
    assert [decision for _, _, decision in result] == [Decision.SKIP, Decision.SKIP, Decision.POST]


def test_a_year_of_downtime_is_bounded() -> None:
    last = DAY - timedelta(days=365)
    result = due_occurrences(SPEC, last, DUE + timedelta(minutes=5), DEFAULT_GRACE)
    assert len(result) == MAX_BACKFILL_DAYS
    assert [d for d, _, _ in result] == days(DAY - timedelta(days=MAX_BACKFILL_DAYS - 1), DAY)
    assert result[-1][2] is Decision.POST
    never = due_occurrences(SPEC, None, DUE + timedelta(hours=5), DEFAULT_GRACE)
    assert len(never) == MAX_BACKFILL_DAYS
    assert all(decision is Decision.SKIP for _, _, decision in never)
    assert never[-1][0] == DAY


def test_a_year_of_downtime_with_one_weekday() -> None:
    mondays = spec("09:00", SEOUL, frozenset({0}))
    now = occurrence_at(mondays, DAY) + timedelta(hours=1)  # DAY is a Wednesday
    result = due_occurrences(mondays, DAY - timedelta(days=365), now, DEFAULT_GRACE)
    assert len(result) == MAX_BACKFILL_DAYS
    assert all(d.weekday() == 0 for d, _, _ in result)
    assert result[-1][0] == date(2024, 5, 13)  # the latest Monday
    assert all(decision is Decision.SKIP for _, _, decision in result)


def test_weekdays_only_over_a_weekend() -> None:
    weekdays = spec("09:00", SEOUL, MONDAY_TO_FRIDAY)
    friday, monday = date(2024, 5, 10), date(2024, 5, 13)
    now = occurrence_at(weekdays, monday) + timedelta(minutes=1)
    assert due_occurrences(weekdays, friday, now, DEFAULT_GRACE) == [
        (monday, occurrence_at(weekdays, monday), Decision.POST)
    ]
    saturday_noon = occurrence_at(weekdays, date(2024, 5, 11)) + timedelta(hours=3)
    assert due_occurrences(weekdays, friday, saturday_noon, DEFAULT_GRACE) == []


def test_clock_going_backwards_gives_nothing() -> None:
    for now in (
        DUE - timedelta(minutes=1),
        DUE - timedelta(hours=20),
        DUE - timedelta(days=3),
        DUE - timedelta(days=365),
    ):
        assert due_occurrences(SPEC, DAY, now, DEFAULT_GRACE) == []
        assert due_occurrences(SPEC, DAY, now, timedelta(days=30)) == []


def test_since_ignores_occurrences_before_the_schedule_was_set() -> None:
    set_at = DUE + timedelta(minutes=30)  # admin sets 09:00 at 09:30
    assert due_occurrences(SPEC, None, set_at, DEFAULT_GRACE, since=set_at) == []
    later = DUE + timedelta(hours=1)
    assert due_occurrences(SPEC, None, later, DEFAULT_GRACE, since=set_at) == []
    tomorrow = DUE + timedelta(days=1)
    assert due_occurrences(SPEC, None, tomorrow, DEFAULT_GRACE, since=set_at) == [
        (DAY + timedelta(days=1), tomorrow, Decision.POST)
    ]
    set_before = DUE - timedelta(minutes=1)
    assert due_occurrences(SPEC, None, DUE, DEFAULT_GRACE, since=set_before) == [
        (DAY, DUE, Decision.POST)
    ]


def test_dst_due_decisions() -> None:
    gap = spec("02:30", NY)
    before = NY_SPRING - timedelta(days=1)
    assert due_occurrences(gap, before, utc(2024, 3, 10, 6, 59), DEFAULT_GRACE) == []
    assert due_occurrences(gap, before, utc(2024, 3, 10, 7, 0), DEFAULT_GRACE) == [
        (NY_SPRING, utc(2024, 3, 10, 7, 0), Decision.POST)
    ]
    fall = spec("01:30", NY)
    first, repeat = utc(2024, 11, 3, 5, 30), utc(2024, 11, 3, 6, 30)
    assert due_occurrences(fall, NY_FALL, repeat, DEFAULT_GRACE) == []  # posted at the first
    missed_first = due_occurrences(fall, NY_FALL - timedelta(days=1), repeat, DEFAULT_GRACE)
    assert missed_first == [(NY_FALL, first, Decision.POST)]


def test_due_occurrences_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        due_occurrences(SPEC, None, DUE, timedelta(seconds=-1))
    with pytest.raises(ValueError):
        due_occurrences(SPEC, None, datetime(2024, 5, 15), DEFAULT_GRACE)


def test_due_occurrences_invariants_on_random_inputs() -> None:
    rng = random.Random(20240515)
    zones = [SEOUL, NY, BERLIN, "UTC", "Australia/Lord_Howe"]
    for _ in range(2000):
        weekdays = frozenset(day for day in range(7) if rng.random() < 0.5) or frozenset({3})
        s = ScheduleSpec(
            time(rng.randrange(24), rng.choice([0, 15, 30, 59])), rng.choice(zones), weekdays
        )
        now = utc(2024, 1, 1) + timedelta(minutes=rng.randrange(366 * 24 * 60))
        last = (
            None
            if rng.random() < 0.1
            else s.local_date(now) + timedelta(days=rng.randrange(-400, 3))
        )
        grace = timedelta(minutes=rng.choice([0, 30, 120, 60 * 30, 60 * 24 * 10]))
        result = due_occurrences(s, last, now, grace)
        assert len(result) <= MAX_BACKFILL_DAYS
        decisions = [decision for _, _, decision in result]
        assert decisions.count(Decision.POST) <= 1
        assert Decision.POST not in decisions[:-1]
        dates = [d for d, _, _ in result]
        assert dates == sorted(set(dates))
        for d, due, decision in result:
            assert last is None or d > last
            assert d.weekday() in weekdays
            assert due == occurrence_at(s, d) <= now
            assert (decision is Decision.POST) == (d == dates[-1] and now - due <= grace)
        if result:  # recording the latest entry as handled leaves nothing due at the same instant
            assert due_occurrences(s, dates[-1], now, grace) == []


# --- a runner built from these functions, simulated over a DST year -------------------------


def simulate(
    s: ScheduleSpec, start: datetime, end: datetime, step: timedelta | None
) -> list[tuple[date, datetime]]:
    """Drive the intended runner loop; ``step`` None: sleep to next_occurrence, else poll."""
    posted: list[tuple[date, datetime]] = []
    last: date | None = s.local_date(start) - timedelta(days=1)
    now = start
    while now < end:
        for day, _due, decision in due_occurrences(s, last, now, DEFAULT_GRACE):
            if decision is Decision.POST:
                posted.append((day, now))
            last = day
        if step is None:
            now = next_occurrence(s, now, handled_through=last)[1]
        else:
            now += step
    return posted


@pytest.mark.parametrize(
    ("tz", "at"),
    [(NY, "02:30"), (NY, "01:30"), (BERLIN, "02:30"), (BERLIN, "03:00"), (SEOUL, "09:00")],
)
def test_simulated_year_posts_every_day_exactly_once(tz: str, at: str) -> None:
    s = spec(at, tz)
    start, end = utc(2024, 1, 1, 12), utc(2025, 1, 1, 12)
    expected = [
        d for d in days(s.local_date(start), s.local_date(end)) if occurrence_at(s, d) < end
    ]
    expected = [d for d in expected if occurrence_at(s, d) >= start]
    for step in (None, timedelta(minutes=15)):
        posted = simulate(s, start, end, step)
        assert [d for d, _ in posted] == expected
        tolerance = step or timedelta(0)
        for day, at_instant in posted:
            assert timedelta(0) <= at_instant - occurrence_at(s, day) <= tolerance


def test_simulated_polling_with_weekdays_and_restart_gap() -> None:
    s = spec("09:00", BERLIN, frozenset({0, 2, 4}))
    posted = simulate(s, utc(2024, 3, 1), utc(2024, 11, 30), timedelta(hours=1))
    assert all(d.weekday() in {0, 2, 4} for d, _ in posted)
    assert len({d for d, _ in posted}) == len(posted)
    assert BERLIN_FALL - timedelta(days=1) not in {d for d, _ in posted}  # a Saturday
    fridays = [d for d in days(date(2024, 3, 1), date(2024, 11, 29)) if d.weekday() in {0, 2, 4}]
    assert [d for d, _ in posted] == fridays
