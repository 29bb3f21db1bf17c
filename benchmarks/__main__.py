"""Run benchmarks on demand: ``python -m benchmarks NAME [NAME ...]`` or ``... all``.

Each benchmark module has ``run() -> dict``; it prints a readable table and its result dict is
printed last as one JSON line.
"""

from __future__ import annotations

import importlib
import json
import sys

BENCHMARKS = (
    "lookup",
    "ingest",
    "startup",
    "grade",
    "ingest_keypoints",
    "interview_load",
    "idle_rss",
    "daily_fanout",
    "ingest_real",
    "grade_quality",
    "faults",
    "review",
)


def main(argv: list[str]) -> int:
    """Run the named benchmarks (or all) and print one JSON line per benchmark, last."""
    names = list(BENCHMARKS) if not argv or argv == ["all"] else argv
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    results = []
    for name in names:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError:
            print(f"{name}: not available in this checkout")
            continue
        print(f"== {name}")
        results.append(module.run())
    for result in results:
        print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
