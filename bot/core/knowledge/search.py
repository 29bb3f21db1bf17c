"""Concept lookup: exact names, fuzzy names, then definition text (pure, no I/O).

How a query is answered (measured: ``fuzz.ratio`` on jamo separates real hits from terms that are
not in the notes with one cutoff; ``WRatio`` and ``partial_ratio`` cannot, so they are not used):

1. Normalise it (:func:`~bot.core.knowledge.text.query_forms`): the name as typed, then without
   question words, then without a trailing particle, each compared without spaces.
   An exact hit on a concept's term or alias is CONFIDENT (score 100).
   Otherwise each form is tried by its glossary :meth:`~bot.core.knowledge.glossary.Glossary.
   cross_key` (싱글톤 패턴 finds "Singleton 패턴", 가상 메모리 finds "Virtual Memory"): a hit is
   exact-tier too, but only ever after an own name missed, and when the key belongs to several
   concepts they are offered as DID_YOU_MEAN. A direct hit lists the concepts sharing its cross
   key first among its runners-up.
2. Otherwise ``rapidfuzz.process.extract`` with ``fuzz.ratio`` over every term and alias, each
   preprocessed once to compact "loose" jamo (sound-alike jamo folded: 도꺼 == 도커). Aliases
   of one concept collapse to its best score. CONFIDENT needs :data:`CONFIDENT_SCORE`, a query
   of at least :data:`MIN_FUZZY_CONFIDENT_LENGTH` jamo and a lead of :data:`CONFIDENT_MARGIN`
   over the next concept; anything from :data:`DID_YOU_MEAN_SCORE` up is a suggestion.
   Names that contain the query (회귀 -> 선형회귀, 로지스틱 회귀) are added as suggestions.
   A term's glossary translations (``singleton pattern`` for "Singleton 패턴") are names here
   and in autocomplete, never exact names.
3. No name close: the definitions' words are searched (합성곱 -> CNN); hits are only ever
   DID_YOU_MEAN suggestions, scored at most :data:`DEFINITION_SCORE_CEILING`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain
from typing import Any, Final

from rapidfuzz import fuzz, process

from bot.core.knowledge.glossary import Glossary, default_glossary
from bot.core.knowledge.text import (
    compact,
    ends_with_final_jamo,
    fold,
    has_hangul,
    loose_jamo,
    normalize_name,
    query_forms,
    strip_particle,
)
from bot.core.models import LookupResult, MatchKind, Suggestion

EXACT_SCORE: Final = 100.0
# A fuzzy name score (0-100, fuzz.ratio on compact loose jamo) at or above this is a confident
# match, if the query is long enough and leads the next concept clearly.
CONFIDENT_SCORE: Final = 84.0
# The lead over the next concept a fuzzy match needs to be confident.
CONFIDENT_MARGIN: Final = 4.0
# Fuzzy scores from here up are offered as "did you mean" (two thirds: below it, two short words
# share little more than a syllable, 동기 / 도커).
DID_YOU_MEAN_SCORE: Final = 67.0
# Below this many jamo (ai, rag, gan, ec2) a fuzzy match is never confident: one letter is a
# third of the word. Exact hits on short aliases stay confident.
MIN_FUZZY_CONFIDENT_LENGTH: Final = 4
MAX_SUGGESTIONS: Final = 5
MAX_RUNNERS_UP: Final = 4
# How many fuzzy choices to take before collapsing aliases into concepts.
FUZZY_CANDIDATES: Final = 64
# The character-count prefilter's columns (the most frequent characters, the rest sharing one)
# and the length window from which it runs (below, scoring them all is as quick).
PREFILTER_COLUMNS: Final = 32
PREFILTER_MIN_CHOICES: Final = 1_000
# Definition-text hits score at most this much, always below a confident name match.
DEFINITION_SCORE_CEILING: Final = 55.0
# The share of the query's weighted words a definition must contain to be suggested.
DEFINITION_MIN_COVERAGE: Final = 0.5
#: A query of at most this many words may be a name the notes use inside a definition.
MAX_NAMED_WORDS: Final = 3
MIN_TOKEN_LENGTH: Final = 2
# A query found inside names (회귀 in 선형회귀 and 로지스틱 회귀) is offered as "did you mean" even
# below DID_YOU_MEAN_SCORE; at most this many occurrences are looked at.
MAX_CONTAINING_NAMES: Final = 256
# Latin query words shorter than this match definition words only as prefixes, not inside them.
MIN_LATIN_SUBSTRING: Final = 4
AUTOCOMPLETE_LIMIT: Final = 25
SUGGESTION_TERM_MAX: Final = 100
ELLIPSIS: Final = "…"
AUTOCOMPLETE_PREFIX_SCORE: Final = 100.0
AUTOCOMPLETE_SUBSTRING_SCORE: Final = 90.0
# Fuzzy autocomplete suggestions score below substring hits.
AUTOCOMPLETE_FUZZY_CEILING: Final = 89.0

# Modern conjoining jamo (19 initials, 21 vowels, 27 finals) renumbered into one-byte code
# points: rapidfuzz compares one-byte strings about four times faster than two-byte ones, and the
# scores are the same (only equality of characters matters). Never shown to anyone.
_MODERN_JAMO = (*range(0x1100, 0x1113), *range(0x1161, 0x1176), *range(0x11A8, 0x11C3))
_JAMO_TO_BYTE: Final = {jamo: 0x80 + offset for offset, jamo in enumerate(_MODERN_JAMO)}
# loose_jamo's folding and the packing above in one table (one pass over the text).
_LOOSE_TO_BYTE: Final = {jamo: _JAMO_TO_BYTE[ord(loose_jamo(chr(jamo)))] for jamo in _MODERN_JAMO}
_TOKEN_SPLIT = re.compile(r"[^\w]+")


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One concept as the search index sees it."""

    concept_id: int
    term: str
    aliases: tuple[str, ...]
    definition: str


