"""The learning loop on Discord, end to end: the real discord.py client against the fake
Discord over a real Service with a fake clock. ``/review`` (a session in a thread, "review
anyway"), ``/stats`` with its PNG chart, ``/leaderboard`` (public, pinging nobody, opt-out),
``/export`` (CSV and Anki deck, private), and ``/remind`` with the reminder runner's DM (once
per day, across a restart; its button points to the server; a person who takes no DMs is
skipped without a crash)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.discord.client import DiscordBot
from bot.adapters.discord.notifier import DiscordNotifier
from bot.app.service import Service
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.messages import t
from bot.core.models import Caller, Concept, Reply
from bot.core.ports import ChannelUnavailable
from bot.testing import FakeClock
from tests.fakes.discord import (
    CALLBACK_DEFERRED_MESSAGE,
    CALLBACK_DEFERRED_UPDATE,
    FLAG_EPHEMERAL,
    FakeDiscord,
    RecordedRequest,
    running_client,
)
from tests.fakes.discord.payloads import PERM_MANAGE_THREADS
from tests.wording import message_pattern

JSON = dict[str, Any]
GUILD_READY_TIMEOUT_S = 0.05
WAIT_S = 10
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
STATS_TOPIC = "통계적 개념"  # a category of the shipped notes
OPTION_BOOLEAN = 5
# 21:30 in Seoul, nine days after the fake clock's start: a bad answer's card is due by then.
EVENING_IN_SEOUL = datetime(2024, 1, 10, 12, 30, tzinfo=UTC)


@pytest.fixture
def learning_settings(make_settings: type[Settings], tmp_path: Path, sqlite_url: str) -> Settings:
    """The shipped notes, no watcher, no timer."""
    return make_settings(
        database_url=sqlite_url,
        data_dir=tmp_path / "data",
        knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
        knowledge_watch=False,
        knowledge_sync_minutes=0,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def learning_service(learning_settings: Settings, clock: FakeClock) -> AsyncIterator[Service]:
    service = await Service.start(learning_settings, clock=clock)
    yield service
    await service.close()


@pytest.fixture
async def bot(fake_discord: FakeDiscord, learning_service: Service) -> AsyncIterator[DiscordBot]:
    client = DiscordBot(
        learning_service, guild_id=fake_discord.guild_id, guild_ready_timeout=GUILD_READY_TIMEOUT_S
    )
    async with running_client(client, fake_discord):
        yield client


# --- helpers ---------------------------------------------------------------------------------


def _who(fake: FakeDiscord, user: JSON) -> Caller:
    """The Caller the bot builds for ``user`` in the fake's channel."""
    return Caller(
        "discord",
        str(user["id"]),
        str(fake.channel_id),
        workspace_id=str(fake.guild_id),
        display_name=str(user.get("global_name") or user["username"]),
    )


def _concepts(service: Service, count: int) -> list[Concept]:
    return [c for c in service.concepts() if c.category == STATS_TOPIC][:count]


async def _graded(service: Service, caller: Caller, count: int = 2, *, well: bool = True) -> None:
    """History for ``caller``: ``count`` answers, right (the note itself) or not."""
    for concept in _concepts(service, count):
        await service.grade(caller, concept, concept.definition if well else "잘 모르겠어요")


def _text(requests: list[RecordedRequest]) -> str:
    parts: list[str] = []
    for request in requests:
        body = request.json if isinstance(request.json, dict) else {}
        data = body.get("data", body) or {}
        parts.append(str(data.get("content") or ""))
        for embed in data.get("embeds") or []:
            parts += [embed.get("title", ""), embed.get("description", "")]
            parts += [f"{f['name']} {f['value']}" for f in embed.get("fields", [])]
            parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(parts)


async def _answer(handle: Any) -> RecordedRequest:
    """The (first) followup of a deferred interaction, after checking it was deferred."""
    (callback,) = await handle.responses(timeout=WAIT_S)
    assert callback.json["type"] == CALLBACK_DEFERRED_MESSAGE
    (followup, *_) = await handle.followups(timeout=WAIT_S)
    return followup


