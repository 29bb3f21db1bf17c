"""The daily question through the Service: schedules (admin), posting, answers, reveal.

The timing rules are pure (:mod:`bot.core.daily.schedule`), the question choice too
(:mod:`bot.core.daily.picker`); the runner that wakes and posts is :mod:`bot.core.daily_runner`.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.core.daily.picker import pick_next, remaining_in_cycle
from bot.core.daily.schedule import (
    ScheduleSpec,
    format_time,
    format_weekdays,
    next_occurrence,
    parse_time,
    parse_weekdays,
    validate_tz,
)
from bot.core.errors import BadInput, Conflict, Forbidden, NotFound
from bot.core.interview.questions import question_for
from bot.core.interview.session import resolve_topic
from bot.core.interviews import grade_answer, grade_reply
from bot.core.messages import t
from bot.core.models import (
    Action,
    Caller,
    Concept,
    DailyPost,
    Field,
    Reply,
    ReplyKind,
    ScheduleState,
)
from bot.core.notify import DeliveryError, Target
from bot.db import daily as repo

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core.service import Service

log = logging.getLogger(__name__)

SEED_RANGE = 1 << 30
MARKER_FORMAT = "Q#{post_id}"
MAX_POST_ID = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL
SEED_STRIDE = 1_000_003  # schedule seed * stride + day number seeds each occurrence's draw


def spec_of(schedule: ScheduleState) -> ScheduleSpec:
    """The timing rules of a stored schedule."""
    return ScheduleSpec(
        parse_time(schedule.local_time), schedule.tz, frozenset(int(d) for d in schedule.weekdays)
    )


def target_of(schedule: ScheduleState, thread_id: str | None = None) -> Target:
    """Where a schedule's posts go."""
    return Target(
        schedule.platform, schedule.workspace_id, schedule.channel_id, thread_id, schedule.mention
    )


def marker(post_id: int) -> str:
    """The text that identifies a daily post on the platform (used to find it after a crash)."""
    return MARKER_FORMAT.format(post_id=post_id)


def set_arguments(words: list[str]) -> dict[str, str | None]:
    """``/daily set`` as typed: ``HH:MM [zone] [weekdays ...] [topic=...] [mention=...]``. A word
    with ``/`` (or ``UTC``) is the zone; the other plain words are the weekdays."""
    found: dict[str, str | None] = {
        "time_text": words[0],
        "tz": None,
        "topic": None,
        "mention": None,
    }
    days: list[str] = []
    for word in words[1:]:
        key, equals, value = word.partition("=")
        if equals and key.lower() in ("topic", "mention"):
            found[key.lower()] = value
        elif "/" in word or word.upper() == "UTC":
            found["tz"] = word
        else:
            days.append(word)
    found["weekdays"] = ",".join(days) or None
    return found


