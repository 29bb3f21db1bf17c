"""A mock interview's rules: how many rounds, which concept comes next, hints, topics, the
summary's figures."""

from __future__ import annotations

import random
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.core.errors import BadInput
from bot.core.knowledge.glossary import default_glossary
from bot.core.knowledge.text import compact, has_hangul, normalize_query, to_jamo
from bot.core.models import KeyPoint

DEFAULT_ROUNDS = 5
MAX_ROUNDS = 20
NEVER_SEEN_WEIGHT = 3.0
MIN_WEIGHT = 0.2
TOPIC_CUTOFF = 75.0
HINT_MASK = "○"
WEAK_SCORE = 60
MAX_WEAKEST = 3


def clamp_rounds(rounds: int | None, default: int = DEFAULT_ROUNDS) -> int:
    """The number of rounds asked for, kept within 1..MAX_ROUNDS."""
    return max(1, min(MAX_ROUNDS, rounds if rounds is not None else default))


def parse_rounds(rounds: int | str | None, default: int) -> int:
    """The rounds asked for (a number or its text; none: ``default`` kept in range); BadInput
    outside 1..MAX_ROUNDS."""
    if rounds is None or rounds == "":
        return clamp_rounds(None, default)
    try:
        value = int(rounds)
    except (TypeError, ValueError):
        raise BadInput("interview_bad_rounds", limit=MAX_ROUNDS) from None
    if not 1 <= value <= MAX_ROUNDS:
        raise BadInput("interview_bad_rounds", limit=MAX_ROUNDS)
    return value


def choose_next(
    candidates: Sequence[int],
    asked: Collection[int],
    past_scores: Mapping[int, float],
    rng: random.Random,
) -> int | None:
    """The next concept: never one already asked in this session; concepts this person never saw
    or scored low on are more likely (weight 3 for never seen, else 0.2-2.2 falling with score)."""
    pool = [c for c in candidates if c not in asked]
    if not pool:
        return None
    weights = [
        NEVER_SEEN_WEIGHT if c not in past_scores else MIN_WEIGHT + 2 * (100 - past_scores[c]) / 100
        for c in pool
    ]
    return rng.choices(pool, weights=weights, k=1)[0]


def session_rng(seed: int, question_seq: int) -> random.Random:
    """A deterministic generator per interview and question (a restart picks the same)."""
    return random.Random(seed * 1_000_003 + question_seq)


def mask_hint(point: KeyPoint) -> str:
    """A key point partly revealed: its first letter(s), the rest masked (합성곱 -> 합○○)."""
    word = point.label
    shown = 1 if len(word) <= 4 else 2
    return word[:shown] + "".join(HINT_MASK if not ch.isspace() else " " for ch in word[shown:])


def next_hint(missed: Sequence[KeyPoint], hints_used: int) -> KeyPoint | None:
    """The key point to hint at next: the heaviest not yet hinted."""
    ordered = sorted(missed, key=lambda p: -p.weight)
    return ordered[hints_used] if hints_used < len(ordered) else None


def resolve_topic(topic: str, categories: Collection[str]) -> str | None:
    """The category a topic names: containment after normalising (통계 -> 통계적 개념), else a
    close fuzzy match, else the same for the topic's glossary translations (statistics -> 통계
    -> 통계적 개념, 운영체제 -> Operating System); None when nothing is close."""
    found = _resolve(topic, categories)
    if found is not None:
        return found
    for translation in default_glossary().translations(topic):
        found = _resolve(translation, categories)
        if found is not None:
            return found
    return None


def topic_label(category: str, locale: str) -> str:
    """A category as a topic list shows it: in English a Korean name gets its glossary English
    after it (``통계적 개념 (statistical concept)``), so English speakers can read and type it."""
    if locale != "en" or not has_hangul(category):
        return category
    glossary = default_glossary()
    whole = [t for t in glossary.translations(category) if not has_hangul(t)]
    written = category.casefold()
    pieces = whole[:1] or [e for e in glossary.known_english(category) if e not in written]
    english = ", ".join(pieces)  # nothing when the name already says it (트랜잭션(Transaction))
    return f"{category} ({english})" if english and english not in written else category


def _contains(category: str, topic: str, wanted: str, name: str) -> bool:
    """Whether the category's name contains the topic: anywhere for Korean (통계 in 통계적
    개념), as whole words for Latin (``os`` is not in ``osi``)."""
    if has_hangul(wanted):
        return wanted in name
    return re.search(rf"(?<![a-z0-9]){re.escape(topic)}(?![a-z0-9])", category) is not None


def _resolve(topic: str, categories: Collection[str]) -> str | None:
    wanted = compact(normalize_query(topic))
    if not wanted:
        return None
    best: tuple[float, str] | None = None
    for category in categories:
        name = compact(normalize_query(category))
        if wanted == name:
            return category
        contained = _contains(normalize_query(category), normalize_query(topic), wanted, name)
        score = 95.0 if contained else fuzz.ratio(to_jamo(wanted), to_jamo(name))
        if score >= TOPIC_CUTOFF and (best is None or score > best[0]):
            best = (score, category)
    return best[1] if best else None


@dataclass(frozen=True, slots=True)
class Summary:
    """An interview's figures: (term, score) per question, the average, the weakest terms."""

    scores: tuple[tuple[str, int], ...]
    average: float
    weakest: tuple[str, ...]


def summarize(scores: Sequence[tuple[str, int]]) -> Summary:
    """Average and the weakest concepts (lowest first, those under WEAK_SCORE)."""
    average = sum(s for _, s in scores) / len(scores) if scores else 0.0
    weak = sorted((s, term) for term, s in scores if s < WEAK_SCORE)
    return Summary(tuple(scores), round(average, 1), tuple(term for _, term in weak[:MAX_WEAKEST]))
