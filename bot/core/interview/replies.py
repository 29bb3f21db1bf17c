"""How a mock interview reads: the intro, each question with its buttons, a skipped question,
hints, and the summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.core.grading.replies import reference_body
from bot.core.interview.questions import question_for
from bot.core.interview.rules import mask_hint, summarize, topic_label
from bot.core.messages import t
from bot.core.models import Action, AnswerBy, Concept, InterviewState, KeyPoint, Reply, ReplyKind

HOW_TO_ANSWER = {AnswerBy.TEXT: "answer_how_text", AnswerBy.MENTION: "answer_how_mention"}


def actions(locale: str) -> tuple[Action, ...]:
    """The buttons under every interview question."""
    return (
        Action("interview.answer", t("action_answer", locale)),
        Action("interview.hint", t("action_hint", locale)),
        Action("interview.skip", t("action_skip", locale)),
        Action("interview.stop", t("action_stop", locale)),
    )


def topics_reply(counts: Mapping[str, int], locale: str) -> Reply:
    """The topics (the notes' categories) with how many concepts each has, and how to start."""
    if not counts:
        return Reply(t("topics_title", locale), t("topics_none", locale), kind=ReplyKind.INFO)
    lines = [
        t("topics_line", locale, topic=topic_label(category, locale), count=count)
        for category, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    body = "\n".join([*lines, "", t("topics_how", locale)])
    return Reply(t("topics_title", locale), body, kind=ReplyKind.INFO)


def intro_reply(
    locale: str, category: str | None, rounds: int, answer_by: AnswerBy = AnswerBy.TEXT
) -> Reply:
    """The first message of an interview: its topic, length and how to answer there."""
    topic = category or t("topic_all", locale)
    how = t(HOW_TO_ANSWER[answer_by], locale)
    return Reply(
        t("interview_started", locale, topic=topic, rounds=rounds),
        t("interview_started_body", locale, how=how),
        kind=ReplyKind.INFO,
    )


def question_reply(state: InterviewState, number: int, concept: Concept) -> Reply:
    """Question ``number`` of ``state.rounds`` with the answer, hint, skip and stop buttons."""
    return Reply(
        title=t(
            "question_title",
            state.locale,
            number=number,
            total=state.rounds,
            category=concept.category,
        ),
        body=state.current_question or question_for(concept, state.locale),
        kind=ReplyKind.QUESTION,
        actions=actions(state.locale),
        extra={
            "interview_id": state.id,
            "question_seq": state.question_seq,
            "concept_id": concept.id,
        },
    )


def skipped_reply(concept: Concept, locale: str) -> Reply:
    """A skipped question: 0 points and the reference answer."""
    return Reply(
        t("skipped_title", locale),
        reference_body(concept, locale),
        ReplyKind.GRADE,
        extra={"score": 0, "concept_id": concept.id},
    )


def hint_reply(point: KeyPoint | None, locale: str) -> Reply:
    """One key point partly masked, or "no more hints" (only the asker sees it)."""
    body = (
        t("hint_none_left", locale)
        if point is None
        else t("hint_body", locale, hint=mask_hint(point))
    )
    return Reply(t("hint_title", locale), body, ephemeral=True)


def summary_reply(locale: str, scores: Sequence[tuple[str, int]], headline: str) -> Reply:
    """The end of an interview: each question's score, the average, the weakest concepts (with
    buttons that look them up)."""
    summary = summarize(scores)
    lines = [headline, ""]
    if not scores:
        lines.append(t("summary_no_answers", locale))
    for number, (term, score) in enumerate(summary.scores, 1):
        lines.append(t("summary_line", locale, number=number, term=term, score=score))
    if scores:
        lines.append("")
        lines.append(t("summary_average", locale, average=summary.average, count=len(scores)))
    if summary.weakest:
        lines.append(t("summary_weakest", locale, terms=", ".join(summary.weakest)))
    return Reply(
        t("summary_title", locale),
        "\n".join(lines),
        ReplyKind.SUMMARY,
        suggestions=tuple(Action("define", term, term) for term in summary.weakest),
        extra={"average": summary.average, "count": len(scores)},
    )
