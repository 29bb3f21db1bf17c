"""The learning loop's flows: ``/review`` (a session over the person's due cards, run as an
interview with a plan), ``/remind``, ``/stats`` with its chart, the leaderboard, ``/export``
and the Slack App Home dashboard. Cards are reviewed where answers are stored
(:mod:`bot.app.cards`); the nudges are sent by :mod:`bot.app.reminders`.

A person is (platform, workspace, user); "today" is their day in their time zone: the one
their reminder is set in, else the bot's default (``DAILY_DEFAULT_TZ``).
"""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app.charts import stats_chart
from bot.app.context import Context
from bot.app.interview import MockInterviews
from bot.core.errors import BadInput, Forbidden
from bot.core.interview.rules import topic_label
from bot.core.messages import t
from bot.core.models import Attachment, Caller, Reply
from bot.core.review.progress import (
    Stats,
    build_stats,
    day_start,
    local_day,
    local_days,
    parse_time_of_day,
    zone_of,
)
from bot.core.review.replies import (
    dashboard_reply,
    export_reply,
    leaderboard_reply,
    none_due_reply,
    nudge_reply,
    opt_reply,
    remind_reply,
    review_intro_reply,
    stats_reply,
)
from bot.core.review.scheduling import DAILY_REVIEW_CAP
from bot.core.sanitize import clean_text
from bot.db import reviews as repo

LEADERBOARD_PAGE_SIZE: Final = 10
LEADERBOARD_PERIODS: Final = ("week", "all")
# What the chart draws: the latest answers of the last days.
CHART_DAYS: Final = 90
CHART_POINTS: Final = 500
# The Anki deck holds this many of the weakest concepts.
ANKI_CARDS: Final = 50
WEEK: Final = timedelta(days=7)
# The days a streak is first counted over; a streak that reaches back that far reads them all.
STREAK_WINDOW: Final = timedelta(days=62)
_ID_TAIL = 4


@dataclass(frozen=True, slots=True)
class Person:
    """Whose cards and history: a platform, a workspace and a user."""

    platform: str
    workspace_id: str
    user_id: str

    @classmethod
    def of(cls, caller: Caller, user_id: str | None = None) -> Person:
        """The caller, or another person of the caller's workspace."""
        return cls(caller.platform, caller.workspace_id, user_id or caller.user_id)

    @property
    def key(self) -> tuple[str, str, str]:
        """The person as repository arguments."""
        return (self.platform, self.workspace_id, self.user_id)


def someone(user_id: str, locale: str) -> str:
    """How a person without a known name is shown: never a mention."""
    return t("leaderboard_someone", locale, tail=user_id[-_ID_TAIL:])


