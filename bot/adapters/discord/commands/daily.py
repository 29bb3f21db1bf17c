"""``/daily set|off|status|now``: a channel's daily question. Server-only, and by default only
members with Manage Server see the group (the Service checks admin rights again)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.caller import caller_of
from bot.adapters.discord.send import send
from bot.app.daily import Poster
from bot.app.service import Service


class DailyCommands(
    app_commands.Group,
    name="daily",
    description="오늘의 질문 · Daily question",
    default_permissions=discord.Permissions(manage_guild=True),
    guild_only=True,
):
    """The ``/daily`` group over a Service; ``runner`` posts for ``/daily now``."""

    def __init__(self, service: Service, runner: Poster) -> None:
        super().__init__()
        self.service = service
        self.runner = runner

    @app_commands.command(name="set", description="오늘의 질문 설정 · Set the daily question")
    @app_commands.describe(
        time="HH:MM",
        timezone="Asia/Seoul",
        weekdays="매일 / 평일 / mon,wed,fri",
        topic="주제 · topic",
        mention="알릴 역할 (기본: 없음) · role to mention (default: none)",
    )
    async def set_schedule(
        self,
        interaction: discord.Interaction[Any],
        time: str,
        timezone: str | None = None,
        weekdays: str | None = None,
        topic: str | None = None,
        mention: discord.Role | None = None,
    ) -> None:
        """Schedule this channel's daily question."""
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

    @app_commands.command(name="off", description="오늘의 질문 끄기 · Turn the daily question off")
    async def off(self, interaction: discord.Interaction[Any]) -> None:
        """Turn this channel's daily question off."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        await send(
            interaction, [await self.service.daily.off(caller_of(interaction))], ephemeral=True
        )

    @app_commands.command(name="status", description="오늘의 질문 상태 · Status")
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        """This channel's daily question schedule."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        await send(
            interaction,
            [await self.service.daily.status(caller_of(interaction))],
            ephemeral=True,
        )

    @app_commands.command(name="now", description="지금 질문 올리기 · Post a question now")
    async def now(self, interaction: discord.Interaction[Any]) -> None:
        """Post a question in this channel at once."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        reply = await self.service.daily.now(caller_of(interaction), self.runner)
        await send(interaction, [reply], ephemeral=True)
