"""Start-up: ``interview-bot define cnn`` as a whole process on an up-to-date database."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import median, table

RUNS = 7
TARGET_WALL_S = 1.0
TARGET_RSS_MB = 120
BASELINE = [sys.executable, "-c", "pass"]


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stderr is not None:
        proc.stderr.close()
    return wall, usage.ru_maxrss / 1024, proc.returncode


def run() -> dict[str, object]:
    """Measure and return ``{"bench": "startup", "wall_s", "peak_rss_mb"}``."""
    bot = [sys.executable, "-m", "bot", "define", "cnn"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{Path(tmp) / 'b.sqlite3'}"}
        _run(bot, env)  # first start: migrate and ingest the shipped notes
        walls, rss, codes = zip(*(_run(bot, env) for _ in range(RUNS)), strict=True)
        base_walls, base_rss, _ = zip(*(_run(BASELINE, env) for _ in range(RUNS)), strict=True)
    wall, peak = median(walls), max(rss)
    table(
        [
            ("exit status", str(set(codes)), "{0}"),
            ("wall, median", f"{wall:.3f} s", f"<= {TARGET_WALL_S}"),
            ("peak RSS", f"{peak:.0f} MB", f"<= {TARGET_RSS_MB}"),
            (
                "bare python -c pass",
                f"{median(base_walls):.3f} s, {max(base_rss):.0f} MB",
                "baseline",
            ),
        ]
    )
    return {"bench": "startup", "wall_s": round(wall, 3), "peak_rss_mb": round(peak, 1)}
