"""The bot's Discord front end, end to end: the real discord.py client logs in to the fake
Discord on 127.0.0.1, syncs its commands and answers interactions over a real Service."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.adapters.discord.client import DiscordBot
from bot.app.service import Service
from bot.config import Settings
from bot.core.messages import t
from bot.core.models import Caller
from tests.fakes.discord import FakeDiscord, running_client
from tests.wording import message_pattern

GUILD_READY_TIMEOUT_S = 0.05
EMBED_POLLS = 500
EMBED_POLL_S = 0.02
JSON = dict[str, Any]
STATS = "통계적 개념"  # a category of the shipped notes
_ADMIN = Caller("console", "admin", "console", is_admin=True)  # reads the appeals


def _embeds(requests: list[Any]) -> list[JSON]:
    found: list[JSON] = []
    for request in requests:
        body = request.json or {}
        data = body.get("data", body) if isinstance(body, dict) else {}
        found.extend((data or {}).get("embeds") or [])
    return found


def _text(embed: JSON) -> str:
    parts = [embed.get("title", ""), embed.get("description", "")]
    parts += [f"{f['name']} {f['value']}" for f in embed.get("fields", [])]
    parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(parts)


async def _embed_with(handle: Any, needle: str, count: int = 2) -> JSON:
    async def found() -> JSON | None:
        for embed in _embeds(handle.requests):
            if needle in _text(embed):
                return embed
        return None

    for _ in range(EMBED_POLLS):
        embed = await found()
        if embed is not None:
            return embed
        await asyncio.sleep(EMBED_POLL_S)
    raise AssertionError(
        f"no embed with {needle!r}: {[_text(e) for e in _embeds(handle.requests)]}"
    )


def _bot(service: Service, fake: FakeDiscord, *, message_content: bool = False) -> DiscordBot:
    return DiscordBot(
        service,
        guild_id=fake.guild_id,
        message_content=message_content,
        guild_ready_timeout=GUILD_READY_TIMEOUT_S,
    )


@pytest.fixture
async def bot(fake_discord: FakeDiscord, service: Service) -> AsyncIterator[DiscordBot]:
    client = _bot(service, fake_discord, message_content=True)
    async with running_client(client, fake_discord):
        yield client


async def _first_question(fake_discord: FakeDiscord, **user: Any) -> JSON:
    """Start a two-round 통계 interview (as ``user``, default the test user) and wait for its
    first question in the interview's thread."""
    handle = await fake_discord.send_slash_command(
        "interview start", {"topic": "통계", "rounds": 2}, **user
    )
    await handle.responses(count=2)
    (thread,) = fake_discord.threads(fake_discord.channel_id)
    title = t("question_title", "ko", number=1, total=2, category=STATS)
    question: JSON = await fake_discord.wait_until(
        lambda: next(
            (m for m in fake_discord.channel_messages(int(thread["id"])) if title in str(m)), None
        ),
        5,
        "the first question in the thread",
    )
    return question


