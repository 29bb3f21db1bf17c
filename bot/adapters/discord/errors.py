"""The one error reporter of the Discord front end: app commands (the tree), buttons, the answer
modal and thread messages all end here.

The text comes from :func:`bot.core.errors.error_text`; a failed permission check (the
``/daily`` group is Manage Server only) reads ``admin_only``. Anything that is not a
:class:`~bot.core.errors.BotError` or a failed check is a bug: its stack is logged and the
person sees the generic apology. An interaction gets a private error embed; a thread message
gets a plain reply in its thread, and only for a BotError (a bug there is only logged).
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.render import CONTENT_MAX, render
from bot.adapters.discord.send import NO_MENTIONS
from bot.core.errors import BotError, error_text
from bot.core.messages import language_of, t
from bot.core.models import Reply, ReplyKind

log = logging.getLogger(__name__)


def error_message(error: BaseException, locale: str) -> str:
    """What a person is told about ``error`` in ``locale``."""
    if isinstance(error, app_commands.MissingPermissions | app_commands.CheckFailure):
        return t("admin_only", locale)
    return error_text(error, locale)


async def report_error(
    source: discord.Interaction[Any] | discord.Message, error: BaseException, locale: str
) -> None:
    """Tell the person behind ``source`` what went wrong (in their Discord language when it is
    Korean or English, else ``locale``); log the stack of a bug."""
    in_message = isinstance(source, discord.Message)
    if not in_message:
        locale = language_of(getattr(source, "locale", None)) or locale
    expected = isinstance(error, BotError | app_commands.CheckFailure)
    if not expected:
        what = "answer from a message" if in_message else "interaction"
        log.error("%s failed", what, exc_info=error)
    text = error_message(error, locale)
    try:
        if isinstance(source, discord.Message):
            if isinstance(error, BotError):
                await source.channel.send(text[:CONTENT_MAX], allowed_mentions=NO_MENTIONS)
        else:
            await _tell(source, text, locale)
    except discord.HTTPException:
        log.warning("could not report an error to the user", exc_info=True)


async def _tell(interaction: discord.Interaction[Any], text: str, locale: str) -> None:
    embed = render(Reply(t("error_title", locale), text, ReplyKind.ERROR)).embed
    if interaction.response.is_done():
        await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
        )
