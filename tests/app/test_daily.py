"""The daily question through the Service: admin commands (set/off/now/status), bad input, the
question choice, answers in the thread (graded, stored, reference hidden until revealed) and the
reveal with the day's figures. Real databases; the platform is a recording notifier."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.adapters.text_commands import daily_command
from bot.app.daily_runner import DailyRunner
from bot.app.service import Service
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.errors import BadInput, Conflict, Forbidden, NotFound
from bot.core.messages import t
from bot.core.models import Caller, Concept, Reply, ReplyKind
from bot.core.ports import Posted, Target
from bot.db import daily as repo
from bot.db.tables import AnswerRow
from bot.testing import FakeClock, RecordingNotifier
from tests.wording import message_pattern

PLATFORM = "test"
WORKSPACE = "w1"
CHANNEL = "general"
# Friday 2024-03-01, 08:00 in Seoul (the default zone); 09:00 there is 00:00 UTC.
CLOCK_START = datetime(2024, 2, 29, 23, 0, tzinfo=UTC)
NINE_SEOUL = datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SHIPPED_CONCEPTS = 27
# A Discord snowflake: all digits, far beyond a 32-bit integer.
SNOWFLAKE = 1_234_567_890_123_456_789


def Notifier(*, snowflakes: bool = False) -> RecordingNotifier:
    """The shared recording platform on this file's platform (``snowflakes``: Discord-like ids)."""
    return RecordingNotifier(platform=PLATFORM, snowflakes=snowflakes)


def questions(notifier: RecordingNotifier) -> list[tuple[Reply, Posted]]:
    """The questions posted, with their ids."""
    return [(s.reply, s.posted) for s in notifier.questions]


def reveals(notifier: RecordingNotifier) -> list[tuple[Target, Reply]]:
    """The reveals posted into threads."""
    return [(s.target, s.reply) for s in notifier.reveals]


def person(user_id: str, *, is_admin: bool = False, channel: str = CHANNEL) -> Caller:
    """Someone in the test channel."""
    return Caller(PLATFORM, user_id, channel, WORKSPACE, is_admin=is_admin, locale="en")


ADMIN = person("admin", is_admin=True)


@pytest.fixture
def clock() -> FakeClock:
    """The test's clock: Friday 2024-03-01, 08:00 in Seoul."""
    return FakeClock(CLOCK_START)


async def _start(
    make_settings: type[Settings], url: str, tmp_path: Path, clock: FakeClock
) -> Service:
    settings = make_settings(
        database_url=url,
        data_dir=tmp_path / "data",
        knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
        locale="en",
    )
    return await Service.start(settings, clock=clock)