def _private(handle: Any, followup: RecordedRequest) -> bool:
    deferred = int((handle.requests[0].json.get("data") or {}).get("flags") or 0)
    sent = int(followup.json.get("flags") or 0)
    return bool(deferred & FLAG_EPHEMERAL and sent & FLAG_EPHEMERAL)


async def _message_in(fake: FakeDiscord, channel_id: int, needle: str) -> JSON:
    """The first message in a channel whose text has ``needle`` (waiting for it)."""
    found: JSON = await fake.wait_until(
        lambda: next((m for m in fake.channel_messages(channel_id) if needle in str(m)), None),
        WAIT_S,
        f"{needle!r} in channel {channel_id}",
    )
    return found


def _question_title(number: int, total: int, category: str = STATS_TOPIC) -> str:
    return t("question_title", "ko", number=number, total=total, category=category)


async def _question_in(fake: FakeDiscord, channel_id: int) -> JSON:
    """The first question asked in a channel or thread (waiting for it)."""
    pattern = message_pattern("question_title")
    found: JSON = await fake.wait_until(
        lambda: next(
            (m for m in fake.channel_messages(channel_id) if pattern.search(str(m))), None
        ),
        WAIT_S,
        f"a question in channel {channel_id}",
    )
    return found


# --- the commands as Discord shows them ------------------------------------------------------


