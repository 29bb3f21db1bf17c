"""Sending rendered replies: as follow-ups of a deferred interaction, or as channel messages,
with the reply's files attached.

Nothing the bot sends pings anyone (:data:`NO_MENTIONS`); the one exception, the role a daily
question mentions, is the notifier's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.adapters.discord.render import render
from bot.core.models import Reply, ReplyKind

NO_MENTIONS = discord.AllowedMentions.none()
THREAD_NAME_MAX = 100


async def send(
    interaction: discord.Interaction[Any],
    replies: Sequence[Reply],
    *,
    ephemeral: bool = False,
) -> None:
    """Send replies as follow-ups of a deferred interaction (a definition cut short gets a
    "more" button)."""
    for reply in replies:
        more = str(reply.extra.get("concept_id")) if reply.kind is ReplyKind.DEFINITION else None
        rendered = render(reply, more_id=more)
        await interaction.followup.send(
            **rendered.kwargs(),
            ephemeral=ephemeral or reply.ephemeral,
            allowed_mentions=NO_MENTIONS,
        )


async def post_reply(channel: Any, reply: Reply, reference: discord.Message | None = None) -> None:
    """Send a reply as a plain channel message (as a reply to ``reference``, without a ping)."""
    kwargs: dict[str, Any] = {**render(reply).kwargs(), "allowed_mentions": NO_MENTIONS}
    if reference is not None:
        kwargs["reference"] = reference
        kwargs["mention_author"] = False
    await channel.send(**kwargs)
