"""Grade a free-text answer by the key points of a concept it hits (pure, cheap, no tokenizer).

How an answer is read:

1. Cut to :data:`MAX_ANSWER_CHARS`, folded (NFC/NFKC, case, dashes, spacing) and split into
   Hangul and Latin/digit words; everything else (emoji, code punctuation) separates words.
2. The concept's own name, its aliases and their synonyms are removed: repeating the question
   scores nothing.
3. A key point is hit when one of its spellings, or a synonym of one, occurs in the words joined
   without spaces (so 경사 하강법 = 경사하강법):

   - starting at a word (합성곱층에서 hits 합성곱, 커널과 hits 커널, ``kernels`` hits kernel);
   - Korean only: inside a word for spellings of :data:`KOREAN_INFIX_MIN` syllables or more, or
     at the end of a word's stem (이진분류를 hits 분류), unless a negating prefix comes right
     before (비동기 does not hit 동기, 논블로킹 does not hit 블로킹);
   - Latin spellings shorter than :data:`LATIN_PREFIX_MIN` letters only as whole words (``rag``
     is not in ``storage``);
   - not when negated (기다리지 않고, ``doesn't wait``, ``non-blocking``);
   - long spellings (:data:`TYPO_MIN_JAMO` jamo or more) also with one jamo typo (경사하감법).

4. Score = weighted share of the key points hit, 0-100; bands by named cutoffs.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import accumulate
from typing import Final

from rapidfuzz.distance import OSA

from bot.core.grading.keypoints import GENERIC_WORDS, MAX_KEY_POINTS
from bot.core.grading.synonyms import SynonymMap
from bot.core.knowledge.text import PARTICLES, fold, nfc, to_jamo
from bot.core.models import Band, Concept, Grade, KeyPoint, PointHit

# Work limits: only the first MAX_ANSWER_CHARS characters of an answer are read.
MAX_ANSWER_CHARS: Final = 6000
# Each hint used during a question costs this many points of its score.
HINT_PENALTY: Final = 10
# Bands: a score at or above the cutoff earns the band.
EXCELLENT_CUTOFF: Final = 80
GOOD_CUTOFF: Final = 50
PARTIAL_CUTOFF: Final = 20
# A spelling of at least this many jamo (letters for Latin) may carry TYPO_MAX_EDITS typos.
TYPO_MIN_JAMO: Final = 9
TYPO_MAX_EDITS: Final = 1
# Latin spellings shorter than this match whole words only; longer ones also as a word's start.
LATIN_PREFIX_MIN: Final = 4
# Korean spellings at least this long also match inside a word (교차엔트로피손실함수).
KOREAN_INFIX_MIN: Final = 3
# The longest name (in words) removed from answers: ``long short term memory``.
NAME_WINDOW: Final = 4
# What may follow a name glued on and still say nothing more (정규화다, 정규화라는, 힙이라고).
NAME_COPULAS: Final[tuple[str, ...]] = (
    "입니다", "이에요", "예요", "이다", "이라는", "라는", "이라고", "라고", "이야", "야", "다",
)  # fmt: skip
# How many words before a Latin match may negate it (``does not have to wait``).
NEGATION_WINDOW: Final = 3
# Stems keep at least this many syllables when a particle or ending is cut off.
MIN_STEM_CHARS: Final = 2
# Cache sizes (compiled concepts; per-word stems and jamo).
PLAN_CACHE_SIZE: Final = 4096
# Marked references kept (a reference with the same hits is marked once: most answers to a
# question hit the same few points); a few MB at most.
MARK_CACHE_SIZE: Final = 1024
WORD_CACHE_SIZE: Final = 65536

# One-syllable prefixes that negate the word they start: 비동기, 논블로킹, 불필요, 무관, 미분류.
NEGATING_PREFIXES: Final[frozenset[str]] = frozenset("비논불무미")
LATIN_NEGATORS: Final[frozenset[str]] = frozenset(
    {"not", "no", "non", "without", "never", "t", "nor", "cannot", "neither"}
)
# What negates a Korean word: the next word (기다림 없이, 동기가 아니라), the next word after a
# -지 ending (기다리지 않고; 안에서 alone is "inside"), glued on (기다리지않고, 효과없는), or the
# word before (안 기다린다).
KOREAN_NEGATING_NEXT: Final[tuple[str, ...]] = ("없", "아니", "아닙", "아님", "아닌")
KOREAN_NEGATING_AFTER_JI: Final[tuple[str, ...]] = ("않", "안", "못")
KOREAN_NEGATING_GLUED: Final[tuple[str, ...]] = ("지않", "지못", "지안", "지도않", "지는않", "없")
KOREAN_JI_ENDINGS: Final[tuple[str, ...]] = ("지", "지도", "지는", "지를", "지만은")
KOREAN_NEGATING_BEFORE: Final[frozenset[str]] = frozenset({"안", "못"})
# A later word of the clause that is itself a negated verb (유지하지않는다, 하지못한다).
KOREAN_NEGATING_INSIDE: Final[tuple[str, ...]] = ("지않", "지못")
# Endings of purpose and concession (…지 않도록, …없게, 올리지 않고도, 기다리지 않아도): a
# sentence saying what is prevented or what is not needed is no denial.
KOREAN_NOT_DENIALS: Final[tuple[str, ...]] = (
    "도록", "않게", "없게", "않기", "없이도", "않고도", "않아도", "없어도",
)  # fmt: skip
# A negation in a word's modifier form (쓰이지 않는 메모리, 권한이 없는 사용자): it describes
# the next word rather than denying the sentence's claim.
KOREAN_DESCRIBING_NEGATIONS: Final[tuple[str, ...]] = (
    "않는", "않은", "않던", "없는", "없던", "못하는", "못한", "아닌",
)  # fmt: skip
# A point's clause is this many words at most after it (its predicate is among them).
CLAUSE_WINDOW: Final = 5
# Endings that close a point's clause: joining endings (…하고, …하거나) and a sentence's end.
CLAUSE_ENDINGS: Final[tuple[str, ...]] = (
    "고", "며", "면서", "지만", "는데", "은데", "으나", "므로", "니까", "어서", "아서", "해서",
    "려고", "도록", "거나", "든지", "다", "요",
)  # fmt: skip
# A later word with a subject's particle starts another clause with its own predicate
# (흐름 제어와 네트워크가 막히지 않게: the negation is the network's).
SUBJECT_PARTICLES: Final[tuple[str, ...]] = ("이", "가", "은", "는")
# Verb and adjective endings cut from stems, besides the particles of text.py.
ENDINGS: Final[tuple[str, ...]] = (
    "합니다", "했다", "한다", "하는", "하고", "하여", "해서", "하며", "하면", "되는", "된다",
    "되어", "돼서", "적인", "적으로", "이고", "이며", "이다", "이고요", "이에요", "예요", "들",
)  # fmt: skip

_WORD = re.compile(r"[a-z0-9]+|[가-힣]+")
_HANGUL = re.compile(r"[가-힣]")
_BOLD = "**"
_ASCII_LOWER: Final = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_STRIP_ENDINGS: Final = tuple(sorted(set(PARTICLES) | set(ENDINGS), key=len, reverse=True))
_ENDINGS_BY_LENGTH: Final[dict[int, frozenset[str]]] = {
    size: frozenset(e for e in _STRIP_ENDINGS if len(e) == size)
    for size in sorted({len(e) for e in _STRIP_ENDINGS}, reverse=True)
}


# --- words ------------------------------------------------------------------------------------


@lru_cache(maxsize=WORD_CACHE_SIZE)
def stem(word: str) -> str:
    """``word`` without one trailing particle or ending (합성곱층에서 -> 합성곱층); Latin and
    short words unchanged."""
    if not _HANGUL.match(word):
        return word
    for size, endings in _ENDINGS_BY_LENGTH.items():
        if len(word) - size >= MIN_STEM_CHARS and word[-size:] in endings:
            return word[:-size]
    return word


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _jamo(word: str) -> str:
    return to_jamo(word)


def words_of(text: str) -> list[str]:
    """The Hangul and Latin/digit words of ``text`` after folding (emoji and symbols split)."""
    return _WORD.findall(fold(text))


# --- compiled key points ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Spelling:
    text: str  # the words joined without spaces
    korean: bool
    whole_word: bool  # short Latin: must end where a word ends
    jamo: str  # for typo matching; "" when too short or several words
    negative: bool  # says "not" itself (no effect, 기다리지 않): never checked for negation


@dataclass(frozen=True, slots=True)
class _Point:
    point: KeyPoint
    spellings: tuple[_Spelling, ...]


@dataclass(frozen=True, slots=True)
class _Plan:
    points: tuple[_Point, ...]
    names: frozenset[str]
    name_starts: frozenset[str]


def _spelling(word: str) -> _Spelling | None:
    parts = words_of(word)
    if not parts:
        return None
    text = "".join(parts)
    korean = bool(_HANGUL.search(text))
    whole = not korean and len(text) < LATIN_PREFIX_MIN
    jamo = _jamo(text) if len(parts) == 1 else ""
    negative = any(
        part in LATIN_NEGATORS
        or part in KOREAN_NEGATING_BEFORE
        or part.startswith((*KOREAN_NEGATING_NEXT, "않", "못"))
        for part in parts
    ) or any(marker in text for marker in KOREAN_NEGATING_GLUED)
    return _Spelling(text, korean, whole, jamo if len(jamo) >= TYPO_MIN_JAMO else "", negative)


def _plan_of(concept: Concept, synonyms: SynonymMap) -> _Plan:
    return _plan(
        concept.term,
        concept.aliases,
        concept.key_points,
        "" if concept.key_points else concept.definition,
        synonyms,
    )


def _names(concept: Concept, synonyms: SynonymMap) -> frozenset[str]:
    found: set[str] = set()
    for name in (concept.term, *concept.aliases):
        for variant in synonyms.variants(name) | {name}:
            key = "".join(words_of(variant))
            if key:
                found.add(key)
    return frozenset(found)


def fallback_points(concept: Concept, top_k: int = MAX_KEY_POINTS) -> tuple[KeyPoint, ...]:
    """Key points for a concept stored without any: its definition's most frequent content
    words (stemmed, no generic words, not its own name), first seen first among equals."""
    names = {"".join(words_of(name)) for name in (concept.term, *concept.aliases)}
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for position, word in enumerate(words_of(concept.definition)):
        word = stem(word)
        if len(word) < MIN_STEM_CHARS or word.isdigit() or word in GENERIC_WORDS:
            continue
        if any(word in name for name in names):
            continue
        counts[word] += 1
        first.setdefault(word, position)
    ranked = sorted(counts, key=lambda word: (-counts[word], first[word]))
    return tuple(KeyPoint((word,)) for word in ranked[:top_k])


def key_points_of(concept: Concept) -> tuple[KeyPoint, ...]:
    """The key points an answer is graded by: the stored ones, else those derived here."""
    return concept.key_points or fallback_points(concept)


@lru_cache(maxsize=PLAN_CACHE_SIZE)
def _plan(
    term: str,
    aliases: tuple[str, ...],
    key_points: tuple[KeyPoint, ...],
    definition: str,
    synonyms: SynonymMap,
) -> _Plan:
    concept = Concept(0, term, "", definition, "", 0, aliases=aliases, key_points=key_points)
    points = key_points or fallback_points(concept)
    compiled: list[_Point] = []
    for point in points:
        spellings: dict[str, _Spelling] = {}
        for alternative in point.alternatives:
            for variant in (alternative, *sorted(synonyms.variants(alternative))):
                spelling = _spelling(variant)
                if spelling and spelling.text not in spellings:
                    spellings[spelling.text] = spelling
        compiled.append(_Point(point, tuple(spellings.values())))
    names = _names(concept, synonyms)
    return _Plan(tuple(compiled), names, frozenset(name[0] for name in names))


# --- the answer -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Answer:
    words: list[str]
    text: str  # the words joined without spaces
    starts: list[int]  # where each word starts in text
    ends: list[int]  # where each word ends in text

    @classmethod
    def read(cls, answer: str, plan: _Plan) -> _Answer:
        words = _without_names(words_of(answer[:MAX_ANSWER_CHARS]), plan)
        bounds = list(accumulate(map(len, words), initial=0))
        return cls(words, "".join(words), bounds[:-1], bounds[1:])

    def word_at(self, offset: int) -> int:
        """The index of the word that holds ``offset`` of :attr:`text`."""
        return bisect_right(self.starts, offset) - 1

    def stem_end(self, index: int) -> int:
        """Where the stem of word ``index`` (without particle or ending) ends in :attr:`text`."""
        return self.starts[index] + len(stem(self.words[index]))


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _without_copula(word: str) -> str:
    """``word`` without a copula glued on (정규화다 -> 정규화), else unchanged."""
    for copula in NAME_COPULAS:
        if word.endswith(copula) and len(word) > len(copula):
            return word[: -len(copula)]
    return word


def _without_names(words: list[str], plan: _Plan) -> list[str]:
    """``words`` without runs of up to :data:`NAME_WINDOW` words that spell a name."""
    if not plan.names:
        return words
    kept: list[str] = []
    index, count = 0, len(words)
    while index < count:
        word = words[index]
        removed = 0
        if word[0] in plan.name_starts:
            joined = ""
            for size in range(1, min(NAME_WINDOW, count - index) + 1):
                last = words[index + size - 1]
                if (
                    joined + last in plan.names
                    or joined + stem(last) in plan.names
                    or joined + _without_copula(last) in plan.names
                ):
                    removed = size
                joined += last
        if removed:
            index += removed
        else:
            kept.append(word)
            index += 1
    return kept


def content_words(concept: Concept, text: str, synonyms: SynonymMap) -> list[str]:
    """The words of ``text`` (:func:`words_of`) without the concept's names (term, aliases,
    their synonyms): what an answer says beyond restating what was asked."""
    return _without_names(words_of(text[:MAX_ANSWER_CHARS]), _plan_of(concept, synonyms))


def says_not(words: Sequence[str]) -> bool:
    """Whether words of one sentence deny something (``not``, ``without``, 않다, 없이, 아니라,
    안 / 못 before a verb): such a sentence earns nothing by its meaning alone. A negation that
    describes the next word (쓰이지 않는 메모리, 참조되지 않은 객체) denies nothing."""
    last = len(words) - 1
    for index, word in enumerate(words):
        if word.endswith(KOREAN_NOT_DENIALS):
            continue  # 반복되지 않도록, 올리지 않고도: what is prevented or not needed
        if index < last and word.endswith(KOREAN_DESCRIBING_NEGATIONS):
            continue
        if word in LATIN_NEGATORS or word in KOREAN_NEGATING_BEFORE:
            return True
        if word.startswith((*KOREAN_NEGATING_NEXT, "않", "못")):
            return True
        if any(marker in word for marker in KOREAN_NEGATING_GLUED):
            return True
    return False


def point_pattern(point: KeyPoint, synonyms: SynonymMap) -> re.Pattern[str] | None:
    """The pattern that finds ``point`` (any spelling or synonym) in a text whose ASCII letters
    are lowercased (:func:`lower_ascii`); None for a point without words."""
    return _point_pattern(point.alternatives, synonyms)


def lower_ascii(text: str) -> str:
    """``text`` with ASCII letters lowercased (what :func:`point_pattern` runs on)."""
    return text.translate(_ASCII_LOWER)


def clean_reference(reference: str) -> str:
    """The reference as a grade shows it: NFC, without bold markers."""
    return _clean_reference(reference)


def _negated(answer: _Answer, spelling: _Spelling, first: int, end: int) -> bool:
    """Whether the match of ``spelling`` from word ``first`` up to offset ``end`` is negated."""
    if spelling.negative:
        return False
    words = answer.words
    if not spelling.korean:
        before = words[max(0, first - NEGATION_WINDOW) : first]
        return any(word in LATIN_NEGATORS for word in before)
    if first > 0 and words[first - 1] in KOREAN_NEGATING_BEFORE:
        return True
    last = answer.word_at(end - 1)
    rest = answer.text[end : answer.ends[last]]
    if any(marker in rest for marker in KOREAN_NEGATING_GLUED):
        return True
    following = words[last + 1] if last + 1 < len(words) else ""
    if following.startswith(KOREAN_NEGATING_NEXT):
        return True
    # 기다리지 않고, and with a particle on the -지: 구별하지도 않는다, 쓰지는 못한다
    if rest.endswith(KOREAN_JI_ENDINGS) and following.startswith(KOREAN_NEGATING_AFTER_JI):
        return True
    return _clause_negated(answer, last, rest)


def _clause_negated(answer: _Answer, last: int, rest: str) -> bool:
    """Whether the predicate of the clause the match is in is negated: ``대소 관계를 유지하지
    않습니다`` negates 대소 관계, a few words on. The clause ends at a joining ending (…하고,
    …하며, …지만) or at a sentence's end (…한다), so ``B를 쓰지 않고 C를 쓴다`` negates B
    only."""
    words = answer.words
    if rest.endswith(CLAUSE_ENDINGS):
        return False  # the match's own word closes its clause
    for index in range(last + 1, min(len(words), last + 1 + CLAUSE_WINDOW)):
        word = words[index]
        previous = words[index - 1]
        if word.startswith(KOREAN_NEGATING_NEXT) or any(
            marker in word for marker in KOREAN_NEGATING_INSIDE
        ):
            return True
        if previous.endswith(KOREAN_JI_ENDINGS) and word.startswith(KOREAN_NEGATING_AFTER_JI):
            return True
        if word.endswith(CLAUSE_ENDINGS) or word.endswith(SUBJECT_PARTICLES):
            return False
    return False


def _find(answer: _Answer, spelling: _Spelling) -> str:
    """The answer words that hit ``spelling`` (joined by spaces), or ``""``."""
    text, size = answer.text, len(spelling.text)
    position = text.find(spelling.text)
    while position >= 0:
        index = answer.word_at(position)
        end = position + size
        at_start = answer.starts[index] == position
        if spelling.korean:
            if at_start:
                fits = True
            elif text[position - 1] in NEGATING_PREFIXES:
                fits = False
            else:
                fits = size >= KOREAN_INFIX_MIN or end == answer.stem_end(index)
        else:
            fits = at_start and (
                not spelling.whole_word or answer.ends[answer.word_at(end - 1)] == end
            )
        if fits and not _negated(answer, spelling, index, end):
            last = answer.word_at(end - 1)
            return " ".join(answer.words[index : last + 1])
        position = text.find(spelling.text, position + 1)
    return ""


class _TypoIndex:
    """The words of an answer by their first and second syllable, for typo candidates.

    A one-jamo edit changes one syllable block, so a word with a typo of a spelling still
    shares the spelling's first syllable (at position 0) or its second (at position 1).
    """

    def __init__(self, words: Sequence[str]) -> None:
        self._words = words
        self._by_syllable: defaultdict[tuple[int, str], list[int]] = defaultdict(list)
        first: dict[str, int] = {}  # a word said again finds nothing its first time did not
        for index, word in enumerate(words):
            first.setdefault(word, index)
        for word, index in first.items():
            self._by_syllable[0, word[0]].append(index)
            if len(word) > 1:
                self._by_syllable[1, word[1]].append(index)

    def find(self, spelling: _Spelling) -> int:
        """The index of a word whose start is one to :data:`TYPO_MAX_EDITS` jamo edits away
        from ``spelling`` (OSA distance: a swap of two jamo is one edit), or -1. A word that
        holds the spelling exactly was already judged by the plain search and is skipped."""
        jamo, size = spelling.jamo, len(spelling.jamo)
        first = self._by_syllable.get((0, spelling.text[0]), [])
        second = self._by_syllable.get((1, spelling.text[1]), [])
        for index in sorted({*first, *second}):
            word = _jamo(self._words[index])
            if len(word) < size - TYPO_MAX_EDITS:
                continue
            distances = [
                OSA.distance(jamo, word[:cut], score_cutoff=TYPO_MAX_EDITS)
                for cut in range(size - TYPO_MAX_EDITS, size + TYPO_MAX_EDITS + 1)
            ]
            if 0 < min(distances) <= TYPO_MAX_EDITS:
                return index
        return -1


# --- grading ----------------------------------------------------------------------------------


def with_hints(graded: Grade, hints_used: int) -> Grade:
    """``graded`` after the hints the person used: each costs :data:`HINT_PENALTY` points (never
    below 0), and the grade says so."""
    if hints_used <= 0:
        return graded
    penalty = min(graded.score, HINT_PENALTY * hints_used)
    score = graded.score - penalty
    return replace(
        graded, score=score, band=band_for(score), hints_used=hints_used, penalty=penalty
    )


def band_for(score: int) -> Band:
    """The band a score of 0-100 falls in."""
    if score >= EXCELLENT_CUTOFF:
        return Band.EXCELLENT
    if score >= GOOD_CUTOFF:
        return Band.GOOD
    if score >= PARTIAL_CUTOFF:
        return Band.PARTIAL
    return Band.OFF_TOPIC


def grade(concept: Concept, answer: str, synonyms: SynonymMap) -> Grade:
    """Grade ``answer`` against the key points of ``concept`` (see the module docstring).

    Never raises for odd input: a blank answer, a huge one, code or emoji get a score like any.
    """
    plan = _plan_of(concept, synonyms)
    read = _Answer.read(answer, plan)
    hits: list[PointHit] = []
    misses: list[KeyPoint] = []
    typos: _TypoIndex | None = None
    hit_patterns: list[re.Pattern[str] | None] = []
    for compiled in plan.points:
        matched = ""
        for spelling in compiled.spellings:
            matched = _find(read, spelling)
            if matched:
                break
        if not matched and read.words:
            for spelling in compiled.spellings:
                if not spelling.jamo:
                    continue
                typos = typos or _TypoIndex(read.words)
                index = typos.find(spelling)
                if index >= 0 and not _negated(read, spelling, index, read.ends[index]):
                    matched = read.words[index]
                    break
        if matched:
            hits.append(PointHit(compiled.point, matched))
            hit_patterns.append(_point_pattern(compiled.point.alternatives, synonyms))
        else:
            misses.append(compiled.point)
    total = sum(point.point.weight for point in plan.points)
    earned = sum(hit.point.weight for hit in hits)
    score = round(100 * earned / total) if total > 0 else 0
    reference = concept.definition
    return Grade(
        score=score,
        band=band_for(score),
        hits=tuple(hits),
        misses=tuple(misses),
        reference=reference,
        reference_marked=_mark(_clean_reference(reference), tuple(hit_patterns)),
    )


class KeywordGrader:
    """The key-point grader as a :class:`bot.core.ports.Grader` (see the module docstring)."""

    def grade(self, concept: Concept, answer: str, synonyms: SynonymMap) -> Grade:
        """The grade of ``answer`` (:func:`grade`)."""
        return grade(concept, answer, synonyms)


# --- the marked reference ---------------------------------------------------------------------


@lru_cache(maxsize=PLAN_CACHE_SIZE)
def _pattern_body(spelling: str) -> str:
    """A regex finding ``spelling`` in a reference text: any spacing between Hangul syllables
    and words, Latin words not inside longer words (``""`` for a spelling without words)."""
    parts = words_of(spelling)
    if not parts:
        return ""
    pieces: list[str] = []
    for part in parts:
        if _HANGUL.search(part):
            pieces.append(r"\s*".join(re.escape(char) for char in part))
        else:
            pieces.append(re.escape(part))
    body = r"[\s\-_./·]*".join(pieces)
    if not _HANGUL.match(parts[0]):
        body = r"(?<![a-z0-9])" + body
    if not _HANGUL.search(parts[-1][-1]) and len("".join(parts)) < LATIN_PREFIX_MIN:
        body += r"(?![a-z0-9])"
    return body


@lru_cache(maxsize=PLAN_CACHE_SIZE)
def _point_pattern(alternatives: tuple[str, ...], synonyms: SynonymMap) -> re.Pattern[str] | None:
    """One pattern for every spelling and synonym of a point, longest first; it runs on a
    reference with ASCII lowercased (a case-insensitive pattern over Hangul compiles slowly)."""
    bodies = {
        _pattern_body(variant)
        for alternative in alternatives
        for variant in (alternative, *synonyms.variants(alternative))
    }
    bodies.discard("")
    if not bodies:
        return None
    return re.compile("|".join(sorted(bodies, key=len, reverse=True)))


@lru_cache(maxsize=PLAN_CACHE_SIZE)
def _clean_reference(reference: str) -> str:
    return nfc(reference).replace(_BOLD, "")


@lru_cache(maxsize=MARK_CACHE_SIZE)
def _mark(text: str, patterns: tuple[re.Pattern[str] | None, ...]) -> str:
    """``text`` with every match of ``patterns`` wrapped in ``**`` (overlaps merged; a
    reference marked for the same hits before is not marked again)."""
    lowered = text.translate(_ASCII_LOWER)
    spans: list[tuple[int, int]] = []
    for pattern in patterns:
        if pattern is not None:
            spans.extend(match.span() for match in pattern.finditer(lowered) if match.group())
    if not spans:
        return text
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[str] = []
    at = 0
    for start, end in merged:
        out.append(text[at:start])
        out.append(_BOLD + text[start:end] + _BOLD)
        at = end
    out.append(text[at:])
    return "".join(out)
