"""The daily runner: sleeps until the earliest due post, claims each occurrence in the database
before posting, and records what the platform accepted.

Exactly once, across restarts and processes:
- an occurrence (schedule, local date) is claimed by INSERT under a unique constraint: only the
  runner whose insert wins posts it;
- the claim carries an expiry; a runner that crashed between claim and post leaves a claim that
  another runner (or the restarted one) takes over once expired, and before posting again it asks
  the platform whether the post is already there (the marker ``Q#id``); when the platform cannot
  tell, the occurrence is recorded as failed rather than risk a second visible post;
- the claim and the choice of its concept commit together (one transaction); before every retry
  of a post the claim is renewed and checked to still be this runner's, so a runner slowed down
  past the expiry (long rate-limit waits) backs off instead of posting next to the runner that
  took the claim over;
- missed occurrences within the grace window are posted late, once; older ones are recorded as
  skipped (:func:`bot.core.daily.schedule.due_occurrences`);
- the reference answer of the previous question is revealed at most once: the reveal is marked
  in the database before it is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.daily.schedule import Decision, due_occurrences, next_occurrence
from bot.core.daily_service import marker, spec_of, target_of
from bot.core.errors import BotError
from bot.core.messages import t
from bot.core.models import Concept, DailyPost, Reply, ScheduleState
from bot.core.notify import (
    ChannelUnavailable,
    DeliveryError,
    Notifier,
    Posted,
    RateLimited,
    ServerError,
)
from bot.db import daily as repo

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core.service import Service

log = logging.getLogger(__name__)

_Figures = tuple[int, float, list[tuple[str, int]]]

CLAIM_TTL = timedelta(minutes=5)
MAX_IDLE_SLEEP = timedelta(minutes=1)  # picks up schedules changed by another process
MAX_RATE_LIMIT_RETRIES = 5
MAX_RATE_LIMIT_WAIT_S = 60.0
MAX_SERVER_RETRIES = 3
SERVER_RETRY_BASE_S = 1.0
MAX_THREAD_NAME = 90
UNCONFIRMED_ERROR = "unconfirmed after a crash; not re-posted"
EXPIRED_CLAIM_ERROR = "claim expired past the grace window (or the schedule was turned off)"
ERROR_CHARS = 500  # longest error text stored with an occurrence


class ClaimLost(Exception):
    """This runner's claim expired and was taken over (or settled) before it could post."""


@dataclass(frozen=True, slots=True)
class _Claimed:
    """An occurrence this runner holds: its concept, and the previous post to reveal (already
    marked revealed, with its figures) if this runner is the one to reveal it."""

    post_id: int
    local_date: date | None
    concept: Concept
    reveal: tuple[DailyPost, _Figures] | None


