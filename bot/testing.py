"""Test doubles the tests and benchmarks share: a :class:`FakeClock` and one recording
:class:`RecordingNotifier`. Nothing in the running bot imports this module."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, NamedTuple

from bot.app.clock import require_aware
from bot.core.daily.rules import carries_marker
from bot.core.models import Reply, ReplyKind
from bot.core.ports import ChannelUnavailable, Posted, Target

# Where a FakeClock starts when a test does not say: a fixed, unremarkable instant.
FAKE_CLOCK_START: Final[datetime] = datetime(2024, 1, 1, tzinfo=UTC)


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
        self._now = require_aware(start, "start")
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
        self._now = require_aware(when, "when")
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
        deadline = require_aware(when, "when")
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


# --- the recording platform ---------------------------------------------------------------------

# Discord-like ids: all digits, far beyond a 32-bit integer.
SNOWFLAKE_START: Final = 1_234_567_890_123_456_789


class Crash(BaseException):
    """A simulated process death (not an ``Exception``: nothing in the bot may swallow it)."""


class Sent(NamedTuple):
    """One message the platform accepted."""

    target: Target
    reply: Reply
    open_thread: str | None
    posted: Posted
    at: datetime | None

    @property
    def post_id(self) -> int | None:
        """The daily post a question or reveal belongs to."""
        value = self.reply.extra.get("daily_post_id")
        return value if isinstance(value, int) else None


class RecordingNotifier:
    """A platform that records what it accepts (a :class:`bot.core.ports.Notifier`).

    It can be told to fail (:meth:`fail`, or a channel in :attr:`gone` refuses with 403), to
    "crash" the process (record the post, then raise :class:`Crash`; or raise before
    accepting), to give Discord-like ids (``snowflakes``), or to be unable to look posts up
    (``can_find=False``). With ``clock`` each record carries the time it was accepted.
    """

    def __init__(
        self,
        clock: FakeClock | None = None,
        *,
        platform: str = "test",
        can_find: bool = True,
        snowflakes: bool = False,
    ) -> None:
        self.platform = platform
        self.clock = clock
        self.can_find = can_find
        self.sent: list[Sent] = []
        self.gone: set[str] = set()
        self.attempts = 0
        self.tries: Counter[str] = Counter()  # top-level post attempts per channel
        self.lookups = 0
        self.crash_after_accept = 0
        self.crash_before_accept = 0
        self._errors: dict[str, list[BaseException]] = {}
        self._snowflakes = snowflakes
        self._ids = itertools.count(SNOWFLAKE_START if snowflakes else 1)

    async def direct(self, workspace_id: str, user_id: str, reply: Reply) -> Posted:
        """Accept (record) a direct message to a person: its target's channel is ``@<user>``
        (a person in :attr:`gone` as ``@<user>`` refuses with 403)."""
        return await self.post(Target(self.platform, workspace_id, f"@{user_id}"), reply)

    def fail(self, channel_id: str, error: BaseException, times: int = 1) -> None:
        """Make the next ``times`` posts to ``channel_id`` itself (not replies in its threads)
        raise ``error``."""
        self._errors.setdefault(channel_id, []).extend([error] * times)

    async def post(self, target: Target, reply: Reply, *, open_thread: str | None = None) -> Posted:
        """Accept (record) a post, unless told to fail or crash."""
        self.attempts += 1
        await asyncio.sleep(0)  # a network round trip: racing runners interleave here
        if self.crash_before_accept:
            self.crash_before_accept -= 1
            raise Crash("died before the platform accepted the post")
        if target.channel_id in self.gone:
            raise ChannelUnavailable("403 Missing Access")
        pending = self._errors.get(target.channel_id) if target.thread_id is None else None
        if target.thread_id is None:
            self.tries[target.channel_id] += 1
        if pending:
            raise pending.pop(0)
        number = next(self._ids)
        if self._snowflakes:
            posted = Posted(str(number), str(next(self._ids)) if open_thread else None)
        else:
            posted = Posted(f"m{number}", f"t{number}" if open_thread else None)
        at = self.clock.now() if self.clock is not None else None
        self.sent.append(Sent(target, reply, open_thread, posted, at))
        if self.crash_after_accept:
            self.crash_after_accept -= 1
            raise Crash("died after the platform accepted the post")
        return posted

    async def find_post(self, target: Target, marker: str, *, since: datetime) -> Posted | None:
        """The recorded post in that channel whose footer carries ``marker`` (accepted at or
        after ``since`` when the records carry times)."""
        self.lookups += 1
        if not self.can_find:
            raise NotImplementedError
        for sent in reversed(self.sent):
            if sent.at is not None and sent.at < since:
                continue
            same_channel = (sent.target.workspace_id, sent.target.channel_id) == (
                target.workspace_id,
                target.channel_id,
            )
            if (
                same_channel
                and sent.target.thread_id is None
                and carries_marker(sent.reply.footer, marker)
            ):
                return sent.posted
        return None

    @property
    def questions(self) -> list[Sent]:
        """The daily questions posted (not the reveals in threads)."""
        return [s for s in self.sent if s.reply.kind is ReplyKind.QUESTION]

    @property
    def reveals(self) -> list[Sent]:
        """What was posted into threads (reveals, summaries)."""
        return [s for s in self.sent if s.target.thread_id is not None]

    def questions_in(self, channel_id: str) -> list[Sent]:
        """The daily questions posted in one channel, in order."""
        return [s for s in self.questions if s.target.channel_id == channel_id]
