"""The bot's Slack front end, end to end: the real slack-bolt AsyncApp (HTTP with signature
verification, and Socket Mode) against the fake Slack on 127.0.0.1, over a real Service."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.adapters.slack.app import SlackFrontEnd
from bot.adapters.slack.caller import ADMIN_CACHE_SECONDS
from bot.app.service import Service
from bot.config import Settings
from bot.core.messages import t
from bot.core.models import Caller
from tests.fakes.slack import (
    ADMIN_USER_ID,
    DEFAULT_CHANNEL_ID,
    DEFAULT_USER_ID,
    FakeMessage,
    FakeSlack,
    SlackDriver,
    running_socket_mode,
    serve_bolt_http,
    serve_web_app,
)
from tests.wording import message_pattern

LONG_TERM = "Longnote"
STATS = "통계적 개념"  # a category of the shipped notes


@pytest.fixture
async def front(fake_slack: FakeSlack, service: Service) -> SlackFrontEnd:
    return SlackFrontEnd(
        service,
        token=fake_slack.bot_token,
        signing_secret=fake_slack.signing_secret,
        client=fake_slack.web_client(),
    )


@pytest.fixture(params=["http", "socket"])
async def driver(
    request: pytest.FixtureRequest, fake_slack: FakeSlack, front: SlackFrontEnd
) -> AsyncIterator[SlackDriver]:
    if request.param == "http":
        async with serve_bolt_http(front.app) as url:
            yield fake_slack.http(url)
    else:
        handler = AsyncSocketModeHandler(front.app, fake_slack.app_token)
        async with running_socket_mode(handler, fake_slack):
            yield fake_slack.socket()


def _bot_said(fake: FakeSlack, needle: str) -> list[FakeMessage]:
    return [
        m
        for m in fake.messages
        if m.from_bot or m.origin == "response_url"
        if needle in m.all_text()
    ]


async def test_define_answers_in_block_kit(fake_slack: FakeSlack, driver: SlackDriver) -> None:
    delivery = await driver.slash_command("/define", "도커란?")
    assert delivery.acked
    post = await fake_slack.wait_for_response()
    assert post.ok, post.error
    assert post.payload["response_type"] == "in_channel"
    text = str(post.payload["blocks"])
    assert "Docker" in text and "컨테이너" in text and "interview-notes.md:14" in text


async def test_did_you_mean_buttons_answer_when_pressed(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    await driver.slash_command("/define", "회귀")
    await fake_slack.wait_for_response()
    button = fake_slack.find_button(text="선형회귀 (Linear Regression)")
    await driver.block_action(button)
    answer = await fake_slack.wait_for_message(lambda m: "독립변수와 종속변수" in m.all_text())
    assert answer.origin == "response_url"


async def test_echoed_text_pings_nobody(fake_slack: FakeSlack, driver: SlackDriver) -> None:
    await driver.slash_command("/define", "<!everyone> <@U0000USER> @here zzqx")
    post = await fake_slack.wait_for_response()
    assert post.ok
    shown = fake_slack.channel_messages()[-1]
    assert "zzqx" in shown.all_text()
    assert shown.pings == ()


async def test_interview_in_a_thread_with_answers_by_reply_and_by_modal(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    await driver.slash_command("/interview", "통계 2")
    first_title = t("question_title", "ko", number=1, total=2, category=STATS)
    second_title = t("question_title", "ko", number=2, total=2, category=STATS)
    question = await fake_slack.wait_for_message(
        lambda m: m.from_bot and first_title in m.all_text()
    )
    assert question.thread_ts is not None
    thread_ts = question.thread_ts

    await driver.message_event(
        "귀무가설은 차이가 없다는 가설이고 p값이 작으면 기각해요",
        user_id=DEFAULT_USER_ID,
        channel_id=DEFAULT_CHANNEL_ID,
        thread_ts=thread_ts,
    )
    graded = await fake_slack.wait_for_message(
        lambda m: m.from_bot and t("field_hits", "ko") in m.all_text()
    )
    assert graded.thread_ts == thread_ts
    second = await fake_slack.wait_for_message(
        lambda m: m.from_bot and second_title in m.all_text()
    )

    answer_button = next(b for b in second.buttons() if b.text == t("action_answer", "ko"))
    await driver.block_action(answer_button)
    await fake_slack.wait_for_call("views.open")
    await driver.view_submission(values={"text": "잘 모르겠어요"})
    summary = await fake_slack.wait_for_message(
        lambda m: m.from_bot and t("summary_title", "ko") in m.all_text()
    )
    assert summary.thread_ts == thread_ts
    assert message_pattern("summary_average", count=2).search(summary.all_text())


async def test_daily_is_admin_only_then_posts_and_grades_in_the_thread(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    delivery = await driver.slash_command("/daily", "set 09:00", user_id=DEFAULT_USER_ID)
    assert delivery.acked, "a refused command is still acknowledged"
    refused = await fake_slack.wait_for_response()
    assert t("admin_only", "ko") in str(refused.payload)

    await driver.slash_command("/daily", "now", user_id=ADMIN_USER_ID)
    posted = await fake_slack.wait_for_message(
        lambda m: m.from_bot and t("daily_title_now", "ko") in m.all_text()
    )
    await driver.message_event(
        "잘 모르지만 답해 봅니다",
        user_id=DEFAULT_USER_ID,
        channel_id=DEFAULT_CHANNEL_ID,
        thread_ts=posted.ts,
    )
    answered = message_pattern("daily_answered_public")
    await fake_slack.wait_for_message(
        lambda m: (
            m.from_bot
            and m.thread_ts == posted.ts
            and answered.search(m.all_text()) is not None
            and not m.is_ephemeral
        )
    )
    private = await fake_slack.wait_for_message(
        lambda m: m.is_ephemeral and t("field_hits", "ko") in m.all_text()
    )
    assert private.ephemeral_to == DEFAULT_USER_ID
    public = [m for m in fake_slack.messages if not m.is_ephemeral and m.thread_ts == posted.ts]
    assert not any(t("field_hits", "ko") in m.all_text() for m in public), "the grade is private"


async def test_a_definition_longer_than_the_limits_is_cut_cleanly(
    fake_slack: FakeSlack, make_settings: type[Settings], tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "long.md").write_text(
        f"{LONG_TERM} - " + "아주 긴 설명입니다. " * 3000 + "\n", encoding="utf-8"
    )
    settings = make_settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'l.sqlite3'}",
        data_dir=tmp_path,
        knowledge_paths=[notes],
    )
    service = await Service.start(settings)
    front = SlackFrontEnd(
        service,
        token=fake_slack.bot_token,
        signing_secret=fake_slack.signing_secret,
        client=fake_slack.web_client(),
    )
    async with serve_bolt_http(front.app) as url:
        await fake_slack.http(url).slash_command("/define", LONG_TERM)
        post = await fake_slack.wait_for_response()
    await service.close()
    assert post.ok, post.error  # the fake rejects anything over Slack's limits, as Slack does
    assert len(post.payload["blocks"]) <= 50


async def test_rate_limited_post_is_retried(fake_slack: FakeSlack, driver: SlackDriver) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=0)
    await driver.slash_command("/interview", "1")
    first_title = message_pattern("question_title", number=1, total=1)
    await fake_slack.wait_for_message(
        lambda m: m.from_bot and first_title.search(m.all_text()) is not None
    )
    statuses = [c.status for c in fake_slack.calls_to("chat.postMessage")]
    assert statuses[0] == 429 and 200 in statuses


@pytest.mark.parametrize("signature", ["bad", "missing", "stale"])
async def test_unsigned_requests_get_401_and_post_nothing(
    fake_slack: FakeSlack, front: SlackFrontEnd, signature: str
) -> None:
    async with serve_bolt_http(front.app) as url:
        refused = await fake_slack.http(url, signature=signature).slash_command("/interview", "1")
        assert refused.status == 401
        await fake_slack.http(url).slash_command("/define", "cnn")
        await fake_slack.wait_for_response()
    assert not fake_slack.calls_to("chat.postMessage"), "the refused /interview posted nothing"


async def test_http_mode_serves_a_health_endpoint(front: SlackFrontEnd) -> None:
    async with (
        serve_web_app(front.web_app()) as base,
        aiohttp.ClientSession() as http,
        http.get(f"{base}/health") as response,
    ):
        assert response.status == 200
        assert (await response.json())["concepts"] == 27


async def test_the_appeal_button_on_a_grade_records_it_privately_for_its_owner_only(
    fake_slack: FakeSlack, driver: SlackDriver, service: Service
) -> None:
    await driver.slash_command("/interview", "통계 2")
    first_title = t("question_title", "ko", number=1, total=2, category=STATS)
    question = await fake_slack.wait_for_message(
        lambda m: m.from_bot and first_title in m.all_text()
    )
    await driver.message_event(
        "잘 모르겠어요",
        user_id=DEFAULT_USER_ID,
        channel_id=DEFAULT_CHANNEL_ID,
        thread_ts=question.thread_ts,
    )
    graded = await fake_slack.wait_for_message(
        lambda m: m.from_bot and t("field_hits", "ko") in m.all_text()
    )
    (button,) = [b for b in graded.buttons() if b.text == t("action_appeal", "ko")]
    everywhere = Caller("console", "admin", "console", is_admin=True)

    await driver.block_action(button, user_id=ADMIN_USER_ID)
    refused = await fake_slack.wait_for_message(
        lambda m: m.is_ephemeral and t("appeal_not_yours", "ko") in m.all_text()
    )
    assert refused.ephemeral_to == ADMIN_USER_ID
    nothing = await service.appeals.report(everywhere, everywhere=True)
    assert nothing.body == t("appeals_none", "ko"), "a refused appeal records nothing"

    await driver.block_action(button, user_id=DEFAULT_USER_ID)
    recorded = await fake_slack.wait_for_message(
        lambda m: m.is_ephemeral and t("appeal_recorded_title", "ko") in m.all_text()
    )
    assert recorded.ephemeral_to == DEFAULT_USER_ID and recorded.thread_ts == question.thread_ts
    public = [m for m in fake_slack.messages if not m.is_ephemeral]
    assert not any(t("appeal_recorded_title", "ko") in m.all_text() for m in public)
    report = await service.appeals.report(everywhere, everywhere=True)
    assert message_pattern("appeals_concept_line", appeals=1, graded=1, rate=100).search(
        report.body
    )


async def test_interview_hint_skip_and_stop_commands_act_on_the_running_interview(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    await driver.slash_command("/interview", "hint")
    none = await fake_slack.wait_for_response()
    assert t("interview_none", "ko") in str(none.payload), "nothing runs yet"

    await driver.slash_command("/interview", "통계 2")
    first_title = t("question_title", "ko", number=1, total=2, category=STATS)
    second_title = t("question_title", "ko", number=2, total=2, category=STATS)
    question = await fake_slack.wait_for_message(
        lambda m: m.from_bot and first_title in m.all_text()
    )
    thread_ts = question.thread_ts

    await driver.slash_command("/interview", "hint")
    hint = await fake_slack.wait_for_response(lambda p: t("hint_title", "ko") in str(p.payload))
    assert hint.ok and hint.payload["response_type"] == "ephemeral", "only the caller sees it"

    await driver.slash_command("/interview", "skip")
    skipped = await fake_slack.wait_for_message(
        lambda m: m.from_bot and t("skipped_title", "ko") in m.all_text()
    )
    second = await fake_slack.wait_for_message(
        lambda m: m.from_bot and second_title in m.all_text()
    )
    assert skipped.thread_ts == thread_ts and second.thread_ts == thread_ts

    await driver.slash_command("/interview", "stop")
    summary = await fake_slack.wait_for_message(
        lambda m: m.from_bot and t("summary_title", "ko") in m.all_text()
    )
    assert summary.thread_ts == thread_ts
    assert message_pattern("summary_average", count=1).search(summary.all_text())
    assert not [p for p in fake_slack.response_posts if t("interview_none", "ko") in str(p)][1:]


async def test_the_notification_text_of_a_post_is_slack_mrkdwn_not_markdown(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    await driver.slash_command("/interview", "통계 1")
    await fake_slack.wait_for_message(
        lambda m: m.from_bot and message_pattern("question_title").search(m.all_text()) is not None
    )
    await driver.slash_command("/interview", "skip")
    skipped = await fake_slack.wait_for_message(
        lambda m: (
            m.from_bot and m.origin == "chat.postMessage" and t("skipped_title", "ko") in m.text
        )
    )
    assert "**" not in skipped.text, "the core's markdown bold never reaches a notification"
    assert f"*{t('field_reference', 'ko')}*" in skipped.text


async def test_a_failed_admin_look_up_is_not_remembered_and_rights_are_checked_again(
    fake_slack: FakeSlack, driver: SlackDriver, front: SlackFrontEnd
) -> None:
    now = [1000.0]
    front.callers.clock = lambda: now[0]
    fake_slack.fail_next("users.info", status=500)
    await driver.slash_command("/daily", "set 09:00", user_id=ADMIN_USER_ID)
    refused = await fake_slack.wait_for_response()
    assert t("admin_only", "ko") in str(refused.payload), "the failed look-up refuses once"

    await driver.slash_command("/daily", "set 09:00", user_id=ADMIN_USER_ID)
    allowed = await fake_slack.wait_for_response(lambda p: p is not refused)
    assert t("admin_only", "ko") not in str(allowed.payload), "the next call asks Slack again"
    assert [c.status for c in fake_slack.calls_to("users.info")] == [500, 200]

    fake_slack.users[ADMIN_USER_ID] = replace(fake_slack.users[ADMIN_USER_ID], is_admin=False)
    now[0] += ADMIN_CACHE_SECONDS + 1
    await driver.slash_command("/daily", "set 09:00", user_id=ADMIN_USER_ID)
    demoted = await fake_slack.wait_for_response(lambda p: p not in (refused, allowed))
    assert t("admin_only", "ko") in str(demoted.payload), "a demotion counts once it expires"


@pytest.mark.parametrize("timestamp", ["abc", "", "1e9", "12.5"])
async def test_a_malformed_timestamp_is_refused_with_401_not_500(
    front: SlackFrontEnd, timestamp: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = b'{"type":"event_callback","token":"verification-secret","event":{}}'
    headers = {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=deadbeef",
        "Content-Type": "application/json",
    }
    with caplog.at_level(logging.DEBUG):
        async with (
            serve_web_app(front.web_app()) as base,
            aiohttp.ClientSession() as http,
            http.post(f"{base}/slack/events", data=body, headers=headers) as response,
        ):
            assert response.status == 401
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "no traceback"


async def test_a_rejected_request_is_logged_without_its_body(
    front: SlackFrontEnd, caplog: pytest.LogCaptureFixture
) -> None:
    body = b'{"type":"event_callback","token":"verification-secret","event":{}}'
    headers = {
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": "v0=deadbeef",
        "Content-Type": "application/json",
    }
    with caplog.at_level(logging.DEBUG, logger="slack_bolt.RequestVerification"):
        async with (
            serve_web_app(front.web_app()) as base,
            aiohttp.ClientSession() as http,
            http.post(f"{base}/slack/events", data=body, headers=headers) as response,
        ):
            assert response.status == 401
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "Invalid request signature" in logged, "the reason is logged"
    assert "verification-secret" not in logged, "the body is not"
