"""Kill -9 loops: crash a worker process at random moments, restart it, then audit the database.

Three loops, each on SQLite and on PostgreSQL (a fresh database per loop, created and dropped
here; server from ``TEST_DATABASE_URL`` or the local default; skipped with a note when
unreachable). Every worker is its own OS process (``python -m benchmarks.faults worker-...``),
killed with SIGKILL at a random moment (seeded RNG) after it prints ``READY``; the next run
starts on the same database, as a restarted bot would.

1. **answers**: a Service; several callers (new user ids each run) start interviews and answer
   concurrently. After each ``answer`` call returns (what the person saw) the worker appends
   ``{interview, seq}`` to an acknowledgement log and fsyncs it. Afterwards: *lost* = an
   acknowledged (interview, question) without a stored answer, *duplicated* = one stored twice.
2. **daily**: a ``DailyRunner`` posting 200 channels' questions through :class:`FileNotifier`, a
   platform backed by an append-only JSONL file (each accepted post fsynced before ``post``
   returns, searchable by ``find_post``). A :class:`FakeClock` moves one day per tick, so there is
   always work; each restart starts ``claim_ttl`` + 1 minute after the last tick began, so the
   killed run's claims have expired and are recovered. After the last kill one clean worker runs
   to completion. *acknowledged* = questions on the platform, *stored* = POSTED rows,
   *duplicated* = an occurrence posted more than once, *lost* = an occurrence due on a day a
   worker ticked that is neither on the platform nor recorded skipped/failed.
3. **ingest**: a synthetic notes folder (a few thousand concepts) ingested with the key-point
   tokenizer in its own child process, killed mid-ingest; a few notes change between runs. A final
   clean ingest must leave exactly the concepts a fresh ingest of the folder into an empty
   database stores; duplicated = the same (file, line) stored twice; SQLite's
   ``PRAGMA integrity_check`` must say ``ok``.

*Orphaned*: the worker's descendants (the tokenizer child) recorded just before each kill, still
alive 2 s after it (they should die with the worker through ``PR_SET_PDEATHSIG``).

Knobs: ``FAULTS_RUNS`` (kills per loop and backend, default 8), ``FAULTS_CALLERS`` (8),
``FAULTS_CHANNELS`` (200), ``FAULTS_CONCEPTS`` (2,000), ``FAULTS_SEED``, ``FAULTS_ORPHAN_WAIT``
(seconds, 2), ``FAULTS_LOOPS`` (comma list of answers,daily,ingest), ``FAULTS_BACKENDS``
(sqlite,postgresql).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import select as io_select
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final, TypeVar

from pydantic_settings import SettingsConfigDict
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from benchmarks.common import children, korean_word, table, write_synthetic_notes
from benchmarks.daily_fanout import seed_schedules
from bot.app.ingest import STAGE_SAVING, IngestProgress, ingest
from bot.app.service import Service
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.models import Caller, Reply, ReplyKind
from bot.core.ports import Clock, Posted, Target
from bot.db import daily as repo
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.db.tables import AnswerRow, ConceptRow, DailyPostRow, DailyScheduleRow, NoteFile
from bot.testing import FakeClock

PROJECT_ROOT: Final = Path(__file__).resolve().parents[1]
PG_DEFAULT_URL: Final = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
PG_CONNECT_TIMEOUT_S: Final = 5
PLATFORM: Final = "faults"
WORKSPACE: Final = "faults-ws"
KILL_WINDOW_S: Final = (0.3, 2.0)
INGEST_KILL_WINDOW_S: Final = (0.3, 6.0)  # an ingest takes seconds: some kills hit the write
READY_TIMEOUT_S: Final = 120.0
CLEAN_TIMEOUT_S: Final = 600.0
ROUNDS: Final = 3
CLAIM_TTL: Final = timedelta(seconds=30)
# Friday 2024-03-01 09:00 in Seoul; the first tick is 30 s into that minute.
DUE: Final = datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
TICK_AT: Final = DUE + timedelta(seconds=30)
SET_AT: Final = DUE - timedelta(hours=1)
SEOUL_OFFSET: Final = timedelta(hours=9)
EDITED_FILES_PER_RUN: Final = 3
LOOPS: Final = ("answers", "daily", "ingest")
BACKENDS: Final = ("sqlite", "postgresql")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def _env_list(name: str, default: Sequence[str]) -> list[str]:
    value = os.environ.get(name, "").strip()
    return [part.strip() for part in value.split(",") if part.strip()] if value else list(default)


@dataclass
class Size:
    """How big each loop is (defaults from the ``FAULTS_*`` environment variables)."""

    runs: int = field(default_factory=lambda: _env_int("FAULTS_RUNS", 8))
    callers: int = field(default_factory=lambda: _env_int("FAULTS_CALLERS", 8))
    channels: int = field(default_factory=lambda: _env_int("FAULTS_CHANNELS", 200))
    concepts: int = field(default_factory=lambda: _env_int("FAULTS_CONCEPTS", 2_000))
    seed: int = field(default_factory=lambda: _env_int("FAULTS_SEED", 20_241_202))
    orphan_wait_s: float = field(default_factory=lambda: _env_float("FAULTS_ORPHAN_WAIT", 2.0))
    kill_window_s: tuple[float, float] = KILL_WINDOW_S
    ingest_kill_window_s: tuple[float, float] = INGEST_KILL_WINDOW_S
    tokenizer_process: bool = True  # answers/daily Service settings (the ingest loop always)


@dataclass
class LoopResult:
    """What one loop on one backend saw."""

    loop: str
    backend: str
    runs: int = 0
    kills: int = 0
    acknowledged: int = 0
    stored: int = 0
    lost: int = 0
    duplicated: int = 0
    orphaned: int = 0
    children_at_kill: int = 0
    worker_errors: int = 0
    details: dict[str, object] = field(default_factory=dict)
    note: str = ""

    def record(self, outcome: Kill) -> None:
        """Count one killed (or self-ended) run."""
        self.runs += 1
        self.kills += outcome.killed
        self.orphaned += outcome.orphans
        self.children_at_kill += outcome.below
        if not outcome.killed and outcome.returncode:  # the worker died by itself
            self.worker_errors += 1

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return {
            "loop": self.loop,
            "backend": self.backend,
            "runs": self.runs,
            "kills": self.kills,
            "acknowledged": self.acknowledged,
            "stored": self.stored,
            "lost": self.lost,
            "duplicated": self.duplicated,
            "orphaned": self.orphaned,
            "children_at_kill": self.children_at_kill,
            "worker_errors": self.worker_errors,
            **self.details,
            **({"note": self.note} if self.note else {}),
        }


# --- files written durably ------------------------------------------------------------------


def append_durably(path: Path, record: dict[str, object]) -> None:
    """Append one JSON line with a single ``write`` and fsync it before returning."""
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def read_records(path: Path) -> list[dict[str, Any]]:
    """The JSON lines of ``path`` (none when missing; a torn last line is ignored)."""
    if not path.exists():
        return []
    records = []
    for line in path.read_bytes().splitlines():
        with contextlib.suppress(ValueError):
            records.append(json.loads(line))
    return records


# --- the searchable fake platform -----------------------------------------------------------


class FileNotifier:
    """A platform (a :class:`bot.core.ports.Notifier`) whose accepted posts are lines of an
    append-only JSONL file: a post is written and fsynced before ``post`` returns, so a kill
    right after leaves it visible on the "platform" but unrecorded by the bot. ``find_post``
    searches that file like the real adapters search a channel (the marker in the footer)."""

    def __init__(
        self, path: Path, clock: Clock, *, platform: str = PLATFORM, runner: str = ""
    ) -> None:
        self.platform = platform
        self.path = path
        self.clock = clock
        self.runner = runner  # written with each post: which worker's runner sent it

    async def post(self, target: Target, reply: Reply, *, open_thread: str | None = None) -> Posted:
        """Accept ``reply`` into the target (durably), then return its ids."""
        message_id = f"m-{uuid.uuid4().hex[:16]}"
        thread_id = f"t-{message_id[2:]}" if open_thread else None
        post_id = reply.extra.get("daily_post_id")
        append_durably(
            self.path,
            {
                "workspace": target.workspace_id,
                "channel": target.channel_id,
                "thread": target.thread_id,
                "kind": reply.kind.value,
                "post_id": post_id if isinstance(post_id, int) else None,
                "footer": reply.footer,
                "message_id": message_id,
                "thread_id": thread_id,
                "at": self.clock.now().isoformat(),
                "runner": self.runner,
            },
        )
        return Posted(message_id, thread_id)

    async def find_post(self, target: Target, marker: str, *, since: datetime) -> Posted | None:
        """The newest top-level post in the target channel accepted at or after ``since`` whose
        footer carries ``marker``; None when there is none."""
        for record in reversed(read_records(self.path)):
            if datetime.fromisoformat(record["at"]) < since:
                continue
            if (
                (record["workspace"], record["channel"]) == (target.workspace_id, target.channel_id)
                and record["thread"] is None
                and marker in str(record["footer"])
            ):
                return Posted(str(record["message_id"]), record["thread_id"])
        return None


# --- settings, databases --------------------------------------------------------------------


class _Isolated(Settings):
    """Settings that ignore a developer's .env file."""

    model_config = SettingsConfigDict(**{**Settings.model_config, "env_file": None})


