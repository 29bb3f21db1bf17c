"""How a grade reads: score and band, the key points hit (with the words that hit them) and
missed, and the reference answer with the hit points marked."""

from __future__ import annotations

from bot.core.grading.appeal_replies import appeal_action
from bot.core.messages import t
from bot.core.models import Concept, Field, Grade, Reply, ReplyKind


def reference_body(concept: Concept, locale: str, reference: str | None = None) -> str:
    """``**Reference** — term`` and the reference text (the definition unless given)."""
    text = concept.definition if reference is None else reference
    return f"**{t('field_reference', locale)}** — {concept.term}\n{text}"


def grade_reply(
    grade_: Grade,
    concept: Concept,
    locale: str,
    *,
    hide_reference: bool = False,
    answer_id: int | None = None,
) -> Reply:
    """A graded answer: score and band, key points hit (with the words that hit) and missed, and
    the reference answer with the hit points marked (hidden as a spoiler when asked). Given the
    stored answer's id, it carries the button that appeals the grade ("I was right")."""
    hits = ", ".join(
        t("hit_with_word", locale, point=h.point.label, word=h.matched) for h in grade_.hits
    )
    misses = ", ".join(p.label for p in grade_.misses)
    fields: tuple[Field, ...] = (
        Field(t("field_hits", locale), hits or t("nothing", locale), False),
        Field(t("field_misses", locale), misses or t("nothing", locale), False),
    )
    if grade_.hints_used:
        penalty = t("grade_hint_penalty", locale, hints=grade_.hints_used, points=grade_.penalty)
        fields = (*fields, Field(t("field_hints", locale), penalty, False))
    reference = grade_.reference_marked or concept.definition
    return Reply(
        title=t(
            "grade_title", locale, score=grade_.score, band=t(f"band_{grade_.band.value}", locale)
        ),
        body="" if hide_reference else reference_body(concept, locale, reference),
        kind=ReplyKind.GRADE,
        fields=fields,
        spoiler=reference if hide_reference else "",
        actions=(appeal_action(answer_id, locale),) if answer_id is not None else (),
        extra={
            "score": grade_.score,
            "band": grade_.band.value,
            "concept_id": concept.id,
            "answer_id": answer_id,
        },
    )
