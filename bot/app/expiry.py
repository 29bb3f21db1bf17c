"""Interview expiry: a job that ends interviews left idle past ``INTERVIEW_IDLE_MINUTES`` and
posts each summary where the interview ran. One per front end (and per process); ending is
guarded in the database, so two jobs never post the same summary."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from bot.app.context import Context
from bot.app.interview import MockInterviews
from bot.core.ports import DeliveryError, Notifier, Target

log = logging.getLogger(__name__)

CHECK_EVERY = timedelta(minutes=1)


class InterviewExpiry:
    """Ends the idle interviews of one platform, every :data:`CHECK_EVERY`, until stopped."""

    def __init__(self, ctx: Context, interviews: MockInterviews, notifier: Notifier) -> None:
        self.ctx = ctx
        self.interviews = interviews
        self.notifier = notifier
        self.platform = notifier.platform
        self._stopping = asyncio.Event()

    async def run_forever(self) -> None:
        """Check, then sleep a minute, until stopped."""
        while not self._stopping.is_set():
            await self.tick()
            await self.ctx.clock.sleep_until(self.ctx.clock.now() + CHECK_EVERY, self._stopping)

    def stop(self) -> None:
        """Ask the loop to end after the current step."""
        self._stopping.set()

    async def tick(self) -> int:
        """End this platform's idle interviews and post their summaries; returns how many."""
        try:
            ended = await self.interviews.expire_idle(self.platform)
        except Exception:  # the job must survive anything
            log.exception("ending idle interviews failed")
            return 0
        for state, reply in ended:
            parent = state.parent_channel_id or state.channel_id
            thread = state.channel_id if state.channel_id != parent else None
            target = Target(self.platform, state.workspace_id, parent, thread)
            with contextlib.suppress(DeliveryError):
                await self.notifier.post(target, reply)
        return len(ended)
