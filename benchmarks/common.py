"""Helpers shared by the benchmarks: synthetic notes, timing, a readable table."""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from pathlib import Path

SYLLABLES = (
    "가나다라마바사아자차카타파하고노도로모보소오조초코토포호"
    "구누두루무부수우주추쿠투푸후기니디리미비시이지치키티피히"
)
LATIN = [
    "net",
    "graph",
    "flow",
    "cache",
    "node",
    "tree",
    "hash",
    "queue",
    "stack",
    "model",
    "layer",
    "stream",
]


def korean_word(rng: random.Random, low: int = 2, high: int = 5) -> str:
    """A random Hangul word."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(low, high)))


def latin_word(rng: random.Random) -> str:
    """A random English-ish word."""
    return "".join(rng.choice(LATIN) for _ in range(rng.randint(1, 2))).capitalize()


def write_synthetic_notes(folder: Path, concepts: int, per_file: int = 100, seed: int = 7) -> int:
    """Write ``concepts`` unique `Term - definition` concepts in files of ``per_file``; returns
    how many were written."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    written = 0
    for file_no in range(0, concepts, per_file):
        lines = [f"#### 분류 {file_no // per_file}", ""]
        for _ in range(min(per_file, concepts - file_no)):
            while True:
                term = f"{korean_word(rng)} {latin_word(rng)}{rng.randint(0, 999)}"
                if term not in seen:
                    seen.add(term)
                    break
            body = " ".join(korean_word(rng) for _ in range(rng.randint(8, 20)))
            lines.append(f"- {term} - {body}. 합성곱과 풀링 그리고 {korean_word(rng)}.")
            written += 1
        (folder / f"notes-{file_no // per_file:04d}.md").write_text(
            "\n".join(lines) + "\n", encoding="utf-8"
        )
    return written


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of ``values``."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    """The median."""
    return statistics.median(values)


def table(rows: Sequence[tuple[str, str, str]]) -> None:
    """Print (measure, value, target) rows aligned."""
    header = ("measure", "value", "target")
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(3)]
    for row in (header, *rows):
        print("  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)))


def status_kb(pid: int | str, field_name: str) -> int:
    """A ``kB`` figure (VmRSS, VmHWM) from ``/proc/PID/status``; 0 when unavailable (gone)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (a tokenizer worker shows up here)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry.name))
    return found
