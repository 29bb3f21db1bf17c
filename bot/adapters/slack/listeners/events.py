"""Message events: a person's reply in a thread answers the interview or the daily question
running there (:meth:`Service.answer_in_thread`); a file shared in a DM with the bot is
``/notes add`` for that person's workspace (:func:`bot.adapters.slack.uploads.add_files`: admins
only, answered in the DM). Bots' messages, edits and other subtypes, top-level messages and blank
ones are ignored."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.adapters.slack.listeners.front import Front
from bot.adapters.slack.uploads import add_files
from bot.core.models import Reply


def register(app: AsyncApp, front: Front) -> None:
    """Register the ``message`` event listener on ``app``."""

    async def first_time(body: dict[str, Any]) -> bool:
        event_id = body.get("event_id")  # Slack retries a late ack with the same id
        return not event_id or await front.service.first_delivery("slack", f"event:{event_id}")

    async def shared_in_dm(event: dict[str, Any], body: dict[str, Any]) -> None:
        """Files a person shares in a DM with the bot: their notes, added (admins)."""
        if not await first_time(body):
            return
        caller = await front.callers.of_event(event, body)

        async def send(reply: Reply) -> None:
            await front.post(caller.channel_id, reply, thread_ts=caller.thread_id)

        await add_files(front.service, front.client, caller, event.get("files") or [], send)

    async def message(event: dict[str, Any], body: dict[str, Any]) -> None:
        """Thread replies answer the interview or the daily question running in that thread;
        a file shared in a DM is added as notes."""
        if event.get("subtype") == "file_share":
            if event.get("channel_type") == "im" and event.get("user") and not event.get("bot_id"):
                await shared_in_dm(event, body)
            return
        thread_ts = event.get("thread_ts")
        if not thread_ts or event.get("bot_id") or event.get("subtype") or not event.get("user"):
            return
        text = event.get("text") or ""
        if not text.strip():
            return
        if not await first_time(body):
            return
        caller = await front.callers.of_event(event, body)
        channel, user = caller.channel_id, caller.user_id
        for reply in await front.service.answer_in_thread(caller, text):
            # Slack has no spoilers: the hidden part goes only to the person who answered.
            if not reply.ephemeral:
                await front.post(channel, reply, thread_ts=thread_ts)
            if reply.spoiler or reply.ephemeral:
                await front.ephemeral(channel, user, reply, thread_ts=thread_ts)

    app.event("message")(message)
