"""500 mock interviews running at once through the Service on one SQLite file.

Every session starts (all at once), then answers its current question in waves: in each wave
all sessions answer concurrently (``asyncio.gather``), one wave per round. Each answer's latency is
the time its ``Interviews.answer`` call took, queueing included. Afterwards the answers table is
counted against what was sent: an answer is lost when its (interview, question) has no row, and
double-graded when it has more than one.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Final

from pydantic_settings import SettingsConfigDict
from sqlalchemy import select

from benchmarks.common import median, percentile, table
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.models import Caller, Concept, Reply, ReplyKind
from bot.core.service import Service
from bot.db.tables import AnswerRow

SESSIONS: Final = 500
ROUNDS: Final = 3
SEED: Final = 20_240_301
TARGET_P99_MS: Final = 100.0
# Answers like people write them: a piece of the note, an English line, a shrug, a long ramble.
ENGLISH_LINES: Final = (
    "It is used to process data step by step and the model learns weights from examples.",
    "I think it is about splitting the work between servers so nothing gets overloaded.",
    "Not sure, something with probability and a test of the hypothesis.",
)


class _Isolated(Settings):
    """Settings that ignore a developer's .env file."""

    model_config = SettingsConfigDict(**{**Settings.model_config, "env_file": None})


def _answer_for(concept: Concept, rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        words = concept.definition.split()
        take = rng.randint(3, max(3, len(words)))
        return " ".join(words[:take])
    if kind < 0.7:
        return rng.choice(ENGLISH_LINES)
    if kind < 0.85:
        return "잘 모르겠어요"
    return (concept.definition + " ") * rng.randint(5, 15)


async def _timed(coro_fn: object, latencies: list[float], *args: object) -> list[Reply]:
    start = time.perf_counter()
    try:
        return await coro_fn(*args)  # type: ignore[operator,no-any-return]
    finally:
        latencies.append((time.perf_counter() - start) * 1000)


async def _load(url: str, data_dir: Path) -> dict[str, object]:
    settings = _Isolated(
        database_url=url, data_dir=data_dir, knowledge_paths=[DEFAULT_KNOWLEDGE_DIR]
    )
    service = await Service.start(settings)
    rng = random.Random(SEED)
    try:
        callers = [
            Caller("bench", f"user-{n}", f"channel-{n % 50}", workspace_id="bench")
            for n in range(SESSIONS)
        ]
        wall = time.perf_counter()
        started = await asyncio.gather(
            *(service.interviews.start(c, None, ROUNDS) for c in callers), return_exceptions=True
        )
        start_s = time.perf_counter() - wall
        start_errors = [r for r in started if isinstance(r, BaseException)]
        current: dict[Caller, Reply] = {
            c: r[-1] for c, r in zip(callers, started, strict=True) if isinstance(r, list)
        }
        sent: list[tuple[int, int]] = []
        latencies: list[float] = []
        errors: Counter[str] = Counter()
        summaries = 0
        answer_wall = time.perf_counter()
        wave_s: list[float] = []
        for _ in range(ROUNDS):
            wave = [(c, q) for c, q in current.items() if q.kind is ReplyKind.QUESTION]
            texts = [_answer_for(service.concept(int(str(q.extra["concept_id"]))), rng) for _, q in wave]
            for _, question in wave:
                sent.append((int(str(question.extra["interview_id"])), int(str(question.extra["question_seq"]))))
            wave_start = time.perf_counter()
            results = await asyncio.gather(
                *(
                    _timed(service.interviews.answer, latencies, caller, text)
                    for (caller, _), text in zip(wave, texts, strict=True)
                ),
                return_exceptions=True,
            )
            wave_s.append(time.perf_counter() - wave_start)
            for (caller, _), result in zip(wave, results, strict=True):
                if isinstance(result, BaseException):
                    errors[type(result).__name__] += 1
                    current.pop(caller)
                    continue
                current[caller] = result[-1]
                summaries += result[-1].kind is ReplyKind.SUMMARY
        answer_s = time.perf_counter() - answer_wall
        async with service.sessions() as session:
            rows = (await session.execute(select(AnswerRow.interview_id, AnswerRow.question_seq))).all()
        stored = Counter((int(i or 0), int(s or 0)) for i, s in rows)
        lost = sum(1 for key in sent if key not in stored)
        double = sum(count - 1 for count in stored.values() if count > 1)
    finally:
        await service.close()
    p50, p99 = median(latencies), percentile(latencies, 99)
    table(
        [
            ("sessions started", f"{SESSIONS - len(start_errors)}/{SESSIONS} in {start_s:.2f} s", "all"),
            ("answers sent", str(len(sent)), f"{SESSIONS * ROUNDS}"),
            ("answers stored", str(len(rows)), "= sent"),
            ("lost", str(lost), "0"),
            ("double-graded", str(double), "0"),
            ("errors", ", ".join(f"{k}: {v}" for k, v in errors.items()) or "none", "none"),
            ("summaries", f"{summaries}/{SESSIONS}", "all"),
            ("answer p50", f"{p50:.1f} ms", ""),
            ("answer p99", f"{p99:.1f} ms", f"<= {TARGET_P99_MS:.0f} ms"),
            ("answer max", f"{max(latencies):.1f} ms", ""),
            ("wave wall", ", ".join(f"{w:.2f} s" for w in wave_s), ""),
            ("throughput", f"{len(sent) / answer_s:.0f} answers/s", ""),
        ]
    )
    return {
        "bench": "interview_load",
        "sessions": SESSIONS - len(start_errors),
        "answers": len(sent),
        "lost": lost,
        "double_graded": double,
        "p99_ms": round(p99, 1),
    }


def run() -> dict[str, object]:
    """Run the load and return ``{"bench": "interview_load", "sessions", "answers", "lost",
    "double_graded", "p99_ms"}``."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'load.sqlite3'}"
        return asyncio.run(_load(url, Path(tmp)))


if __name__ == "__main__":
    print(run())
