"""Slash commands: ``/define``, ``/interview``, ``/daily``, ``/notes`` (subcommands in the text)
and ``/topics``. Each is acked at once and answered in Block Kit; a failure goes to the error
handler (:mod:`bot.adapters.slack.listeners.errors`). ``/notes`` is for admins and answered to
them alone; ``/notes add`` opens the upload modal.

Where the bot must read thread replies (an interview, a daily question) it must be a member of
the channel: it joins a public channel itself (``channels:join``) and asks to be invited to a
private one (``slack_invite_needed``) before anything is posted there."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError

from bot.adapters.slack.listeners.front import Front
from bot.adapters.slack.render import render
from bot.adapters.slack.uploads import notes_modal
from bot.adapters.text_commands import daily_command, start_arguments
from bot.app.service import PRIVATE_ACTIONS, Service
from bot.core.errors import BadInput, Forbidden
from bot.core.messages import t
from bot.core.models import Caller, Reply, ReplyKind

INTERVIEW_ACTIONS = frozenset({"hint", "skip", "stop"})
PRIVATE_FLAGS = frozenset({"-p", "--private"})  # /define 도커 -p: only you see it
JOIN_REFUSED = frozenset(
    {"channel_not_found", "method_not_supported_for_channel_type", "is_archived", "missing_scope"}
)


def define_text(text: str) -> tuple[str, bool]:
    """The term of ``/define`` text and whether a private flag (``-p``, ``--private``) is in it."""
    words = text.split()
    private = any(word.casefold() in PRIVATE_FLAGS for word in words)
    return " ".join(w for w in words if w.casefold() not in PRIVATE_FLAGS), private


def notes_text(text: str) -> tuple[str, str]:
    """What ``/notes`` text asks for: ``(list|sync|add|git|remove|help, argument)``; ``git`` is
    ``add git <spec>``, ``add`` alone opens the upload modal, anything else (or a missing
    argument) is ``help``."""
    words = text.split(maxsplit=1)
    sub = words[0].casefold() if words else ""
    rest = words[1].strip() if len(words) > 1 else ""
    if sub in ("list", "sync") and not rest:
        return sub, ""
    if sub == "remove" and rest:
        return "remove", rest
    if sub == "add":
        if not rest:
            return "add", ""
        kind, *spec = rest.split(maxsplit=1)
        if kind.casefold() == "git" and spec:
            return "git", spec[0].strip()
    return "help", ""


def notes_help(service: Service, caller: Caller) -> Reply:
    """How ``/notes`` is used on Slack."""
    locale = service.locale(caller)
    return Reply(
        t("slack_notes_help_title", locale),
        t("slack_notes_help", locale, **service.upload_limits()),
        ReplyKind.INFO,
    )


async def notes_reply(service: Service, caller: Caller, sub: str, argument: str) -> Reply:
    """The Service's answer to a ``/notes`` subcommand (not ``add``: that opens the modal)."""
    if sub == "list":
        return await service.notes_list(caller)
    if sub == "sync":
        return await service.notes_sync(caller)
    if sub == "remove":
        return await service.notes_remove(caller, argument)
    if sub == "git":
        return await service.notes_add_git(caller, argument)
    return notes_help(service, caller)


async def ensure_member(front: Front, channel_id: str) -> None:
    """Be a member of ``channel_id`` so thread replies reach the bot: join a public channel,
    else raise ``BadInput("slack_invite_needed")`` (a private channel needs an invitation).
    DMs with the bot need nothing."""
    if channel_id.startswith("D"):
        return
    try:
        info = await front.client.conversations_info(channel=channel_id)
        if (info.get("channel") or {}).get("is_member"):
            return
        await front.client.conversations_join(channel=channel_id)
    except SlackApiError as exc:
        error = str((exc.response or {}).get("error", ""))
        if error in JOIN_REFUSED:
            raise BadInput("slack_invite_needed") from exc
        raise


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
    """Register ``/define``, ``/interview``, ``/daily``, ``/topics`` and ``/notes`` on ``app``."""

    async def define(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        """``/define <term> [-p]``: the note, in the channel (only to the caller with ``-p``)."""
        await ack()
        caller = await front.callers.of_command(command)
        term, private = define_text(command.get("text", ""))
        reply = await front.service.define(caller, term)
        text, blocks = render(reply)
        await respond(
            text=text, blocks=blocks, response_type="ephemeral" if private else "in_channel"
        )

    async def topics(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        """``/topics``: the interview topics with their concept counts, to the caller."""
        await ack()
        caller = await front.callers.of_command(command)
        text, blocks = render(front.service.topics(caller))
        await respond(text=text, blocks=blocks, response_type="ephemeral")

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
        await ensure_member(front, caller.channel_id)
        name = caller.display_name or caller.user_id
        locale = front.service.locale(caller)
        head = Reply(t("interview_thread_name", locale, name=name), kind=ReplyKind.INFO)
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
        text = command.get("text", "")
        if text.split()[:1] and text.split()[0].lower() in ("set", "now"):  # threads to read
            await ensure_member(front, caller.channel_id)
        reply = await daily_command(front.service, caller, text, front.runner)
        text, blocks = render(reply)
        await respond(text=text, blocks=blocks, response_type="ephemeral")

    async def notes(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        """``/notes [list|sync|add|add git <url>|remove <source>]`` (admins): answered to the
        caller only; ``add`` alone opens the upload modal (:mod:`bot.adapters.slack.uploads`,
        its submission :mod:`bot.adapters.slack.listeners.views`)."""
        await ack()
        if not await first_time(front, command):
            return
        caller = await front.callers.of_command(command)
        if not caller.is_admin:
            raise Forbidden("admin_only")
        sub, argument = notes_text(command.get("text", ""))
        if sub == "add":
            locale = front.service.locale(caller)
            view = notes_modal(caller.channel_id, locale, command.get("response_url"))
            await front.client.views_open(trigger_id=command["trigger_id"], view=view)
            return
        text, blocks = render(await notes_reply(front.service, caller, sub, argument))
        await respond(text=text, blocks=blocks, response_type="ephemeral")

    app.command("/define")(define)
    app.command("/interview")(interview)
    app.command("/daily")(daily)
    app.command("/topics")(topics)
    app.command("/notes")(notes)
