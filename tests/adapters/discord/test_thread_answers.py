"""Answering in threads with Discord's defaults (no message-content intent): the bot sees only
messages that mention it. The interview and the daily post say so, a mention with the answer is
graded, and a message the bot could not read gets a how-to-answer reply instead of silence."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.adapters.discord.client import DiscordBot
from bot.app.service import Service
from bot.core.messages import t
from tests.fakes.discord import FakeDiscord, running_client
from tests.wording import message_pattern

JSON = dict[str, Any]
STATS = "통계적 개념"  # a category of the shipped notes
WAIT_S = 20
QUIET_S = 0.5  # how long nothing more is said
ANSWER = "귀무가설은 차이가 없다는 가설이고 p값이 유의수준보다 작으면 기각합니다"


@pytest.fixture(params=[False, True], ids=["default-intents", "message-content"])
async def bot(
    request: pytest.FixtureRequest, fake_discord: FakeDiscord, service: Service
) -> AsyncIterator[DiscordBot]:
    client = DiscordBot(service, guild_id=fake_discord.guild_id, message_content=request.param)
    async with running_client(client, fake_discord):
        yield client


def _said(fake: FakeDiscord, channel_id: int, needle: str) -> list[JSON]:
    return [m for m in fake.channel_messages(channel_id) if needle in str(m)]


async def _interview_thread(fake: FakeDiscord) -> int:
    handle = await fake.send_slash_command("interview start", {"topic": "통계", "rounds": 2})
    await handle.responses(count=2)
    (thread,) = fake.threads(fake.channel_id)
    title = t("question_title", "ko", number=1, total=2, category=STATS)
    await fake.wait_until(lambda: _said(fake, int(thread["id"]), title) or None, WAIT_S, "Q1")
    return int(thread["id"])


async def test_the_interview_says_how_to_answer_for_the_intents_it_has(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    thread = await _interview_thread(fake_discord)
    how = "answer_how_text" if bot.message_content else "answer_how_mention"
    assert _said(fake_discord, thread, t(how, "ko"))


async def test_a_mention_with_the_answer_is_graded_either_way(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    thread = await _interview_thread(fake_discord)
    await fake_discord.send_message_create(
        thread, f"<@{fake_discord.application_id}> {ANSWER}", author=fake_discord.user
    )
    hits = t("field_hits", "ko")
    await fake_discord.wait_until(
        lambda: _said(fake_discord, thread, hits) or None, WAIT_S, "the grade"
    )


async def test_an_unreadable_message_gets_how_to_answer_not_silence(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    thread = await _interview_thread(fake_discord)
    await fake_discord.send_message_create(thread, ANSWER, author=fake_discord.user)
    if bot.message_content:
        hits = t("field_hits", "ko")
        await fake_discord.wait_until(
            lambda: _said(fake_discord, thread, hits) or None, WAIT_S, "the grade"
        )
        assert not _said(fake_discord, thread, t("answer_needs_mention", "ko"))
    else:
        needs = t("answer_needs_mention", "ko")
        await fake_discord.wait_until(
            lambda: _said(fake_discord, thread, needs) or None, WAIT_S, "how to answer"
        )
        assert not _said(fake_discord, thread, t("field_hits", "ko"))


async def test_the_daily_post_says_how_and_chat_after_answering_is_left_alone(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    handle = await fake_discord.send_slash_command("daily now", {}, user=fake_discord.admin)
    await handle.responses(count=1)
    title = t("daily_title_now", "ko")
    channel = fake_discord.channel_id
    (post,) = await fake_discord.wait_until(
        lambda: _said(fake_discord, channel, title) or None, WAIT_S, "the daily post"
    )
    footer = "daily_footer" if bot.message_content else "daily_footer_mention"
    assert t(footer, "ko", post_id=0).split(" · ")[0] in str(post)
    thread = int(post["id"])  # the thread opened on the post has the post's id
    await fake_discord.wait_until(
        lambda: [th for th in fake_discord.threads(channel) if int(th["id"]) == thread] or None,
        WAIT_S,
        "the post's thread",
    )
    answered = message_pattern("daily_answered_public")
    await fake_discord.send_message_create(
        thread, f"<@{fake_discord.application_id}> {ANSWER}", author=fake_discord.user
    )
    await fake_discord.wait_until(
        lambda: (
            [m for m in fake_discord.channel_messages(thread) if answered.search(str(m))] or None
        ),
        WAIT_S,
        "the thread hears it",
    )
    await fake_discord.send_message_create(thread, "오 어렵네요", author=fake_discord.user)
    await fake_discord.settle()
    await asyncio.sleep(QUIET_S)
    assert not _said(fake_discord, thread, t("answer_needs_mention", "ko"))
