"""Plain messages in a thread as answers: to the interview running there for the author, or to
the daily question the thread belongs to.

With the privileged message-content intent every message is read. Without it (the default)
Discord shows the bot only messages that mention it: those are read with the mention taken
out, and a message the bot could not read gets a short how-to-answer reply when it was likely
meant as an answer (the author's interview runs there, or a daily thread they have not
answered), so nobody answers into silence.
"""

from __future__ import annotations

import re

import discord

from bot.adapters.discord.caller import caller_of_message
from bot.adapters.discord.errors import report_error
from bot.adapters.discord.send import post_reply
from bot.app.service import Service


def _without_mention(content: str, bot_id: int | None) -> str:
    """The message text with the bot's own mentions (``<@id>``, ``<@!id>``) taken out."""
    if bot_id is None:
        return content.strip()
    return re.sub(rf"<@!?{bot_id}>", " ", content).strip()


async def answer_thread_message(
    service: Service, message: discord.Message, *, bot_id: int | None, reads_all: bool
) -> None:
    """Answer a person's message in a thread, replying to it there. ``reads_all``: the bot has
    the message-content intent. Bots, channels and chat nobody meant for the bot are ignored."""
    if message.author.bot or not isinstance(message.channel, discord.Thread):
        return
    thread = message.channel
    caller = caller_of_message(message)
    text = _without_mention(message.content, bot_id)
    try:
        if not text:
            mentioned = bot_id is not None and any(u.id == bot_id for u in message.mentions)
            if reads_all or mentioned or message.content:
                return  # an empty message or a bare mention: nothing to grade
            if thread.owner_id != bot_id:
                return  # not a thread the bot opened: no interview or daily question there
            nudge = await service.unread_answer(caller)
            if nudge is not None:
                await post_reply(thread, nudge, reference=message)
            return
        for reply in await service.answer_in_thread(caller, text):
            if reply.ephemeral:
                continue  # no interaction to whisper in: the reply's button shows it privately
            await post_reply(thread, reply, reference=message)
    except Exception as exc:
        await report_error(message, exc, service.settings.locale)
