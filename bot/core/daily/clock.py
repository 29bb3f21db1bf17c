"""Where the daily runner gets the time from, and how it waits for it.

The runner never polls: it computes the earliest due instant, calls
:meth:`Clock.sleep_until` with it and an :class:`asyncio.Event` that a schedule change sets, and
recomputes whenever that returns. Two implementations:

- :class:`SystemClock` — real wall-clock time. It sleeps in chunks of at most
  :data:`MAX_SLEEP_CHUNK` seconds and re-reads the wall clock after each chunk, because the event
  loop's timer runs on a monotonic clock that does not advance while a laptop is suspended and
  does not follow wall-clock corrections. A wake from suspend or a clock jump is therefore noticed
  within one chunk.
- :class:`FakeClock` — time that only moves when a test says so (:meth:`FakeClock.advance`,
  :meth:`FakeClock.set`). Sleepers whose deadline the fake time reaches are woken; tests step
  deterministically with :meth:`FakeClock.wait_for_sleepers` (no real sleeping anywhere).

Contract shared by both: ``sleep_until`` returns ``False`` once the clock has reached ``when``
(including at once when ``when`` is not in the future) and ``True`` when ``wake`` was set before
the deadline. It never clears ``wake``: the caller clears it *before* re-reading the schedules, so
a change made while it recomputes is not lost.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, Protocol

# Longest single wait of SystemClock before it re-reads the wall clock (seconds). Bounds how late
# a post can be after a laptop wakes from sleep or the wall clock jumps forward.
MAX_SLEEP_CHUNK: Final[float] = 30.0

# Where a FakeClock starts when a test does not say: a fixed, unremarkable instant.
FAKE_CLOCK_START: Final[datetime] = datetime(2024, 1, 1, tzinfo=UTC)


def _require_aware(value: datetime, name: str) -> datetime:
    """Return ``value`` in UTC; a naive datetime is a programming error."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
    return value.astimezone(UTC)


class Clock(Protocol):
    """The runner's source of time."""

    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...

    async def sleep_until(self, when: datetime, wake: asyncio.Event) -> bool:
        """Wait until ``when`` (aware) or until ``wake`` is set, whichever comes first.

        Returns ``True`` if woken by ``wake`` before the deadline, ``False`` once the deadline
        is reached. Does not clear ``wake``.
        """
        ...


async def _wait_event(event: asyncio.Event, timeout: float) -> bool:
    """Wait for ``event`` at most ``timeout`` seconds; ``True`` if it was set."""
    try:
        async with asyncio.timeout(timeout):
            await event.wait()
    except TimeoutError:
        return False
    return True


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SystemClock:
    """Real time, robust to suspend/resume and wall-clock jumps (see the module docstring).

    ``max_chunk`` (seconds) and ``wall`` (the wall-clock reader) exist so tests can exercise the
    chunking; production uses the defaults.
    """

    def __init__(
        self,
        max_chunk: float = MAX_SLEEP_CHUNK,
        wall: Callable[[], datetime] = _utc_now,
    ) -> None:
        if max_chunk <= 0:
            raise ValueError("max_chunk must be positive")
        self._max_chunk = max_chunk
        self._wall = wall

    def now(self) -> datetime:
        """The current wall-clock instant in UTC."""
        return _require_aware(self._wall(), "wall clock")

    async def sleep_until(self, when: datetime, wake: asyncio.Event) -> bool:
        """Sleep in chunks of at most ``max_chunk`` seconds until ``when`` or ``wake``.

        After every chunk the wall clock is read again, so a deadline that passed while the
        machine was suspended (or a jump of the wall clock) ends the sleep within one chunk; a
        backwards jump simply makes the remaining wait longer.
        """
        deadline = _require_aware(when, "when")
        while True:
            remaining = (deadline - self.now()).total_seconds()
            if remaining <= 0:
                return False
            if wake.is_set():
                return True
            if await _wait_event(wake, min(remaining, self._max_chunk)):
                return True


@dataclass(eq=False)
class _Sleeper:
    deadline: datetime
    wake: asyncio.Event
    result: asyncio.Future[bool]

    @property
    def waiting(self) -> bool:
        return not self.result.done() and not self.wake.is_set()


async def _resolve_on(wake: asyncio.Event, result: asyncio.Future[bool]) -> None:
    await wake.wait()
    if not result.done():
        result.set_result(True)


class FakeClock:
    """A clock for tests: time moves only through :meth:`advance` and :meth:`set`.

    Moving the time (forwards or backwards) wakes, in deadline order, every sleeper whose
    deadline the new time has reached; the woken sleepers stop counting as sleeping at once, so
    ``clock.advance(...)`` followed by ``await clock.wait_for_sleepers(1)`` returns only when the
    code under test has done its work and gone back to sleep. Nothing here depends on real time.
    """

    def __init__(self, start: datetime = FAKE_CLOCK_START) -> None:
        self._now = _require_aware(start, "start")
        self._sleepers: list[_Sleeper] = []
        self._count_waiters: list[tuple[int, asyncio.Future[None]]] = []

    def now(self) -> datetime:
        """The fake current instant (UTC)."""
        return self._now

    @property
    def sleepers(self) -> int:
        """How many ``sleep_until`` calls are waiting (neither due nor woken by their event)."""
        return sum(1 for sleeper in self._sleepers if sleeper.waiting)

    @property
    def next_deadline(self) -> datetime | None:
        """The earliest deadline a waiting sleeper sleeps until, or ``None`` if nobody sleeps."""
        return min((s.deadline for s in self._sleepers if s.waiting), default=None)

    def advance(self, delta: timedelta) -> datetime:
        """Move the time by ``delta`` (may be negative), wake due sleepers; return the new time."""
        return self.set(self._now + delta)

    def set(self, when: datetime) -> datetime:
        """Jump to ``when`` (aware; may be in the past) and wake due sleepers; returns it."""
        self._now = _require_aware(when, "when")
        due = sorted(
            (s for s in self._sleepers if s.deadline <= self._now), key=lambda s: s.deadline
        )
        for sleeper in due:
            self._sleepers.remove(sleeper)
            if not sleeper.result.done():
                sleeper.result.set_result(False)
        return self._now

    async def wait_for_sleepers(self, count: int = 1) -> None:
        """Return once at least ``count`` tasks are waiting in :meth:`sleep_until`.

        A sleeper whose ``wake`` event is set no longer counts, so after a schedule change
        (``wake.set()``) this waits for the code under test to go back to sleep.
        """
        if self.sleepers >= count:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._count_waiters.append((count, future))
        try:
            await future
        finally:
            with contextlib.suppress(ValueError):
                self._count_waiters.remove((count, future))

    def _notify_count(self) -> None:
        waiting = self.sleepers
        for count, future in list(self._count_waiters):
            if waiting >= count and not future.done():
                future.set_result(None)

    async def sleep_until(self, when: datetime, wake: asyncio.Event) -> bool:
        """Wait until the fake time reaches ``when`` or ``wake`` is set (see :class:`Clock`).

        Sleepers reached by the same :meth:`set` resume in deadline order.
        """
        deadline = _require_aware(when, "when")
        if deadline <= self._now:
            return False
        if wake.is_set():
            return True
        loop = asyncio.get_running_loop()
        sleeper = _Sleeper(deadline, wake, loop.create_future())
        self._sleepers.append(sleeper)
        watcher = loop.create_task(_resolve_on(wake, sleeper.result))
        self._notify_count()
        try:
            return await sleeper.result
        finally:
            watcher.cancel()
            if sleeper in self._sleepers:
                self._sleepers.remove(sleeper)
