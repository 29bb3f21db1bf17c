"""The daily runner against real databases: exactly one post per occurrence over many simulated
days, across restarts, crashes between claim and post, downtime, racing runners (SQLite with two
engines and PostgreSQL), daylight-saving changes and platform errors.

Time is a :class:`FakeClock` shared by every Service of a test; the platform is a recording
notifier (the only fake: the real platforms cannot run here). ``runner.tick()`` is driven
directly, stepping the clock to the instant the runner itself says it will wake
(``runner.next_wake()``), except in the test that runs ``run_forever`` as a task.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import daily_runner
from bot.app.daily_runner import CLAIM_TTL, MAX_SERVER_RETRIES, DailyRunner
from bot.app.service import Service
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.daily.rules import spec_of
from bot.core.daily.schedule import ScheduleSpec, occurrence_at, parse_weekdays
from bot.core.messages import t
from bot.core.models import Caller, DailyPost, Reply, ScheduleState
from bot.core.ports import ChannelUnavailable, Posted, RateLimited, ServerError, Target
from bot.db import daily as repo
from bot.db.tables import DailyPostRow
from bot.testing import Crash, FakeClock, Sent
from bot.testing import RecordingNotifier as _Recording

PLATFORM = "test"
WORKSPACE = "w1"
# Friday 2024-03-01 00:00 UTC = 09:00 in Seoul: the first due instant of most tests. The clock
# starts an hour earlier (a schedule set at 09:00 sharp would first post the next day).
START = datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
CLOCK_START = START - timedelta(hours=1)
SHIPPED_CONCEPTS = 27  # concepts in knowledge/interview-notes.md
SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
LONG_IDLE = timedelta(days=3)  # next_wake's cap in these tests: step straight to the next post
TINY_WAIT_S = 0.001  # retry waits in tests (seconds)


class RecordingNotifier(_Recording):
    """The shared recording platform, on this file's platform."""

    def __init__(self, clock: FakeClock, *, can_find: bool = True) -> None:
        super().__init__(clock, platform=PLATFORM, can_find=can_find)


# --- fixtures and helpers -----------------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    """The one clock every Service of a test shares."""
    return FakeClock(CLOCK_START)


@pytest.fixture
def long_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let next_wake return the next due instant however far away (production caps it at a
    minute to notice schedules changed by another process)."""
    monkeypatch.setattr(daily_runner, "MAX_IDLE_SLEEP", LONG_IDLE)


class _RecordingAsyncio:
    """The runner's view of :mod:`asyncio`, noting each ``sleep`` it asks for (and sleeping it)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, delay: float) -> None:
        self.waits.append(delay)
        await asyncio.sleep(delay)


@pytest.fixture
def tiny_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retry waits of a millisecond instead of seconds; returns the waits the runner made."""
    monkeypatch.setattr(daily_runner, "MAX_RATE_LIMIT_WAIT_S", TINY_WAIT_S)
    monkeypatch.setattr(daily_runner, "SERVER_RETRY_BASE_S", TINY_WAIT_S)
    recording = _RecordingAsyncio()
    monkeypatch.setattr(daily_runner, "asyncio", recording)
    return recording.waits


def settings_for(make_settings: type[Settings], url: str, tmp_path: Path) -> Settings:
    """Test settings on ``url`` with the shipped notes."""
    return make_settings(
        database_url=url,
        data_dir=tmp_path / "data",
        knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
        locale="en",
    )


@pytest.fixture
def sqlite_settings(make_settings: type[Settings], sqlite_url: str, tmp_path: Path) -> Settings:
    """Settings on a fresh SQLite file."""
    return settings_for(make_settings, sqlite_url, tmp_path)


@pytest.fixture
def db_settings(make_settings: type[Settings], db_url: str, tmp_path: Path) -> Settings:
    """Settings on SQLite, then on a fresh PostgreSQL database."""
    return settings_for(make_settings, db_url, tmp_path)


class Services:
    """Starts Services (each with its own engine) on one database and closes them all."""

    def __init__(self, settings: Settings, clock: FakeClock) -> None:
        self.settings = settings
        self.clock = clock
        self.open: list[Service] = []

    async def start(self) -> Service:
        """A new Service, as a freshly started process would have."""
        service = await Service.start(self.settings, clock=self.clock)
        self.open.append(service)
        return service

    async def stop(self, service: Service) -> None:
        """Dispose a Service (a process ending)."""
        await service.close()
        self.open.remove(service)


@pytest.fixture
async def services(sqlite_settings: Settings, clock: FakeClock) -> AsyncIterator[Services]:
    """Services on a fresh SQLite file."""
    started = Services(sqlite_settings, clock)
    yield started
    for service in list(started.open):
        await service.close()


@pytest.fixture
async def db_services(db_settings: Settings, clock: FakeClock) -> AsyncIterator[Services]:
    """Services on SQLite and on PostgreSQL."""
    started = Services(db_settings, clock)
    yield started
    for service in list(started.open):
        await service.close()


def admin(channel_id: str) -> Caller:
    """An admin in a channel of the test platform."""
    return Caller(PLATFORM, "admin", channel_id, WORKSPACE, is_admin=True, locale="en")


async def schedule_of(service: Service, channel_id: str) -> ScheduleState:
    """A channel's stored schedule."""
    async with service.sessions() as session:
        schedule = await repo.get_schedule(session, PLATFORM, WORKSPACE, channel_id)
    assert schedule is not None
    return schedule


