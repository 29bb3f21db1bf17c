"""Tests for bot.app.clock: FakeClock stepping, SystemClock chunked sleeping."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.app.clock import SystemClock
from bot.core.daily.schedule import (
    DEFAULT_GRACE,
    Decision,
    ScheduleSpec,
    due_occurrences,
    next_occurrence,
    occurrence_at,
)
from bot.core.ports import Clock
from bot.testing import FAKE_CLOCK_START, FakeClock

HOUR = timedelta(hours=1)


# --- FakeClock --------------------------------------------------------------------------------


def test_fake_clock_time_is_aware_utc_and_moves_only_when_told() -> None:
    clock = FakeClock()
    assert clock.now() == FAKE_CLOCK_START
    assert clock.now().utcoffset() == timedelta(0)
    assert clock.advance(HOUR) == FAKE_CLOCK_START + HOUR
    assert clock.now() == FAKE_CLOCK_START + HOUR
    seoul_noon = datetime.fromisoformat("2024-06-01T12:00:00+09:00")
    assert clock.set(seoul_noon) == datetime(2024, 6, 1, 3, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    assert clock.advance(-HOUR) == datetime(2024, 6, 1, 2, tzinfo=UTC)
    with pytest.raises(ValueError):
        FakeClock(datetime(2024, 1, 1))
    with pytest.raises(ValueError):
        clock.set(datetime(2024, 1, 1))


async def test_fake_sleep_returns_at_once_for_past_deadline_or_set_event() -> None:
    clock = FakeClock()
    wake = asyncio.Event()
    assert await clock.sleep_until(clock.now(), wake) is False
    assert await clock.sleep_until(clock.now() - HOUR, wake) is False
    wake.set()
    assert await clock.sleep_until(clock.now() + HOUR, wake) is True
    assert wake.is_set()  # never cleared by the clock
    assert clock.sleepers == 0
    with pytest.raises(ValueError):
        await clock.sleep_until(datetime(2030, 1, 1), wake)


async def test_fake_sleeper_wakes_when_time_reaches_deadline() -> None:
    clock = FakeClock()
    wake = asyncio.Event()
    deadline = clock.now() + 3 * HOUR
    task = asyncio.create_task(clock.sleep_until(deadline, wake))
    await clock.wait_for_sleepers(1)
    assert clock.sleepers == 1
    assert clock.next_deadline == deadline
    clock.advance(2 * HOUR)
    assert clock.sleepers == 1  # not yet
    clock.advance(HOUR)  # exactly at the deadline
    assert clock.sleepers == 0
    assert await task is False
    assert clock.next_deadline is None


async def test_fake_sleeper_woken_by_event() -> None:
    clock = FakeClock()
    wake = asyncio.Event()
    task = asyncio.create_task(clock.sleep_until(clock.now() + HOUR, wake))
    await clock.wait_for_sleepers(1)
    wake.set()
    assert await task is True
    assert clock.sleepers == 0


async def test_fake_clock_going_backwards_does_not_wake() -> None:
    clock = FakeClock()
    wake = asyncio.Event()
    start = clock.now()
    task = asyncio.create_task(clock.sleep_until(start + HOUR, wake))
    await clock.wait_for_sleepers(1)
    clock.set(start - timedelta(days=1))
    assert clock.sleepers == 1
    clock.set(start + HOUR - timedelta(microseconds=1))
    assert clock.sleepers == 1
    clock.set(start + HOUR)
    assert await task is False


async def test_fake_clock_wakes_sleepers_in_deadline_order_and_only_due_ones() -> None:
    clock = FakeClock()
    wake = asyncio.Event()
    order: list[int] = []

    async def sleeper(hours: int) -> None:
        if not await clock.sleep_until(FAKE_CLOCK_START + hours * HOUR, wake):
            order.append(hours)

    tasks = [asyncio.create_task(sleeper(h)) for h in (5, 2, 9, 3)]
    await clock.wait_for_sleepers(4)
    clock.advance(6 * HOUR)
    assert clock.sleepers == 1
    assert clock.next_deadline == FAKE_CLOCK_START + 9 * HOUR
    await asyncio.gather(*tasks[:2], tasks[3])
    assert order == [2, 3, 5]
    tasks[2].cancel()
    with pytest.raises(asyncio.CancelledError):
        await tasks[2]
    assert clock.sleepers == 0  # a cancelled sleeper is forgotten


# --- the intended runner pattern, driven by the FakeClock ---------------------------------------


async def test_runner_pattern_over_many_days_with_a_schedule_change() -> None:
    """A minimal runner: compute the next due instant, sleep, handle what is due, repeat.

    The test steps the FakeClock from one sleep to the next; each occurrence is posted once, on
    time, and a schedule change (event) takes effect without waiting for the old deadline.
    """
    clock = FakeClock(datetime(2024, 3, 1, tzinfo=UTC))
    wake = asyncio.Event()
    specs = {"spec": ScheduleSpec(time(9, 0), "Europe/Berlin")}
    last: date | None = date(2024, 2, 29)
    posted: list[tuple[date, datetime]] = []

    async def runner(c: Clock) -> None:
        nonlocal last
        while True:
            wake.clear()  # before reading the schedule, so a change made now is not lost
            spec = specs["spec"]
            for day, _due, decision in due_occurrences(spec, last, c.now(), DEFAULT_GRACE):
                if decision is Decision.POST:
                    posted.append((day, c.now()))
                last = day
            _, due = next_occurrence(spec, c.now(), handled_through=last)
            await c.sleep_until(due, wake)

    task = asyncio.create_task(runner(clock))
    try:
        for _ in range(40):  # spans Berlin's spring-forward on 2024-03-31
            await clock.wait_for_sleepers(1)
            deadline = clock.next_deadline
            assert deadline is not None
            clock.set(deadline)
        await clock.wait_for_sleepers(1)
        berlin = ScheduleSpec(time(9, 0), "Europe/Berlin")
        expected = [date(2024, 3, 1) + timedelta(days=i) for i in range(40)]
        assert posted == [(day, occurrence_at(berlin, day)) for day in expected]

        # change to 07:30 Seoul: the runner wakes at once and sleeps until the new time
        specs["spec"] = ScheduleSpec(time(7, 30), "Asia/Seoul")
        wake.set()
        await clock.wait_for_sleepers(1)
        assert (
            clock.next_deadline
            == next_occurrence(specs["spec"], clock.now(), handled_through=last)[1]
        )

        # the wall clock jumps back two days (and then returns): nothing is posted twice
        before = len(posted)
        clock.advance(-timedelta(days=2))
        wake.set()
        await clock.wait_for_sleepers(1)
        assert len(posted) == before
        handled = last
        assert handled is not None
        for _ in range(5):
            deadline = clock.next_deadline
            assert deadline is not None
            clock.set(deadline)
            await clock.wait_for_sleepers(1)
        assert [day for day, _ in posted[before:]] == [
            handled + timedelta(days=i) for i in range(1, 6)
        ]
        days_posted = [day for day, _ in posted]
        assert len(days_posted) == len(set(days_posted))
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


# --- SystemClock ------------------------------------------------------------------------------


def scripted_wall(times: list[datetime]) -> tuple[Callable[[], datetime], list[int]]:
    """A wall clock that returns ``times`` in turn, then stays at the last one."""
    calls = [0]
    iterator: Iterator[datetime] = iter(times)
    current = [times[0]]

    def wall() -> datetime:
        calls[0] += 1
        current[0] = next(iterator, current[0])
        return current[0]

    return wall, calls


def test_system_clock_now_is_aware_utc() -> None:
    now = SystemClock().now()
    assert now.tzinfo is UTC
    with pytest.raises(ValueError):
        SystemClock(max_chunk=0)


async def test_system_clock_returns_at_once_for_past_deadline_or_set_event() -> None:
    clock = SystemClock()
    wake = asyncio.Event()
    assert await clock.sleep_until(clock.now() - timedelta(seconds=1), wake) is False
    wake.set()
    assert await clock.sleep_until(clock.now() + timedelta(days=1), wake) is True
    with pytest.raises(ValueError):
        await clock.sleep_until(datetime(2030, 1, 1), wake)


async def test_system_clock_woken_by_event_from_another_task() -> None:
    clock = SystemClock()
    wake = asyncio.Event()
    sleeper = asyncio.create_task(clock.sleep_until(clock.now() + timedelta(days=1), wake))
    await asyncio.sleep(0)
    assert not sleeper.done()
    wake.set()
    assert await sleeper is True


async def test_system_clock_notices_a_wall_clock_jump_between_chunks() -> None:
    """Like a laptop waking from sleep: the wall clock is suddenly past the deadline."""
    start = datetime(2024, 5, 1, tzinfo=UTC)
    wall, calls = scripted_wall([start, start, start + timedelta(days=2)])
    clock = SystemClock(max_chunk=0.001, wall=wall)
    assert await clock.sleep_until(start + timedelta(days=1), asyncio.Event()) is False
    assert calls[0] == 3  # read again after each chunk, returned on the jump


async def test_system_clock_rereads_the_wall_clock_each_chunk() -> None:
    start = datetime(2024, 5, 1, tzinfo=UTC)
    steps = [start + i * HOUR for i in range(8)]
    wall, calls = scripted_wall(steps)
    clock = SystemClock(max_chunk=0.001, wall=wall)
    assert await clock.sleep_until(start + 5 * HOUR, asyncio.Event()) is False
    assert calls[0] == 6  # 0h..4h: sleep a chunk; 5h: deadline reached


async def test_system_clock_backwards_jump_extends_the_wait() -> None:
    start = datetime(2024, 5, 1, tzinfo=UTC)
    back = start - timedelta(days=1)
    wall, calls = scripted_wall([start, back, back, start + HOUR])
    clock = SystemClock(max_chunk=0.001, wall=wall)
    assert await clock.sleep_until(start + HOUR, asyncio.Event()) is False
    assert calls[0] == 4