def _settings(url: str, data_dir: Path, **values: Any) -> Settings:
    values.setdefault("knowledge_paths", [DEFAULT_KNOWLEDGE_DIR])
    # Grading by key points: the loops prove durability under kill -9, and the meaning
    # signal's model load (~1 s on the first answer) would outlast the short kill windows.
    values.setdefault("grading_meaning", False)
    return _Isolated(database_url=url, data_dir=data_dir, locale="en", **values)


def pg_server() -> str:
    """The PostgreSQL server to create databases on."""
    server = os.environ.get("TEST_DATABASE_URL", "") or PG_DEFAULT_URL
    return server if server.startswith("postgresql") else PG_DEFAULT_URL


async def _pg_admin(server_url: str, statement: str) -> None:
    import asyncpg

    dsn = server_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn, timeout=PG_CONNECT_TIMEOUT_S)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


class Unavailable(Exception):
    """The backend cannot be used here (PostgreSQL unreachable)."""


@contextlib.contextmanager
def database(backend: str, folder: Path, name: str) -> Iterator[str]:
    """A fresh database URL for one loop: a SQLite file in ``folder``, or a PostgreSQL database
    created now and dropped afterwards (:class:`Unavailable` when the server cannot be used)."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / f'{name}.sqlite3'}"
        return
    server = pg_server()
    db_name = f"ib_faults_{name}_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_pg_admin(server, f'CREATE DATABASE "{db_name}"'))
    except (OSError, TimeoutError, ImportError) as exc:
        raise Unavailable(f"{server} unreachable ({exc})") from exc
    except Exception as exc:  # asyncpg's own errors (authentication, permissions ...)
        raise Unavailable(f"{type(exc).__name__}: {exc}") from exc
    base, _, _ = server.rpartition("/")
    try:
        yield f"{base}/{db_name}"
    finally:
        asyncio.run(_pg_admin(server, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))


# --- processes ------------------------------------------------------------------------------


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, their children, ...)."""
    found: list[int] = []
    frontier = [pid]
    while frontier:
        below = children(frontier.pop())
        found.extend(below)
        frontier.extend(below)
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not count)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


