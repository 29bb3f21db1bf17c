"""Render a Reply as a Discord message: an embed within Discord's limits, buttons for actions.

Discord rejects anything over its limits (the client library checks none of them), so every
piece is cut here: title 256, description 4,096, field value 1,024, 25 fields, footer 2,048,
6,000 characters across the embed, button label 80, custom_id 100, 5 buttons a row, 5 rows.

A reply's files (a chart, an export) go with the message as attachments (at most 10); the
first image is shown in the embed (``attachment://<name>``).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.adapters.fit import cut, split
from bot.core.grading.appeal_replies import APPEAL_ACTION
from bot.core.grading.grader import band_for
from bot.core.models import Action, Band, Reply, ReplyKind

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
FILES_MAX = 10  # attachments a message may carry
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

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

# a grade's colour by its band (Reply.extra["band"]); a grade without one (a skipped question)
# by its score (Reply.extra["score"])
BAND_COLOURS = {
    Band.EXCELLENT: discord.Colour.green(),
    Band.GOOD: discord.Colour.green(),
    Band.PARTIAL: discord.Colour.orange(),
    Band.OFF_TOPIC: discord.Colour.red(),
}

# the button style of each Service command (the rest: primary for a reply's actions, secondary
# for its suggestions): answering is the one main action, stopping ends the interview
BUTTON_STYLES = {
    "interview.answer": discord.ButtonStyle.primary,
    "daily.answer": discord.ButtonStyle.primary,
    "interview.hint": discord.ButtonStyle.secondary,
    "interview.skip": discord.ButtonStyle.secondary,
    "interview.stop": discord.ButtonStyle.danger,
    APPEAL_ACTION: discord.ButtonStyle.secondary,
}

# custom_id prefixes of the buttons this bot sends (parsed back in the client).
DEFINE_PREFIX = "define:"
MORE_PREFIX = "more:"
COMMAND_PREFIX = "cmd:"


_FORMATTING_RUNS = re.compile(r"\|{2,}|~{2,}")


def escape_note(text: str) -> str:
    """Note text with Discord's spoiler (``||``) and strikethrough (``~~``) marks escaped, so a
    note's ``a || b`` or ``~~`` reads as written (the core's ``**bold**`` is kept)."""
    return _FORMATTING_RUNS.sub(lambda run: "".join("\\" + c for c in run.group()), text)


def pages(text: str, limit: int = CONTENT_MAX) -> list[str]:
    """Note ``text`` (escaped, :func:`escape_note`) in pieces of at most ``limit`` characters
    (line or word boundaries)."""
    return split(escape_note(text), limit)


def _spoiler(text: str) -> str:
    """``text`` (already escaped) hidden behind the bot's own spoiler marks."""
    return "||" + text + "||"


def colour_of(reply: Reply) -> discord.Colour | None:
    """The embed colour of a reply: by kind, and a grade's by its band (green for excellent and
    good, orange for partial, red for off topic)."""
    if reply.kind is ReplyKind.GRADE:
        band = reply.extra.get("band")
        score = reply.extra.get("score")
        if band in set(Band):
            return BAND_COLOURS[Band(str(band))]
        if isinstance(score, int):
            return BAND_COLOURS[band_for(score)]
    return COLOURS.get(reply.kind)


def button_style(action: Action, reply: Reply) -> discord.ButtonStyle:
    """The style of an action's button: :data:`BUTTON_STYLES`, else primary for the reply's
    actions and secondary for its suggestions."""
    default = (
        discord.ButtonStyle.primary if action in reply.actions else discord.ButtonStyle.secondary
    )
    return BUTTON_STYLES.get(action.command, default)


def _custom_id(action: Action) -> str:
    if action.command == "define":
        return cut(DEFINE_PREFIX + action.argument, CUSTOM_ID_MAX)
    return cut(f"{COMMAND_PREFIX}{action.command}:{action.argument}", CUSTOM_ID_MAX)


@dataclass
class Rendered:
    """What to send: an embed, its buttons and its files (fresh ``discord.File`` objects: one
    rendering is sent once)."""

    embed: discord.Embed
    view: discord.ui.View | None
    files: list[discord.File] = field(default_factory=list)

    def kwargs(self) -> dict[str, Any]:
        """The message's ``embed``, ``view`` and ``files`` arguments (those it has)."""
        found: dict[str, Any] = {"embed": self.embed}
        if self.view is not None:
            found["view"] = self.view
        if self.files:
            found["files"] = self.files
        return found


def files_of(reply: Reply) -> list[discord.File]:
    """The reply's files as attachments (the first :data:`FILES_MAX`)."""
    return [
        discord.File(io.BytesIO(item.data), filename=item.filename)
        for item in reply.files[:FILES_MAX]
    ]


def render(reply: Reply, *, more_id: str | None = None) -> Rendered:
    """The reply as an embed and a view. Text over the description limit is cut cleanly, with a
    "more" button (custom_id from ``more_id``) that reads the rest, when ``more_id`` is given."""
    body = escape_note(reply.body)
    budget = EMBED_TOTAL_MAX
    title = cut(reply.title or "\u200b", TITLE_MAX)
    budget -= len(title)
    footer = cut(reply.footer, FOOTER_MAX) if reply.footer else ""
    budget -= len(footer)
    fields: list[tuple[str, str, bool]] = []
    for item in reply.fields[: FIELDS_MAX - 1]:
        name = cut(item.name, FIELD_NAME_MAX)
        value = cut(escape_note(item.value) or "—", FIELD_VALUE_MAX)
        fields.append((name, value, item.inline))
        budget -= len(name) + len(value)
    spoiler = ""
    if reply.spoiler:
        spoiler = _spoiler(cut(escape_note(reply.spoiler), FIELD_VALUE_MAX - 4))
        budget -= len(spoiler) + 10
    description_limit = max(0, min(DESCRIPTION_MAX, budget - 10))
    description = cut(body, description_limit) if body else ""
    truncated = bool(body) and description != body
    embed = discord.Embed(title=title, description=description or None, colour=colour_of(reply))
    for name, value, inline in fields:
        embed.add_field(name=name, value=value, inline=inline)
    if spoiler:
        embed.add_field(name="🔒", value=spoiler, inline=False)
    if footer:
        embed.set_footer(text=footer)
    image = next((f for f in reply.files[:FILES_MAX] if f.mime in IMAGE_TYPES), None)
    if image is not None:
        embed.set_image(url=f"attachment://{image.filename}")
    view = _view(reply, more_id if truncated else None)
    return Rendered(embed, view, files_of(reply))


def _view(reply: Reply, more_id: str | None) -> discord.ui.View | None:
    actions = [*reply.actions, *reply.suggestions]
    buttons: list[discord.ui.Button[discord.ui.View]] = []
    for action in actions:
        buttons.append(
            discord.ui.Button(
                label=cut(action.label, BUTTON_LABEL_MAX) or "?",
                style=button_style(action, reply),
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
