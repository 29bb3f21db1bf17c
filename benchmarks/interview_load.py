"""500 mock interviews running at once through the Service: on one SQLite file in this
process, and on PostgreSQL in two processes sharing the database.

Every session starts (all at once), then answers its current question in waves: in each wave
all sessions answer concurrently (``asyncio.gather``), one wave per round; the first wave is the
cold one (first grades of each concept), the later ones the warm *burst*. Each answer's latency is
the time its ``Interviews.answer`` call took, queueing included. Afterwards the answers table is
counted against what was sent: an answer is lost when its (interview, question) has no row, and
double-graded when it has more than one.

Then *sustained* load: answers arriving one by one at a steady rate (each of 500 interviews
answering in turn), rate after rate; the figure is the highest rate whose p99 stays within
:data:`TARGET_P99_MS`. The floor, measured in the same run: the stdlib ``sqlite3`` (or asyncpg)
doing an answer's two transactions directly (:func:`sqlite_floor`, :func:`asyncpg_floor`).
The bot's process is settled after its start as the running bot's is (:meth:`Service.settle`).
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from pydantic_settings import SettingsConfigDict
from sqlalchemy import select

from benchmarks.common import median, percentile, table
from benchmarks.faults import Unavailable, database
from bot.app.service import Service
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.interview.rules import MAX_ROUNDS
from bot.core.models import Caller, Concept, Reply, ReplyKind
from bot.db.engine import make_engine
from bot.db.tables import AnswerRow

SESSIONS: Final = 500
ROUNDS: Final = 3
SEED: Final = 20_240_301
CHANNELS: Final = 50  # people share channels, ten to a channel, each with their own interview
SERVICE_TIME_SESSIONS: Final = 40
# Sustained load: answers one by one at each rate in turn (for SUSTAINED_S each), over
# SUSTAINED_SESSIONS interviews of MAX_ROUNDS questions answering in turn.
SUSTAINED_RATES: Final = (250, 500, 1_000, 1_500, 2_000, 3_000)
SUSTAINED_S: Final = 1.0
SUSTAINED_SESSIONS: Final = 500
TARGET_P99_MS: Final = 100.0
TARGET_BURST_P99_MS: Final = 150.0
TARGET_RATIO_VS_FLOOR: Final = 4.0
TARGET_RATIO_VS_PG_FLOOR: Final = 3.0
TARGET_SUSTAINED_PER_S: Final = 1_000
FLOOR_ANSWERS: Final = 500
PG_PROCESSES: Final = 2
# The two PostgreSQL processes start each phase together: the waves at the agreed moment, each
# sustained rate PHASE_GAP_S after the one before (time enough for the slowest).
START_DELAY_S: Final = 3.0
WAVES_BUDGET_S: Final = 20.0
PHASE_GAP_S: Final = 3.0
# Answers like people write them: a piece of the note, an English line, a shrug, a long ramble.
ENGLISH_LINES: Final = (
    "It is used to process data step by step and the model learns weights from examples.",
    "I think it is about splitting the work between servers so nothing gets overloaded.",
    "Not sure, something with probability and a test of the hypothesis.",
)


class _Isolated(Settings):
    """Settings that ignore a developer's .env file."""

    model_config = SettingsConfigDict(**{**Settings.model_config, "env_file": None})


def _settings(url: str, data_dir: Path) -> Settings:
    # The answer path's own cost, graded by key points: the meaning signal's encoder (~10 ms a
    # 500-character answer, on a worker thread) is measured by the grade_quality benchmark.
    return _Isolated(
        database_url=url,
        data_dir=data_dir,
        knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
        grading_meaning=False,
    )


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


def _concept_id(reply: Reply) -> int:
    return int(str(reply.extra["concept_id"]))


async def _service_time(service: Service, rng: random.Random, tag: str) -> list[float]:
    """Answers one at a time (nothing queued): what one answer costs on its own."""
    latencies: list[float] = []
    for number in range(SERVICE_TIME_SESSIONS):
        caller = Caller("bench", f"alone-{tag}-{number}", "alone", workspace_id="bench")
        question = (await service.interviews.start(caller, None, ROUNDS))[-1]
        while question.kind is ReplyKind.QUESTION:
            concept = service.concept(_concept_id(question))
            question = (await _answer(service, caller, _answer_for(concept, rng), latencies))[-1]
    return latencies


