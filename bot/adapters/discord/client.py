"""The Discord front end (discord.py app commands): events in, Service calls, embeds out.

Works without the privileged message-content intent: every question carries an "answer"
button that opens a modal. With ``DISCORD_MESSAGE_CONTENT=true`` (and the intent enabled in the
developer portal) plain messages in an interview or daily thread count as answers too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

import aiohttp
import discord
from discord import app_commands

from bot.adapters.discord.render import (
    COMMAND_PREFIX,
    DEFINE_PREFIX,
    MORE_PREFIX,
    pages,
    render,
)
from bot.app.service import PRIVATE_ACTIONS, TEXT_ACTIONS, Service
from bot.core.errors import BotError, error_text
from bot.core.messages import t
from bot.core.models import Caller, Reply, ReplyKind
from bot.core.ports import ChannelUnavailable, Posted, RateLimited, ServerError, Target

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
ANSWER_MAX = 4000
MODAL_TITLE_MAX = 45
THREAD_NAME_MAX = 100
HISTORY_SCAN = 50


def caller_of(interaction: discord.Interaction[Any], locale: str | None = None) -> Caller:
    """The Caller for an interaction: admins are members with Manage Server."""
    channel = interaction.channel
    thread_id = str(channel.id) if isinstance(channel, discord.Thread) else None
    parent = channel.parent_id if isinstance(channel, discord.Thread) else interaction.channel_id
    perms = interaction.permissions
    return Caller(
        platform="discord",
        user_id=str(interaction.user.id),
        channel_id=str(parent or interaction.channel_id or ""),
        workspace_id=str(interaction.guild_id or "dm"),
        thread_id=thread_id,
        display_name=interaction.user.display_name,
        is_admin=bool(perms.manage_guild or perms.administrator),
        locale=locale,
    )


class DiscordNotifier:
    """Posts daily questions to Discord channels and maps platform errors for the runner."""

    platform = "discord"

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def _channel(self, channel_id: str) -> Any:
        channel = self.client.get_channel(int(channel_id))
        if channel is None:
            channel = await self.client.fetch_channel(int(channel_id))
        return channel

    async def post(self, target: Target, reply: Reply, *, open_thread: str | None = None) -> Posted:
        """Send the reply (in a thread when ``target.thread_id``), optionally opening a thread."""
        try:
            channel = await self._channel(target.thread_id or target.channel_id)
            rendered = render(reply)
            content = None
            mentions = NO_MENTIONS
            if target.mention and not target.thread_id:
                content = f"<@&{int(target.mention)}>"
                mentions = discord.AllowedMentions(
                    everyone=False, users=False, roles=[discord.Object(int(target.mention))]
                )
            kwargs: dict[str, Any] = {"embed": rendered.embed, "allowed_mentions": mentions}
            if rendered.view is not None:
                kwargs["view"] = rendered.view
            message = await channel.send(content, **kwargs)
            thread_id = None
            if open_thread and not target.thread_id:
                thread = await message.create_thread(name=open_thread[:THREAD_NAME_MAX])
                thread_id = str(thread.id)
            return Posted(str(message.id), thread_id)
        except (discord.Forbidden, discord.NotFound) as exc:
            raise ChannelUnavailable(f"{exc.status} {exc.text}") from exc
        except discord.HTTPException as exc:
            if exc.status == 429:
                raise RateLimited(float(getattr(exc, "retry_after", 1.0) or 1.0)) from exc
            raise ServerError(f"{exc.status} {exc.text}") from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ServerError(str(exc)) from exc

    async def find_post(self, target: Target, marker: str) -> Posted | None:
        """Look through the channel's recent messages for the bot's post carrying ``marker``."""
        try:
            channel = await self._channel(target.channel_id)
            async for message in channel.history(limit=HISTORY_SCAN):
                if message.author.id != getattr(self.client.user, "id", None):
                    continue
                for embed in message.embeds:
                    if embed.footer and embed.footer.text and marker in embed.footer.text:
                        thread = message.thread
                        return Posted(str(message.id), str(thread.id) if thread else None)
        except (discord.Forbidden, discord.NotFound) as exc:
            raise ChannelUnavailable(f"{exc.status} {exc.text}") from exc
        except discord.HTTPException as exc:
            raise ServerError(f"{exc.status} {exc.text}") from exc
        return None


class AnswerModal(discord.ui.Modal):
    """A text box for an answer (interview question or daily question)."""

    def __init__(
        self,
        title: str,
        label: str,
        on_answer: Callable[[discord.Interaction[Any], str], Awaitable[None]],
    ) -> None:
        super().__init__(title=title[:MODAL_TITLE_MAX], custom_id="answer-modal")
        self.on_answer = on_answer
        self.text: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
            label=label[:45],
            style=discord.TextStyle.paragraph,
            max_length=ANSWER_MAX,
            custom_id="answer",
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await self.on_answer(interaction, self.text.value)

    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], error: Exception
    ) -> None:
        client = interaction.client
        if isinstance(client, DiscordBot):
            await client.report_error(interaction, error)


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
        self.tree = app_commands.CommandTree(self)
        self.tree.on_error = self._on_tree_error  # type: ignore[method-assign]
        notifier = DiscordNotifier(self)
        self.runner = service.daily_runner(notifier)
        self.expiry = service.interview_expiry(notifier)
        self._tasks: list[asyncio.Task[None]] = []
        self._register_commands()

    # --- start-up ------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        """Sync commands (to one guild in development) and start the background work."""
        if self.guild_id:
            guild = discord.Object(self.guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()
        self._tasks.append(asyncio.create_task(self.runner.run_forever(), name="daily-runner"))
        self._tasks.append(asyncio.create_task(self.expiry.run_forever(), name="expiry"))

    async def close(self) -> None:
        """Stop background work, then the client."""
        self.runner.stop()
        self.expiry.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await super().close()

    # --- commands ------------------------------------------------------------------------

    def _register_commands(self) -> None:
        tree = self.tree

        @tree.command(
            name="define", description="노트에서 개념 찾기 · Look a concept up in the notes"
        )
        @app_commands.describe(term="용어 · term", private="나만 보기 · only you see the answer")
        async def define(
            interaction: discord.Interaction[Any], term: str, private: bool = False
        ) -> None:
            await interaction.response.defer(ephemeral=private, thinking=True)
            reply = await self.service.define(caller_of(interaction), term)
            await self.send(interaction, [reply], ephemeral=private)

        @define.autocomplete("term")
        async def define_autocomplete(
            interaction: discord.Interaction[Any], current: str
        ) -> list[app_commands.Choice[str]]:
            choices = await self.service.autocomplete(caller_of(interaction), current)
            return [
                app_commands.Choice(name=label, value=value)
                for label, value in choices
                if label and value
            ]

        interview = app_commands.Group(name="interview", description="모의 면접 · Mock interview")

        @interview.command(name="start", description="모의 면접 시작 · Start a mock interview")
        @app_commands.describe(topic="주제 · topic", rounds="문항 수 · number of questions")
        async def start(
            interaction: discord.Interaction[Any],
            topic: str | None = None,
            rounds: app_commands.Range[int, 1, 20] | None = None,
        ) -> None:
            await interaction.response.defer(thinking=True)
            caller = caller_of(interaction)
            channel = interaction.channel
            if isinstance(channel, discord.TextChannel):
                name = t("interview_thread_name", self.locale, name=interaction.user.display_name)
                thread = await channel.create_thread(
                    name=name[:THREAD_NAME_MAX], type=discord.ChannelType.public_thread
                )
                caller = replace(caller, thread_id=str(thread.id))
                replies = await self.service.interviews.start(caller, topic, rounds)
                await interaction.followup.send(thread.mention, allowed_mentions=NO_MENTIONS)
                for reply in replies:
                    await self.post_reply(thread, reply)
            else:
                await self.send(
                    interaction, await self.service.interviews.start(caller, topic, rounds)
                )

        @interview.command(name="hint", description="힌트 · Hint")
        async def hint(interaction: discord.Interaction[Any]) -> None:
            await interaction.response.defer(thinking=True, ephemeral=True)
            await self.send(
                interaction,
                [await self.service.interviews.hint(caller_of(interaction))],
                ephemeral=True,
            )

        @interview.command(name="skip", description="넘기기 · Skip")
        async def skip(interaction: discord.Interaction[Any]) -> None:
            await interaction.response.defer(thinking=True)
            await self.send(interaction, await self.service.interviews.skip(caller_of(interaction)))

        @interview.command(name="stop", description="그만하기 · Stop")
        async def stop(interaction: discord.Interaction[Any]) -> None:
            await interaction.response.defer(thinking=True)
            await self.send(
                interaction, [await self.service.interviews.stop(caller_of(interaction))]
            )

        tree.add_command(interview)

        daily = app_commands.Group(
            name="daily",
            description="오늘의 질문 · Daily question",
            default_permissions=discord.Permissions(manage_guild=True),
            guild_only=True,
        )

        @daily.command(name="set", description="오늘의 질문 설정 · Set the daily question")
        @app_commands.describe(
            time="HH:MM",
            timezone="Asia/Seoul",
            weekdays="매일 / 평일 / mon,wed,fri",
            topic="주제 · topic",
            mention="알릴 역할 (기본: 없음) · role to mention (default: none)",
        )
        async def daily_set(
            interaction: discord.Interaction[Any],
            time: str,
            timezone: str | None = None,
            weekdays: str | None = None,
            topic: str | None = None,
            mention: discord.Role | None = None,
        ) -> None:
            await interaction.response.defer(thinking=True, ephemeral=True)
            reply = await self.service.daily.set(
                caller_of(interaction),
                time,
                timezone,
                weekdays,
                topic,
                str(mention.id) if mention is not None else None,
            )
            await self.send(interaction, [reply], ephemeral=True)

        @daily.command(name="off", description="오늘의 질문 끄기 · Turn the daily question off")
        async def daily_off(interaction: discord.Interaction[Any]) -> None:
            await interaction.response.defer(thinking=True, ephemeral=True)
            await self.send(
                interaction, [await self.service.daily.off(caller_of(interaction))], ephemeral=True
            )

        @daily.command(name="status", description="오늘의 질문 상태 · Status")
        async def daily_status(interaction: discord.Interaction[Any]) -> None:
            await interaction.response.defer(thinking=True, ephemeral=True)
            await self.send(
                interaction,
                [await self.service.daily.status(caller_of(interaction))],
                ephemeral=True,
            )

        @daily.command(name="now", description="지금 질문 올리기 · Post a question now")
        async def daily_now(interaction: discord.Interaction[Any]) -> None:
            await interaction.response.defer(thinking=True, ephemeral=True)
            reply = await self.service.daily.now(caller_of(interaction), self.runner)
            await self.send(interaction, [reply], ephemeral=True)

        tree.add_command(daily)

    # --- components, modals, messages ----------------------------------------------------

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Buttons this bot sent (custom_id prefixes); app commands go through the tree."""
        if interaction.type is not discord.InteractionType.component:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        try:
            await self._on_button(interaction, custom_id)
        except Exception as exc:
            await self.report_error(interaction, exc)

    async def _on_button(self, interaction: discord.Interaction[Any], custom_id: str) -> None:
        caller = caller_of(interaction)
        if custom_id.startswith(DEFINE_PREFIX):
            await interaction.response.defer(thinking=True)
            await self.send(
                interaction,
                [await self.service.define(caller, custom_id.removeprefix(DEFINE_PREFIX))],
            )
        elif custom_id.startswith(MORE_PREFIX):
            concept = self.service.concept_or_none(int(custom_id.removeprefix(MORE_PREFIX)))
            await interaction.response.defer(thinking=True, ephemeral=True)
            for page in pages(concept.definition if concept else "—"):
                await interaction.followup.send(page, ephemeral=True, allowed_mentions=NO_MENTIONS)
        elif custom_id.startswith(COMMAND_PREFIX):
            command, _, argument = custom_id.removeprefix(COMMAND_PREFIX).partition(":")
            await self._on_command_button(interaction, caller, command, argument)

    async def _on_command_button(
        self, interaction: discord.Interaction[Any], caller: Caller, command: str, argument: str
    ) -> None:
        private = command in PRIVATE_ACTIONS
        if command in TEXT_ACTIONS:

            async def on_answer(modal_interaction: discord.Interaction[Any], text: str) -> None:
                await modal_interaction.response.defer(thinking=True, ephemeral=private)
                replies = await self.service.act(
                    caller_of(modal_interaction), command, argument, text
                )
                await self.send(modal_interaction, replies, ephemeral=private)

            modal = AnswerModal(
                t("answer_modal_title", self.locale),
                t("answer_modal_label", self.locale),
                on_answer,
            )
            await interaction.response.send_modal(modal)
            return
        await interaction.response.defer(thinking=True, ephemeral=private)
        replies = await self.service.act(caller, command, argument)
        await self.send(interaction, replies, ephemeral=private)

    async def on_message(self, message: discord.Message) -> None:
        """With the message-content intent: plain messages in a thread answer what runs there."""

        if (
            not self.message_content
            or message.author.bot
            or not isinstance(message.channel, discord.Thread)
        ):
            return
        if not message.content.strip():
            return
        thread = message.channel
        caller = Caller(
            platform="discord",
            user_id=str(message.author.id),
            channel_id=str(thread.parent_id),
            workspace_id=str(message.guild.id if message.guild else "dm"),
            thread_id=str(thread.id),
            display_name=message.author.display_name,
        )
        try:
            for reply in await self.service.answer_in_thread(caller, message.content):
                await self.post_reply(thread, reply, reference=message)
        except BotError as exc:
            await thread.send(error_text(exc, self.locale)[:2000], allowed_mentions=NO_MENTIONS)
        except Exception:
            log.exception("answer from a message failed")

    # --- output and errors ---------------------------------------------------------------

    async def send(
        self,
        interaction: discord.Interaction[Any],
        replies: Sequence[Reply],
        *,
        ephemeral: bool = False,
    ) -> None:
        """Send replies as follow-ups of a deferred interaction."""
        for reply in replies:
            more = (
                str(reply.extra.get("concept_id")) if reply.kind is ReplyKind.DEFINITION else None
            )
            rendered = render(reply, more_id=more)
            kwargs: dict[str, Any] = {
                "embed": rendered.embed,
                "ephemeral": ephemeral or reply.ephemeral,
                "allowed_mentions": NO_MENTIONS,
            }
            if rendered.view is not None:
                kwargs["view"] = rendered.view
            await interaction.followup.send(**kwargs)

    async def post_reply(
        self, channel: Any, reply: Reply, reference: discord.Message | None = None
    ) -> None:
        """Send a reply as a plain channel message."""
        rendered = render(reply)
        kwargs: dict[str, Any] = {"embed": rendered.embed, "allowed_mentions": NO_MENTIONS}
        if rendered.view is not None:
            kwargs["view"] = rendered.view
        if reference is not None:
            kwargs["reference"] = reference
            kwargs["mention_author"] = False
        await channel.send(**kwargs)

    async def _on_tree_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        original = getattr(error, "original", error)
        await self.report_error(interaction, original)

    async def report_error(
        self, interaction: discord.Interaction[Any], error: BaseException
    ) -> None:
        """The one error handler: a BotError's message, else a short apology (stack logged)."""
        if isinstance(error, BotError):
            text = error_text(error, self.locale)
            kind = ReplyKind.ERROR
        elif isinstance(error, app_commands.MissingPermissions | app_commands.CheckFailure):
            text, kind = t("admin_only", self.locale), ReplyKind.ERROR
        else:
            log.error("interaction failed", exc_info=error)
            text, kind = t("internal_error", self.locale), ReplyKind.ERROR
        embed = render(Reply(t("error_title", self.locale), text, kind)).embed
        try:
            if interaction.response.is_done():
                await interaction.followup.send(
                    embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
                )
            else:
                await interaction.response.send_message(
                    embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
                )
        except discord.HTTPException:
            log.warning("could not report an error to the user", exc_info=True)


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
        await client.start(token)
