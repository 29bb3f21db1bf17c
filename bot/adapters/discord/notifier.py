"""The Discord :class:`~bot.core.ports.Notifier`: the daily runner and interview expiry push
their posts through it, the reminder runner its direct messages (files attached as with any
reply), and it maps Discord's failures onto the port's DeliveryError kinds (a person who takes
no DMs, 403 code 50007: :class:`~bot.core.ports.ChannelUnavailable`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import aiohttp
import discord

from bot.adapters.discord.render import render
from bot.adapters.discord.send import NO_MENTIONS, THREAD_NAME_MAX
from bot.core.daily.rules import carries_marker
from bot.core.models import Reply
from bot.core.ports import (
    ChannelUnavailable,
    DeliveryError,
    Posted,
    RateLimited,
    ServerError,
    Target,
)
from bot.core.review.replies import REVIEW_ANYWAY, REVIEW_START


def delivery_error(exc: BaseException) -> DeliveryError:
    """The port's kind of a Discord failure: 403 and 404 (a channel gone, no access, a person
    who takes no DMs) are for good, a 429 waits, anything else (5xx, the network) may pass."""
    if isinstance(exc, discord.Forbidden | discord.NotFound):
        return ChannelUnavailable(f"{exc.status} {exc.code} {exc.text}")
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:
            return RateLimited(float(getattr(exc, "retry_after", 1.0) or 1.0))
        return ServerError(f"{exc.status} {exc.text}")
    return ServerError(str(exc) or type(exc).__name__)


DM_SESSION_ACTIONS = frozenset({REVIEW_START, REVIEW_ANYWAY})


def _from_workspace(reply: Reply, workspace_id: str) -> Reply:
    """A direct message's review buttons name the server it is about: pressed in the DM (no
    server there) the person hears to review in that server."""
    if not workspace_id.isdecimal():
        return reply
    actions = tuple(
        replace(action, argument=workspace_id)
        if action.command in DM_SESSION_ACTIONS and not action.argument
        else action
        for action in reply.actions
    )
    return replace(reply, actions=actions)


class DiscordNotifier:
    """Posts daily questions to Discord channels and maps platform errors for the runner."""

    platform = "discord"

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def _channel(self, channel_id: str) -> Any:
        channel = self.client.get_channel(int(channel_id))
        if channel is None:
            channel = await self.client.fetch_channel(int(channel_id))
        return channel

    async def post(self, target: Target, reply: Reply, *, open_thread: str | None = None) -> Posted:
        """Send the reply (in a thread when ``target.thread_id``), optionally opening a thread."""
        try:
            channel = await self._channel(target.thread_id or target.channel_id)
            rendered = render(reply)
            content = None
            mentions = NO_MENTIONS
            if target.mention and not target.thread_id:
                content = f"<@&{int(target.mention)}>"
                mentions = discord.AllowedMentions(
                    everyone=False, users=False, roles=[discord.Object(int(target.mention))]
                )
            message = await channel.send(content, **rendered.kwargs(), allowed_mentions=mentions)
            thread_id = None
            if open_thread and not target.thread_id:
                thread = await message.create_thread(name=open_thread[:THREAD_NAME_MAX])
                thread_id = str(thread.id)
            return Posted(str(message.id), thread_id)
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            raise delivery_error(exc) from exc

    async def direct(self, workspace_id: str, user_id: str, reply: Reply) -> Posted:
        """Send the reply to one person as a direct message, files attached. A person who takes
        no DMs from the bot (Discord's 403, code 50007) or who is gone: :class:`ChannelUnavailable`
        (retrying will not help)."""
        try:
            user = self.client.get_user(int(user_id)) or await self.client.fetch_user(int(user_id))
            channel = user.dm_channel or await user.create_dm()
            rendered = render(_from_workspace(reply, workspace_id))
            message = await channel.send(**rendered.kwargs(), allowed_mentions=NO_MENTIONS)
            return Posted(str(message.id))
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            raise delivery_error(exc) from exc

    async def find_post(self, target: Target, marker: str, *, since: datetime) -> Posted | None:
        """Page through the channel's messages from ``since`` on, oldest first, for the bot's
        post carrying ``marker``: it is near the start of the span, so found in the first page
        however many messages came after it."""
        try:
            channel = await self._channel(target.channel_id)
            after = since if since.tzinfo is not None else since.replace(tzinfo=UTC)
            async for message in channel.history(limit=None, after=after, oldest_first=True):
                if message.author.id != getattr(self.client.user, "id", None):
                    continue
                for embed in message.embeds:
                    footer = embed.footer.text if embed.footer else None
                    if footer and carries_marker(footer, marker):
                        thread = message.thread
                        return Posted(str(message.id), str(thread.id) if thread else None)
        except (discord.Forbidden, discord.NotFound) as exc:
            raise ChannelUnavailable(f"{exc.status} {exc.text}") from exc
        except discord.HTTPException as exc:
            raise ServerError(f"{exc.status} {exc.text}") from exc
        return None
