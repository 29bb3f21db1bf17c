"""How well the grader orders answers of known quality: the labelled set in ``grading_set.toml``.

``python -m benchmarks.grade_quality [--corpus DIR] [--verbose] [--set FILE]``

Each concept of the set has answers written for it with a known quality: ``good`` (correct and
complete), ``partial`` (about half), ``wrong`` (a confident answer about a neighbouring concept),
``english`` (correct, in English), ``name_only`` (only the concept's name), and for some
``negated`` (the good answer with its key claim negated) and ``paraphrase`` (correct, in other
words than the note's). A good grader scores good > partial > wrong, good well above name_only,
and the English and paraphrased answers near the good one.

The concepts come from notes folders ingested the way the bot ingests them: the real
:func:`bot.app.ingest.ingest` with key points into a throwaway SQLite database (the tokenizer
kept in this process, so its model loads once for all folders; the bot runs the same extractor in
a child process), then :func:`bot.db.knowledge.load_concepts` and the synonym map the bot builds
from the stored synonyms (:meth:`SynonymMap.with_glossary`, as in
:meth:`bot.app.knowledge.KnowledgeBase.refresh`). Answers are graded by the bot's grader
(:class:`bot.core.grading.grader.KeywordGrader`, what :class:`bot.app.service.Service` uses).

A set entry names its folder (``repo``: ``owner+name`` under the corpus folder, or ``shipped``
for the repository's own ``knowledge/``) and the concept's term, compared with
:func:`bot.core.knowledge.aliases.name_key`. The corpus folder is ``--corpus``, else
``$NOTES_CORPUS_DIR``, else ``/tmp/corpus`` when it exists; entries whose folder is missing are
skipped and counted (the shipped ones always run).

Grading time is the ``grade`` call alone, warm (each answer graded once before it is timed),
on every answer of the set padded (repeated) or cut to 500 characters; CPU time of the calling
thread like the grade benchmark, wall clock beside it. The last line printed is one JSON dict.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import os
import sys
import tempfile
import time
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from benchmarks.common import median, percentile
from bot.app.ingest import ingest
from bot.app.meaning import StoredSentenceEncoder, shared_model
from bot.config import DEFAULT_DATA_DIR
from bot.core.grading.grader import KeywordGrader, key_points_of
from bot.core.grading.meaning import MeaningGrader
from bot.core.grading.synonyms import SynonymMap
from bot.core.knowledge.aliases import name_key
from bot.core.models import Concept, Grade
from bot.core.ports import Grader
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.knowledge import SYNONYMS_KEY, get_meta, load_concepts
from bot.db.migrate import upgrade_to_head

SET_FILE: Final = Path(__file__).resolve().with_name("grading_set.toml")
KNOWLEDGE: Final = Path(__file__).resolve().parents[1] / "knowledge"
SHIPPED: Final = "shipped"
CORPUS_ENV: Final = "NOTES_CORPUS_DIR"
DEFAULT_CORPUS: Final = Path("/tmp/corpus")

#: Answer labels every entry has, and the optional ones.
LABELS: Final = ("good", "partial", "wrong", "english", "name_only")
EXTRA_LABELS: Final = ("negated", "paraphrase")
ALL_LABELS: Final = LABELS + EXTRA_LABELS
ENTRY_KEYS: Final = frozenset({"repo", "term", "source", "topic", *ALL_LABELS})

# --- targets the team works toward ---------------------------------------------------------------
TARGET_ORDERED_PCT: Final = 85.0  # good > partial > wrong, share of concepts
TARGET_GOOD_MEDIAN: Final = 70
TARGET_ENGLISH_MEDIAN: Final = 60
TARGET_NAME_ONLY_MEDIAN: Final = 10  # at most
TARGET_SHIPPED_ORDERED: Final = (9, 10)  # at least 9 of 10 shipped concepts ordered
TARGET_P50_MS: Final = 10.0  # grade call, 500-character answer

TIMING_CHARS: Final = 500
TIMING_ROUNDS: Final = 5

Scores = Mapping[str, int]


class GradingSetError(ValueError):
    """The grading-set file is malformed (the message says where)."""


# --- the set (pure) ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetEntry:
    """One concept of the set: where it is, its term, and its answers by label."""

    repo: str
    term: str
    answers: Mapping[str, str]
    topic: str = ""
    source: str = ""

    @property
    def shipped(self) -> bool:
        """Whether the concept is one of the shipped notes."""
        return self.repo == SHIPPED

    @property
    def name(self) -> str:
        """``repo | term`` for reports."""
        return f"{self.repo} | {self.term}"


def load_set(text: str, where: str = "grading set") -> list[SetEntry]:
    """Parse the grading-set TOML (``[[concept]]`` tables, see the file's header).

    Raises :class:`GradingSetError` naming the entry for bad TOML, unknown keys, a missing or
    empty required field, a non-string value, or the same concept twice.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GradingSetError(f"{where}: {exc}") from exc
    extra = set(data) - {"concept"}
    if extra:
        raise GradingSetError(f"{where}: unknown top-level keys {sorted(extra)}")
    tables = data.get("concept", [])
    if not isinstance(tables, list) or not tables:
        raise GradingSetError(f"{where}: no [[concept]] tables")
    entries: list[SetEntry] = []
    seen: set[tuple[str, str, str]] = set()
    for number, table in enumerate(tables, start=1):
        place = f"{where}: concept #{number}"
        if not isinstance(table, dict):
            raise GradingSetError(f"{place}: not a table")
        unknown = set(table) - ENTRY_KEYS
        if unknown:
            raise GradingSetError(f"{place}: unknown keys {sorted(unknown)}")
        for key, value in table.items():
            if not isinstance(value, str) or not value.strip():
                raise GradingSetError(f"{place}: {key} must be a non-empty string")
        for key in ("repo", "term", *LABELS):
            if key not in table:
                raise GradingSetError(f"{place} ({table.get('term', '?')}): {key} is missing")
        entry = SetEntry(
            repo=table["repo"].strip(),
            term=table["term"].strip(),
            answers={label: table[label].strip() for label in ALL_LABELS if label in table},
            topic=table.get("topic", "").strip(),
            source=table.get("source", "").strip(),
        )
        key = (entry.repo, name_key(entry.term), entry.source)
        if key in seen:
            raise GradingSetError(f"{place}: {entry.name} appears twice")
        seen.add(key)
        entries.append(entry)
    return entries


# --- figures (pure) ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spread:
    """How a label's scores spread: count, quartiles and median."""

    n: int
    p25: float
    median: float
    p75: float


def spread(values: Sequence[float]) -> Spread | None:
    """The spread of ``values`` (None when there are none)."""
    if not values:
        return None
    return Spread(len(values), percentile(values, 25), median(values), percentile(values, 75))


def label_spread(rows: Sequence[Scores], label: str) -> Spread | None:
    """The spread of one label's scores over the rows that have it."""
    return spread([row[label] for row in rows if label in row])


def is_ordered(scores: Scores) -> bool:
    """Whether good > partial > wrong, strictly."""
    return scores["good"] > scores["partial"] > scores["wrong"]


def share(rows: Sequence[Scores], test: Callable[[Scores], bool]) -> float | None:
    """The percentage of ``rows`` passing ``test`` (None for no rows)."""
    if not rows:
        return None
    return 100 * sum(1 for row in rows if test(row)) / len(rows)


def ordered_share(rows: Sequence[Scores]) -> float | None:
    """The percentage of rows with good > partial > wrong."""
    return share(rows, is_ordered)


def beats(rows: Sequence[Scores], high: str, low: str) -> float | None:
    """The percentage of the rows having both labels where ``high`` scores above ``low``."""
    both = [row for row in rows if high in row and low in row]
    return share(both, lambda row: row[high] > row[low])


def paired_medians(rows: Sequence[Scores], label: str, base: str) -> tuple[float, float] | None:
    """(median of ``label``, median of ``base``) over the rows that have both labels."""
    both = [row for row in rows if label in row and base in row]
    if not both:
        return None
    return median([row[label] for row in both]), median([row[base] for row in both])


def why_unordered(scores: Scores) -> str:
    """Which part of good > partial > wrong fails (empty when ordered)."""
    parts = []
    if scores["good"] <= scores["partial"]:
        parts.append("good <= partial")
    if scores["partial"] <= scores["wrong"]:
        parts.append("partial <= wrong")
    return ", ".join(parts)


def pad_to(text: str, size: int) -> str:
    """``text`` repeated (joined by spaces) or cut to exactly ``size`` characters."""
    if not text:
        return " " * size
    repeated = text
    while len(repeated) < size:
        repeated = f"{repeated} {text}"
    return repeated[:size]


# --- ingest and grade ---------------------------------------------------------------------------


@dataclass(slots=True)
class Notes:
    """One ingested folder: its concepts and the synonym map grading uses for it."""

    folder: Path
    concepts: list[Concept]
    synonyms: SynonymMap
    seconds: float


@dataclass(slots=True)
class Graded:
    """The grades of one set entry's answers against its concept."""

    entry: SetEntry
    concept: Concept
    synonyms: SynonymMap
    grades: dict[str, Grade] = field(default_factory=dict)

    @property
    def scores(self) -> dict[str, int]:
        """Score by label."""
        return {label: grade.score for label, grade in self.grades.items()}


async def _ingest(folder: Path) -> Notes:
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'grade_quality.sqlite3'}")
        try:
            await upgrade_to_head(engine)
            sessions = make_sessionmaker(engine)
            await ingest(sessions, [folder], key_points=True, isolate_tokenizer=False)
            async with sessions() as session:
                concepts = await load_concepts(session)
                synonyms_text = await get_meta(session, SYNONYMS_KEY)
        finally:
            await engine.dispose()
    groups = json.loads(synonyms_text) if synonyms_text else []
    return Notes(folder, concepts, SynonymMap.with_glossary(groups), time.perf_counter() - start)


