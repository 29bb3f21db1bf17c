"""The fake Slack proven against the real slack-bolt ``AsyncApp`` (HTTP mode and Socket Mode).

The app here is a small one defined for these tests, not the bot's front end.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond, AsyncSay
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes.slack import (
    ADMIN_USER_ID,
    BOT_USER_ID,
    DEFAULT_CHANNEL_ID,
    DEFAULT_USER_ID,
    MAX_ACTION_ID,
    MAX_BUTTON_TEXT,
    MAX_BUTTON_VALUE,
    MAX_HEADER_TEXT,
    MAX_MESSAGE_BLOCKS,
    MAX_MESSAGE_TEXT,
    MAX_MODAL_TITLE,
    MAX_RESPONSE_URL_USES,
    MAX_SECTION_TEXT,
    MAX_TEXT_INPUT_LENGTH,
    OWNER_USER_ID,
    FakeSlack,
    SignatureMode,
    SlackDriver,
    find_pings,
    running_socket_mode,
    serve_bolt_http,
)

ANSWER_BLOCK = "answer_block"
ANSWER_INPUT = "answer_input"
ANSWER_MODAL = "answer_modal"
EMPTY_ANSWER_ERROR = "Please type an answer"
NEXT_ANSWER = "next"
NEXT_TITLE = "Question 2"
PICK_ACTION = re.compile(r"^pick_\d+$")
SUGGESTIONS = ("cnn", "rnn")


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _button(text: str, action_id: str, value: str = "v") -> dict[str, Any]:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }


def _answer_modal(channel_id: str, title: str = "Your answer") -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": ANSWER_MODAL,
        "private_metadata": channel_id,
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Submit"},
        "blocks": [
            {
                "type": "input",
                "block_id": ANSWER_BLOCK,
                "label": {"type": "plain_text", "text": "Answer"},
                "optional": True,
                "element": {
                    "type": "plain_text_input",
                    "action_id": ANSWER_INPUT,
                    "multiline": True,
                    "max_length": MAX_TEXT_INPUT_LENGTH,
                },
            }
        ],
    }


def build_test_app(fake: FakeSlack) -> AsyncApp:
    """A small bolt app exercising every flow the bot's front end needs."""
    app = AsyncApp(
        name="fake-slack-test",
        client=fake.web_client(),
        signing_secret=fake.signing_secret,
    )

    @app.command("/define")
    async def define(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        if command["text"] == "ambiguous":
            buttons = [
                _button(term.upper(), f"pick_{index}", term)
                for index, term in enumerate(SUGGESTIONS)
            ]
            await client.chat_postMessage(
                channel=command["channel_id"],
                text="Did you mean?",
                blocks=[_section("Did you mean?"), {"type": "actions", "elements": buttons}],
            )
        else:
            await client.chat_postMessage(
                channel=command["channel_id"], text=f"definition of {command['text']}"
            )

    @app.action(PICK_ACTION)
    async def pick(ack: AsyncAck, action: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await respond(text=f"definition of {action['value']}", replace_original=True)

    @app.command("/respond")
    async def respond_command(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(text="public answer", response_type="in_channel")

    @app.command("/ackmsg")
    async def ack_with_message(ack: AsyncAck) -> None:
        await ack(text="working on it")

    @app.command("/answer")
    async def open_answer(
        ack: AsyncAck, body: dict[str, Any], command: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        await client.views_open(
            trigger_id=body["trigger_id"], view=_answer_modal(command["channel_id"])
        )

    @app.view(ANSWER_MODAL)
    async def submit_answer(ack: AsyncAck, view: dict[str, Any], client: AsyncWebClient) -> None:
        value = view["state"]["values"][ANSWER_BLOCK][ANSWER_INPUT]["value"]
        if not value:
            await ack(response_action="errors", errors={ANSWER_BLOCK: EMPTY_ANSWER_ERROR})
            return
        if value == NEXT_ANSWER:
            next_view = _answer_modal(view["private_metadata"], title=NEXT_TITLE)
            await ack(response_action="update", view=next_view)
            return
        await ack()
        await client.chat_postMessage(channel=view["private_metadata"], text=f"graded: {value}")

    @app.command("/toolong")
    async def too_long(ack: AsyncAck, client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        try:
            await client.chat_postMessage(
                channel=DEFAULT_CHANNEL_ID,
                text="x",
                blocks=[_section("x" * (MAX_SECTION_TEXT + 1))],
            )
        except SlackApiError as exc:
            await respond(text=f"rejected: {exc.response['error']}")

    @app.event("message")
    async def thread_reply(event: dict[str, Any], say: AsyncSay) -> None:
        if event.get("thread_ts"):
            await say(text=f"graded reply: {event['text']}", thread_ts=event["thread_ts"])

    return app


@pytest.fixture
def bolt_app(fake_slack: FakeSlack) -> AsyncApp:
    """The test app, its client on the fake."""
    return build_test_app(fake_slack)


@pytest.fixture
async def app_url(bolt_app: AsyncApp) -> AsyncIterator[str]:
    """The test app served over HTTP (signature verification on)."""
    async with serve_bolt_http(bolt_app) as url:
        yield url


@pytest.fixture
async def socket_handler(
    bolt_app: AsyncApp, fake_slack: FakeSlack
) -> AsyncIterator[AsyncSocketModeHandler]:
    """The test app connected to the fake over Socket Mode."""
    handler = AsyncSocketModeHandler(bolt_app, fake_slack.app_token)
    async with running_socket_mode(handler, fake_slack):
        yield handler


@pytest.fixture(params=["http", "socket"])
async def driver(
    request: pytest.FixtureRequest, fake_slack: FakeSlack, bolt_app: AsyncApp
) -> AsyncIterator[SlackDriver]:
    """The same flows, once over HTTP and once over Socket Mode."""
    if request.param == "http":
        async with serve_bolt_http(bolt_app) as url:
            yield fake_slack.http(url)
    else:
        handler = AsyncSocketModeHandler(bolt_app, fake_slack.app_token)
        async with running_socket_mode(handler, fake_slack):
            yield fake_slack.socket()


# ---- flows, in both modes ----------------------------------------------------------------


async def test_slash_command_is_acked_and_the_handler_posts(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    delivery = await driver.slash_command("/define", "cnn")

    assert delivery.acked
    assert delivery.ack is None
    post = await fake_slack.wait_for_call("chat.postMessage")
    assert post.ok
    assert post.args["channel"] == DEFAULT_CHANNEL_ID
    assert post.args["text"] == "definition of cnn"
    assert post.headers["Authorization"] == f"Bearer {fake_slack.bot_token}"
    assert [call.ok for call in fake_slack.calls_to("auth.test")] == [True]
    assert fake_slack.channel_messages()[-1].text == "definition of cnn"


async def test_respond_reaches_the_response_url(fake_slack: FakeSlack, driver: SlackDriver) -> None:
    delivery = await driver.slash_command("/respond")

    post = await fake_slack.wait_for_response()
    assert post.ok
    assert post.url == delivery.response_url
    assert post.payload["text"] == "public answer"
    assert post.payload["response_type"] == "in_channel"
    shown = fake_slack.channel_messages()[-1]
    assert (shown.origin, shown.text, shown.is_ephemeral) == (
        "response_url",
        "public answer",
        False,
    )


async def test_ack_with_a_message_is_shown_to_the_user(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    delivery = await driver.slash_command("/ackmsg")

    assert delivery.ack == {"text": "working on it"}
    assert delivery.ack_error is None
    shown = fake_slack.last_message()
    assert shown is not None
    assert (shown.origin, shown.text, shown.ephemeral_to) == (
        "ack",
        "working on it",
        DEFAULT_USER_ID,
    )


async def test_did_you_mean_button_is_pressed_and_replaces_the_message(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    await driver.slash_command("/define", "ambiguous")
    await fake_slack.wait_for_call("chat.postMessage")
    button = fake_slack.find_button(value="rnn")
    assert (button.action_id, button.text) == ("pick_1", "RNN")

    delivery = await driver.block_action(button)

    assert delivery.acked
    assert delivery.request["actions"][0]["value"] == "rnn"
    assert delivery.request["message"]["ts"] == button.message_ts
    post = await fake_slack.wait_for_response()
    assert post.payload["replace_original"] is True
    message = fake_slack.find_message(DEFAULT_CHANNEL_ID, button.message_ts)
    assert message is not None
    assert (message.text, message.blocks, message.edits) == ("definition of rnn", [], 1)


async def test_modal_is_opened_refused_empty_then_submitted(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    await driver.slash_command("/answer")
    opened = await fake_slack.wait_for_call("views.open")
    assert opened.ok, opened.response
    view_id = opened.response["view"]["id"]
    assert [view.id for view in fake_slack.open_views(DEFAULT_USER_ID)] == [view_id]

    refused = await driver.view_submission(values={ANSWER_INPUT: ""})
    assert refused.ack == {
        "response_action": "errors",
        "errors": {ANSWER_BLOCK: EMPTY_ANSWER_ERROR},
    }
    assert refused.ack_error is None
    assert fake_slack.views[view_id].is_open

    submitted = await driver.view_submission(values={ANSWER_INPUT: "a convolutional network"})

    assert submitted.ack is None
    assert submitted.request["view"]["callback_id"] == ANSWER_MODAL
    assert not fake_slack.views[view_id].is_open
    graded = await fake_slack.wait_for_call("chat.postMessage")
    assert graded.args["channel"] == DEFAULT_CHANNEL_ID
    assert graded.args["text"] == "graded: a convolutional network"


async def test_modal_is_updated_by_the_submission_ack(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    await driver.slash_command("/answer")
    view_id = (await fake_slack.wait_for_call("views.open")).response["view"]["id"]
    first_hash = fake_slack.views[view_id].hash

    delivery = await driver.view_submission(view_id, values={ANSWER_INPUT: NEXT_ANSWER})

    assert delivery.ack is not None
    assert delivery.ack["response_action"] == "update"
    assert delivery.ack_error is None
    updated = fake_slack.views[view_id]
    assert updated.is_open
    assert updated.view["title"]["text"] == NEXT_TITLE
    assert updated.hash != first_hash
    assert fake_slack.calls_to("chat.postMessage") == []


async def test_thread_reply_event_is_handled(fake_slack: FakeSlack, driver: SlackDriver) -> None:
    await driver.slash_command("/define", "question")
    parent = (await fake_slack.wait_for_call("chat.postMessage")).response["ts"]

    delivery = await driver.message_event("my answer", thread_ts=parent)

    assert delivery.acked
    assert delivery.request["event"]["thread_ts"] == parent
    assert delivery.request["event"]["parent_user_id"] == BOT_USER_ID
    reply = await fake_slack.wait_for_call(
        "chat.postMessage", lambda call: call.args.get("thread_ts") == parent
    )
    assert reply.args["text"] == "graded reply: my answer"
    thread = fake_slack.thread(DEFAULT_CHANNEL_ID, parent)
    assert [(m.user, m.text) for m in thread] == [
        (BOT_USER_ID, "definition of question"),
        (DEFAULT_USER_ID, "my answer"),
        (BOT_USER_ID, "graded reply: my answer"),
    ]


async def test_rate_limited_post_is_retried(fake_slack: FakeSlack, driver: SlackDriver) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=0)

    await driver.slash_command("/define", "cnn")

    await fake_slack.wait_for_call("chat.postMessage", lambda call: call.ok)
    attempts = fake_slack.calls_to("chat.postMessage")
    assert [(call.status, call.error) for call in attempts] == [(429, "ratelimited"), (200, None)]
    assert [m.text for m in fake_slack.channel_messages()] == ["definition of cnn"]


async def test_over_limit_block_is_rejected(fake_slack: FakeSlack, driver: SlackDriver) -> None:
    await driver.slash_command("/toolong")

    told = await fake_slack.wait_for_response()
    assert told.payload["text"] == "rejected: invalid_blocks"
    rejected = fake_slack.calls_to("chat.postMessage")
    assert [call.error for call in rejected] == ["invalid_blocks"]
    assert "json-pointer:/blocks/0/text/text" in rejected[0].response["errors"][0]
    assert fake_slack.channel_messages() == []


# ---- HTTP mode only --------------------------------------------------------------------


@pytest.mark.parametrize("signature", ["bad", "missing", "stale"])
async def test_badly_signed_requests_get_401_and_post_nothing(
    fake_slack: FakeSlack, app_url: str, signature: SignatureMode
) -> None:
    rejected = await fake_slack.post_slash_command(
        app_url, command="/define", text="rejected", signature=signature
    )
    assert rejected.status == 401
    assert not rejected.acked

    accepted = await fake_slack.post_slash_command(app_url, command="/define", text="accepted")
    assert accepted.status == 200
    await fake_slack.wait_for_call("chat.postMessage")

    assert [call.args["text"] for call in fake_slack.calls_to("chat.postMessage")] == [
        "definition of accepted"
    ]
    assert fake_slack.response_posts == []


async def test_a_different_signing_secret_is_refused(fake_slack: FakeSlack, app_url: str) -> None:
    delivery = await fake_slack.post_slash_command(
        app_url, command="/define", text="x", signing_secret="someone-else"
    )

    assert delivery.status == 401


# ---- Socket Mode only ------------------------------------------------------------------


async def test_socket_mode_connects_with_the_app_token(
    fake_slack: FakeSlack, socket_handler: AsyncSocketModeHandler
) -> None:
    opened = fake_slack.calls_to("apps.connections.open")
    assert [call.token for call in opened] == [fake_slack.app_token]
    assert opened[0].response["url"].startswith(f"ws://127.0.0.1:{fake_slack.port}/socket?")
    await fake_slack.wait_until(lambda: fake_slack.socket_pings >= 1, what="the client's ping")

    delivery = await fake_slack.socket_send_slash_command("/define", "cnn")

    # The pong went out before the envelope, so the client has read it by the time it acks.
    assert socket_handler.client.last_ping_pong_time is not None
    assert delivery.envelope_id == fake_slack.socket_acks[-1].envelope_id
    assert fake_slack.socket_acks[-1].raw == {"envelope_id": delivery.envelope_id}
    post = await fake_slack.wait_for_call("chat.postMessage")
    assert post.args["text"] == "definition of cnn"


async def test_socket_mode_reconnects_after_a_disconnect_message(
    fake_slack: FakeSlack, socket_handler: AsyncSocketModeHandler
) -> None:
    await fake_slack.socket_disconnect()

    assert len(fake_slack.socket_connections) == 2
    assert fake_slack.socket_connections[0].closed
    assert len(fake_slack.calls_to("apps.connections.open")) == 2
    await fake_slack.socket_send_slash_command("/define", "after reconnect")
    post = await fake_slack.wait_for_call("chat.postMessage")
    assert post.args["text"] == "definition of after reconnect"


async def test_socket_mode_reconnects_after_the_server_closes(
    fake_slack: FakeSlack, socket_handler: AsyncSocketModeHandler
) -> None:
    await fake_slack.socket_close()

    await fake_slack.socket_send_slash_command("/define", "after close")
    post = await fake_slack.wait_for_call("chat.postMessage")
    assert post.args["text"] == "definition of after close"


# ---- the fake's Web API on its own -----------------------------------------------------


def _blocks(count: int) -> list[dict[str, Any]]:
    return [{"type": "divider"} for _ in range(count)]


MESSAGE_LIMIT_CASES: list[tuple[str, dict[str, Any], str | None]] = [
    ("text at limit", {"text": "x" * MAX_MESSAGE_TEXT}, None),
    ("text over limit", {"text": "x" * (MAX_MESSAGE_TEXT + 1)}, "msg_too_long"),
    ("50 blocks", {"blocks": _blocks(MAX_MESSAGE_BLOCKS)}, None),
    ("51 blocks", {"blocks": _blocks(MAX_MESSAGE_BLOCKS + 1)}, "invalid_blocks"),
    ("section at limit", {"blocks": [_section("x" * MAX_SECTION_TEXT)]}, None),
    ("section over limit", {"blocks": [_section("x" * (MAX_SECTION_TEXT + 1))]}, "invalid_blocks"),
    (
        "header over limit",
        {
            "blocks": [
                {
                    "type": "header",
                    "text": {"type": "plain_text", "text": "h" * (MAX_HEADER_TEXT + 1)},
                }
            ]
        },
        "invalid_blocks",
    ),
    (
        "header in mrkdwn",
        {"blocks": [{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}]},
        "invalid_blocks",
    ),
    (
        "button text at limit",
        {"blocks": [{"type": "actions", "elements": [_button("b" * MAX_BUTTON_TEXT, "a")]}]},
        None,
    ),
    (
        "button text over limit",
        {"blocks": [{"type": "actions", "elements": [_button("b" * (MAX_BUTTON_TEXT + 1), "a")]}]},
        "invalid_blocks",
    ),
    (
        "action_id over limit",
        {"blocks": [{"type": "actions", "elements": [_button("b", "a" * (MAX_ACTION_ID + 1))]}]},
        "invalid_blocks",
    ),
    (
        "button value at limit",
        {"blocks": [{"type": "actions", "elements": [_button("b", "a", "v" * MAX_BUTTON_VALUE)]}]},
        None,
    ),
    (
        "button value over limit",
        {
            "blocks": [
                {"type": "actions", "elements": [_button("b", "a", "v" * (MAX_BUTTON_VALUE + 1))]}
            ]
        },
        "invalid_blocks",
    ),
    (
        "duplicate action_id in one block",
        {"blocks": [{"type": "actions", "elements": [_button("1", "a"), _button("2", "a")]}]},
        "invalid_blocks",
    ),
    (
        "duplicate block_id",
        {"blocks": [{"type": "divider", "block_id": "d"}, {"type": "divider", "block_id": "d"}]},
        "invalid_blocks",
    ),
    ("empty section text", {"blocks": [_section("")]}, "invalid_blocks"),
    ("unknown block type", {"blocks": [{"type": "carousel"}]}, "invalid_blocks"),
    ("nothing to say", {}, "no_text"),
]


@pytest.mark.parametrize(
    ("content", "expected"),
    [case[1:] for case in MESSAGE_LIMIT_CASES],
    ids=[case[0] for case in MESSAGE_LIMIT_CASES],
)
@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing:UserWarning")
async def test_chat_post_message_limits(
    fake_slack: FakeSlack, content: dict[str, Any], expected: str | None
) -> None:
    client = fake_slack.web_client()
    if "blocks" in content:
        content = {"text": "fallback", **content}
    if expected is None:
        response = await client.chat_postMessage(channel=DEFAULT_CHANNEL_ID, **content)
        assert response["ok"] is True
        assert response["channel"] == DEFAULT_CHANNEL_ID
        assert response["message"]["ts"] == response["ts"]
    else:
        with pytest.raises(SlackApiError) as caught:
            await client.chat_postMessage(channel=DEFAULT_CHANNEL_ID, **content)
        assert caught.value.response["error"] == expected
        assert fake_slack.messages == []


async def test_views_open_validates_the_modal_and_the_trigger(fake_slack: FakeSlack) -> None:
    client = fake_slack.web_client()
    trigger = fake_slack.build_slash_command("/answer")["trigger_id"]
    too_long_title = _answer_modal(DEFAULT_CHANNEL_ID, title="t" * (MAX_MODAL_TITLE + 1))
    too_long_input = _answer_modal(DEFAULT_CHANNEL_ID)
    too_long_input["blocks"][0]["element"]["max_length"] = MAX_TEXT_INPUT_LENGTH + 1
    no_submit = _answer_modal(DEFAULT_CHANNEL_ID)
    del no_submit["submit"]

    for view, pointer in (
        (too_long_title, "/view/title/text"),
        (too_long_input, "/view/blocks/0/element/max_length"),
        (no_submit, "/view]"),
    ):
        with pytest.raises(SlackApiError) as caught:
            await client.views_open(trigger_id=trigger, view=view)
        assert caught.value.response["error"] == "invalid_arguments"
        assert pointer in " ".join(caught.value.response["response_metadata"]["messages"])
    with pytest.raises(SlackApiError) as unknown:
        await client.views_open(trigger_id="123.456.abc", view=_answer_modal(DEFAULT_CHANNEL_ID))
    assert unknown.value.response["error"] == "invalid_trigger_id"

    title_at_limit = _answer_modal(DEFAULT_CHANNEL_ID, title="t" * MAX_MODAL_TITLE)
    opened = await client.views_open(trigger_id=trigger, view=title_at_limit)
    assert opened["view"]["title"]["text"] == "t" * MAX_MODAL_TITLE
    with pytest.raises(SlackApiError) as reused:
        await client.views_open(trigger_id=trigger, view=title_at_limit)
    assert reused.value.response["error"] == "exchanged_trigger_id"

    updated = await client.views_update(
        view_id=opened["view"]["id"],
        hash=opened["view"]["hash"],
        view=_answer_modal(DEFAULT_CHANNEL_ID, title="Updated"),
    )
    assert updated["view"]["title"]["text"] == "Updated"
    with pytest.raises(SlackApiError) as stale:
        await client.views_update(
            view_id=opened["view"]["id"], hash=opened["view"]["hash"], view=title_at_limit
        )
    assert stale.value.response["error"] == "hash_conflict"


async def test_tokens_are_checked(fake_slack: FakeSlack) -> None:
    wrong = fake_slack.web_client("xoxb-not-the-token")
    with pytest.raises(SlackApiError) as invalid:
        await wrong.chat_postMessage(channel=DEFAULT_CHANNEL_ID, text="hi")
    assert invalid.value.response["error"] == "invalid_auth"

    app_level = fake_slack.web_client(fake_slack.app_token)
    with pytest.raises(SlackApiError) as wrong_type:
        await app_level.chat_postMessage(channel=DEFAULT_CHANNEL_ID, text="hi")
    assert wrong_type.value.response["error"] == "not_allowed_token_type"

    bot = fake_slack.web_client()
    with pytest.raises(SlackApiError) as bot_for_socket:
        await bot.apps_connections_open(app_token=fake_slack.bot_token)
    assert bot_for_socket.value.response["error"] == "not_allowed_token_type"
    assert fake_slack.messages == []


async def test_users_channels_and_ephemeral_messages(fake_slack: FakeSlack) -> None:
    client = fake_slack.web_client()

    flags = {}
    for user_id in (DEFAULT_USER_ID, ADMIN_USER_ID, OWNER_USER_ID):
        user = (await client.users_info(user=user_id))["user"]
        flags[user_id] = (user["is_admin"], user["is_owner"])
    assert flags == {
        DEFAULT_USER_ID: (False, False),
        ADMIN_USER_ID: (True, False),
        OWNER_USER_ID: (False, True),
    }
    with pytest.raises(SlackApiError) as no_user:
        await client.users_info(user="U0NOBODY")
    assert no_user.value.response["error"] == "user_not_found"

    info = await client.conversations_info(channel=DEFAULT_CHANNEL_ID)
    assert (info["channel"]["name"], info["channel"]["is_channel"]) == ("general", True)
    with pytest.raises(SlackApiError) as no_channel:
        await client.chat_postMessage(channel="C0MISSING", text="hi")
    assert no_channel.value.response["error"] == "channel_not_found"

    ephemeral = await client.chat_postEphemeral(
        channel=DEFAULT_CHANNEL_ID, user=DEFAULT_USER_ID, text="only you"
    )
    assert fake_slack.channel_messages() == []
    shown = fake_slack.channel_messages(include_ephemeral=True)
    assert [(m.ts, m.ephemeral_to) for m in shown] == [(ephemeral["message_ts"], DEFAULT_USER_ID)]

    posted = await client.chat_postMessage(channel=DEFAULT_CHANNEL_ID, text="v1")
    await client.chat_update(channel=DEFAULT_CHANNEL_ID, ts=posted["ts"], text="v2")
    message = fake_slack.find_message(DEFAULT_CHANNEL_ID, posted["ts"])
    assert message is not None
    assert (message.text, message.edits) == ("v2", 1)
    with pytest.raises(SlackApiError) as missing:
        await client.chat_update(channel=DEFAULT_CHANNEL_ID, ts="1.000001", text="v3")
    assert missing.value.response["error"] == "message_not_found"

    reply = await client.chat_postMessage(
        channel=DEFAULT_CHANNEL_ID, text="reply", thread_ts=posted["ts"]
    )
    replies = await client.conversations_replies(channel=DEFAULT_CHANNEL_ID, ts=posted["ts"])
    assert [m["text"] for m in replies["messages"]] == ["v2", "reply"]
    assert replies["messages"][1]["thread_ts"] == posted["ts"]
    await client.chat_delete(channel=DEFAULT_CHANNEL_ID, ts=reply["ts"])
    assert [m.text for m in fake_slack.thread(DEFAULT_CHANNEL_ID, posted["ts"])] == ["v2"]

    dm = await client.conversations_open(users=DEFAULT_USER_ID)
    await client.chat_postMessage(channel=dm["channel"]["id"], text="private")
    dm_info = await client.conversations_info(channel=dm["channel"]["id"])
    assert dm_info["channel"]["is_im"] is True
    assert [m.text for m in fake_slack.channel_messages(dm["channel"]["id"])] == ["private"]


async def test_injected_errors_and_server_failures(fake_slack: FakeSlack) -> None:
    client = fake_slack.web_client(max_retry_count=0)
    fake_slack.fail_next("chat.postMessage", error="channel_not_found")
    fake_slack.fail_next("chat.postMessage", status=500)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=7)

    outcomes = []
    for _ in range(3):
        with pytest.raises(SlackApiError) as caught:
            await client.chat_postMessage(channel=DEFAULT_CHANNEL_ID, text="hi")
        outcomes.append((caught.value.response.status_code, caught.value.response["error"]))
    assert outcomes == [(200, "channel_not_found"), (500, "fatal_error"), (429, "ratelimited")]
    assert caught.value.response.headers["Retry-After"] == "7"

    assert (await client.chat_postMessage(channel=DEFAULT_CHANNEL_ID, text="hi"))["ok"] is True
    with pytest.raises(ValueError, match="non-200"):
        fake_slack.fail_next("chat.postMessage")


async def test_response_url_applies_limits_and_use_count(fake_slack: FakeSlack) -> None:
    response_url = fake_slack.build_slash_command("/define")["response_url"]
    webhook = AsyncWebhookClient(response_url)

    too_long = await webhook.send(blocks=[_section("x" * (MAX_SECTION_TEXT + 1))])
    assert (too_long.status_code, fake_slack.response_posts[-1].error) == (400, "invalid_blocks")
    statuses = [(await webhook.send(text=f"try {n}")).status_code for n in range(6)]

    assert statuses == [200] * MAX_RESPONSE_URL_USES + [404]
    assert fake_slack.response_posts[-1].error == "used_url"
    shown = fake_slack.channel_messages(include_ephemeral=True)
    assert [m.text for m in shown] == [f"try {n}" for n in range(MAX_RESPONSE_URL_USES)]
    assert all(m.ephemeral_to == DEFAULT_USER_ID for m in shown)


async def test_pings_are_detected_only_when_unescaped(fake_slack: FakeSlack) -> None:
    client = fake_slack.web_client()
    await client.chat_postMessage(channel=DEFAULT_CHANNEL_ID, text="<!everyone> and <@U0000USER>")
    await client.chat_postMessage(channel=DEFAULT_CHANNEL_ID, text="&lt;!everyone&gt; @channel")
    await client.chat_postMessage(
        channel=DEFAULT_CHANNEL_ID, blocks=[_section("hey <!here|here>")], text="hey"
    )

    assert [m.pings for m in fake_slack.channel_messages()] == [
        ("<!everyone>", "<@U0000USER>"),
        (),
        ("<!here>",),
    ]
    assert find_pings({"text": "@channel", "link_names": True}) == ("<!channel>",)
    plain = {"type": "header", "text": {"type": "plain_text", "text": "<!everyone>"}}
    assert find_pings({"blocks": [plain]}) == ()


async def test_waiting_for_a_call_that_never_comes_fails_with_context(
    fake_slack: FakeSlack,
) -> None:
    with pytest.raises(AssertionError, match=r"chat\.postMessage"):
        await fake_slack.wait_for_call("chat.postMessage", timeout=0.05)


# --- files ------------------------------------------------------------------------------------


async def test_a_file_downloads_only_with_the_bot_token(fake_slack: FakeSlack) -> None:
    """Like Slack: without the bot token (or without files:read) the download URL answers 200
    with the HTML login page, never the file."""
    file = fake_slack.add_file("a.md", b"# A\n- x - y\n")
    url = file["url_private_download"]
    refused = [{}, {"Authorization": "Bearer xoxb-wrong"}, {"Authorization": "Bearer xapp-x"}]
    async with aiohttp.ClientSession() as session:
        for headers in refused:
            async with session.get(url, headers=headers) as response:
                assert response.status == 200 and response.content_type == "text/html"
                assert "Sign in" in await response.text()
        good = {"Authorization": f"Bearer {fake_slack.bot_token}"}
        async with session.get(url, headers=good) as response:
            assert response.status == 200 and await response.read() == b"# A\n- x - y\n"
        fake_slack.files_readable = False
        async with session.get(file["url_private"], headers=good) as response:
            assert response.content_type == "text/html"
    assert [d.served for d in fake_slack.downloads] == [False, False, False, True, False]
    assert fake_slack.served_downloads(file["id"])[0].token == fake_slack.bot_token


async def test_files_info_describes_a_file_with_the_files_read_scope(
    fake_slack: FakeSlack,
) -> None:
    file = fake_slack.add_file("a.md", b"# A\n", stated_size=99)
    client = fake_slack.web_client()
    info = await client.files_info(file=file["id"])
    assert info["file"]["size"] == 99 and info["file"]["name"] == "a.md"
    assert info["file"]["url_private_download"] == file["url_private_download"]
    with pytest.raises(SlackApiError) as missing:
        await client.files_info(file="F404")
    assert missing.value.response["error"] == "file_not_found"
    fake_slack.files_readable = False
    with pytest.raises(SlackApiError) as scope:
        await client.files_info(file=file["id"])
    assert scope.value.response["error"] == "missing_scope"


@pytest.mark.parametrize(
    ("element", "ok"),
    [
        ({"filetypes": ["md", "txt"], "max_files": 1}, True),
        ({}, True),
        ({"max_files": 11}, False),
        ({"max_files": 0}, False),
        ({"filetypes": [".md"]}, False),
        ({"filetypes": "md"}, False),
    ],
)
async def test_views_open_checks_a_file_input(
    fake_slack: FakeSlack, element: dict[str, Any], ok: bool
) -> None:
    trigger = fake_slack.build_slash_command("/x")["trigger_id"]
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Upload"},
        "submit": {"type": "plain_text", "text": "Add"},
        "blocks": [
            {
                "type": "input",
                "block_id": "b",
                "label": {"type": "plain_text", "text": "File"},
                "element": {"type": "file_input", "action_id": "f", **element},
            }
        ],
    }
    client = fake_slack.web_client()
    if ok:
        assert (await client.views_open(trigger_id=trigger, view=view))["ok"]
    else:
        with pytest.raises(SlackApiError) as refused:
            await client.views_open(trigger_id=trigger, view=view)
        assert refused.value.response["error"] == "invalid_arguments"


# --- uploads (files_upload_v2), DMs and the Home tab ------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


async def test_files_upload_v2_runs_slacks_three_steps(fake_slack: FakeSlack) -> None:
    """``files.getUploadURLExternal`` hands out a URL on the fake's host, the bytes are POSTed
    there, ``files.completeUploadExternal`` shares the files into the channel (a thread)."""
    client = fake_slack.web_client()
    head = await client.chat_postMessage(channel=DEFAULT_CHANNEL_ID, text="head")
    done = await client.files_upload_v2(
        file_uploads=[
            {"file": PNG, "filename": "stats.png", "title": "stats.png", "alt_txt": "chart"},
            {"content": "a,b\n1,2\n", "filename": "answers.csv"},
        ],
        channel=DEFAULT_CHANNEL_ID,
        thread_ts=head["ts"],
        initial_comment="your files",
    )
    assert done["ok"] and len(done["files"]) == 2
    (step1, step1b) = fake_slack.calls_to("files.getUploadURLExternal")
    assert step1.response["upload_url"].startswith(fake_slack.url + "/upload/v1/")
    assert step1.args["filename"] == "stats.png" and int(step1.args["length"]) == len(PNG)
    assert step1b.args["filename"] == "answers.csv"
    (step3,) = fake_slack.calls_to("files.completeUploadExternal")
    assert step3.args["channel_id"] == DEFAULT_CHANNEL_ID and step3.args["thread_ts"] == head["ts"]
    png, csv = fake_slack.uploaded_files(DEFAULT_CHANNEL_ID)
    assert png.content.startswith(b"\x89PNG") and png.mimetype == "image/png"
    assert csv.content == b"a,b\n1,2\n" and csv.mimetype == "text/csv"
    shared = fake_slack.last_message(lambda m: m.origin == "files.completeUploadExternal")
    assert shared is not None and shared.thread_ts == head["ts"] and shared.text == "your files"
    assert shared.files == [png.id, csv.id]


async def test_completing_an_upload_needs_the_bytes_and_a_channel_the_bot_is_in(
    fake_slack: FakeSlack,
) -> None:
    client = fake_slack.web_client()
    announced = await client.files_getUploadURLExternal(filename="a.txt", length=3)
    files = [{"id": announced["file_id"], "title": "a"}]
    with pytest.raises(SlackApiError) as not_uploaded:
        await client.files_completeUploadExternal(files=files, channel_id=DEFAULT_CHANNEL_ID)
    assert not_uploaded.value.response["error"] == "file_not_found"
    async with aiohttp.ClientSession() as session:
        async with session.post(announced["upload_url"], data=b"toolong") as response:
            assert response.status == 400  # not the announced length
        async with session.post(announced["upload_url"], data=b"abc") as response:
            assert response.status == 200
    with pytest.raises(SlackApiError) as outside:
        await client.files_completeUploadExternal(files=files, channel_id="C0OUTSIDE")
    assert outside.value.response["error"] == "not_in_channel"
    with pytest.raises(SlackApiError) as empty:
        await client.files_getUploadURLExternal(filename="a.txt", length=0)
    assert empty.value.response["error"] == "invalid_arguments"
    done = await client.files_completeUploadExternal(files=files)  # private: shared nowhere
    assert done["ok"] and fake_slack.uploaded_files() == []


async def test_conversations_open_gives_a_dm_or_says_why_not(fake_slack: FakeSlack) -> None:
    client = fake_slack.web_client()
    opened = await client.conversations_open(users=DEFAULT_USER_ID)
    dm = opened["channel"]["id"]
    assert dm.startswith("D")
    posted = await client.chat_postMessage(channel=dm, text="hi")
    assert fake_slack.find_message(dm, posted["ts"]) is not None
    for user, error in ((BOT_USER_ID, "cannot_dm_bot"), ("U0NOBODY", "user_not_found")):
        with pytest.raises(SlackApiError) as refused:
            await client.conversations_open(users=user)
        assert refused.value.response["error"] == error


async def test_views_publish_keeps_each_persons_home_tab(fake_slack: FakeSlack) -> None:
    client = fake_slack.web_client()
    home = {
        "type": "home",
        "blocks": [
            _section("hello"),
            {
                "type": "actions",
                "elements": [_button("Review", "ib:0", '{"c": "review.start", "a": ""}')],
            },
        ],
    }
    published = await client.views_publish(user_id=DEFAULT_USER_ID, view=home)
    view = fake_slack.home_views[DEFAULT_USER_ID]
    assert published["view"]["id"] == view.id and fake_slack.open_views() == []
    button = fake_slack.find_view_button(view.id, command="review.start")
    assert button.text == "Review"
    with pytest.raises(SlackApiError) as modal:
        await client.views_publish(user_id=DEFAULT_USER_ID, view={**home, "type": "modal"})
    assert modal.value.response["error"] == "invalid_arguments"
    too_many = {"type": "home", "blocks": [_section("x")] * 101}
    with pytest.raises(SlackApiError) as big:
        await client.views_publish(user_id=DEFAULT_USER_ID, view=too_many)
    assert big.value.response["error"] == "invalid_arguments"
    opened = fake_slack.build_app_home_opened(DEFAULT_USER_ID)["event"]
    assert opened["type"] == "app_home_opened" and opened["view"]["id"] == view.id
