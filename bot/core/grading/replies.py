"""How a grade reads: score and band, the key points hit (with the words that hit them), said in
other words (with the answer's sentence) and missed, the meaning figure, and the reference
answer with the hit points marked."""

from __future__ import annotations

from typing import Final

from bot.core.grading.appeal_replies import appeal_action
from bot.core.knowledge.search import clip
from bot.core.messages import t
from bot.core.models import Concept, Field, Grade, Reply, ReplyKind

# A close point's answer sentence is shown cut to this many characters.
CLOSE_SENTENCE_CHARS: Final = 80


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
    )
    if grade_.close:
        close = "\n".join(
            t(
                "close_with_sentence",
                locale,
                point=c.point.label,
                sentence=clip(c.matched, CLOSE_SENTENCE_CHARS),
            )
            for c in grade_.close
        )
        fields = (*fields, Field(t("field_close", locale), close, False))
    fields = (*fields, Field(t("field_misses", locale), misses or t("nothing", locale), False))
    if grade_.meaning is not None:
        meaning = t("meaning_value", locale, meaning=grade_.meaning)
        fields = (*fields, Field(t("field_meaning", locale), meaning, True))
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
