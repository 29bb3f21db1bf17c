"""``/topics``, the topic autocomplete of ``/interview start`` and ``/daily set``, and replies in
the person's Discord language — through discord.py against the fake Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.adapters.discord.client import DiscordBot
from bot.app.service import Service
from bot.core.messages import t
from tests.fakes.discord import FakeDiscord, running_client

JSON = dict[str, Any]
STATS = "통계적 개념"  # a category of the shipped notes
WAIT_S = 20


@pytest.fixture
async def bot(fake_discord: FakeDiscord, service: Service) -> AsyncIterator[DiscordBot]:
    client = DiscordBot(service, guild_id=fake_discord.guild_id)
    async with running_client(client, fake_discord):
        yield client


def _texts(handle: Any) -> str:
    return str([r.json for r in handle.requests if r.json])


@pytest.mark.parametrize(("locale", "language"), [("ko", "ko"), ("en-US", "en"), ("en-GB", "en")])
async def test_topics_lists_every_category_with_its_count_in_the_persons_language(
    fake_discord: FakeDiscord, bot: DiscordBot, service: Service, locale: str, language: str
) -> None:
    handle = await fake_discord.send_slash_command("topics", {}, locale=locale)
    await handle.responses(count=2)
    text = _texts(handle)
    assert t("topics_title", language) in text
    for category, count in service.topic_counts().items():
        assert category in text
        assert t("topics_line", language, topic="", count=count).split("— ")[1] in text


@pytest.mark.parametrize(
    ("command", "typed"),
    [("interview start", "통계"), ("interview start", "statistics"), ("daily set", "stat")],
)
async def test_topic_autocomplete_finds_the_category_in_either_language(
    fake_discord: FakeDiscord, bot: DiscordBot, command: str, typed: str
) -> None:
    options = (
        {"topic": typed} if command.startswith("interview") else {"time": "09:00", "topic": typed}
    )
    handle = await fake_discord.send_autocomplete(
        command, options, "topic", user=fake_discord.admin, locale="en-US"
    )
    (callback,) = await handle.responses()
    choices = callback.json["data"]["choices"]
    assert choices and choices[0]["value"] == STATS
    assert "statistical" in choices[0]["name"], "English speakers read the topic in English too"


async def test_an_english_client_gets_an_english_interview(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    handle = await fake_discord.send_slash_command(
        "interview start", {"topic": "statistics", "rounds": 2}, locale="en-US"
    )
    await handle.responses(count=2)
    (thread,) = fake_discord.threads(fake_discord.channel_id)
    started = t("interview_started_in_thread", "en", thread=f"<#{thread['id']}>")
    assert started in _texts(handle), "not a bare thread link"
    title = t("question_title", "en", number=1, total=2, category=STATS)
    (question,) = await fake_discord.wait_until(
        lambda: (
            [m for m in fake_discord.channel_messages(int(thread["id"])) if title in str(m)] or None
        ),
        WAIT_S,
        "the first question, in English",
    )
    answer = await fake_discord.press_button(
        label=t("action_answer", "en"), message=question, locale="en-US"
    )
    await answer.responses()
    assert answer.modal is not None
    assert t("answer_modal_label", "en") in str(answer.modal), "the modal speaks English too"
    other = await fake_discord.press_button(
        label=t("action_stop", "en"), message=question, user=fake_discord.admin, locale="en-US"
    )
    await other.responses(count=2)
    assert t("interview_not_yours", "en") in _texts(other), "and so do refusals"
