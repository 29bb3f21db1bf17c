"""Grading answers of 500 and 2,000 characters against the shipped concepts.

Concepts are the shipped notes as stored (parsed, curated aliases and key points) with the shipped
synonym map. Answers are deterministic mixes of words from all the shipped definitions (so they
hit some key points of most concepts), English loanwords and made-up Hangul words the caches have
not seen, cut to length. Each concept is warmed on a few answers first (the running bot grades
many answers per concept: key points compile once per concept, a point's reference pattern on its
first hit); the cold first call is reported separately.

Times are per ``grade`` call. The result line uses CPU time of the calling thread, like the lookup
benchmark, because the machine may be shared (other processes stretch wall-clock tails); wall
clock is printed beside it.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from benchmarks.common import korean_word, median, percentile, table
from bot.core.grading.grader import grade
from bot.core.grading.keypoints import load_curated
from bot.core.grading.synonyms import SynonymMap
from bot.core.knowledge.aliases import parse_aliases
from bot.core.knowledge.parser import parse_notes
from bot.core.models import Concept

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
SEED = 20_240_603
ANSWERS_500 = 3_000
ANSWERS_2000 = 600
TARGET_P50_MS_500 = 2.0
WARM_ANSWERS = 20
ENGLISH = (
    "convolution", "kernel", "filter", "pooling", "stride", "feature map", "gradient", "loss",
    "weight", "sigmoid", "probability", "classification", "regression", "container", "server",
    "request", "thread", "async", "sync", "generator", "discriminator", "attention", "sequence",
    "memory", "gate", "dynamic", "graph",
)  # fmt: skip


def shipped_concepts() -> list[Concept]:
    """The shipped notes as the bot stores them."""
    notes = parse_notes((KNOWLEDGE / "interview-notes.md").read_text(encoding="utf-8"))
    aliases = parse_aliases((KNOWLEDGE / "aliases.toml").read_text(encoding="utf-8"), "aliases")
    points = load_curated((KNOWLEDGE / "keypoints.toml").read_text(encoding="utf-8"), "keypoints")
    return [
        Concept(
            id=number,
            term=parsed.term,
            category=parsed.category,
            definition=parsed.definition,
            source_path="knowledge/interview-notes.md",
            source_line=parsed.line,
            aliases=tuple(dict.fromkeys((*parsed.aliases, *aliases.get(parsed.term, ())))),
            key_points=points.get(parsed.term, ()),
        )
        for number, parsed in enumerate(notes.concepts, start=1)
    ]


def make_answer(rng: random.Random, pool: list[str], size: int) -> str:
    """A deterministic answer of exactly ``size`` characters."""
    words: list[str] = []
    length = 0
    while length < size:
        roll = rng.random()
        if roll < 0.7:
            word = rng.choice(pool)
        elif roll < 0.85:
            word = rng.choice(ENGLISH)
        else:
            word = korean_word(rng)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


def _time_ms(
    concepts: list[Concept], answers: list[str], synonyms: SynonymMap
) -> tuple[list[float], list[float]]:
    """(CPU ms, wall ms) of grading each answer against the concepts in turn."""
    cpu: list[float] = []
    wall: list[float] = []
    for index, answer in enumerate(answers):
        concept = concepts[index % len(concepts)]
        start_cpu, start_wall = time.thread_time(), time.perf_counter()
        grade(concept, answer, synonyms)
        cpu.append((time.thread_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start_wall) * 1000)
    return cpu, wall


def run() -> dict[str, object]:
    """Run the benchmark, print a table, return the result line."""
    concepts = shipped_concepts()
    synonyms = SynonymMap.parse(
        (KNOWLEDGE / "synonyms.toml").read_text(encoding="utf-8"), "synonyms.toml"
    )
    rng = random.Random(SEED)
    pool = [word for concept in concepts for word in concept.definition.split()]
    answers_500 = [make_answer(rng, pool, 500) for _ in range(ANSWERS_500)]
    answers_2000 = [make_answer(rng, pool, 2_000) for _ in range(ANSWERS_2000)]

    cold = []
    for concept in concepts:
        start = time.perf_counter()
        grade(concept, answers_500[0], synonyms)
        cold.append((time.perf_counter() - start) * 1000)
    for concept in concepts:  # steady state: each point's reference pattern compiled once
        for answer in answers_500[1 : 1 + WARM_ANSWERS]:
            grade(concept, answer, synonyms)
    times_500, wall_500 = _time_ms(concepts, answers_500, synonyms)
    times_2000, wall_2000 = _time_ms(concepts, answers_2000, synonyms)
    huge = "합성곱 커널 " * 4_000
    start = time.perf_counter()
    grade(concepts[0], huge, synonyms)
    huge_ms = (time.perf_counter() - start) * 1000

    result: dict[str, object] = {
        "bench": "grade",
        "p50_ms_500": round(median(times_500), 3),
        "p99_ms_500": round(percentile(times_500, 99), 3),
        "p50_ms_2000": round(median(times_2000), 3),
    }
    table(
        [
            (
                "concepts / answers (500 / 2,000 chars)",
                f"{len(concepts)} / {ANSWERS_500} / {ANSWERS_2000}",
                "",
            ),
            ("p50 ms, 500 chars (CPU)", f"{result['p50_ms_500']}", f"<= {TARGET_P50_MS_500}"),
            ("p99 ms, 500 chars (CPU)", f"{result['p99_ms_500']}", ""),
            ("p50 ms, 2,000 chars (CPU)", f"{result['p50_ms_2000']}", ""),
            ("p99 ms, 2,000 chars (CPU)", f"{percentile(times_2000, 99):.3f}", ""),
            (
                "wall p50 / p99 ms, 500 chars",
                f"{median(wall_500):.3f} / {percentile(wall_500, 99):.3f}",
                "",
            ),
            (
                "wall p50 / p99 ms, 2,000 chars",
                f"{median(wall_2000):.3f} / {percentile(wall_2000, 99):.3f}",
                "",
            ),
            ("first call per concept (compile), median ms", f"{median(cold):.3f}", ""),
            (f"one {len(huge):,}-char answer (cut), ms", f"{huge_ms:.3f}", ""),
        ]
    )
    return result


if __name__ == "__main__":
    print(run())
