"""The typed grammar of ``/interview`` and ``/daily`` that the text front ends (console, Slack)
share: words in, one Service call out. Discord has typed options instead."""

from __future__ import annotations

from bot.app.daily import Poster
from bot.app.service import Service
from bot.core.errors import BadInput
from bot.core.models import Caller, Reply


def start_arguments(text: str) -> tuple[str | None, str | None]:
    """``/interview [topic] [rounds]`` as typed: ``(topic, rounds)``; a trailing number is the
    rounds and the rest the topic."""
    words = text.split()
    rounds = words.pop() if words and words[-1].isdigit() else None
    return " ".join(words) or None, rounds


def set_arguments(words: list[str]) -> dict[str, str | None]:
    """``/daily set`` as typed: ``HH:MM [zone] [weekdays ...] [topic=...] [mention=...]``. A word
    with ``/`` (or ``UTC``) is the zone; the other plain words are the weekdays."""
    found: dict[str, str | None] = {
        "time_text": words[0],
        "tz": None,
        "topic": None,
        "mention": None,
    }
    days: list[str] = []
    for word in words[1:]:
        key, equals, value = word.partition("=")
        if equals and key.lower() in ("topic", "mention"):
            found[key.lower()] = value
        elif "/" in word or word.upper() == "UTC":
            found["tz"] = word
        else:
            days.append(word)
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
