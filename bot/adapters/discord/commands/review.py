"""``/review [anyway]``: an interview over the person's due cards, most overdue first. Started
like ``/interview start`` (a new thread from a text channel, :mod:`..sessions`); with nothing
due the answer says when the next review is, with a "review anyway" button."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.sessions import Starter, start_session
from bot.adapters.discord.translator import described
from bot.app.service import Service
from bot.core.models import Caller, Reply

REVIEW_THREAD = "review_thread_name"
REVIEW_STARTED = "review_started_in_thread"


async def start_review(
    interaction: discord.Interaction[Any],
    service: Service,
    begin: Starter,
) -> None:
    """Run a review session ``begin`` starts (``/review`` and the review buttons)."""
    await start_session(
        interaction, service, begin, thread_key=REVIEW_THREAD, started_key=REVIEW_STARTED
    )


def review_command(service: Service) -> app_commands.Command[Any, ..., None]:
    """The ``/review [anyway]`` command over ``service``."""

    @app_commands.command(name="review", description=described("cmd_review"))
    @app_commands.describe(anyway=described("cmd_review_anyway"))
    async def review(interaction: discord.Interaction[Any], anyway: bool = False) -> None:
        await interaction.response.defer(thinking=True)

        async def begin(caller: Caller) -> list[Reply]:
            return await service.review(caller, anyway=anyway)

        await start_review(interaction, service, begin)

    return review