async def all_posts(service: Service) -> list[DailyPost]:
    """Every stored occurrence, oldest first."""
    async with service.sessions() as session:
        ids = list(await session.scalars(select(DailyPostRow.id).order_by(DailyPostRow.id)))
        posts = [await repo.get_post(session, post_id) for post_id in ids]
    return [post for post in posts if post is not None]


async def occurrence_counts(
    service: Service, sent: Sequence[Sent]
) -> Counter[tuple[int, date | None]]:
    """How many visible questions each (schedule, local date) got."""
    counts: Counter[tuple[int, date | None]] = Counter()
    async with service.sessions() as session:
        for item in sent:
            assert item.post_id is not None
            post = await repo.get_post(session, item.post_id)
            assert post is not None
            counts[(post.schedule_id, post.local_date)] += 1
    return counts


def expected_dates(spec: ScheduleSpec, first: date, last: date) -> list[date]:
    """The scheduled local dates from ``first`` to ``last`` inclusive."""
    days = (last - first).days + 1
    return [first + n * DAY for n in range(days) if (first + n * DAY).weekday() in spec.weekdays]


async def step(clock: FakeClock, runners: Sequence[DailyRunner], until: datetime) -> bool:
    """Move the clock to the earliest instant any runner would wake at (at most ``until``) and
    tick every runner concurrently there; False once ``until`` is reached."""
    wake = min([await runner.next_wake() for runner in runners])
    clock.set(min(wake, until))
    await asyncio.gather(*(runner.tick() for runner in runners))
    return wake < until


async def drive(clock: FakeClock, runners: Sequence[DailyRunner], until: datetime) -> None:
    """Run the runners as their loops would (a pass at once, then from wake to wake), up to
    ``until``."""
    await asyncio.gather(*(runner.tick() for runner in runners))
    while await step(clock, runners, until):
        pass


# --- many days, one post each ------------------------------------------------------------------


async def test_a_month_one_post_per_occurrence_weekdays_and_cycle(
    services: Services, clock: FakeClock, long_idle: None
) -> None:
    service = await services.start()
    notifier = RecordingNotifier(clock)
    runner = service.daily_runner(notifier)
    await service.daily.set(admin("every-day"), "09:00")  # Asia/Seoul by default
    await service.daily.set(admin("mwf"), "18:30", tz="Europe/Berlin", weekdays="mon,wed,fri")
    await service.daily.set(admin("weekend"), "7:15 am", tz="America/Los_Angeles", weekdays="주말")
    days = SHIPPED_CONCEPTS + 5  # a whole cycle of the every-day channel and part of the next
    end = START + days * DAY - MINUTE

    steps = 0
    while await step(clock, [runner], end):
        steps += 1
        if steps % 8 == 0:
            assert await runner.tick() == 0  # a second tick at the same instant does nothing
            clock.advance(MINUTE)
            assert await runner.tick() == 0  # nor does one a minute later

    counts = await occurrence_counts(service, notifier.questions)
    assert set(counts.values()) == {1}
    for channel, first in (
        ("every-day", date(2024, 3, 1)),
        ("mwf", date(2024, 3, 1)),
        ("weekend", date(2024, 3, 2)),
    ):
        spec = spec_of(await schedule_of(service, channel))
        sent = notifier.questions_in(channel)
        want = expected_dates(spec, first, spec.local_date(end))
        want = [day for day in want if occurrence_at(spec, day) <= end]
        assert [spec.local_date(s.at) for s in sent] == want, channel
        assert [s.at for s in sent] == [occurrence_at(spec, day) for day in want]
        assert all(s.open_thread for s in sent)  # each question opens a thread for answers
    assert len(notifier.questions_in("every-day")) == days
    assert {
        spec_of(await schedule_of(service, "mwf")).local_date(s.at).weekday()
        for s in notifier.questions_in("mwf")
    } == {0, 2, 4}
    assert len(notifier.questions_in("mwf")) == 14
    assert len(notifier.questions_in("weekend")) == 10

    # The every-day channel went through all 27 concepts without a repeat, then started again.
    posts = {post.id: post for post in await all_posts(service)}
    asked = [posts[s.post_id].concept_id for s in notifier.questions_in("every-day") if s.post_id]
    assert len(set(asked[:SHIPPED_CONCEPTS])) == SHIPPED_CONCEPTS == service.concept_count
    assert len(set(asked[SHIPPED_CONCEPTS:])) == days - SHIPPED_CONCEPTS
    assert all(a != b for a, b in itertools.pairwise(asked))
    status = await service.daily.status(admin("every-day"))
    left = {f.name: f.value for f in status.fields}["Left in this cycle"]
    assert left == str(SHIPPED_CONCEPTS - (days - SHIPPED_CONCEPTS))
    # Each new question revealed the previous one in its thread, once.
    reveals = [
        s for s in notifier.sent if s.target.channel_id == "every-day" and s.target.thread_id
    ]
    assert [s.post_id for s in reveals] == [s.post_id for s in notifier.questions_in("every-day")][
        :-1
    ]
    assert [s.target.thread_id for s in reveals] == [
        s.posted.thread_id for s in notifier.questions_in("every-day")
    ][:-1]