def fuzzy_key(text: str) -> str:
    """The form fuzzy lookup compares a normalised, compact name or query in: loose jamo
    (:func:`~bot.core.knowledge.text.loose_jamo`) packed into one-byte characters."""
    return unicodedata.normalize("NFD", text).translate(_LOOSE_TO_BYTE)


def clip(term: str, limit: int = SUGGESTION_TERM_MAX) -> str:
    """``term`` cut to ``limit`` characters, the last one an ellipsis when cut."""
    return term if len(term) <= limit else term[: limit - 1] + ELLIPSIS


def _name_variant(name: str) -> str:
    """``name`` with a particle-like ending of its last word removed (텐서플로 -> 텐서플), the
    shape a query for it takes after particle stripping; ``name`` when nothing is removed."""
    head, _, last = name.rpartition(" ")
    stripped = strip_particle(last)
    if stripped == last:
        return name
    return f"{head} {stripped}" if head else stripped


def _tokens(text: str, memo: dict[str, str] | None = None) -> list[str]:
    """Words of ``text`` for the definition search: folded, particle removed, 2+ characters.
    ``memo`` caches particle stripping across calls (an index build sees the same words often)."""
    words: list[str] = []
    for word in _TOKEN_SPLIT.split(fold(text)):
        if memo is None:
            stem = strip_particle(word)
        else:
            stem = memo.get(word) or memo.setdefault(word, strip_particle(word))
        if len(stem) >= MIN_TOKEN_LENGTH and not stem.isdigit():
            words.append(stem)
    return words


class _SubstringFinder:
    """Finds which of many strings contain a piece: one joined string searched with ``str.find``
    (C speed) instead of a Python loop over every string."""

    _SEPARATOR = "\x00"

    def __init__(self, strings: Iterable[str]) -> None:
        listed = list(strings)
        # Where each string starts in the joined text (and one past the last): 4 bytes each.
        self._starts = array("I", accumulate((len(text) + 1 for text in listed), initial=0))
        self._joined = self._SEPARATOR.join(listed)

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __getitem__(self, index: int) -> str:
        """The ``index``-th string (read back from the joined text: nothing else is kept)."""
        return self._joined[self._starts[index] : self._starts[index + 1] - 1]

    def find(self, piece: str, limit: int | None = None) -> list[int]:
        """Indexes of the strings containing ``piece`` (each once, in order; at most ``limit``)."""
        found: list[int] = []
        if not piece or self._SEPARATOR in piece:
            return found
        joined, starts = self._joined, self._starts
        at = joined.find(piece)
        while at != -1 and (limit is None or len(found) < limit):
            index = bisect_right(starts, at) - 1
            found.append(index)
            # continue after the end of this string: each string is reported once
            at = joined.find(piece, starts[index + 1])
        return found