@dataclass
class Worker:
    """A worker process started by :func:`spawn`."""

    process: subprocess.Popen[bytes]
    log: Path

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Wait for the worker's ``READY`` line; RuntimeError (with its stderr) if it dies."""
        stdout = self.process.stdout
        assert stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            readable, _, _ = io_select.select([stdout], [], [], 0.2)
            if readable:
                line = stdout.readline()
                if line.strip() == b"READY":
                    return
                if not line:
                    break
        self.process.kill()
        self.process.wait()
        raise RuntimeError(f"worker did not get ready: {self.tail()}")

    def tail(self, lines: int = 15) -> str:
        """The end of the worker's stderr."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def spawn(mode: str, args: Sequence[str], log: Path) -> Worker:
    """Start ``python -m benchmarks.faults MODE ARGS...`` (stderr appended to ``log``)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if part
    )
    with log.open("ab") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.faults", mode, *args],
            stdout=subprocess.PIPE,
            stderr=err,
            cwd=PROJECT_ROOT,
            env=env,
        )
    return Worker(process, log)


@dataclass
class Kill:
    """One run's end: killed or not, and the descendants left alive."""

    killed: bool
    orphans: int
    returncode: int | None
    below: int = 0


def kill_after(worker: Worker, delay: float, orphan_wait_s: float) -> Kill:
    """Wait ``delay`` seconds after READY, SIGKILL the worker (unless it ended by itself),
    reap it, wait ``orphan_wait_s`` and count its recorded descendants still alive (then end
    those, so they do not disturb the next run)."""
    process = worker.process
    worker.wait_ready()
    try:
        process.wait(timeout=delay)
        return Kill(False, 0, process.returncode)
    except subprocess.TimeoutExpired:
        pass
    below = descendants(process.pid)
    with contextlib.suppress(ProcessLookupError):
        os.kill(process.pid, signal.SIGKILL)
    process.wait()
    if process.stdout is not None:
        process.stdout.close()
    time.sleep(orphan_wait_s)
    left = [pid for pid in below if alive(pid)]
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return Kill(True, len(left), process.returncode, len(below))