@dataclass
class _Waves:
    """What the waves sent and got back (latencies per wave; the first is the cold one)."""

    sent: list[tuple[int, int]] = field(default_factory=list)
    latencies: list[list[float]] = field(default_factory=list)
    wave_s: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    summaries: int = 0
    cpu_ms: float = 0.0  # all waves
    cold_cpu_ms: float = 0.0  # the first
    warm_cpu_ms: float = 0.0  # the others

    @property
    def warm(self) -> list[float]:
        """The latencies of the warm waves (all but the first)."""
        return [ms for wave in self.latencies[1:] for ms in wave]


async def _waves(service: Service, current: dict[Caller, Reply], rng: random.Random) -> _Waves:
    """Every open interview answers its question at once, round after round."""
    out = _Waves()
    cpu = time.process_time()
    for number in range(ROUNDS):
        if number == 1:  # the warm waves' CPU on its own (the steady state)
            out.cold_cpu_ms = (time.process_time() - cpu) * 1000 / max(1, len(out.sent))
            cold_sent, warm_cpu = len(out.sent), time.process_time()
        wave = [(c, q) for c, q in current.items() if q.kind is ReplyKind.QUESTION]
        texts = [_answer_for(service.concept(_concept_id(q)), rng) for _, q in wave]
        out.sent.extend(_key(q) for _, q in wave)
        latencies: list[float] = []
        clock = time.perf_counter()
        results = await asyncio.gather(
            *(
                _answer(service, caller, text, latencies)
                for (caller, _), text in zip(wave, texts, strict=True)
            ),
            return_exceptions=True,
        )
        out.wave_s.append(time.perf_counter() - clock)
        out.latencies.append(latencies)
        for (caller, _), result in zip(wave, results, strict=True):
            if isinstance(result, BaseException):
                out.errors[type(result).__name__] += 1
                del current[caller]
            else:
                current[caller] = result[-1]
                out.summaries += result[-1].kind is ReplyKind.SUMMARY
    out.cpu_ms = (time.process_time() - cpu) * 1000 / max(1, len(out.sent))
    if ROUNDS > 1:
        warm_answers = max(1, len(out.sent) - cold_sent)
        out.warm_cpu_ms = (time.process_time() - warm_cpu) * 1000 / warm_answers
    return out


async def _start_all(service: Service, callers: list[Caller], rounds: int) -> dict[Caller, Reply]:
    started = await asyncio.gather(
        *(service.interviews.start(c, None, rounds) for c in callers), return_exceptions=True
    )
    return {c: r[-1] for c, r in zip(callers, started, strict=True) if isinstance(r, list)}


async def _sustained_rate(
    service: Service,
    current: dict[Caller, Reply],
    rate: float,
    rng: random.Random,
    start_at: float | None = None,
) -> list[float]:
    """Answers arriving one by one at ``rate`` a second for :data:`SUSTAINED_S` (from
    ``start_at``, a ``time.time()``, when given), the interviews answering in turn; each
    latency runs from the moment the answer was due (an interview still waiting for its
    previous reply makes the next one late, and that counts)."""
    callers = [c for c, q in current.items() if q.kind is ReplyKind.QUESTION]
    locks = {c: asyncio.Lock() for c in callers}
    latencies: list[float] = []
    if start_at is not None:
        await asyncio.sleep(max(0.0, start_at - time.time()))

    async def one(caller: Caller, due: float) -> None:
        async with locks[caller]:
            question = current[caller]
            if question.kind is not ReplyKind.QUESTION:
                return
            text = _answer_for(service.concept(_concept_id(question)), rng)
            try:
                replies = await service.interviews.answer(caller, text)
            except Exception:  # counted as an answer that took forever
                latencies.append(float("inf"))
                return
            current[caller] = replies[-1]
            latencies.append((time.perf_counter() - due) * 1000)

    count = int(rate * SUSTAINED_S)
    begin = time.perf_counter()
    tasks = []
    for number in range(count):
        due = begin + number / rate
        delay = due - time.perf_counter()
        if delay > 0.001:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(callers[number % len(callers)], due)))
    await asyncio.gather(*tasks)
    return latencies


def _best_sustained(by_rate: dict[float, list[float]]) -> float:
    """The highest rate whose p99 stayed within the target (0 when none did)."""
    held = [rate for rate, ms in by_rate.items() if ms and percentile(ms, 99) <= TARGET_P99_MS]
    return max(held, default=0.0)


async def _counts(service: Service, sent: list[tuple[int, int]]) -> tuple[int, int, int]:
    """(stored, lost, double-graded) of the answers ``sent``."""
    async with service.sessions() as session:
        query = select(AnswerRow.interview_id, AnswerRow.question_seq)
        rows = (await session.execute(query)).all()
    stored = Counter((int(i or 0), int(s or 0)) for i, s in rows)
    lost = sum(1 for key in sent if key not in stored)
    double = sum(count - 1 for count in stored.values() if count > 1)
    return len(rows), lost, double


