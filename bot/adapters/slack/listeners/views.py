"""View submissions: the answer modal and the ``/notes add`` upload modal. The answer goes to the
command the button named, in the channel and thread the modal was opened from (its
``private_metadata``); an uploaded notes file is added
(:func:`bot.adapters.slack.uploads.add_files`) and the reply shown to the admin alone in the
channel ``/notes add`` was typed in (through the command's ``response_url``)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.adapters.slack.listeners.front import Front
from bot.adapters.slack.modals import ANSWER_CALLBACK, submitted_answer, submitted_target
from bot.adapters.slack.uploads import (
    NOTES_CALLBACK,
    add_files,
    respond_to,
    submitted_files,
    submitted_response_url,
)
from bot.app.service import PRIVATE_ACTIONS
from bot.core.models import Reply


def register(app: AsyncApp, front: Front) -> None:
    """Register the answer modal's and the upload modal's submissions on ``app``."""

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

    async def notes_submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Close the modal, then download and add the file; the reply (or the refusal, through
        the error handler) goes to the admin alone where ``/notes add`` was typed."""
        await ack()
        target = submitted_target(view)
        caller = await front.callers.of_view(body, target.channel_id, target.thread_ts)

        response_url = submitted_response_url(view)

        async def send(reply: Reply) -> None:
            if response_url and await respond_to(response_url, reply):
                return
            await front.ephemeral(
                caller.channel_id, caller.user_id, reply, thread_ts=caller.thread_id
            )

        await add_files(front.service, front.client, caller, submitted_files(view), send)

    app.view(ANSWER_CALLBACK)(answer_submitted)
    app.view(NOTES_CALLBACK)(notes_submitted)
