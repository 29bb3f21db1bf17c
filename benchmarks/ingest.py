"""Ingest 10,000 synthetic concepts into a fresh SQLite file; then re-ingest unchanged files."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from benchmarks.common import table, write_synthetic_notes
from bot.core.ingest import ingest
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import upgrade_to_head

CONCEPTS = 10_000
TARGET_PER_S = 2_000
TARGET_REINGEST_S = 0.5


async def _measure(folder: Path, db: Path, *, key_points: bool) -> tuple[int, float, float]:
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
    return report.added, first, second


def run() -> dict[str, object]:
    """Measure and return ``{"bench": "ingest", "concepts_per_s", "reingest_unchanged_s"}``."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "notes"
        write_synthetic_notes(folder, CONCEPTS)
        added, first, second = asyncio.run(_measure(folder, Path(tmp) / "bench.sqlite3"))
    per_s = added / first
    table(
        [
            ("concepts ingested", f"{added}", f"{CONCEPTS}"),
            ("first ingest", f"{first:.2f} s", ""),
            ("concepts per second", f"{per_s:,.0f}", f">= {TARGET_PER_S:,}"),
            ("re-ingest, unchanged", f"{second:.3f} s", f"<= {TARGET_REINGEST_S}"),
        ]
    )
    return {
        "bench": "ingest",
        "concepts_per_s": round(per_s),
        "reingest_unchanged_s": round(second, 3),
    }
