"""The typed grammar of ``/interview`` and ``/daily`` that the text front ends (console, Slack)
share: words in, one Service call out. Discord has typed options instead."""

from __future__ import annotations

import re
from typing import Final

from bot.app.daily import Poster
from bot.app.service import Service
from bot.core.daily.schedule import parse_time, parse_weekdays
from bot.core.errors import BadInput
from bot.core.models import Caller, Reply

# A word written as a number, signed or not, whole or not: the rounds of ``/interview``.
_NUMBER: Final = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_TIME_LIKE: Final = re.compile(r"\d{1,2}[:：]\d{1,2}")


def start_arguments(text: str) -> tuple[str | None, str | None]:
    """``/interview [topic] [rounds]`` as typed: ``(topic, rounds)``; a trailing word written
    as a number (``3``, also ``-1`` or ``3.5``, which the rounds check then refuses) is the
    rounds and the rest the topic."""
    words = text.split()
    rounds = words.pop() if words and _NUMBER.fullmatch(words[-1]) else None
    return " ".join(words) or None, rounds


def _is_zone(word: str) -> bool:
    return "/" in word or word.upper() == "UTC"


def _is_time(word: str) -> bool:
    """A time of day, or a word written like one (``25:99``: refused as a bad time)."""
    if _TIME_LIKE.fullmatch(word):
        return True
    try:
        parse_time(word)
    except BadInput:
        return False
    return True


def _is_weekdays(word: str) -> bool:
    try:
        parse_weekdays(word)
    except BadInput:
        return False
    return True


def set_arguments(words: list[str]) -> dict[str, str | None]:
    """``/daily set`` as typed: ``[HH:MM] [zone] [weekdays ...] [topic=...] [mention=...]``,
    each part optional (a part not given is kept: :meth:`DailyQuestions.set`). A word with
    ``/`` (or ``UTC``) is the zone; a time (or the first word, unless it is another part) is
    the time; the other plain words are the weekdays. A topic may have several words (as
    status shows it): the words after ``topic=`` that are neither a zone, a time, weekdays nor
    ``key=value`` belong to it."""
    found: dict[str, str | None] = {"time_text": None, "tz": None, "topic": None, "mention": None}
    days: list[str] = []
    open_key: str | None = None  # the key=value whose value the next plain words continue
    for index, word in enumerate(words):
        key, equals, value = word.partition("=")
        if equals and key.lower() in ("topic", "mention"):
            open_key = key.lower()
            found[open_key] = value
            continue
        first = index == 0 and not _is_weekdays(word)
        if _is_zone(word):
            found["tz"], open_key = word, None
        elif found["time_text"] is None and (_is_time(word) or (first and open_key is None)):
            found["time_text"], open_key = word, None
        elif open_key is not None and not _is_weekdays(word):
            found[open_key] = f"{found[open_key]} {word}".strip()
        else:
            days.append(word)
            open_key = None
    found["weekdays"] = ",".join(days) or None
    return found


async def daily_command(service: Service, caller: Caller, text: str, runner: Poster) -> Reply:
    """``/daily`` as typed: ``now``, ``off``, ``status`` (the default) or
    ``set HH:MM [zone] [weekdays] [topic=...] [mention=...]``; ``runner`` posts ``now``."""
    words = text.split()
    sub = words.pop(0).lower() if words else "status"
    if sub == "now":
        return await service.daily.now(caller, runner)
    if sub == "off":
        return await service.daily.off(caller)
    if sub == "status":
        return await service.daily.status(caller)
    if sub == "set" and words:
        return await service.daily.set(caller, **set_arguments(words))
    raise BadInput("daily_usage")