def run_clean(worker: Worker, timeout: float = CLEAN_TIMEOUT_S) -> list[str]:
    """Let a worker run to its end; its stdout lines after READY. RuntimeError if it fails."""
    worker.wait_ready()
    out, _ = worker.process.communicate(timeout=timeout)
    if worker.process.returncode != 0:
        raise RuntimeError(f"clean worker failed ({worker.process.returncode}): {worker.tail()}")
    return out.decode().splitlines()


def _errors_in(log: Path) -> int:
    try:
        return log.read_text(errors="replace").count("WORKER-ERROR")
    except OSError:
        return 0


def _ready() -> None:
    print("READY", flush=True)


def _worker_error(where: str, exc: BaseException) -> None:
    print(f"WORKER-ERROR {where}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)


# --- preparing a database -------------------------------------------------------------------


async def _prepare(url: str, data_dir: Path, channels: int, tokenizer_process: bool) -> None:
    """Migrate, ingest the shipped notes, seed ``channels`` daily schedules."""
    settings = _settings(url, data_dir, tokenizer_process=tokenizer_process)
    service = await Service.start(settings, clock=FakeClock(SET_AT))
    try:
        if channels:
            await seed_schedules(
                service, channels, platform=PLATFORM, workspace=WORKSPACE, now=SET_AT
            )
    finally:
        await service.close()


T = TypeVar("T")


async def _with_engine(url: str, query: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return await query(conn)
    finally:
        await engine.dispose()


# --- loop 1: interview answers --------------------------------------------------------------


def _answer_text(service: Service, question: Reply, rng: random.Random) -> str:
    concept = service.concept_or_none(int(str(question.extra["concept_id"])))
    if concept is None or rng.random() < 0.2:
        return "잘 모르겠어요"
    words = concept.definition.split()
    return " ".join(words[: rng.randint(3, max(3, len(words)))])


async def _answer_forever(
    service: Service, caller: Caller, ack: Path, rng: random.Random, limit: int | None
) -> None:
    """Start interviews for ``caller`` and answer them, one after another, acknowledging every
    graded answer once ``answer`` has returned."""
    answered = 0
    question: Reply | None = None
    while limit is None or answered < limit:
        try:
            if question is None or question.kind is not ReplyKind.QUESTION:
                question = (await service.interviews.start(caller, None, ROUNDS))[-1]
                continue
            interview, seq = (
                int(str(question.extra["interview_id"])),
                int(str(question.extra["question_seq"])),
            )
            replies = await service.interviews.answer(caller, _answer_text(service, question, rng))
            if replies[0].kind is ReplyKind.GRADE:
                append_durably(ack, {"interview": interview, "seq": seq, "user": caller.user_id})
                answered += 1
            question = replies[-1]
        except Exception as exc:  # recorded; the person would try again
            _worker_error(f"answer {caller.user_id}", exc)
            await asyncio.sleep(0.05)
            try:
                resumed = await service.interviews.resume(caller)
                question = resumed[-1] if resumed else None
            except Exception as again:
                _worker_error(f"resume {caller.user_id}", again)
                question = None


async def answers_worker(
    url: str, data_dir: Path, ack: Path, run_no: int, callers: int, tokenizer: bool, limit: int
) -> None:
    """Worker mode ``worker-answers``: ``callers`` people answer interviews concurrently."""
    service = await Service.start(_settings(url, data_dir, tokenizer_process=tokenizer))
    rng = random.Random(run_no)
    people = [
        Caller(PLATFORM, f"run{run_no}-user{n}", f"channel-{n % 4}", workspace_id=WORKSPACE)
        for n in range(callers)
    ]
    _ready()
    try:
        await asyncio.gather(
            *(
                _answer_forever(service, person, ack, random.Random(rng.random()), limit or None)
                for person in people
            )
        )
    finally:
        await service.close()


async def _stored_answers(url: str) -> list[tuple[int, int]]:
    async def query(conn: AsyncConnection) -> list[tuple[int, int]]:
        rows = await conn.execute(
            select(AnswerRow.interview_id, AnswerRow.question_seq).where(
                AnswerRow.interview_id.is_not(None)
            )
        )
        return [(int(i or 0), int(s or 0)) for i, s in rows.all()]

    return await _with_engine(url, query)


def answers_loop(backend: str, url: str, folder: Path, size: Size) -> LoopResult:
    """Kill a worker answering interviews ``size.runs`` times; compare acks with the answers."""
    result = LoopResult("answers", backend)
    rng = random.Random(f"{size.seed}-answers-{backend}")
    data_dir = folder / "data"
    ack, log = folder / "acks.jsonl", folder / "answers-worker.log"
    asyncio.run(_prepare(url, data_dir, 0, size.tokenizer_process))
    tokenizer = str(int(size.tokenizer_process))
    for run_no in range(size.runs):
        worker = spawn(
            "worker-answers",
            [url, str(data_dir), str(ack), str(run_no), str(size.callers), tokenizer, "0"],
            log,
        )
        outcome = kill_after(worker, rng.uniform(*size.kill_window_s), size.orphan_wait_s)
        result.record(outcome)
    acked = [(int(r["interview"]), int(r["seq"])) for r in read_records(ack)]
    stored = Counter(asyncio.run(_stored_answers(url)))
    result.acknowledged = len(acked)
    result.stored = sum(stored.values())
    result.lost = sum(1 for key in acked if key not in stored)
    result.duplicated = sum(n - 1 for n in stored.values() if n > 1) + sum(
        n - 1 for n in Counter(acked).values() if n > 1
    )
    result.worker_errors += _errors_in(log)
    result.details["stored_not_acked"] = len(set(stored) - set(acked))
    return result


# --- loop 2: daily posts --------------------------------------------------------------------


async def daily_worker(
    url: str, data_dir: Path, posts: Path, ticks: Path, start: datetime, label: str, clean: bool
) -> None:
    """Worker mode ``worker-daily``: tick a DailyRunner from ``start`` on, one (fake) day per
    tick; ``clean``: tick twice at ``start`` and end (prints the second tick's posts)."""
    clock = FakeClock(start)
    settings = _settings(url, data_dir, auto_ingest=False)
    service = await Service.start(settings, clock=clock)
    notifier = FileNotifier(posts, clock, runner=f"run-{label}")
    runner = service.daily_runner(notifier, runner_id=notifier.runner, claim_ttl=CLAIM_TTL)
    _ready()
    try:
        for tick_no in range(2 if clean else 10_000):
            append_durably(ticks, {"at": clock.now().isoformat(), "run": label})
            posted = await runner.tick()
            if clean and tick_no == 1:
                print(f"SECOND-TICK {posted}", flush=True)
            if not clean:
                clock.advance(timedelta(days=1))
    finally:
        await service.close()


@dataclass(frozen=True)
class _Occurrence:
    post_id: int
    schedule_id: int
    channel: str
    local_date: date | None
    status: str
    attempts: int
    claimed_by: str


async def _occurrences(url: str) -> tuple[list[_Occurrence], dict[str, int]]:
    async def query(conn: AsyncConnection) -> tuple[list[_Occurrence], dict[str, int]]:
        rows = await conn.execute(
            select(
                DailyPostRow.id,
                DailyPostRow.schedule_id,
                DailyScheduleRow.channel_id,
                DailyPostRow.local_date,
                DailyPostRow.status,
                DailyPostRow.attempts,
                DailyPostRow.claimed_by,
            ).join(DailyScheduleRow, DailyScheduleRow.id == DailyPostRow.schedule_id)
        )
        schedules = await conn.execute(select(DailyScheduleRow.channel_id, DailyScheduleRow.id))
        return [_Occurrence(*row) for row in rows.all()], dict(schedules.all())

    return await _with_engine(url, query)


def daily_loop(backend: str, url: str, folder: Path, size: Size) -> LoopResult:
    """Kill a ticking daily runner ``size.runs`` times, run a clean one, audit the posts."""
    result = LoopResult("daily", backend)
    rng = random.Random(f"{size.seed}-daily-{backend}")
    data_dir = folder / "data"
    posts, ticks, log = folder / "platform.jsonl", folder / "ticks.jsonl", folder / "daily.log"
    asyncio.run(_prepare(url, data_dir, size.channels, size.tokenizer_process))

    def next_start() -> datetime:
        done = read_records(ticks)
        if not done:
            return TICK_AT
        return datetime.fromisoformat(done[-1]["at"]) + CLAIM_TTL + timedelta(minutes=1)

    for run_no in range(size.runs):
        args = [url, str(data_dir), str(posts), str(ticks), next_start().isoformat(), str(run_no)]
        worker = spawn("worker-daily", [*args, "0"], log)
        outcome = kill_after(worker, rng.uniform(*size.kill_window_s), size.orphan_wait_s)
        result.record(outcome)
    args = [url, str(data_dir), str(posts), str(ticks), next_start().isoformat(), "clean"]
    out = run_clean(spawn("worker-daily", [*args, "1"], log))
    result.runs += 1
    second = next((int(line.split()[1]) for line in out if line.startswith("SECOND-TICK")), -1)

    records = read_records(posts)
    questions = [r for r in records if r["thread"] is None and r["post_id"] is not None]
    reveals = Counter(r["post_id"] for r in records if r["thread"] is not None and r["post_id"])
    on_platform = Counter(int(r["post_id"]) for r in questions)
    senders = {int(r["post_id"]): str(r["runner"]) for r in questions}
    occurrences, schedules = asyncio.run(_occurrences(url))
    by_id = {o.post_id: o for o in occurrences}
    per_occurrence = Counter(
        (by_id[p].schedule_id, by_id[p].local_date) for p in on_platform.elements() if p in by_id
    )
    tick_dates = {
        (datetime.fromisoformat(r["at"]) + SEOUL_OFFSET).date() for r in read_records(ticks)
    }
    settled = {
        (o.schedule_id, o.local_date)
        for o in occurrences
        if o.status in (repo.SKIPPED, repo.FAILED)
    }
    expected = {(sid, day) for sid in schedules.values() for day in tick_dates}
    statuses = Counter(o.status for o in occurrences)
    reclaimed = [o for o in occurrences if o.attempts > 1]  # a claim taken over after a kill
    result.acknowledged = len(questions)
    result.stored = statuses[repo.POSTED]
    result.duplicated = sum(n - 1 for n in per_occurrence.values() if n > 1)
    result.lost = sum(1 for key in expected if key not in per_occurrence and key not in settled)
    result.worker_errors += _errors_in(log)
    result.details.update(
        {
            "occurrences_due": len(expected),
            "days": len(tick_dates),
            "skipped": statuses[repo.SKIPPED],
            "failed": statuses[repo.FAILED],
            "stuck_claims": statuses[repo.CLAIMED],
            "posted_not_on_platform": sum(
                1 for o in occurrences if o.status == repo.POSTED and o.post_id not in on_platform
            ),
            "on_platform_not_posted": sum(
                1 for p in on_platform if p in by_id and by_id[p].status != repo.POSTED
            ),
            "unknown_post_ids": sum(1 for p in on_platform if p not in by_id),
            "reveals_duplicated": sum(n - 1 for n in reveals.values() if n > 1),
            "reclaimed": len(reclaimed),
            "reclaimed_found_on_platform": sum(
                1 for o in reclaimed if o.post_id in senders and senders[o.post_id] != o.claimed_by
            ),
            "clean_second_tick_posts": second,
        }
    )
    return result


# --- loop 3: ingest -------------------------------------------------------------------------


async def ingest_worker(
    url: str, data_dir: Path, notes: Path, tokenizer: bool, stages: Path
) -> None:
    """Worker mode ``worker-ingest``: ingest ``notes`` once (tokenizer in a child process),
    appending each stage it enters to ``stages`` (``saved`` once the write committed)."""
    last = ""

    def progress(step: IngestProgress) -> None:
        nonlocal last
        stage = "saved" if step.stage == STAGE_SAVING and step.done == step.total else step.stage
        if stage != last:
            last = stage
            with stages.open("a") as out:
                out.write(stage + "\n")

    settings = _settings(
        url, data_dir, knowledge_paths=[notes], tokenizer_process=tokenizer, auto_ingest=False
    )
    service = await Service.start(settings)
    _ready()
    try:
        report = await service.ingest([notes], progress=progress)
        print(f"DONE {report.added} {report.updated} {report.removed}", flush=True)
    finally:
        await service.close()


def edit_notes(notes: Path, rng: random.Random, run_no: int) -> None:
    """Change a few note files: append a concept, or reword a definition."""
    files = sorted(notes.glob("*.md"))
    for path in rng.sample(files, min(EDITED_FILES_PER_RUN, len(files))):
        lines = path.read_text(encoding="utf-8").splitlines()
        if rng.random() < 0.5:
            body = " ".join(korean_word(rng) for _ in range(10))
            lines.append(
                f"- 추가 {korean_word(rng)} Edit{run_no}x{rng.randint(0, 10**6)} - {body}."
            )
        else:
            index = rng.randrange(2, len(lines))
            lines[index] = lines[index].rstrip(".") + f" 수정 {korean_word(rng)}."
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


async def _stored_concepts(url: str) -> list[tuple[str, int, str]]:
    async def query(conn: AsyncConnection) -> list[tuple[str, int, str]]:
        rows = await conn.execute(
            select(NoteFile.path, ConceptRow.line, ConceptRow.term).join(
                NoteFile, NoteFile.id == ConceptRow.file_id
            )
        )
        return [(str(p), int(n), str(t)) for p, n, t in rows.all()]

    return await _with_engine(url, query)


async def _without_key_points(url: str) -> int:
    async def query(conn: AsyncConnection) -> int:
        return int(
            (
                await conn.execute(
                    select(func.count())
                    .select_from(ConceptRow)
                    .where(ConceptRow.key_points.is_(None))
                )
            ).scalar_one()
        )

    return await _with_engine(url, query)


async def _reference_concepts(notes: Path, db: Path) -> list[tuple[str, int, str]]:
    """A fresh ingest of ``notes`` into an empty SQLite file (no key points: same concepts)."""
    url = f"sqlite+aiosqlite:///{db}"
    engine = make_engine(url)
    try:
        await upgrade_to_head(engine)
        await ingest(make_sessionmaker(engine), [notes], key_points=False)
    finally:
        await engine.dispose()
    return await _stored_concepts(url)


def _integrity(url: str) -> str:
    import sqlite3

    if not url.startswith("sqlite"):
        return "n/a"
    path = url.split(":///", 1)[1]
    with contextlib.closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    return ", ".join(str(row[0]) for row in rows)


def ingest_loop(backend: str, url: str, folder: Path, size: Size) -> LoopResult:
    """Kill an ingesting worker ``size.runs`` times (editing notes between runs), then ingest
    cleanly and compare with a fresh ingest of the same folder."""
    result = LoopResult("ingest", backend)
    rng = random.Random(f"{size.seed}-ingest-{backend}")
    data_dir, notes, log = folder / "data", folder / "notes", folder / "ingest.log"
    write_synthetic_notes(notes, size.concepts)
    completed = 0
    stages = folder / "stages.txt"
    args = [url, str(data_dir), str(notes), "1", str(stages)]
    killed_in: Counter[str] = Counter()
    for run_no in range(size.runs):
        if run_no:
            edit_notes(notes, rng, run_no)
        stages.write_text("")
        worker = spawn("worker-ingest", args, log)
        outcome = kill_after(worker, rng.uniform(*size.ingest_kill_window_s), size.orphan_wait_s)
        result.record(outcome)
        completed += not outcome.killed and outcome.returncode == 0
        if outcome.killed:
            killed_in[(stages.read_text().split() or ["start"])[-1]] += 1
    edit_notes(notes, rng, size.runs)
    out = run_clean(spawn("worker-ingest", args, log))
    result.runs += 1
    completed += any(line.startswith("DONE") for line in out)
    stored = _concept_keys(asyncio.run(_stored_concepts(url)))
    reference = _concept_keys(asyncio.run(_reference_concepts(notes, folder / "reference.sqlite3")))
    result.acknowledged = completed
    result.stored = sum(stored.values())
    result.lost = sum(1 for key in reference if key not in stored)
    places = Counter((path, line) for path, line, _ in stored.elements())
    result.duplicated = sum(n - 1 for n in places.values() if n > 1)
    result.worker_errors += _errors_in(log)
    result.details.update(
        {
            "killed_in": dict(sorted(killed_in.items())),
            "reference_concepts": sum(reference.values()),
            "count_matches": result.stored == sum(reference.values()),
            "stale": sum(1 for key in stored if key not in reference),
            "without_key_points": asyncio.run(_without_key_points(url)),
            "integrity_check": _integrity(url),
        }
    )
    return result


def _concept_keys(rows: list[tuple[str, int, str]]) -> Counter[tuple[str, int, str]]:
    return Counter(rows)


# --- running it all -------------------------------------------------------------------------

LOOP_FUNCTIONS: Final = {"answers": answers_loop, "daily": daily_loop, "ingest": ingest_loop}


def run_loop(loop: str, backend: str, size: Size) -> LoopResult:
    """One loop on one backend in a fresh temporary folder and database."""
    with tempfile.TemporaryDirectory(prefix=f"faults-{loop}-") as tmp:
        folder = Path(tmp)
        try:
            with database(backend, folder, loop) as url:
                start = time.perf_counter()
                result = LOOP_FUNCTIONS[loop](backend, url, folder, size)
                result.details["seconds"] = round(time.perf_counter() - start, 1)
                return result
        except Unavailable as exc:
            return LoopResult(loop, backend, note=f"skipped: {exc}")
        except (RuntimeError, subprocess.TimeoutExpired) as exc:  # a worker failed: say so
            return LoopResult(loop, backend, note=f"FAILED: {exc}")


def rows_of(result: LoopResult) -> list[tuple[str, str, str]]:
    """The table rows of one loop on one backend."""
    name = f"{result.loop} / {result.backend}"
    if result.note:
        return [(name, result.note, "")]
    details = [f"{key} {value}" for key, value in result.details.items()]
    return [
        (f"{name}: runs (kills)", f"{result.runs} ({result.kills})", ""),
        ("  acknowledged / stored", f"{result.acknowledged} / {result.stored}", ""),
        ("  lost / duplicated", f"{result.lost} / {result.duplicated}", "0 / 0"),
        (
            "  orphaned processes",
            f"{result.orphaned} (of {result.children_at_kill} children at kills)",
            "0",
        ),
        ("  worker errors", str(result.worker_errors), "0"),
        *(
            ("  details" if n == 0 else "", ", ".join(details[n : n + 4]), "")
            for n in range(0, len(details), 4)
        ),
    ]


def run() -> dict[str, object]:
    """Run every loop on every backend; return ``{"bench": "faults", "lost", "duplicated",
    "orphaned", "loops": [...]}``."""
    size = Size()
    loops = [name for name in _env_list("FAULTS_LOOPS", LOOPS) if name in LOOP_FUNCTIONS]
    backends = [name for name in _env_list("FAULTS_BACKENDS", BACKENDS) if name in BACKENDS]
    results: list[LoopResult] = []
    for loop in loops:
        for backend in backends:
            result = run_loop(loop, backend, size)
            if result.note:
                print(f"{loop} / {backend}: {result.note}")
            results.append(result)
    print(
        f"kills per loop and backend: {size.runs}; callers {size.callers}, "
        f"channels {size.channels}, concepts {size.concepts}, seed {size.seed}"
    )
    table([row for result in results for row in rows_of(result)])
    measured = [r for r in results if not r.note]
    return {
        "bench": "faults",
        "runs_per_loop": size.runs,
        "lost": sum(r.lost for r in measured),
        "duplicated": sum(r.duplicated for r in measured),
        "orphaned": sum(r.orphaned for r in measured),
        "loops": [r.as_dict() for r in results],
    }


# --- worker entry points --------------------------------------------------------------------


def _worker_main(argv: list[str]) -> int:
    mode, args = argv[0], argv[1:]
    if mode == "worker-answers":
        url, data_dir, ack, run_no, callers, tokenizer, limit = args
        asyncio.run(
            answers_worker(
                url,
                Path(data_dir),
                Path(ack),
                int(run_no),
                int(callers),
                tokenizer == "1",
                int(limit),
            )
        )
    elif mode == "worker-daily":
        url, data_dir, posts, ticks, start, run_no, clean = args
        asyncio.run(
            daily_worker(
                url,
                Path(data_dir),
                Path(posts),
                Path(ticks),
                datetime.fromisoformat(start),
                run_no,
                clean == "1",
            )
        )
    elif mode == "worker-ingest":
        url, data_dir, notes, tokenizer, stages = args
        asyncio.run(ingest_worker(url, Path(data_dir), Path(notes), tokenizer == "1", Path(stages)))
    else:
        print(f"unknown mode {mode}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("worker-"):
        sys.exit(_worker_main(sys.argv[1:]))
    print(json.dumps(run(), ensure_ascii=False))