async def _load(url: str, data_dir: Path, sqlite_path: Path | None) -> dict[str, object]:
    service = await Service.start(_settings(url, data_dir))
    service.settle()
    rng = random.Random(SEED)
    try:
        callers = [
            Caller("bench", f"user-{n}", f"channel-{n % CHANNELS}", workspace_id="bench")
            for n in range(SESSIONS)
        ]
        clock = time.perf_counter()
        current = await _start_all(service, callers, ROUNDS)
        start_s = time.perf_counter() - clock
        sessions = len(current)
        waves = await _waves(service, current, rng)
        stored, lost, double = await _counts(service, waves.sent)
        floor = await asyncio.to_thread(sqlite_floor, sqlite_path) if sqlite_path else 0.0
        alone = await _service_time(service, rng, "one")
        paced = {
            Caller("bench", f"paced-{n}", f"channel-{n % CHANNELS}", workspace_id="bench"): None
            for n in range(SUSTAINED_SESSIONS)
        }
        running = await _start_all(service, list(paced), MAX_ROUNDS)
        by_rate = {
            rate: await _sustained_rate(service, running, rate, rng) for rate in SUSTAINED_RATES
        }
    finally:
        await service.close()
    warm = waves.warm
    errors = ", ".join(f"{k}: {v}" for k, v in waves.errors.items()) or "none"
    sustained = _best_sustained(by_rate)
    table(
        [
            ("sessions started at once", f"{sessions}/{SESSIONS} in {start_s:.2f} s", "all"),
            ("answers sent", f"{len(waves.sent)} in {ROUNDS} waves of all", f"{SESSIONS * ROUNDS}"),
            ("answers stored", str(stored), "= sent"),
            ("lost", str(lost), "0"),
            ("double-graded", str(double), "0"),
            ("errors", errors, "none"),
            ("summaries", f"{waves.summaries}/{SESSIONS}", "all"),
            ("cold wave p50 / p99", _p50_p99(waves.latencies[0]), "first grades"),
            ("warm burst p50 / p99", _p50_p99(warm), f"p99 <= {TARGET_BURST_P99_MS:.0f} ms"),
            ("wave wall", ", ".join(f"{w:.2f} s" for w in waves.wave_s), ""),
            ("process CPU per answer, warm waves", f"{waves.warm_cpu_ms:.2f} ms", "steady"),
            ("process CPU per answer, cold wave", f"{waves.cold_cpu_ms:.2f} ms", "first grades"),
            ("one answer alone p50 / p99", _p50_p99(alone), f"{len(alone)} answers"),
            *_rate_rows(by_rate),
            (
                "sustained at p99 <= 100 ms",
                f"{sustained:,.0f} answers/s",
                f">= {TARGET_SUSTAINED_PER_S:,}/s",
            ),
        ]
    )
    return {
        "sessions": sessions,
        "answers": len(waves.sent),
        "lost": lost,
        "double_graded": double,
        "p99_ms": round(percentile(warm, 99), 1),
        "p50_ms": round(median(warm), 1),
        "cold_p99_ms": round(percentile(waves.latencies[0], 99), 1),
        "cpu_ms_per_answer": round(waves.warm_cpu_ms, 3),
        "cold_cpu_ms_per_answer": round(waves.cold_cpu_ms, 3),
        "floor_cpu_ms_per_answer": round(floor, 3),
        "sustained_answers_per_s": sustained,
    }


def _p50_p99(latencies: list[float]) -> str:
    return f"{median(latencies):.1f} / {percentile(latencies, 99):.1f} ms"


def _rate_rows(by_rate: dict[float, list[float]]) -> list[tuple[str, str, str]]:
    return [
        (f"paced at {rate:,.0f}/s: p50 / p99", _p50_p99(ms), f"{len(ms)} answers")
        for rate, ms in by_rate.items()
        if ms
    ]


# --- PostgreSQL, two processes ----------------------------------------------------------------


