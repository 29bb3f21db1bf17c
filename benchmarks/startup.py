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
# The child reports its own peak resident size at exit: VmHWM of its own address space (a fork's
# ru_maxrss would carry this process's size across exec).
REPORT_PEAK = (
    "import atexit, sys, runpy\n"
    "def _peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            sys.stderr.write('PEAK_RSS_KB ' + line.split()[1] + '\\n')\n"
    "atexit.register(_peak)\n"
    "sys.argv = sys.argv[1:]\n"
    "runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)\n"
)


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    cmd = [sys.executable, "-c", REPORT_PEAK, *args]
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    peak_kb = next(
        (
            int(line.split()[1])
            for line in done.stderr.splitlines()
            if line.startswith("PEAK_RSS_KB")
        ),
        0,
    )
    return wall, peak_kb / 1024, done.returncode


def run() -> dict[str, object]:
    """Measure and return ``{"bench": "startup", "wall_s", "peak_rss_mb"}``."""
    bot = ["bot", "define", "cnn"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{Path(tmp) / 'b.sqlite3'}"}
        _run(bot, env)  # first start: migrate and ingest the shipped notes
        walls, rss, codes = zip(*(_run(bot, env) for _ in range(RUNS)), strict=True)
        base_walls, base_rss, _ = zip(*(_run(["this"], env) for _ in range(RUNS)), strict=True)
    wall, peak = median(walls), max(rss)
    table(
        [
            ("exit status", str(set(codes)), "{0}"),
            ("wall, median", f"{wall:.3f} s", f"<= {TARGET_WALL_S}"),
            ("peak RSS", f"{peak:.0f} MB", f"<= {TARGET_RSS_MB}"),
            (
                "bare interpreter",
                f"{median(base_walls):.3f} s, {max(base_rss):.0f} MB",
                "baseline",
            ),
        ]
    )
    return {"bench": "startup", "wall_s": round(wall, 3), "peak_rss_mb": round(peak, 1)}