_ASCII, _NON_ASCII, _MIXED = range(3)
_ANY_ASCII = re.compile(r"[\x00-\x7f]")


def _script_of(text: str) -> int:
    """Whether ``text`` is all ASCII, has no ASCII at all, or mixes both."""
    if text.isascii():
        return _ASCII
    return _MIXED if _ANY_ASCII.search(text) else _NON_ASCII


@dataclass(frozen=True, slots=True)
class _Bucket:
    """Fuzzy choices of one script, sorted by length so a length window is one slice, with
    each choice's character counts (:class:`_Counts`) for the prefilter."""

    choices: list[str]
    lengths: list[int]
    ids: list[int]
    counts: _Counts | None  # None for a bucket too small to need the prefilter


class _Counts:
    """How often each character occurs in each choice, as a ``uint8`` matrix (one row per
    choice; the :data:`PREFILTER_COLUMNS` - 1 most frequent characters of the choices have a
    column each, the rest share the last).

    ``fuzz.ratio`` is ``200 * LCS / (len_a + len_b)`` and the longest common subsequence holds
    no more of a character than both strings have: summed over the columns, the smaller count
    bounds it (a shared column only loosens the bound). So a choice whose bound stays under the
    cutoff cannot reach it, and only the rest are scored: one vectorised pass instead of a call
    per choice.
    """

    def __init__(self, choices: list[str], lengths: list[int]) -> None:
        import numpy as np  # only an index of many names needs it (define starts faster)

        self._np = np
        frequency = Counter(ch for choice in choices for ch in choice)
        common = [ch for ch, _ in frequency.most_common(PREFILTER_COLUMNS - 1)]
        self._column = {ch: index for index, ch in enumerate(common)}
        rest = PREFILTER_COLUMNS - 1
        rows = np.repeat(np.arange(len(choices), dtype=np.int64), lengths)
        columns = np.fromiter(
            (self._column.get(ch, rest) for choice in choices for ch in choice),
            dtype=np.int64,
            count=int(sum(lengths)),
        )
        wide = np.zeros((len(choices), PREFILTER_COLUMNS), dtype=np.uint16)
        np.add.at(wide, (rows, columns), 1)
        self.matrix = np.minimum(wide, 255).astype(np.uint8)
        self.lengths = np.asarray(lengths, dtype=np.float32)

    def of(self, text: str) -> Any:
        """The counts of ``text``, in the matrix's columns."""
        counts = self._np.zeros(PREFILTER_COLUMNS, dtype=self._np.uint8)
        rest = PREFILTER_COLUMNS - 1
        for ch in text:
            column = self._column.get(ch, rest)
            counts[column] = min(255, int(counts[column]) + 1)
        return counts

    def reachable(self, text: str, low: int, high: int, cutoff: float) -> list[int]:
        """The indexes in ``low:high`` of the choices whose ratio bound against ``text``
        reaches ``cutoff``."""
        np = self._np
        shared = np.minimum(self.matrix[low:high], self.of(text)).sum(axis=1, dtype=np.float32)
        bound = 200 * shared / (len(text) + self.lengths[low:high])
        return [low + int(index) for index in np.flatnonzero(bound >= cutoff - 1e-3)]


