"""The Slack front end (slack-bolt, async): Socket Mode by default, HTTP with ``--http``.

Slash commands ``/define``, ``/interview``, ``/daily`` (subcommands in the text) are acked at once
and answered in Block Kit. An interview runs in a thread under its first message; answers are
thread replies (message events) or come through the "answer" button's modal.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.render import ACTION_PREFIX, render
from bot.adapters.text_commands import daily_command, start_arguments
from bot.app.service import PRIVATE_ACTIONS, TEXT_ACTIONS, Service
from bot.core.errors import BotError, error_text
from bot.core.messages import t
from bot.core.models import Caller, Reply, ReplyKind
from bot.core.ports import ChannelUnavailable, Posted, RateLimited, ServerError, Target

log = logging.getLogger(__name__)

ANSWER_CALLBACK = "ib-answer"
ANSWER_MAX = 3000
MODAL_TITLE_MAX = 24
RATE_LIMIT_RETRIES = 3
GONE_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "missing_scope",
        "account_inactive",
        "invalid_auth",
    }
)
HISTORY_SCAN = 50


def make_client(token: str, base_url: str | None = None) -> AsyncWebClient:
    """A Web API client that waits out rate limits (429 with Retry-After) before giving up."""
    kwargs: dict[str, Any] = {"token": token}
    if base_url:
        kwargs["base_url"] = base_url
    client = AsyncWebClient(**kwargs)
    client.retry_handlers.append(
        AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)
    )
    return client


class SlackNotifier:
    """Posts daily questions to Slack channels and maps Web API errors for the runner."""

    platform = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(self, target: Target, reply: Reply, *, open_thread: str | None = None) -> Posted:
        """Post the reply (in a thread when ``target.thread_id``); its ts names the thread."""
        text, blocks = render(reply, show_spoiler=False)
        group = _group_id(target.mention)
        if group and not target.thread_id:
            text = f"<!subteam^{group}> {text}"
        try:
            response = await self.client.chat_postMessage(
                channel=target.channel_id,
                text=text,
                blocks=blocks,
                thread_ts=target.thread_id,
                unfurl_links=False,
            )
        except SlackApiError as exc:
            raise _delivery_error(exc) from exc
        except (TimeoutError, OSError) as exc:
            raise ServerError(str(exc)) from exc
        ts = str(response["ts"])
        return Posted(ts, ts if open_thread else None)

    async def find_post(self, target: Target, marker: str) -> Posted | None:
        """Look through the channel's recent history for the bot's post carrying ``marker``."""
        try:
            response = await self.client.conversations_history(
                channel=target.channel_id, limit=HISTORY_SCAN
            )
        except SlackApiError as exc:
            raise NotImplementedError(str(exc)) from exc
        messages: list[dict[str, Any]] = response.get("messages", [])
        for message in messages:
            if marker in json.dumps(message.get("blocks", []), ensure_ascii=False):
                return Posted(str(message["ts"]), str(message["ts"]))
        return None


def _delivery_error(exc: SlackApiError) -> Exception:
    status = getattr(exc.response, "status_code", 200)
    error = str(exc.response.get("error", "")) if exc.response is not None else ""
    if status == 429:
        retry = (
            float(exc.response.headers.get("Retry-After", 1)) if exc.response is not None else 1.0
        )
        return RateLimited(retry)
    if error in GONE_ERRORS or status in (403, 404):
        return ChannelUnavailable(error or str(status))
    return ServerError(error or str(status))


class SlackFrontEnd:
    """Wires bolt handlers to the Service."""

    def __init__(
        self,
        service: Service,
        *,
        token: str,
        signing_secret: str | None = None,
        client: AsyncWebClient | None = None,
        admins: Sequence[str] = (),
    ) -> None:
        self.service = service
        self.locale = service.settings.locale
        self.client = client or make_client(token)
        self.admins = frozenset(admins)
        self.app = AsyncApp(
            client=self.client,
            signing_secret=signing_secret,
            request_verification_enabled=signing_secret is not None,
            process_before_response=False,
        )
        self.notifier = SlackNotifier(self.client)
        self.runner = service.daily_runner(self.notifier)
        self.expiry = service.interview_expiry(self.notifier)
        self._admin_cache: dict[str, bool] = {}
        self._register()

    # --- helpers -------------------------------------------------------------------------

    async def is_admin(self, user_id: str) -> bool:
        """Workspace admins and owners, or the configured list (``SLACK_ADMIN_USERS``)."""
        if user_id in self.admins:
            return True
        if user_id not in self._admin_cache:
            try:
                info = await self.client.users_info(user=user_id)
                user: dict[str, Any] = info.get("user") or {}
                self._admin_cache[user_id] = bool(user.get("is_admin") or user.get("is_owner"))
            except SlackApiError:
                self._admin_cache[user_id] = False
        return self._admin_cache[user_id]

    async def caller(
        self, user_id: str, channel_id: str, team_id: str, thread_ts: str | None = None
    ) -> Caller:
        """The Caller for a Slack event."""
        return Caller(
            platform="slack",
            user_id=user_id,
            channel_id=channel_id,
            workspace_id=team_id or "",
            thread_id=thread_ts,
            is_admin=await self.is_admin(user_id),
        )

    async def post(self, channel: str, reply: Reply, *, thread_ts: str | None = None) -> str:
        """Post a reply in a channel (or thread); returns the message ts."""
        text, blocks = render(reply, show_spoiler=False)
        response = await self.client.chat_postMessage(
            channel=channel, text=text, blocks=blocks, thread_ts=thread_ts
        )
        return str(response["ts"])

    async def ephemeral(
        self, channel: str, user: str, reply: Reply, *, thread_ts: str | None = None
    ) -> None:
        """Show a reply to one person only (spoilers included: nobody else sees it)."""
        text, blocks = render(reply, show_spoiler=True)
        await self.client.chat_postEphemeral(
            channel=channel, user=user, text=text, blocks=blocks, thread_ts=thread_ts
        )

    def error_reply(self, error: BaseException) -> Reply:
        """The one place errors become a message: a BotError's text, else an apology."""
        if isinstance(error, BotError):
            return Reply(
                t("error_title", self.locale),
                error_text(error, self.locale),
                ReplyKind.ERROR,
            )
        log.error("slack handler failed", exc_info=error)
        return Reply(
            t("error_title", self.locale), t("internal_error", self.locale), ReplyKind.ERROR
        )

    async def guarded(
        self, respond: Callable[..., Awaitable[Any]], work: Callable[[], Awaitable[None]]
    ) -> None:
        """Run a handler's work; any failure is answered to the user (ephemerally)."""
        try:
            await work()
        except Exception as exc:
            text, blocks = render(self.error_reply(exc))
            with contextlib.suppress(Exception):
                await respond(
                    text=text, blocks=blocks, response_type="ephemeral", replace_original=False
                )

    # --- handlers ------------------------------------------------------------------------

    def _register(self) -> None:
        app = self.app
        app.command("/define")(self._define)
        app.command("/interview")(self._interview)
        app.command("/daily")(self._daily)
        app.action(re.compile(f"^{re.escape(ACTION_PREFIX)}"))(self._button)
        app.view(ANSWER_CALLBACK)(self._answer_submitted)
        app.event("message")(self._message)

    async def _define(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack()

        async def work() -> None:
            caller = await self.caller(
                command["user_id"], command["channel_id"], command.get("team_id", "")
            )
            reply = await self.service.define(caller, command.get("text", ""))
            text, blocks = render(reply)
            await respond(text=text, blocks=blocks, response_type="in_channel")

        await self.guarded(respond, work)

    async def _interview(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack()

        async def work() -> None:
            words = command.get("text", "").split()
            sub = words[0].lower() if words else "start"
            if sub in ("hint", "skip", "stop"):
                await respond(text=t("interview_none", self.locale), response_type="ephemeral")
                return
            topic, rounds = start_arguments(" ".join(words[1:] if sub == "start" else words))
            channel, user = command["channel_id"], command["user_id"]
            caller = await self.caller(user, channel, command.get("team_id", ""))
            name = command.get("user_name") or user
            head = Reply(t("interview_thread_name", self.locale, name=name), kind=ReplyKind.INFO)
            thread_ts = await self.post(channel, head)
            replies = await self.service.interviews.start(
                replace(caller, thread_id=thread_ts), topic, rounds
            )
            for reply in replies:
                await self.post(channel, reply, thread_ts=thread_ts)

        await self.guarded(respond, work)

    async def _daily(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack()

        async def work() -> None:
            caller = await self.caller(
                command["user_id"], command["channel_id"], command.get("team_id", "")
            )
            reply = await daily_command(self.service, caller, command.get("text", ""), self.runner)
            text, blocks = render(reply)
            await respond(text=text, blocks=blocks, response_type="ephemeral")

        await self.guarded(respond, work)

    async def _button(
        self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any
    ) -> None:
        value = json.loads(action.get("value") or "{}")
        command, argument = str(value.get("c", "")), str(value.get("a", ""))
        if command in TEXT_ACTIONS:
            await ack()
            await self._open_answer_modal(body, command, argument)
            return
        await ack()

        async def work() -> None:
            channel = (body.get("channel") or {}).get("id", "")
            message = body.get("message") or {}
            thread_ts = message.get("thread_ts")
            user = body["user"]["id"]
            team = (body.get("team") or {}).get("id", "")
            caller = await self.caller(user, channel, team, thread_ts)
            for reply in await self.service.act(caller, command, argument):
                if reply.ephemeral or command in PRIVATE_ACTIONS:
                    await self.ephemeral(channel, user, reply, thread_ts=thread_ts)
                elif command == "define":  # answered where the button was, like /define
                    text, blocks = render(reply)
                    await respond(
                        text=text, blocks=blocks, replace_original=False, response_type="in_channel"
                    )
                else:
                    await self.post(channel, reply, thread_ts=thread_ts)

        await self.guarded(respond, work)

    async def _open_answer_modal(self, body: dict[str, Any], command: str, argument: str) -> None:
        channel = (body.get("channel") or {}).get("id", "")
        message = body.get("message") or {}
        metadata = json.dumps(
            {
                "c": command,
                "a": argument,
                "ch": channel,
                "th": message.get("thread_ts") or message.get("ts"),
            }
        )
        view = {
            "type": "modal",
            "callback_id": ANSWER_CALLBACK,
            "private_metadata": metadata,
            "title": {
                "type": "plain_text",
                "text": t("answer_modal_title", self.locale)[:MODAL_TITLE_MAX],
            },
            "submit": {
                "type": "plain_text",
                "text": t("action_answer", self.locale)[:MODAL_TITLE_MAX],
            },
            "blocks": [
                {
                    "type": "input",
                    "block_id": "answer",
                    "label": {
                        "type": "plain_text",
                        "text": t("answer_modal_label", self.locale)[:2000],
                    },
                    "element": {
                        "type": "plain_text_input",
                        "action_id": "text",
                        "multiline": True,
                        "max_length": ANSWER_MAX,
                    },
                }
            ],
        }
        await self.client.views_open(trigger_id=body["trigger_id"], view=view)

    async def _answer_submitted(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        await ack()
        meta = json.loads(view.get("private_metadata") or "{}")
        text = view["state"]["values"]["answer"]["text"].get("value") or ""
        user = body["user"]["id"]
        team = (body.get("team") or {}).get("id", "")
        channel, thread_ts = meta.get("ch", ""), meta.get("th")
        try:
            command = str(meta.get("c", ""))
            caller = await self.caller(user, channel, team, thread_ts)
            for reply in await self.service.act(caller, command, str(meta.get("a", "")), text):
                if command in PRIVATE_ACTIONS:
                    await self.ephemeral(channel, user, reply, thread_ts=thread_ts)
                else:
                    await self.post(channel, reply, thread_ts=thread_ts)
        except Exception as exc:
            with contextlib.suppress(Exception):
                await self.ephemeral(channel, user, self.error_reply(exc), thread_ts=thread_ts)

    async def _message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        """Thread replies answer the interview or the daily question running in that thread."""
        thread_ts = event.get("thread_ts")
        if not thread_ts or event.get("bot_id") or event.get("subtype") or not event.get("user"):
            return
        text = event.get("text") or ""
        if not text.strip():
            return
        channel, user = event["channel"], event["user"]
        caller = await self.caller(user, channel, body.get("team_id", ""), thread_ts)
        try:
            for reply in await self.service.answer_in_thread(caller, text):
                # Slack has no spoilers: the hidden part goes only to the person who answered.
                if not reply.ephemeral:
                    await self.post(channel, reply, thread_ts=thread_ts)
                if reply.spoiler or reply.ephemeral:
                    await self.ephemeral(channel, user, reply, thread_ts=thread_ts)
        except Exception as exc:
            with contextlib.suppress(Exception):
                await self.ephemeral(channel, user, self.error_reply(exc), thread_ts=thread_ts)

    # --- running -------------------------------------------------------------------------

    def web_app(self) -> web.Application:
        """The aiohttp application for HTTP mode: ``/slack/events`` and ``/health``."""
        application = self.app.web_app(path="/slack/events")

        async def health(_request: web.Request) -> web.Response:
            return web.json_response({"ok": True, "concepts": self.service.concept_count})

        application.router.add_get("/health", health)
        return application


def _group_id(mention: str | None) -> str | None:
    """A user group id from ``S123`` or a pasted ``<!subteam^S123|@team>``."""
    if mention is None:
        return None
    found = re.search(r"S[A-Z0-9]+", mention)
    return found.group(0) if found else ""


async def run_slack(service: Service, *, http: bool) -> None:
    """Run the Slack front end until stopped (Socket Mode, or HTTP behind a load balancer)."""
    settings = service.settings
    assert settings.slack_bot_token is not None
    secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    )
    front = SlackFrontEnd(
        service,
        token=settings.slack_bot_token.get_secret_value(),
        signing_secret=secret if http else None,
        admins=settings.slack_admin_users,
    )
    runner_task = asyncio.create_task(front.runner.run_forever(), name="slack-daily-runner")
    expiry_task = asyncio.create_task(front.expiry.run_forever(), name="slack-expiry")
    try:
        if http:
            runner = web.AppRunner(front.web_app())
            await runner.setup()
            site = web.TCPSite(runner, settings.slack_http_host, settings.slack_http_port)
            await site.start()
            try:
                await asyncio.Event().wait()
            finally:
                await runner.cleanup()
        else:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            assert settings.slack_app_token is not None
            handler = AsyncSocketModeHandler(front.app, settings.slack_app_token.get_secret_value())
            await handler.start_async()  # type: ignore[no-untyped-call]
    finally:
        front.runner.stop()
        front.expiry.stop()
        for task in (runner_task, expiry_task):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
