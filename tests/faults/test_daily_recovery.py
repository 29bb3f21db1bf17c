"""A daily question whose post went out but whose record did not (a crash between the platform's
answer and the database write) was posted again once the channel had moved on: recovery looked
for the post only among the last 50 messages. It now searches every message since the post was
due, so hundreds of messages after it do not hide it — on Discord and on Slack, through the real
client libraries against the fakes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.adapters.discord.client import DiscordBot
from bot.adapters.slack.app import SlackFrontEnd
from bot.app.daily_runner import DailyRunner
from bot.app.service import Service
from bot.core.daily.rules import marker
from bot.core.messages import t
from bot.db import daily as repo
from bot.db.tables import DailyPostRow, utcnow
from tests.fakes.discord import FakeDiscord, running_client
from tests.fakes.discord.driver import fake_discord as fake_discord
from tests.fakes.slack import (
    ADMIN_USER_ID,
    DEFAULT_CHANNEL_ID,
    DEFAULT_USER_ID,
    FakeMessage,
    FakeSlack,
    serve_bolt_http,
)
from tests.fakes.slack.driver import fake_slack as fake_slack
from tests.fakes.slack.driver import no_proxy_env as no_proxy_env
from tests.fakes.slack.driver import task_leak_guard as task_leak_guard

BUSY = 300  # messages after the post: six times the old search window
WAIT_S = 10
POLL_S = 0.05


async def _posted(service: Service) -> DailyPostRow:
    """The one daily post, once the database records it as posted."""
    async with service.sessions() as session:
        rows = list((await session.scalars(select(DailyPostRow))).all())
    assert len(rows) == 1
    return rows[0]


async def _until_recorded(service: Service) -> None:
    for _ in range(int(WAIT_S / POLL_S)):
        async with service.sessions() as session:
            status = await session.scalar(select(DailyPostRow.status))
        if status == repo.POSTED:
            return
        await asyncio.sleep(POLL_S)
    raise AssertionError("the daily post was never recorded as posted")


async def _forget_the_confirmation(service: Service) -> DailyPostRow:
    """Put the post back as a crash after the platform's answer leaves it: claimed, no message
    id, and the claim expired so the next tick recovers it."""
    row = await _posted(service)
    assert row.status == repo.POSTED and row.message_id
    async with service.sessions() as session, session.begin():
        await session.execute(
            update(DailyPostRow)
            .where(DailyPostRow.id == row.id)
            .values(
                status=repo.CLAIMED,
                message_id=None,
                thread_id=None,
                posted_at=None,
                claim_expires_at=utcnow() - timedelta(minutes=1),
            )
        )
    return row


async def _recovered(service: Service, runner: DailyRunner, before: DailyPostRow) -> DailyPostRow:
    assert await runner.tick() == 0, "recovery found the post: nothing posted again"
    after = await _posted(service)
    assert after.status == repo.POSTED
    assert after.message_id == before.message_id
    return after


# --- Discord --------------------------------------------------------------------------------


@pytest.fixture
async def discord_bot(fake_discord: FakeDiscord, service: Service) -> AsyncIterator[DiscordBot]:
    client = DiscordBot(service, guild_id=fake_discord.guild_id, message_content=True)
    async with running_client(client, fake_discord):
        yield client


async def test_discord_recovery_finds_the_post_under_hundreds_of_messages(
    fake_discord: FakeDiscord, discord_bot: DiscordBot, service: Service
) -> None:
    handle = await fake_discord.send_slash_command("daily now", {}, user=fake_discord.admin)
    await handle.responses(count=1)
    title = t("daily_title_now", "ko")
    channel = fake_discord.channel_id
    await fake_discord.wait_until(
        lambda: [m for m in fake_discord.channel_messages(channel) if title in str(m)] or None,
        WAIT_S,
        "the daily post",
    )
    await _until_recorded(service)
    row = await _forget_the_confirmation(service)
    fake_discord.add_history(
        fake_discord.channel_id, [f"잡담 {number}" for number in range(BUSY)], fake_discord.user
    )
    await _recovered(service, discord_bot.runner, row)
    posts = [m for m in fake_discord.channel_messages(fake_discord.channel_id) if title in str(m)]
    assert len(posts) == 1
    assert marker(row.id) in str(posts[0])


# --- Slack ----------------------------------------------------------------------------------


@pytest.fixture
async def slack_front(fake_slack: FakeSlack, service: Service) -> SlackFrontEnd:
    return SlackFrontEnd(
        service,
        token=fake_slack.bot_token,
        signing_secret=fake_slack.signing_secret,
        client=fake_slack.web_client(),
    )


async def _slack_daily_now(fake_slack: FakeSlack, front: SlackFrontEnd, service: Service) -> None:
    async with serve_bolt_http(front.app) as url:
        await fake_slack.http(url).slash_command("/daily", "now", user_id=ADMIN_USER_ID)
        await fake_slack.wait_for_message(
            lambda m: m.from_bot and t("daily_title_now", "ko") in m.all_text()
        )
        await _until_recorded(service)


def _slack_posts(fake_slack: FakeSlack) -> list[FakeMessage]:
    title = t("daily_title_now", "ko")
    return [
        m
        for m in fake_slack.channel_messages(DEFAULT_CHANNEL_ID)
        if m.from_bot and m.thread_ts is None and title in m.all_text()
    ]


async def test_slack_recovery_pages_the_history_to_find_the_post(
    fake_slack: FakeSlack, slack_front: SlackFrontEnd, service: Service
) -> None:
    await _slack_daily_now(fake_slack, slack_front, service)
    row = await _forget_the_confirmation(service)
    for number in range(BUSY):
        fake_slack.build_message_event(
            f"잡담 {number}", user_id=DEFAULT_USER_ID, channel_id=DEFAULT_CHANNEL_ID
        )
    await _recovered(service, slack_front.runner, row)
    assert len(_slack_posts(fake_slack)) == 1
    pages = fake_slack.calls_to("conversations.history")
    assert len(pages) >= 2, "more than one page was read"


async def test_slack_recovery_without_history_access_records_a_failure_not_a_second_post(
    fake_slack: FakeSlack, slack_front: SlackFrontEnd, service: Service
) -> None:
    await _slack_daily_now(fake_slack, slack_front, service)
    row = await _forget_the_confirmation(service)
    fake_slack.fail_next("conversations.history", error="missing_scope")
    assert await slack_front.runner.tick() == 0
    after = await _posted(service)
    assert after.status == repo.FAILED
    assert after.id == row.id
    assert len(_slack_posts(fake_slack)) == 1
