"""``/export``: the person's answers as CSV and an Anki deck of their weakest concepts, as
attachments only they see."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.caller import caller_of
from bot.adapters.discord.send import send
from bot.adapters.discord.translator import described
from bot.app.service import Service


def export_command(service: Service) -> app_commands.Command[Any, ..., None]:
    """The ``/export`` command over ``service``."""

    @app_commands.command(name="export", description=described("cmd_export"))
    async def export(interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        reply = await service.export(caller_of(interaction))
        await send(interaction, [reply], ephemeral=True)

    return export
