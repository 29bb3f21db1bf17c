"""The meaning signal beside the key points: an answer that says a point in other words, or in
another language, earns part of it (pure; the sentence vectors come through a port).

How it works, on top of :func:`bot.core.grading.grader.grade`:

1. The reference and the answer (its first :data:`MAX_MEANING_CHARS` characters) are cut
   into sentences (:func:`sentences_of`). Both lose the concept's names (saying the name is
   no likeness, and repeating the question earns nothing); the answer's sentences that deny
   something are left out (a sentence encoder hardly hears "not": the key-point grader
   judges negation).
2. A :class:`SentenceEncoder` compares every reference sentence with every answer sentence
   (cosine of sentence vectors; the reference's are computed after each ingest and stored).
3. A missed point is *close* when a reference sentence that holds it is at least
   :data:`CLOSE_SIMILARITY` like one of the answer's sentences; it earns :data:`CLOSE_CREDIT`
   of its weight and is shown with that sentence.
4. The whole answer's meaning (mean vectors, :data:`MEANING_FLOOR` -> 0 up to
   :data:`MEANING_FULL` -> 100) makes up :data:`MEANING_SHARE` of a blended score; the grade
   is the key points' score or the blend, whichever is higher, so the meaning signal never
   takes a point away from words the answer got right.

The figures behind the constants are in ``benchmarks/grade_quality.py`` (the labelled set).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Final, Protocol

from bot.core.grading.grader import (
    band_for,
    clean_reference,
    content_words,
    grade,
    lower_ascii,
    point_pattern,
    says_not,
    words_of,
)
from bot.core.grading.synonyms import SynonymMap
from bot.core.models import Concept, Grade, KeyPoint, PointHit

# A missed point is close when a sentence of the reference that holds it is this similar to
# one of the answer's sentences (cosine of the sentence vectors).
CLOSE_SIMILARITY: Final = 0.6
# A close point earns this share of its weight.
CLOSE_CREDIT: Final = 0.5
# The whole answer's similarity to the reference maps to 0-100 between these two.
MEANING_FLOOR: Final = 0.45
MEANING_FULL: Final = 0.75
# The meaning's share of the blended score (the rest: the key points, close ones counted).
MEANING_SHARE: Final = 0.2
# The encoder reads this many characters of an answer at most (its first sentences; the key
# points read MAX_ANSWER_CHARS): ~0.045 ms a token, ~0.5 token a Korean character, so a
# grade's meaning costs ~9 ms on one core at most, however long the answer.
MAX_MEANING_CHARS: Final = 400
# Work limits: sentences read of an answer and of a reference, and their length.
MAX_ANSWER_SENTENCES: Final = 24
MAX_REFERENCE_SENTENCES: Final = 40
MAX_SENTENCE_CHARS: Final = 400
MIN_SENTENCE_CHARS: Final = 4
# Concepts whose reference sentences stay cut and cleaned (a grade needs them every time).
REFERENCE_CACHE_SIZE: Final = 1024

_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|\n+")


@dataclass(frozen=True, slots=True)
class Comparison:
    """How alike two lists of sentences are: ``matrix[i][j]`` is the cosine of reference
    sentence ``i`` and answer sentence ``j``; ``overall`` the cosine of their mean vectors."""

    matrix: tuple[tuple[float, ...], ...]
    overall: float


class MeaningUnavailable(Exception):
    """The sentence encoder cannot work here (its model failed to load): grades fall back to
    the key points alone."""


class SentenceEncoder(Protocol):
    """Compares sentences by meaning (a multilingual sentence encoder behind it)."""

    def compare(self, reference: Sequence[str], answer: Sequence[str]) -> Comparison:
        """The similarities of ``reference`` sentences to ``answer`` sentences (both
        non-empty); raises :class:`MeaningUnavailable` when the encoder cannot work."""
        ...


def sentences_of(text: str, limit: int) -> list[str]:
    """The sentences of ``text`` (split at ``.``, ``!``, ``?`` and line breaks), each cut to
    :data:`MAX_SENTENCE_CHARS`, the very short ones left out, at most ``limit``."""
    found: list[str] = []
    for part in _SENTENCE_END.split(text):
        sentence = part.strip()
        if len(sentence) >= MIN_SENTENCE_CHARS:
            found.append(sentence[:MAX_SENTENCE_CHARS])
            if len(found) == limit:
                break
    return found


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: as written (shown, searched for key points) and as compared (its words
    without the concept's names, so that saying the name is no likeness)."""

    shown: str
    compared: str


