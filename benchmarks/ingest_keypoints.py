"""Key-point extraction over synthetic concepts made from the shipped definitions.

Each synthetic concept takes the term of a shipped concept (numbered, so every one is new) and
a definition of two to five sentences drawn from all the shipped definitions, shuffled with a
fixed seed. Extraction runs the real path: user words (terms, aliases, curated key terms), one
batch ``kiwi.tokenize`` call, candidates, IDF over all concepts. Loading the Kiwi model and its
first call (which builds the dictionary with the user words) are timed separately and not
counted in ``concepts_per_s`` (wall clock). The CPU time of the whole process (Kiwi's worker
threads included) and the machine's load average are printed too: on a shared machine the wall
clock figure depends on what else runs.
"""

from __future__ import annotations

import os
import random
import re
import time
from pathlib import Path

from benchmarks.common import table
from bot.core.grading.keypoints import (
    DEFAULT_WORKERS,
    KeyPointExtractor,
    KeyPointSource,
    curated_words,
    load_curated,
)
from bot.core.knowledge.parser import parse_notes

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
SEED = 20_240_604
CONCEPTS = 1_200
SENTENCES = (2, 5)
TARGET_PER_S = 300
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def synthetic_sources(count: int = CONCEPTS, seed: int = SEED) -> list[KeyPointSource]:
    """``count`` concepts whose definitions are shuffled sentences of the shipped notes."""
    notes = parse_notes((KNOWLEDGE / "interview-notes.md").read_text(encoding="utf-8"))
    sentences = [
        sentence.strip()
        for concept in notes.concepts
        for sentence in _SENTENCE_END.split(concept.definition)
        if len(sentence.strip()) > 5
    ]
    rng = random.Random(seed)
    sources = []
    for number in range(count):
        base = notes.concepts[number % len(notes.concepts)]
        picked = rng.sample(sentences, rng.randint(*SENTENCES))
        sources.append(KeyPointSource(f"{base.term} {number}", base.aliases, " ".join(picked)))
    return sources


def run() -> dict[str, object]:
    """Run the benchmark, print a table, return the result line."""
    curated = load_curated((KNOWLEDGE / "keypoints.toml").read_text(encoding="utf-8"), "k")
    sources = synthetic_sources()
    extractor = KeyPointExtractor(curated_words(curated), num_workers=DEFAULT_WORKERS)
    extractor.add_user_words(word for source in sources for word in (source.term, *source.aliases))

    start = time.perf_counter()
    extractor.load()
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    extractor.tokenize(["합성곱 신경망의 첫 호출."])
    first_call_s = time.perf_counter() - start

    start, start_cpu = time.perf_counter(), time.process_time()
    points = extractor.extract(sources)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - start_cpu
    per_s = len(sources) / elapsed

    # A person edits one note: every concept is ranked again (IDF is global), one is tokenised.
    edited = [*sources[:-1], KeyPointSource(sources[-1].term, (), sources[0].definition + " 수정.")]
    start = time.perf_counter()
    extractor.extract(edited)
    one_changed_s = time.perf_counter() - start
    characters = sum(len(source.definition) for source in sources)

    table(
        [
            ("concepts (definition chars)", f"{len(sources)} ({characters:,})", ""),
            ("Kiwi load, s (not counted)", f"{load_s:.2f}", ""),
            ("first call with user words, s (not counted)", f"{first_call_s:.2f}", ""),
            ("extraction, s", f"{elapsed:.3f}", ""),
            ("concepts per second (wall)", f"{per_s:.0f}", f">= {TARGET_PER_S}"),
            ("concepts per CPU second (all threads)", f"{len(sources) / cpu:.0f}", ""),
            ("load average (1 min) / CPUs", f"{os.getloadavg()[0]:.1f} / {os.cpu_count()}", ""),
            ("again after one definition changed, s", f"{one_changed_s:.3f}", ""),
            ("Kiwi worker threads", f"{DEFAULT_WORKERS}", ""),
            ("key points per concept, mean", f"{sum(map(len, points)) / len(points):.1f}", ""),
            ("example", f"{sources[0].term}: {', '.join(p.label for p in points[0])}", ""),
        ]
    )
    return {"bench": "ingest_keypoints", "concepts_per_s": round(per_s)}


if __name__ == "__main__":
    print(run())
