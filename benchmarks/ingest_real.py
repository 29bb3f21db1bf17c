"""Ingest a real notes folder the way the bot does: key points on, tokenizer in a child process.

The folder comes from ``NOTES_BENCH_DIR`` (for example a public interview-notes repository
fetched to disk); without it the benchmark says so and is skipped. The folder is copied to a
temporary directory first, so nothing in it is touched. Measured:

- the first ingest (parse, store, key points with the tokenizer in its own process): wall time
  and concepts per second;
- the peak resident memory of this process during the ingest (``VmHWM`` after resetting it via
  ``/proc/self/clear_refs``; else ``ru_maxrss``, which also counts what ran before) and of the
  tokenizer child (sampled ``VmHWM`` of every child process while the ingest runs, checked
  against ``RUSAGE_CHILDREN``, which covers children once they are reaped);
- a second ingest after one line was appended to one file: its time and how many files were
  parsed again.
"""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from sqlalchemy.ext.asyncio import async_sessionmaker

from benchmarks.common import children, status_kb, table
from bot.app.ingest import IngestReport, ingest
from bot.app.notes_files import collect
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import upgrade_to_head

ENV: Final = "NOTES_BENCH_DIR"
TARGET_PER_S: Final = 300
TARGET_TOKENIZER_MB: Final = 250.0
TARGET_BOT_MB: Final = 120.0
SAMPLE_EVERY_S: Final = 0.05
APPENDED_LINE: Final = "\n벤치마크가 덧붙인 한 줄: 다시 읽어야 하는 파일인지 확인합니다.\n"


def _reset_peak() -> bool:
    """Reset this process's ``VmHWM`` to its current RSS (Linux >= 4.0); False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _own_peak_mb(reset: bool) -> float:
    """This process's peak RSS in MB since the reset (or since it started)."""
    if reset:
        hwm = status_kb("self", "VmHWM")
        if hwm:
            return hwm / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass(slots=True)