async def test_clock_jumps_and_wake_from_sleep_do_not_double_post(
    services: Services, clock: FakeClock, long_idle: None
) -> None:
    service = await services.start()
    notifier = RecordingNotifier(clock)
    runner = service.daily_runner(notifier)
    await service.daily.set(admin("c"), "09:00")
    await drive(clock, [runner], START + 30 * MINUTE)
    assert len(notifier.questions) == 1
    clock.advance(-3 * HOUR)  # the wall clock is corrected backwards past the due time
    assert await runner.tick() == 0
    assert await runner.next_wake() == START + DAY  # not today's 09:00 again
    clock.set(START + 2 * HOUR)
    assert await runner.tick() == 0
    # A laptop asleep from 08:00 to 10:30 the next day: it wakes within the grace window.
    clock.set(START + DAY - HOUR)
    assert await runner.next_wake() == START + DAY
    clock.set(START + DAY + 90 * MINUTE)
    assert await runner.tick() == 1
    assert await runner.tick() == 0
    assert len(notifier.questions) == 2
    assert notifier.questions[-1].at == START + DAY + 90 * MINUTE


# --- restarts and crashes ----------------------------------------------------------------------


async def test_restart_mid_way_neither_duplicates_nor_loses(
    services: Services, clock: FakeClock, long_idle: None
) -> None:
    notifier = RecordingNotifier(clock)
    first = await services.start()
    await first.daily.set(admin("c"), "09:00")
    clock.set(START)
    await drive(clock, [first.daily_runner(notifier, runner_id="before")], START + 10 * DAY - HOUR)
    clock.set(START + 10 * DAY)
    # The process stops right after posting day 11's question (09:00 Seoul = 00:00 UTC) ...
    assert await first.daily_runner(notifier, runner_id="before").tick() == 1
    await services.stop(first)
    # ... and the new one starts in the same minute, then runs ten more days.
    second = await services.start()
    runner = second.daily_runner(notifier, runner_id="after")
    assert await runner.tick() == 0
    await drive(clock, [runner], START + 20 * DAY + HOUR)

    sent = notifier.questions
    counts = await occurrence_counts(second, sent)
    assert set(counts.values()) == {1}
    spec = spec_of(await schedule_of(second, "c"))
    assert [spec.local_date(s.at) for s in sent] == [date(2024, 3, 1) + n * DAY for n in range(21)]
    posts = {post.id: post for post in await all_posts(second)}
    asked = [posts[s.post_id].concept_id for s in sent if s.post_id]
    assert len(set(asked)) == len(asked) == 21  # the cycle lives in the database
    assert {post.status for post in posts.values()} == {repo.POSTED}


