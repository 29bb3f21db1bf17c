"""How the daily question reads: the post with its answer button and marker, the reveal of the
reference with the day's figures, and a schedule's description."""

from __future__ import annotations

from datetime import date

from bot.core.daily.rules import marker
from bot.core.daily.schedule import format_weekdays
from bot.core.interview.questions import question_for
from bot.core.messages import t
from bot.core.models import Action, AnswerBy, Concept, DailyPost, Reply, ReplyKind, ScheduleState

FOOTERS = {AnswerBy.TEXT: "daily_footer", AnswerBy.MENTION: "daily_footer_mention"}
NOT_ANSWERED = {AnswerBy.TEXT: "daily_not_answered", AnswerBy.MENTION: "daily_not_answered_mention"}
Figures = tuple[int, float, list[tuple[str, int]]]  # answers, average, most missed (point, n)


def when_text(schedule: ScheduleState, locale: str) -> str:
    """``평일 09:00 (Asia/Seoul)``: a schedule's days, time and zone."""
    days = format_weekdays(frozenset(int(d) for d in schedule.weekdays))
    return t("daily_when", locale, weekdays=days, time=schedule.local_time, tz=schedule.tz)


def question_reply(
    schedule: ScheduleState,
    post_id: int,
    concept: Concept,
    local_date: date | None,
    answer_by: AnswerBy = AnswerBy.TEXT,
) -> Reply:
    """The daily post: the question, an answer button, how to answer and the marker in the
    footer."""
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
        footer=t(FOOTERS[answer_by], locale, post_id=post_id),
        extra={
            "daily_post_id": post_id,
            "marker": marker(post_id),
            "mention": schedule.mention,
        },
    )


def reveal_reply(post: DailyPost, concept: Concept, locale: str, figures: Figures) -> Reply:
    """The reference answer of a past post with the day's figures."""
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
