"""The one error reporter of the Slack front end, bolt's global error handler: slash commands,
buttons, the answer modal and thread replies all end here.

The text comes from :func:`bot.core.errors.error_text`. Anything that is not a
:class:`~bot.core.errors.BotError` is a bug: its stack is logged and the person sees the generic
apology. A slash command or a button is answered through its response_url (ephemeral, the
original message left alone); a modal submission or a message event has none, so the person gets
an ephemeral message in the channel and thread it came from (the modal keeps them in its
``private_metadata``), or, for the ``/notes add`` modal, through the ``response_url`` of the
command that opened it (kept there too). A button in the Home tab has neither a response_url nor
a channel: the person is told in their DM with the app. Failing to report is logged, never
raised.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse

from bot.adapters.slack.files import open_dm
from bot.adapters.slack.listeners.front import Front
from bot.adapters.slack.modals import submitted_target
from bot.adapters.slack.render import render
from bot.adapters.slack.uploads import respond_to, submitted_response_url
from bot.core.errors import BotError, error_text
from bot.core.messages import t
from bot.core.models import Reply, ReplyKind

log = logging.getLogger(__name__)


def error_reply(error: BaseException, locale: str) -> Reply:
    """What a person is shown about ``error``: a BotError's text, else the apology."""
    return Reply(t("error_title", locale), error_text(error, locale), ReplyKind.ERROR)


def register(app: AsyncApp, front: Front) -> None:
    """Make :func:`report_error` the global error handler of ``app`` (listeners and
    middleware)."""

    async def on_error(
        error: Exception,
        body: dict[str, Any],
        respond: AsyncRespond | None,
        context: AsyncBoltContext,
    ) -> None:
        """Report ``error`` to the person behind the request, keeping its ack."""
        ack = context.ack
        acked = ack.response
        try:
            await report_error(front, error, body, respond)
        finally:
            if acked is not None:
                _keep_ack(ack, acked)

    app.error(on_error)


async def report_error(
    front: Front, error: BaseException, body: dict[str, Any], respond: AsyncRespond | None
) -> None:
    """Tell the person behind ``body`` what went wrong; log the stack of a bug."""
    if not isinstance(error, BotError):
        log.error("slack handler failed", exc_info=error)
    who = body.get("user")
    user = body.get("user_id") or (who.get("id") if isinstance(who, dict) else who) or ""
    language = await front.callers.language(str(user)) if user else None
    reply = error_reply(error, language or front.locale)
    try:
        await _tell(front, reply, body, respond)
    except Exception:
        log.warning("could not report an error to the user", exc_info=True)


async def _tell(
    front: Front, reply: Reply, body: dict[str, Any], respond: AsyncRespond | None
) -> None:
    kind = body.get("type")
    if kind == "view_submission":
        view = body.get("view") or {}
        response_url = submitted_response_url(view)
        if response_url and await respond_to(response_url, reply):
            return  # the /notes add modal: answered where the command was typed
        target = submitted_target(view)
        user = str((body.get("user") or {}).get("id", ""))
        await front.ephemeral(target.channel_id, user, reply, thread_ts=target.thread_ts)
    elif kind == "event_callback":
        event: dict[str, Any] = body.get("event") or {}
        await front.ephemeral(
            str(event.get("channel", "")),
            str(event.get("user", "")),
            reply,
            thread_ts=event.get("thread_ts"),
        )
    elif kind == "block_actions" and not body.get("response_url"):  # a button in the Home tab
        user = str((body.get("user") or {}).get("id", ""))
        await front.post(await open_dm(front.client, user), reply)
    elif respond is not None:  # slash commands and block actions
        text, blocks = render(reply)
        await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def _keep_ack(ack: AsyncAck, acked: BoltResponse) -> None:
    """Put a listener's ack back once bolt's runner has cleared it.

    With ``process_before_response=False`` the listener runs in its own task while the request
    waits (polling every 10 ms) for ``ack.response``; when the listener fails after acking, the
    runner sets ``ack.response`` to None right after this handler returns. Had the poll not seen
    the ack yet, the request would wait out the ack timeout and answer Slack 404. The runner
    clears it without yielding, so the next turn of the loop comes after it.
    """

    def restore() -> None:
        if ack.response is None:
            ack.response = acked

    asyncio.get_running_loop().call_soon(restore)