class Daily:
    """The daily-question part of the Service."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self._listeners: set[asyncio.Event] = set()

    def subscribe(self) -> asyncio.Event:
        """An event set whenever a schedule changes here (each runner waits on its own)."""
        event = asyncio.Event()
        self._listeners.add(event)
        return event

    def unsubscribe(self, event: asyncio.Event) -> None:
        """Stop notifying ``event``."""
        self._listeners.discard(event)

    def notify_changed(self) -> None:
        """Wake every runner of this process: a schedule changed."""
        for event in self._listeners:
            event.set()

    # --- admin commands ------------------------------------------------------------------

    async def set(
        self,
        caller: Caller,
        time_text: str | None = None,
        tz: str | None = None,
        weekdays: str | None = None,
        topic: str | None = None,
        mention: str | None = None,
    ) -> Reply:
        """Create or change this channel's schedule (admins only). Unspecified fields keep their
        value (or the defaults: 09:00, Asia/Seoul, every day, all topics, no mention)."""
        self._require_admin(caller)
        locale = self.service.locale(caller)
        values: dict[str, Any] = {
            "enabled": True,
            "disabled_reason": None,
            "updated_by": caller.user_id,
        }
        if time_text is not None:
            values["local_time"] = format_time(parse_time(time_text))
        if tz is not None:
            values["tz"] = validate_tz(tz)
        if weekdays is not None:
            values["weekdays"] = "".join(str(d) for d in sorted(parse_weekdays(weekdays)))
        if topic is not None:
            values["topic"] = self._topic(topic) if topic else None
        if mention is not None:
            values["mention"] = mention or None
        async with self.service.sessions() as session, session.begin():
            existing = await repo.get_schedule(
                session, caller.platform, caller.workspace_id, caller.channel_id
            )
            if existing is None:
                values = self._new_schedule(caller) | values
            schedule = await repo.save_schedule(
                session,
                caller.platform,
                caller.workspace_id,
                caller.channel_id,
                now=self.service.clock.now(),
                **values,
            )
        self.notify_changed()
        return Reply(
            t("daily_set_done", locale, when=self._when(schedule, locale)), kind=ReplyKind.INFO
        )

    async def off(self, caller: Caller) -> Reply:
        """Turn this channel's daily question off (admins only)."""
        self._require_admin(caller)
        async with self.service.sessions() as session, session.begin():
            existing = await repo.get_schedule(
                session, caller.platform, caller.workspace_id, caller.channel_id
            )
            if existing is None:
                raise NotFound("daily_status_none")
            await repo.save_schedule(
                session,
                caller.platform,
                caller.workspace_id,
                caller.channel_id,
                now=self.service.clock.now(),
                enabled=False,
                disabled_reason=None,
            )
        self.notify_changed()
        return Reply(t("daily_off_done", self.service.locale(caller)), kind=ReplyKind.INFO)

    async def status(self, caller: Caller) -> Reply:
        """This channel's schedule: when, next post in its zone, last post, questions left."""
        locale = self.service.locale(caller)
        async with self.service.sessions() as session:
            schedule = await repo.get_schedule(
                session, caller.platform, caller.workspace_id, caller.channel_id
            )
            last = await repo.latest_posted(session, schedule.id) if schedule else None
            handled = await repo.last_handled(session, schedule.id) if schedule else None
        if schedule is None:
            return Reply(t("daily_status_title", locale), t("daily_status_none", locale))
        spec = spec_of(schedule)
        if schedule.enabled:
            state = t("daily_state_on", locale)
            _, due = next_occurrence(spec, self.service.clock.now(), handled_through=handled)
            upcoming = due.astimezone(spec.zone).strftime("%Y-%m-%d %H:%M %Z")
        else:
            reason = schedule.disabled_reason
            state = (
                t("daily_state_disabled", locale, reason=reason)
                if reason
                else t("daily_state_off", locale)
            )
            upcoming = "—"
        posted = (
            last.posted_at.astimezone(spec.zone).strftime("%Y-%m-%d %H:%M %Z")
            if last and last.posted_at
            else t("daily_never", locale)
        )
        eligible = [c.id for c in self._eligible(schedule)]
        fields = [
            Field(t("daily_field_schedule", locale), self._when(schedule, locale)),
            Field(t("daily_field_state", locale), state),
            Field(t("daily_field_next", locale), upcoming),
            Field(t("daily_field_last", locale), posted),
            Field(
                t("daily_field_left", locale),
                str(remaining_in_cycle(eligible, set(schedule.cycle))),
            ),
            Field(t("daily_field_topic", locale), schedule.topic or t("topic_all", locale)),
        ]
        return Reply(t("daily_status_title", locale), kind=ReplyKind.INFO, fields=tuple(fields))

    async def now(self, caller: Caller, runner: Any) -> Reply:
        """Post a question in this channel at once (admins only), through ``runner``."""
        self._require_admin(caller)
        async with self.service.sessions() as session, session.begin():
            schedule = await repo.get_schedule(
                session, caller.platform, caller.workspace_id, caller.channel_id
            )
            if schedule is None:  # a channel without a schedule: one that is off, to post on
                values = self._new_schedule(caller) | {"enabled": False}
                schedule = await repo.save_schedule(
                    session,
                    caller.platform,
                    caller.workspace_id,
                    caller.channel_id,
                    now=self.service.clock.now(),
                    **values,
                )
        locale = self.service.locale(caller)
        try:
            post = await runner.post_now(schedule)
        except DeliveryError as exc:
            raise Conflict("daily_post_failed", reason=exc.reason[:200]) from exc
        return Reply(
            t("daily_title_now", locale), f"{marker(post.id)}", kind=ReplyKind.INFO, ephemeral=True
        )

    async def command(self, caller: Caller, text: str, runner: Any) -> Reply:
        """``/daily`` for text front ends (console, Slack): ``now``, ``off``, ``status`` (the
        default) or ``set HH:MM [zone] [weekdays] [topic=...] [mention=...]``."""
        words = text.split()
        sub = words.pop(0).lower() if words else "status"
        if sub == "now":
            return await self.now(caller, runner)
        if sub == "off":
            return await self.off(caller)
        if sub == "status":
            return await self.status(caller)
        if sub == "set" and words:
            return await self.set(caller, **set_arguments(words))
        raise BadInput("daily_usage")

    def _new_schedule(self, caller: Caller) -> dict[str, Any]:
        """The fields a channel's first schedule starts with."""
        return {
            "tz": self.service.settings.daily_default_tz,
            "seed": random.randrange(SEED_RANGE),
            "locale": self.service.locale(caller),
            "updated_by": caller.user_id,
        }

    def _require_admin(self, caller: Caller) -> None:
        if not caller.is_admin:
            raise Forbidden("admin_only")

    def _topic(self, topic: str) -> str:
        categories = {c.category for c in self.service.concepts()}
        category = resolve_topic(topic, categories)
        if category is None:
            raise BadInput(
                "interview_unknown_topic",
                topic=topic[:60],
                categories=", ".join(sorted(categories)),
            )
        return category

    def _when(self, schedule: ScheduleState, locale: str) -> str:
        days = format_weekdays(frozenset(int(d) for d in schedule.weekdays))
        return t("daily_when", locale, weekdays=days, time=schedule.local_time, tz=schedule.tz)

    # --- posting (called by the runner) --------------------------------------------------

    def _eligible(self, schedule: ScheduleState) -> list[Concept]:
        concepts = self.service.concepts()
        if schedule.topic:
            chosen = [c for c in concepts if c.category == schedule.topic]
            return chosen or concepts
        return concepts

    async def choose(
        self, schedule: ScheduleState, post_id: int, local_date: date | None
    ) -> Concept:
        """Pick the occurrence's concept (cycle without repeats, weak ones sooner) and store it."""
        await self.service.refresh()
        async with self.service.sessions() as session, session.begin():
            post = await repo.get_post(session, post_id)
            chosen = post.concept_id if post is not None else None
            return await self.choose_in(session, schedule, post_id, local_date, chosen=chosen)

    async def choose_in(
        self,
        session: AsyncSession,
        schedule: ScheduleState,
        post_id: int,
        local_date: date | None,
        *,
        chosen: int | None = None,
    ) -> Concept:
        """:meth:`choose` inside the caller's transaction (the runner's claim), without
        refreshing the index. An occurrence that already has its concept (``chosen``: picked
        before a crash, then recovered) keeps it, so the cycle never loses a concept that was
        not shown. Raises ``BadInput("daily_no_concepts")`` when nothing is eligible."""
        if chosen is not None:
            concept = self.service.concept_or_none(chosen)
            if concept is not None:
                return concept
        fresh = await repo.schedule_by_id(session, schedule.id)
        assert fresh is not None
        scores = await repo.channel_scores(
            session, fresh.platform, fresh.workspace_id, fresh.channel_id
        )
        concept_id, cycle, cycle_no = self.pick(fresh, scores, local_date, post_id)
        await repo.save_cycle(session, fresh.id, cycle, cycle_no)
        await repo.set_post(session, post_id, concept_id=concept_id)
        return self.service.concept(concept_id)

    def pick(
        self,
        schedule: ScheduleState,
        scores: Mapping[int, float],
        local_date: date | None,
        post_id: int | None = None,
    ) -> tuple[int, list[int], int]:
        """The concept an occurrence asks, with the schedule's new cycle and cycle number (no
        I/O; ``schedule`` must be freshly read). Deterministic: the schedule's seed and the
        local date (``post_id`` for a ``/daily now`` post) fix the draw. Raises
        ``BadInput("daily_no_concepts")`` when nothing is eligible."""
        eligible = [c.id for c in self._eligible(schedule)]
        day = local_date.toordinal() if local_date else (post_id or 0)
        rng = random.Random(schedule.seed * SEED_STRIDE + day)
        last = schedule.cycle[-1] if schedule.cycle else None
        asked = set(schedule.cycle) & set(eligible)
        concept_id, new_cycle = pick_next(eligible, asked, scores, rng, last_asked=last)
        cycle = [concept_id] if new_cycle else [*schedule.cycle, concept_id]
        return concept_id, cycle, schedule.cycle_no + int(new_cycle)

    def question_reply(
        self, schedule: ScheduleState, post_id: int, concept: Concept, local_date: date | None
    ) -> Reply:
        """The daily post: the question, an answer button, the marker in the footer."""
        locale = schedule.locale
        title = (
            t("daily_title", locale, date=local_date.isoformat())
            if local_date
            else t("daily_title_now", locale)
        )
        return Reply(
            title=title,
            body=question_for(concept, locale, variant=post_id),
            kind=ReplyKind.QUESTION,
            actions=(Action("daily.answer", t("action_answer", locale), str(post_id)),),
            footer=t("daily_footer", locale, post_id=post_id),
            extra={
                "daily_post_id": post_id,
                "marker": marker(post_id),
                "mention": schedule.mention,
            },
        )

    async def reveal_reply(self, post: DailyPost, locale: str) -> Reply | None:
        """The reference answer of a past post with the day's figures (None: concept gone)."""
        async with self.service.sessions() as session:
            figures = await repo.figures(session, post.id)
        return self.reveal_from(post, locale, figures)

    def reveal_from(
        self, post: DailyPost, locale: str, figures: tuple[int, float, list[tuple[str, int]]]
    ) -> Reply | None:
        """:meth:`reveal_reply` from figures already read: (answers, average, most missed)."""
        concept = self.service.concept_or_none(post.concept_id or -1)
        if concept is None:
            return None
        count, average, missed = figures
        lines = [concept.definition, ""]
        if count:
            lines.append(t("daily_reveal_figures", locale, count=count, average=average))
            if missed:
                points = ", ".join(f"{point} ({n})" for point, n in missed)
                lines.append(t("daily_reveal_missed", locale, points=points))
        else:
            lines.append(t("daily_reveal_nobody", locale))
        return Reply(
            t("daily_reveal_title", locale, term=concept.term),
            "\n".join(lines),
            ReplyKind.INFO,
            extra={"daily_post_id": post.id, "count": count, "average": average},
        )

    # --- answers -------------------------------------------------------------------------

    async def find_post(self, reference: str) -> DailyPost | None:
        """The posted daily question a thread id, message id, post id or ``Q#id`` refers to.

        Thread and message ids are tried first: a Discord thread id is all digits too, and far
        beyond the range of a post id (PostgreSQL would refuse it as an integer)."""
        async with self.service.sessions() as session:
            post = await repo.post_by_thread(session, reference)
            if post is not None:
                return post
            number = reference.removeprefix("Q#")
            if number.isascii() and number.isdigit() and int(number) <= MAX_POST_ID:
                post = await repo.get_post(session, int(number))
                if post is not None and post.status == repo.POSTED:
                    return post
            return None

    async def answer(self, caller: Caller, reference: str, text: str) -> Reply:
        """Grade a person's answer to a daily question; the reference stays hidden (spoiler)."""
        post = await self.find_post(reference)
        if post is None or post.concept_id is None:
            raise NotFound("daily_no_post")
        concept = self.service.concept_or_none(post.concept_id)
        if concept is None:
            raise NotFound("daily_no_post")
        async with self.service.sessions() as session:
            schedule = await repo.schedule_by_id(session, post.schedule_id)
            already = await repo.previous_answer(session, post.id, caller.user_id)
        assert schedule is not None
        locale = self.service.locale(caller) if caller.locale else schedule.locale
        if already is not None:
            return Reply(
                t("daily_already_answered", locale, score=already),
                kind=ReplyKind.INFO,
                ephemeral=True,
            )
        result, record = await grade_answer(self.service, concept, text)
        async with self.service.sessions() as session, session.begin():
            stored = await repo.record_answer(session, post, schedule, caller, record)
        if not stored:
            async with self.service.sessions() as session:
                score = await repo.previous_answer(session, post.id, caller.user_id)
            return Reply(
                t("daily_already_answered", locale, score=score),
                kind=ReplyKind.INFO,
                ephemeral=True,
            )
        hidden = post.revealed_at is None
        return grade_reply(result, concept, locale, hide_reference=hidden)
