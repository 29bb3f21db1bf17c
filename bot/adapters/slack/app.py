"""The Slack front end (slack-bolt, async): Socket Mode by default, HTTP with ``--http``.

Slash commands ``/define``, ``/interview``, ``/daily``, ``/topics``, ``/notes`` (subcommands in
the text) and the learning loop's ``/review``, ``/remind``, ``/stats``, ``/leaderboard``,
``/export`` are acked at once and answered in Block Kit. An interview (a review session too)
runs in a thread under its first message; answers are thread replies (message events) or come
through the "answer" button's modal. Notes files come through the ``/notes add`` modal or a DM
with the bot. A reply's files are uploaded after its message (``files_upload_v2``). The Home tab
shows the person's dashboard.

:class:`SlackFrontEnd` wires it together: the bolt app with its listeners registered per kind
(:mod:`bot.adapters.slack.listeners`) and one global error handler, the Web API client, the
notifier with the daily runner, interview expiry and review reminder jobs, the notes keeper
(folders watched, repositories pulled), and the aiohttp app for HTTP mode.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.caller import Callers
from bot.adapters.slack.files import upload
from bot.adapters.slack.listeners import actions, commands, errors, events, learning, views
from bot.adapters.slack.notifier import SlackNotifier, make_client
from bot.adapters.slack.render import render
from bot.app.service import Service
from bot.core.models import Reply

__all__ = ["SlackFrontEnd", "SlackNotifier", "make_client", "run_slack"]

EVENTS_PATH = "/slack/events"
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
#: The loggers bolt's request verification writes a rejected request's body to.
VERIFICATION_LOGGERS = ("slack_bolt.AsyncRequestVerification", "slack_bolt.RequestVerification")
log = logging.getLogger(__name__)


class _NoRejectedBodies(logging.Filter):
    """Bolt logs a rejected request with its whole body (verification token, response_url):
    keep the reason, drop the body."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Invalid request signature detected"):
            record.msg, record.args = "Invalid request signature detected (body not logged)", ()
        return True


@web.middleware
async def _refuse_malformed(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """A request to the events URL whose timestamp is not a number is unsigned: 401, as bolt
    answers a bad signature (bolt itself would fail on it with a 500)."""
    if request.path == EVENTS_PATH and not request.headers.get(TIMESTAMP_HEADER, "").isdigit():
        log.info("refused a Slack request: missing or malformed %s", TIMESTAMP_HEADER)
        return web.json_response({"error": "invalid request"}, status=401)
    return await handler(request)


class SlackFrontEnd:
    """Wires bolt listeners to the Service."""

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
        self.callers = Callers(self.client, admins)
        self.app = AsyncApp(
            client=self.client,
            signing_secret=signing_secret,
            request_verification_enabled=signing_secret is not None,
            process_before_response=False,
        )
        for name in VERIFICATION_LOGGERS:
            verification = logging.getLogger(name)
            if not any(isinstance(f, _NoRejectedBodies) for f in verification.filters):
                verification.addFilter(_NoRejectedBodies())
        self.notifier = SlackNotifier(self.client)
        self.runner = service.daily_runner(self.notifier)
        self.expiry = service.interview_expiry(self.notifier)
        self.keeper = service.notes_keeper()
        self.reminders = service.reminder_runner(self.notifier)
        commands.register(self.app, self)
        learning.register(self.app, self)
        actions.register(self.app, self)
        views.register(self.app, self)
        events.register(self.app, self)
        errors.register(self.app, self)

    async def post(self, channel: str, reply: Reply, *, thread_ts: str | None = None) -> str:
        """Post a reply in a channel (or thread), its files uploaded after it in the same
        place; returns the message ts."""
        text, blocks = render(reply, show_spoiler=False)
        response = await self.client.chat_postMessage(
            channel=channel, text=text, blocks=blocks, thread_ts=thread_ts
        )
        await upload(self.client, channel, reply.files, thread_ts=thread_ts, alt_text=reply.title)
        return str(response["ts"])

    async def ephemeral(
        self, channel: str, user: str, reply: Reply, *, thread_ts: str | None = None
    ) -> None:
        """Show a reply to one person only (spoilers included: nobody else sees it)."""
        text, blocks = render(reply, show_spoiler=True)
        await self.client.chat_postEphemeral(
            channel=channel, user=user, text=text, blocks=blocks, thread_ts=thread_ts
        )

    def web_app(self) -> web.Application:
        """The aiohttp application for HTTP mode: ``/slack/events`` and ``/health``."""
        application = self.app.web_app(path=EVENTS_PATH)
        application.middlewares.append(_refuse_malformed)

        async def health(_request: web.Request) -> web.Response:
            return web.json_response({"ok": True, "concepts": self.service.concept_count})

        application.router.add_get("/health", health)
        return application


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
    keeper_task = asyncio.create_task(front.keeper.run_forever(), name="slack-notes-keeper")
    reminder_task = asyncio.create_task(front.reminders.run_forever(), name="slack-reminders")
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
        front.keeper.stop()
        front.reminders.stop()
        for task in (runner_task, expiry_task, keeper_task, reminder_task):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