def _script_buckets(choices: list[str], ids: list[int]) -> dict[int, tuple[_Bucket, ...]]:
    """For each query script, the buckets of choices that can share a character with it."""
    grouped: dict[int, list[tuple[int, str, int]]] = {_ASCII: [], _NON_ASCII: [], _MIXED: []}
    for choice, cid in zip(choices, ids, strict=True):
        grouped[_script_of(choice)].append((len(choice), choice, cid))
    buckets: dict[int, _Bucket] = {}
    for script, rows in grouped.items():
        rows.sort(key=lambda row: row[0])
        texts, lengths = [row[1] for row in rows], [row[0] for row in rows]
        counts = _Counts(texts, lengths) if len(texts) >= PREFILTER_MIN_CHOICES else None
        buckets[script] = _Bucket(texts, lengths, [row[2] for row in rows], counts)
    return {
        _ASCII: (buckets[_ASCII], buckets[_MIXED]),
        _NON_ASCII: (buckets[_NON_ASCII], buckets[_MIXED]),
        _MIXED: (buckets[_ASCII], buckets[_NON_ASCII], buckets[_MIXED]),
    }


_COMPARE_TAIL = re.compile(
    r"(?:\s*의)?\s*(?:차이점?|비교|차이점과\s*공통점)(?:은|는|이란|란)?$"
    r"|^(?:the\s+)?(?:differences?|comparison)\s+(?:between|of)\s+",
    re.I,
)
_COMPARE_SPLIT = re.compile(r"\s+(?:vs\.?|versus|대)\s+|\s*[&/]\s*|(?<=\S)(?:와|과)\s+|\s+and\s+")
_EXPLICIT_COMPARE = re.compile(r"\s(?:vs\.?|versus|대)\s", re.I)


def is_explicit_comparison(normal: str) -> bool:
    """``TCP vs UDP``, ``TCP와 UDP의 차이``: a name that says it compares (``TCP & UDP`` may
    just be a note on both)."""
    return bool(_COMPARE_TAIL.search(normal) or _EXPLICIT_COMPARE.search(normal))


def comparison_key(normal: str, glossary: Glossary) -> str | None:
    """One key for the ways a comparison is named: ``TCP vs UDP``, ``TCP와 UDP의 차이``,
    ``TCP & UDP``, ``difference between TCP and UDP`` (the sides in any order, each read through
    the glossary); None when ``normal`` (a normalised name) compares nothing."""
    text = _COMPARE_TAIL.sub("", normal).strip()
    sides = [side.strip() for side in _COMPARE_SPLIT.split(text)]
    if len(sides) < 2 or not all(sides):
        return None
    keys = sorted(glossary.cross_key(side, normalized=True) or compact(side) for side in sides)
    return "vs:" + "|".join(keys)


