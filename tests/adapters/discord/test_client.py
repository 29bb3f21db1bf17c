"""Starting the Discord front end as an operator does (``run_discord``), against the fake: the
two ways a start is refused are one clear message each, not a traceback."""

from __future__ import annotations

import asyncio

import pytest

from bot.adapters.discord.client import run_discord
from bot.app.service import Service
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.errors import BadInput
from bot.core.messages import t
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord.payloads import INTENT_GUILD_MEMBERS

START_TIMEOUT_S = 20


async def _start(settings: Settings, token: str) -> BadInput:
    service = await Service.start(settings)
    try:
        with pytest.raises(BadInput) as refused:
            async with asyncio.timeout(START_TIMEOUT_S):
                await run_discord(service, token)
    finally:
        await service.close()
    return refused.value


async def test_the_intent_switched_on_here_but_not_in_the_portal_is_one_clear_message(
    fake_discord: FakeDiscord, make_settings: type[Settings], sqlite_url: str
) -> None:
    fake_discord.privileged_intents = INTENT_GUILD_MEMBERS  # the portal's switch is off
    settings = make_settings(
        database_url=sqlite_url,
        knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
        discord_message_content=True,
    )
    refused = await _start(settings, fake_discord.token)
    assert refused.key == "discord_intent_refused"
    for locale in ("ko", "en"):
        assert "DISCORD_MESSAGE_CONTENT" in t(refused.key, locale)


async def test_a_wrong_token_is_one_clear_message(
    fake_discord: FakeDiscord, make_settings: type[Settings], sqlite_url: str
) -> None:
    settings = make_settings(database_url=sqlite_url, knowledge_paths=[DEFAULT_KNOWLEDGE_DIR])
    refused = await _start(settings, "not-the-token")
    assert refused.key == "discord_login_failed"
