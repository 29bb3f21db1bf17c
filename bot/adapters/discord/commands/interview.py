"""``/interview start|hint|skip|stop``: a mock interview. Started in a text channel it runs in a
new public thread; elsewhere (a thread already, a DM) it runs where it was started
(:mod:`..sessions`)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.caller import caller_of
from bot.adapters.discord.commands.topics import topic_choices
from bot.adapters.discord.send import send
from bot.adapters.discord.sessions import start_session
from bot.adapters.discord.translator import described
from bot.app.service import Service
from bot.core.models import Caller, Reply


class InterviewCommands(
    app_commands.Group, name="interview", description=described("cmd_interview")
):
    """The ``/interview`` group over a Service."""

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service
        self.locale = service.settings.locale

    @app_commands.command(name="start", description=described("cmd_interview_start"))
    @app_commands.describe(
        topic=described("cmd_option_topic"), rounds=described("cmd_interview_rounds")
    )
    async def start(
        self,
        interaction: discord.Interaction[Any],
        topic: str | None = None,
        rounds: app_commands.Range[int, 1, 20] | None = None,
    ) -> None:
        """Open a thread for the interview (in a text channel) and ask the first question."""
        await interaction.response.defer(thinking=True)

        async def begin(caller: Caller) -> list[Reply]:
            return await self.service.interviews.start(caller, topic, rounds)

        await start_session(
            interaction,
            self.service,
            begin,
            thread_key="interview_thread_name",
            started_key="interview_started_in_thread",
        )

    @start.autocomplete("topic")
    async def start_topic(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Topics for ``topic`` as the person types."""
        return topic_choices(self.service, interaction, current)

    @app_commands.command(name="hint", description=described("cmd_interview_hint"))
    async def hint(self, interaction: discord.Interaction[Any]) -> None:
        """A hint for the current question, only for the caller."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        caller = await self.service.interviews.where_running(caller_of(interaction))
        await send(interaction, [await self.service.interviews.hint(caller)], ephemeral=True)

    @app_commands.command(name="skip", description=described("cmd_interview_skip"))
    async def skip(self, interaction: discord.Interaction[Any]) -> None:
        """Skip the current question."""
        await interaction.response.defer(thinking=True)
        caller = await self.service.interviews.where_running(caller_of(interaction))
        await send(interaction, await self.service.interviews.skip(caller))

    @app_commands.command(name="stop", description=described("cmd_interview_stop"))
    async def stop(self, interaction: discord.Interaction[Any]) -> None:
        """End the interview with its summary."""
        await interaction.response.defer(thinking=True)
        caller = await self.service.interviews.where_running(caller_of(interaction))
        await send(interaction, [await self.service.interviews.stop(caller)])
