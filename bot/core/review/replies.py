"""How the learning loop reads: a review session's intro and what comes next, "nothing due",
reminders, ``/stats``, the leaderboard, an export and the Slack App Home dashboard. Every reply
carries its message key in ``extra["key"]``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.interview.rules import topic_label
from bot.core.messages import t
from bot.core.models import Action, Attachment, Field, Reply, ReplyKind
from bot.core.review.progress import Stats

REVIEW_ANYWAY: str = "review.anyway"
REVIEW_START: str = "review.start"
LEADERBOARD_PAGE: str = "leaderboard.page"
# Due dates shown under a finished review session.
MAX_NEXT_SHOWN = 10


def _day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d")


def review_intro_reply(locale: str, count: int, crammed: bool) -> Reply:
    """The intro of a review session of ``count`` cards (``crammed``: none was due)."""
    key = "review_intro_cram" if crammed else "review_intro"
    return Reply(
        t("review_title", locale),
        t(key, locale, count=count),
        kind=ReplyKind.INFO,
        extra={"key": "review_started", "count": count},
    )


def none_due_reply(locale: str, next_due: datetime | None, zone: ZoneInfo) -> Reply:
    """Nothing is due: when the next review is (or that there are no cards yet), with the
    button that reviews anyway."""
    if next_due is None:
        body = t("review_no_cards", locale)
        actions: tuple[Action, ...] = ()
    else:
        body = t("review_none_due", locale, day=_day(next_due, zone))
        actions = (Action(REVIEW_ANYWAY, t("action_review_anyway", locale)),)
    return Reply(
        t("review_title", locale),
        body,
        kind=ReplyKind.INFO,
        actions=actions,
        extra={"key": "review_none_due"},
    )


def next_due_lines(items: Sequence[tuple[str, datetime]], locale: str, zone: ZoneInfo) -> str:
    """Under a finished review session: each concept with its next review day, soonest first."""
    ordered = sorted(items, key=lambda item: item[1])[:MAX_NEXT_SHOWN]
    lines = [t("review_next_title", locale)]
    lines += [
        t("review_next_line", locale, term=term, day=_day(due, zone)) for term, due in ordered
    ]
    return "\n".join(lines)


def remind_reply(
    locale: str, key: str, *, time_of_day: str = "", zone: str = "", due: int = 0
) -> Reply:
    """``/remind``: on (at a time in a zone), off, or the current setting (``key``)."""
    text = {
        "remind_on": t("remind_on", locale, time=time_of_day, zone=zone),
        "remind_off": t("remind_off", locale),
        "remind_status": (
            t("remind_status_on", locale, time=time_of_day, zone=zone, due=due)
            if time_of_day
            else t("remind_status_off", locale, due=due)
        ),
    }[key]
    return Reply(t("remind_title", locale), text, kind=ReplyKind.INFO, extra={"key": key})


def nudge_reply(locale: str, due: int) -> Reply:
    """The reminder a person asked for: how many concepts are due, and the Review button."""
    return Reply(
        t("nudge_title", locale),
        t("nudge_body", locale, count=due),
        kind=ReplyKind.INFO,
        actions=(Action(REVIEW_START, t("action_review", locale)),),
        extra={"key": "nudge", "due": due},
    )


def stats_reply(
    stats: Stats, locale: str, name: str, chart: bytes | None, *, first_day: date | None = None
) -> Reply:
    """``/stats``: answers, average, streak, due this week, averages by topic and the weakest
    concepts, with the chart attached when there is one."""
    if stats.answers == 0:
        return Reply(
            t("stats_title", locale, name=name),
            t("stats_none", locale),
            kind=ReplyKind.INFO,
            extra={"key": "stats", "answers": 0},
        )
    fields = [
        Field(t("stats_answers", locale), str(stats.answers)),
        Field(t("stats_average", locale), f"{stats.average or 0:.0f}"),
        Field(t("stats_streak", locale), t("stats_days", locale, count=stats.streak)),
        Field(t("stats_due_week", locale), str(stats.due_this_week)),
    ]
    topics = [
        t(
            "stats_topic_line",
            locale,
            topic=topic_label(s.topic, locale),
            average=f"{s.average:.0f}",
            count=s.count,
        )
        for s in stats.by_topic
    ]
    weakest = [
        t("stats_weak_line", locale, term=s.term, average=f"{s.average:.0f}", count=s.count)
        for s in stats.weakest
    ]
    body = []
    if topics:
        body += [t("stats_by_topic", locale), *topics]
    if weakest:
        body += ["", t("stats_weakest", locale), *weakest]
    files = (Attachment("stats.png", chart, "image/png"),) if chart else ()
    return Reply(
        t("stats_title", locale, name=name),
        "\n".join(body),
        kind=ReplyKind.INFO,
        fields=tuple(fields),
        files=files,
        ephemeral=True,
        extra={"key": "stats", "answers": stats.answers, "streak": stats.streak},
    )


def leaderboard_reply(
    rows: Sequence[tuple[str, int, float]],
    locale: str,
    period: str,
    page: int,
    has_next: bool,
    first_rank: int,
) -> Reply:
    """``/leaderboard``: one page of (name, answers, average), names as text (nobody is
    pinged), with buttons to the neighbouring pages."""
    title = t("leaderboard_title_week" if period == "week" else "leaderboard_title_all", locale)
    if not rows:
        body = t("leaderboard_empty", locale)
    else:
        body = "\n".join(
            t(
                "leaderboard_line",
                locale,
                rank=first_rank + i,
                name=name,
                answers=answers,
                average=f"{average:.0f}",
            )
            for i, (name, answers, average) in enumerate(rows)
        )
    actions = []
    if page > 1:
        actions.append(
            Action(LEADERBOARD_PAGE, t("action_previous", locale), f"{period}:{page - 1}")
        )
    if has_next:
        actions.append(Action(LEADERBOARD_PAGE, t("action_next", locale), f"{period}:{page + 1}"))
    return Reply(
        title,
        body,
        kind=ReplyKind.INFO,
        actions=tuple(actions),
        footer=t("leaderboard_footer", locale, page=page),
        extra={"key": "leaderboard", "page": page, "rows": len(rows)},
    )


def opt_reply(locale: str, out: bool) -> Reply:
    """``/leaderboard optout|optin``."""
    return Reply(
        t("leaderboard_title_all", locale),
        t("leaderboard_opted_out" if out else "leaderboard_opted_in", locale),
        kind=ReplyKind.INFO,
        ephemeral=True,
        extra={"key": "leaderboard_opt", "out": out},
    )


def export_reply(locale: str, answers: int, files: Sequence[Attachment]) -> Reply:
    """``/export``: the person's history (CSV) and an Anki deck of their weakest concepts."""
    return Reply(
        t("export_title", locale),
        t("export_body", locale, count=answers) if answers else t("stats_none", locale),
        kind=ReplyKind.INFO,
        files=tuple(files) if answers else (),
        ephemeral=True,
        extra={"key": "export", "answers": answers},
    )


def dashboard_reply(locale: str, name: str, due: int, stats: Stats) -> Reply:
    """The Slack App Home: cards due (with the Review button), streak, weakest topics."""
    weakest = sorted(stats.by_topic, key=lambda s: s.average)[:3]
    fields = [
        Field(t("dashboard_due", locale), str(due)),
        Field(t("stats_streak", locale), t("stats_days", locale, count=stats.streak)),
        Field(t("stats_answers", locale), str(stats.answers)),
    ]
    if weakest:
        names = ", ".join(topic_label(s.topic, locale) for s in weakest)
        fields.append(Field(t("dashboard_weak_topics", locale), names))
    return Reply(
        t("dashboard_title", locale, name=name),
        t("dashboard_body", locale) if stats.answers else t("stats_none", locale),
        kind=ReplyKind.INFO,
        fields=tuple(fields),
        actions=(Action(REVIEW_START, t("action_review", locale)),),
        extra={"key": "dashboard", "due": due},
    )
