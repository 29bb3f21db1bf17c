"""View submissions: the answer modal. The answer goes to the command the button named, in the
channel and thread the modal was opened from (its ``private_metadata``)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.adapters.slack.listeners.front import Front
from bot.adapters.slack.modals import ANSWER_CALLBACK, submitted_answer, submitted_target
from bot.app.service import PRIVATE_ACTIONS


def register(app: AsyncApp, front: Front) -> None:
    """Register the answer modal's submission on ``app``."""

    async def answer_submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Close the modal, then answer: the replies are posted in the thread (privately what
        :data:`PRIVATE_ACTIONS` names)."""
        await ack()
        target = submitted_target(view)
        text = submitted_answer(view)
        caller = await front.callers.of_view(body, target.channel_id, target.thread_ts)
        channel, user, thread_ts = caller.channel_id, caller.user_id, caller.thread_id
        for reply in await front.service.act(caller, target.command, target.argument, text):
            if target.command in PRIVATE_ACTIONS:
                await front.ephemeral(channel, user, reply, thread_ts=thread_ts)
            else:
                await front.post(channel, reply, thread_ts=thread_ts)

    app.view(ANSWER_CALLBACK)(answer_submitted)