async def _ingest_all(folders: Mapping[str, Path]) -> dict[str, Notes]:
    return {repo: await _ingest(folder) for repo, folder in folders.items()}


def find_concept(entry: SetEntry, concepts: Sequence[Concept]) -> list[Concept]:
    """The concepts matching the entry's term (by ``name_key``) and, when given, its source."""
    key = name_key(entry.term)
    return [
        concept
        for concept in concepts
        if name_key(concept.term) == key
        and (not entry.source or concept.source_path.replace("\\", "/").endswith(entry.source))
    ]


def similar_terms(term: str, concepts: Sequence[Concept], limit: int = 3) -> list[str]:
    """Terms of ``concepts`` closest to ``term`` (for a not-found report)."""
    terms = list(dict.fromkeys(concept.term for concept in concepts))
    close = difflib.get_close_matches(term, terms, n=limit, cutoff=0.5)
    key = name_key(term)
    contains = [t for t in terms if key and key in name_key(t) and t not in close]
    return (close + contains)[:limit]


def resolve_corpus(corpus: Path | None) -> Path | None:
    """The corpus folder: the given one, else ``$NOTES_CORPUS_DIR``, else ``/tmp/corpus`` when it
    exists (None when there is none)."""
    if corpus is not None:
        return corpus
    value = os.environ.get(CORPUS_ENV, "").strip()
    if value:
        return Path(value)
    return DEFAULT_CORPUS if DEFAULT_CORPUS.is_dir() else None