async def test_commands_are_synced_to_the_development_guild(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    synced = fake_discord.synced_commands[fake_discord.guild_id]
    assert {c["name"] for c in synced} == {
        *("define", "interview", "daily", "topics", "notes"),
        *("review", "remind", "stats", "leaderboard", "export"),
    }


def _described(node: JSON) -> list[JSON]:
    """A synced command and its options (sub-commands included), depth first."""
    return [node, *(n for option in node.get("options") or [] for n in _described(option))]


async def test_every_description_is_localized_per_discord_language(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    nodes = [n for c in fake_discord.synced_commands[fake_discord.guild_id] for n in _described(c)]
    assert len(nodes) > 10
    for node in nodes:
        localized = node.get("description_localizations") or {}
        assert localized.get("ko") and localized.get("en-US"), node["name"]
        assert localized["ko"] != localized["en-US"], node["name"]
        assert "·" not in node["description"], "no 'Korean · English' strings"


async def test_define_answers_with_an_embed_that_pings_nobody(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    handle = await fake_discord.send_slash_command("define", {"term": "cnn은"})
    embed = await _embed_with(handle, "CNN (합성곱 신경망)")
    assert "interview-notes.md:25" in _text(embed)
    followups = [r for r in handle.requests if r.method == "POST" and "/webhooks/" in r.path]
    assert followups and all(r.json["allowed_mentions"] == {"parse": []} for r in followups)


async def test_did_you_mean_buttons_answer_when_pressed(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    handle = await fake_discord.send_slash_command("define", {"term": "회귀"})
    await _embed_with(handle, t("did_you_mean_title", "ko"))
    pressed = await fake_discord.press_button(label="선형회귀 (Linear Regression)")
    embed = await _embed_with(pressed, "독립변수와 종속변수")
    assert embed["title"].startswith("선형회귀")


async def test_autocomplete_offers_concepts(fake_discord: FakeDiscord, bot: DiscordBot) -> None:
    handle = await fake_discord.send_autocomplete("define", {"term": "도커"}, "term")
    (callback,) = await handle.responses()
    choices = callback.json["data"]["choices"]
    assert {"name": "Docker (도커)", "value": "Docker"} in choices and len(choices) <= 25


async def test_interview_round_in_a_thread_through_the_modal(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    handle = await fake_discord.send_slash_command(
        "interview start", {"topic": "통계", "rounds": 2}
    )
    await handle.responses(count=2)
    (thread,) = fake_discord.threads(fake_discord.channel_id)
    first_title = t("question_title", "ko", number=1, total=2, category=STATS)
    second_title = t("question_title", "ko", number=2, total=2, category=STATS)
    question = await fake_discord.wait_until(
        lambda: next(
            (m for m in fake_discord.channel_messages(int(thread["id"])) if first_title in str(m)),
            None,
        ),
        5,
        "the first question in the thread",
    )
    answer = await fake_discord.press_button(label=t("action_answer", "ko"), message=question)
    await answer.responses()
    assert answer.modal is not None
    assert answer.modal["title"] == first_title, "the modal shows which question it answers"
    (row,) = answer.modal["components"]
    (box,) = row["components"]
    assert box["placeholder"] and box["placeholder"] in str(question), "and the question itself"
    submitted = await fake_discord.submit_modal(
        None, {"answer": "귀무가설은 차이가 없다는 전제이고 기각하면 대립가설"}
    )
    graded = await _embed_with(submitted, t("field_hits", "ko"))
    assert t("field_hits", "ko") in _text(graded) and t("field_misses", "ko") in _text(graded)
    assert t("field_reference", "ko") in _text(graded)
    second = await _embed_with(submitted, second_title)
    stop_message = next(m for m in submitted.messages if second_title in str(m))
    stopped = await fake_discord.press_button(label=t("action_stop", "ko"), message=stop_message)
    summary = await _embed_with(stopped, t("summary_title", "ko"))
    assert message_pattern("summary_average", count=1).search(summary["description"])
    assert second


async def test_daily_is_admin_only(fake_discord: FakeDiscord, bot: DiscordBot) -> None:
    handle = await fake_discord.send_slash_command(
        "daily set", {"time": "09:00"}, user=fake_discord.user
    )
    refused = await _embed_with(handle, t("admin_only", "ko"))
    assert refused


async def test_daily_set_changes_only_what_it_names(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    admin = fake_discord.admin
    first = await fake_discord.send_slash_command("daily set", {"time": "07:30"}, user=admin)
    await _embed_with(first, "07:30")
    topic_only = await fake_discord.send_slash_command("daily set", {"topic": "통계"}, user=admin)
    embed = await _embed_with(topic_only, STATS)
    assert "07:30" in _text(embed), "the time set before is kept"
    assert t("daily_field_kept", "ko") in _text(embed), "and the reply says what was kept"


async def test_daily_post_opens_a_thread_and_grades_answers_privately_with_a_spoiler(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    handle = await fake_discord.send_slash_command("daily now", {}, user=fake_discord.admin)
    await _embed_with(handle, "Q#")
    posts = [
        m
        for m in fake_discord.channel_messages(fake_discord.channel_id)
        if t("daily_title_now", "ko") in str(m)
    ]
    assert posts
    (thread,) = [
        th for th in fake_discord.threads(fake_discord.channel_id) if th["id"] == posts[-1]["id"]
    ]
    await fake_discord.send_message_create(
        int(thread["id"]), "잘 모르겠지만 설명해 보겠습니다", author=fake_discord.user
    )
    answered = message_pattern("daily_answered_public")
    ack = await fake_discord.wait_until(
        lambda: next(
            (
                m
                for m in fake_discord.channel_messages(int(thread["id"]))
                if answered.search(str(m))
            ),
            None,
        ),
        5,
        "the thread hears that someone answered",
    )
    in_thread = str(fake_discord.channel_messages(int(thread["id"])))
    assert t("field_hits", "ko") not in in_thread, "nobody else sees the grade or its points"
    shown = await fake_discord.press_button(
        label=t("action_daily_mine", "ko"), message=ack, user=fake_discord.user
    )
    graded = await _embed_with(shown, t("field_hits", "ko"))
    assert "||" in str(graded), "the reference stays a spoiler until revealed"
    assert all(m.get("flags", 0) & 64 for m in shown.messages), "only the person sees it"


async def test_a_definition_over_the_limits_is_cut_cleanly(
    fake_discord: FakeDiscord, make_settings: type[Settings], tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "long.md").write_text(
        "Longnote - " + "아주 긴 설명입니다. " * 1500 + "\n", encoding="utf-8"
    )
    settings = make_settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'l.sqlite3'}",
        data_dir=tmp_path,
        knowledge_paths=[notes],
    )
    service = await Service.start(settings)
    try:
        async with running_client(_bot(service, fake_discord), fake_discord):
            handle = await fake_discord.send_slash_command("define", {"term": "longnote"})
            embed = await _embed_with(handle, "Longnote")
            assert len(embed["description"]) <= 4096 and embed["description"].endswith("…")
            more = await fake_discord.press_button(label="…")
            pages = await more.responses(count=3)
            contents = [r.json.get("content") for r in pages if r.json and r.json.get("content")]
            assert contents and all(len(c) <= 2000 for c in contents)
    finally:
        await service.close()


async def test_a_429_is_honoured(fake_discord: FakeDiscord, bot: DiscordBot) -> None:
    failure = fake_discord.fail_next("POST", r"/webhooks/", 429)
    handle = await fake_discord.send_slash_command("define", {"term": "docker"})
    await _embed_with(handle, "Docker")
    assert failure.hits == 1


async def test_everyone_is_echoed_without_a_ping(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    handle = await fake_discord.send_slash_command("define", {"term": "@everyone zzqx"})
    embed = await _embed_with(handle, "zzqx")
    assert "@everyone" not in _text(embed)
    assert all(not m.get("mention_everyone") for m in handle.messages)


async def test_the_appeal_button_on_a_grade_records_it_privately_for_its_owner_only(
    fake_discord: FakeDiscord, bot: DiscordBot, service: Service
) -> None:
    question = await _first_question(fake_discord)
    answer = await fake_discord.press_button(label=t("action_answer", "ko"), message=question)
    await answer.responses()
    submitted = await fake_discord.submit_modal(None, {"answer": "잘 모르겠어요"})
    await _embed_with(submitted, t("field_hits", "ko"))
    graded = next(m for m in submitted.messages if t("field_hits", "ko") in str(m))

    stranger = await fake_discord.press_button(
        label=t("action_appeal", "ko"), message=graded, user=fake_discord.admin
    )
    await _embed_with(stranger, t("appeal_not_yours", "ko"))
    assert stranger.messages and all(m.get("flags", 0) & 64 for m in stranger.messages)
    nothing = await service.appeals.report(_ADMIN, everywhere=True)
    assert nothing.body == t("appeals_none", "ko"), "a refused appeal records nothing"

    pressed = await fake_discord.press_button(label=t("action_appeal", "ko"), message=graded)
    await _embed_with(pressed, t("appeal_recorded_title", "ko"))
    assert pressed.messages and all(m.get("flags", 0) & 64 for m in pressed.messages)
    report = await service.appeals.report(_ADMIN, everywhere=True)
    assert message_pattern("appeals_concept_line", appeals=1, graded=1, rate=100).search(
        report.body
    )


def _buttons(message: JSON) -> dict[str, int]:
    """Each button's label and style in a message."""
    return {
        button["label"]: button["style"]
        for row in message.get("components", [])
        for button in row.get("components", [])
    }


async def test_grades_are_coloured_by_band_and_buttons_styled_by_what_they_do(
    fake_discord: FakeDiscord, bot: DiscordBot, service: Service
) -> None:
    question = await _first_question(fake_discord)
    styles = _buttons(question)
    assert styles[t("action_answer", "ko")] == discord.ButtonStyle.primary.value
    assert styles[t("action_stop", "ko")] == discord.ButtonStyle.danger.value
    assert styles[t("action_hint", "ko")] == discord.ButtonStyle.secondary.value

    answer = await fake_discord.press_button(label=t("action_answer", "ko"), message=question)
    await answer.responses()
    submitted = await fake_discord.submit_modal(None, {"answer": "잘 모르겠어요"})
    graded = await _embed_with(submitted, t("field_hits", "ko"))
    assert message_pattern("grade_title", score=0).search(graded["title"])
    assert graded["color"] == discord.Colour.red().value, "0점 is red, not green"
    graded_message = next(m for m in submitted.messages if t("field_hits", "ko") in str(m))
    assert _buttons(graded_message)[t("action_appeal", "ko")] == (
        discord.ButtonStyle.secondary.value
    )

    second_title = t("question_title", "ko", number=2, total=2, category=STATS)
    await _embed_with(submitted, second_title)
    second = next(m for m in submitted.messages if second_title in str(m))
    concept = max(
        (c for c in service.concepts() if c.term in _text(second["embeds"][0])),
        key=lambda c: len(c.term),
    )
    again = await fake_discord.press_button(label=t("action_answer", "ko"), message=second)
    await again.responses()
    right = await fake_discord.submit_modal(None, {"answer": concept.definition[:3000]})
    excellent = await _embed_with(right, t("field_hits", "ko"))
    assert excellent["color"] == discord.Colour.green().value, excellent["title"]


async def test_spoiler_and_strikethrough_marks_in_notes_read_as_written(
    fake_discord: FakeDiscord, make_settings: type[Settings], tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "marks.md").write_text(
        "Pipemark - 논리합은 a || b 로 쓰고 ~~취소선~~ 처럼 보이면 안 된다\n", encoding="utf-8"
    )
    settings = make_settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'm.sqlite3'}",
        data_dir=tmp_path,
        knowledge_paths=[notes],
    )
    service = await Service.start(settings)
    try:
        async with running_client(_bot(service, fake_discord), fake_discord):
            handle = await fake_discord.send_slash_command("define", {"term": "pipemark"})
            embed = await _embed_with(handle, "Pipemark")
            assert r"a \|\| b" in embed["description"]
            assert r"\~\~취소선\~\~" in embed["description"]
    finally:
        await service.close()


async def test_interview_hint_typed_in_the_channel_reaches_the_interview_in_its_thread(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    await _first_question(fake_discord)
    hint = await fake_discord.send_slash_command("interview hint", {})  # in the parent channel
    shown = await _embed_with(hint, t("hint_title", "ko"))
    assert t("interview_none", "ko") not in str(shown)


async def test_stop_pressed_by_someone_else_says_whose_interview_it_is(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    question = await _first_question(fake_discord, user=fake_discord.user)
    pressed = await fake_discord.press_button(
        label=t("action_stop", "ko"), message=question, user=fake_discord.admin
    )
    assert await _embed_with(pressed, t("interview_not_yours", "ko"))
