"""The learning loop on Slack: ``/review``, ``/remind``, ``/stats``, ``/leaderboard``, ``/export``,
the review and leaderboard buttons, and the App Home dashboard.

A review session is an interview: ``/review [anyway]`` (and the ``review.anyway`` /
``review.start`` buttons) post a head message and run the session in its thread, as
``/interview`` does; when nothing is due nothing is posted and the person alone is told when
the next review is (with the "review anyway" button). The Home tab's Review button runs it
in the person's DM with the app.

``/stats``, ``/remind``, ``/export`` and ``/leaderboard optout|optin`` are answered to the caller
alone; a reply's files (the chart, the export) go to their DM with the app (Slack has no private
files in a channel). ``/leaderboard`` is public and pings nobody: the Service writes names, and
every text is escaped (:mod:`bot.adapters.slack.render`). Its page buttons replace the board.

On ``app_home_opened`` (the Home tab) the dashboard is published with ``views.publish``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, Final

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError

from bot.adapters.slack.files import open_dm, upload
from bot.adapters.slack.listeners.commands import ensure_member, first_time
from bot.adapters.slack.listeners.front import Front
from bot.adapters.slack.render import BLOCKS_MAX, escape, render
from bot.core.errors import BadInput
from bot.core.messages import t
from bot.core.models import Caller, Reply, ReplyKind

REVIEW_ACTIONS: Final = frozenset({"review.anyway", "review.start"})
LEADERBOARD_PAGE: Final = "leaderboard.page"
NONE_DUE: Final = "review_none_due"
ANYWAY_WORDS: Final = frozenset({"anyway", "--anyway", "-a"})
PERIODS: Final = ("week", "all")
HOME_CALLBACK: Final = "ib-home"
HOME_BLOCKS_MAX: Final = 100
MENTION = re.compile(r"<@(?P<id>[UW][A-Z0-9]+)(?:\|[^>]*)?>")
USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")

Show = Callable[[Reply], Awaitable[None]]
log = logging.getLogger(__name__)


# --- reading the command text ---------------------------------------------------------------


def review_text(text: str) -> bool:
    """Whether ``/review`` text asks to review anyway (nothing due: cram)."""
    return any(word.casefold() in ANYWAY_WORDS for word in text.split())


def member_text(text: str) -> str | None:
    """The member ``/stats`` names: Slack's escaped mention ``<@U123|name>`` (or a bare user
    id); None for no text; anything else is ``slack_stats_usage``."""
    text = text.strip()
    if not text:
        return None
    found = MENTION.fullmatch(text)
    if found:
        return found["id"]
    if USER_ID.fullmatch(text):
        return text
    raise BadInput("slack_stats_usage")


def leaderboard_text(text: str) -> tuple[str, str, int]:
    """What ``/leaderboard`` text asks for: ``("optout"|"optin", "", 1)`` or
    ``("show", period, page)`` (``week`` and page 1 unless given); else
    ``slack_leaderboard_usage``."""
    words = [word.casefold() for word in text.split()]
    if words in (["optout"], ["optin"]):
        return words[0], "", 1
    period, page = "week", 1
    for word in words:
        if word in PERIODS:
            period = word
        elif word.isdigit() and int(word) > 0:
            page = int(word)
        else:
            raise BadInput("slack_leaderboard_usage")
    return "show", period, page


# --- answering ------------------------------------------------------------------------------


def _with_note(reply: Reply, note: str) -> Reply:
    return replace(reply, footer=f"{reply.footer} · {note}" if reply.footer else note)


async def answer_privately(front: Front, caller: Caller, reply: Reply, show: Show) -> None:
    """Show ``reply`` to the caller alone (``show``), its files uploaded into their DM with the
    app after it (the reply says so when it was shown elsewhere). A DM Slack will not open
    leaves the files out and says so; the reply is shown all the same."""
    if not reply.files:
        await show(reply)
        return
    locale = front.service.locale(caller)
    try:
        dm = await open_dm(front.client, caller.user_id)
    except SlackApiError:
        log.warning("could not open a DM with %s for files", caller.user_id, exc_info=True)
        await show(_with_note(replace(reply, files=()), t("slack_files_no_dm", locale)))
        return
    await show(
        reply if dm == caller.channel_id else _with_note(reply, t("slack_files_in_dm", locale))
    )
    await upload(front.client, dm, reply.files, comment=escape(reply.title), alt_text=reply.title)


def _responder(respond: AsyncRespond) -> Show:
    async def show(reply: Reply) -> None:
        text, blocks = render(reply)
        await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)

    return show


async def start_review(front: Front, caller: Caller, anyway: bool, private: Show) -> None:
    """Run a review session as ``/interview`` runs an interview: a head message in the caller's
    channel, the session in its thread. When nothing is due the person alone is told so
    (``private``) and nothing is posted; when the Service refuses after the head was posted (a
    race) the head is deleted again."""
    caller = replace(caller, thread_id=None)
    nothing = await front.service.review_preview(caller, anyway)
    if nothing is not None:
        await private(nothing)
        return
    await ensure_member(front, caller.channel_id)
    locale = front.service.locale(caller)
    name = caller.display_name or caller.user_id
    head = Reply(t("slack_review_head", locale, name=name), kind=ReplyKind.INFO)
    thread_ts = await front.post(caller.channel_id, head)
    try:
        replies = await front.service.review(replace(caller, thread_id=thread_ts), anyway)
    except Exception:
        await _take_back(front, caller.channel_id, thread_ts)
        raise
    if any(reply.extra.get("key") == NONE_DUE for reply in replies):
        await _take_back(front, caller.channel_id, thread_ts)
        for reply in replies:
            await private(reply)
        return
    for reply in replies:
        await front.post(caller.channel_id, reply, thread_ts=thread_ts)


async def _take_back(front: Front, channel: str, ts: str) -> None:
    try:
        await front.client.chat_delete(channel=channel, ts=ts)
    except SlackApiError:
        log.warning("could not delete the review head %s in %s", ts, channel, exc_info=True)


async def review_pressed(
    front: Front, caller: Caller, command: str, respond: AsyncRespond | None
) -> None:
    """The ``review.anyway`` / ``review.start`` buttons: the session where the button was (a
    message in a channel or DM), or in the person's DM with the app for the Home tab's button
    (a view names no channel)."""
    anyway = command == "review.anyway"
    if not caller.channel_id:  # the Home tab
        dm = await open_dm(front.client, caller.user_id)
        caller = replace(caller, channel_id=dm, thread_id=None)

        async def in_dm(reply: Reply) -> None:
            await front.post(dm, reply)

        await start_review(front, caller, anyway, in_dm)
        return

    async def alone(reply: Reply) -> None:
        await front.ephemeral(caller.channel_id, caller.user_id, reply)

    await start_review(front, caller, anyway, _responder(respond) if respond else alone)


async def page_pressed(
    front: Front, caller: Caller, argument: str, respond: AsyncRespond | None
) -> None:
    """A leaderboard page button: the board replaced by that page (posted anew where the
    message can no longer be replaced)."""
    for reply in await front.service.act(caller, LEADERBOARD_PAGE, argument):
        text, blocks = render(reply)
        if respond is not None:
            await respond(text=text, blocks=blocks, replace_original=True)
        else:
            await front.post(caller.channel_id, reply, thread_ts=caller.thread_id)


def home_view(reply: Reply) -> dict[str, Any]:
    """The Home tab for the dashboard reply: its blocks as a message would have them (Block
    Kit's limits hold: sections of at most 3,000 characters, never more than 100 blocks)."""
    _, blocks = render(reply)
    return {
        "type": "home",
        "callback_id": HOME_CALLBACK,
        "blocks": blocks[: min(BLOCKS_MAX, HOME_BLOCKS_MAX)],
    }


# --- the listeners --------------------------------------------------------------------------


def register(app: AsyncApp, front: Front) -> None:
    """Register ``/review``, ``/remind``, ``/stats``, ``/leaderboard``, ``/export`` and the
    ``app_home_opened`` event on ``app``."""

    async def review(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        """``/review [anyway]``: the due cards as an interview in a thread (see
        :func:`start_review`)."""
        await ack()
        if not await first_time(front, command):
            return
        caller = await front.callers.of_command(command)
        anyway = review_text(command.get("text", ""))
        await start_review(front, caller, anyway, _responder(respond))

    async def remind(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        """``/remind on 21:00 [Asia/Seoul] | off | status``: to the caller alone."""
        await ack()
        if not await first_time(front, command):
            return
        caller = await front.callers.of_command(command)
        reply = await front.service.remind(caller, command.get("text", "").strip())
        await _responder(respond)(reply)

    async def stats(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        """``/stats [@member]``: the caller's (or, for admins, a member's) stats with the chart,
        to the caller alone; the chart in their DM."""
        await ack()
        if not await first_time(front, command):
            return
        caller = await front.callers.of_command(command)
        member = member_text(command.get("text", ""))
        reply = await front.service.stats(caller, member)
        await answer_privately(front, caller, reply, _responder(respond))

    async def leaderboard(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        """``/leaderboard [week|all] [page]`` in the channel (nobody pinged);
        ``optout`` / ``optin`` to the caller alone."""
        await ack()
        if not await first_time(front, command):
            return
        caller = await front.callers.of_command(command)
        sub, period, page = leaderboard_text(command.get("text", ""))
        if sub != "show":
            reply = await front.service.leaderboard_opt(caller, out=sub == "optout")
            await _responder(respond)(reply)
            return
        text, blocks = render(await front.service.leaderboard(caller, period, page))
        await respond(text=text, blocks=blocks, response_type="in_channel")

    async def export(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        """``/export``: the caller's answers (CSV) and an Anki deck, into their DM."""
        await ack()
        if not await first_time(front, command):
            return
        caller = await front.callers.of_command(command)
        reply = await front.service.export(caller)
        await answer_privately(front, caller, reply, _responder(respond))

    async def home_opened(event: dict[str, Any], body: dict[str, Any]) -> None:
        """The Home tab: the person's dashboard, published for them."""
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        user = str(event["user"])
        caller = await front.callers.caller(
            user, str(event.get("channel") or ""), str(body.get("team_id") or "")
        )
        view = home_view(await front.service.dashboard(caller))
        await front.client.views_publish(user_id=user, view=view)

    app.command("/review")(review)
    app.command("/remind")(remind)
    app.command("/stats")(stats)
    app.command("/leaderboard")(leaderboard)
    app.command("/export")(export)
    app.event("app_home_opened")(home_opened)