async def _pg_worker(url: str, data_dir: Path, index: int, start_at: float) -> dict[str, object]:
    """One of the PostgreSQL processes: its share of the sessions through the same waves, then
    its share of each sustained rate, each phase starting at the agreed moment."""
    service = await Service.start(_settings(url, data_dir), auto_ingest=False)
    service.settle()
    rng = random.Random(SEED + index)
    share = SESSIONS // PG_PROCESSES
    try:
        callers = [
            Caller("bench", f"pg{index}-{n}", f"channel-{n % CHANNELS}", workspace_id="bench")
            for n in range(share)
        ]
        current = await _start_all(service, callers, ROUNDS)
        paced = [
            Caller("bench", f"pg{index}-paced-{n}", f"channel-{n % CHANNELS}", workspace_id="bench")
            for n in range(SUSTAINED_SESSIONS // PG_PROCESSES)
        ]
        running = await _start_all(service, paced, MAX_ROUNDS)
        await asyncio.sleep(max(0.0, start_at - time.time()))
        waves = await _waves(service, current, rng)
        late = time.time() > start_at + WAVES_BUDGET_S
        by_rate: dict[str, list[float]] = {}
        for number, rate in enumerate(SUSTAINED_RATES):
            phase = start_at + WAVES_BUDGET_S + number * (SUSTAINED_S + PHASE_GAP_S)
            latencies = await _sustained_rate(
                service, running, rate / PG_PROCESSES, rng, start_at=phase
            )
            by_rate[str(rate)] = latencies
    finally:
        await service.close()
    return {
        "sent": waves.sent,
        "latencies": waves.latencies,
        "cpu_ms": waves.warm_cpu_ms,
        "errors": dict(waves.errors),
        "by_rate": by_rate,
        "late": late,
    }


def _pg_load(url: str, data_dir: Path) -> dict[str, object]:
    """Two processes on one PostgreSQL database (the notes ingested once first)."""

    async def prepare() -> None:
        service = await Service.start(_settings(url, data_dir))
        await service.close()

    asyncio.run(prepare())
    start_at = time.time() + START_DELAY_S + 8.0  # the workers' own start and interviews
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.interview_load",
                "--pg-worker",
                url,
                str(n),
                str(start_at),
            ],
            stdout=subprocess.PIPE,
            cwd=Path(__file__).resolve().parents[1],
        )
        for n in range(PG_PROCESSES)
    ]
    results = []
    for worker in workers:
        out, _ = worker.communicate()
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    sent = [tuple(key) for r in results for key in r["sent"]]
    cold = [ms for r in results for ms in r["latencies"][0]]
    warm = [ms for r in results for wave in r["latencies"][1:] for ms in wave]
    cpu = sum(float(r["cpu_ms"]) for r in results) / len(results)
    by_rate = {
        float(rate): [ms for r in results for ms in r["by_rate"][str(rate)]]
        for rate in SUSTAINED_RATES
    }

    async def counts() -> tuple[int, int, int]:
        engine = make_engine(url)
        try:
            async with engine.connect() as connection:
                query = select(AnswerRow.interview_id, AnswerRow.question_seq)
                rows = (await connection.execute(query)).all()
        finally:
            await engine.dispose()
        stored = Counter((int(i or 0), int(s or 0)) for i, s in rows)
        lost = sum(1 for key in sent if key not in stored)
        double = sum(count - 1 for count in stored.values() if count > 1)
        return len(rows), lost, double

    stored, lost, double = asyncio.run(counts())
    floor = asyncio.run(asyncpg_floor(url))
    sustained = _best_sustained(by_rate)
    late = any(r["late"] for r in results)
    table(
        [
            ("PostgreSQL processes", str(PG_PROCESSES), "one database"),
            ("answers sent in the waves", str(len(sent)), f"{SESSIONS * ROUNDS}"),
            ("answers stored, all phases", str(stored), ""),
            ("lost / double-graded", f"{lost} / {double}", "0 / 0"),
            ("cold wave p50 / p99", _p50_p99(cold), "first grades"),
            ("warm burst p50 / p99", _p50_p99(warm), "both processes at once"),
            ("process CPU per answer, warm", f"{cpu:.2f} ms", "mean of the processes"),
            ("asyncpg floor, CPU per answer", f"{floor:.2f} ms", "same transactions"),
            (
                "bot CPU per answer / floor",
                f"{cpu / floor:.1f}x",
                f"<= {TARGET_RATIO_VS_PG_FLOOR:g}x",
            ),
            *_rate_rows(by_rate),
            ("sustained at p99 <= 100 ms", f"{sustained:,.0f} answers/s", "both processes"),
            ("waves within their budget", "no" if late else "yes", "yes"),
        ]
    )
    return {
        "pg_processes": PG_PROCESSES,
        "pg_answers": len(sent),
        "pg_lost": lost,
        "pg_double_graded": double,
        "pg_p99_ms": round(percentile(warm, 99), 1),
        "pg_cpu_ms_per_answer": round(cpu, 3),
        "pg_floor_cpu_ms_per_answer": round(floor, 3),
        "pg_ratio_vs_floor": round(cpu / floor, 1),
        "pg_sustained_answers_per_s": sustained,
    }


