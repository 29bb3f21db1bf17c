"""Render a Reply as a Discord message: an embed within Discord's limits, buttons for actions.

Discord rejects anything over its limits (the client library checks none of them), so every
piece is cut here: title 256, description 4,096, field value 1,024, 25 fields, footer 2,048,
6,000 characters across the embed, button label 80, custom_id 100, 5 buttons a row, 5 rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.adapters.fit import cut, split
from bot.core.models import Action, Reply, ReplyKind

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
CONTENT_MAX = 2000
BUTTON_LABEL_MAX = 80
CUSTOM_ID_MAX = 100
BUTTONS_PER_ROW = 5
ROWS_MAX = 5

COLOURS = {
    ReplyKind.DEFINITION: discord.Colour.blurple(),
    ReplyKind.SUGGESTIONS: discord.Colour.gold(),
    ReplyKind.NOT_FOUND: discord.Colour.light_grey(),
    ReplyKind.ERROR: discord.Colour.red(),
    ReplyKind.QUESTION: discord.Colour.purple(),
    ReplyKind.GRADE: discord.Colour.green(),
    ReplyKind.SUMMARY: discord.Colour.teal(),
    ReplyKind.INFO: discord.Colour.dark_grey(),
}

# custom_id prefixes of the buttons this bot sends (parsed back in the client).
DEFINE_PREFIX = "define:"
MORE_PREFIX = "more:"
COMMAND_PREFIX = "cmd:"


def pages(text: str, limit: int = CONTENT_MAX) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters (line or word boundaries)."""
    return split(text, limit)


def _spoiler(text: str) -> str:
    return "||" + text.replace("||", "| |") + "||"


def _custom_id(action: Action) -> str:
    if action.command == "define":
        return cut(DEFINE_PREFIX + action.argument, CUSTOM_ID_MAX)
    return cut(f"{COMMAND_PREFIX}{action.command}:{action.argument}", CUSTOM_ID_MAX)


@dataclass
class Rendered:
    """What to send: an embed and its buttons."""

    embed: discord.Embed
    view: discord.ui.View | None


def render(reply: Reply, *, more_id: str | None = None) -> Rendered:
    """The reply as an embed and a view. Text over the description limit is cut cleanly, with a
    "more" button (custom_id from ``more_id``) that reads the rest, when ``more_id`` is given."""
    body = reply.body
    budget = EMBED_TOTAL_MAX
    title = cut(reply.title or "\u200b", TITLE_MAX)
    budget -= len(title)
    footer = cut(reply.footer, FOOTER_MAX) if reply.footer else ""
    budget -= len(footer)
    fields: list[tuple[str, str, bool]] = []
    for item in reply.fields[: FIELDS_MAX - 1]:
        name, value = cut(item.name, FIELD_NAME_MAX), cut(item.value or "—", FIELD_VALUE_MAX)
        fields.append((name, value, item.inline))
        budget -= len(name) + len(value)
    spoiler = ""
    if reply.spoiler:
        spoiler = _spoiler(cut(reply.spoiler, FIELD_VALUE_MAX - 4))
        budget -= len(spoiler) + 10
    description_limit = max(0, min(DESCRIPTION_MAX, budget - 10))
    description = cut(body, description_limit) if body else ""
    truncated = bool(body) and description != body
    embed = discord.Embed(
        title=title, description=description or None, colour=COLOURS.get(reply.kind)
    )
    for name, value, inline in fields:
        embed.add_field(name=name, value=value, inline=inline)
    if spoiler:
        embed.add_field(name="🔒", value=spoiler, inline=False)
    if footer:
        embed.set_footer(text=footer)
    view = _view(reply, more_id if truncated else None)
    return Rendered(embed, view)


def _view(reply: Reply, more_id: str | None) -> discord.ui.View | None:
    actions = [*reply.actions, *reply.suggestions]
    buttons: list[discord.ui.Button[discord.ui.View]] = []
    for action in actions:
        style = (
            discord.ButtonStyle.primary
            if action in reply.actions
            else discord.ButtonStyle.secondary
        )
        buttons.append(
            discord.ui.Button(
                label=cut(action.label, BUTTON_LABEL_MAX) or "?",
                style=style,
                custom_id=_custom_id(action),
            )
        )
    if more_id is not None:
        buttons.append(
            discord.ui.Button(
                label="…",
                style=discord.ButtonStyle.secondary,
                custom_id=cut(MORE_PREFIX + more_id, CUSTOM_ID_MAX),
            )
        )
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for index, button in enumerate(buttons[: BUTTONS_PER_ROW * ROWS_MAX]):
        button.row = index // BUTTONS_PER_ROW
        view.add_item(button)
    return view
