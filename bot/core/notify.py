"""How the core pushes messages a person did not ask for (the daily question) to a platform.

Each front end implements :class:`Notifier`. Platform failures are translated by the front end
into :class:`DeliveryError` kinds so the core can decide: wait, retry, disable, or record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.models import Reply


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
    """What a front end offers the daily runner."""

    platform: str

    async def post(self, target: Target, reply: Reply, *, open_thread: str | None = None) -> Posted:
        """Post ``reply`` to the target; with ``open_thread`` (a name) open a thread on it."""
        ...

    async def find_post(self, target: Target, marker: str) -> Posted | None:
        """A recent post of the bot's whose text carries ``marker``, if the platform can tell;
        raise :class:`NotImplementedError` when it cannot look."""
        ...