def folders_for(
    entries: Sequence[SetEntry], corpus: Path | None
) -> tuple[dict[str, Path], dict[str, int]]:
    """(folder by repo for the repos present, entries skipped by missing repo)."""
    folders: dict[str, Path] = {}
    missing: Counter[str] = Counter()
    for entry in entries:
        if entry.repo in folders:
            continue
        if entry.shipped:
            folders[entry.repo] = KNOWLEDGE
        elif entry.repo not in missing and corpus is not None and (corpus / entry.repo).is_dir():
            folders[entry.repo] = corpus / entry.repo
        else:
            missing[entry.repo] += 1
    return folders, dict(missing)


@dataclass(slots=True)
class Timing:
    """Grade-call times in ms for 500-character answers (CPU of this thread, and wall)."""

    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)


def time_grades(
    graded: Sequence[Graded], rounds: int, grader: Grader, size: int = TIMING_CHARS
) -> Timing:
    """Time the grade call alone, warm, on every answer padded or cut to ``size`` characters."""
    timing = Timing()
    cases = [
        (item.concept, pad_to(answer, size), item.synonyms)
        for item in graded
        for answer in item.entry.answers.values()
    ]
    for concept, answer, synonyms in cases:
        grader.grade(concept, answer, synonyms)
    for _ in range(rounds):
        for concept, answer, synonyms in cases:
            start_cpu, start_wall = time.thread_time(), time.perf_counter()
            grader.grade(concept, answer, synonyms)
            timing.cpu.append((time.thread_time() - start_cpu) * 1000)
            timing.wall.append((time.perf_counter() - start_wall) * 1000)
    return timing


