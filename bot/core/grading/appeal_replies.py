"""How an appeal ("I was right") reads: the button under a grade, the private answer to the person
who appealed, and the admins' per-concept list of appeals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.knowledge.replies import echo
from bot.core.messages import t
from bot.core.models import Action, Appeal, AppealCount, Band, Reply, ReplyKind

APPEAL_ACTION = "appeal"  # the Service command a grade's appeal button carries
EXCERPT_CHARS = 120
NOTE_CHARS = 200
MAX_NOTE_CHARS = 1_000  # what is stored of a note


def appeal_action(answer_id: int, locale: str) -> Action:
    """The button under a grade that appeals it (the stored answer's id as its argument)."""
    return Action(APPEAL_ACTION, t("action_appeal", locale), str(answer_id))


def answer_number(text: str) -> int | None:
    """The answer id an appeal names (``42`` or ``#42``); None when it names none."""
    digits = text.strip().removeprefix("#")
    return int(digits) if digits.isdigit() and 0 < len(digits) <= 18 else None


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _band(band: str, locale: str) -> str:
    return t(f"band_{band}", locale) if band in {b.value for b in Band} else band


def recorded_reply(appeal: Appeal, locale: str) -> Reply:
    """The appeal was recorded now: the answer counts as correct (only the person sees it)."""
    body = t("appeal_recorded_body", locale, term=appeal.term, score=appeal.score)
    if appeal.note:
        body += "\n" + t("appeals_note_line", locale, note=echo(appeal.note, NOTE_CHARS)).strip()
    return Reply(
        t("appeal_recorded_title", locale),
        body,
        kind=ReplyKind.INFO,
        ephemeral=True,
        extra={"appeal_id": appeal.id, "answer_id": appeal.answer_id, "recorded": True},
    )


def already_reply(appeal: Appeal, locale: str) -> Reply:
    """The answer had been appealed before: nothing new was recorded."""
    return Reply(
        t("appeal_already_title", locale),
        t(
            "appeal_already_body",
            locale,
            term=appeal.term,
            score=appeal.score,
            when=_when(appeal.created_at),
        ),
        kind=ReplyKind.INFO,
        ephemeral=True,
        extra={"appeal_id": appeal.id, "answer_id": appeal.answer_id, "recorded": False},
    )


def percent(count: AppealCount) -> int:
    """A concept's appeal rate in whole percent."""
    return round(100 * count.rate)


def report_reply(counts: Sequence[AppealCount], latest: Sequence[Appeal], locale: str) -> Reply:
    """The admins' list: concepts by appeals with their appeal rate, then the latest appeals
    with score, band, an answer excerpt and the note."""
    if not counts:
        return Reply(t("appeals_title", locale), t("appeals_none", locale), ephemeral=True)
    lines = [f"**{t('appeals_by_concept', locale)}**"]
    for number, count in enumerate(counts, 1):
        line = t(
            "appeals_concept_line",
            locale,
            term=count.term,
            appeals=count.appeals,
            graded=count.graded,
            rate=percent(count),
        )
        lines.append(f"{number}. {line}")
    lines += ["", f"**{t('appeals_latest', locale)}**"]
    for appeal in latest:
        lines.append(
            "- "
            + t(
                "appeals_latest_line",
                locale,
                when=_when(appeal.created_at),
                term=appeal.term,
                score=appeal.score,
                band=_band(appeal.band, locale),
                answer_id=appeal.answer_id if appeal.answer_id is not None else "—",
            )
        )
        excerpt = echo(appeal.answer, EXCERPT_CHARS) or "—"
        lines.append(t("appeals_answer_line", locale, excerpt=excerpt))
        if appeal.note:
            lines.append(t("appeals_note_line", locale, note=echo(appeal.note, NOTE_CHARS)))
    return Reply(
        t("appeals_title", locale),
        "\n".join(lines),
        kind=ReplyKind.INFO,
        ephemeral=True,
        extra={"counts": [(c.term, c.appeals, c.graded) for c in counts]},
    )
