"""Review cards, progress figures, the leaderboard and reminders on SQLite and PostgreSQL, over
the real migrations: cards upserted and read back, due ordering, stats of someone with no
answers and of answers whose concept is gone, a 10,000-person leaderboard paged, and reminders
claimed exactly once by racing processes (two engines)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.review.progress import local_days
from bot.core.review.scheduling import CardState, review
from bot.db import reviews
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.db.tables import AnswerRow, ConceptRow, NoteFile

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
WHO = ("discord", "g1", "u1")


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[async_sessionmaker[Any]]:
    engine = make_engine(db_url)
    await upgrade_to_head(engine)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def _concepts(session: AsyncSession, count: int, categories: int = 3) -> list[int]:
    note = NoteFile(path=f"/notes/{count}.md", kind="notes", sha256="0" * 64, size=1)
    session.add(note)
    await session.flush()
    rows = [
        ConceptRow(
            file_id=note.id,
            term=f"Term {n}",
            category=f"Topic {n % categories}",
            definition="d",
            line=n,
        )
        for n in range(count)
    ]
    session.add_all(rows)
    await session.flush()
    return [row.id for row in rows]


def _answer(
    user: str, concept_id: int | None, term: str, score: int, at: datetime
) -> dict[str, Any]:
    return {
        "platform": WHO[0],
        "workspace_id": WHO[1],
        "channel_id": "c1",
        "user_id": user,
        "concept_id": concept_id,
        "term": term,
        "score": score,
        "band": "x",
        "hits": [],
        "misses": [],
        "created_at": at,
    }


async def test_a_card_is_saved_read_back_and_upserted(sessions: async_sessionmaker[Any]) -> None:
    async with sessions() as session, session.begin():
        [cid] = await _concepts(session, 1)
        assert await reviews.get_card(session, *WHO, cid) is None
        first = review(None, cid, 80, NOW)
        await reviews.save_card(session, *WHO, first, NOW)
    async with sessions() as session:
        stored = await reviews.get_card(session, *WHO, cid)
    assert stored is not None
    assert CardState.of(stored) == first
    second = review(CardState.of(stored), cid, 20, first.due)
    async with sessions() as session, session.begin():
        await reviews.save_card(session, *WHO, second, first.due)
    async with sessions() as session:
        again = await reviews.get_card(session, *WHO, cid)
        other = await reviews.get_card(session, WHO[0], WHO[1], "someone else", cid)
    assert again is not None and CardState.of(again) == second
    assert again.reps == 2
    assert other is None


async def test_cards_go_with_their_concept(sessions: async_sessionmaker[Any]) -> None:
    async with sessions() as session, session.begin():
        [cid] = await _concepts(session, 1)
        await reviews.save_card(session, *WHO, review(None, cid, 80, NOW), NOW)
    async with sessions() as session, session.begin():
        await session.execute(delete(ConceptRow).where(ConceptRow.id == cid))
    async with sessions() as session:
        assert await reviews.get_card(session, *WHO, cid) is None


async def test_due_cards_are_most_overdue_first(sessions: async_sessionmaker[Any]) -> None:
    async with sessions() as session, session.begin():
        ids = await _concepts(session, 6)
        base = review(None, ids[0], 80, NOW - timedelta(days=30))
        offsets = [-3, 5, -10, 0, -1, 2]  # days from NOW
        for cid, days in zip(ids, offsets, strict=True):
            card = replace(base, concept_id=cid, due=NOW + timedelta(days=days))
            await reviews.save_card(session, *WHO, card, NOW)
        elsewhere = replace(base, concept_id=ids[0], due=NOW - timedelta(days=99))
        await reviews.save_card(session, WHO[0], "other workspace", WHO[2], elsewhere, NOW)
    async with sessions() as session:
        due = await reviews.due_cards(session, *WHO, NOW, limit=10)
        two = await reviews.due_cards(session, *WHO, NOW, limit=2)
        week = await reviews.cards_due_between(session, *WHO, NOW, NOW + timedelta(days=7))
        all_week = await reviews.cards_due_between(session, *WHO, None, NOW + timedelta(days=7))
        reviewed = await reviews.reviewed_since(session, *WHO, NOW - timedelta(days=31))
    assert [c.concept_id for c in due] == [ids[2], ids[0], ids[4], ids[3]]
    assert all(c.due.tzinfo is not None for c in due)
    assert [c.concept_id for c in two] == [ids[2], ids[0]]
    assert week == 3  # due now, in 2 and in 5 days
    assert all_week == 6
    assert reviewed == 6


async def test_stats_of_someone_with_no_answers(sessions: async_sessionmaker[Any]) -> None:
    async with sessions() as session:
        rows = await reviews.stats_rows(session, *WHO)
        times = await reviews.answer_times(session, *WHO)
        spans = await reviews.answer_day_spans(session, *WHO)
    assert rows.by_topic == [] and rows.weakest == []
    assert rows.answers == 0 and rows.average is None
    assert times == [] and spans == []


async def test_answer_day_spans_give_the_local_days(sessions: async_sessionmaker[Any]) -> None:
    stamps = [
        datetime(2026, 11, 30, 23, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 2, 0, tzinfo=UTC),  # Nov 30, 21:00 in New York
        datetime(2026, 12, 1, 12, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 20, 30, tzinfo=UTC),  # Dec 2, 05:30 in Seoul
        datetime(2026, 12, 2, 4, 59, tzinfo=UTC),  # Dec 1, 23:59 in New York
    ]
    async with sessions() as session, session.begin():
        [cid] = await _concepts(session, 1)
        await session.execute(insert(AnswerRow), [_answer("u1", cid, "T", 50, t) for t in stamps])
        await reviews.recount_progress(session)  # answers inserted in bulk are counted so
    async with sessions() as session:
        spans = await reviews.answer_day_spans(session, *WHO)
        recent = await reviews.answer_day_spans(session, *WHO, since=NOW - timedelta(hours=12))
    assert spans == [(stamps[4], stamps[4]), (stamps[1], stamps[3]), (stamps[0], stamps[0])]
    assert recent == [(stamps[4], stamps[4])]
    new_york, seoul = ZoneInfo("America/New_York"), ZoneInfo("Asia/Seoul")
    assert local_days(spans, new_york) == {date(2026, 11, 30), date(2026, 12, 1)}
    assert local_days(spans, seoul) == {date(2026, 12, 1), date(2026, 12, 2)}


async def test_stats_rows_count_answers_of_concepts_that_are_gone(
    sessions: async_sessionmaker[Any],
) -> None:
    async with sessions() as session, session.begin():
        ids = await _concepts(session, 3, categories=2)  # Topic 0: ids[0], ids[2]; Topic 1: ids[1]
        answers = [
            _answer("u1", ids[0], "Term 0", 40, NOW - timedelta(days=2)),
            _answer("u1", ids[0], "Term 0", 60, NOW - timedelta(days=1)),
            _answer("u1", ids[1], "Term 1", 90, NOW - timedelta(hours=1)),
            _answer("u1", ids[2], "Term 2", 10, NOW),
            _answer("u2", ids[2], "Term 2", 0, NOW),  # someone else's
        ]
        await session.execute(insert(AnswerRow), answers)
        await session.execute(
            insert(AnswerRow),
            [{**_answer("u1", ids[2], "Term 2", 30, NOW), "accepted": True}],
        )
        await reviews.recount_progress(session)
    async with sessions() as session, session.begin():
        await session.execute(delete(ConceptRow).where(ConceptRow.id == ids[1]))
    async with sessions() as session:
        rows = await reviews.stats_rows(session, *WHO, weakest=2)
        times = await reviews.answer_times(session, *WHO)
        recent = await reviews.answer_times(session, *WHO, since=NOW - timedelta(hours=2))
    assert rows.answers == 5
    assert rows.average == pytest.approx((40 + 60 + 90 + 10 + 100) / 5)
    topics = {t.topic: (t.count, t.average) for t in rows.by_topic}
    assert topics == {"Topic 0": (4, pytest.approx(52.5)), None: (1, 90.0)}
    assert [(t.term, t.count) for t in rows.weakest] == [("Term 0", 2), ("Term 2", 2)]
    assert len(times) == 5 and times == sorted(times, reverse=True)
    assert len(recent) == 3


async def test_a_leaderboard_of_ten_thousand_pages_through_everyone_once(
    sessions: async_sessionmaker[Any],
) -> None:
    members = 10_000
    async with sessions() as session, session.begin():
        [cid] = await _concepts(session, 1)
        rows = [
            _answer(f"user{n:05d}", cid, "Term 0", n % 101, NOW - timedelta(minutes=n))
            for n in range(members)
        ]
        rows += [_answer("user00007", cid, "Term 0", 50, NOW) for _ in range(3)]
        rows.append(_answer("early", cid, "Term 0", 100, NOW - timedelta(days=400)))
        await session.execute(insert(AnswerRow), rows)
        await reviews.set_leaderboard_opt_out(session, WHO[0], WHO[1], "user00042", True)
        await reviews.set_leaderboard_opt_out(session, WHO[0], WHO[1], "user00043", True)
        await reviews.set_leaderboard_opt_out(session, WHO[0], WHO[1], "user00043", False)
        await reviews.set_leaderboard_opt_out(session, WHO[0], "elsewhere", "user00044", True)
    seen: list[reviews.LeaderRow] = []
    page_size = 1_000
    async with sessions() as session:
        since = NOW - timedelta(days=30)
        while page := await reviews.leaderboard(
            session, WHO[0], WHO[1], since, limit=page_size, offset=len(seen)
        ):
            seen += page
        everyone = await reviews.leaderboard(session, WHO[0], WHO[1], None, limit=20_000)
    names = [row.user_id for row in seen]
    assert len(names) == len(set(names)) == members - 1
    assert "user00042" not in names and "user00043" in names and "user00044" in names
    assert "early" not in names and "early" in {row.user_id for row in everyone}
    assert seen[0].user_id == "user00007" and seen[0].answers == 4
    keys = [(-row.answers, -row.average, row.user_id) for row in seen]
    assert keys == sorted(keys)


async def _claim(sessions: async_sessionmaker[Any], day: date) -> bool:
    async with sessions() as session, session.begin():
        return await reviews.claim_reminder(session, *WHO, day)


async def test_reminders_are_set_listed_and_claimed_once(
    sessions: async_sessionmaker[Any],
) -> None:
    day = date(2026, 12, 2)
    assert not await _claim(sessions, day), "no reminder: nothing to claim"
    async with sessions() as session, session.begin():
        await reviews.set_reminder(
            session, *WHO, local_time="09:00", tz="Asia/Seoul", enabled=True, now=NOW
        )
        await reviews.set_reminder(
            session, WHO[0], WHO[1], "off", local_time="09:00", tz="UTC", enabled=False, now=NOW
        )
    async with sessions() as session:
        due = await reviews.reminders_due(session, day + timedelta(days=1))
    assert [(r.user_id, r.tz, r.last_sent_on) for r in due] == [("u1", "Asia/Seoul", None)]
    results = await asyncio.gather(*(_claim(sessions, day) for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]
    assert not await _claim(sessions, day - timedelta(days=1)), "never goes back a day"
    async with sessions() as session:
        assert await reviews.reminders_due(session, day) == []
        stored = await reviews.get_reminder(session, *WHO)
    assert stored is not None and stored.last_sent_on == day
    async with sessions() as session, session.begin():
        await reviews.set_reminder(
            session, *WHO, local_time="21:30", tz="Europe/Paris", enabled=True, now=NOW
        )
    async with sessions() as session:
        moved = await reviews.get_reminder(session, *WHO)
    assert moved is not None and (moved.local_time, moved.last_sent_on) == ("21:30", day)
    assert await _claim(sessions, day + timedelta(days=1))


async def test_a_reminder_is_claimed_once_by_two_processes(db_url: str) -> None:
    engines = [make_engine(db_url) for _ in range(2)]
    await upgrade_to_head(engines[0])
    first, second = (make_sessionmaker(e) for e in engines)
    day = date(2026, 12, 2)
    try:
        async with first() as session, session.begin():
            await reviews.set_reminder(
                session, *WHO, local_time="09:00", tz="UTC", enabled=True, now=NOW
            )
        async with first() as a:
            await a.begin()
            assert await reviews.claim_reminder(a, *WHO, day)
            # The other process claims while the first has not committed: it waits, then loses.
            racing = asyncio.create_task(_claim(second, day))
            await asyncio.sleep(0.3)
            assert not racing.done(), "the second claim waits for the first transaction"
            await a.commit()
        assert await racing is False
        assert await _claim(second, day + timedelta(days=1)) is True
        assert await _claim(first, day + timedelta(days=1)) is False
    finally:
        for engine in engines:
            await engine.dispose()


async def test_the_figures_of_stats_in_one_read_match_the_separate_reads(
    sessions: async_sessionmaker[Any],
) -> None:
    async with sessions() as session, session.begin():
        ids = await _concepts(session, 4, categories=2)
        rows = [
            _answer("u1", ids[n % 4], f"Term {n % 4}", (n * 37) % 101, NOW - timedelta(hours=7 * n))
            for n in range(60)
        ]
        await session.execute(insert(AnswerRow), rows)
        await reviews.recount_progress(session)
    since = NOW - timedelta(days=5)
    async with sessions() as session:
        one = await reviews.stats_figures(
            session, *WHO, due_before=NOW + timedelta(days=7), days_since=since
        )
        groups = await reviews.stats_rows(session, *WHO)
        spans = await reviews.answer_day_spans(session, *WHO, since=since)
        due = await reviews.cards_due_between(session, *WHO, None, NOW + timedelta(days=7))
    assert one.rows.by_topic == groups.by_topic
    assert one.rows.weakest == groups.weakest
    assert one.spans == spans and one.due == due
    assert one.rows.answers == 60
