"""Plain messages in a thread as answers (only with the privileged message-content intent):
to the interview running there for the author, or to the daily question the thread belongs to.
"""

from __future__ import annotations

import discord

from bot.adapters.discord.caller import caller_of_message
from bot.adapters.discord.errors import report_error
from bot.adapters.discord.send import post_reply
from bot.app.service import Service


async def answer_thread_message(service: Service, message: discord.Message) -> None:
    """Answer a person's non-empty message in a thread, replying to it there; anything else
    (bots, channels, empty text) is ignored."""
    if message.author.bot or not isinstance(message.channel, discord.Thread):
        return
    if not message.content.strip():
        return
    thread = message.channel
    caller = caller_of_message(message)
    try:
        for reply in await service.answer_in_thread(caller, message.content):
            if reply.ephemeral:
                continue  # no interaction to whisper in: the reply's button shows it privately
            await post_reply(thread, reply, reference=message)
    except Exception as exc:
        await report_error(message, exc, service.settings.locale)
