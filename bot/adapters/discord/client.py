"""The Discord front end's client (discord.py app commands): the wiring of intents, the command
tree, the buttons, thread messages and the background jobs.

Works without the privileged message-content intent: every question carries an "answer"
button that opens a modal. With ``DISCORD_MESSAGE_CONTENT=true`` (and the intent enabled in the
developer portal) plain messages in an interview or daily thread count as answers too.

Where things live: :mod:`.commands` (the app commands), :mod:`.components` (buttons and the
answer modal), :mod:`.thread_answers` (thread messages), :mod:`.caller` (the Caller),
:mod:`.errors` (the one error reporter), :mod:`.send` and :mod:`.render` (output),
:mod:`.notifier` (pushes for the daily runner and interview expiry, and the review reminders'
direct messages). Besides those jobs the client runs the notes keeper (watched folders, pulled
repositories) and the reminder runner.

The learning loop: ``/review``, ``/remind``, ``/stats``, ``/leaderboard`` and ``/export``
(:mod:`.commands`); a reply's files go with it as attachments.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord.commands.daily import DailyCommands
from bot.adapters.discord.commands.define import define_command
from bot.adapters.discord.commands.export import export_command
from bot.adapters.discord.commands.interview import InterviewCommands
from bot.adapters.discord.commands.leaderboard import LeaderboardCommands
from bot.adapters.discord.commands.notes import NotesCommands
from bot.adapters.discord.commands.remind import RemindCommands
from bot.adapters.discord.commands.review import review_command
from bot.adapters.discord.commands.stats import stats_command
from bot.adapters.discord.commands.topics import topics_command
from bot.adapters.discord.components import Buttons
from bot.adapters.discord.errors import report_error
from bot.adapters.discord.notifier import DiscordNotifier
from bot.adapters.discord.send import NO_MENTIONS
from bot.adapters.discord.thread_answers import answer_thread_message
from bot.adapters.discord.translator import MessageTranslator
from bot.app.service import Service
from bot.core.errors import BadInput
from bot.core.models import AnswerBy


class DiscordBot(discord.AutoShardedClient):
    """The bot: app commands, buttons, modals, optional message answers, the daily runner."""

    def __init__(
        self,
        service: Service,
        *,
        message_content: bool = False,
        guild_id: int | None = None,
        shard_count: int | None = None,
        shard_ids: Sequence[int] | None = None,
        **options: Any,
    ) -> None:
        intents = discord.Intents.default()
        intents.message_content = message_content
        super().__init__(
            intents=intents,
            allowed_mentions=NO_MENTIONS,
            shard_count=shard_count,
            shard_ids=list(shard_ids) if shard_ids else None,  # type: ignore[arg-type]
            chunk_guilds_at_startup=False,
            **options,
        )
        self.service = service
        self.locale = service.settings.locale
        self.guild_id = guild_id
        self.message_content = message_content
        service.answer_by("discord", AnswerBy.TEXT if message_content else AnswerBy.MENTION)
        notifier = DiscordNotifier(self)
        self.runner = service.daily_runner(notifier)
        self.expiry = service.interview_expiry(notifier)
        self.keeper = service.notes_keeper()
        self.reminders = service.reminder_runner(notifier)
        self.buttons = Buttons(service, self)
        self.tree = app_commands.CommandTree(self)
        self.tree.on_error = self._on_tree_error  # type: ignore[method-assign]
        self.tree.add_command(define_command(service))
        self.tree.add_command(InterviewCommands(service))
        self.tree.add_command(DailyCommands(service, self.runner))
        self.tree.add_command(topics_command(service))
        self.tree.add_command(NotesCommands(service))
        self.tree.add_command(review_command(service))
        self.tree.add_command(RemindCommands(service))
        self.tree.add_command(stats_command(service))
        self.tree.add_command(LeaderboardCommands(service))
        self.tree.add_command(export_command(service))
        self._tasks: list[asyncio.Task[None]] = []

    async def setup_hook(self) -> None:
        """Sync commands (to one guild in development; descriptions in every person's language)
        and start the background work."""
        await self.tree.set_translator(MessageTranslator(self.locale))
        if self.guild_id:
            guild = discord.Object(self.guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()
        self._tasks.append(asyncio.create_task(self.runner.run_forever(), name="daily-runner"))
        self._tasks.append(asyncio.create_task(self.expiry.run_forever(), name="expiry"))
        self._tasks.append(asyncio.create_task(self.keeper.run_forever(), name="notes-keeper"))
        self._tasks.append(asyncio.create_task(self.reminders.run_forever(), name="reminders"))

    async def close(self) -> None:
        """Stop background work, then the client."""
        self.runner.stop()
        self.expiry.stop()
        self.keeper.stop()
        self.reminders.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await super().close()

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Buttons this bot sent; app commands go through the tree."""
        await self.buttons.on_interaction(interaction)

    async def on_message(self, message: discord.Message) -> None:
        """Messages in a thread answer what runs there (all of them with the message-content
        intent, else those that mention the bot)."""
        bot_id = self.user.id if self.user is not None else None
        await answer_thread_message(
            self.service, message, bot_id=bot_id, reads_all=self.message_content
        )

    async def _on_tree_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, getattr(error, "original", error), self.locale)


async def run_discord(service: Service, token: str) -> None:
    """Log in and run until stopped."""
    settings = service.settings
    client = DiscordBot(
        service,
        message_content=settings.discord_message_content,
        guild_id=settings.discord_guild_id,
        shard_count=settings.discord_shard_count,
        shard_ids=settings.discord_shard_ids or None,
    )
    async with client:
        try:
            await client.start(token)
        except discord.PrivilegedIntentsRequired as exc:
            raise BadInput("discord_intent_refused") from exc
        except discord.LoginFailure as exc:
            raise BadInput("discord_login_failed") from exc
