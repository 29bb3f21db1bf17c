"""``/define``: look a concept up in the notes, with the notes' terms as autocomplete."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.caller import caller_of
from bot.adapters.discord.send import send
from bot.adapters.discord.translator import described
from bot.app.service import Service


def define_command(service: Service) -> app_commands.Command[Any, ..., None]:
    """The ``/define term [private]`` command over ``service``."""

    @app_commands.command(name="define", description=described("cmd_define"))
    @app_commands.describe(
        term=described("cmd_define_term"), private=described("cmd_define_private")
    )
    async def define(
        interaction: discord.Interaction[Any], term: str, private: bool = False
    ) -> None:
        await interaction.response.defer(ephemeral=private, thinking=True)
        reply = await service.define(caller_of(interaction), term)
        await send(interaction, [reply], ephemeral=private)

    @define.autocomplete("term")
    async def define_autocomplete(
        interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        choices = await service.autocomplete(caller_of(interaction), current)
        return [
            app_commands.Choice(name=label, value=value)
            for label, value in choices
            if label and value
        ]

    return define
