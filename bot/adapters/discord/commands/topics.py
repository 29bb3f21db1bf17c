"""``/topics``: the interview topics with their concept counts, and the topic autocomplete that
``/interview start`` and ``/daily set`` share."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.caller import caller_of
from bot.adapters.discord.send import send
from bot.adapters.discord.translator import described
from bot.app.service import Service

MAX_CHOICES = 25  # Discord shows at most 25 autocomplete choices
CHOICE_CHARS = 100  # ... each name and value at most 100 characters


def topic_choices(
    service: Service, interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """The topics ``current`` names, as autocomplete choices (labels in the person's language)."""
    found = service.topic_choices(caller_of(interaction), current)
    return [
        app_commands.Choice(name=label[:CHOICE_CHARS], value=value[:CHOICE_CHARS])
        for label, value in found[:MAX_CHOICES]
    ]


def topics_command(service: Service) -> app_commands.Command[Any, ..., None]:
    """The ``/topics`` command over ``service`` (only the caller sees the list)."""

    @app_commands.command(name="topics", description=described("cmd_topics"))
    async def topics(interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await send(interaction, [service.topics(caller_of(interaction))], ephemeral=True)

    return topics
