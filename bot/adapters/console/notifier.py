"""Pushed messages in the console: a daily question or an idle interview's summary is printed
(above the prompt in a terminal), and a question opens the console's "thread" so the plain lines
that follow answer it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.core.models import Reply
from bot.core.ports import Posted, Target


class Screen(Protocol):
    """What the notifier needs of the console."""

    async def push(self, reply: Reply) -> None:
        """Print a reply the bot sends on its own (above the prompt in a terminal)."""
        ...

    def daily_posted(self, thread_id: str) -> None:
        """A daily question was shown: the next plain line answers it."""
        ...


class ConsoleNotifier:
    """Daily questions in the console: printed, and the next plain line answers them."""

    platform = "console"

    def __init__(self, console: Screen) -> None:
        self.console = console
        self._count = 0

    async def post(self, target: Target, reply: Reply, *, open_thread: str | None = None) -> Posted:
        """Print the post; a question opens the console's "thread" for the next answer."""
        self._count += 1
        message_id = f"console-{self._count}"
        await self.console.push(reply)
        if open_thread:
            self.console.daily_posted(message_id)
        return Posted(message_id, message_id if open_thread else None)

    async def direct(self, workspace_id: str, user_id: str, reply: Reply) -> Posted:
        """Print a message meant for the person at the console (a reminder)."""
        self._count += 1
        await self.console.push(reply)
        return Posted(f"console-{self._count}")

    async def find_post(self, target: Target, marker: str, *, since: datetime) -> Posted | None:
        """The console keeps no history to search."""
        raise NotImplementedError