class SearchIndex:
    """An in-memory lookup index over concepts' names, aliases and definitions.

    Built once from :class:`IndexEntry` items (cheap enough to rebuild on every reload); every
    method is pure and safe to call from several threads. Concept ids must be unique.
    ``glossary`` reads names across languages (default: the packaged one; pass
    ``Glossary.empty()`` to compare names only as written).
    """

    def __init__(self, entries: Iterable[IndexEntry], glossary: Glossary | None = None) -> None:
        self._glossary = default_glossary() if glossary is None else glossary
        self._terms: dict[int, str] = {}
        self._exact: dict[str, list[int]] = {}
        # Glossary cross keys (one per name that has one) -> the concepts named so.
        self._cross: dict[str, list[int]] = {}
        # Comparison keys -> the concepts whose name says it compares (TCP vs UDP).
        self._explicit: dict[str, set[int]] = {}
        # Fuzzy choices: compact loose jamo of every name, then particle-stripped variants.
        self._choices: list[str] = []
        self._choice_ids: list[int] = []
        name_keys: list[str] = []  # compact normalised names, parallel to the real-name choices
        postings: dict[str, dict[int, int]] = {}
        variants: list[tuple[str, int]] = []
        seen_choices: set[tuple[str, int]] = set()
        stems: dict[str, str] = {}
        for entry in entries:
            cid = entry.concept_id
            self._terms[cid] = entry.term
            names = (entry.term, *entry.aliases)
            # Translations of the term are fuzzy names only: never an exact hit, no cross key.
            term = normalize_name(entry.term)
            translated = (
                (name, False) for name in self._glossary.translations(term, normalized=True)
            )
            for name, own in chain(((name, True) for name in names), translated):
                normal = normalize_name(name)
                key = compact(normal)
                if not key:
                    continue
                if own:
                    owners = self._exact.setdefault(key, [])
                    if cid not in owners:
                        owners.append(cid)
                    compared = comparison_key(normal, self._glossary)
                    for cross in (self._glossary.cross_key(normal, normalized=True), compared):
                        if cross is not None:
                            crossed = self._cross.setdefault(cross, [])
                            if cid not in crossed:
                                crossed.append(cid)
                    if compared is not None and is_explicit_comparison(normal):
                        self._explicit.setdefault(compared, set()).add(cid)
                choice = fuzzy_key(key)
                if (choice, cid) not in seen_choices:
                    seen_choices.add((choice, cid))
                    self._choices.append(choice)
                    self._choice_ids.append(cid)
                    name_keys.append(key)
                shorter = _name_variant(normal)
                if shorter == normal:
                    continue
                variant = fuzzy_key(compact(shorter))
                if variant and (variant, cid) not in seen_choices:
                    seen_choices.add((variant, cid))
                    variants.append((variant, cid))
            # The definition search reads the names too (docker compose -> Docker).
            for token in _tokens(" ".join((*names, entry.definition)), stems):
                counts = postings.setdefault(token, {})
                counts[cid] = counts.get(cid, 0) + 1
        self._name_count = len(self._choices)
        for variant, cid in variants:
            self._choices.append(variant)
            self._choice_ids.append(cid)
        self._buckets = _script_buckets(self._choices, self._choice_ids)
        self._names = _SubstringFinder(name_keys)
        # The definition words, sorted (found by bisection), and their postings packed: word i
        # is in the concepts _post_ids[_post_at[i]:_post_at[i + 1]], so many times each.
        vocabulary = sorted(postings)
        self._words = _SubstringFinder(vocabulary)
        self._post_at = array("I", [0])
        self._post_ids = array("I")
        self._post_counts = array("H")
        for token in vocabulary:
            for cid, count in postings[token].items():
                self._post_ids.append(cid)
                self._post_counts.append(min(count, 0xFFFF))
            self._post_at.append(len(self._post_ids))
        del postings
        self._alphabetical = sorted(self._terms, key=lambda c: (fold(self._terms[c]), c))

    def __len__(self) -> int:
        """The number of concepts in the index."""
        return len(self._terms)

    @property
    def choices(self) -> list[str]:
        """The preprocessed fuzzy choices (compact loose jamo of every name), for benchmarks."""
        return self._choices

    def _suggestion(self, cid: int, score: float) -> Suggestion:
        return Suggestion(cid, clip(self._terms[cid]), round(score, 1))

    # --- lookup -------------------------------------------------------------------------------

    def lookup(self, query: str, *, runners_up: bool = False) -> LookupResult:
        """Find the concept ``query`` names: CONFIDENT, DID_YOU_MEAN with up to
        :data:`MAX_SUGGESTIONS` suggestions, or NOTHING.

        A name or alias found exactly returns at once, with only the concepts that share its
        glossary key as runners-up; ``runners_up`` also looks for up to :data:`MAX_RUNNERS_UP`
        close names (a fuzzy scan over every name: what a definition shows under "similar")."""
        forms = query_forms(query)
        if not forms[-1] or not self._terms:
            return LookupResult(query=query, kind=MatchKind.NOTHING)
        plain = compact(forms[-1])
        key = fuzzy_key(plain)
        for form in forms:
            owners = self._exact.get(compact(form))
            if owners:
                related = self._cross_owners(form)
                return self._exact_result(query, owners, plain, key, related, runners_up)
        for form in forms:
            owners = self._cross_owners(form)
            if owners:
                owners, related = self._comparisons_first(form, owners)
                return self._exact_result(query, owners, plain, key, related, runners_up)
        fuzzy = self._fuzzy(key)
        ranked = self._with_containing(fuzzy, plain, key)
        if not ranked:
            hits = self._definition_hits(forms[-1])
            kind = MatchKind.DID_YOU_MEAN if hits else MatchKind.NOTHING
            return LookupResult(query=query, kind=kind, suggestions=tuple(hits[:MAX_SUGGESTIONS]))
        best = ranked[0]
        lead = best.score - ranked[1].score if len(ranked) > 1 else best.score
        named = self._named_in_text(forms[-1], best.concept_id)
        if named:  # GIL ~ "Agile" must not hide the note that says GIL
            offered = [s for s in ranked if s.concept_id not in {n.concept_id for n in named}]
            merged = [best, *named, *offered[1:]] if offered and offered[0] == best else named
            return LookupResult(
                query=query,
                kind=MatchKind.DID_YOU_MEAN,
                suggestions=tuple(merged[:MAX_SUGGESTIONS]),
            )
        if (
            fuzzy
            and best == fuzzy[0]
            and best.score >= CONFIDENT_SCORE
            and len(key) >= MIN_FUZZY_CONFIDENT_LENGTH
            and lead >= CONFIDENT_MARGIN
        ):
            return LookupResult(
                query=query,
                kind=MatchKind.CONFIDENT,
                match=best,
                suggestions=tuple(ranked[1 : 1 + MAX_RUNNERS_UP]),
            )
        return LookupResult(
            query=query, kind=MatchKind.DID_YOU_MEAN, suggestions=tuple(ranked[:MAX_SUGGESTIONS])
        )

    def _named_in_text(self, normalized_query: str, best: int) -> list[Suggestion]:
        """Other concepts whose note contains every word of a short query exactly (the query
        is a name the notes use, so a fuzzy hit on another name must not hide them)."""
        words = list(dict.fromkeys(_tokens(normalized_query)))
        if not words or len(words) > MAX_NAMED_WORDS:
            return []
        found: set[int] | None = None
        for word in words:
            position = self._word_position(word)
            if position is None:
                return []
            ids = {cid for cid, _ in self._posting(position)}
            found = ids if found is None else found & ids
            if not found:
                return []
        assert found is not None
        if best in found or len(found) > MAX_SUGGESTIONS:
            return []  # the best already says it, or the words are too common to mean a name
        return [self._suggestion(cid, DEFINITION_SCORE_CEILING) for cid in sorted(found)]

    def _cross_owners(self, form: str) -> list[int]:
        """The concepts with a name sharing the glossary cross key of the query ``form``."""
        if not self._cross:
            return []
        cross = self._glossary.cross_key(form)
        owners = list(self._cross.get(cross, [])) if cross is not None else []
        compared = comparison_key(form, self._glossary)
        for cid in self._cross.get(compared, []) if compared is not None else []:
            if cid not in owners:
                owners.append(cid)
        return owners

    def _comparisons_first(self, form: str, owners: list[int]) -> tuple[list[int], list[int]]:
        """For a query that asks for a comparison (TCP와 UDP의 차이), the concepts named as one
        (TCP vs UDP) before those merely about both sides (TCP & UDP); a single such concept is
        the answer and the others its runners-up. Returns (owners, related)."""
        if len(owners) < 2 or not is_explicit_comparison(form):
            return owners, []
        compared = comparison_key(form, self._glossary)
        explicit = self._explicit.get(compared, set()) if compared is not None else set()
        first = [cid for cid in owners if cid in explicit]
        rest = [cid for cid in owners if cid not in explicit]
        if len(first) == 1:
            return first, rest
        return first + rest, []

    def _exact_result(
        self,
        query: str,
        owners: list[int],
        plain: str,
        key: str,
        related: Iterable[int] = (),
        runners_up: bool = False,
    ) -> LookupResult:
        """The result for exact-tier ``owners``: CONFIDENT when there is one, else DID_YOU_MEAN.
        Runners-up: the ``related`` concepts (same cross key), then (``runners_up`` only: an
        exact hit never waits for the fuzzy scan) close fuzzy names."""
        exact = [self._suggestion(cid, EXACT_SCORE) for cid in owners]
        others = [self._suggestion(cid, EXACT_SCORE) for cid in related if cid not in owners]
        if runners_up:
            shown = {*owners, *(s.concept_id for s in others)}
            close = self._with_containing(self._fuzzy(key), plain, key)
            others += [s for s in close if s.concept_id not in shown]
        if len(exact) == 1:
            return LookupResult(
                query=query,
                kind=MatchKind.CONFIDENT,
                match=exact[0],
                suggestions=tuple(others[:MAX_RUNNERS_UP]),
            )
        return LookupResult(
            query=query,
            kind=MatchKind.DID_YOU_MEAN,
            suggestions=tuple((exact + others)[:MAX_SUGGESTIONS]),
        )

    def _fuzzy(self, key: str, cutoff: float = DID_YOU_MEAN_SCORE) -> list[Suggestion]:
        """Concepts whose names score at least ``cutoff`` against ``key``, best first, one per
        concept (its best-scoring name).

        Only choices that can reach ``cutoff`` are scored: those sharing a script with ``key``
        (an ASCII query shares no character with an all-Hangul name: ratio 0), of a length
        within the bound ``fuzz.ratio`` puts on it, ``2 * min / (len_a + len_b)``, and (in a
        window of many) with enough characters in common (:class:`_Counts`).
        """
        if not key:
            return []
        length = len(key)
        share = cutoff / 100
        shortest = math.floor(length * share / (2 - share))
        longest = math.ceil(length * (2 - share) / share)
        found: list[tuple[float, int]] = []
        for bucket in self._buckets[_script_of(key)]:
            low = bisect_left(bucket.lengths, shortest)
            high = bisect_right(bucket.lengths, longest)
            if low >= high:
                continue
            indexes: Sequence[int]
            if bucket.counts is not None and high - low >= PREFILTER_MIN_CHOICES:
                indexes = bucket.counts.reachable(key, low, high, cutoff)
                choices = [bucket.choices[index] for index in indexes]
            else:
                indexes, choices = range(low, high), bucket.choices[low:high]
            hits = process.extract(
                key,
                choices,
                scorer=fuzz.ratio,
                limit=FUZZY_CANDIDATES,
                score_cutoff=cutoff,
            )
            found.extend((score, bucket.ids[indexes[at]]) for _choice, score, at in hits)
        found.sort(key=lambda hit: (-hit[0], hit[1]))
        ranked: list[Suggestion] = []
        seen: set[int] = set()
        for score, cid in found:
            if cid not in seen:
                seen.add(cid)
                ranked.append(self._suggestion(cid, score))
        return ranked

    def _with_containing(self, ranked: list[Suggestion], plain: str, key: str) -> list[Suggestion]:
        """``ranked`` plus the concepts with a name containing the query ``plain`` (회귀 ->
        선형회귀, 로지스틱 회귀), scored by their fuzzy ratio, best first."""
        if len(plain) < MIN_TOKEN_LENGTH or (
            not has_hangul(plain) and len(plain) < MIN_LATIN_SUBSTRING
        ):
            return ranked
        found = self._names.find(plain, MAX_CONTAINING_NAMES)
        if not found:
            return ranked
        best: dict[int, float] = {s.concept_id: s.score for s in ranked}
        extra: dict[int, float] = {}
        for index in found:
            cid = self._choice_ids[index]
            if cid not in best:
                score = fuzz.ratio(key, self._choices[index])
                extra[cid] = max(extra.get(cid, 0.0), score)
        if not extra:
            return ranked
        merged = ranked + [self._suggestion(cid, score) for cid, score in extra.items()]
        return sorted(merged, key=lambda s: -s.score)

    def _definition_hits(self, normalized_query: str) -> list[Suggestion]:
        """Concepts whose names and definitions contain most of the query's words (weighted by
        rarity), best first, scored at most :data:`DEFINITION_SCORE_CEILING`."""
        words = list(dict.fromkeys(_tokens(normalized_query)))
        if not words or not len(self._words):
            return []
        total = len(self._terms)
        matched: list[dict[int, int]] = []
        weights: list[float] = []
        for word in words:
            hits: dict[int, int] = {}
            for position in self._matching_words(word):
                for cid, count in self._posting(position):
                    hits[cid] = hits.get(cid, 0) + count
            matched.append(hits)
            weights.append(math.log(1 + total / max(1, len(hits))))
        weight_sum = sum(weights)
        coverage: dict[int, float] = {}
        occurrences: dict[int, int] = {}
        for hits, weight in zip(matched, weights, strict=True):
            for cid, count in hits.items():
                coverage[cid] = coverage.get(cid, 0.0) + weight / weight_sum
                occurrences[cid] = occurrences.get(cid, 0) + count
        ranked = sorted(
            (cid for cid, share in coverage.items() if share >= DEFINITION_MIN_COVERAGE - 1e-9),
            key=lambda cid: (-coverage[cid], -occurrences[cid], fold(self._terms[cid])),
        )
        return [
            self._suggestion(cid, DEFINITION_SCORE_CEILING * min(1.0, coverage[cid]))
            for cid in ranked
        ]

    def _matching_words(self, word: str) -> list[int]:
        """Positions of the indexed words ``word`` matches: containing it (Hangul, or Latin of
        :data:`MIN_LATIN_SUBSTRING`+ letters: 합성곱 in 합성곱층), else starting with it."""
        found = self._words.find(word)
        if has_hangul(word) or len(word) >= MIN_LATIN_SUBSTRING:
            return found
        return [i for i in found if self._words[i].startswith(word)]

    def _word_position(self, word: str) -> int | None:
        """The position of ``word`` among the definition words, if it is one."""
        position = bisect_left(self._words, word)
        return position if position < len(self._words) and self._words[position] == word else None

    def _posting(self, position: int) -> Iterable[tuple[int, int]]:
        """(concept id, times) of the concepts whose name or note has word ``position``."""
        start, end = self._post_at[position], self._post_at[position + 1]
        return zip(self._post_ids[start:end], self._post_counts[start:end], strict=True)

    # --- autocomplete -------------------------------------------------------------------------

    def autocomplete(self, prefix: str, limit: int = AUTOCOMPLETE_LIMIT) -> list[Suggestion]:
        """Suggestions while ``prefix`` is being typed: names and aliases starting with it, then
        containing it, then fuzzy matches; one per concept, at most ``limit`` (capped at
        :data:`AUTOCOMPLETE_LIMIT`), terms cut to :data:`SUGGESTION_TERM_MAX` characters. An
        empty prefix lists the first terms alphabetically."""
        limit = max(0, min(limit, AUTOCOMPLETE_LIMIT))
        if limit == 0:
            return []
        jamo = loose_jamo(compact(normalize_name(prefix)))
        if not jamo:
            return [
                self._suggestion(cid, AUTOCOMPLETE_PREFIX_SCORE)
                for cid in self._alphabetical[:limit]
            ]
        key = jamo.translate(_JAMO_TO_BYTE)
        # A syllable being typed may carry the next one's first consonant as its 받침 (돜 -> 도커).
        heads = (key, key[:-1]) if ends_with_final_jamo(jamo) and len(key) > 1 else (key,)
        prefixed: list[tuple[int, str, int]] = []
        inside: list[tuple[int, str, int]] = []
        for index in range(self._name_count):
            choice = self._choices[index]
            if choice.startswith(heads):
                prefixed.append((len(choice), choice, self._choice_ids[index]))
            elif key in choice:
                inside.append((len(choice), choice, self._choice_ids[index]))
        result: list[Suggestion] = []
        seen: set[int] = set()

        def add(cid: int, score: float) -> None:
            if cid not in seen and len(result) < limit:
                seen.add(cid)
                result.append(self._suggestion(cid, score))

        for _length, _choice, cid in sorted(prefixed):
            add(cid, AUTOCOMPLETE_PREFIX_SCORE)
        for _length, _choice, cid in sorted(inside):
            add(cid, AUTOCOMPLETE_SUBSTRING_SCORE)
        if len(result) < limit:
            for suggestion in self._fuzzy(key):
                add(suggestion.concept_id, min(suggestion.score, AUTOCOMPLETE_FUZZY_CEILING))
        return result
