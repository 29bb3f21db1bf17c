"""The learning loop through the Service: every graded answer reviews its FSRS card, ``/review``
runs a session over the due cards as an interview, reminders nudge once per person and due day
(across runners and processes), ``/stats`` draws a real PNG, the leaderboard pages and never
mentions, ``/export`` gives CSV and an Anki deck. Real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
import io
import struct
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Rating, Scheduler

from bot.app.service import Service
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.errors import BadInput, Forbidden
from bot.core.models import Caller, Concept
from bot.core.review.replies import REVIEW_ANYWAY
from bot.core.review.scheduling import (
    DAILY_REVIEW_CAP,
    ENABLE_FUZZING,
    LEARNING_STEPS,
    RELEARNING_STEPS,
)
from bot.db import reviews as repo
from bot.testing import FakeClock, RecordingNotifier

START = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 12:00 in Seoul


def person(user: str = "u1", *, admin: bool = False, name: str = "") -> Caller:
    return Caller(
        "discord",
        user,
        f"c-{user}",
        workspace_id="G1",
        is_admin=admin,
        locale="en",
        display_name=name or f"Name {user}",
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def svc(
    make_settings: type[Settings], tmp_path: Path, db_url: str, clock: FakeClock
) -> AsyncIterator[Service]:
    settings = make_settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
        knowledge_watch=False,
    )
    service = await Service.start(settings, clock=clock)
    yield service
    await service.close()


def concepts(service: Service, count: int) -> list[Concept]:
    return [c for c in service.concepts() if c.key_points][:count]


async def answer_well(service: Service, caller: Caller, concept: Concept) -> int:
    _, answer_id = await service.grade(caller, concept, concept.definition)
    return answer_id


async def card_due(service: Service, caller: Caller, concept: Concept) -> datetime:
    async with service.context.reads() as session:
        card = await repo.get_card(session, "discord", "G1", caller.user_id, concept.id)
    assert card is not None
    return card.due


# --- cards ----------------------------------------------------------------------------------


async def test_every_graded_answer_reviews_its_card_as_fsrs_would(
    svc: Service, clock: FakeClock
) -> None:
    concept = concepts(svc, 1)[0]
    scheduler = Scheduler(
        learning_steps=LEARNING_STEPS,
        relearning_steps=RELEARNING_STEPS,
        enable_fuzzing=ENABLE_FUZZING,
    )
    from fsrs import Card

    expected = Card(card_id=1, due=START)
    for text, rating in [
        (concept.definition, Rating.Easy),
        ("모르겠어요", Rating.Again),
        (concept.definition, Rating.Easy),
    ]:
        graded, _ = await svc.grade(person(), concept, text)
        assert graded.score >= 90 if rating is Rating.Easy else graded.score < 40
        expected, _ = scheduler.review_card(expected, rating, clock.now())
        assert await card_due(svc, person(), concept) == expected.due
        clock.advance(timedelta(days=1))


async def test_an_accepted_appeal_counts_as_correct(svc: Service, clock: FakeClock) -> None:
    concept = concepts(svc, 1)[0]
    _, answer_id = await svc.grade(person(), concept, "모르겠어요")
    wrong = await card_due(svc, person(), concept)
    await svc.appeals.appeal(person(), str(answer_id))
    assert await card_due(svc, person(), concept) > wrong


# --- /review --------------------------------------------------------------------------------


async def test_nothing_due_says_when_and_offers_review_anyway(
    svc: Service, clock: FakeClock
) -> None:
    [none] = await svc.review(person())
    assert none.extra["key"] == "review_none_due" and not none.actions  # no cards yet
    concept = concepts(svc, 1)[0]
    await answer_well(svc, person(), concept)
    [waiting] = await svc.review(person())
    assert waiting.extra["key"] == "review_none_due"
    assert [a.command for a in waiting.actions] == [REVIEW_ANYWAY]
    replies = await svc.act(person(), REVIEW_ANYWAY)
    assert replies[0].extra["key"] == "review_started"
    state = await svc.interviews.current(person())
    assert state is not None and state.plan == (concept.id,)


async def test_a_review_session_asks_the_due_cards_most_overdue_first(
    svc: Service, clock: FakeClock
) -> None:
    first, second, third = concepts(svc, 3)
    await svc.grade(person(), first, "모르겠어요")  # due tomorrow
    clock.advance(timedelta(hours=1))
    await svc.grade(person(), second, "모르겠어요")
    await answer_well(svc, person(), third)  # due in days
    clock.advance(timedelta(days=1, hours=2))
    replies = await svc.review(person())
    assert replies[0].extra["key"] == "review_started"
    state = await svc.interviews.current(person())
    assert state is not None and state.plan == (first.id, second.id)
    assert state.current_concept_id == first.id
    await svc.act(person(), "interview.answer", text=first.definition)
    after = await svc.act(person(), "interview.answer", text=second.definition)
    summary = after[-1]
    assert "2026-" in summary.body  # the next review days are listed
    assert await svc.interviews.current(person()) is None
    assert await card_due(svc, person(), first) > clock.now() + timedelta(days=1)


async def test_reviews_are_capped_per_day(svc: Service, clock: FakeClock) -> None:
    many = concepts(svc, DAILY_REVIEW_CAP + 3)
    assert len(many) > DAILY_REVIEW_CAP, "the shipped notes hold more concepts than the cap"
    for concept in many:
        await svc.grade(person(), concept, "모르겠어요")
    clock.advance(timedelta(days=2))
    await svc.review(person())
    state = await svc.interviews.current(person())
    assert state is not None and len(state.plan) == DAILY_REVIEW_CAP


# --- /remind and the nudges -----------------------------------------------------------------


async def test_remind_on_off_status_and_bad_input(svc: Service) -> None:
    on = await svc.remind(person(), "on 21:00 Asia/Seoul")
    assert on.extra["key"] == "remind_on"
    status = await svc.remind(person(), "")
    assert status.extra["key"] == "remind_status" and "21:00" in status.body
    with pytest.raises(BadInput) as zone:
        await svc.remind(person(), "on 21:00 Mars/Olympus")
    assert zone.value.key == "review_bad_zone"
    with pytest.raises(BadInput) as when:
        await svc.remind(person(), "on 25:61")
    assert when.value.key == "remind_bad_time"
    off = await svc.remind(person(), "off")
    assert off.extra["key"] == "remind_off"


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # where processes share
async def test_a_month_of_answers_gives_one_nudge_per_due_day_with_two_runners(
    svc: Service, clock: FakeClock, db_url: str, make_settings: type[Settings], tmp_path: Path
) -> None:
    """50 people answer every day's nudge; two runners (the second on its own engine: another
    process) tick together at the reminder time and again later: each person gets exactly one
    nudge on each day something was due, and none on the other days."""
    people = [person(f"p{i:02d}") for i in range(50)]
    pool = concepts(svc, 3)
    for index, who in enumerate(people):
        await svc.remind(who, "on 21:00 Asia/Seoul")
        for concept in pool[: 1 + index % 3]:
            await svc.grade(who, concept, "모르겠어요" if index % 2 else concept.definition)
    other = await Service.start(
        make_settings(
            database_url=db_url,
            data_dir=tmp_path / "other",
            knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
            knowledge_watch=False,
        ),
        auto_ingest=False,
        clock=clock,
    )
    one, two = (
        RecordingNotifier(clock, platform="discord"),
        RecordingNotifier(clock, platform="discord"),
    )
    runners = [svc.reminder_runner(one), other.reminder_runner(two)]
    expected: dict[tuple[str, str], int] = {}
    nudged: set[str] = set()
    try:
        for day in range(30):
            evening = datetime(2026, 12, 1, 12, 0, tzinfo=UTC) + timedelta(days=day)  # 21:00 KST
            today = evening.date().isoformat()
            for moment in (evening, evening + timedelta(minutes=30)):
                clock.set(moment)
                async with svc.context.reads() as session:
                    for who in people:
                        due = await repo.cards_due_between(
                            session, "discord", "G1", who.user_id, None, moment
                        )
                        if due:
                            expected[who.user_id, today] = 1
                before = len(one.sent) + len(two.sent)
                await asyncio.gather(*(runner.tick() for runner in runners))
                for sent in [*one.sent, *two.sent][before:]:
                    nudged.add(sent.target.channel_id.removeprefix("@"))
            clock.set(evening + timedelta(minutes=40))
            for who in people:  # the people nudged today review what is due
                if who.user_id not in nudged:
                    continue
                async with svc.context.reads() as session:
                    due_cards = await repo.due_cards(
                        session, "discord", "G1", who.user_id, clock.now(), 5
                    )
                for number, card in enumerate(due_cards):
                    concept = svc.concept(card.concept_id)
                    text = concept.definition if (day + number) % 2 else "모르겠어요"
                    await svc.grade(who, concept, text)
            nudged.clear()
    finally:
        await other.close()
    got: dict[tuple[str, str], int] = {}
    for sent in [*one.sent, *two.sent]:
        assert sent.reply.extra["key"] == "nudge"
        assert sent.at is not None
        key = (sent.target.channel_id.removeprefix("@"), sent.at.date().isoformat())
        got[key] = got.get(key, 0) + 1
    assert got == expected
    assert len(expected) > 100  # most had something due on several days


async def test_a_person_with_closed_dms_does_not_stop_the_others(
    svc: Service, clock: FakeClock
) -> None:
    for who in (person("a"), person("b")):
        await svc.remind(who, "on 09:00 UTC")
        await svc.grade(who, concepts(svc, 1)[0], "모르겠어요")
    notifier = RecordingNotifier(clock, platform="discord")
    notifier.gone.add("@a")
    clock.set(datetime(2026, 12, 3, 9, 1, tzinfo=UTC))
    assert await svc.reminder_runner(notifier).tick() == 1
    assert [s.target.channel_id for s in notifier.sent] == ["@b"]


async def test_a_reminder_time_in_a_dst_gap_fires_after_the_gap(
    svc: Service, clock: FakeClock
) -> None:
    await svc.remind(person(), "on 02:30 America/New_York")
    await svc.grade(person(), concepts(svc, 1)[0], "모르겠어요")
    notifier = RecordingNotifier(clock, platform="discord")
    runner = svc.reminder_runner(notifier)
    clock.set(datetime(2027, 3, 14, 6, 59, tzinfo=UTC))  # 01:59 EST, before the gap
    assert await runner.tick() == 0
    clock.set(datetime(2027, 3, 14, 7, 0, tzinfo=UTC))  # 03:00 EDT: 02:30 never happened
    assert await runner.tick() == 1


# --- /stats, the leaderboard, /export, the dashboard -----------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    """The size of a PNG, decoded whole (Pillow, which matplotlib itself needs, reads every
    chunk and pixel: a truncated or corrupt file fails here)."""
    from PIL import Image

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        image.load()
        pixels = image.convert("L").getextrema()
        assert pixels[0] < pixels[1]  # not a blank picture
        return image.size


async def test_stats_draw_a_real_png_and_say_the_figures(svc: Service, clock: FakeClock) -> None:
    empty = await svc.stats(person())
    assert empty.extra["key"] == "stats" and empty.extra["answers"] == 0 and not empty.files
    for concept in concepts(svc, 4):
        await answer_well(svc, person(), concept)
        clock.advance(timedelta(days=1))
    reply = await svc.stats(person())
    assert reply.extra["answers"] == 4 and reply.extra["streak"] >= 1
    [chart] = reply.files
    assert chart.mime == "image/png"
    width, height = png_size(chart.data)
    assert width > 600 and height > 300
    with pytest.raises(Forbidden):
        await svc.stats(person("u2"), "u1")
    other = await svc.stats(person("admin", admin=True), "u1")
    assert other.extra["answers"] == 4
    never = await svc.stats(person("admin", admin=True), "nobody")
    assert never.extra["answers"] == 0


async def test_one_answer_draws_a_chart_of_one_point(svc: Service) -> None:
    await answer_well(svc, person(), concepts(svc, 1)[0])
    [chart] = (await svc.stats(person())).files
    png_size(chart.data)


async def test_the_leaderboard_pages_names_people_and_respects_opt_out(svc: Service) -> None:
    concept = concepts(svc, 1)[0]
    for i in range(12):
        for _ in range(12 - i):
            await svc.grade(person(f"m{i:02d}", name=f"Member {i}"), concept, concept.definition)
    page = await svc.leaderboard(person("m00", name="Member 0"), "week")
    assert page.extra["key"] == "leaderboard" and page.extra["rows"] == 10
    assert page.body.startswith("1. Member 0 —") and "<@" not in page.body
    [following] = page.actions
    second = await svc.act(person(), following.command, following.argument)
    assert second[0].extra["page"] == 2 and second[0].extra["rows"] == 2
    await svc.leaderboard_opt(person("m00", name="Member 0"), True)
    after = await svc.leaderboard(person("m01", name="Member 1"), "all")
    assert "Member 0 " not in after.body and after.body.startswith("1. Member 1 —")


async def test_export_gives_csv_and_an_anki_deck(svc: Service) -> None:
    for concept in concepts(svc, 3):
        await svc.grade(person(), concept, "모르겠어요")
    reply = await svc.export(person())
    assert reply.extra["key"] == "export" and reply.ephemeral
    files = {f.filename: f for f in reply.files}
    rows = list(csv.DictReader(io.StringIO(files["answers.csv"].data.decode("utf-8-sig"))))
    assert len(rows) == 3 and {r["source"] for r in rows} == {"grade"}
    deck = files["weakest-anki.txt"].data.decode("utf-8").splitlines()
    assert deck[0] == "#separator:tab"
    cards = [line for line in deck if not line.startswith("#")]
    assert len(cards) == 3 and all(line.count("\t") == 2 for line in cards)


async def test_the_dashboard_has_the_due_count_and_a_review_button(
    svc: Service, clock: FakeClock
) -> None:
    await svc.grade(person(), concepts(svc, 1)[0], "모르겠어요")
    clock.advance(timedelta(days=2))
    board = await svc.dashboard(person())
    assert board.extra == {"key": "dashboard", "due": 1}
    assert [a.command for a in board.actions] == ["review.start"]


async def test_a_streak_longer_than_the_first_read_is_counted_whole(
    svc: Service, clock: FakeClock
) -> None:
    """The streak's days are read for the last two months first; one that reaches back
    further is read whole."""
    from bot.app.reviews import STREAK_WINDOW

    concept = concepts(svc, 1)[0]
    days = STREAK_WINDOW.days + 8
    for _ in range(days):
        await svc.grade(person(), concept, concept.definition)
        clock.advance(timedelta(days=1))
    clock.advance(timedelta(days=-1))
    reply = await svc.stats(person())
    assert reply.extra["streak"] == days