async def asyncpg_floor(url: str, answers: int = FLOOR_ANSWERS) -> float:
    """CPU milliseconds per answer for asyncpg doing an answer's database work directly on the
    same database: a read transaction (the interview, the person's past scores), then one write
    transaction (the guarded UPDATE of the interview and the INSERT of an answer row shaped
    like the bot's). The floor the bot's answer path on PostgreSQL is held to."""
    import asyncpg  # type: ignore[import-untyped]

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        columns = [
            r["column_name"]
            for r in await connection.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'answers'"
            )
        ]
        kept = [c for c in columns if c not in ("id", "question_seq")]
        template = await connection.fetchval("SELECT max(id) FROM answers")
        people = await connection.fetch(
            "SELECT id, platform, workspace_id, user_id, channel_id FROM interviews"
            " ORDER BY id LIMIT $1",
            answers,
        )
        insert = (
            f"INSERT INTO answers ({', '.join(kept)}, question_seq) "
            f"SELECT {', '.join(kept)}, $1 FROM answers WHERE id = $2"
        )
        start = time.process_time()
        for number, (interview, platform, workspace, user, channel) in enumerate(people, 1):
            async with connection.transaction():
                await connection.fetchrow(
                    "SELECT * FROM interviews WHERE platform = $1 AND user_id = $2"
                    " AND channel_id = $3 ORDER BY id DESC LIMIT 1",
                    platform,
                    user,
                    channel,
                )
                await connection.fetch(
                    "SELECT concept_id, score FROM answers"
                    " WHERE platform = $1 AND workspace_id = $2 AND user_id = $3",
                    platform,
                    workspace,
                    user,
                )
            async with connection.transaction():
                await connection.execute(
                    "UPDATE interviews SET question_seq = question_seq, updated_at = updated_at"
                    " WHERE id = $1 AND question_seq = question_seq",
                    interview,
                )
                await connection.execute(insert, -number, template)
        return (time.process_time() - start) * 1000 / max(1, len(people))
    finally:
        await connection.close()


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
            "SELECT id, platform, workspace_id, user_id, channel_id FROM interviews"
            " ORDER BY id LIMIT ?",
            (answers,),
        ).fetchall()
        insert = (
            f"INSERT INTO answers ({', '.join(kept)}, question_seq) "
            f"SELECT {', '.join(kept)}, ? FROM answers WHERE id = ?"
        )
        start = time.process_time()
        for number, (interview, platform, workspace, user, channel) in enumerate(people, 1):
            connection.execute("BEGIN")
            connection.execute(
                "SELECT * FROM interviews WHERE platform = ? AND user_id = ? AND channel_id = ?"
                " ORDER BY id DESC LIMIT 1",
                (platform, user, channel),
            ).fetchone()
            connection.execute(
                "SELECT concept_id, score FROM answers"
                " WHERE platform = ? AND workspace_id = ? AND user_id = ?",
                (platform, workspace, user),
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


def run() -> dict[str, object]:
    """Run the load and return ``{"bench": "interview_load", "sessions", "answers", "lost",
    "double_graded", "p99_ms", "cpu_ms_per_answer", "floor_cpu_ms_per_answer",
    "ratio_vs_floor", ...}`` (``p99_ms``: the warm burst p99 on SQLite; the floor:
    :func:`sqlite_floor`), then the same on PostgreSQL in two processes under ``pg_`` keys when a
    server is there (``TEST_DATABASE_URL``, else the local default)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "load.sqlite3"
        result = asyncio.run(_load(f"sqlite+aiosqlite:///{path}", Path(tmp), path))
    floor = float(str(result["floor_cpu_ms_per_answer"]))
    cpu = float(str(result["cpu_ms_per_answer"]))
    ratio = cpu / floor
    table(
        [
            ("stdlib sqlite3 floor, CPU per answer", f"{floor:.2f} ms", "same transactions"),
            ("bot CPU per answer / floor", f"{ratio:.1f}x", f"<= {TARGET_RATIO_VS_FLOOR:g}x"),
        ]
    )
    out: dict[str, object] = {
        "bench": "interview_load",
        **result,
        "ratio_vs_floor": round(ratio, 1),
    }
    with tempfile.TemporaryDirectory() as tmp:
        try:
            with database("postgresql", Path(tmp), "load") as url:
                out |= _pg_load(url, Path(tmp))
        except Unavailable as exc:
            print(f"PostgreSQL: skipped ({exc})")
            out["pg_skipped"] = str(exc)
    return out


def _worker_main(url: str, index: int, start_at: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(_pg_worker(url, Path(tmp), index, start_at))
    print(json.dumps(result))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--pg-worker":
        _worker_main(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    else:
        print(run())