@pytest.fixture
async def service(
    make_settings: type[Settings], sqlite_url: str, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[Service]:
    """A Service on a fresh SQLite file."""
    started = await _start(make_settings, sqlite_url, tmp_path, clock)
    yield started
    await started.close()


@pytest.fixture
async def db_service(
    make_settings: type[Settings], db_url: str, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[Service]:
    """A Service on SQLite, then on a fresh PostgreSQL database."""
    started = await _start(make_settings, db_url, tmp_path, clock)
    yield started
    await started.close()


def fields(reply: Reply) -> dict[str, str]:
    """A reply's fields by name."""
    return {field.name: field.value for field in reply.fields}


def when(shown: dict[str, str], locale: str = "en") -> tuple[str, str, str]:
    """A schedule's time, days and zone, as its fields show them."""
    keys = ("daily_field_time", "daily_field_days", "daily_field_tz")
    time, days, zone = (shown[t(key, locale)] for key in keys)
    return time, days, zone


async def post_today(service: Service, runner: DailyRunner, clock: FakeClock, day: int = 0) -> None:
    """Move to 09:00 Seoul of day ``day`` and let the runner post."""
    clock.set(NINE_SEOUL + day * DAY)
    assert await runner.tick() == 1


async def concept_of(service: Service, posted: Posted) -> Concept:
    """The concept a posted question asks about."""
    post = await service.daily.find_post(posted.thread_id or posted.message_id)
    assert post is not None and post.concept_id is not None
    return service.concept(post.concept_id)


# --- admin commands --------------------------------------------------------------------------


async def test_only_admins_set_stop_or_post_now(service: Service) -> None:
    notifier = Notifier()
    runner = service.daily_runner(notifier)
    someone = person("someone")
    with pytest.raises(Forbidden) as refused:
        await service.daily.set(someone, "09:00")
    assert refused.value.key == "admin_only"
    await service.daily.set(ADMIN, "09:00")
    with pytest.raises(Forbidden):
        await service.daily.off(someone)
    with pytest.raises(Forbidden):
        await service.daily.now(someone, runner)
    # Anyone may look at the status; the schedule is unchanged by the refused calls.
    status = await service.daily.status(someone)
    assert fields(status)["State"] == "on"
    assert notifier.sent == []


@pytest.mark.parametrize(
    ("arguments", "key"),
    [
        ({"time_text": "25:00"}, "daily_bad_time"),
        ({"time_text": "9:75"}, "daily_bad_time"),
        ({"time_text": "noon-ish"}, "daily_bad_time"),
        ({"time_text": "09:00", "tz": "KST"}, "daily_bad_tz"),
        ({"time_text": "09:00", "tz": "Mars/Olympus_Mons"}, "daily_bad_tz"),
        ({"time_text": "09:00", "weekdays": "funday"}, "daily_bad_weekdays"),
        ({"time_text": "09:00", "weekdays": ","}, "daily_bad_weekdays"),
        ({"time_text": "09:00", "topic": "astrology"}, "interview_unknown_topic"),
    ],
)
async def test_bad_time_zone_weekdays_or_topic_is_refused_and_nothing_stored(
    service: Service, arguments: dict[str, str], key: str
) -> None:
    with pytest.raises(BadInput) as refused:
        await service.daily.set(ADMIN, **arguments)
    assert refused.value.key == key
    status = await service.daily.status(ADMIN)
    assert status.fields == ()  # still no schedule here


async def test_set_status_off_and_partial_changes(service: Service, clock: FakeClock) -> None:
    assert (await service.daily.status(ADMIN)).body.startswith("No daily question")
    with pytest.raises(NotFound):
        await service.daily.off(ADMIN)

    done = await service.daily.set(ADMIN, "오후 6:30", tz="europe/berlin", weekdays="평일")
    assert "18:30" in done.title and "Europe/Berlin" in done.title
    shown = fields(await service.daily.status(ADMIN))
    assert when(shown) == ("18:30", "mon,tue,wed,thu,fri", "Europe/Berlin")
    assert shown["State"] == "on"
    assert shown["Next post"] == "2024-03-01 18:30 CET"  # Friday, in the channel's own zone
    assert shown["Last post"] == "not yet"
    assert shown["Left in this cycle"] == str(SHIPPED_CONCEPTS)
    assert shown["Topic"] == "all"

    await service.daily.set(ADMIN, tz="America/New_York")  # only the zone changes
    shown = fields(await service.daily.status(ADMIN))
    assert when(shown) == ("18:30", "mon,tue,wed,thu,fri", "America/New_York")
    assert shown["Next post"] == "2024-02-29 18:30 EST"  # it is still Thursday 18:00 there

    await service.daily.off(ADMIN)
    shown = fields(await service.daily.status(ADMIN))
    assert (shown["State"], shown["Next post"]) == ("off", "—")
    runner = service.daily_runner(Notifier())
    clock.set(datetime(2024, 3, 1, 23, 30, tzinfo=UTC))  # Friday 18:30 in New York
    assert await runner.tick() == 0
    await service.daily.set(ADMIN)  # on again, as it was
    assert fields(await service.daily.status(ADMIN))["State"] == "on"

    clock.set(datetime(2024, 3, 4, 23, 30, tzinfo=UTC))  # Monday 18:30 in New York
    assert await runner.tick() == 1
    shown = fields(await service.daily.status(ADMIN))
    assert shown["Last post"] == "2024-03-04 18:30 EST"
    assert shown["Next post"] == "2024-03-05 18:30 EST"
    assert shown["Left in this cycle"] == str(SHIPPED_CONCEPTS - 1)


async def test_off_twice_says_the_second_time_that_it_was_already_off(service: Service) -> None:
    await service.daily.set(ADMIN, "09:00")
    first = await service.daily.off(ADMIN)
    assert first.title == t("daily_off_done", "en")
    second = await service.daily.off(ADMIN)
    assert second.title == t("daily_off_already", "en")
    assert fields(await service.daily.status(ADMIN))[t("daily_field_state", "en")] == "off"


async def test_set_changes_only_what_it_names_and_says_the_whole_schedule(
    service: Service,
) -> None:
    """The rule: a part ``set`` does not name keeps its value, and the reply lists every part
    (time, days, zone, topic) and names the ones kept, so nothing is kept silently."""
    first = fields(await service.daily.set(ADMIN, "07:30", weekdays="평일", topic="통계"))
    assert when(first) == ("07:30", "mon,tue,wed,thu,fri", "Asia/Seoul")
    assert first[t("daily_field_topic", "en")] == "통계적 개념"
    assert t("daily_field_kept", "en") not in first, "a new schedule keeps nothing"

    again = fields(await service.daily.set(ADMIN, "04:50"))
    assert when(again) == ("04:50", "mon,tue,wed,thu,fri", "Asia/Seoul")
    assert again[t("daily_field_topic", "en")] == "통계적 개념"
    kept = ("daily_field_days", "daily_field_tz", "daily_field_topic")
    assert again[t("daily_field_kept", "en")] == ", ".join(t(key, "en") for key in kept)

    status = fields(await service.daily.status(ADMIN))
    assert {name: status[name] for name in again if name in status} == {
        name: value for name, value in again.items() if name != t("daily_field_kept", "en")
    }, "set and status show the schedule the same way"


@pytest.mark.parametrize("word", ["전체", "all", "ALL"])
async def test_topic_all_the_word_status_shows_means_every_topic(
    service: Service, word: str
) -> None:
    await service.daily.set(ADMIN, "09:00", topic="통계")
    done = fields(await service.daily.set(ADMIN, topic=word))
    assert done[t("daily_field_topic", "en")] == t("topic_all", "en")
    shown = fields(await service.daily.status(ADMIN))
    assert shown[t("daily_field_topic", "en")] == t("topic_all", "en")
    assert shown[t("daily_field_left", "en")] == str(SHIPPED_CONCEPTS)


@pytest.mark.parametrize("locale", ["ko", "en"])
async def test_what_status_prints_set_accepts_as_typed(service: Service, locale: str) -> None:
    """Each part status shows, typed back to ``/daily set`` (the console's and Slack's words),
    gives the same schedule, a topic of several words included."""
    runner = service.daily_runner(Notifier())
    here = replace(ADMIN, locale=locale)
    ml = "머신러닝 (딥러닝 포함) 수학 관한 질문 및 답변"
    await daily_command(service, here, f"set 21:15 America/New_York 주말 topic={ml}", runner)
    shown = fields(await service.daily.status(here))
    assert when(shown, locale) == ("21:15", "sat,sun", "America/New_York")
    assert shown[t("daily_field_topic", locale)] == ml

    twin = replace(here, channel_id="twin")
    time, days, zone = when(shown, locale)
    typed = f"set {time} {zone} {days} topic={shown[t('daily_field_topic', locale)]}"
    await daily_command(service, twin, typed, runner)
    assert fields(await service.daily.status(twin)) == shown

    await daily_command(service, twin, f"set topic={t('topic_all', locale)}", runner)
    everything = fields(await service.daily.status(twin))
    assert everything[t("daily_field_topic", locale)] == t("topic_all", locale)
    assert when(everything, locale) == when(shown, locale), "only the topic changed"


async def test_set_defaults_to_seoul_every_day(service: Service) -> None:
    await service.daily.set(ADMIN)
    shown = fields(await service.daily.status(ADMIN))
    assert when(shown) == ("09:00", "mon,tue,wed,thu,fri,sat,sun", "Asia/Seoul")
    assert shown["Next post"] == "2024-03-01 09:00 KST"


async def test_now_posts_at_once_without_a_schedule(service: Service, clock: FakeClock) -> None:
    notifier = Notifier()
    runner = service.daily_runner(notifier)
    reply = await service.daily.now(ADMIN, runner)
    assert reply.ephemeral
    [(question, posted)] = questions(notifier)
    assert reply.body in question.footer  # the marker Q#id
    assert posted.thread_id is not None and notifier.sent[0].open_thread  # opened a thread
    assert question.title == "Question of the day"
    # /daily now alone does not start a schedule.
    assert fields(await service.daily.status(ADMIN))["State"] == "off"
    clock.set(NINE_SEOUL)
    assert await runner.tick() == 0
    # A second one reveals the first in its thread.
    await service.daily.now(ADMIN, runner)
    assert len(questions(notifier)) == 2
    [(target, reveal)] = reveals(notifier)
    assert target.thread_id == posted.thread_id
    assert reveal.extra["count"] == 0 and "Nobody answered." in reveal.body


async def test_now_in_a_channel_that_is_gone_tells_the_admin_and_disables(service: Service) -> None:
    notifier = Notifier()
    notifier.gone.add(CHANNEL)
    runner = service.daily_runner(notifier)
    await service.daily.set(ADMIN, "09:00")
    with pytest.raises(Conflict) as err:
        await service.daily.now(ADMIN, runner)
    assert err.value.key == "daily_post_failed" and "403" in str(err.value.params["reason"])
    state = fields(await service.daily.status(ADMIN))["State"]
    assert state == "disabled: cannot post in the channel (403 Missing Access)"


# --- which question ----------------------------------------------------------------------------


async def test_topic_filter_asks_only_that_category_and_cycles_through_it(
    service: Service, clock: FakeClock
) -> None:
    category = "통계적 개념"
    in_topic = {c.id for c in service.concepts() if c.category == category}
    assert 1 < len(in_topic) < SHIPPED_CONCEPTS
    await service.daily.set(ADMIN, "09:00", topic="통계")  # resolved to the category
    assert fields(await service.daily.status(ADMIN))["Topic"] == category
    notifier = Notifier()
    runner = service.daily_runner(notifier)
    for day in range(len(in_topic) + 2):
        await post_today(service, runner, clock, day)
    asked = [(await concept_of(service, posted)).id for _, posted in questions(notifier)]
    assert set(asked) == in_topic
    assert len(set(asked[: len(in_topic)])) == len(in_topic)  # no repeat within the cycle
    assert fields(await service.daily.status(ADMIN))["Left in this cycle"] == str(len(in_topic) - 2)


async def test_the_same_seed_asks_the_same_sequence(service: Service, clock: FakeClock) -> None:
    await service.daily.set(ADMIN, "09:00")
    await service.daily.set(person("admin", is_admin=True, channel="twin"), "09:00")
    async with service.sessions() as session, session.begin():
        one = await repo.get_schedule(session, PLATFORM, WORKSPACE, CHANNEL)
        assert one is not None
        await repo.save_schedule(
            session, PLATFORM, WORKSPACE, "twin", now=clock.now(), seed=one.seed
        )
    notifier = Notifier()
    runner = service.daily_runner(notifier)
    for day in range(5):
        clock.set(NINE_SEOUL + day * DAY)
        assert await runner.tick() == 2
    by_channel: dict[str, list[int]] = {}
    for target, reply, _, posted, _at in notifier.sent:
        if reply.kind is ReplyKind.QUESTION:
            by_channel.setdefault(target.channel_id, []).append(
                (await concept_of(service, posted)).id
            )
    assert by_channel[CHANNEL] == by_channel["twin"]
    assert len(set(by_channel[CHANNEL])) == 5


# --- answers and the reveal ----------------------------------------------------------------------


async def test_answers_are_graded_stored_hidden_until_revealed_once_each(
    service: Service, clock: FakeClock
) -> None:
    await service.daily.set(ADMIN, "09:00")
    notifier = Notifier()
    runner = service.daily_runner(notifier)
    await post_today(service, runner, clock)
    [(_, posted)] = questions(notifier)
    assert posted.thread_id is not None
    concept = await concept_of(service, posted)

    alice = await service.daily.answer(person("alice"), posted.thread_id, concept.definition)
    assert alice.kind is ReplyKind.GRADE
    assert alice.spoiler  # the reference answer, hidden for those who have not answered
    assert concept.term not in alice.body and alice.body == ""
    alice_score = alice.extra["score"]
    assert isinstance(alice_score, int) and alice_score >= 60

    again = await service.daily.answer(person("alice"), posted.thread_id, "a second try")
    assert again.kind is ReplyKind.INFO and again.ephemeral
    assert again.title == f"You already answered this one ({alice_score}/100). See you tomorrow!"

    bob = await service.daily.answer(person("bob"), posted.message_id, "잘 모르겠어요")
    bob_score = bob.extra["score"]
    assert isinstance(bob_score, int) and bob_score < alice_score
    bob_missed = fields(bob)["Key points missed"]
    assert bob_missed != "none"

    async with service.sessions() as session:
        rows = list(await session.scalars(select(AnswerRow).order_by(AnswerRow.id)))
    assert [(r.user_id, r.score, r.concept_id) for r in rows] == [
        ("alice", alice_score, concept.id),
        ("bob", bob_score, concept.id),
    ]
    assert rows[0].answer == concept.definition[: len(rows[0].answer)]
    assert all(r.daily_post_id is not None and r.channel_id == CHANNEL for r in rows)

    # The next question reveals this one in its thread, with the day's figures.
    await post_today(service, runner, clock, day=1)
    [(target, reveal)] = reveals(notifier)
    assert target.thread_id == posted.thread_id
    assert reveal.title == f"Answer revealed · {concept.term}"
    assert concept.definition in reveal.body
    assert reveal.extra["count"] == 2
    assert reveal.extra["average"] == round((alice_score + bob_score) / 2, 1)
    assert f"2 answers · average {reveal.extra['average']}/100" in reveal.body
    missed = Counter(point for row in rows for point in row.misses)
    top_point, top_count = missed.most_common(1)[0]
    assert top_count == 2 or top_point in bob_missed
    assert "Most missed: " in reveal.body and f"{top_point} ({top_count})" in reveal.body

    # After the reveal nothing is hidden any more.
    carol = await service.daily.answer(person("carol"), f"Q#{reveal.extra['daily_post_id']}", "x")
    assert carol.spoiler == "" and concept.term in carol.body
    # A third day reveals the second question, not the first again.
    await post_today(service, runner, clock, day=2)
    assert len(reveals(notifier)) == 2
    assert reveals(notifier)[1][0].thread_id == questions(notifier)[1][1].thread_id


async def test_an_answer_outside_a_daily_thread_is_not_found(service: Service) -> None:
    for reference in ("t999", "Q#999", "999", "Q#abc", "", str(SNOWFLAKE)):
        with pytest.raises(NotFound) as missing:
            await service.daily.answer(person("alice"), reference, "an answer")
        assert missing.value.key == "daily_no_post"


async def test_discord_sized_thread_ids_work_on_every_database(
    db_service: Service, clock: FakeClock
) -> None:
    """Thread ids are snowflakes (all digits, beyond 32 bits): never taken for a post id."""
    await db_service.daily.set(ADMIN, "09:00")
    notifier = Notifier(snowflakes=True)
    runner = db_service.daily_runner(notifier)
    await post_today(db_service, runner, clock)
    [(_, posted)] = questions(notifier)
    assert posted.thread_id is not None and int(posted.thread_id) > 2**63 // 10
    concept = await concept_of(db_service, posted)
    graded = await db_service.daily.answer(person("alice"), posted.thread_id, concept.definition)
    assert graded.kind is ReplyKind.GRADE
    with pytest.raises(NotFound):
        await db_service.daily.answer(person("alice"), str(SNOWFLAKE * 7), "no such thread")


async def test_a_now_post_does_not_hide_later_questions_from_the_reveal(
    db_service: Service, clock: FakeClock
) -> None:
    """The latest question is found by when it was due, on every backend (PostgreSQL sorts a
    NULL local date, a /daily now post, first in descending order)."""
    notifier = Notifier()
    runner = db_service.daily_runner(notifier)
    await db_service.daily.now(ADMIN, runner)
    clock.set(CLOCK_START + timedelta(minutes=5))
    await db_service.daily.set(ADMIN, "09:00")
    for day in range(3):
        await post_today(db_service, runner, clock, day)
    threads = [posted.thread_id for _, posted in questions(notifier)]
    assert [target.thread_id for target, _ in reveals(notifier)] == threads[:-1]
    status = fields(await db_service.daily.status(ADMIN))
    assert status["Last post"] == "2024-03-03 09:00 KST"


async def test_thread_answers_are_graded_privately_and_the_thread_only_hears_who_answered(
    service: Service, clock: FakeClock
) -> None:
    await service.daily.set(ADMIN, "09:00")
    notifier = Notifier()
    await post_today(service, service.daily_runner(notifier), clock)
    [(_, posted)] = questions(notifier)
    assert posted.thread_id is not None
    concept = await concept_of(service, posted)
    alice = replace(person("alice"), display_name="Alice @everyone", thread_id=posted.thread_id)

    graded, public = await service.answer_in_thread(alice, concept.definition)
    assert graded.kind is ReplyKind.GRADE and graded.ephemeral, "the grade is for alice only"
    assert not public.ephemeral and public.kind is ReplyKind.INFO
    assert message_pattern("daily_answered_public", locale="en").search(public.title)
    assert "@everyone" not in public.title
    assert [a.command for a in public.actions] == ["daily.mine"]

    (mine,) = await service.act(alice, "daily.mine", public.actions[0].argument)
    assert mine.kind is ReplyKind.GRADE and mine.ephemeral
    assert mine.extra["score"] == graded.extra["score"]
    (nothing,) = await service.act(person("bob"), "daily.mine", public.actions[0].argument)
    assert nothing.ephemeral and nothing.title == t("daily_not_answered", "en")
