"""``/daily set|off|status|now``: a channel's daily question. Server-only, and by default only
members with Manage Server see the group (the Service checks admin rights again)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.caller import caller_of
from bot.adapters.discord.commands.topics import topic_choices
from bot.adapters.discord.send import send
from bot.adapters.discord.translator import described
from bot.app.daily import Poster
from bot.app.service import Service


class DailyCommands(
    app_commands.Group,
    name="daily",
    description=described("cmd_daily"),
    default_permissions=discord.Permissions(manage_guild=True),
    guild_only=True,
):
    """The ``/daily`` group over a Service; ``runner`` posts for ``/daily now``."""

    def __init__(self, service: Service, runner: Poster) -> None:
        super().__init__()
        self.service = service
        self.runner = runner

    @app_commands.command(name="set", description=described("cmd_daily_set"))
    @app_commands.describe(
        time=described("cmd_daily_time"),
        timezone=described("cmd_daily_timezone"),
        weekdays=described("cmd_daily_weekdays"),
        topic=described("cmd_option_topic"),
        mention=described("cmd_daily_mention"),
    )
    async def set_schedule(
        self,
        interaction: discord.Interaction[Any],
        time: str | None = None,
        timezone: str | None = None,
        weekdays: str | None = None,
        topic: str | None = None,
        mention: discord.Role | None = None,
    ) -> None:
        """Schedule this channel's daily question: every option is optional and ``set`` changes
        only what it names (the reply lists the whole schedule)."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        reply = await self.service.daily.set(
            caller_of(interaction),
            time,
            timezone,
            weekdays,
            topic,
            str(mention.id) if mention is not None else None,
        )
        await send(interaction, [reply], ephemeral=True)

    @set_schedule.autocomplete("topic")
    async def set_topic(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Topics for ``topic`` as the admin types."""
        return topic_choices(self.service, interaction, current)

    @app_commands.command(name="off", description=described("cmd_daily_off"))
    async def off(self, interaction: discord.Interaction[Any]) -> None:
        """Turn this channel's daily question off."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        await send(
            interaction, [await self.service.daily.off(caller_of(interaction))], ephemeral=True
        )

    @app_commands.command(name="status", description=described("cmd_daily_status"))
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        """This channel's daily question schedule."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        await send(
            interaction,
            [await self.service.daily.status(caller_of(interaction))],
            ephemeral=True,
        )

    @app_commands.command(name="now", description=described("cmd_daily_now"))
    async def now(self, interaction: discord.Interaction[Any]) -> None:
        """Post a question in this channel at once."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        reply = await self.service.daily.now(caller_of(interaction), self.runner)
        await send(interaction, [reply], ephemeral=True)