class Reviews:
    """Spaced-repetition reviews and progress, per person."""

    def __init__(self, ctx: Context, interviews: MockInterviews) -> None:
        self.ctx = ctx
        self.interviews = interviews

    async def _zone(self, session: AsyncSession, person: Person) -> ZoneInfo:
        reminder = await repo.get_reminder(session, *person.key)
        name = reminder.tz if reminder is not None else self.ctx.settings.daily_default_tz
        try:
            return zone_of(name)
        except BadInput:
            return zone_of(self.ctx.settings.daily_default_tz)

    # --- /review -------------------------------------------------------------------------

    async def review(self, caller: Caller, anyway: bool = False) -> list[Reply]:
        """Start a session over the person's due cards, most overdue first, at most
        :data:`DAILY_REVIEW_CAP` a day; nothing due: when the next one is, with a button to
        review anyway (the soonest cards, due or not)."""
        plan = await self._plan(caller, anyway)
        if isinstance(plan, Reply):
            return [plan]
        concepts, crammed = plan
        intro = review_intro_reply(self.ctx.locale(caller), len(concepts), crammed=crammed)
        return await self.interviews.start(caller, plan=concepts, intro=intro)

    async def preview(self, caller: Caller, anyway: bool = False) -> Reply | None:
        """What :meth:`review` answers when it would start nothing (nothing due), else None: a
        front end asks before it opens a thread for the session."""
        plan = await self._plan(caller, anyway)
        return plan if isinstance(plan, Reply) else None

    async def _plan(self, caller: Caller, anyway: bool) -> tuple[list[int], bool] | Reply:
        """The concepts a session would ask and whether it crams (none was due), or the reply
        that says nothing is due."""
        person = Person.of(caller)
        locale = self.ctx.locale(caller)
        now = self.ctx.clock.now()
        await self._name(caller)
        async with self.ctx.reads() as session:
            zone = await self._zone(session, person)
            today = day_start(local_day(now, zone), zone)
            reviewed = await repo.reviewed_since(session, *person.key, today)
            left = max(0, DAILY_REVIEW_CAP - reviewed)
            due = await repo.due_cards(session, *person.key, now, left) if left else []
            upcoming = await repo.upcoming_cards(session, *person.key, DAILY_REVIEW_CAP)
        if due:
            return [card.concept_id for card in due], False
        if anyway and upcoming:
            return [card.concept_id for card in upcoming], True
        waiting = [card for card in upcoming if card.due > now]
        next_due = waiting[0].due if waiting else (upcoming[0].due if upcoming else None)
        return none_due_reply(locale, next_due, zone)

    async def _name(self, caller: Caller) -> None:
        """Keep the caller's display name for the leaderboard."""
        if caller.display_name:
            async with self.ctx.sessions() as session, session.begin():
                await repo.record_name(session, *Person.of(caller).key, caller.display_name)

    async def due_notice(self, caller: Caller) -> Reply | None:
        """The "N concepts are due" notice with the Review button, when any are (a console
        start)."""
        person = Person.of(caller)
        async with self.ctx.reads() as session:
            due = await repo.cards_due_between(session, *person.key, None, self.ctx.clock.now())
        return nudge_reply(self.ctx.locale(caller), due) if due else None

    # --- /remind -------------------------------------------------------------------------

    async def remind(self, caller: Caller, argument: str) -> Reply:
        """``on HH:MM [zone]`` (also just ``HH:MM``), ``off``, or the setting (anything else
        empty or ``status``). A time zone that does not exist or a time that is not one is
        refused with what was given."""
        person = Person.of(caller)
        locale = self.ctx.locale(caller)
        words = clean_text(argument).split()
        command = words[0].casefold() if words else "status"
        now = self.ctx.clock.now()
        async with self.ctx.sessions() as session, session.begin():
            current = await repo.get_reminder(session, *person.key)
            if command in ("off", "끄기"):
                if current is not None:
                    await repo.set_reminder(
                        session,
                        *person.key,
                        local_time=current.local_time,
                        tz=current.tz,
                        enabled=False,
                        now=now,
                    )
                return remind_reply(locale, "remind_off")
            if command in ("status", "상태"):
                due = await repo.cards_due_between(session, *person.key, None, now)
                on = current is not None and current.enabled
                return remind_reply(
                    locale,
                    "remind_status",
                    time_of_day=current.local_time if on and current else "",
                    zone=current.tz if on and current else "",
                    due=due,
                )
            rest = words[1:] if command in ("on", "켜기") else words
            if not rest:
                raise BadInput("remind_bad_time", time="")
            moment = parse_time_of_day(rest[0])
            if moment is None:
                raise BadInput("remind_bad_time", time=rest[0][:20])
            default = current.tz if current is not None else self.ctx.settings.daily_default_tz
            zone_name = rest[1] if len(rest) > 1 else default
            zone_of(zone_name)  # a zone that does not exist: review_bad_zone
            local_time = moment.strftime("%H:%M")
            await repo.set_reminder(
                session,
                *person.key,
                local_time=local_time,
                tz=zone_name,
                enabled=True,
                now=now,
                locale=caller.locale if caller.locale in ("ko", "en") else "",
            )
        return remind_reply(locale, "remind_on", time_of_day=local_time, zone=zone_name)

    # --- /stats --------------------------------------------------------------------------

    async def _stats(self, session: AsyncSession, person: Person, now: datetime) -> Stats:
        zone = await self._zone(session, person)
        return await person_stats(session, person, now, zone)

    async def stats(self, caller: Caller, member_id: str | None = None) -> Reply:
        """The person's progress (another member's for an admin) with a chart."""
        if member_id and member_id != caller.user_id and not caller.is_admin:
            raise Forbidden("admin_only")
        person = Person.of(caller, member_id)
        locale = self.ctx.locale(caller)
        now = self.ctx.clock.now()
        await self._name(caller)
        async with self.ctx.reads() as session:
            stats = await self._stats(session, person, now)
            points = await repo.recent_scores(
                session, *person.key, now - timedelta(days=CHART_DAYS), CHART_POINTS
            )
            names = await repo.names_of(
                session, person.platform, person.workspace_id, [person.user_id]
            )
        name = names.get(person.user_id) or someone(person.user_id, locale)
        chart = None
        if stats.answers:
            topics = [(topic_label(s.topic, locale), s.average) for s in stats.by_topic]
            chart = await asyncio.to_thread(
                stats_chart,
                points,
                topics,
                title=t("stats_title", locale, name=name),
                over_time=t("stats_chart_time", locale),
                by_topic=t("stats_chart_topics", locale),
            )
        return stats_reply(stats, locale, name, chart)

    # --- the leaderboard -----------------------------------------------------------------

    async def leaderboard(self, caller: Caller, period: str = "week", page: int = 1) -> Reply:
        """One page of the workspace's leaderboard (``week``: the last seven days, ``all``):
        answers and average per person, by name, nobody mentioned; opted-out people left out."""
        period = period if period in LEADERBOARD_PERIODS else "week"
        page = max(1, page)
        locale = self.ctx.locale(caller)
        now = self.ctx.clock.now()
        since = now - WEEK if period == "week" else None
        await self._name(caller)
        async with self.ctx.reads() as session:
            rows = await repo.leaderboard(
                session,
                caller.platform,
                caller.workspace_id,
                since,
                LEADERBOARD_PAGE_SIZE + 1,
                (page - 1) * LEADERBOARD_PAGE_SIZE,
            )
            shown = rows[:LEADERBOARD_PAGE_SIZE]
            names = await repo.names_of(
                session, caller.platform, caller.workspace_id, [r.user_id for r in shown]
            )
        lines = [
            (names.get(r.user_id) or someone(r.user_id, locale), r.answers, r.average)
            for r in shown
        ]
        first_rank = (page - 1) * LEADERBOARD_PAGE_SIZE + 1
        return leaderboard_reply(
            lines, locale, period, page, len(rows) > LEADERBOARD_PAGE_SIZE, first_rank
        )

    async def leaderboard_page(self, caller: Caller, argument: str) -> Reply:
        """A page button's ``period:page``."""
        period, _, number = argument.partition(":")
        return await self.leaderboard(caller, period, int(number) if number.isdigit() else 1)

    async def opt(self, caller: Caller, out: bool) -> Reply:
        """Stay off (``out``) or come back on the workspace leaderboard."""
        async with self.ctx.sessions() as session, session.begin():
            await repo.set_leaderboard_opt_out(session, *Person.of(caller).key, out)
        return opt_reply(self.ctx.locale(caller), out)

    # --- /export -------------------------------------------------------------------------

    async def export(self, caller: Caller) -> Reply:
        """The person's history as CSV and an Anki-importable deck (tab-separated, with Anki's
        header lines) of their weakest concepts with the notes' answers."""
        person = Person.of(caller)
        async with self.ctx.reads() as session:
            history = await repo.history(session, *person.key)
            weak = await repo.stats_rows(session, *person.key, weakest=ANKI_CARDS)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["answered_at", "term", "score", "counted", "band", "source", "answer"])
        for row in history:
            writer.writerow(
                [
                    row.created_at.isoformat(),
                    row.term,
                    row.score,
                    row.credited,
                    row.band,
                    row.source,
                    row.answer,
                ]
            )
        by_term = {c.term: c for c in self.ctx.knowledge.concepts(caller.scope)}
        deck = ["#separator:tab", "#html:false", "#columns:Front\tBack\tTags"]
        for figure in weak.weakest:
            concept = by_term.get(figure.term)
            if concept is None:
                continue
            front = _one_line(concept.question or concept.term)
            back = _one_line(concept.definition)
            tag = _one_line(concept.category).replace(" ", "_")
            deck.append(f"{front}\t{back}\tinterview-bot {tag}")
        files = [
            Attachment("answers.csv", out.getvalue().encode("utf-8-sig"), "text/csv"),
            Attachment("weakest-anki.txt", "\n".join(deck).encode("utf-8") + b"\n", "text/plain"),
        ]
        return export_reply(self.ctx.locale(caller), len(history), files)

    # --- the Slack App Home --------------------------------------------------------------

    async def dashboard(self, caller: Caller) -> Reply:
        """The person's dashboard: cards due now (a Review button), streak, weakest topics."""
        person = Person.of(caller)
        now = self.ctx.clock.now()
        async with self.ctx.reads() as session:
            stats = await self._stats(session, person, now)
            due = await repo.cards_due_between(session, *person.key, None, now)
        name = caller.display_name or someone(caller.user_id, self.ctx.locale(caller))
        return dashboard_reply(self.ctx.locale(caller), name, due, stats)


async def person_stats(
    session: AsyncSession, person: Person, now: datetime, zone: ZoneInfo
) -> Stats:
    """A person's :class:`Stats` at ``now`` in ``zone``, from the counted figures in one read
    (:func:`bot.db.reviews.stats_figures`): the groups, the cards due within a week, and the
    days of the streak (the last :data:`STREAK_WINDOW`; the days before are read only when the
    streak reaches back that far)."""
    window = now - STREAK_WINDOW
    figures = await repo.stats_figures(
        session, *person.key, due_before=now + WEEK, days_since=window
    )
    rows, due_week, spans = figures.rows, figures.due, figures.spans
    today = local_day(now, zone)

    def stats() -> Stats:
        days = local_days(spans, zone)
        return build_stats(rows.by_topic, rows.weakest, days, today=today, due_this_week=due_week)

    counted = stats()
    if counted.streak < STREAK_WINDOW.days - 1:
        return counted
    spans += await repo.answer_day_spans(session, *person.key, before=window)
    return stats()


def _one_line(text: str) -> str:
    """Text for one field of a tab-separated deck: no tabs, no line breaks."""
    return " ".join(text.replace("\t", " ").split())
