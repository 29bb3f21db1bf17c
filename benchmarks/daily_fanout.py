"""Daily fan-out: 1,000 channels whose question is due in the same minute.

1. SQLite, one runner: one ``tick()`` posts every question once through a notifier that returns
   at once; the time of that tick is the scheduler's overhead (target <= 5 s).
2. PostgreSQL, two runner *processes* (spawned) racing over the same schedules on a fresh
   database (created and dropped here; server from ``TEST_DATABASE_URL`` or the local default):
   every question posted exactly once. Skipped with a note when the server is unreachable.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from benchmarks.common import table
from bot.app.service import Service
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.db import daily as repo
from bot.testing import FakeClock, RecordingNotifier

CHANNELS = 1_000
TARGET_SECONDS = 5.0
PROCESSES = 2
PLATFORM = "bench"
WORKSPACE = "bench-ws"
PG_DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
PG_CONNECT_TIMEOUT_S = 5
CHILD_TIMEOUT_S = 300
# Friday 2024-03-01 09:00 in Seoul; the runners tick 30 s into that minute.
DUE = datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
TICK_AT = DUE + timedelta(seconds=30)
SET_AT = DUE - timedelta(hours=1)


def _post_ids(notifier: RecordingNotifier) -> list[int]:
    """The daily posts the platform accepted, in order."""
    return [s.post_id for s in notifier.sent if s.post_id is not None]


def _settings(url: str, data_dir: Path, *, auto_ingest: bool = True) -> Settings:
    return Settings(
        database_url=url,
        data_dir=data_dir,
        knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
        auto_ingest=auto_ingest,
        locale="en",
        grading_meaning=False,  # posting is measured; no answer is graded by meaning here
    )


async def seed_schedules(
    service: Service,
    channels: int,
    *,
    platform: str = PLATFORM,
    workspace: str = WORKSPACE,
    now: datetime = SET_AT,
) -> None:
    """``channels`` schedules at 09:00 Seoul, every day, all set at ``now`` (an hour before
    they are due, by default)."""
    async with service.sessions() as session, session.begin():
        for number in range(channels):
            await repo.save_schedule(
                session,
                platform,
                workspace,
                f"channel-{number:04d}",
                now=now,
                local_time="09:00",
                tz="Asia/Seoul",
                weekdays="0123456",
                locale="en",
                seed=number,
                enabled=True,
            )


async def _stored(service: Service) -> Counter[str]:
    """Occurrences stored per status."""
    async with service.sessions() as session:
        return Counter(
            {
                status: await repo.count_posts(session, status)
                for status in (repo.CLAIMED, repo.POSTED, repo.SKIPPED, repo.FAILED)
            }
        )


async def _sqlite(folder: Path) -> dict[str, Any]:
    clock = FakeClock(SET_AT)
    url = f"sqlite+aiosqlite:///{folder / 'fanout.sqlite3'}"
    service = await Service.start(_settings(url, folder), clock=clock)
    try:
        await seed_schedules(service, CHANNELS)
        notifier = RecordingNotifier(platform=PLATFORM)
        runner = service.daily_runner(notifier, runner_id="sqlite")
        clock.set(TICK_AT)
        start = time.perf_counter()
        posted = await runner.tick()
        seconds = time.perf_counter() - start
        again = await runner.tick()
        stored = await _stored(service)
    finally:
        await service.close()
    duplicates = sum(n - 1 for n in Counter(_post_ids(notifier)).values() if n > 1)
    return {
        "posted": posted,
        "sent": len(_post_ids(notifier)),
        "duplicates": duplicates,
        "seconds": seconds,
        "second_tick": again,
        "stored_posted": stored[repo.POSTED],
    }


# --- two processes on PostgreSQL ------------------------------------------------------------------


async def _pg_admin(server_url: str, statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    dsn = server_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn, timeout=PG_CONNECT_TIMEOUT_S)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def _child_run(url: str, runner_id: str, barrier: Barrier) -> dict[str, Any]:
    clock = FakeClock(TICK_AT)
    with tempfile.TemporaryDirectory() as tmp:
        service = await Service.start(_settings(url, Path(tmp), auto_ingest=False), clock=clock)
        try:
            notifier = RecordingNotifier(platform=PLATFORM)
            runner = service.daily_runner(notifier, runner_id=runner_id)
            await asyncio.to_thread(barrier.wait)  # both processes start ticking together
            start = time.time()
            posted = await runner.tick()
            end = time.time()
        finally:
            await service.close()
    return {"posted": posted, "post_ids": _post_ids(notifier), "start": start, "end": end}


def _child(url: str, runner_id: str, barrier: Barrier, results: Any) -> None:
    """A runner process: start a Service on ``url``, wait for the other, tick once."""
    results.put((runner_id, asyncio.run(_child_run(url, runner_id, barrier))))


async def _prepare_pg(url: str, folder: Path) -> None:
    service = await Service.start(_settings(url, folder), clock=FakeClock(SET_AT))
    try:
        await seed_schedules(service, CHANNELS)
    finally:
        await service.close()


async def _pg_stored(url: str, folder: Path) -> Counter[str]:
    service = await Service.start(
        _settings(url, folder, auto_ingest=False), clock=FakeClock(TICK_AT)
    )
    try:
        return await _stored(service)
    finally:
        await service.close()


def _postgresql(folder: Path) -> dict[str, Any]:
    server = os.environ.get("TEST_DATABASE_URL", "") or PG_DEFAULT_URL
    if not server.startswith("postgresql"):
        server = PG_DEFAULT_URL
    name = f"ib_bench_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_pg_admin(server, f'CREATE DATABASE "{name}"'))
    except (OSError, TimeoutError, ImportError) as exc:
        return {"note": f"PostgreSQL part skipped: {server} unreachable ({exc})"}
    except Exception as exc:  # asyncpg's own errors (authentication, permissions ...)
        return {"note": f"PostgreSQL part skipped: {type(exc).__name__}: {exc}"}
    base, _, _ = server.rpartition("/")
    url = f"{base}/{name}"
    try:
        asyncio.run(_prepare_pg(url, folder))
        context = multiprocessing.get_context("spawn")
        barrier = context.Barrier(PROCESSES)
        results = context.Queue()
        processes = [
            context.Process(target=_child, args=(url, f"process-{n}", barrier, results))
            for n in range(PROCESSES)
        ]
        for process in processes:
            process.start()
        runs = dict(results.get(timeout=CHILD_TIMEOUT_S) for _ in processes)
        for process in processes:
            process.join(timeout=CHILD_TIMEOUT_S)
        stored = asyncio.run(_pg_stored(url, folder))
    finally:
        asyncio.run(_pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    sent = Counter(post_id for run in runs.values() for post_id in run["post_ids"])
    return {
        "posted": sum(run["posted"] for run in runs.values()),
        "per_process": {runner: run["posted"] for runner, run in sorted(runs.items())},
        "sent": sum(sent.values()),
        "distinct": len(sent),
        "duplicates": sum(n - 1 for n in sent.values() if n > 1),
        "seconds": max(run["end"] for run in runs.values())
        - min(run["start"] for run in runs.values()),
        "stored_posted": stored[repo.POSTED],
        "stored_claimed": stored[repo.CLAIMED],
    }


def run() -> dict[str, object]:
    """Measure and return ``{"bench": "daily_fanout", "channels", "posted", "duplicates",
    "seconds", "pg_posted", "pg_duplicates", "pg_seconds"}`` (PostgreSQL figures None when
    the server is unreachable)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lite = asyncio.run(_sqlite(folder))
        pg = _postgresql(folder)
    rows = [
        ("channels due in one minute", str(CHANNELS), ""),
        ("SQLite: questions posted", f"{lite['posted']} (sent {lite['sent']})", f"{CHANNELS}"),
        ("SQLite: duplicates", str(lite["duplicates"]), "0"),
        ("SQLite: tick", f"{lite['seconds']:.2f} s", f"<= {TARGET_SECONDS:.0f} s"),
        ("SQLite: second tick posts", str(lite["second_tick"]), "0"),
        ("SQLite: stored as posted", str(lite["stored_posted"]), f"{CHANNELS}"),
    ]
    if "note" in pg:
        rows.append(("PostgreSQL, 2 processes", pg["note"], ""))
    else:
        rows += [
            ("PG 2 processes: posted", f"{pg['posted']} {pg['per_process']}", f"{CHANNELS}"),
            ("PG 2 processes: duplicates", str(pg["duplicates"]), "0"),
            ("PG 2 processes: wall", f"{pg['seconds']:.2f} s", ""),
            (
                "PG: stored posted / claimed",
                f"{pg['stored_posted']} / {pg['stored_claimed']}",
                f"{CHANNELS} / 0",
            ),
        ]
    table(rows)
    return {
        "bench": "daily_fanout",
        "channels": CHANNELS,
        "posted": lite["posted"],
        "duplicates": lite["duplicates"],
        "seconds": round(lite["seconds"], 3),
        "pg_posted": pg.get("posted"),
        "pg_duplicates": pg.get("duplicates"),
        "pg_seconds": round(pg["seconds"], 3) if "seconds" in pg else None,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run()))
