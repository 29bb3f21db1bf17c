"""When a channel's daily question is due (pure: no database, no platform, no clock reading).

A schedule is a local wall-clock time, an IANA time zone and a set of weekdays
(:class:`ScheduleSpec`). Each *occurrence* is keyed by the channel and the **local date** it
belongs to; :func:`occurrence_at` maps a local date to the UTC instant of its post, correctly
across daylight-saving changes:

- a local time that does not exist that day (spring-forward gap, e.g. 02:30 in New York on the
  second Sunday of March) posts at the first valid instant after it: the end of the gap
  (03:00 local, the transition instant);
- a local time that happens twice (fall-back, e.g. 01:30 in New York in November) posts once, at
  the first of the two instants (``fold=0``).

A runner uses :func:`due_occurrences` to decide what to do with occurrences that came due (at
most one POST, older ones SKIP, nothing for a date already handled, bounded after any downtime)
and :func:`next_occurrence` to know how long to sleep.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Final

from bot.core.errors import BadInput
from bot.core.knowledge.text import nfc

DEFAULT_TZ: Final[str] = "Asia/Seoul"
EVERY_DAY: Final[frozenset[int]] = frozenset(range(7))  # 0 = Monday ... 6 = Sunday
MONDAY_TO_FRIDAY: Final[frozenset[int]] = frozenset(range(5))
WEEKEND: Final[frozenset[int]] = frozenset({5, 6})

# How late an occurrence may still be posted after its due instant (e.g. after downtime).
DEFAULT_GRACE: Final[timedelta] = timedelta(hours=2)
# Most entries due_occurrences ever returns, however long the downtime was.
MAX_BACKFILL_DAYS: Final[int] = 7
# Calendar days due_occurrences looks back: enough to find MAX_BACKFILL_DAYS occurrences of a
# schedule with a single weekday, plus tomorrow and today.
_BACKFILL_SCAN_DAYS: Final[int] = MAX_BACKFILL_DAYS * 7 + 2
# Calendar days next_occurrence looks ahead: a week, plus one day either side for DST oddities.
_NEXT_SCAN_DAYS: Final[int] = 7 + 3

_ONE_DAY: Final[timedelta] = timedelta(days=1)
_ONE_MICROSECOND: Final[timedelta] = timedelta(microseconds=1)

# Names zoneinfo may list that are not real zones a person means.
_NOT_A_ZONE: Final[frozenset[str]] = frozenset({"localtime", "posixrules", "Factory"})

_HOURS_PER_HALF_DAY: Final[int] = 12
_HOURS_PER_DAY: Final[int] = 24
_MINUTES_PER_HOUR: Final[int] = 60
_HALF_HOUR_MINUTES: Final[int] = 30

_DAY_NAMES: Final[tuple[str, ...]] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_KOREAN_DAYS: Final[str] = "월화수목금토일"


class Decision(StrEnum):
    """What a runner does with an occurrence that came due."""

    POST = "post"  # due and within the grace window: post it (late if need be)
    SKIP = "skip"  # missed by more than the grace window, or superseded by a later one


# --- parsing and validation -------------------------------------------------------------------

_TIME_RE: Final[re.Pattern[str]] = re.compile(
    r"^(?P<pre>오전|오후|am|pm)?\s*"
    r"(?:(?P<h1>\d{1,2}):(?P<m1>\d{2})"
    r"|(?P<h2>\d{1,2})\s*시(?:\s*(?:(?P<m2>\d{1,2})\s*분|(?P<half>반)))?"
    r"|(?P<h3>\d{1,2})(?=\s*(?:am|pm|a\.m\.|p\.m\.)$))"
    r"\s*(?P<post>am|pm|a\.m\.|p\.m\.)?$"
)
_MERIDIEM_PM: Final[frozenset[str]] = frozenset({"pm", "p.m.", "오후"})


def parse_time(text: str) -> time:
    """Parse a local time of day.

    Accepts ``09:00`` / ``9:00`` (24-hour), ``9:30 pm`` / ``9pm``, ``오후 3:30``, ``9시``,
    ``오전 9시 30분``, ``9시 반``. Raises ``BadInput("daily_bad_time", value=text)`` otherwise.
    """
    cleaned = re.sub(r"\s+", " ", nfc(text).replace("：", ":").strip().lower())
    match = _TIME_RE.match(cleaned)
    if match is None or (match["pre"] and match["post"]):
        raise BadInput("daily_bad_time", value=text)
    hour = int(match["h1"] or match["h2"] or match["h3"])
    minute_text = match["m1"] or match["m2"]
    minute = int(minute_text) if minute_text else (_HALF_HOUR_MINUTES if match["half"] else 0)
    meridiem = match["pre"] or match["post"]
    if meridiem:
        if not 1 <= hour <= _HOURS_PER_HALF_DAY:
            raise BadInput("daily_bad_time", value=text)
        hour %= _HOURS_PER_HALF_DAY
        if meridiem in _MERIDIEM_PM:
            hour += _HOURS_PER_HALF_DAY
    if not (0 <= hour < _HOURS_PER_DAY and 0 <= minute < _MINUTES_PER_HOUR):
        raise BadInput("daily_bad_time", value=text)
    return time(hour, minute)


def format_time(value: time) -> str:
    """``HH:MM``, the form :func:`parse_time` reads back."""
    return f"{value.hour:02d}:{value.minute:02d}"


def _day_aliases() -> dict[str, frozenset[int]]:
    aliases: dict[str, frozenset[int]] = {}
    english = (
        ("monday",),
        ("tuesday", "tues"),
        ("wednesday", "weds"),
        ("thursday", "thur", "thurs"),
        ("friday",),
        ("saturday",),
        ("sunday",),
    )
    for day, (short, korean, extra) in enumerate(
        zip(_DAY_NAMES, _KOREAN_DAYS, english, strict=True)
    ):
        for name in (short, korean, f"{korean}요일", *extra):
            aliases[name] = frozenset({day})
    for name in ("daily", "everyday", "all", "매일", "날마다"):
        aliases[name] = EVERY_DAY
    for name in ("weekdays", "weekday", "평일", "주중"):
        aliases[name] = MONDAY_TO_FRIDAY
    for name in ("weekend", "weekends", "주말"):
        aliases[name] = WEEKEND
    return aliases


_WEEKDAY_ALIASES: Final[dict[str, frozenset[int]]] = _day_aliases()
_SEPARATORS: Final[re.Pattern[str]] = re.compile(r"[\s,/·、;&+]+")
_RANGE: Final[re.Pattern[str]] = re.compile(r"^(?P<start>[^-~]+)[-~](?P<end>[^-~]+)$")


def _single_day(token: str) -> int | None:
    days = _WEEKDAY_ALIASES.get(token)
    if days is None and token.endswith("s"):
        days = _WEEKDAY_ALIASES.get(token[:-1])  # "mondays"
    if days is None or len(days) != 1:
        return None
    return next(iter(days))


def _token_days(token: str) -> frozenset[int] | None:
    days = _WEEKDAY_ALIASES.get(token)
    if days is None and token.endswith("s"):
        days = _WEEKDAY_ALIASES.get(token[:-1])
    if days is not None:
        return days
    ranged = _RANGE.match(token)
    if ranged:
        start, end = _single_day(ranged["start"]), _single_day(ranged["end"])
        if start is None or end is None:
            return None
        span = (end - start) % 7
        return frozenset((start + offset) % 7 for offset in range(span + 1))
    if len(token) > 1 and all(char in _KOREAN_DAYS for char in token):  # 월수금
        return frozenset(_KOREAN_DAYS.index(char) for char in token)
    return None


def parse_weekdays(text: str) -> frozenset[int]:
    """Parse the days a question is posted on (0 = Monday ... 6 = Sunday).

    Accepts day names in English (``mon``, ``Monday``, ``tues``) or Korean (``월``, ``월요일``),
    lists (``mon,wed,fri``, ``월 수 금``, ``월수금``), ranges (``mon-fri``, ``월~금``; ``fri-mon``
    wraps over the weekend) and the words ``daily``/``매일``, ``weekdays``/``평일``,
    ``weekend``/``주말``; several parts are united. Raises
    ``BadInput("daily_bad_weekdays", value=text, token=...)`` for anything else or nothing.
    """
    cleaned = nfc(text).strip().lower().replace("every day", "everyday")
    cleaned = re.sub(r"\s*([-~])\s*", r"\1", cleaned)
    tokens = [token for token in _SEPARATORS.split(cleaned) if token]
    if not tokens:
        raise BadInput("daily_bad_weekdays", value=text, token="")
    result: set[int] = set()
    for token in tokens:
        days = _token_days(token)
        if days is None:
            raise BadInput("daily_bad_weekdays", value=text, token=token)
        result |= days
    return frozenset(result)


def format_weekdays(weekdays: frozenset[int]) -> str:
    """Canonical ``mon,wed,fri`` form (Monday first) that :func:`parse_weekdays` reads back."""
    return ",".join(_DAY_NAMES[day] for day in sorted(weekdays))


@functools.cache
def _zone_names() -> dict[str, str]:
    """Every usable zone name, keyed by its case-folded form (loaded once)."""
    return {
        name.casefold(): name for name in zoneinfo.available_timezones() if name not in _NOT_A_ZONE
    }


def validate_tz(name: str) -> str:
    """Return the canonical IANA name for ``name`` (``asia/seoul`` -> ``Asia/Seoul``).

    Raises ``BadInput("daily_bad_tz", value=name)`` for anything that is not a known zone
    (abbreviations such as ``KST`` are not zones; ``UTC`` is).
    """
    canonical = _zone_names().get(nfc(name).strip().casefold())
    if canonical is None:
        raise BadInput("daily_bad_tz", value=name)
    try:
        zoneinfo.ZoneInfo(canonical)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise BadInput("daily_bad_tz", value=name) from exc
    return canonical


# --- the schedule -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    """When a channel's question is posted: local time, IANA zone, weekdays (0 = Monday).

    Validated on construction: ``tz`` is canonicalised (raises ``daily_bad_tz``), ``weekdays``
    must be a non-empty subset of 0..6 (raises ``daily_bad_weekdays``), ``local_time`` must be
    naive (a wall-clock time; its zone is ``tz``).
    """

    local_time: time
    tz: str = DEFAULT_TZ
    weekdays: frozenset[int] = field(default=EVERY_DAY)

    def __post_init__(self) -> None:
        if self.local_time.tzinfo is not None:
            raise ValueError("local_time must be naive; the zone is given by tz")
        object.__setattr__(self, "tz", validate_tz(self.tz))
        days = frozenset(self.weekdays)
        if not days or not days <= EVERY_DAY:
            shown = ",".join(str(day) for day in sorted(days))
            raise BadInput("daily_bad_weekdays", value=shown, token=shown)
        object.__setattr__(self, "weekdays", days)

    @classmethod
    def parse(
        cls, time_text: str, tz: str = DEFAULT_TZ, weekdays_text: str | None = None
    ) -> ScheduleSpec:
        """Build a spec from what a person typed (``"09:00"``, ``"Asia/Seoul"``, ``"평일"``)."""
        weekdays = EVERY_DAY if weekdays_text is None else parse_weekdays(weekdays_text)
        return cls(parse_time(time_text), tz, weekdays)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The schedule's time zone."""
        return zoneinfo.ZoneInfo(self.tz)

    def local_date(self, instant: datetime) -> date:
        """The local date, in this schedule's zone, of an aware instant."""
        return _as_utc(instant, "instant").astimezone(self.zone).date()


