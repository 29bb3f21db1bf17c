"""``/remind on|off|status``: a DM at a time of day when the person has cards due (the reminder
runner sends it). Only the person sees the answers."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.caller import caller_of
from bot.adapters.discord.send import send
from bot.adapters.discord.translator import described
from bot.app.service import Service


class RemindCommands(app_commands.Group, name="remind", description=described("cmd_remind")):
    """The ``/remind`` group over a Service."""

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service

    async def _answer(self, interaction: discord.Interaction[Any], argument: str) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        reply = await self.service.remind(caller_of(interaction), argument)
        await send(interaction, [reply], ephemeral=True)

    @app_commands.command(name="on", description=described("cmd_remind_on"))
    @app_commands.describe(time=described("cmd_remind_time"), zone=described("cmd_remind_zone"))
    async def on(
        self,
        interaction: discord.Interaction[Any],
        time: app_commands.Range[str, 1, 10],
        zone: app_commands.Range[str, 1, 64] | None = None,
    ) -> None:
        """Remind at ``time`` (HH:MM) in ``zone`` (the configured one when empty)."""
        words = ["on", *(str(time).split()[:1]), *(str(zone or "").split()[:1])]
        await self._answer(interaction, " ".join(words))

    @app_commands.command(name="off", description=described("cmd_remind_off"))
    async def off(self, interaction: discord.Interaction[Any]) -> None:
        """No more reminders."""
        await self._answer(interaction, "off")

    @app_commands.command(name="status", description=described("cmd_remind_status"))
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        """The person's reminder setting."""
        await self._answer(interaction, "")
