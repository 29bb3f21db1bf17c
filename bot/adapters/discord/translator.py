"""Discord's per-locale command texts: every command and option description is a message key,
and Discord shows each person the text in their client's language (Korean or English; other
languages get the bot's configured one).

Commands are declared with :func:`described` (a ``locale_str`` carrying its key); the
:class:`MessageTranslator` set on the command tree fills ``description_localizations`` from
:mod:`bot.core.messages` when the commands are synced.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.core.messages import language_of, t


def described(key: str) -> app_commands.locale_str:
    """A command or option description: the message ``key`` (Korean as the base text)."""
    return app_commands.locale_str(t(key, "ko"), key=key)


class MessageTranslator(app_commands.Translator):
    """Fills command descriptions for every Discord locale from the message catalogue."""

    def __init__(self, default_locale: str) -> None:
        self.default_locale = default_locale

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        """The text of ``string``'s key in ``locale`` (None when it has no key: left as is)."""
        key = string.extras.get("key")
        if not isinstance(key, str):
            return None
        return t(key, language_of(locale) or self.default_locale)