class _Sampler:
    """Samples the peak RSS of every child process (by pid) until stopped."""

    pid: int = field(default_factory=os.getpid)
    peaks_kb: dict[int, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        """Sample until :meth:`stop` is called."""
        while not self._stop.is_set():
            for child in children(self.pid):
                peak = status_kb(child, "VmHWM")
                if peak:
                    self.peaks_kb[child] = max(self.peaks_kb.get(child, 0), peak)
            self._stop.wait(SAMPLE_EVERY_S)

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()

    @property
    def peak_mb(self) -> float:
        """The largest child peak seen, in MB (0 when no child was seen)."""
        return max(self.peaks_kb.values(), default=0) / 1024


@contextmanager
def _sampling() -> Iterator[_Sampler]:
    sampler = _Sampler()
    thread = threading.Thread(target=sampler.run, daemon=True)
    thread.start()
    try:
        yield sampler
    finally:
        sampler.stop()
        thread.join()


@dataclass(slots=True)
class _Phase:
    report: IngestReport
    seconds: float
    child_peak_mb: float
    children_seen: int
    rusage_children_mb: float


async def _ingest_phase(
    sessions: async_sessionmaker[Any], folder: Path
) -> tuple[IngestReport, float]:
    start = time.perf_counter()
    report = await ingest(sessions, [folder], key_points=True, isolate_tokenizer=True)
    return report, time.perf_counter() - start


async def _parse_and_store_s(folder: Path, db: Path) -> float:
    """Seconds of the same ingest without key points (parse + store alone), in its own database."""
    engine = make_engine(f"sqlite+aiosqlite:///{db}")
    try:
        await upgrade_to_head(engine)
        start = time.perf_counter()
        await ingest(make_sessionmaker(engine), [folder], key_points=False)
        return time.perf_counter() - start
    finally:
        await engine.dispose()


def _measured(
    sessions: async_sessionmaker[Any], folder: Path, loop: asyncio.AbstractEventLoop
) -> _Phase:
    with _sampling() as sampler:
        report, seconds = loop.run_until_complete(_ingest_phase(sessions, folder))
    rusage = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return _Phase(report, seconds, sampler.peak_mb, len(sampler.peaks_kb), rusage)


def _touch_one(folder: Path, report: IngestReport) -> Path:
    """Append a line to the first notes file that was ingested (not skipped)."""
    skipped = {w.path for w in report.warnings if w.message.key == "file_skipped"}
    notes = [f for f in collect([folder])[0] if f.kind == "notes" and f.display not in skipped]
    target = notes[0].path
    with target.open("a", encoding="utf-8") as handle:
        handle.write(APPENDED_LINE)
    return target


def _run(source: Path) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "notes"
        shutil.copytree(source, folder, ignore=shutil.ignore_patterns(".git"))
        engine = make_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}")
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(upgrade_to_head(engine))
            sessions = make_sessionmaker(engine)
            reset = _reset_peak()
            first = _measured(sessions, folder, loop)
            bot_peak = _own_peak_mb(reset)
            touched = _touch_one(folder, first.report)
            second = _measured(sessions, folder, loop)
            loop.run_until_complete(engine.dispose())
            plain_s = loop.run_until_complete(_parse_and_store_s(folder, Path(tmp) / "plain.db"))
        finally:
            loop.close()
        touched_name = touched.relative_to(folder).as_posix()
    concepts = first.report.added
    per_s = concepts / first.seconds if first.seconds else 0.0
    tokenizer_peak = first.child_peak_mb or first.rusage_children_mb
    table(
        [
            ("folder", str(source), ""),
            (
                "files ingested / skipped",
                f"{first.report.files} / {first.report.files_skipped}",
                "",
            ),
            ("concepts", f"{concepts}", ""),
            ("first ingest with key points, s", f"{first.seconds:.2f}", ""),
            ("concepts/s (wall, tokenizer load included)", f"{per_s:,.0f}", f">= {TARGET_PER_S}"),
            ("parse + store alone (separate run, no key points), s", f"{plain_s:.2f}", ""),
            ("bot process peak RSS, MB", f"{bot_peak:.0f}", f"<= {TARGET_BOT_MB:.0f}"),
            (
                "tokenizer child peak RSS, MB (sampled)",
                f"{first.child_peak_mb:.0f} ({first.children_seen} children seen)",
                f"<= {TARGET_TOKENIZER_MB:.0f}",
            ),
            ("children peak RSS, MB (RUSAGE_CHILDREN)", f"{first.rusage_children_mb:.0f}", ""),
            ("touched file", touched_name, ""),
            ("re-ingest after touching it, s", f"{second.seconds:.2f}", ""),
            ("files reparsed", f"{second.report.changed}", "1"),
            (
                "concepts added / updated / removed",
                f"{second.report.added} / {second.report.updated} / {second.report.removed}",
                "",
            ),
            ("tokenizer child peak on re-ingest, MB", f"{second.child_peak_mb:.0f}", ""),
            ("load average (1 min) / CPUs", f"{os.getloadavg()[0]:.1f} / {os.cpu_count()}", ""),
        ]
    )
    return {
        "bench": "ingest_real",
        "concepts": concepts,
        "concepts_per_s": round(per_s),
        "wall_s": round(first.seconds, 2),
        "parse_store_s": round(plain_s, 2),
        "bot_peak_rss_mb": round(bot_peak),
        "tokenizer_peak_rss_mb": round(tokenizer_peak),
        "reingest_touched_s": round(second.seconds, 2),
        "reparsed_files": second.report.changed,
    }


def run() -> dict[str, object]:
    """Run the benchmark on ``$NOTES_BENCH_DIR``, print a table, return the result line (or a
    ``skipped`` result when the variable is unset or not a folder)."""
    value = os.environ.get(ENV, "").strip()
    if not value or not Path(value).is_dir():
        reason = f"{ENV}={value} is not a folder" if value else f"{ENV} is not set"
        print(f"ingest_real: skipped, it needs a fetched notes folder in ${ENV} ({reason})")
        return {"bench": "ingest_real", "skipped": reason}
    return _run(Path(value).resolve())


if __name__ == "__main__":
    print(run())
