"""Who is calling, as the core sees it: the one place a Discord interaction or message becomes
a :class:`~bot.core.models.Caller`.

Inside a thread the conversation is the thread and ``channel_id`` its parent channel; outside
one there is no thread. Outside a server the workspace is ``"dm"``.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.core.messages import language_of
from bot.core.models import Caller


def caller_of(interaction: discord.Interaction[Any], locale: str | None = None) -> Caller:
    """The Caller for an interaction: admins are members with Manage Server; replies speak the
    person's Discord language when it is Korean or English (else the configured one)."""
    perms = interaction.permissions
    if locale is None:
        locale = language_of(interaction.locale)
    return _caller(
        interaction.user,
        interaction.channel,
        interaction.channel_id,
        interaction.guild_id,
        is_admin=bool(perms.manage_guild or perms.administrator),
        locale=locale,
    )


def caller_of_message(message: discord.Message) -> Caller:
    """The Caller for a plain message (never an admin: a message carries no permissions)."""
    return _caller(
        message.author,
        message.channel,
        message.channel.id,
        message.guild.id if message.guild else None,
    )


def _caller(
    user: discord.User | discord.Member,
    channel: object,
    channel_id: int | None,
    guild_id: int | None,
    *,
    is_admin: bool = False,
    locale: str | None = None,
) -> Caller:
    thread = channel if isinstance(channel, discord.Thread) else None
    parent = thread.parent_id if thread is not None else channel_id
    return Caller(
        platform="discord",
        user_id=str(user.id),
        channel_id=str(parent or channel_id or ""),
        workspace_id=str(guild_id or "dm"),
        thread_id=str(thread.id) if thread is not None else None,
        display_name=user.display_name,
        is_admin=is_admin,
        locale=locale,
    )
