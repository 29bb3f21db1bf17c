"""Starting an interview-like session (``/interview start``, ``/review``, the "review anyway"
button): in a text channel it runs in a new public thread, elsewhere (a thread already, a DM)
where it was started.

The thread is opened before the Service is asked (the session belongs to the thread), after a
precheck where there is one (``/review`` asks whether anything is due: nothing is, and no
thread is opened). When no session started anyway (a race, an error) the answer is given where
the person asked and the empty thread is deleted, or archived when the bot may not delete it (it
has no Manage Threads by default).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import discord

from bot.adapters.discord.caller import caller_of
from bot.adapters.discord.send import NO_MENTIONS, THREAD_NAME_MAX, post_reply, send
from bot.app.service import Service
from bot.core.messages import t
from bot.core.models import Caller, Reply, ReplyKind

log = logging.getLogger(__name__)

Starter = Callable[[Caller], Awaitable[list[Reply]]]
# Asked before a thread is opened: the reply when nothing would start (``/review`` with nothing
# due), else None.
Precheck = Callable[[Caller], Awaitable[Reply | None]]


def started(replies: list[Reply]) -> bool:
    """Whether the replies start a session (they ask a question)."""
    return any(reply.kind is ReplyKind.QUESTION for reply in replies)


async def _drop(thread: discord.Thread) -> None:
    """Take an empty thread away: delete it, else archive it (its creator may)."""
    try:
        await thread.delete()
        return
    except discord.HTTPException:
        log.debug("could not delete the empty thread %s", thread.id, exc_info=True)
    try:
        await thread.edit(archived=True)
    except discord.HTTPException:
        log.info("could not archive the empty thread %s", thread.id, exc_info=True)


async def start_session(
    interaction: discord.Interaction[Any],
    service: Service,
    start: Starter,
    *,
    thread_key: str,
    started_key: str,
    precheck: Precheck | None = None,
) -> None:
    """Run ``start`` for the person behind a deferred (public) interaction: in a text channel
    in a new thread named by ``thread_key`` (the channel hears ``started_key`` with the
    thread's mention), else where the interaction came from. ``precheck`` answers first when
    nothing would start, and then no thread is opened."""
    caller = caller_of(interaction)
    if precheck is not None:
        nothing = await precheck(caller)
        if nothing is not None:
            await send(interaction, [nothing])
            return
    channel = interaction.channel
    if not isinstance(channel, discord.TextChannel):
        await send(interaction, await start(caller))
        return
    locale = service.locale(caller)
    name = t(thread_key, locale, name=interaction.user.display_name)
    thread = await channel.create_thread(
        name=name[:THREAD_NAME_MAX], type=discord.ChannelType.public_thread
    )
    caller = replace(caller, thread_id=str(thread.id))
    try:
        replies = await start(caller)
    except Exception:
        await _drop(thread)
        raise
    if not started(replies):
        await _drop(thread)
        await send(interaction, replies)
        return
    text = t(started_key, locale, thread=thread.mention)
    await interaction.followup.send(text, allowed_mentions=NO_MENTIONS)
    for reply in replies:
        await post_reply(thread, reply)
