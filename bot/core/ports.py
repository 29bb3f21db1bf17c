"""The core's ports: what the application supplies and the front ends implement.

- :class:`Clock`: where time comes from and how a job waits for it (tests control it).
- :class:`Grader`: how an answer is scored against a concept's key points; the keyword grader
  (:class:`bot.core.grading.grader.KeywordGrader`) is one, another signal can plug in.
- :class:`Notifier`: how a message nobody asked for (a daily question, an interview's summary
  after it went idle) is pushed to a platform. Front ends translate platform failures into
  :class:`DeliveryError` kinds so the application can decide: wait, retry, disable, or record.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from bot.core.models import Concept, Grade, Reply

if TYPE_CHECKING:
    from bot.core.grading.synonyms import SynonymMap


class Clock(Protocol):
    """A source of time for the jobs that wait (the daily runner, interview expiry).

    ``sleep_until`` returns ``False`` once the clock has reached ``when`` (at once when it is not
    in the future) and ``True`` when ``wake`` was set before the deadline. It never clears
    ``wake``: the caller clears it *before* re-reading its state, so a change is not lost.
    """

    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...

    async def sleep_until(self, when: datetime, wake: asyncio.Event) -> bool:
        """Wait until ``when`` (aware) or until ``wake`` is set, whichever comes first."""
        ...


class Grader(Protocol):
    """Scores a free-text answer against a concept (pure, synchronous; run off the loop)."""

    def grade(self, concept: Concept, answer: str, synonyms: SynonymMap) -> Grade:
        """The grade of ``answer``; ``synonyms`` are the notes' equivalent words."""
        ...


@dataclass(frozen=True, slots=True)
class Target:
    """Where a pushed message goes: a platform channel (``thread_id`` for a reply in a thread)."""

    platform: str
    workspace_id: str
    channel_id: str
    thread_id: str | None = None
    mention: str | None = None


@dataclass(frozen=True, slots=True)
class Posted:
    """A message the platform accepted: its id, and the thread it opened (if any)."""

    message_id: str
    thread_id: str | None = None


class DeliveryError(Exception):
    """A platform refused or failed a push."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RateLimited(DeliveryError):
    """Too many requests: wait ``retry_after`` seconds, then try again."""

    def __init__(self, retry_after: float, reason: str = "rate limited") -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class ChannelUnavailable(DeliveryError):
    """The channel is gone or the bot may not post there (404 / 403): retrying will not help."""


class ServerError(DeliveryError):
    """A 5xx or a network error: worth a bounded number of retries."""


class Notifier(Protocol):
    """What a front end offers the jobs that push messages (daily runner, interview expiry)."""

    platform: str

    async def post(self, target: Target, reply: Reply, *, open_thread: str | None = None) -> Posted:
        """Post ``reply`` to the target; with ``open_thread`` (a name) open a thread on it."""
        ...

    async def direct(self, workspace_id: str, user_id: str, reply: Reply) -> Posted:
        """Send ``reply`` to one person privately: a direct message (Discord, Slack), a line
        at the console. Raises :class:`DeliveryError` kinds as :meth:`post` does (a person
        who closed their DMs: :class:`ChannelUnavailable`)."""
        ...

    async def find_post(self, target: Target, marker: str, *, since: datetime) -> Posted | None:
        """The bot's post in the target channel whose text carries ``marker``, searching every
        message sent at or after ``since`` (however many there are: a busy channel must not hide
        it); raise :class:`NotImplementedError` when the platform cannot look."""
        ...
