"""Memory of a running console bot idling with an interview open, notes already ingested.

A first process ingests the shipped notes into a temporary database; then ``interview-bot
console`` starts on it with piped stdin, is sent ``/interview 2``, and once the first question is
printed it is left idle while its resident memory (``VmRSS`` in ``/proc/PID/status``) is sampled;
then the question is answered (which loads the meaning signal's model) and, once the next
question is printed, sampled again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Final

from benchmarks.common import children, status_kb, table
from bot.config import DEFAULT_KNOWLEDGE_DIR

TARGET_RSS_MB: Final = 150.0
# With the meaning signal's model loaded (it loads at the first graded answer).
TARGET_GRADED_RSS_MB: Final = 200.0
QUESTION_MARK: Final = "1/2"  # the first question's title: "질문 1/2 · ..."
NEXT_QUESTION_MARK: Final = "2/2"
ANSWER: Final = (
    "여러 요청을 나눠 처리하도록 서버 앞에서 트래픽을 분산하고, 한 서버가 죽어도 다른 서버가"
    " 받아서 가용성을 높입니다. Requests are spread so no single server is overloaded."
)
READY_TIMEOUT_S: Final = 120.0
IDLE_S: Final = 5.0
SAMPLE_EVERY_S: Final = 0.5
EXIT_TIMEOUT_S: Final = 30.0
BOT: Final = [sys.executable, "-m", "bot"]


class _Reader(threading.Thread):
    """Drains a pipe into memory so the bot never blocks on a full pipe."""

    def __init__(self, pipe: IO[str]) -> None:
        super().__init__(daemon=True)
        self.pipe = pipe
        self.text = ""
        self.changed = threading.Event()

    def run(self) -> None:
        for line in self.pipe:
            self.text += line
            self.changed.set()

    def wait_for(self, marker: str, timeout: float) -> bool:
        """Wait until ``marker`` has been printed (False on timeout or end of output)."""
        deadline = time.monotonic() + timeout
        while marker not in self.text:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (not self.is_alive() and marker not in self.text):
                return False
            self.changed.wait(min(remaining, SAMPLE_EVERY_S))
            self.changed.clear()
        return True


def _env(tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATA_DIR": str(tmp),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'idle.sqlite3'}",
        "KNOWLEDGE_PATHS": str(DEFAULT_KNOWLEDGE_DIR),
        "LOCALE": "ko",
        "PYTHONUNBUFFERED": "1",
    }


def _samples(pid: int) -> list[int]:
    """``VmRSS`` of ``pid`` every :data:`SAMPLE_EVERY_S` for :data:`IDLE_S` (kB)."""
    samples = []
    deadline = time.monotonic() + IDLE_S
    while time.monotonic() < deadline:
        time.sleep(SAMPLE_EVERY_S)
        samples.append(status_kb(pid, "VmRSS"))
    return samples


def _measure(tmp: Path) -> dict[str, float]:
    env = _env(tmp)
    subprocess.run([*BOT, "ingest"], env=env, cwd=tmp, check=True, capture_output=True)
    bot = subprocess.Popen(
        [*BOT, "console"],
        env=env,
        cwd=tmp,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    assert bot.stdin is not None and bot.stdout is not None and bot.stderr is not None
    out, err = _Reader(bot.stdout), _Reader(bot.stderr)
    out.start()
    err.start()
    try:
        bot.stdin.write("/interview 2\n")
        bot.stdin.flush()
        if not out.wait_for(QUESTION_MARK, READY_TIMEOUT_S):
            raise RuntimeError(f"no question from the console bot:\n{out.text}\n{err.text}")
        samples = _samples(bot.pid)
        children_kb = sum(status_kb(child, "VmRSS") for child in children(bot.pid))
        bot.stdin.write(ANSWER + "\n")
        bot.stdin.flush()
        if not out.wait_for(NEXT_QUESTION_MARK, READY_TIMEOUT_S):
            raise RuntimeError(f"no second question from the console bot:\n{out.text}\n{err.text}")
        graded = _samples(bot.pid)
        peak = status_kb(bot.pid, "VmHWM")
        bot.stdin.write("/stop\n/quit\n")
        bot.stdin.flush()
        bot.stdin.close()
        code = bot.wait(EXIT_TIMEOUT_S)
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()
    out.join(EXIT_TIMEOUT_S)
    if code != 0 or not samples or not all(samples):
        raise RuntimeError(f"console bot failed (exit {code}):\n{out.text}\n{err.text}")
    return {
        "rss_mb": samples[-1] / 1024,
        "rss_max_mb": max(samples) / 1024,
        "graded_rss_mb": graded[-1] / 1024,
        "peak_mb": peak / 1024,
        "children_mb": children_kb / 1024,
        "samples": float(len(samples)),
        "summary_shown": float("면접 결과" in out.text or "Interview summary" in out.text),
    }


def run() -> dict[str, object]:
    """Measure and return ``{"bench": "idle_rss", "rss_mb"}``."""
    with tempfile.TemporaryDirectory() as tmp:
        figures = _measure(Path(tmp))
    table(
        [
            (
                "VmRSS, idle with an interview open",
                f"{figures['rss_mb']:.1f} MB",
                f"<= {TARGET_RSS_MB:.0f} MB",
            ),
            (
                f"VmRSS, highest of {figures['samples']:.0f} samples over {IDLE_S:.0f} s",
                f"{figures['rss_max_mb']:.1f} MB",
                "",
            ),
            (
                "VmRSS after a graded answer (meaning model loaded)",
                f"{figures['graded_rss_mb']:.1f} MB",
                f"<= {TARGET_GRADED_RSS_MB:.0f} MB",
            ),
            ("VmHWM (peak since start)", f"{figures['peak_mb']:.1f} MB", ""),
            ("child processes' VmRSS", f"{figures['children_mb']:.1f} MB", "0 (no tokenizer)"),
            ("/stop then showed the summary", "yes" if figures["summary_shown"] else "no", "yes"),
        ]
    )
    return {
        "bench": "idle_rss",
        "rss_mb": round(figures["rss_mb"], 1),
        "graded_rss_mb": round(figures["graded_rss_mb"], 1),
    }


if __name__ == "__main__":
    print(run())