@lru_cache(maxsize=REFERENCE_CACHE_SIZE)
def reference_sentences(concept: Concept, synonyms: SynonymMap) -> tuple[Sentence, ...]:
    """The sentences of the concept's reference answer that are compared (their compared
    text is what is stored as vectors at ingest)."""
    found: list[Sentence] = []
    for sentence in sentences_of(clean_reference(concept.definition), MAX_REFERENCE_SENTENCES):
        words = content_words(concept, sentence, synonyms)
        if words:
            found.append(Sentence(sentence, " ".join(words)))
    return tuple(found)


@lru_cache(maxsize=REFERENCE_CACHE_SIZE)
def _lowered(reference: tuple[Sentence, ...]) -> tuple[str, ...]:
    return tuple(lower_ascii(sentence.shown) for sentence in reference)


def answer_sentences(concept: Concept, answer: str, synonyms: SynonymMap) -> list[Sentence]:
    """The answer's sentences that may earn by meaning, within its first
    :data:`MAX_MEANING_CHARS` characters: without the concept's names, none that negates, none
    left empty."""
    found: list[Sentence] = []
    budget = MAX_MEANING_CHARS
    for sentence in sentences_of(answer, MAX_ANSWER_SENTENCES):
        if budget < MIN_SENTENCE_CHARS:
            break
        sentence = sentence[:budget]
        budget -= len(sentence)
        if says_not(words_of(sentence)):
            continue
        words = content_words(concept, sentence, synonyms)
        if words:
            found.append(Sentence(sentence, " ".join(words)))
    return found


def meaning_score(similarity: float) -> int:
    """The whole answer's similarity to the reference as 0-100."""
    share = (similarity - MEANING_FLOOR) / (MEANING_FULL - MEANING_FLOOR)
    return round(100 * min(1.0, max(0.0, share)))


def _holders(reference: tuple[Sentence, ...], point: KeyPoint, synonyms: SynonymMap) -> list[int]:
    pattern = point_pattern(point, synonyms)
    if pattern is None:
        return []
    return [i for i, text in enumerate(_lowered(reference)) if pattern.search(text)]


def with_meaning(
    graded: Grade,
    reference: tuple[Sentence, ...],
    answer: Sequence[Sentence],
    comparison: Comparison,
    synonyms: SynonymMap,
) -> Grade:
    """``graded`` (by key points) with the meaning signal applied (see the module docstring):
    close points moved out of the misses, the score raised when the blend is higher."""
    close: list[PointHit] = []
    misses: list[KeyPoint] = []
    for point in graded.misses:
        best, where = 0.0, -1
        for i in _holders(reference, point, synonyms):
            for j, value in enumerate(comparison.matrix[i]):
                if value > best:
                    best, where = value, j
        if where >= 0 and best >= CLOSE_SIMILARITY:
            close.append(PointHit(point, answer[where].shown))
        else:
            misses.append(point)
    total = sum(hit.point.weight for hit in graded.hits) + sum(p.weight for p in graded.misses)
    earned = sum(hit.point.weight for hit in graded.hits)
    earned += CLOSE_CREDIT * sum(hit.point.weight for hit in close)
    points = 100 * earned / total if total > 0 else 0.0
    meaning = meaning_score(comparison.overall)
    blended = (1 - MEANING_SHARE) * points + MEANING_SHARE * meaning
    score = max(graded.score, round(max(points, blended)))
    return replace(
        graded,
        score=score,
        band=band_for(score),
        misses=tuple(misses),
        close=tuple(close),
        meaning=meaning,
    )


class MeaningGrader:
    """The key-point grader with the meaning signal (a :class:`bot.core.ports.Grader`)."""

    def __init__(self, encoder: SentenceEncoder) -> None:
        self.encoder = encoder

    def grade(self, concept: Concept, answer: str, synonyms: SynonymMap) -> Grade:
        """The key points' grade of ``answer``, with the meaning signal when both the reference
        and the answer have sentences to compare."""
        graded = grade(concept, answer, synonyms)
        reference = reference_sentences(concept, synonyms)
        sentences = answer_sentences(concept, answer, synonyms)
        if not reference or not sentences:
            return replace(graded, meaning=0 if reference else None)
        try:
            comparison = self.encoder.compare(
                [s.compared for s in reference], [s.compared for s in sentences]
            )
        except MeaningUnavailable:
            return graded  # graded by the key points alone (the encoder said why, once)
        return with_meaning(graded, reference, sentences, comparison, synonyms)