def _as_utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
    return value.astimezone(UTC)


def _first_instant_with_offset_change(
    low: datetime, high: datetime, zone: zoneinfo.ZoneInfo
) -> datetime:
    """The first instant in ``(low, high]`` whose UTC offset differs from ``low``'s.

    ``high``'s offset must differ from ``low``'s; binary search to the microsecond.
    """
    before = low.astimezone(zone).utcoffset()
    lo, hi = 0, (high - low) // _ONE_MICROSECOND
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if (low + mid * _ONE_MICROSECOND).astimezone(zone).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return low + hi * _ONE_MICROSECOND


def occurrence_at(spec: ScheduleSpec, local_date: date) -> datetime:
    """The aware UTC instant at which ``local_date``'s question is posted.

    Ignores ``spec.weekdays`` (callers filter). A local time inside a spring-forward gap maps to
    the end of the gap (the transition instant); a repeated local time maps to its first
    (``fold=0``) instant.
    """
    zone = spec.zone
    wall = datetime.combine(local_date, spec.local_time)
    earlier_fold = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    later_fold = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if earlier_fold == later_fold:
        return earlier_fold
    if earlier_fold.astimezone(zone).replace(tzinfo=None) == wall:
        return earlier_fold  # ambiguous: both exist, fold=0 is the first
    # Nonexistent: the two folds bracket the transition; post at the transition instant.
    low, high = min(earlier_fold, later_fold), max(earlier_fold, later_fold)
    return _first_instant_with_offset_change(low, high, zone)


