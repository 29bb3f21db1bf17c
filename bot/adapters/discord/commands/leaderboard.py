"""``/leaderboard show [period] [page] | optout | optin``: a server's leaderboard, public in the
channel and pinging nobody (every message goes out with no allowed mentions); leaving it or
coming back is answered to the person alone. Server-only."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.caller import caller_of
from bot.adapters.discord.send import send
from bot.adapters.discord.translator import described
from bot.app.service import Service

PERIODS = [
    app_commands.Choice(name=described("cmd_leaderboard_week"), value="week"),
    app_commands.Choice(name=described("cmd_leaderboard_all"), value="all"),
]
PAGE_MAX = 1000


class LeaderboardCommands(
    app_commands.Group,
    name="leaderboard",
    description=described("cmd_leaderboard"),
    guild_only=True,
):
    """The ``/leaderboard`` group over a Service."""

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service

    @app_commands.command(name="show", description=described("cmd_leaderboard_show"))
    @app_commands.describe(
        period=described("cmd_leaderboard_period"), page=described("cmd_leaderboard_page")
    )
    @app_commands.choices(period=PERIODS)
    async def show(
        self,
        interaction: discord.Interaction[Any],
        period: str = "week",
        page: app_commands.Range[int, 1, PAGE_MAX] = 1,
    ) -> None:
        """This server's leaderboard for the week (default) or all time."""
        await interaction.response.defer(thinking=True)
        reply = await self.service.leaderboard(caller_of(interaction), period, page)
        await send(interaction, [reply])

    @app_commands.command(name="optout", description=described("cmd_leaderboard_optout"))
    async def optout(self, interaction: discord.Interaction[Any]) -> None:
        """Leave the leaderboard."""
        await self._opt(interaction, out=True)

    @app_commands.command(name="optin", description=described("cmd_leaderboard_optin"))
    async def optin(self, interaction: discord.Interaction[Any]) -> None:
        """Show up on the leaderboard again."""
        await self._opt(interaction, out=False)

    async def _opt(self, interaction: discord.Interaction[Any], *, out: bool) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        reply = await self.service.leaderboard_opt(caller_of(interaction), out)
        await send(interaction, [reply], ephemeral=True)
