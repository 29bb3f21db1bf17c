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
import sqlite3
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from pydantic_settings import SettingsConfigDict
from sqlalchemy import select

from benchmarks.common import median, percentile, table
from bot.app.service import Service
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.models import Caller, Concept, Reply, ReplyKind
from bot.db.tables import AnswerRow

SESSIONS: Final = 500
ROUNDS: Final = 3
SEED: Final = 20_240_301
CHANNELS: Final = 50  # people share channels, ten to a channel, each with their own interview
SERVICE_TIME_SESSIONS: Final = 40
# For comparison with the all-at-once waves: answers arriving one by one at a steady rate (500
# people each answering every 20 s), latency measured the same way.
PACED_PER_S: Final = 25.0
TARGET_P99_MS: Final = 100.0
TARGET_RATIO_VS_FLOOR: Final = 4.0
FLOOR_ANSWERS: Final = 500
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


async def _answer(
    service: Service, caller: Caller, text: str, latencies: list[float]
) -> list[Reply]:
    """One answer through the Service, its latency (queueing included) recorded."""
    start = time.perf_counter()
    try:
        return await service.interviews.answer(caller, text)
    finally:
        latencies.append((time.perf_counter() - start) * 1000)


def _key(reply: Reply) -> tuple[int, int]:
    """(interview id, question number) of a question reply."""
    return int(str(reply.extra["interview_id"])), int(str(reply.extra["question_seq"]))


async def _service_time(service: Service, rng: random.Random) -> list[float]:
    """Answers one at a time (nothing queued): what one answer costs on its own."""
    latencies: list[float] = []
    for number in range(SERVICE_TIME_SESSIONS):
        caller = Caller("bench", f"alone-{number}", "alone", workspace_id="bench")
        question = (await service.interviews.start(caller, None, ROUNDS))[-1]
        while question.kind is ReplyKind.QUESTION:
            concept = service.concept(int(str(question.extra["concept_id"])))
            question = (await _answer(service, caller, _answer_for(concept, rng), latencies))[-1]
    return latencies


