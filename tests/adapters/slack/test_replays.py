"""Slack retries and replays (the same event id, the same command trigger) are processed once,
whichever of two processes on one database receives them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.adapters.slack.app import SlackFrontEnd
from bot.app.service import Service
from bot.config import Settings
from bot.core.messages import t
from tests.fakes.slack import (
    ADMIN_USER_ID,
    DEFAULT_CHANNEL_ID,
    DEFAULT_USER_ID,
    FakeSlack,
    SlackDriver,
    serve_bolt_http,
)

STATS = "통계적 개념"  # a category of the shipped notes
SETTLE_S = 1.0


def _front(fake: FakeSlack, service: Service) -> SlackFrontEnd:
    return SlackFrontEnd(
        service,
        token=fake.bot_token,
        signing_secret=fake.signing_secret,
        client=fake.web_client(),
    )


@pytest.fixture
async def drivers(
    fake_slack: FakeSlack, service: Service, settings: Settings
) -> AsyncIterator[tuple[SlackDriver, SlackDriver]]:
    other = await Service.start(settings)  # a second process on the same database
    try:
        async with (
            serve_bolt_http(_front(fake_slack, service).app) as first,
            serve_bolt_http(_front(fake_slack, other).app) as second,
        ):
            yield fake_slack.http(first), fake_slack.http(second)
    finally:
        await other.close()


async def test_a_retried_thread_answer_is_graded_once(
    fake_slack: FakeSlack, drivers: tuple[SlackDriver, SlackDriver]
) -> None:
    one, two = drivers
    await one.slash_command("/interview", f"{STATS} 2")
    title = t("question_title", "ko", number=1, total=2, category=STATS)
    question = await fake_slack.wait_for_message(lambda m: m.from_bot and title in m.all_text())
    answer = fake_slack.build_message_event(
        "귀무가설은 차이가 없다는 가설이고 p값이 작으면 기각해요",
        user_id=DEFAULT_USER_ID,
        channel_id=DEFAULT_CHANNEL_ID,
        thread_ts=question.thread_ts,
    )
    for driver in (one, two, one):  # Slack retries a late ack with the same event id
        assert (await driver.deliver("events_api", answer)).acked
    await fake_slack.wait_for_message(
        lambda m: m.from_bot and t("field_hits", "ko") in m.all_text()
    )
    await asyncio.sleep(SETTLE_S)
    graded = [
        m for m in fake_slack.messages if m.from_bot and t("field_hits", "ko") in m.all_text()
    ]
    assert len(graded) == 1, "one answer, one grade, the interview not moved on twice"


async def test_a_replayed_daily_now_posts_once(
    fake_slack: FakeSlack, drivers: tuple[SlackDriver, SlackDriver]
) -> None:
    one, two = drivers
    command = fake_slack.build_slash_command("/daily", "now", user_id=ADMIN_USER_ID)
    for driver in (one, two):
        assert (await driver.deliver("slash_commands", command)).acked
    await fake_slack.wait_for_message(
        lambda m: m.from_bot and t("daily_title_now", "ko") in m.all_text()
    )
    await asyncio.sleep(SETTLE_S)
    posts = [
        m
        for m in fake_slack.messages
        if m.from_bot and not m.is_ephemeral and t("daily_title_now", "ko") in m.all_text()
    ]
    assert len(posts) == 1
