"""The daily runner: sleeps until the earliest due post, claims each occurrence in the database
before posting, and records what the platform accepted.

Exactly once, across restarts and processes:
- an occurrence (schedule, local date) is claimed by INSERT under a unique constraint: only the
  runner whose insert wins posts it;
- the claim carries an expiry; a runner that crashed between claim and post leaves a claim that
  another runner (or the restarted one) takes over once expired, and before posting again it asks
  the platform whether the post is already there (the marker ``Q#id``, searched in every message
  since the occurrence was due, however busy the channel); when the platform cannot
  tell, the occurrence is recorded as failed rather than risk a second visible post;
- the claim and the choice of its concept commit together (one transaction; when many channels
  are due at once they are claimed in batches of :data:`CLAIM_BATCH`, in schedule order, and the
  accepted posts recorded in groups of :data:`CONFIRM_GROUP`); before every retry of a post (and
  before the first attempt once the claim is half-way to expiry) the claim is renewed and checked
  to still be this runner's, so a runner slowed down past the expiry (long rate-limit waits)
  backs off instead of posting next to the runner that took the claim over;
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

from bot.app.context import Context
from bot.app.daily import DailyQuestions
from bot.core.daily.replies import Figures, question_reply
from bot.core.daily.rules import marker, spec_of, target_of
from bot.core.daily.schedule import Decision, due_occurrences, next_occurrence
from bot.core.errors import BotError
from bot.core.messages import t
from bot.core.models import Concept, DailyPost, Reply, ScheduleState
from bot.core.ports import (
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

log = logging.getLogger(__name__)

_Due = tuple[ScheduleState, date, datetime]  # an occurrence that came due: schedule, date, instant

CLAIM_TTL = timedelta(minutes=5)
CLAIM_BATCH = 50  # occurrences claimed per transaction when many are due at once
# Posts of one batch recorded per transaction: a commit costs milliseconds, so 1,000 channels
# due at once are not 1,000 commits; a crash leaves at most this many accepted posts
# unconfirmed, and recovery finds them on the platform (never posts them twice).
CONFIRM_GROUP = 10
MAX_IDLE_SLEEP = timedelta(minutes=1)  # picks up schedules changed by another process
MAX_RATE_LIMIT_RETRIES = 5
MAX_RATE_LIMIT_WAIT_S = 60.0
MAX_SERVER_RETRIES = 3
SERVER_RETRY_BASE_S = 1.0
MAX_THREAD_NAME = 90
UNCONFIRMED_ERROR = "unconfirmed after a crash; not re-posted"
EXPIRED_CLAIM_ERROR = "claim expired past the grace window (or the schedule was turned off)"
CLOCK_SKEW = timedelta(minutes=10)  # recovery searches from this long before the due time
# (a post cannot go out before it is due, by any runner's clock within this skew)
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
    reveal: tuple[DailyPost, Figures] | None
    claimed_at: datetime


class DailyRunner:
    """Posts the daily questions of one platform. Start one per front end (and per process)."""

    def __init__(
        self,
        ctx: Context,
        daily: DailyQuestions,
        notifier: Notifier,
        *,
        runner_id: str | None = None,
        claim_ttl: timedelta = CLAIM_TTL,
    ) -> None:
        self.ctx = ctx
        self.daily = daily
        self.notifier = notifier
        self.platform = notifier.platform
        self.runner_id = runner_id or f"{self.platform}-{uuid.uuid4().hex[:8]}"
        self.claim_ttl = claim_ttl
        self.grace = timedelta(minutes=ctx.settings.daily_grace_minutes)
        self._stopping = asyncio.Event()
        self._wake = daily.subscribe()
        self._fresh = False  # the concept index was refreshed during this tick

    # --- the loop ------------------------------------------------------------------------

    async def run_forever(self) -> None:
        """Tick, then sleep until the next due post (or a schedule change), until stopped."""
        while not self._stopping.is_set():
            # Cleared before the schedules are read: a change made while this pass runs sets the
            # event again and the sleep below returns at once.
            self._wake.clear()
            try:
                await self.tick()
                wake_at = await self.next_wake()
            except Exception:  # the runner must survive anything
                log.exception("daily runner tick failed")
                wake_at = self.ctx.clock.now() + MAX_IDLE_SLEEP
            if self._stopping.is_set():
                break
            await self.ctx.clock.sleep_until(wake_at, self._wake)
        self.daily.unsubscribe(self._wake)

    def stop(self) -> None:
        """Ask the loop to end after the current step."""
        self._stopping.set()
        self._wake.set()

    async def next_wake(self) -> datetime:
        """The earliest next occurrence of this platform's schedules, at most
        :data:`MAX_IDLE_SLEEP` away (so changes made by another process are noticed)."""
        now = self.ctx.clock.now()
        wake = now + MAX_IDLE_SLEEP
        async with self.ctx.sessions() as session:
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
        now = self.ctx.clock.now()
        posted = 0
        async with self.ctx.sessions() as session:
            expired = await repo.expired_claims(session, self.platform, now)
            schedules = await repo.enabled_schedules(session, self.platform)
            handled = await repo.last_handled_all(session, self.platform)
        schedules = [self.ctx.spoken(schedule) for schedule in schedules]
        self._fresh = False
        for post in expired:
            try:
                posted += await self._recover(post, now)
            except Exception:  # one occurrence must not stop the others
                log.exception("recovering daily post %s failed", post.id)
        due: list[_Due] = []
        skipped: list[_Due] = []
        for schedule in schedules:
            try:
                decisions = due_occurrences(
                    spec_of(schedule),
                    handled.get(schedule.id),
                    now,
                    self.grace,
                    since=schedule.updated_at,
                )
            except Exception:  # one channel must not stop the others
                log.exception("daily schedule %s failed", schedule.id)
                continue
            for local_date, due_at, decision in decisions:
                (due if decision is Decision.POST else skipped).append(
                    (schedule, local_date, due_at)
                )
        if skipped:
            try:
                await self._record_skipped(skipped)
            except Exception:
                log.exception("recording skipped daily posts failed")
        # Claimed in batches, in schedule order (racing runners lock rows in the same order).
        due.sort(key=lambda item: (item[0].id, item[1]))
        for start in range(0, len(due), CLAIM_BATCH):
            try:
                claimed = await self._claim_batch(due[start : start + CLAIM_BATCH])
            except Exception:
                log.exception("claiming daily posts failed")
                continue
            pending: list[repo.Confirmation] = []
            for schedule, item in claimed:
                try:
                    posted += await self._deliver(schedule, item, pending=pending)
                except Exception:  # one channel must not stop the others
                    log.exception("daily post %s failed", item.post_id)
                if len(pending) >= CONFIRM_GROUP:
                    await self._confirm(pending)
            await self._confirm(pending)
        return posted

    async def _record_skipped(self, skipped: list[_Due]) -> None:
        """Record occurrences missed by more than the grace window (or superseded) as skipped."""
        async with self.ctx.sessions() as session, session.begin():
            for schedule, local_date, due_at in sorted(skipped, key=lambda i: (i[0].id, i[1])):
                await repo.claim(
                    session,
                    schedule.id,
                    local_date,
                    due_at,
                    runner=self.runner_id,
                    status=repo.SKIPPED,
                    now=self.ctx.clock.now(),
                )

    async def _claim_batch(self, batch: list[_Due]) -> list[tuple[ScheduleState, _Claimed]]:
        """Claim due occurrences in one transaction: choose each concept from the freshly read
        cycle, insert the claims (the unique constraint decides who posts), store the cycles of
        those won, and take over revealing their previous questions. Returns what this runner
        won, with the schedules as read in the transaction."""
        await self._refresh_once()
        now = self.ctx.clock.now()
        daily = self.daily
        picked: list[tuple[ScheduleState, int, date, int]] = []
        async with self.ctx.sessions() as session, session.begin():
            fresh = {
                schedule_id: self.ctx.spoken(schedule)
                for schedule_id, schedule in (
                    await repo.schedules_by_ids(session, [item[0].id for item in batch])
                ).items()
            }
            scores = await repo.channel_scores_many(
                session, self.platform, [(s.workspace_id, s.channel_id) for s in fresh.values()]
            )
            choices: list[tuple[ScheduleState, date, datetime, int, list[int], int]] = []
            for schedule, local_date, due_at in batch:
                current = fresh.get(schedule.id)
                if current is None or not current.enabled:
                    continue  # deleted or turned off since the tick began
                try:
                    concept_id, cycle, cycle_no = daily.pick(
                        current,
                        scores.get((current.workspace_id, current.channel_id), {}),
                        local_date,
                    )
                except BotError as exc:  # nothing to ask: recorded, not retried
                    post_id = await repo.claim(
                        session,
                        current.id,
                        local_date,
                        due_at,
                        runner=self.runner_id,
                        status=repo.FAILED,
                        now=now,
                    )
                    if post_id is not None:
                        await repo.set_post(session, post_id, error=str(exc)[:ERROR_CHARS])
                    continue
                choices.append((current, local_date, due_at, concept_id, cycle, cycle_no))
            won = await repo.claim_many(
                session,
                [(c[0].id, c[1], c[2], c[3]) for c in choices],
                runner=self.runner_id,
                ttl=self.claim_ttl,
                now=now,
            )
            cycles: list[tuple[int, list[int], int]] = []
            for current, local_date, _, concept_id, cycle, cycle_no in choices:
                post_id = won.get((current.id, local_date))
                if post_id is None:
                    continue  # another runner holds it
                cycles.append((current.id, cycle, cycle_no))
                picked.append((current, post_id, local_date, concept_id))
            if not picked:
                return []
            await repo.save_cycles(session, cycles)
            previous = await repo.take_reveals(session, [item[0].id for item in picked], now)
            figures = await repo.figures_many(session, sorted(p.id for p in previous.values()))
        claimed: list[tuple[ScheduleState, _Claimed]] = []
        for schedule, post_id, local_date, concept_id in picked:
            before = previous.get(schedule.id)
            reveal = (before, figures[before.id]) if before is not None else None
            concept = self.ctx.knowledge.concept(concept_id)
            claimed.append((schedule, _Claimed(post_id, local_date, concept, reveal, now)))
        return claimed

    async def post_now(self, schedule: ScheduleState) -> DailyPost:
        """Post a question at once (``/daily now``), outside the schedule's occurrences.

        Raises the platform's :class:`DeliveryError` (or ``BadInput`` when no concept is
        eligible) after recording it, so the front end can tell the admin."""
        self._fresh = False
        schedule = self.ctx.spoken(schedule)
        claimed = await self._claim_one(schedule, None, self.ctx.clock.now(), raise_errors=True)
        assert claimed is not None
        await self._deliver(schedule, claimed, raise_errors=True)
        async with self.ctx.sessions() as session:
            post = await repo.get_post(session, claimed.post_id)
        assert post is not None
        return post

    # --- claiming ------------------------------------------------------------------------

    async def _claim_one(
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
        async with self.ctx.sessions() as session, session.begin():
            post_id = await repo.claim(
                session,
                schedule.id,
                local_date,
                due,
                runner=self.runner_id,
                ttl=self.claim_ttl,
                now=self.ctx.clock.now(),
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
            await self.ctx.knowledge.refresh()
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
        concept = await self.daily.choose_in(session, schedule, post_id, local_date, chosen=chosen)
        reveal = None
        now = self.ctx.clock.now()
        previous = (await repo.take_reveals(session, [schedule.id], now)).get(schedule.id)
        if previous is not None:
            reveal = (previous, await repo.figures(session, previous.id))
        return _Claimed(post_id, local_date, concept, reveal, self.ctx.clock.now())

    # --- delivery ------------------------------------------------------------------------

    async def _deliver(
        self,
        schedule: ScheduleState,
        claimed: _Claimed,
        *,
        raise_errors: bool = False,
        pending: list[repo.Confirmation] | None = None,
    ) -> int:
        """Reveal the previous question, post this one, record the outcome. With ``pending``
        the confirmation is queued for :meth:`_confirm` (a batch) instead of written at once."""
        post_id = claimed.post_id
        try:
            if claimed.reveal is not None:
                await self._reveal(schedule, *claimed.reveal)
            reply = question_reply(
                schedule,
                post_id,
                claimed.concept,
                claimed.local_date,
                self.ctx.answer_by(schedule.platform),
            )
            name = t("daily_thread_name", schedule.locale, term=claimed.concept.term)
            posted = await self._send(
                schedule, reply, open_thread=_thread_name(name), claim=claimed
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
        confirmation = (post_id, posted.message_id, posted.thread_id, self.ctx.clock.now())
        if pending is None:
            await self._confirm([confirmation])
        else:
            pending.append(confirmation)
        return 1

    async def _confirm(self, pending: list[repo.Confirmation]) -> None:
        """Record posts the platform accepted (one transaction), then forget them. A failure
        here leaves their claims to expire: recovery then finds the posts (``find_post``)."""
        if not pending:
            return
        try:
            async with self.ctx.sessions() as session, session.begin():
                await repo.confirm_posted(session, pending)
        except Exception:
            log.exception(
                "recording %d daily posts failed; their claims will be recovered", len(pending)
            )
        pending.clear()

    async def _send(
        self,
        schedule: ScheduleState,
        reply: Reply,
        *,
        open_thread: str | None = None,
        thread_id: str | None = None,
        claim: _Claimed | None = None,
    ) -> Posted:
        """Post with the retry policy: wait out rate limits, retry server errors a few times.

        With ``claim`` (the occurrence being posted) the claim is renewed before every retry,
        and before the first attempt once it is half-way to expiry (a batch posted slowly);
        :class:`ClaimLost` is raised instead of posting when it is no longer this runner's.
        """
        target = target_of(schedule, thread_id)
        rate_limits = server_errors = 0
        while True:
            if claim is not None and (
                rate_limits + server_errors
                or self.ctx.clock.now() - claim.claimed_at > self.claim_ttl / 2
            ):
                await self._renew(claim.post_id)
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
        async with self.ctx.sessions() as session, session.begin():
            mine = await repo.renew_claim(
                session,
                post_id,
                runner=self.runner_id,
                now=self.ctx.clock.now(),
                ttl=self.claim_ttl,
            )
        if not mine:
            raise ClaimLost(post_id)

    async def _reveal(self, schedule: ScheduleState, previous: DailyPost, figures: Figures) -> None:
        """Post the previous question's reference answer and figures in its thread."""
        reply = self.daily.reveal_from(previous, schedule.locale, figures)
        if reply is not None:
            with contextlib.suppress(DeliveryError):
                await self._send(
                    schedule, reply, thread_id=previous.thread_id or previous.message_id
                )

    # --- recovery ------------------------------------------------------------------------

    async def _recover(self, post: DailyPost, now: datetime) -> int:
        """Take over an expired claim: confirm an existing post, post it, or record why not."""
        async with self.ctx.sessions() as session, session.begin():
            won = await repo.reclaim(
                session, post.id, runner=self.runner_id, now=now, ttl=self.claim_ttl
            )
            schedule = await repo.schedule_by_id(session, post.schedule_id)
        if not won or schedule is None:
            return 0
        schedule = self.ctx.spoken(schedule)
        try:
            existing = await self.notifier.find_post(
                target_of(schedule), marker(post.id), since=post.due_at - CLOCK_SKEW
            )
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
            async with self.ctx.sessions() as session, session.begin():
                claimed = await self._prepare(
                    session, schedule, post.id, post.local_date, post.concept_id
                )
        except BotError as exc:
            await self._fail(post.id, exc)
            return 0
        return await self._deliver(schedule, claimed)

    # --- recording -----------------------------------------------------------------------

    async def _set(self, post_id: int, **values: object) -> None:
        async with self.ctx.sessions() as session, session.begin():
            await repo.set_post(session, post_id, claim_expires_at=None, **values)

    async def _fail(self, post_id: int, exc: Exception) -> None:
        log.warning("daily post %s failed: %s", post_id, exc)
        await self._set(post_id, status=repo.FAILED, error=str(exc)[:ERROR_CHARS])

    async def _disable(self, schedule: ScheduleState, post_id: int, exc: DeliveryError) -> None:
        log.warning("daily schedule %s disabled: %s", schedule.id, exc.reason)
        reason = t("reason_channel_gone", schedule.locale, detail=exc.reason)
        async with self.ctx.sessions() as session, session.begin():
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
