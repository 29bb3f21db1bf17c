"""Errors the bot raises on purpose, and the one place an error becomes text for a person.

The hierarchy::

    BotError(key, **params)     a message meant for the person who made the request; ``key``
    │                           names a message in bot.core.messages, ``params`` fill it in
    ├── NotFound                the thing asked for does not exist (no interview running ...)
    ├── Forbidden               the caller may not do this (admin-only commands)
    ├── BadInput                the input cannot be used (malformed notes, bad time, empty query)
    └── Conflict                the request clashes with current state (an interview already
                                running, an answer already graded, a platform refusing a post)

    DeliveryError (bot.core.ports)   a platform refused or failed a push; the application's
                                     jobs decide from its kind: RateLimited, ChannelUnavailable,
                                     ServerError

Anything else reaching a front end is a bug: :func:`error_text` shows a short apology and the
front end logs the stack.
"""

from __future__ import annotations

from bot.core.messages import t


class BotError(Exception):
    """An error whose message is meant for the person who made the request.

    ``key`` names a message in :mod:`bot.core.messages`; ``params`` fill it in.
    """

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class NotFound(BotError):
    """The thing asked for does not exist."""


class Forbidden(BotError):
    """The caller may not do this (admin-only commands)."""


class BadInput(BotError):
    """The input cannot be used (malformed notes, bad time, empty query ...)."""


class Conflict(BotError):
    """The request clashes with current state (an interview already running ...)."""


def error_text(error: BaseException, locale: str) -> str:
    """What a person is told about ``error``: a :class:`BotError`'s message in ``locale``,
    anything else the generic apology (the caller logs those)."""
    if isinstance(error, BotError):
        return t(error.key, locale, **error.params)
    return t("internal_error", locale)
