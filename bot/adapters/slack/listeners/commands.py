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
from bot.core.messages import t
from bot.core.models import Reply, ReplyKind


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
        question in it. ``hint``, ``skip`` and ``stop`` only get "no interview running" (the
        thread's buttons do those)."""
        await ack()
        words = command.get("text", "").split()
        sub = words[0].lower() if words else "start"
        if sub in ("hint", "skip", "stop"):
            await respond(text=t("interview_none", front.locale), response_type="ephemeral")
            return
        topic, rounds = start_arguments(" ".join(words[1:] if sub == "start" else words))
        caller = await front.callers.of_command(command)
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
        caller = await front.callers.of_command(command)
        reply = await daily_command(front.service, caller, command.get("text", ""), front.runner)
        text, blocks = render(reply)
        await respond(text=text, blocks=blocks, response_type="ephemeral")

    app.command("/define")(define)
    app.command("/interview")(interview)
    app.command("/daily")(daily)
