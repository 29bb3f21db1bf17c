"""Message events: a person's reply in a thread answers the interview or the daily question
running there (:meth:`Service.answer_in_thread`). Bots' messages, edits and other subtypes,
top-level messages and blank ones are ignored."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.adapters.slack.listeners.front import Front


def register(app: AsyncApp, front: Front) -> None:
    """Register the ``message`` event listener on ``app``."""

    async def message(event: dict[str, Any], body: dict[str, Any]) -> None:
        """Thread replies answer the interview or the daily question running in that thread."""
        thread_ts = event.get("thread_ts")
        if not thread_ts or event.get("bot_id") or event.get("subtype") or not event.get("user"):
            return
        text = event.get("text") or ""
        if not text.strip():
            return
        event_id = body.get("event_id")  # Slack retries a late ack with the same id
        if event_id and not await front.service.first_delivery("slack", f"event:{event_id}"):
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