@pytest.mark.parametrize(
    ("accepted", "can_find", "visible", "status"),
    [
        pytest.param(True, True, 1, repo.POSTED, id="accepted-found-confirmed"),
        pytest.param(False, True, 1, repo.POSTED, id="not-accepted-reposted-once"),
        pytest.param(True, False, 1, repo.FAILED, id="accepted-cannot-look-recorded-failed"),
        pytest.param(False, False, 0, repo.FAILED, id="not-accepted-cannot-look-recorded-failed"),
    ],
)
async def test_crash_between_claim_and_confirmation_is_recovered_once(
    services: Services,
    clock: FakeClock,
    long_idle: None,
    accepted: bool,
    can_find: bool,
    visible: int,
    status: str,
) -> None:
    notifier = RecordingNotifier(clock, can_find=can_find)
    doomed = await services.start()
    await doomed.daily.set(admin("c"), "09:00")
    clock.set(START)
    if accepted:
        notifier.crash_after_accept = 1
    else:
        notifier.crash_before_accept = 1
    with pytest.raises(Crash):
        await doomed.daily_runner(notifier, runner_id="doomed").tick()
    await services.stop(doomed)
    assert len(notifier.questions) == int(accepted)

    a, b = await services.start(), await services.start()
    runners = [a.daily_runner(notifier, runner_id="a"), b.daily_runner(notifier, runner_id="b")]
    [claim] = await all_posts(a)
    assert claim.status == repo.CLAIMED and claim.concept_id is not None
    # Within the claim's lifetime nobody touches it (its holder might still be posting).
    clock.set(START + CLAIM_TTL - SECOND)
    assert await asyncio.gather(*(r.tick() for r in runners)) == [0, 0]
    assert notifier.lookups == 0
    # Once it expired, exactly one of the two racing runners takes it over.
    clock.set(START + CLAIM_TTL + SECOND)
    results = await asyncio.gather(*(r.tick() for r in runners))
    assert notifier.lookups == 1
    assert sorted(results) == [0, int(not accepted and can_find)]
    assert len(notifier.questions) == visible
    [post] = await all_posts(a)
    assert post.status == status
    assert post.attempts == 2
    if status == repo.POSTED:
        assert post.message_id == notifier.questions[0].posted.message_id
        assert post.thread_id == notifier.questions[0].posted.thread_id
        assert post.concept_id == claim.concept_id  # the concept chosen before the crash
    else:
        assert post.error == daily_runner.UNCONFIRMED_ERROR
    # Nothing more for that day, however often they tick; the next day is normal.
    clock.advance(HOUR)
    assert await asyncio.gather(*(r.tick() for r in runners)) == [0, 0]
    await drive(clock, runners, START + DAY + MINUTE)
    assert len(notifier.questions) == visible + 1
    counts = await occurrence_counts(a, notifier.questions)
    assert set(counts.values()) == {1}


async def test_recovery_does_not_take_a_later_post_for_the_lost_one(
    services: Services, clock: FakeClock, long_idle: None
) -> None:
    """Q#1 lost in a crash, then ``/daily now`` posts Q#13 in the same channel: recovery of
    Q#1 must not match ``Q#1`` inside ``Q#13`` (the day's question would be lost)."""
    notifier = RecordingNotifier(clock)
    service = await services.start()
    for number in range(12):
        await service.daily.set(admin(f"c{number}"), "09:00")
    clock.set(START)
    notifier.crash_before_accept = 1  # dies posting the first of the twelve (Q#1)
    with pytest.raises(Crash):
        await service.daily_runner(notifier, runner_id="doomed").tick()
    runner = service.daily_runner(notifier, runner_id="next")
    extra = await runner.post_now(await schedule_of(service, "c0"))
    assert extra.id > 9 and str(extra.id).startswith("1")
    clock.set(START + CLAIM_TTL + SECOND)
    await runner.tick()
    [first] = [post for post in await all_posts(service) if post.id == 1]
    assert first.status == repo.POSTED
    assert first.message_id != extra.message_id, "its own post, not the later one"
    assert len(notifier.questions_in("c0")) == 2