# --- the report ----------------------------------------------------------------------------------


def _fmt(value: float | None, suffix: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:.1f}{suffix}" if value != int(value) else f"{int(value)}{suffix}"


def _count(rows: Sequence[Scores], test: Callable[[Scores], bool]) -> str:
    return f"{sum(1 for row in rows if test(row))}/{len(rows)}"


def _print_table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> None:
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print("  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip())


def _scores_line(scores: Scores) -> str:
    return " ".join(f"{label} {scores[label]}" for label in ALL_LABELS if label in scores)


def _print_verbose(item: Graded) -> None:
    concept = item.concept
    derived = "" if concept.key_points else " (none stored; derived from the definition)"
    points = ", ".join(f"{p.label}:{p.weight:g}" for p in key_points_of(concept)) + derived
    print(
        f"\n  {item.entry.name}  [{concept.source_path.rsplit('/', 1)[-1]}:{concept.source_line}]"
    )
    print(f"    key points: {points}")
    for label, grade in item.grades.items():
        hits = ", ".join(f"{h.point.label}<-{h.matched}" for h in grade.hits) or "-"
        misses = ", ".join(p.label for p in grade.misses) or "-"
        print(f"    {label:<10} {grade.score:>3}  hit: {hits}")
        if grade.close:
            close = ", ".join(f"{c.point.label}~{c.matched[:40]}" for c in grade.close)
            print(f"    {'':<10}      close: {close}")
        meaning = "" if grade.meaning is None else f"  (meaning {grade.meaning})"
        print(f"    {'':<10}      missed: {misses}{meaning}")


def _target_row(name: str, value: str, target: str, met: bool | None) -> tuple[str, str, str]:
    mark = "" if met is None else ("  ok" if met else "  MISSED")
    return (name, value, f"{target}{mark}")


def report(
    graded: Sequence[Graded],
    timing: Timing,
    *,
    verbose: bool = False,
) -> dict[str, Any]:
    """Print the tables for ``graded`` and return the figures (the result dict without the run's
    bookkeeping)."""
    rows = [item.scores for item in graded]
    fetched = [item.scores for item in graded if not item.entry.shipped]
    shipped = [item.scores for item in graded if item.entry.shipped]

    print("\nscores by label (0-100):")
    label_rows = []
    medians: dict[str, float] = {}
    for label in ALL_LABELS:
        found = label_spread(rows, label)
        if found is None:
            continue
        medians[label] = found.median
        label_rows.append(
            (label, str(found.n), _fmt(found.p25), _fmt(found.median), _fmt(found.p75))
        )
    _print_table(label_rows, ("label", "n", "p25", "median", "p75"))

    ordered_all = ordered_share(rows)
    ordered_fetched = ordered_share(fetched)
    shipped_ordered = sum(1 for row in shipped if is_ordered(row))
    need, of = TARGET_SHIPPED_ORDERED
    over_name = beats(rows, "good", "name_only")
    good_median = medians.get("good")
    english_median = medians.get("english")
    name_median = medians.get("name_only")
    negated = paired_medians(rows, "negated", "good")
    negated_below = beats(rows, "good", "negated")
    paraphrase = paired_medians(rows, "paraphrase", "good")
    p50 = median(timing.cpu) if timing.cpu else None
    p99 = percentile(timing.cpu, 99) if timing.cpu else None

    def at_least(value: float | None, target: float) -> bool | None:
        return None if value is None else value >= target

    summary = [
        _target_row(
            "good > partial > wrong, all",
            f"{_fmt(ordered_all, '%')} ({_count(rows, is_ordered)})",
            f">= {TARGET_ORDERED_PCT:g}%",
            at_least(ordered_all, TARGET_ORDERED_PCT),
        ),
        _target_row(
            "  fetched notes",
            f"{_fmt(ordered_fetched, '%')} ({_count(fetched, is_ordered)})",
            f">= {TARGET_ORDERED_PCT:g}%",
            at_least(ordered_fetched, TARGET_ORDERED_PCT),
        ),
        _target_row(
            "  shipped notes",
            f"{shipped_ordered}/{len(shipped)}",
            f">= {need}/{of}",
            None if not shipped else shipped_ordered * of >= need * len(shipped),
        ),
        _target_row(
            "good > name_only",
            f"{_fmt(over_name, '%')} ({_count(rows, lambda r: r['good'] > r['name_only'])})",
            "",
            None,
        ),
        _target_row(
            "good median",
            _fmt(good_median),
            f">= {TARGET_GOOD_MEDIAN}",
            at_least(good_median, TARGET_GOOD_MEDIAN),
        ),
        _target_row(
            "english median",
            _fmt(english_median),
            f">= {TARGET_ENGLISH_MEDIAN}",
            at_least(english_median, TARGET_ENGLISH_MEDIAN),
        ),
        _target_row(
            "name_only median",
            _fmt(name_median),
            f"<= {TARGET_NAME_ONLY_MEDIAN}",
            None if name_median is None else name_median <= TARGET_NAME_ONLY_MEDIAN,
        ),
        _target_row(
            "negated < good (same concepts)",
            f"{_fmt(negated_below, '%')}; medians negated vs good {_pair(negated)}",
            "",
            None,
        ),
        _target_row(
            "paraphrase vs good medians (same concepts)",
            _pair(paraphrase),
            "",
            None,
        ),
        _target_row(
            f"grade p50 ms, {TIMING_CHARS} chars (CPU, warm)",
            f"{p50:.3f}" if p50 is not None else "-",
            f"<= {TARGET_P50_MS:g}",
            None if p50 is None else p50 <= TARGET_P50_MS,
        ),
        _target_row(
            f"grade p99 ms, {TIMING_CHARS} chars (CPU)",
            f"{p99:.3f}" if p99 is not None else "-",
            "",
            None,
        ),
        _target_row(
            "grade wall p50 / p99 ms",
            f"{median(timing.wall):.3f} / {percentile(timing.wall, 99):.3f}"
            if timing.wall
            else "-",
            "",
            None,
        ),
    ]
    print()
    _print_table(summary, ("measure", "value", "target"))

    by_topic: dict[str, list[Scores]] = defaultdict(list)
    for item in graded:
        by_topic[item.entry.topic or "-"].append(item.scores)
    topics = ", ".join(
        f"{topic} {_count(found, is_ordered)}" for topic, found in sorted(by_topic.items())
    )
    print(f"\nordered by topic: {topics}")

    unordered = [item for item in graded if not is_ordered(item.scores)]
    print(f"\nconcepts violating good > partial > wrong ({len(unordered)}):")
    for item in unordered:
        print(f"  {item.entry.name}: {_scores_line(item.scores)}  ({why_unordered(item.scores)})")
    if not unordered:
        print("  -")
    if verbose:
        print("\nall scores, with the key points hit (point<-answer words) and missed:")
        for item in graded:
            _print_verbose(item)

    return {
        "ordered_pct": _round(ordered_all),
        "ordered_fetched_pct": _round(ordered_fetched),
        "ordered_shipped": shipped_ordered,
        "shipped": len(shipped),
        "good_over_name_only_pct": _round(over_name),
        "median": {label: value for label, value in medians.items()},
        "negated_below_good_pct": _round(negated_below),
        "p50_ms_500": None if p50 is None else round(p50, 3),
        "p99_ms_500": None if p99 is None else round(p99, 3),
        "violations": [item.entry.name for item in unordered],
    }


def _pair(pair: tuple[float, float] | None) -> str:
    return "-" if pair is None else f"{_fmt(pair[0])} vs {_fmt(pair[1])}"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- running ------------------------------------------------------------------------------------


def meaning_grader() -> MeaningGrader:
    """The bot's grader with the meaning signal, its model in this process (the reference
    vectors encoded on first use and cached, as after the bot's ingest and prepare)."""
    return MeaningGrader(StoredSentenceEncoder(shared_model(DEFAULT_DATA_DIR / "models"), None))


def run(
    corpus: Path | None = None,
    *,
    verbose: bool = False,
    set_file: Path = SET_FILE,
    rounds: int = TIMING_ROUNDS,
    keywords_only: bool = False,
) -> dict[str, Any]:
    """Ingest the folders the set needs, grade every answer, print the report, return the
    result line (see the module docstring)."""
    entries = load_set(set_file.read_text(encoding="utf-8"), str(set_file))
    corpus = resolve_corpus(corpus)
    folders, missing = folders_for(entries, corpus)
    print(f"grading set: {set_file.name}, {len(entries)} concepts; corpus: {corpus or '-'}")
    notes = asyncio.run(_ingest_all(folders))
    for repo, found in notes.items():
        print(
            f"  ingested {repo}: {len(found.concepts)} concepts in {found.seconds:.1f} s"
            f" ({sum(bool(c.key_points) for c in found.concepts)} with key points)"
        )
    if missing:
        skipped = ", ".join(f"{repo} ({count})" for repo, count in sorted(missing.items()))
        print(f"  skipped {sum(missing.values())} concepts, repo folder missing: {skipped}")

    grader = KeywordGrader() if keywords_only else meaning_grader()
    print(f"  grader: {'key points only' if keywords_only else 'key points and meaning'}")
    graded: list[Graded] = []
    not_found: list[str] = []
    ambiguous: list[str] = []
    for entry in entries:
        if entry.repo not in notes:
            continue
        found = notes[entry.repo]
        matches = find_concept(entry, found.concepts)
        if not matches:
            near = similar_terms(entry.term, found.concepts)
            hint = f" (similar terms: {', '.join(repr(t) for t in near)})" if near else ""
            print(f"  NOT FOUND: {entry.name}{hint}")
            not_found.append(entry.name)
            continue
        if len(matches) > 1:
            places = ", ".join(
                f"{c.source_path.rsplit('/', 1)[-1]}:{c.source_line}" for c in matches
            )
            print(
                f"  ambiguous: {entry.name} matches {len(matches)} concepts ({places}); first used"
            )
            ambiguous.append(entry.name)
        item = Graded(entry, matches[0], found.synonyms)
        for label, answer in entry.answers.items():
            item.grades[label] = grader.grade(item.concept, answer, found.synonyms)
        graded.append(item)
    print(
        f"  graded {len(graded)} concepts"
        f" ({sum(not g.entry.shipped for g in graded)} fetched,"
        f" {sum(g.entry.shipped for g in graded)} shipped),"
        f" {sum(len(g.grades) for g in graded)} answers"
    )
    timing = time_grades(graded, rounds, grader)
    figures = report(graded, timing, verbose=verbose) if graded else {}
    return {
        "bench": "grade_quality",
        "grader": "keyword" if keywords_only else "meaning",
        "concepts": len(graded),
        "skipped_no_folder": sum(missing.values()),
        "not_found": not_found,
        "ambiguous": ambiguous,
        **figures,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.grade_quality")
    parser.add_argument(
        "--corpus",
        type=Path,
        help=f"folder of fetched notes (default ${CORPUS_ENV} or /tmp/corpus)",
    )
    parser.add_argument("--verbose", action="store_true", help="every score, hits and misses")
    parser.add_argument("--set", dest="set_file", type=Path, default=SET_FILE, help="set file")
    parser.add_argument("--rounds", type=int, default=TIMING_ROUNDS, help="timing rounds")
    parser.add_argument(
        "--keywords-only", action="store_true", help="the key-point grader without meaning"
    )
    args = parser.parse_args(argv)
    try:
        result = run(
            args.corpus,
            verbose=args.verbose,
            set_file=args.set_file,
            rounds=args.rounds,
            keywords_only=args.keywords_only,
        )
    except (OSError, GradingSetError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
