"""Slash commands: ``/define``, ``/interview`` and ``/daily`` (subcommands in the text). Each is
acked at once and answered in Block Kit; a failure goes to the error handler
(:mod:`bot.adapters.slack.listeners.errors`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.adapters.slack.listeners.front import Front
from bot.adapters.slack.render import render
from bot.adapters.text_commands import daily_command, start_arguments
from bot.app.service import PRIVATE_ACTIONS
from bot.core.messages import t
from bot.core.models import Caller, Reply, ReplyKind

INTERVIEW_ACTIONS = frozenset({"hint", "skip", "stop"})


async def interview_action(front: Front, caller: Caller, sub: str, respond: AsyncRespond) -> None:
    """``/interview hint|skip|stop``, as the interview's buttons do it, on the caller's running
    interview in this channel (a slash command names the channel, never the thread: the Service
    finds the thread). What the buttons post in the thread is posted there; what only the caller
    may see (the hint) is answered privately where the command was typed. With no interview
    running the Service's "no interview" reaches the error handler."""
    caller = await front.service.interviews.where_running(caller)
    command = f"interview.{sub}"
    for reply in await front.service.act(caller, command):
        if reply.ephemeral or command in PRIVATE_ACTIONS or caller.thread_id is None:
            text, blocks = render(reply)
            await respond(text=text, blocks=blocks, response_type="ephemeral")
        else:
            await front.post(caller.channel_id, reply, thread_ts=caller.thread_id)


async def first_time(front: Front, command: dict[str, Any]) -> bool:
    """Whether this command invocation is new: a replayed or retried request (the same trigger)
    is handled once, whichever process receives it."""
    trigger = command.get("trigger_id")
    return not trigger or await front.service.first_delivery("slack", f"command:{trigger}")


def register(app: AsyncApp, front: Front) -> None:
    """Register ``/define``, ``/interview`` and ``/daily`` on ``app``."""

    async def define(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        """``/define <term>``: the note, in the channel."""
        await ack()
        caller = await front.callers.of_command(command)
        reply = await front.service.define(caller, command.get("text", ""))
        text, blocks = render(reply)
        await respond(text=text, blocks=blocks, response_type="in_channel")

    async def interview(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        """``/interview [start] [topic] [rounds]``: a thread under a head message, the first
        question in it. ``hint``, ``skip`` and ``stop`` act on the caller's running interview in
        this channel (:func:`interview_action`)."""
        await ack()
        if not await first_time(front, command):
            return
        words = command.get("text", "").split()
        sub = words[0].lower() if words else "start"
        caller = await front.callers.of_command(command)
        if sub in INTERVIEW_ACTIONS:
            await interview_action(front, caller, sub, respond)
            return
        topic, rounds = start_arguments(" ".join(words[1:] if sub == "start" else words))
        name = command.get("user_name") or caller.user_id
        head = Reply(t("interview_thread_name", front.locale, name=name), kind=ReplyKind.INFO)
        thread_ts = await front.post(caller.channel_id, head)
        replies = await front.service.interviews.start(
            replace(caller, thread_id=thread_ts), topic, rounds
        )
        for reply in replies:
            await front.post(caller.channel_id, reply, thread_ts=thread_ts)

    async def daily(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        """``/daily [status|now|off|set ...]``: answered to the caller only."""
        await ack()
        if not await first_time(front, command):
            return
        caller = await front.callers.of_command(command)
        reply = await daily_command(front.service, caller, command.get("text", ""), front.runner)
        text, blocks = render(reply)
        await respond(text=text, blocks=blocks, response_type="ephemeral")

    app.command("/define")(define)
    app.command("/interview")(interview)
    app.command("/daily")(daily)
