"""Reminders: a job that nudges people who opted in (``/remind on 21:00``) when concepts are due
for review: once their local time has come, a direct message "N concepts are due" with the
Review button. One per front end and process; each nudge is claimed in the database first (the
reminder's ``last_sent_on`` moves to that local day in one conditional UPDATE), so restarts and
several processes send it once per person and day. A day with nothing due sends nothing (and is
looked at again while the day lasts, in case cards fall due later)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Final

from bot.app.context import Context
from bot.core.errors import BadInput
from bot.core.ports import ChannelUnavailable, DeliveryError, Notifier
from bot.core.review.progress import parse_time_of_day, reminder_due_on, zone_of
from bot.core.review.replies import nudge_reply
from bot.db import reviews as repo

log = logging.getLogger(__name__)

CHECK_EVERY: Final = timedelta(minutes=1)
# The latest local date anywhere is at most this far ahead of UTC (UTC+14).
AHEAD_OF_UTC: Final = timedelta(hours=14)


class ReminderRunner:
    """Sends this platform's due-review nudges, every :data:`CHECK_EVERY`, until stopped."""

    def __init__(self, ctx: Context, notifier: Notifier) -> None:
        self.ctx = ctx
        self.notifier = notifier
        self.platform = notifier.platform
        self._stopping = asyncio.Event()

    async def run_forever(self) -> None:
        """Check, then sleep a minute, until stopped."""
        self._stopping.clear()
        while not self._stopping.is_set():
            await self.tick()
            await self.ctx.clock.sleep_until(self.ctx.clock.now() + CHECK_EVERY, self._stopping)

    def stop(self) -> None:
        """Ask the loop to end after the current step."""
        self._stopping.set()

    async def tick(self) -> int:
        """Send every nudge due now; returns how many were sent."""
        try:
            return await self._tick()
        except Exception:  # the job must survive anything
            log.exception("sending review reminders failed")
            return 0

    async def _tick(self) -> int:
        now = self.ctx.clock.now()
        async with self.ctx.reads() as session:
            reminders = await repo.reminders_due(
                session, (now + AHEAD_OF_UTC).date(), self.platform
            )
        sent = 0
        for reminder in reminders:
            moment = parse_time_of_day(reminder.local_time)
            try:
                zone = zone_of(reminder.tz)
            except BadInput:
                continue
            if moment is None:
                continue
            day = reminder_due_on(moment, zone, reminder.last_sent_on, now)
            if day is None:
                continue
            person = (reminder.platform, reminder.workspace_id, reminder.user_id)
            async with self.ctx.sessions() as session, session.begin():
                due = await repo.cards_due_between(session, *person, None, now)
                claimed = due > 0 and await repo.claim_reminder(session, *person, day)
            if not claimed:
                continue
            reply = nudge_reply(reminder.locale or self.ctx.settings.locale, due)
            try:
                await self.notifier.direct(reminder.workspace_id, reminder.user_id, reply)
                sent += 1
            except ChannelUnavailable as exc:  # DMs closed: the day's nudge is given up
                log.info("a reminder could not reach %s: %s", reminder.user_id, exc.reason)
            except DeliveryError as exc:
                log.warning("a reminder to %s failed: %s", reminder.user_id, exc.reason)
        return sent
