"""Buttons and the answer modal: what happens when someone presses a button this bot sent.

A button's ``custom_id`` says what it does (prefixes from :mod:`.render`): ``define:<term>``
looks a term up, ``more:<concept id>`` reads the rest of a definition cut short, and
``cmd:<action>:<argument>`` is a :class:`~bot.core.models.Action` carried out by
:meth:`Service.act <bot.app.service.Service.act>`. Actions that take typed text
(:data:`~bot.app.service.TEXT_ACTIONS`) open :class:`AnswerModal` first; the replies to
:data:`~bot.app.service.PRIVATE_ACTIONS` only the presser sees. The review buttons
(:data:`SESSION_ACTIONS`) start a review session like ``/review`` (in a new thread from a text
channel), and a leaderboard's page buttons (:data:`PAGE_ACTIONS`) turn the page in place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.adapters.discord.caller import caller_of
from bot.adapters.discord.commands.review import start_review
from bot.adapters.discord.errors import report_error
from bot.adapters.discord.render import COMMAND_PREFIX, DEFINE_PREFIX, MORE_PREFIX, pages, render
from bot.adapters.discord.send import NO_MENTIONS, send
from bot.app.service import PRIVATE_ACTIONS, TEXT_ACTIONS, Service
from bot.core.messages import t
from bot.core.models import Caller, Reply
from bot.core.review.replies import LEADERBOARD_PAGE, REVIEW_ANYWAY, REVIEW_START

ANSWER_MAX = 4000
MODAL_TITLE_MAX = 45
MODAL_LABEL_MAX = 45
PLACEHOLDER_MAX = 100
# Buttons that start a review session, and those that page a reply in place.
SESSION_ACTIONS = frozenset({REVIEW_ANYWAY, REVIEW_START})
PAGE_ACTIONS = frozenset({LEADERBOARD_PAGE})


def _cut(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters (an ellipsis when cut)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def question_of(message: discord.Message | None) -> tuple[str, str]:
    """(title, question) of the bot's message a button was pressed on: the modal shows them
    so the person sees what they answer ("" when the message has no embed)."""
    embeds = message.embeds if message is not None else []
    if not embeds:
        return "", ""
    return embeds[0].title or "", embeds[0].description or ""


class AnswerModal(discord.ui.Modal):
    """A text box for an answer (interview question or daily question)."""

    def __init__(
        self,
        title: str,
        label: str,
        on_answer: Callable[[discord.Interaction[Any], str], Awaitable[None]],
        *,
        locale: str,
        question: str = "",
    ) -> None:
        super().__init__(title=_cut(title, MODAL_TITLE_MAX), custom_id="answer-modal")
        self.on_answer = on_answer
        self.locale = locale
        self.text: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
            label=_cut(label, MODAL_LABEL_MAX),
            style=discord.TextStyle.paragraph,
            max_length=ANSWER_MAX,
            custom_id="answer",
            placeholder=_cut(question, PLACEHOLDER_MAX) or None,
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the typed answer on."""
        await self.on_answer(interaction, self.text.value)

    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], error: Exception
    ) -> None:
        """Report a failed answer like any other error."""
        await report_error(interaction, error, self.locale)


class Buttons:
    """Dispatches presses of this bot's buttons to the Service (app commands go through the
    command tree instead)."""

    def __init__(self, service: Service, client: discord.Client | None = None) -> None:
        self.service = service
        self.client = client
        self.locale = service.settings.locale

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Handle a component interaction; any other kind is left alone."""
        if interaction.type is not discord.InteractionType.component:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        try:
            await self._press(interaction, custom_id)
        except Exception as exc:
            await report_error(interaction, exc, self.locale)  # in the presser's language

    async def _press(self, interaction: discord.Interaction[Any], custom_id: str) -> None:
        caller = caller_of(interaction)
        if custom_id.startswith(DEFINE_PREFIX):
            await interaction.response.defer(thinking=True)
            await send(
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
            await self._act(interaction, caller, command, argument)

    def _in_server(self, caller: Caller, guild_id: int) -> Reply:
        """Where to review a server's cards (a reminder's button pressed in a DM)."""
        locale = self.service.locale(caller)
        guild = self.client.get_guild(guild_id) if self.client is not None else None
        server = guild.name if guild is not None else str(guild_id)
        return Reply(
            t("review_title", locale),
            t("review_in_server", locale, server=server),
            extra={"key": "review_in_server"},
        )

    async def _act(
        self, interaction: discord.Interaction[Any], caller: Caller, command: str, argument: str
    ) -> None:
        private = command in PRIVATE_ACTIONS
        if command in SESSION_ACTIONS:
            await interaction.response.defer(thinking=True)
            if interaction.guild_id is None and argument.isdecimal():
                # a reminder's button in a DM: the cards are a server's, reviewed there (a
                # session in the DM would belong to no server)
                await send(interaction, [self._in_server(caller, int(argument))])
                return

            await start_review(interaction, self.service, anyway=command == REVIEW_ANYWAY)
            return
        if command in PAGE_ACTIONS and interaction.message is not None:
            await interaction.response.defer()  # the page is shown in the same message
            replies = await self.service.act(caller, command, argument)
            if replies:
                shown = render(replies[0])
                await interaction.edit_original_response(
                    embed=shown.embed, view=shown.view, allowed_mentions=NO_MENTIONS
                )
            await send(interaction, replies[1:])
            return
        if command in TEXT_ACTIONS:

            async def on_answer(modal_interaction: discord.Interaction[Any], text: str) -> None:
                await modal_interaction.response.defer(thinking=True, ephemeral=private)
                replies = await self.service.act(
                    caller_of(modal_interaction), command, argument, text
                )
                await send(modal_interaction, replies, ephemeral=private)

            locale = self.service.locale(caller)
            title, question = question_of(interaction.message)
            modal = AnswerModal(
                title or t("answer_modal_title", locale),
                t("answer_modal_label", locale),
                on_answer,
                locale=locale,
                question=question,
            )
            await interaction.response.send_modal(modal)
            return
        await interaction.response.defer(thinking=True, ephemeral=private)
        replies = await self.service.act(caller, command, argument)
        await send(interaction, replies, ephemeral=private)
