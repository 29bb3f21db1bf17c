"""Ingest 10,000 synthetic concepts into a fresh SQLite file; then re-ingest unchanged files.

Also shows how long the write transaction (SQLite's write lock) was held: parsing and key
points happen before it, so it should stay well under a second.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from benchmarks.common import table, write_synthetic_notes
from bot.app.ingest import ingest
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import upgrade_to_head

CONCEPTS = 10_000
TARGET_PER_S = 2_000
TARGET_REINGEST_S = 0.5
TARGET_WRITE_LOCK_S = 1.0


async def _measure(folder: Path, db: Path, *, key_points: bool) -> tuple[int, float, float, float]:
    engine = make_engine(f"sqlite+aiosqlite:///{db}")
    await upgrade_to_head(engine)
    sessions = make_sessionmaker(engine)
    start = time.perf_counter()
    report = await ingest(sessions, [folder], key_points=key_points)
    first = time.perf_counter() - start
    start = time.perf_counter()
    again = await ingest(sessions, [folder], key_points=key_points)
    second = time.perf_counter() - start
    await engine.dispose()
    assert again.changed == 0 and again.unchanged == report.files
    return report.added, first, second, report.write_seconds


def run() -> dict[str, object]:
    """Measure and return ``{"bench": "ingest", "concepts_per_s", "reingest_unchanged_s",
    "concepts_per_s_with_keypoints"}``: parse + store alone, and with key-point extraction."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "notes"
        write_synthetic_notes(folder, CONCEPTS)
        added, first, second, _ = asyncio.run(
            _measure(folder, Path(tmp) / "plain.sqlite3", key_points=False)
        )
        full_added, full_first, full_second, write_s = asyncio.run(
            _measure(folder, Path(tmp) / "full.sqlite3", key_points=True)
        )
    per_s, full_per_s = added / first, full_added / full_first
    table(
        [
            ("concepts ingested", f"{added}", f"{CONCEPTS}"),
            ("parse + store: first ingest", f"{first:.2f} s", ""),
            ("parse + store: concepts/s", f"{per_s:,.0f}", f">= {TARGET_PER_S:,}"),
            ("with key points: first ingest", f"{full_first:.2f} s", ""),
            ("with key points: concepts/s", f"{full_per_s:,.0f}", "(tokenizer bound)"),
            ("with key points: write lock held", f"{write_s:.3f} s", f"< {TARGET_WRITE_LOCK_S}"),
            (
                "re-ingest unchanged, without / with",
                f"{second:.3f} / {full_second:.3f} s",
                f"<= {TARGET_REINGEST_S}",
            ),
        ]
    )
    return {
        "bench": "ingest",
        "concepts_per_s": round(per_s),
        "reingest_unchanged_s": round(max(second, full_second), 3),
        "concepts_per_s_with_keypoints": round(full_per_s),
        "write_lock_s": round(write_s, 3),
    }
