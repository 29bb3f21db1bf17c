"""Real time for the jobs that wait (the :class:`bot.core.ports.Clock` of a running bot).

The daily runner never polls: it computes the earliest due instant, calls
:meth:`Clock.sleep_until` with it and an :class:`asyncio.Event` that a schedule change sets, and
recomputes whenever that returns. Two implementations:

- :class:`SystemClock` — real wall-clock time. It sleeps in chunks of at most
  :data:`MAX_SLEEP_CHUNK` seconds and re-reads the wall clock after each chunk, because the event
  loop's timer runs on a monotonic clock that does not advance while a laptop is suspended and
  does not follow wall-clock corrections. A wake from suspend or a clock jump is therefore noticed
  within one chunk.
- :class:`bot.testing.FakeClock` — time that only moves when a test says so
  (:meth:`FakeClock.advance`, :meth:`FakeClock.set`). Sleepers whose deadline the fake time
  reaches are woken; tests step deterministically with :meth:`FakeClock.wait_for_sleepers`
  (no real sleeping anywhere).

Contract shared by both: ``sleep_until`` returns ``False`` once the clock has reached ``when``
(including at once when ``when`` is not in the future) and ``True`` when ``wake`` was set before
the deadline. It never clears ``wake``: the caller clears it *before* re-reading the schedules, so
a change made while it recomputes is not lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final

# Longest single wait of SystemClock before it re-reads the wall clock (seconds). Bounds how late
# a post can be after a laptop wakes from sleep or the wall clock jumps forward.
MAX_SLEEP_CHUNK: Final[float] = 30.0


def require_aware(value: datetime, name: str) -> datetime:
    """Return ``value`` in UTC; a naive datetime is a programming error."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
    return value.astimezone(UTC)


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
        return require_aware(self._wall(), "wall clock")

    async def sleep_until(self, when: datetime, wake: asyncio.Event) -> bool:
        """Sleep in chunks of at most ``max_chunk`` seconds until ``when`` or ``wake``.

        After every chunk the wall clock is read again, so a deadline that passed while the
        machine was suspended (or a jump of the wall clock) ends the sleep within one chunk; a
        backwards jump simply makes the remaining wait longer.
        """
        deadline = require_aware(when, "when")
        while True:
            remaining = (deadline - self.now()).total_seconds()
            if remaining <= 0:
                return False
            if wake.is_set():
                return True
            if await _wait_event(wake, min(remaining, self._max_chunk)):
                return True