class DailyRunner:
    """Posts the daily questions of one platform. Start one per front end (and per process)."""

    def __init__(
        self,
        service: Service,
        notifier: Notifier,
        *,
        runner_id: str | None = None,
        claim_ttl: timedelta = CLAIM_TTL,
    ) -> None:
        self.service = service
        self.notifier = notifier
        self.platform = notifier.platform
        self.runner_id = runner_id or f"{self.platform}-{uuid.uuid4().hex[:8]}"
        self.claim_ttl = claim_ttl
        self.grace = timedelta(minutes=service.settings.daily_grace_minutes)
        self._stopping = asyncio.Event()
        self._fresh = False  # the concept index was refreshed during this tick

    # --- the loop ------------------------------------------------------------------------

    async def run_forever(self) -> None:
        """Tick, then sleep until the next due post (or a schedule change), until stopped."""
        while not self._stopping.is_set():
            # Cleared before the schedules are read: a change made while this pass runs sets the
            # event again and the sleep below returns at once.
            self.service.daily.changed.clear()
            try:
                await self.tick()
                wake_at = await self.next_wake()
            except Exception:  # the runner must survive anything
                log.exception("daily runner tick failed")
                wake_at = self.service.clock.now() + MAX_IDLE_SLEEP
            if self._stopping.is_set():
                break
            await self.service.clock.sleep_until(wake_at, self.service.daily.changed)

    def stop(self) -> None:
        """Ask the loop to end after the current step."""
        self._stopping.set()
        self.service.daily.changed.set()

    async def next_wake(self) -> datetime:
        """The earliest next occurrence of this platform's schedules, at most
        :data:`MAX_IDLE_SLEEP` away (so changes made by another process are noticed)."""
        now = self.service.clock.now()
        wake = now + MAX_IDLE_SLEEP
        async with self.service.sessions() as session:
            schedules = await repo.enabled_schedules(session, self.platform)
            handled = await repo.last_handled_all(session, self.platform)
        for schedule in schedules:
            _, due = next_occurrence(
                spec_of(schedule), now, handled_through=handled.get(schedule.id)
            )
            wake = min(wake, due)
        return wake

    async def tick(self) -> int:
        """Handle everything due now; returns how many questions were posted.

        One channel's failure (an unexpected exception from a front end, a database hiccup) is
        logged and does not stop the others; an unconfirmed claim it leaves is recovered later.
        """
        now = self.service.clock.now()
        posted = 0
        async with self.service.sessions() as session:
            expired = await repo.expired_claims(session, self.platform, now)
            schedules = await repo.enabled_schedules(session, self.platform)
            handled = await repo.last_handled_all(session, self.platform)
        self._fresh = False
        for post in expired:
            try:
                posted += await self._recover(post, now)
            except Exception:  # one occurrence must not stop the others
                log.exception("recovering daily post %s failed", post.id)
        for schedule in schedules:
            try:
                posted += await self._handle_schedule(schedule, now, handled.get(schedule.id))
            except Exception:  # one channel must not stop the others
                log.exception("daily schedule %s failed", schedule.id)
        return posted

    async def _handle_schedule(
        self, schedule: ScheduleState, now: datetime, handled: date | None
    ) -> int:
        decisions = due_occurrences(
            spec_of(schedule), handled, now, self.grace, since=schedule.updated_at
        )
        posted = 0
        for local_date, due, decision in decisions:
            if decision is Decision.SKIP:
                async with self.service.sessions() as session, session.begin():
                    await repo.claim(
                        session,
                        schedule.id,
                        local_date,
                        due,
                        runner=self.runner_id,
                        status=repo.SKIPPED,
                        now=self.service.clock.now(),
                    )
                continue
            claimed = await self._claim(schedule, local_date, due)
            if claimed is not None:
                posted += await self._deliver(schedule, claimed)
        return posted

    async def post_now(self, schedule: ScheduleState) -> DailyPost:
        """Post a question at once (``/daily now``), outside the schedule's occurrences.

        Raises the platform's :class:`DeliveryError` (or ``BadInput`` when no concept is
        eligible) after recording it, so the front end can tell the admin."""
        self._fresh = False
        claimed = await self._claim(schedule, None, self.service.clock.now(), raise_errors=True)
        assert claimed is not None
        await self._deliver(schedule, claimed, raise_errors=True)
        async with self.service.sessions() as session:
            post = await repo.get_post(session, claimed.post_id)
        assert post is not None
        return post

    # --- claiming ------------------------------------------------------------------------

    async def _claim(
        self,
        schedule: ScheduleState,
        local_date: date | None,
        due: datetime,
        *,
        raise_errors: bool = False,
    ) -> _Claimed | None:
        """Claim an occurrence and choose its concept in one transaction; None when another
        runner holds it (or nothing can be asked: then it is recorded failed)."""
        failure: BotError | None = None
        await self._refresh_once()
        async with self.service.sessions() as session, session.begin():
            post_id = await repo.claim(
                session,
                schedule.id,
                local_date,
                due,
                runner=self.runner_id,
                ttl=self.claim_ttl,
                now=self.service.clock.now(),
            )
            if post_id is None:
                return None
            try:
                return await self._prepare(session, schedule, post_id, local_date, None)
            except BotError as exc:  # recorded with the claim: the occurrence is not retried
                failure = exc
                await repo.set_post(
                    session,
                    post_id,
                    status=repo.FAILED,
                    error=str(exc)[:ERROR_CHARS],
                    claim_expires_at=None,
                )
        if raise_errors and failure is not None:
            raise failure
        return None

    async def _refresh_once(self) -> None:
        """Reload the concepts if the notes changed (here or in another process), at most once a
        tick and only when something is to be posted."""
        if not self._fresh:
            await self.service.refresh()
            self._fresh = True

    async def _prepare(
        self,
        session: AsyncSession,
        schedule: ScheduleState,
        post_id: int,
        local_date: date | None,
        chosen: int | None,
    ) -> _Claimed:
        """Inside the claim's transaction: choose the concept, and take over revealing the
        previous question (marked now: a reveal is sent at most once, a lost one beats a
        doubled one)."""
        concept = await self.service.daily.choose_in(
            session, schedule, post_id, local_date, chosen=chosen
        )
        reveal = None
        previous = await repo.latest_posted(session, schedule.id)
        if (
            previous is not None
            and previous.revealed_at is None
            and await repo.mark_revealed(session, previous.id, self.service.clock.now())
        ):
            reveal = (previous, await repo.figures(session, previous.id))
        return _Claimed(post_id, local_date, concept, reveal)

    # --- delivery ------------------------------------------------------------------------

    async def _deliver(
        self, schedule: ScheduleState, claimed: _Claimed, *, raise_errors: bool = False
    ) -> int:
        post_id = claimed.post_id
        try:
            if claimed.reveal is not None:
                await self._reveal(schedule, *claimed.reveal)
            reply = self.service.daily.question_reply(
                schedule, post_id, claimed.concept, claimed.local_date
            )
            name = t("daily_thread_name", schedule.locale, term=claimed.concept.term)
            posted = await self._send(
                schedule, reply, open_thread=_thread_name(name), claim=post_id
            )
        except ClaimLost:
            log.warning("daily post %s: claim taken over by another runner; not posting", post_id)
            return 0
        except ChannelUnavailable as exc:
            await self._disable(schedule, post_id, exc)
            if raise_errors:
                raise
            return 0
        except DeliveryError as exc:
            await self._fail(post_id, exc)
            if raise_errors:
                raise
            return 0
        await self._set(
            post_id,
            status=repo.POSTED,
            message_id=posted.message_id,
            thread_id=posted.thread_id,
            posted_at=self.service.clock.now(),
            error=None,
        )
        return 1

    async def _send(
        self,
        schedule: ScheduleState,
        reply: Reply,
        *,
        open_thread: str | None = None,
        thread_id: str | None = None,
        claim: int | None = None,
    ) -> Posted:
        """Post with the retry policy: wait out rate limits, retry server errors a few times.

        With ``claim`` (the occurrence being posted) the claim is renewed before every retry;
        :class:`ClaimLost` is raised instead of posting when it is no longer this runner's.
        """
        target = target_of(schedule, thread_id)
        rate_limits = server_errors = 0
        while True:
            if claim is not None and rate_limits + server_errors:
                await self._renew(claim)
            try:
                return await self.notifier.post(target, reply, open_thread=open_thread)
            except RateLimited as exc:
                rate_limits += 1
                if rate_limits > MAX_RATE_LIMIT_RETRIES:
                    raise
                await asyncio.sleep(min(exc.retry_after, MAX_RATE_LIMIT_WAIT_S))
            except ServerError:
                server_errors += 1
                if server_errors > MAX_SERVER_RETRIES:
                    raise
                await asyncio.sleep(SERVER_RETRY_BASE_S * 2 ** (server_errors - 1))

    async def _renew(self, post_id: int) -> None:
        async with self.service.sessions() as session, session.begin():
            mine = await repo.renew_claim(
                session,
                post_id,
                runner=self.runner_id,
                now=self.service.clock.now(),
                ttl=self.claim_ttl,
            )
        if not mine:
            raise ClaimLost(post_id)

    async def _reveal(
        self, schedule: ScheduleState, previous: DailyPost, figures: _Figures
    ) -> None:
        """Post the previous question's reference answer and figures in its thread."""
        reply = self.service.daily.reveal_from(previous, schedule.locale, figures)
        if reply is not None:
            with contextlib.suppress(DeliveryError):
                await self._send(
                    schedule, reply, thread_id=previous.thread_id or previous.message_id
                )

    # --- recovery ------------------------------------------------------------------------

    async def _recover(self, post: DailyPost, now: datetime) -> int:
        """Take over an expired claim: confirm an existing post, post it, or record why not."""
        async with self.service.sessions() as session, session.begin():
            won = await repo.reclaim(
                session, post.id, runner=self.runner_id, now=now, ttl=self.claim_ttl
            )
            schedule = await repo.schedule_by_id(session, post.schedule_id)
        if not won or schedule is None:
            return 0
        try:
            existing = await self.notifier.find_post(target_of(schedule), marker(post.id))
        except NotImplementedError:
            await self._set(post.id, status=repo.FAILED, error=UNCONFIRMED_ERROR)
            return 0
        except DeliveryError as exc:
            await self._fail(post.id, exc)
            return 0
        if existing is not None:  # the platform took it before the crash: confirm, never re-post
            await self._set(
                post.id,
                status=repo.POSTED,
                message_id=existing.message_id,
                thread_id=existing.thread_id,
                posted_at=now,
            )
            return 0
        if post.local_date is not None and (now - post.due_at > self.grace or not schedule.enabled):
            await self._set(post.id, status=repo.SKIPPED, error=EXPIRED_CLAIM_ERROR)
            return 0
        try:
            await self._refresh_once()
            async with self.service.sessions() as session, session.begin():
                claimed = await self._prepare(
                    session, schedule, post.id, post.local_date, post.concept_id
                )
        except BotError as exc:
            await self._fail(post.id, exc)
            return 0
        return await self._deliver(schedule, claimed)

    # --- recording -----------------------------------------------------------------------

    async def _set(self, post_id: int, **values: object) -> None:
        async with self.service.sessions() as session, session.begin():
            await repo.set_post(session, post_id, claim_expires_at=None, **values)

    async def _fail(self, post_id: int, exc: Exception) -> None:
        log.warning("daily post %s failed: %s", post_id, exc)
        await self._set(post_id, status=repo.FAILED, error=str(exc)[:ERROR_CHARS])

    async def _disable(self, schedule: ScheduleState, post_id: int, exc: DeliveryError) -> None:
        log.warning("daily schedule %s disabled: %s", schedule.id, exc.reason)
        reason = t("reason_channel_gone", schedule.locale, detail=exc.reason)
        async with self.service.sessions() as session, session.begin():
            await repo.set_post(
                session,
                post_id,
                status=repo.FAILED,
                error=exc.reason[:ERROR_CHARS],
                claim_expires_at=None,
            )
            await repo.disable(session, schedule.id, reason)


def _thread_name(name: str) -> str:
    return name if len(name) <= MAX_THREAD_NAME else name[: MAX_THREAD_NAME - 1] + "…"
