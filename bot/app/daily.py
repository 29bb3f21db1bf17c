"""The daily question: schedules (admin), choosing and recording what is posted, answers.

The timing rules are pure (:mod:`bot.core.daily.schedule`), the choice of question too
(:mod:`bot.core.daily.rules`), and so are the replies (:mod:`bot.core.daily.replies`); the job
that wakes and posts is :mod:`bot.app.daily_runner`.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any, Final, Protocol

from bot.app.cards import review_answer
from bot.app.context import Context
from bot.app.grading import grade_answer, grade_only
from bot.core.daily import rules
from bot.core.daily.picker import remaining_in_cycle
from bot.core.daily.replies import NOT_ANSWERED, Figures, reveal_reply, when_text
from bot.core.daily.schedule import (
    format_time,
    format_weekdays,
    next_occurrence,
    parse_time,
    parse_weekdays,
    validate_tz,
)
from bot.core.errors import BadInput, Conflict, Forbidden, NotFound
from bot.core.grading.replies import grade_reply
from bot.core.interview.rules import resolve_topic
from bot.core.knowledge.replies import echo
from bot.core.messages import MESSAGES, t
from bot.core.models import (
    Action,
    Caller,
    Concept,
    DailyPost,
    Field,
    Reply,
    ReplyKind,
    ScheduleState,
    knowledge_scope,
)
from bot.core.ports import DeliveryError
from bot.core.sanitize import clean_optional, clean_text
from bot.db import appeals as appeals_repo
from bot.db import daily as repo

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)


# The parts of a schedule ``set`` names, with their labels (in the order replies list them).
SCHEDULE_LABELS: Final = {
    "local_time": "daily_field_time",
    "weekdays": "daily_field_days",
    "tz": "daily_field_tz",
    "topic": "daily_field_topic",
}


def all_topics(topic: str) -> bool:
    """Whether ``topic`` is the word for all topics (``전체``, ``all``: what status shows)."""
    word = topic.strip().casefold()
    return any(word == text.casefold() for text in MESSAGES["topic_all"].values())


def schedule_fields(schedule: ScheduleState, locale: str) -> list[Field]:
    """A schedule as ``set`` reads it back, one field per part: time, days, zone and topic
    (and the mention, when there is one), each written the way ``set`` accepts it."""
    days = format_weekdays(frozenset(int(d) for d in schedule.weekdays))
    fields = [
        Field(t("daily_field_time", locale), schedule.local_time),
        Field(t("daily_field_days", locale), days),
        Field(t("daily_field_tz", locale), schedule.tz),
        Field(t("daily_field_topic", locale), schedule.topic or t("topic_all", locale)),
    ]
    if schedule.mention:
        fields.append(Field(t("daily_field_mention", locale), schedule.mention))
    return fields


class Poster(Protocol):
    """What posts a question at once for ``/daily now`` (a front end's daily runner)."""

    async def post_now(self, schedule: ScheduleState) -> DailyPost:
        """Post a question of ``schedule`` now; raises the platform's DeliveryError."""
        ...


class DailyQuestions:
    """The daily question of every channel that has one."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.knowledge = ctx.knowledge
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
        """Create or change this channel's schedule (admins only) and turn it on.

        The rule: ``set`` changes only what it names. A part not given keeps its current value
        (a new schedule starts from the defaults: 09:00, the default zone, every day, all
        topics, no mention), and the reply lists the whole resulting schedule and names the
        parts kept as before, so nothing changes or stays silently. ``topic`` is a category (or
        part of its name), or the word status shows for all topics (``전체``/``all``: every
        topic again); an empty ``topic`` or ``mention`` clears it."""
        self._require_admin(caller)
        time_text, tz, weekdays = map(clean_optional, (time_text, tz, weekdays))
        topic, mention = clean_optional(topic), clean_optional(mention)
        locale = self.ctx.locale(caller)
        named = {
            "local_time": time_text is not None,
            "weekdays": weekdays is not None,
            "tz": tz is not None,
            "topic": topic is not None,
        }
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
            values["topic"] = (
                None if not topic or all_topics(topic) else self._topic(topic, caller.scope)
            )
        if mention is not None:
            values["mention"] = mention or None
        async with self.ctx.sessions() as session, session.begin():
            existing = await repo.get_schedule(
                session, caller.platform, caller.workspace_id, caller.channel_id
            )
            if existing is None:
                values = self._new_schedule(caller) | values
            elif caller.locale:
                values["locale"] = caller.locale  # posts speak the admin's language
            schedule = await repo.save_schedule(
                session,
                caller.platform,
                caller.workspace_id,
                caller.channel_id,
                now=self.ctx.clock.now(),
                **values,
            )
        self.notify_changed()
        fields = schedule_fields(schedule, locale)
        if existing is not None:
            kept = [t(SCHEDULE_LABELS[part], locale) for part, given in named.items() if not given]
            if kept:
                fields.append(Field(t("daily_field_kept", locale), ", ".join(kept)))
        return Reply(
            t("daily_set_done", locale, when=when_text(schedule, locale)),
            kind=ReplyKind.INFO,
            fields=tuple(fields),
        )

    async def off(self, caller: Caller) -> Reply:
        """Turn this channel's daily question off (admins only); one that is already off (or
        was disabled after failing to post) is left as it is, and the reply says so."""
        self._require_admin(caller)
        async with self.ctx.sessions() as session, session.begin():
            existing = await repo.get_schedule(
                session, caller.platform, caller.workspace_id, caller.channel_id
            )
            if existing is None:
                raise NotFound("daily_status_none")
            if not existing.enabled:
                return Reply(t("daily_off_already", self.ctx.locale(caller)), kind=ReplyKind.INFO)
            await repo.save_schedule(
                session,
                caller.platform,
                caller.workspace_id,
                caller.channel_id,
                now=self.ctx.clock.now(),
                enabled=False,
                disabled_reason=None,
            )
        self.notify_changed()
        return Reply(t("daily_off_done", self.ctx.locale(caller)), kind=ReplyKind.INFO)

    async def status(self, caller: Caller) -> Reply:
        """This channel's schedule: when, next post in its zone, last post, questions left."""
        locale = self.ctx.locale(caller)
        async with self.ctx.sessions() as session:
            schedule = await repo.get_schedule(
                session, caller.platform, caller.workspace_id, caller.channel_id
            )
            last = await repo.latest_posted(session, schedule.id) if schedule else None
            handled = await repo.last_handled(session, schedule.id) if schedule else None
        if schedule is None:
            return Reply(t("daily_status_title", locale), t("daily_status_none", locale))
        spec = rules.spec_of(schedule)
        if schedule.enabled:
            state = t("daily_state_on", locale)
            _, due = next_occurrence(spec, self.ctx.clock.now(), handled_through=handled)
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
        eligible = [c.id for c in rules.eligible(schedule, self._seen_by(schedule))]
        fields = [
            *schedule_fields(schedule, locale),
            Field(t("daily_field_state", locale), state),
            Field(t("daily_field_next", locale), upcoming),
            Field(t("daily_field_last", locale), posted),
            Field(
                t("daily_field_left", locale),
                str(remaining_in_cycle(eligible, set(schedule.cycle))),
            ),
        ]
        return Reply(t("daily_status_title", locale), kind=ReplyKind.INFO, fields=tuple(fields))

    async def now(self, caller: Caller, runner: Poster) -> Reply:
        """Post a question in this channel at once (admins only), through ``runner``."""
        self._require_admin(caller)
        async with self.ctx.sessions() as session, session.begin():
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
                    now=self.ctx.clock.now(),
                    **values,
                )
        locale = self.ctx.locale(caller)
        try:
            post = await runner.post_now(schedule)
        except DeliveryError as exc:
            raise Conflict("daily_post_failed", reason=exc.reason[:200]) from exc
        return Reply(
            t("daily_title_now", locale), rules.marker(post.id), kind=ReplyKind.INFO, ephemeral=True
        )

    def _new_schedule(self, caller: Caller) -> dict[str, Any]:
        """The fields a channel's first schedule starts with."""
        return {
            "tz": self.ctx.settings.daily_default_tz,
            "seed": random.randrange(rules.SEED_RANGE),
            "locale": caller.locale or "",  # "": the configured language when it posts
            "updated_by": caller.user_id,
        }

    def _require_admin(self, caller: Caller) -> None:
        if not caller.is_admin:
            raise Forbidden("admin_only")

    def _seen_by(self, schedule: ScheduleState) -> list[Concept]:
        """The concepts a schedule's workspace sees (the operator's notes and its own)."""
        return self.knowledge.concepts(knowledge_scope(schedule.platform, schedule.workspace_id))

    def _topic(self, topic: str, scope: str) -> str:
        categories = {c.category for c in self.knowledge.concepts(scope)}
        category = resolve_topic(topic, categories)
        if category is None:
            raise BadInput(
                "interview_unknown_topic",
                topic=topic[:60],
                categories=", ".join(sorted(categories)),
            )
        return category

    # --- posting (called by the runner) --------------------------------------------------

    async def choose_in(
        self,
        session: AsyncSession,
        schedule: ScheduleState,
        post_id: int,
        local_date: date | None,
        *,
        chosen: int | None = None,
    ) -> Concept:
        """Pick the occurrence's concept (cycle without repeats, weak ones sooner) and store it,
        inside the caller's transaction (the runner's claim). An occurrence that already has its
        concept (``chosen``: picked before a crash, then recovered) keeps it, so the cycle never
        loses a concept that was not shown. Raises ``BadInput("daily_no_concepts")`` when
        nothing is eligible."""
        if chosen is not None:
            concept = self.knowledge.concept_or_none(chosen)
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
        return self.knowledge.concept(concept_id)

    def pick(
        self,
        schedule: ScheduleState,
        scores: Mapping[int, float],
        local_date: date | None,
        post_id: int | None = None,
    ) -> tuple[int, list[int], int]:
        """The concept an occurrence asks, with the new cycle and cycle number
        (:func:`bot.core.daily.rules.pick` over the loaded concepts)."""
        return rules.pick(schedule, self._seen_by(schedule), scores, local_date, post_id)

    def reveal_from(self, post: DailyPost, locale: str, figures: Figures) -> Reply | None:
        """The reference answer of a past post with the day's figures already read (answers,
        average, most missed); None when its concept is gone from the notes."""
        concept = self.knowledge.concept_or_none(post.concept_id or -1)
        if concept is None:
            return None
        return reveal_reply(post, concept, locale, figures)

    # --- answers -------------------------------------------------------------------------

    async def find_post(self, reference: str) -> DailyPost | None:
        """The posted daily question a thread id, message id, post id or ``Q#id`` refers to.

        Thread and message ids are tried first: a Discord thread id is all digits too, and far
        beyond the range of a post id (PostgreSQL would refuse it as an integer)."""
        reference = clean_text(reference)
        async with self.ctx.sessions() as session:
            post = await repo.post_by_thread(session, reference)
            if post is not None:
                return post
            number = rules.post_number(reference)
            if number is not None:
                post = await repo.get_post(session, number)
                if post is not None and post.status == repo.POSTED:
                    return post
            return None

    async def answer(self, caller: Caller, reference: str, text: str) -> Reply:
        """Grade a person's answer to a daily question; the reference stays hidden (spoiler)."""
        post = await self.find_post(reference)
        if post is None or post.concept_id is None:
            raise NotFound("daily_no_post")
        concept = self.knowledge.concept_or_none(post.concept_id)
        if concept is None:
            raise NotFound("daily_no_post")
        async with self.ctx.sessions() as session:
            schedule = await repo.schedule_by_id(session, post.schedule_id)
            already = await repo.previous_answer(session, post.id, caller.user_id)
        assert schedule is not None
        locale = self.ctx.locale(caller) if caller.locale else self.ctx.spoken(schedule).locale
        if already is not None:
            return Reply(
                t("daily_already_answered", locale, score=already),
                kind=ReplyKind.INFO,
                ephemeral=True,
            )
        result, record = await grade_answer(self.ctx, concept, text)
        async with self.ctx.sessions() as session, session.begin():
            stored = await repo.record_answer(session, post, schedule, caller, record)
            if stored:
                await review_answer(
                    session,
                    caller.platform,
                    caller.workspace_id,
                    caller.user_id,
                    record.concept_id,
                    record.score,
                    self.ctx.clock.now(),
                    term=record.term,
                    name=caller.display_name,
                    kept=self.ctx.names,
                )
        if not stored:
            async with self.ctx.sessions() as session:
                score = await repo.previous_answer(session, post.id, caller.user_id)
            return Reply(
                t("daily_already_answered", locale, score=score),
                kind=ReplyKind.INFO,
                ephemeral=True,
            )
        hidden = post.revealed_at is None
        graded = grade_reply(result, concept, locale, hide_reference=hidden, answer_id=stored)
        return replace(graded, ephemeral=True)  # a grade never spoils the question for others

    def acknowledge(self, caller: Caller, reference: str, locale: str) -> Reply:
        """What the thread sees of a person's answer: that they answered, and a button that shows
        each person their own grade (the grade itself goes only to them)."""
        name = echo(caller.display_name) if caller.display_name else t("someone", locale)
        return Reply(
            t("daily_answered_public", locale, name=name),
            kind=ReplyKind.INFO,
            actions=(Action("daily.mine", t("action_daily_mine", locale), reference),),
        )

    async def unanswered(self, caller: Caller, reference: str) -> bool:
        """Whether ``reference`` is a daily post (or its thread) the caller has not answered."""
        post = await self.find_post(reference)
        if post is None:
            return False
        async with self.ctx.sessions() as session:
            return await repo.stored_answer(session, post.id, caller.user_id) is None

    async def mine(self, caller: Caller, reference: str) -> Reply:
        """The caller's own grade on a daily question (private), graded again from the stored
        answer; a clear no when they have not answered it."""
        post = await self.find_post(reference)
        if post is None or post.concept_id is None:
            raise NotFound("daily_no_post")
        concept = self.knowledge.concept_or_none(post.concept_id)
        async with self.ctx.sessions() as session:
            schedule = await repo.schedule_by_id(session, post.schedule_id)
            answer = await repo.stored_answer(session, post.id, caller.user_id)
            answer_id = await appeals_repo.daily_answer_id(session, post.id, caller.user_id)
        assert schedule is not None
        locale = self.ctx.locale(caller) if caller.locale else self.ctx.spoken(schedule).locale
        if answer is None or concept is None:
            key = NOT_ANSWERED[self.ctx.answer_by(caller.platform)]
            return Reply(t(key, locale), kind=ReplyKind.INFO, ephemeral=True)
        result = await grade_only(self.ctx, concept, answer)
        hidden = post.revealed_at is None
        graded = grade_reply(result, concept, locale, hide_reference=hidden, answer_id=answer_id)
        return replace(graded, ephemeral=True)
