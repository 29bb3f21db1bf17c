"""The whole Slack UI in English: with ``LOCALE=en``, English-only notes and members whose
Slack is in English, every flow (lookup,
topics, an interview by thread reply, buttons and the modal, the daily question and its private
grade, refusals) is walked through slack-bolt against the fake, and nothing the bot sent — posts,
ephemeral messages, modals, slash-command responses — contains Korean."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from bot.adapters.slack.app import SlackFrontEnd
from bot.app.service import Service
from bot.config import Settings
from bot.core.messages import t
from tests.english import ANSWER, TOPIC, korean_in, write_notes
from tests.fakes.slack import (
    ADMIN_USER_ID,
    DEFAULT_CHANNEL_ID,
    DEFAULT_USER_ID,
    FakeMessage,
    FakeSlack,
    serve_bolt_http,
)


def _bot_said(fake: FakeSlack, needle: str) -> FakeMessage | None:
    found = [m for m in fake.messages if m.from_bot and needle in m.all_text()]
    return found[-1] if found else None


async def test_every_slack_flow_speaks_english(
    fake_slack: FakeSlack, make_settings: type[Settings], tmp_path: Path
) -> None:
    settings = make_settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'en.sqlite3'}",
        data_dir=tmp_path / "data",
        knowledge_paths=[write_notes(tmp_path)],
        locale="en",
    )
    service = await Service.start(settings)
    fake = fake_slack
    for user_id, user in list(fake.users.items()):  # every member's Slack is in English
        fake.users[user_id] = replace(user, locale="en-US")
    front = SlackFrontEnd(
        service,
        token=fake.bot_token,
        signing_secret=fake.signing_secret,
        client=fake.web_client(),
    )
    try:
        async with serve_bolt_http(front.app) as url:
            driver = fake.http(url)
            for text in ("deadlok", "tcp", "zzqx", "dns -p", ""):
                await driver.slash_command("/define", text)
            await driver.slash_command("/topics")
            await driver.slash_command("/interview", "hint")
            await driver.slash_command("/interview", "network 2")
            first = t("question_title", "en", number=1, total=2, category=TOPIC)
            question = await fake.wait_until(lambda: _bot_said(fake, first))
            assert question.thread_ts is not None
            (hint,) = [b for b in question.buttons() if b.text == t("action_hint", "en")]
            await driver.block_action(hint)
            await driver.message_event(
                ANSWER,
                user_id=DEFAULT_USER_ID,
                channel_id=DEFAULT_CHANNEL_ID,
                thread_ts=question.thread_ts,
            )
            second = t("question_title", "en", number=2, total=2, category=TOPIC)
            question = await fake.wait_until(lambda: _bot_said(fake, second))
            (answer,) = [b for b in question.buttons() if b.text == t("action_answer", "en")]
            await driver.block_action(answer)
            await fake.wait_for_call("views.open")
            await driver.view_submission(values={"text": ANSWER})
            await fake.wait_until(lambda: _bot_said(fake, t("summary_title", "en")))

            await driver.slash_command("/daily", "set 09:00", user_id=ADMIN_USER_ID)
            await driver.slash_command("/daily", "status")
            await driver.slash_command("/daily", "now", user_id=ADMIN_USER_ID)
            post = await fake.wait_until(lambda: _bot_said(fake, t("daily_title_now", "en")))
            await driver.message_event(
                ANSWER, user_id=DEFAULT_USER_ID, channel_id=DEFAULT_CHANNEL_ID, thread_ts=post.ts
            )
            await fake.wait_until(lambda: _bot_said(fake, t("action_daily_mine", "en")))
            await driver.slash_command("/daily", "off", user_id=ADMIN_USER_ID)
            # every reply is in before the servers go (a handler still running would post to
            # a closed server and outlive the test)
            await fake.wait_for_response(lambda p: t("daily_off_done", "en") in str(p.payload))
            await driver.slash_command("/daily", "off", user_id=DEFAULT_USER_ID)  # refused
            await fake.wait_for_response(lambda p: t("admin_only", "en") in str(p.payload))
    finally:
        await service.close()
    sent = [json.dumps(call.args, ensure_ascii=False) for call in fake.calls]
    sent += [json.dumps(post.payload, ensure_ascii=False) for post in fake.response_posts]
    assert len(sent) > 20
    leaks = [leak for text in sent for leak in korean_in(text)]
    assert not leaks, leaks
