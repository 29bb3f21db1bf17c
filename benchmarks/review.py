"""Review cards and /stats on SQLite: one person with 10,000 answers and 1,000 review cards (in
a workspace where 9 others answered as much), timing the due-card query and the /stats queries
(answers per topic, weakest concepts, each answered UTC day's first and last answer for the
streak, cards due this week; the raw answer times for comparison) against
``SELECT count(*) FROM answers WHERE user_id = ?`` measured in the same run, interleaved.

Times are wall milliseconds per call through the async session (what a command waits for),
after a warm-up. Target: p50 <= 20 ms for the due cards and for the whole /stats set.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text

from benchmarks.common import median, percentile, table
from bot.app.reviews import Person, person_stats
from bot.core.review.scheduling import DAILY_REVIEW_CAP, review
from bot.db import reviews
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.db.reviews import recount_progress
from bot.db.tables import AnswerRow, ConceptRow, NoteFile, ReviewCardRow

TARGET_P50_MS = 20.0
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
PLATFORM, WORKSPACE, USER = "discord", "g1", "me"


@dataclass(frozen=True)
class Size:
    """How much data and how many timed calls."""

    answers: int = 10_000
    cards: int = 1_000
    others: int = 9  # other people in the workspace, each with as many answers
    calls: int = 200
    seed: int = 11


async def _fill(sessions: Any, size: Size) -> None:
    rng = random.Random(size.seed)
    async with sessions() as session, session.begin():
        note = NoteFile(path="/bench/notes.md", kind="notes", sha256="0" * 64, size=1)
        session.add(note)
        await session.flush()
        concepts = [
            {
                "file_id": note.id,
                "term": f"Term {n}",
                "category": f"Topic {n % 12}",
                "definition": "d",
                "line": n,
                "note_aliases": [],
            }
            for n in range(size.cards)
        ]
        await session.execute(insert(ConceptRow), concepts)
        ids = list((await session.scalars(text("SELECT id FROM concepts ORDER BY id"))).all())
        for who in [USER, *(f"other{n}" for n in range(size.others))]:
            rows = []
            for n in range(size.answers):
                cid = ids[n % len(ids)]
                rows.append(
                    {
                        "platform": PLATFORM,
                        "workspace_id": WORKSPACE,
                        "channel_id": "c1",
                        "user_id": who,
                        "concept_id": cid,
                        "term": f"Term {n % len(ids)}",
                        "score": rng.randint(0, 100),
                        "band": "x",
                        "hits": [],
                        "misses": [],
                        "created_at": NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 365)),
                    }
                )
            await session.execute(insert(AnswerRow), rows)
        await recount_progress(session)  # the figures /stats reads, as stored answers leave them
        base = review(None, ids[0], 80, NOW - timedelta(days=60))
        cards = []
        for cid in ids:
            card = replace(base, concept_id=cid, due=NOW + timedelta(hours=rng.randint(-900, 900)))
            cards.append(reviews.card_row(PLATFORM, WORKSPACE, USER, card, NOW))
        await session.execute(insert(ReviewCardRow), cards)


async def _time(
    calls: int, named: dict[str, Callable[[Any], Awaitable[object]]], sessions: Any
) -> dict[str, list[float]]:
    """Milliseconds per call of each query, interleaved (a fresh session per call, as a
    command gets)."""
    times: dict[str, list[float]] = {name: [] for name in named}
    for number in range(calls + 10):
        for name, query in named.items():
            start = time.perf_counter()
            async with sessions() as session:
                await query(session)
            if number >= 10:  # warm-up
                times[name].append((time.perf_counter() - start) * 1000)
    return times


async def _stats(session: Any) -> object:
    """What ``/stats`` reads (:func:`bot.app.reviews.person_stats`): the worst case here, as
    the person answered every day of the year (the streak reads every day)."""
    return await person_stats(session, Person(PLATFORM, WORKSPACE, USER), NOW, ZoneInfo("UTC"))


async def _measure(url: str, size: Size) -> dict[str, list[float]]:
    engine = make_engine(url)
    try:
        await upgrade_to_head(engine)
        await _fill(make_sessionmaker(engine), size)
        sessions = make_sessionmaker(engine, read_only=True)
        baseline = text("SELECT count(*) FROM answers WHERE user_id = :user")
        named: dict[str, Callable[[Any], Awaitable[object]]] = {
            "baseline": lambda s: s.scalar(baseline, {"user": USER}),
            "due": lambda s: reviews.due_cards(s, PLATFORM, WORKSPACE, USER, NOW, DAILY_REVIEW_CAP),
            "stats_groups": lambda s: reviews.stats_rows(s, PLATFORM, WORKSPACE, USER),
            "day_spans": lambda s: reviews.answer_day_spans(s, PLATFORM, WORKSPACE, USER),
            "answer_times": lambda s: reviews.answer_times(s, PLATFORM, WORKSPACE, USER),
            "stats_all": _stats,
        }
        return await _time(size.calls, named, sessions)
    finally:
        await engine.dispose()


def measure(size: Size = Size()) -> dict[str, object]:
    """Fill a fresh SQLite file to ``size`` and return the figures (see :func:`run`)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'review.sqlite3'}"
        times = asyncio.run(_measure(url, size))
    figures: dict[str, object] = {"bench": "review", "answers": size.answers, "cards": size.cards}
    base = median(times["baseline"])
    for name, values in times.items():
        figures[f"{name}_p50_ms"] = round(median(values), 3)
        figures[f"{name}_p99_ms"] = round(percentile(values, 99), 3)
        if name != "baseline":
            figures[f"{name}_vs_baseline"] = round(median(values) / base, 2)
    figures["due_ok"] = median(times["due"]) <= TARGET_P50_MS
    figures["stats_ok"] = median(times["stats_all"]) <= TARGET_P50_MS
    return figures


def run() -> dict[str, object]:
    """Measure and print; returns ``{"bench": "review", "<query>_p50_ms", "<query>_p99_ms",
        "<query>_vs_baseline", "due_ok", "stats_ok", ...}`` for the queries baseline, due,
        stats_groups, day_spans, answer_times and stats_all (what /stats runs: the two groups, the
    day spans and the week's count)."""
    size = Size()
    figures = measure(size)
    print(
        f"SQLite; {size.answers:,} answers and {size.cards:,} cards of one person "
        f"(+{size.others} others with as many answers); {size.calls} calls each, interleaved"
    )
    rows = []
    for name in ("baseline", "due", "stats_groups", "day_spans", "answer_times", "stats_all"):
        target = f"p50 <= {TARGET_P50_MS:g} ms" if name in ("due", "stats_all") else ""
        ratio = figures.get(f"{name}_vs_baseline")
        rows.append(
            (
                f"{name} p50 / p99",
                f"{figures[f'{name}_p50_ms']} / {figures[f'{name}_p99_ms']} ms"
                + (f" ({ratio}x baseline)" if ratio is not None else ""),
                target,
            )
        )
    table(rows)
    return figures