def next_occurrence(
    spec: ScheduleSpec, after: datetime, *, handled_through: date | None = None
) -> tuple[date, datetime]:
    """The first occurrence strictly after ``after``: its local date and UTC instant.

    Honours ``spec.weekdays``. With ``handled_through`` (the last local date a runner already
    handled), dates up to it are passed over too, so a clock that went backwards does not make
    the runner wake for an occurrence it already posted.
    """
    instant = _as_utc(after, "after")
    start = spec.local_date(instant) - _ONE_DAY
    if handled_through is not None and handled_through + _ONE_DAY > start:
        start = handled_through + _ONE_DAY
    for offset in range(_NEXT_SCAN_DAYS):
        day = start + offset * _ONE_DAY
        if day.weekday() not in spec.weekdays:
            continue
        due = occurrence_at(spec, day)
        if due > instant:
            return day, due
    raise AssertionError("unreachable: a non-empty weekday set recurs within a week")


def due_occurrences(
    spec: ScheduleSpec,
    last_handled_local_date: date | None,
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
    *,
    since: datetime | None = None,
) -> list[tuple[date, datetime, Decision]]:
    """What a runner must do, at ``now``, with the occurrences that came due, oldest first.

    Considers occurrences whose instant is at or before ``now``, whose local date is after
    ``last_handled_local_date`` and whose instant is after ``since`` (when given: the moment the
    schedule was created or changed, so setting 09:00 at 09:30 does not post at once). Of those:

    - the latest one is POST if ``now - instant <= grace`` (inclusive), otherwise SKIP;
    - every older one is SKIP (at most one POST, ever);
    - at most :data:`MAX_BACKFILL_DAYS` entries are returned; older missed ones are dropped
      (recording the latest entry moves ``last_handled_local_date`` past them anyway).

    A clock that went backwards (``now`` before the last handled occurrence) yields nothing.
    Raises ``ValueError`` for a negative grace or naive datetimes.
    """
    if grace < timedelta(0):
        raise ValueError("grace must not be negative")
    current = _as_utc(now, "now")
    not_after = None if since is None else _as_utc(since, "since")
    found: list[tuple[date, datetime]] = []
    day = spec.local_date(current) + _ONE_DAY
    for _ in range(_BACKFILL_SCAN_DAYS):
        if last_handled_local_date is not None and day <= last_handled_local_date:
            break
        if day.weekday() in spec.weekdays:
            due = occurrence_at(spec, day)
            if not_after is not None and due <= not_after:
                break  # earlier dates are earlier still
            if due <= current:
                found.append((day, due))
                if len(found) == MAX_BACKFILL_DAYS:
                    break
        day -= _ONE_DAY
    found.reverse()
    result = [(day, due, Decision.SKIP) for day, due in found]
    if result and current - result[-1][1] <= grace:
        latest_day, latest_due, _ = result[-1]
        result[-1] = (latest_day, latest_due, Decision.POST)
    return result
