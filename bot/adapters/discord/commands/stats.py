"""``/stats [member]``: the person's learning stats with a chart (a PNG attachment), only for
them; another member's (``member``) for admins (the Service refuses anyone else)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.caller import caller_of
from bot.adapters.discord.send import send
from bot.adapters.discord.translator import described
from bot.app.service import Service


def stats_command(service: Service) -> app_commands.Command[Any, ..., None]:
    """The ``/stats [member]`` command over ``service``."""

    @app_commands.command(name="stats", description=described("cmd_stats"))
    @app_commands.describe(member=described("cmd_stats_member"))
    async def stats(
        interaction: discord.Interaction[Any], member: discord.Member | None = None
    ) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        member_id = str(member.id) if member is not None else None
        reply = await service.stats(caller_of(interaction), member_id)
        await send(interaction, [reply], ephemeral=True)

    return stats
