"""``/review [anyway]``: an interview over the person's due cards, most overdue first. Started
like ``/interview start`` (a new thread from a text channel, :mod:`..sessions`); with nothing
due the answer says when the next review is, with a "review anyway" button."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.sessions import start_session
from bot.adapters.discord.translator import described
from bot.app.service import Service
from bot.core.models import Caller, Reply

REVIEW_THREAD = "review_thread_name"
REVIEW_STARTED = "review_started_in_thread"


async def start_review(
    interaction: discord.Interaction[Any], service: Service, *, anyway: bool
) -> None:
    """Run a review session (``/review`` and the review buttons); nothing due: the answer says
    so where the person asked, and no thread is opened."""

    async def begin(caller: Caller) -> list[Reply]:
        return await service.review(caller, anyway=anyway)

    async def nothing(caller: Caller) -> Reply | None:
        return await service.review_preview(caller, anyway)

    await start_session(
        interaction,
        service,
        begin,
        thread_key=REVIEW_THREAD,
        started_key=REVIEW_STARTED,
        precheck=nothing,
    )


def review_command(service: Service) -> app_commands.Command[Any, ..., None]:
    """The ``/review [anyway]`` command over ``service``."""

    @app_commands.command(name="review", description=described("cmd_review"))
    @app_commands.describe(anyway=described("cmd_review_anyway"))
    async def review(interaction: discord.Interaction[Any], anyway: bool = False) -> None:
        await interaction.response.defer(thinking=True)
        await start_review(interaction, service, anyway=anyway)

    return review