async def test_the_learning_commands_are_synced_with_localized_options(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    gid = fake_discord.guild_id
    review = fake_discord.synced_command("review", gid)
    assert review is not None
    assert {o["name"]: o["type"] for o in review["options"]} == {"anyway": OPTION_BOOLEAN}
    remind = fake_discord.synced_command("remind", gid)
    assert remind is not None and {o["name"] for o in remind["options"]} == {"on", "off", "status"}
    board = fake_discord.synced_command("leaderboard", gid)
    assert board is not None
    assert {o["name"] for o in board["options"]} == {"show", "optout", "optin"}
    show = next(o for o in board["options"] if o["name"] == "show")
    period = next(o for o in show["options"] if o["name"] == "period")
    assert [c["value"] for c in period["choices"]] == ["week", "all"]
    assert period["choices"][0]["name_localizations"]["en-US"] == t("cmd_leaderboard_week", "en")
    stats = fake_discord.synced_command("stats", gid)
    assert stats is not None and [o["name"] for o in stats["options"]] == ["member"]
    export = fake_discord.synced_command("export", gid)
    assert export is not None
    assert export["description_localizations"]["en-US"] == t("cmd_export", "en")


# --- /review ---------------------------------------------------------------------------------


async def test_an_answered_question_comes_back_in_a_review_thread_and_is_answered_there(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    started = await fake_discord.send_slash_command(
        "interview start", {"topic": "통계", "rounds": 1}
    )
    await started.responses(count=2)
    (interview,) = fake_discord.threads(fake_discord.channel_id)
    question = await _message_in(fake_discord, int(interview["id"]), _question_title(1, 1))
    opened = await fake_discord.press_button(label=t("action_answer", "ko"), message=question)
    await opened.responses()
    graded = await fake_discord.submit_modal(None, {"answer": "잘 모르겠어요"})
    await graded.followups(timeout=WAIT_S)

    review = await fake_discord.send_slash_command("review", {"anyway": True})
    followup = await _answer(review)
    threads = fake_discord.threads(fake_discord.channel_id)
    assert len(threads) == 2
    thread = next(th for th in threads if th["id"] != interview["id"])
    assert thread["name"] == t("review_thread_name", "ko", name="Alice")
    assert f"<#{thread['id']}>" in followup.json["content"]
    assert followup.json["allowed_mentions"] == {"parse": []}
    question = await _question_in(fake_discord, int(thread["id"]))
    intro = fake_discord.channel_messages(int(thread["id"]))[0]
    assert message_pattern("review_intro_cram", count=1).search(str(intro)), "1 card, none due"
    opened = await fake_discord.press_button(label=t("action_answer", "ko"), message=question)
    await opened.responses()
    answered = await fake_discord.submit_modal(None, {"answer": "귀무가설과 대립가설"})
    await answered.followups(timeout=WAIT_S)
    assert t("field_hits", "ko") in _text(answered.requests), "the review grades like an interview"


async def test_nothing_due_offers_review_anyway_and_the_button_starts_it_in_a_thread(
    fake_discord: FakeDiscord, bot: DiscordBot, learning_service: Service
) -> None:
    await _graded(learning_service, _who(fake_discord, fake_discord.user))
    handle = await fake_discord.send_slash_command("review")
    followup = await _answer(handle)
    assert message_pattern("review_none_due").search(_text([followup]))
    assert fake_discord.threads(fake_discord.channel_id) == [], "no empty thread is left"
    (message,) = [m for m in handle.messages if m.get("components")]

    pressed = await fake_discord.press_button(
        label=t("action_review_anyway", "ko"), message=message
    )
    started = await _answer(pressed)
    (thread,) = fake_discord.threads(fake_discord.channel_id)
    assert f"<#{thread['id']}>" in started.json["content"]
    question = await _question_in(fake_discord, int(thread["id"]))
    assert question["channel_id"] == thread["id"]


async def test_a_bot_that_may_not_delete_threads_archives_the_empty_one(
    fake_discord: FakeDiscord, bot: DiscordBot, learning_service: Service
) -> None:
    guild = fake_discord.guilds[fake_discord.guild_id]
    role = next(r for r in guild.roles.values() if r["managed"])
    role["permissions"] = str(int(role["permissions"]) & ~PERM_MANAGE_THREADS)
    handle = await fake_discord.send_slash_command("interview start", {"topic": "zzqx 없는 주제"})
    await handle.responses(count=2, timeout=WAIT_S)
    refused = await handle.followups(timeout=WAIT_S)
    assert t("error_title", "ko") in _text(refused), "an unknown topic is refused"
    (thread,) = fake_discord.threads(fake_discord.channel_id)
    assert thread["thread_metadata"]["archived"], "closed, as its creator may"
    assert fake_discord.channel_messages(int(thread["id"])) == []


async def test_nothing_due_opens_no_thread(
    fake_discord: FakeDiscord, bot: DiscordBot, learning_service: Service
) -> None:
    await _graded(learning_service, _who(fake_discord, fake_discord.user))
    followup = await _answer(await fake_discord.send_slash_command("review"))
    assert message_pattern("review_none_due").search(_text([followup]))
    assert fake_discord.threads(fake_discord.channel_id) == []


async def test_a_session_that_cannot_start_leaves_no_thread(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    handle = await fake_discord.send_slash_command("interview start", {"topic": "zzqx 없는 주제"})
    await handle.responses(count=2, timeout=WAIT_S)
    refused = await handle.followups(timeout=WAIT_S)
    assert t("error_title", "ko") in _text(refused), "an unknown topic is refused"
    assert fake_discord.threads(fake_discord.channel_id) == []


# --- /stats ----------------------------------------------------------------------------------


async def test_stats_are_private_with_a_png_chart(
    fake_discord: FakeDiscord, bot: DiscordBot, learning_service: Service
) -> None:
    await _graded(learning_service, _who(fake_discord, fake_discord.user), 3)
    handle = await fake_discord.send_slash_command("stats")
    followup = await _answer(handle)
    assert _private(handle, followup)
    assert message_pattern("stats_title", name="Alice").search(_text([followup]))
    assert followup.files == ["stats.png"]
    png = followup.upload("stats.png")
    assert png.startswith(PNG_SIGNATURE) and png[12:16] == b"IHDR"
    (embed,) = followup.json["embeds"]
    assert embed["image"]["url"] == "attachment://stats.png", "the chart shows in the embed"
    try:
        from PIL import Image
    except ImportError:  # the signature and header are checked above
        return
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.width > 100 and image.height > 100


async def test_another_members_stats_are_for_admins(
    fake_discord: FakeDiscord, bot: DiscordBot, learning_service: Service
) -> None:
    await _graded(learning_service, _who(fake_discord, fake_discord.admin))
    member = {"member": int(fake_discord.admin["id"])}
    refused = await fake_discord.send_slash_command("stats", member, user=fake_discord.user)
    text = _text([await _answer(refused)])
    assert t("admin_only", "ko") in text
    assert "stats.png" not in str(refused.requests[-1].files)

    user = {"member": int(fake_discord.user["id"])}
    await _graded(learning_service, _who(fake_discord, fake_discord.user))
    allowed = await fake_discord.send_slash_command("stats", user, user=fake_discord.admin)
    followup = await _answer(allowed)
    assert _private(allowed, followup)
    assert t("admin_only", "ko") not in _text([followup])
    assert followup.files == ["stats.png"]


# --- /leaderboard ----------------------------------------------------------------------------


async def test_the_leaderboard_is_public_pings_nobody_and_an_opt_out_leaves_it(
    fake_discord: FakeDiscord, bot: DiscordBot, learning_service: Service
) -> None:
    await _graded(learning_service, _who(fake_discord, fake_discord.user), 2)
    await _graded(learning_service, _who(fake_discord, fake_discord.admin), 1)
    shown = await fake_discord.send_slash_command("leaderboard show")
    followup = await _answer(shown)
    assert not _private(shown, followup), "the channel sees the leaderboard"
    assert followup.json["allowed_mentions"] == {"parse": []}
    assert all(not m["mentions"] and not m["mention_roles"] for m in shown.messages)
    text = _text([followup])
    assert t("leaderboard_title_week", "ko") in text
    assert "Alice" in text and "<@" not in text

    opted = await fake_discord.send_slash_command("leaderboard optout")
    answered = await _answer(opted)
    assert _private(opted, answered)
    assert t("leaderboard_opted_out", "ko") in _text([answered])
    again = await fake_discord.send_slash_command(
        "leaderboard show", {"period": "all"}, user=fake_discord.admin
    )
    text = _text([await _answer(again)])
    assert t("leaderboard_title_all", "ko") in text and "Alice" not in text
    assert "Admin" in text

    back = await fake_discord.send_slash_command("leaderboard optin")
    assert t("leaderboard_opted_in", "ko") in _text([await _answer(back)])
    last = await fake_discord.send_slash_command("leaderboard show", user=fake_discord.admin)
    assert "Alice" in _text([await _answer(last)])


async def test_a_leaderboard_page_button_turns_the_page_in_the_same_message(
    fake_discord: FakeDiscord, bot: DiscordBot, learning_service: Service
) -> None:
    (concept,) = _concepts(learning_service, 1)
    for number in range(12):  # more people than one page holds
        someone = Caller(
            "discord", str(9_000 + number), "c", workspace_id=str(fake_discord.guild_id)
        )
        await learning_service.grade(someone, concept, concept.definition)
    shown = await fake_discord.send_slash_command("leaderboard show", {"period": "all"})
    await _answer(shown)
    (message,) = [m for m in shown.messages if m.get("components")]
    assert t("leaderboard_footer", "ko", page=1) in str(message)

    pressed = await fake_discord.press_button(label=t("action_next", "ko"), message=message)
    edit = await pressed.wait_for(lambda r: r.method == "PATCH" and r.ok, WAIT_S)
    assert pressed.requests[0].json["type"] == CALLBACK_DEFERRED_UPDATE
    assert edit.json["allowed_mentions"] == {"parse": []}
    turned = fake_discord.messages[int(message["id"])]
    assert t("leaderboard_footer", "ko", page=2) in str(turned)
    assert t("action_previous", "ko") in str(turned["components"])


# --- /export ---------------------------------------------------------------------------------


async def test_export_is_private_with_the_answers_as_csv_and_an_anki_deck(
    fake_discord: FakeDiscord, bot: DiscordBot, learning_service: Service
) -> None:
    caller = _who(fake_discord, fake_discord.user)
    await _graded(learning_service, caller, 2, well=False)
    handle = await fake_discord.send_slash_command("export")
    followup = await _answer(handle)
    assert _private(handle, followup)
    assert sorted(followup.files) == ["answers.csv", "weakest-anki.txt"]
    rows = list(csv.reader(io.StringIO(followup.upload("answers.csv").decode("utf-8-sig"))))
    assert rows[0][:3] == ["answered_at", "term", "score"]
    terms = {c.term for c in _concepts(learning_service, 2)}
    assert {row[1] for row in rows[1:]} == terms and len(rows) == 3
    deck = followup.upload("weakest-anki.txt").decode("utf-8").splitlines()
    assert deck[0] == "#separator:tab"
    cards = [line.split("\t") for line in deck if not line.startswith("#")]
    assert cards and all(len(card) == 3 for card in cards)


# --- /remind and the reminder runner ---------------------------------------------------------


async def _remind_on(fake: FakeDiscord, **who: Any) -> None:
    handle = await fake.send_slash_command(
        "remind on", {"time": "21:00", "zone": "Asia/Seoul"}, **who
    )
    followup = await _answer(handle)
    assert _private(handle, followup)
    assert t("remind_on", "ko", time="21:00", zone="Asia/Seoul") in _text([followup])


async def test_a_reminder_dm_comes_once_a_day_across_a_restart_and_points_to_the_server(
    fake_discord: FakeDiscord,
    bot: DiscordBot,
    learning_service: Service,
    learning_settings: Settings,
    clock: FakeClock,
) -> None:
    await _graded(learning_service, _who(fake_discord, fake_discord.user), 2, well=False)
    await _remind_on(fake_discord)
    status = await fake_discord.send_slash_command("remind status")
    assert message_pattern("remind_status_on", time="21:00").search(_text([await _answer(status)]))
    assert fake_discord.direct_messages(fake_discord.user) == []

    clock.set(EVENING_IN_SEOUL)  # the bot's own reminder runner wakes up
    (nudge,) = await fake_discord.wait_until(
        lambda: fake_discord.direct_messages(fake_discord.user) or None, WAIT_S, "the nudge DM"
    )
    assert t("nudge_title", "ko") in str(nudge)
    assert nudge["mentions"] == []

    restarted = await Service.start(learning_settings, clock=clock, auto_ingest=False)
    try:  # another process on the same database: the day's nudge is already claimed
        assert await restarted.reminder_runner(DiscordNotifier(bot)).tick() == 0
    finally:
        await restarted.close()
    assert await learning_service.reminder_runner(DiscordNotifier(bot)).tick() == 0
    assert len(fake_discord.direct_messages(fake_discord.user)) == 1

    pressed = await fake_discord.press_button(label=t("action_review", "ko"), message=nudge)
    where = _text([await _answer(pressed)])
    assert t("review_in_server", "ko", server="Fake Guild") in where, "the cards are the server's"


async def test_a_person_who_takes_no_dms_is_skipped_without_a_crash(
    fake_discord: FakeDiscord, bot: DiscordBot, learning_service: Service, clock: FakeClock
) -> None:
    fake_discord.close_dms(fake_discord.user)
    await _graded(learning_service, _who(fake_discord, fake_discord.user), 1, well=False)
    await _remind_on(fake_discord)
    clock.set(EVENING_IN_SEOUL)
    refused = await fake_discord.wait_for(
        lambda r: r.method == "POST" and r.status == 403 and r.path.endswith("/messages"), WAIT_S
    )
    assert refused.response["code"] == 50007
    assert fake_discord.direct_messages(fake_discord.user) == []
    with pytest.raises(ChannelUnavailable, match="50007"):
        await DiscordNotifier(bot).direct(
            str(fake_discord.guild_id), str(fake_discord.user["id"]), Reply("hello")
        )
    handle = await fake_discord.send_slash_command("remind status")
    assert message_pattern("remind_status_on").search(_text([await _answer(handle)]))
