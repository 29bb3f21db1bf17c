"""Block actions: the buttons a reply carries (action ids ``ib:<n>``, the value the Service
command and argument as JSON). The "answer" buttons open the answer modal
(:mod:`bot.adapters.slack.modals`); the review buttons start a session as ``/review`` does and a
leaderboard page button replaces the board (:mod:`bot.adapters.slack.listeners.learning`);
every other button is one :meth:`Service.act` call."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.adapters.slack.listeners.front import Front
from bot.adapters.slack.listeners.learning import (
    LEADERBOARD_PAGE,
    REVIEW_ACTIONS,
    page_pressed,
    review_pressed,
)
from bot.adapters.slack.modals import answer_modal, target_of_button
from bot.adapters.slack.render import ACTION_PREFIX, render
from bot.app.service import PRIVATE_ACTIONS, TEXT_ACTIONS

BUTTONS = re.compile(f"^{re.escape(ACTION_PREFIX)}")


def register(app: AsyncApp, front: Front) -> None:
    """Register the listener for every button the bot renders on ``app``."""

    async def button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond | None
    ) -> None:
        """A button: open the answer modal, or carry out its command and post the replies
        (privately what :data:`PRIVATE_ACTIONS` names, ``define`` where the button was)."""
        value = json.loads(action.get("value") or "{}")
        command, argument = str(value.get("c", "")), str(value.get("a", ""))
        await ack()
        caller = await front.callers.of_action(body)  # users.info is cached: quick enough
        if not body.get("response_url"):  # a view's button (the Home tab): no one to respond to
            respond = None
        if command in TEXT_ACTIONS:
            locale = front.service.locale(caller)
            view = answer_modal(target_of_button(body, command, argument), locale)
            await front.client.views_open(trigger_id=body["trigger_id"], view=view)
            return
        if command in REVIEW_ACTIONS:
            await review_pressed(front, caller, command, respond)
            return
        if command == LEADERBOARD_PAGE:
            await page_pressed(front, caller, argument, respond)
            return
        channel, user, thread_ts = caller.channel_id, caller.user_id, caller.thread_id
        for reply in await front.service.act(caller, command, argument):
            if reply.ephemeral or command in PRIVATE_ACTIONS:
                await front.ephemeral(channel, user, reply, thread_ts=thread_ts)
            elif command == "define" and respond is not None:  # where the button was
                text, blocks = render(reply)
                await respond(
                    text=text, blocks=blocks, replace_original=False, response_type="in_channel"
                )
            else:
                await front.post(channel, reply, thread_ts=thread_ts)

    app.action(BUTTONS)(button)