@dataclass
class _Waves:
    """What the waves sent and got back."""

    sent: list[tuple[int, int]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    wave_s: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    summaries: int = 0


async def _waves(service: Service, current: dict[Caller, Reply], rng: random.Random) -> _Waves:
    """Every open interview answers its question at once, round after round."""
    out = _Waves()
    for _ in range(ROUNDS):
        wave = [(c, q) for c, q in current.items() if q.kind is ReplyKind.QUESTION]
        texts = [_answer_for(service.concept(_concept_id(q)), rng) for _, q in wave]
        out.sent.extend(_key(q) for _, q in wave)
        clock = time.perf_counter()
        results = await asyncio.gather(
            *(
                _answer(service, caller, text, out.latencies)
                for (caller, _), text in zip(wave, texts, strict=True)
            ),
            return_exceptions=True,
        )
        out.wave_s.append(time.perf_counter() - clock)
        for (caller, _), result in zip(wave, results, strict=True):
            if isinstance(result, BaseException):
                out.errors[type(result).__name__] += 1
                del current[caller]
            else:
                current[caller] = result[-1]
                out.summaries += result[-1].kind is ReplyKind.SUMMARY
    return out


async def _paced(service: Service, rng: random.Random) -> list[float]:
    """SESSIONS fresh one-question interviews answered at PACED_PER_S answers a second."""
    callers = [
        Caller("bench", f"paced-{n}", f"channel-{n % CHANNELS}", workspace_id="bench")
        for n in range(SESSIONS)
    ]
    started = await asyncio.gather(*(service.interviews.start(c, None, 1) for c in callers))
    latencies: list[float] = []

    async def answer_at(delay: float, caller: Caller, question: Reply) -> None:
        await asyncio.sleep(delay)
        text = _answer_for(service.concept(_concept_id(question)), rng)
        await _answer(service, caller, text, latencies)

    await asyncio.gather(
        *(
            answer_at(number / PACED_PER_S, caller, replies[-1])
            for number, (caller, replies) in enumerate(zip(callers, started, strict=True))
        )
    )
    return latencies


async def _load(url: str, data_dir: Path) -> dict[str, object]:
    # The answer path's own cost, graded by key points: the meaning signal's encoder (~10 ms a
    # 500-character answer, on a worker thread) is measured by the grade_quality benchmark.
    settings = _Isolated(
        database_url=url,
        data_dir=data_dir,
        knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
        grading_meaning=False,
    )
    service = await Service.start(settings)
    rng = random.Random(SEED)
    try:
        callers = [
            Caller("bench", f"user-{n}", f"channel-{n % CHANNELS}", workspace_id="bench")
            for n in range(SESSIONS)
        ]
        clock = time.perf_counter()
        started = await asyncio.gather(
            *(service.interviews.start(c, None, ROUNDS) for c in callers), return_exceptions=True
        )
        start_s = time.perf_counter() - clock
        current = {c: r[-1] for c, r in zip(callers, started, strict=True) if isinstance(r, list)}
        sessions = len(current)
        cpu = time.process_time()
        waves = await _waves(service, current, rng)
        cpu_ms = (time.process_time() - cpu) * 1000 / max(1, len(waves.sent))
        async with service.sessions() as session:
            query = select(AnswerRow.interview_id, AnswerRow.question_seq)
            rows = (await session.execute(query)).all()
        alone = await _service_time(service, rng)
        paced = await _paced(service, rng)
    finally:
        await service.close()
    stored = Counter((int(i or 0), int(s or 0)) for i, s in rows)
    lost = sum(1 for key in waves.sent if key not in stored)
    double = sum(count - 1 for count in stored.values() if count > 1)
    p99 = percentile(waves.latencies, 99)
    errors = ", ".join(f"{k}: {v}" for k, v in waves.errors.items()) or "none"
    table(
        [
            ("sessions started at once", f"{sessions}/{SESSIONS} in {start_s:.2f} s", "all"),
            ("answers sent", f"{len(waves.sent)} in {ROUNDS} waves of all", f"{SESSIONS * ROUNDS}"),
            ("answers stored", str(len(rows)), "= sent"),
            ("lost", str(lost), "0"),
            ("double-graded", str(double), "0"),
            ("errors", errors, "none"),
            ("summaries", f"{waves.summaries}/{SESSIONS}", "all"),
            ("answer p50 in a wave", f"{median(waves.latencies):.1f} ms", ""),
            ("answer p99 in a wave", f"{p99:.1f} ms", f"<= {TARGET_P99_MS:.0f} ms"),
            ("answer max in a wave", f"{max(waves.latencies):.1f} ms", ""),
            ("wave wall", ", ".join(f"{w:.2f} s" for w in waves.wave_s), ""),
            ("throughput", f"{len(waves.sent) / sum(waves.wave_s):.0f} answers/s", ""),
            ("process CPU per answer", f"{cpu_ms:.1f} ms", ""),
            (
                "one answer alone p50 / p99",
                f"{median(alone):.1f} / {percentile(alone, 99):.1f} ms",
                f"{len(alone)} answers, nothing queued",
            ),
            (
                f"paced at {PACED_PER_S:.0f}/s: p50 / p99",
                f"{median(paced):.1f} / {percentile(paced, 99):.1f} ms",
                f"{len(paced)} answers",
            ),
        ]
    )
    return {
        "bench": "interview_load",
        "sessions": sessions,
        "answers": len(waves.sent),
        "lost": lost,
        "double_graded": double,
        "p99_ms": round(p99, 1),
        "cpu_ms_per_answer": round(cpu_ms, 3),
    }


def sqlite_floor(path: Path, answers: int = FLOOR_ANSWERS) -> float:
    """CPU milliseconds per answer for the stdlib ``sqlite3`` doing an answer's database work
    on the same file with the bot's pragmas: a read transaction (the interview, the person's
    past scores), then one write transaction (the guarded UPDATE of the interview and the
    INSERT of an answer row shaped like the bot's). The floor the bot's answer path is held to.
    """
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):
            connection.execute(f"PRAGMA {pragma}")
        columns = [row[1] for row in connection.execute("PRAGMA table_info(answers)")]
        kept = [c for c in columns if c not in ("id", "question_seq")]
        template = connection.execute("SELECT max(id) FROM answers").fetchone()[0]
        people = connection.execute(
            "SELECT id, platform, user_id, channel_id FROM interviews ORDER BY id LIMIT ?",
            (answers,),
        ).fetchall()
        insert = (
            f"INSERT INTO answers ({', '.join(kept)}, question_seq) "
            f"SELECT {', '.join(kept)}, ? FROM answers WHERE id = ?"
        )
        start = time.process_time()
        for number, (interview, platform, user, channel) in enumerate(people, 1):
            connection.execute("BEGIN")
            connection.execute(
                "SELECT * FROM interviews WHERE platform = ? AND user_id = ? AND channel_id = ?"
                " ORDER BY id DESC LIMIT 1",
                (platform, user, channel),
            ).fetchone()
            connection.execute(
                "SELECT concept_id, score FROM answers WHERE user_id = ? ORDER BY id DESC",
                (user,),
            ).fetchall()
            connection.execute("COMMIT")
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "UPDATE interviews SET question_seq = question_seq, updated_at = updated_at"
                " WHERE id = ? AND question_seq = question_seq",
                (interview,),
            )
            connection.execute(insert, (-number, template))
            connection.execute("COMMIT")
        return (time.process_time() - start) * 1000 / max(1, len(people))
    finally:
        connection.close()


def _concept_id(reply: Reply) -> int:
    return int(str(reply.extra["concept_id"]))


def run() -> dict[str, object]:
    """Run the load and return ``{"bench": "interview_load", "sessions", "answers", "lost",
    "double_graded", "p99_ms", "cpu_ms_per_answer", "floor_cpu_ms_per_answer",
    "ratio_vs_floor"}`` (``p99_ms``: the burst p99; the floor: :func:`sqlite_floor`)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "load.sqlite3"
        result = asyncio.run(_load(f"sqlite+aiosqlite:///{path}", Path(tmp)))
        floor = sqlite_floor(path)
    cpu = float(str(result["cpu_ms_per_answer"]))
    ratio = cpu / floor
    table(
        [
            ("stdlib sqlite3 floor, CPU per answer", f"{floor:.2f} ms", "same transactions"),
            ("bot CPU per answer / floor", f"{ratio:.1f}x", f"<= {TARGET_RATIO_VS_FLOOR:g}x"),
        ]
    )
    return {
        **result,
        "floor_cpu_ms_per_answer": round(floor, 3),
        "ratio_vs_floor": round(ratio, 1),
    }


if __name__ == "__main__":
    print(run())
