"""Slash commands as a workspace meets them: ``/define`` for one person, ``/topics``, and an
interview in a channel the bot is not in (it joins a public one itself and asks to be invited to
a private one, since it must read the thread's replies) — through slack-bolt against the fake."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.adapters.slack.app import SlackFrontEnd
from bot.adapters.slack.listeners.commands import define_text
from bot.app.service import Service
from bot.core.messages import t
from tests.fakes.slack import (
    ADMIN_USER_ID,
    DEFAULT_USER_ID,
    OUTSIDE_CHANNEL_ID,
    SECRET_CHANNEL_ID,
    FakeSlack,
    SlackDriver,
    serve_bolt_http,
)

STATS = "통계적 개념"  # a category of the shipped notes


@pytest.fixture
async def driver(fake_slack: FakeSlack, service: Service) -> AsyncIterator[SlackDriver]:
    front = SlackFrontEnd(
        service,
        token=fake_slack.bot_token,
        signing_secret=fake_slack.signing_secret,
        client=fake_slack.web_client(),
    )
    async with serve_bolt_http(front.app) as url:
        yield fake_slack.http(url)


@pytest.mark.parametrize(
    ("text", "term", "private"),
    [
        ("도커", "도커", False),
        ("도커 -p", "도커", True),
        ("--private 가상 메모리", "가상 메모리", True),
    ],
)
def test_define_reads_the_private_flag_anywhere(text: str, term: str, private: bool) -> None:
    assert define_text(text) == (term, private)


async def test_define_with_the_flag_answers_only_the_caller(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    await driver.slash_command("/define", "도커 -p")
    post = await fake_slack.wait_for_response()
    assert post.payload["response_type"] == "ephemeral"
    assert "Docker" in str(post.payload["blocks"])


async def test_topics_lists_the_categories_to_the_caller(
    fake_slack: FakeSlack, driver: SlackDriver, service: Service
) -> None:
    await driver.slash_command("/topics")
    post = await fake_slack.wait_for_response()
    assert post.payload["response_type"] == "ephemeral"
    shown = str(post.payload["blocks"])
    assert t("topics_title", "ko") in shown
    assert all(category in shown for category in service.topic_counts())


async def test_an_interview_in_a_public_channel_the_bot_is_not_in_joins_it_first(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    assert not fake_slack.is_bot_member(OUTSIDE_CHANNEL_ID)
    await driver.slash_command("/interview", "통계 2", channel_id=OUTSIDE_CHANNEL_ID)
    title = t("question_title", "ko", number=1, total=2, category=STATS)
    question = await fake_slack.wait_for_message(lambda m: m.from_bot and title in m.all_text())
    assert fake_slack.is_bot_member(OUTSIDE_CHANNEL_ID), "joined before posting"
    assert question.channel == OUTSIDE_CHANNEL_ID
    (head,) = [
        m for m in fake_slack.channel_messages(OUTSIDE_CHANNEL_ID) if m.ts == question.thread_ts
    ]
    assert t("interview_thread_name", "ko", name="member") in head.all_text(), "display name"


async def test_an_interview_in_a_private_channel_asks_to_be_invited(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    await driver.slash_command("/interview", "통계 2", channel_id=SECRET_CHANNEL_ID)
    post = await fake_slack.wait_for_response()
    assert t("slack_invite_needed", "ko") in str(post.payload)
    assert fake_slack.channel_messages(SECRET_CHANNEL_ID) == []


async def test_an_interview_in_a_dm_with_the_bot_runs_in_a_thread_there(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    opened = await fake_slack.web_client().conversations_open(users=DEFAULT_USER_ID)
    dm = opened["channel"]["id"]
    await driver.slash_command("/interview", "통계 2", channel_id=dm)
    title = t("question_title", "ko", number=1, total=2, category=STATS)
    question = await fake_slack.wait_for_message(lambda m: m.from_bot and title in m.all_text())
    assert question.channel == dm and question.thread_ts is not None
    await driver.message_event(
        "귀무가설은 차이가 없다는 가설이에요",
        user_id=DEFAULT_USER_ID,
        channel_id=dm,
        thread_ts=question.thread_ts,
    )
    graded = await fake_slack.wait_for_message(
        lambda m: m.from_bot and t("field_hits", "ko") in m.all_text()
    )
    assert graded.channel == dm


async def test_replies_speak_each_persons_slack_language(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    """The default members' Slack is Korean; one whose Slack is English is answered in English
    (``users.info`` with ``include_locale``), whatever the configured language."""
    fake_slack.users[DEFAULT_USER_ID] = replace(fake_slack.users[DEFAULT_USER_ID], locale="en-US")
    await driver.slash_command("/topics", user_id=DEFAULT_USER_ID)
    english = await fake_slack.wait_for_response()
    assert t("topics_title", "en") in str(english.payload)
    await driver.slash_command("/topics", user_id=ADMIN_USER_ID)
    korean = await fake_slack.wait_for_response(lambda p: p is not english)
    assert t("topics_title", "ko") in str(korean.payload)