async def test_many_channels_due_at_once_crash_mid_batch_each_posted_exactly_once(
    services: Services, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claimed in batches, recorded in groups: a crash in the middle leaves accepted posts
    unconfirmed and later ones unposted; recovery confirms the first and posts the others."""
    monkeypatch.setattr(daily_runner, "CLAIM_BATCH", 8)
    channels = [f"c{n:02d}" for n in range(20)]
    notifier = RecordingNotifier(clock)
    doomed = await services.start()
    for channel in channels:
        await doomed.daily.set(admin(channel), "09:00")
    clock.set(START)
    crash_at = daily_runner.CONFIRM_GROUP + 3  # inside the second batch, mid confirm group

    class DiesAfterSome(RecordingNotifier):
        async def post(
            self, target: Target, reply: Reply, *, open_thread: str | None = None
        ) -> Posted:
            if len(notifier.sent) == crash_at - 1:
                notifier.crash_after_accept = 1
            return await notifier.post(target, reply, open_thread=open_thread)

    with pytest.raises(Crash):
        await doomed.daily_runner(DiesAfterSome(clock)).tick()
    await services.stop(doomed)
    statuses = Counter(post.status for post in await all_posts(await services.start()))
    assert statuses[repo.POSTED] < crash_at  # some accepted posts were not recorded yet
    assert len(notifier.questions) == crash_at

    clock.set(START + CLAIM_TTL + SECOND)
    service = await services.start()
    runner = service.daily_runner(notifier)
    assert await runner.tick() == len(channels) - crash_at  # the unposted ones, late but once
    assert await runner.tick() == 0
    counts = Counter(s.target.channel_id for s in notifier.questions)
    assert counts == {channel: 1 for channel in channels}
    posts = await all_posts(service)
    assert {post.status for post in posts} == {repo.POSTED}
    assert len(posts) == len(channels)


async def test_a_post_found_after_long_downtime_is_confirmed_not_skipped(
    services: Services, clock: FakeClock, long_idle: None
) -> None:
    """Crash after the platform took the post, then down past the grace window: the post is
    there, so the occurrence is recorded as posted (and revealed by the next one)."""
    notifier = RecordingNotifier(clock)
    doomed = await services.start()
    await doomed.daily.set(admin("c"), "09:00")
    clock.set(START)
    notifier.crash_after_accept = 1
    with pytest.raises(Crash):
        await doomed.daily_runner(notifier).tick()
    await services.stop(doomed)

    clock.set(START + 5 * HOUR)  # back long after the grace window
    service = await services.start()
    runner = service.daily_runner(notifier)
    assert await runner.tick() == 0
    [post] = await all_posts(service)
    assert post.status == repo.POSTED
    assert post.message_id == notifier.questions[0].posted.message_id
    await drive(clock, [runner], START + DAY + HOUR)
    assert len(notifier.questions) == 2
    [reveal] = [s for s in notifier.sent if s.target.thread_id]
    assert reveal.target.thread_id == notifier.questions[0].posted.thread_id


async def test_a_runner_slowed_past_its_claim_does_not_post_next_to_the_one_that_took_over(
    services: Services, clock: FakeClock, tiny_waits: list[float]
) -> None:
    """A claim taken over while its first holder was still waiting out rate limits."""
    notifier = RecordingNotifier(clock)
    service = await services.start()
    await service.daily.set(admin("c"), "09:00")
    clock.set(START)
    slow = service.daily_runner(notifier, runner_id="slow")
    fast = service.daily_runner(notifier, runner_id="fast")
    overtaken = asyncio.Event()

    class SlowPlatform(RecordingNotifier):
        async def post(
            self, target: Target, reply: Reply, *, open_thread: str | None = None
        ) -> Posted:
            if not overtaken.is_set():
                clock.advance(CLAIM_TTL + SECOND)  # a long wait: the claim expires meanwhile
                assert await fast.tick() == 1  # another runner recovers and posts it
                overtaken.set()
                raise RateLimited(30)
            return await notifier.post(target, reply, open_thread=open_thread)

    slow.notifier = SlowPlatform(clock)
    fast.notifier = notifier
    assert await slow.tick() == 0  # renewing its claim before retrying, it finds it lost
    assert len(notifier.questions) == 1
    [post] = await all_posts(service)
    assert post.status == repo.POSTED


# --- downtime ------------------------------------------------------------------------------------


async def test_downtime_within_grace_posts_late_once_and_past_it_skips(
    services: Services, clock: FakeClock, long_idle: None
) -> None:
    notifier = RecordingNotifier(clock)
    service = await services.start()
    await service.daily.set(admin("c"), "09:00")
    clock.set(START)
    await drive(clock, [service.daily_runner(notifier)], START + HOUR)  # day 1 on time
    await services.stop(service)

    # Down over day 2's 09:00, back at 10:45 (grace: 2 h): posted late, once.
    clock.set(START + DAY + 105 * MINUTE)
    service = await services.start()
    runner = service.daily_runner(notifier)
    assert await runner.tick() == 1
    assert await runner.tick() == 0
    assert notifier.questions[-1].at == START + DAY + 105 * MINUTE
    await services.stop(service)

    # Down over day 3's 09:00, back at 11:01: past the grace window, skipped and recorded.
    clock.set(START + 2 * DAY + 2 * HOUR + MINUTE)
    service = await services.start()
    runner = service.daily_runner(notifier)
    assert await runner.tick() == 0
    # Day 4 is normal.
    await drive(clock, [runner], START + 3 * DAY + HOUR)
    # Down for days 5-7, back on day 8 at 09:30: the three missed ones skipped, day 8 posted.
    await services.stop(service)
    clock.set(START + 7 * DAY + 30 * MINUTE)
    service = await services.start()
    runner = service.daily_runner(notifier)
    assert await runner.tick() == 1

    posts = await all_posts(service)
    by_day = {post.local_date: post.status for post in posts}
    first = date(2024, 3, 1)
    assert by_day == {
        first: repo.POSTED,
        first + DAY: repo.POSTED,
        first + 2 * DAY: repo.SKIPPED,
        first + 3 * DAY: repo.POSTED,
        first + 4 * DAY: repo.SKIPPED,
        first + 5 * DAY: repo.SKIPPED,
        first + 6 * DAY: repo.SKIPPED,
        first + 7 * DAY: repo.POSTED,
    }
    spec = spec_of(await schedule_of(service, "c"))
    assert [spec.local_date(s.at) for s in notifier.questions] == [
        first,
        first + DAY,
        first + 3 * DAY,
        first + 7 * DAY,
    ]


# --- racing runners ------------------------------------------------------------------------------


async def test_two_runners_racing_on_every_tick_never_duplicate(
    db_services: Services, clock: FakeClock, long_idle: None
) -> None:
    """Two processes (two Services, two engines) on one database, on SQLite and PostgreSQL."""
    notifier = RecordingNotifier(clock)  # one platform both post to
    a, b = await db_services.start(), await db_services.start()
    await a.daily.set(admin("seoul"), "09:00")
    await b.daily.set(admin("seoul-too"), "09:00")  # due in the same instant
    await a.daily.set(admin("berlin"), "07:00", tz="Europe/Berlin", weekdays="weekdays")
    await b.daily.set(admin("ny"), "20:00", tz="America/New_York", weekdays="mon,wed,fri,sun")
    runners = [a.daily_runner(notifier, runner_id="a"), b.daily_runner(notifier, runner_id="b")]
    end = START + 8 * DAY

    steps = 0
    while await step(clock, runners, end):  # both tick concurrently at every due instant
        steps += 1
        if steps % 3 == 0:  # and again a little later, still racing
            clock.advance(SECOND)
            await asyncio.gather(*(r.tick() for r in runners))

    counts = await occurrence_counts(a, notifier.questions)
    assert counts and set(counts.values()) == {1}
    by_schedule = Counter(schedule_id for schedule_id, _ in counts)
    for channel in ("seoul", "seoul-too", "berlin", "ny"):
        spec = spec_of(await schedule_of(a, channel))
        first = spec.local_date(START)
        want = expected_dates(spec, first, spec.local_date(end))
        want = [day for day in want if occurrence_at(spec, day) <= end]
        schedule = await schedule_of(a, channel)
        assert by_schedule[schedule.id] == len(want), channel
        got = sorted(day for sid, day in counts if sid == schedule.id and day is not None)
        assert got == want, channel
    assert {post.status for post in await all_posts(b)} == {repo.POSTED}
    async with a.sessions() as session:
        won = Counter(await session.scalars(select(DailyPostRow.claimed_by)))
    assert set(won) == {"a", "b"}  # the race is real: each runner won some of the claims


# --- daylight saving -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "local", "want"),
    [
        pytest.param(
            datetime(2024, 3, 8, 12, tzinfo=UTC),
            "02:30",
            [
                datetime(2024, 3, 9, 7, 30, tzinfo=UTC),  # 02:30 EST
                datetime(2024, 3, 10, 7, 0, tzinfo=UTC),  # 02:30 does not exist: 03:00 EDT
                datetime(2024, 3, 11, 6, 30, tzinfo=UTC),  # 02:30 EDT
                datetime(2024, 3, 12, 6, 30, tzinfo=UTC),
            ],
            id="spring-forward",
        ),
        pytest.param(
            datetime(2024, 11, 1, 12, tzinfo=UTC),
            "01:30",
            [
                datetime(2024, 11, 2, 5, 30, tzinfo=UTC),  # 01:30 EDT
                datetime(2024, 11, 3, 5, 30, tzinfo=UTC),  # the first of the two 01:30s only
                datetime(2024, 11, 4, 6, 30, tzinfo=UTC),  # 01:30 EST
                datetime(2024, 11, 5, 6, 30, tzinfo=UTC),
            ],
            id="fall-back",
        ),
    ],
)
async def test_daylight_saving_changes_post_once_at_the_right_instant(
    sqlite_settings: Settings, long_idle: None, start: datetime, local: str, want: list[datetime]
) -> None:
    clock = FakeClock(start)
    started = Services(sqlite_settings, clock)
    service = await started.start()
    try:
        notifier = RecordingNotifier(clock)
        runner = service.daily_runner(notifier)
        await service.daily.set(admin("ny"), local, tz="America/New_York")
        await service.daily.set(admin("seoul"), "09:00", tz="Asia/Seoul")
        end = start + 4 * DAY
        while await step(clock, [runner], end):
            pass
        # Ticking every half hour through the changeover day posts nothing more (no second
        # 01:30 on the fall-back day, nothing at 02:30 after the spring-forward gap).
        clock.set(want[1] - 3 * HOUR)
        for _ in range(12):
            clock.advance(30 * MINUTE)
            await runner.tick()
        assert [s.at for s in notifier.questions_in("ny")] == want
        seoul = [s.at for s in notifier.questions_in("seoul")]
        first_seoul = datetime.combine(start.date() + DAY, time(0), UTC)
        assert seoul == [first_seoul + n * DAY for n in range(4)]  # 09:00 KST is always 00:00 UTC
    finally:
        await service.close()


# --- platform errors -----------------------------------------------------------------------------


async def test_rate_limits_are_waited_out_and_retried(
    services: Services, clock: FakeClock, tiny_waits: list[float]
) -> None:
    service = await services.start()
    notifier = RecordingNotifier(clock)
    runner = service.daily_runner(notifier)
    await service.daily.set(admin("c"), "09:00")
    clock.set(START)
    notifier.fail("c", RateLimited(retry_after=30.0), times=2)
    assert await runner.tick() == 1
    assert notifier.tries["c"] == 3
    assert tiny_waits == [TINY_WAIT_S, TINY_WAIT_S]  # waited (min(retry_after, cap)) each time
    [post] = await all_posts(service)
    assert post.status == repo.POSTED and post.attempts == 1

    # Rate limited beyond the bounded number of retries: recorded failed, the runner goes on.
    notifier.fail("c", RateLimited(retry_after=30.0), times=daily_runner.MAX_RATE_LIMIT_RETRIES + 1)
    clock.set(START + DAY)
    assert await runner.tick() == 0
    clock.set(START + 2 * DAY)
    assert await runner.tick() == 1
    statuses = [post.status for post in await all_posts(service)]
    assert statuses == [repo.POSTED, repo.FAILED, repo.POSTED]


async def test_server_errors_retry_a_bounded_number_of_times_then_record_the_failure(
    services: Services, clock: FakeClock, tiny_waits: list[float]
) -> None:
    service = await services.start()
    notifier = RecordingNotifier(clock)
    runner = service.daily_runner(notifier)
    await service.daily.set(admin("c"), "09:00")
    clock.set(START)
    notifier.fail("c", ServerError("502 bad gateway"), times=MAX_SERVER_RETRIES)
    assert await runner.tick() == 1
    assert notifier.tries["c"] == MAX_SERVER_RETRIES + 1
    assert tiny_waits == [TINY_WAIT_S * 2**n for n in range(MAX_SERVER_RETRIES)]  # backing off

    notifier.tries.clear()
    notifier.fail("c", ServerError("503 unavailable"), times=MAX_SERVER_RETRIES + 1)
    clock.set(START + DAY)
    assert await runner.tick() == 0
    assert notifier.tries["c"] == MAX_SERVER_RETRIES + 1
    failed = (await all_posts(service))[-1]
    assert failed.status == repo.FAILED
    assert failed.error == "503 unavailable"
    assert await runner.tick() == 0  # recorded: not retried again that day
    assert notifier.tries["c"] == MAX_SERVER_RETRIES + 1
    clock.set(START + 2 * DAY)
    assert await runner.tick() == 1
    assert len(notifier.questions) == 2


async def test_a_gone_channel_disables_its_schedule_with_the_reason(
    services: Services, clock: FakeClock, long_idle: None
) -> None:
    service = await services.start()
    notifier = RecordingNotifier(clock)
    runner = service.daily_runner(notifier)
    await service.daily.set(admin("gone"), "09:00")
    await service.daily.set(admin("fine"), "10:00")
    notifier.fail("gone", ChannelUnavailable("404 Unknown Channel"))
    await drive(clock, [runner], START + 5 * DAY + 2 * HOUR)

    assert notifier.questions_in("gone") == []
    assert len(notifier.questions_in("fine")) == 6
    schedule = await schedule_of(service, "gone")
    assert not schedule.enabled
    assert (
        schedule.disabled_reason is not None and "404 Unknown Channel" in schedule.disabled_reason
    )
    status = await service.daily.status(admin("gone"))
    state = {f.name: f.value for f in status.fields}["State"]
    assert state.startswith("disabled") and "404 Unknown Channel" in state
    assert notifier.tries["gone"] == 1  # tried once, never again
    assert notifier.tries["fine"] == 6

    # An admin fixes the channel and sets it again: it posts from the next occurrence on.
    await service.daily.set(admin("gone"), "09:00")
    await drive(clock, [runner], START + 6 * DAY + HOUR)
    assert len(notifier.questions_in("gone")) == 1


async def test_an_unexpected_failure_in_one_channel_never_stops_the_runner(
    services: Services, clock: FakeClock
) -> None:
    service = await services.start()
    notifier = RecordingNotifier(clock)
    runner = service.daily_runner(notifier)
    await service.daily.set(admin("broken"), "09:00")
    await service.daily.set(admin("fine"), "09:00")
    clock.set(START)
    notifier.fail("broken", RuntimeError("a bug in a front end"))
    assert await runner.tick() == 1  # does not raise; the other channel still posts
    assert len(notifier.questions_in("fine")) == 1
    # The broken one's state is unknown, so its claim is recovered after expiry: the platform
    # has no such post, so it is posted then, once.
    clock.set(START + CLAIM_TTL + SECOND)
    assert await runner.tick() == 1
    assert await runner.tick() == 0
    assert len(notifier.questions_in("broken")) == 1


# --- the loop -----------------------------------------------------------------------------------


async def test_run_forever_wakes_at_the_due_time_and_on_schedule_change(
    services: Services, clock: FakeClock, long_idle: None
) -> None:
    service = await services.start()
    notifier = RecordingNotifier(clock)
    runner = service.daily_runner(notifier)
    clock.set(START - 2 * HOUR)  # 07:00 in Seoul
    await service.daily.set(admin("c"), "09:00")
    task = asyncio.create_task(runner.run_forever())
    try:
        await clock.wait_for_sleepers(1)
        assert clock.next_deadline == START  # sleeps until 09:00, no polling
        assert notifier.questions == []

        clock.set(START)
        await clock.wait_for_sleepers(1)  # it woke, posted, and went back to sleep
        assert [s.at for s in notifier.questions] == [START]
        assert clock.next_deadline == START + DAY

        # A schedule change wakes it at once; it then sleeps until the new time.
        await service.daily.set(admin("c"), "08:00")
        await clock.wait_for_sleepers(1)
        assert clock.next_deadline == START + DAY - HOUR
        await service.daily.set(admin("other"), "07:30")
        await clock.wait_for_sleepers(1)
        assert clock.next_deadline == START + DAY - 90 * MINUTE

        clock.set(START + DAY - 90 * MINUTE)
        await clock.wait_for_sleepers(1)
        clock.set(START + DAY - HOUR)
        await clock.wait_for_sleepers(1)
        assert [s.target.channel_id for s in notifier.questions] == ["c", "other", "c"]
        assert [s.at for s in notifier.questions][1:] == [
            START + DAY - 90 * MINUTE,
            START + DAY - HOUR,
        ]
    finally:
        runner.stop()
        await asyncio.wait_for(task, timeout=5)
    assert task.done() and task.exception() is None


async def test_run_forever_survives_a_failing_tick(
    services: Services, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = await services.start()
    notifier = RecordingNotifier(clock)
    runner = service.daily_runner(notifier)
    await service.daily.set(admin("c"), "09:00")
    real_tick = runner.tick
    failures = iter([RuntimeError("database went away")])

    async def flaky_tick() -> int:
        error = next(failures, None)
        if error is not None:
            raise error
        return await real_tick()

    monkeypatch.setattr(runner, "tick", flaky_tick)
    clock.set(START)
    task = asyncio.create_task(runner.run_forever())
    try:
        await clock.wait_for_sleepers(1)
        assert notifier.questions == []  # the first pass failed; it sleeps (at most a minute)
        assert clock.next_deadline == START + daily_runner.MAX_IDLE_SLEEP
        clock.advance(daily_runner.MAX_IDLE_SLEEP)
        await clock.wait_for_sleepers(1)
        assert len(notifier.questions) == 1
    finally:
        runner.stop()
        await asyncio.wait_for(task, timeout=5)


def test_helpers_expected_dates() -> None:
    spec = ScheduleSpec(time(9), "Asia/Seoul", parse_weekdays("mon,wed,fri"))
    assert expected_dates(spec, date(2024, 3, 1), date(2024, 3, 8)) == [
        date(2024, 3, 1),
        date(2024, 3, 4),
        date(2024, 3, 6),
        date(2024, 3, 8),
    ]


@pytest.mark.parametrize(("set_in", "posts_in"), [(None, "en"), ("ko", "ko")])
async def test_posts_speak_the_configured_language_unless_the_admins_was_known(
    sqlite_settings: Settings, clock: FakeClock, set_in: str | None, posts_in: str
) -> None:
    """Set where the admin's language is unknown (console, Slack): the posts follow the
    configured language as it is when they go out. Set by a Discord client in Korean: Korean."""
    korean_setup = await Service.start(
        sqlite_settings.model_copy(update={"locale": "ko"}), clock=clock
    )
    caller = Caller(PLATFORM, "admin", "c", WORKSPACE, is_admin=True, locale=set_in)
    await korean_setup.daily.set(caller, "09:00")
    await korean_setup.close()
    english = await Service.start(sqlite_settings.model_copy(update={"locale": "en"}), clock=clock)
    try:
        notifier = RecordingNotifier(clock)
        clock.set(START + MINUTE)
        assert await english.daily_runner(notifier).tick() == 1
        [question] = notifier.questions
        assert question.reply.title == t("daily_title", posts_in, date="2024-03-01")
    finally:
        await english.close()
