"""Asserting on the bot's wording by message key: the text of a message with some of its
parameters unknown (they come from data the test does not fix)."""

from __future__ import annotations

import re

from bot.core.messages import t


def message_pattern(key: str, locale: str = "ko", **known: object) -> re.Pattern[str]:
    """The message ``key`` (Korean unless ``locale``) with the ``known`` parameters filled in;
    every other parameter matches any text on its line."""
    return re.compile(re.sub(r"\\\{\w+\\\}", ".+?", re.escape(t(key, locale, **known))))
