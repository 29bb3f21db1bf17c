"""``/notes add|list|sync|remove``: where a server's notes come from. Server-only, and by
default only members with Manage Server see the group (the Service checks admin rights again).

``/notes add`` takes an attached file or a git repository. An attachment Discord says is too
big is refused before it is downloaded; the download itself may take a moment, and so may the
ingest, so the interaction is deferred first. Every answer is seen by the admin alone.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import discord
from discord import app_commands

from bot.adapters.discord.caller import caller_of
from bot.adapters.discord.send import send
from bot.adapters.discord.translator import described
from bot.app.service import Service
from bot.core.errors import BadInput

# How much of a download error's text a person is shown.
REASON_MAX_CHARS = 200


async def download(attachment: discord.Attachment) -> bytes:
    """The attachment's bytes; a failed download is said as such (nothing was changed)."""
    try:
        return await attachment.read()
    except discord.HTTPException as exc:
        reason = f"HTTP {exc.status}"
    except (aiohttp.ClientError, TimeoutError) as exc:
        reason = str(exc) or type(exc).__name__
    raise BadInput("upload_download_failed", reason=reason[:REASON_MAX_CHARS])


class NotesCommands(
    app_commands.Group,
    name="notes",
    description=described("cmd_notes"),
    default_permissions=discord.Permissions(manage_guild=True),
    guild_only=True,
):
    """The ``/notes`` group over a Service."""

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service

    @app_commands.command(name="add", description=described("cmd_notes_add"))
    @app_commands.describe(file=described("cmd_notes_file"), git=described("cmd_notes_git"))
    async def add(
        self,
        interaction: discord.Interaction[Any],
        file: discord.Attachment | None = None,
        git: str | None = None,
    ) -> None:
        """Add a notes file (attached) or a git repository as this server's own notes."""
        git = (git or "").strip() or None
        if file is None and git is None:
            raise BadInput("upload_missing")
        if file is not None and git is not None:
            raise BadInput("notes_add_both")
        caller = caller_of(interaction)
        if file is not None:  # an admin here, a notes file type, the size Discord states
            self.service.check_upload(caller, file.filename, file.size)
        await interaction.response.defer(thinking=True, ephemeral=True)
        if file is not None:
            data = await download(file)
            reply = await self.service.notes_add_file(caller, file.filename, data)
        else:
            reply = await self.service.notes_add_git(caller, git or "")
        await send(interaction, [reply], ephemeral=True)

    @app_commands.command(name="list", description=described("cmd_notes_list"))
    async def list_sources(self, interaction: discord.Interaction[Any]) -> None:
        """The sources this server sees: the bot's configured ones and its own."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        reply = await self.service.notes_list(caller_of(interaction))
        await send(interaction, [reply], ephemeral=True)

    @app_commands.command(name="sync", description=described("cmd_notes_sync"))
    async def sync(self, interaction: discord.Interaction[Any]) -> None:
        """Pull the repositories and read the folders again."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        reply = await self.service.notes_sync(caller_of(interaction))
        await send(interaction, [reply], ephemeral=True)

    @app_commands.command(name="remove", description=described("cmd_notes_remove"))
    @app_commands.describe(source=described("cmd_notes_source"))
    async def remove(self, interaction: discord.Interaction[Any], source: str) -> None:
        """Take one of this server's sources away, with its notes."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        reply = await self.service.notes_remove(caller_of(interaction), source)
        await send(interaction, [reply], ephemeral=True)
