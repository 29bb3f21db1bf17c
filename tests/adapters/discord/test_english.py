"""The whole Discord UI in English: with ``LOCALE=en``, English-only notes and English clients,
every flow (lookup, topics, an interview through its buttons and modal, an unreadable thread
message, the daily question and its private grade, refusals) is walked through discord.py
against the fake, and nothing the bot sent contains Korean."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.adapters.discord.client import DiscordBot
from bot.app.service import Service
from bot.config import Settings
from bot.core.messages import t
from tests.english import ANSWER, TOPIC, korean_in, write_notes
from tests.fakes.discord import FakeDiscord, running_client

EN = "en-US"
WAIT_S = 5
JSON = dict[str, Any]


def _in(fake: FakeDiscord, channel_id: int, needle: str) -> list[JSON]:
    return [m for m in fake.channel_messages(channel_id) if needle in str(m)]


async def _until(fake: FakeDiscord, channel_id: int, needle: str, what: str) -> JSON:
    found: list[JSON] = await fake.wait_until(
        lambda: _in(fake, channel_id, needle) or None, WAIT_S, what
    )
    return found[-1]


async def test_every_discord_flow_speaks_english(
    fake_discord: FakeDiscord, make_settings: type[Settings], tmp_path: Path
) -> None:
    settings = make_settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'en.sqlite3'}",
        data_dir=tmp_path / "data",
        knowledge_paths=[write_notes(tmp_path)],
        locale="en",
    )
    service = await Service.start(settings)
    fake = fake_discord
    try:
        async with running_client(DiscordBot(service, guild_id=fake.guild_id), fake):
            for term in ("deadlok", "tcp", "zzqx"):
                await (
                    await fake.send_slash_command("define", {"term": term}, locale=EN)
                ).responses(count=2)
            await (
                await fake.send_slash_command("define", {"term": "dns", "private": True}, locale=EN)
            ).responses(count=2)
            await (await fake.send_slash_command("topics", {}, locale=EN)).responses(count=2)
            await (await fake.send_slash_command("interview hint", {}, locale=EN)).responses(
                count=2
            )

            started = await fake.send_slash_command(
                "interview start", {"topic": "network", "rounds": 2}, locale=EN
            )
            await started.responses(count=2)
            (thread,) = fake.threads(fake.channel_id)
            room = int(thread["id"])
            first = t("question_title", "en", number=1, total=2, category=TOPIC)
            question = await _until(fake, room, first, "question 1")
            await (
                await fake.press_button(label=t("action_hint", "en"), message=question, locale=EN)
            ).responses(count=2)
            await fake.send_message_create(room, ANSWER, author=fake.user)  # unreadable
            await _until(fake, room, t("answer_needs_mention", "en"), "how to answer")
            await (
                await fake.press_button(label=t("action_answer", "en"), message=question, locale=EN)
            ).responses()
            graded = await fake.submit_modal(None, {"answer": ANSWER}, locale=EN)
            await graded.responses(count=2)
            second = t("question_title", "en", number=2, total=2, category=TOPIC)
            question = await _until(fake, room, second, "question 2")
            await (
                await fake.press_button(label=t("action_stop", "en"), message=question, locale=EN)
            ).responses(count=2)

            admin = {"user": fake.admin, "locale": EN}
            await (
                await fake.send_slash_command("daily set", {"time": "09:00"}, **admin)
            ).responses(count=2)
            await (await fake.send_slash_command("daily status", {}, **admin)).responses(count=2)
            await (await fake.send_slash_command("daily now", {}, **admin)).responses(count=2)
            post = await _until(fake, fake.channel_id, t("daily_title_now", "en"), "daily post")
            await fake.wait_until(
                lambda: (
                    [th for th in fake.threads(fake.channel_id) if th["id"] == post["id"]] or None
                ),
                WAIT_S,
                "the daily thread",
            )
            daily_thread = int(post["id"])
            await fake.send_message_create(
                daily_thread, f"<@{fake.application_id}> {ANSWER}", author=fake.user
            )
            answered = t("action_daily_mine", "en")
            ack = await _until(fake, daily_thread, answered, "the public acknowledgement")
            await (await fake.press_button(label=answered, message=ack, locale=EN)).responses(
                count=2
            )
            await (await fake.send_slash_command("daily off", {}, **admin)).responses(count=2)
    finally:
        await service.close()
    sent = [
        json.dumps(r.json, ensure_ascii=False)
        for r in fake.requests
        if r.json is not None and not r.path.endswith("/commands")  # descriptions hold both
    ]
    assert len(sent) > 20
    leaks = [leak for text in sent for leak in korean_in(text)]
    assert not leaks, leaks
