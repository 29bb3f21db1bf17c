"""Errors the core raises on purpose. Each carries a message key a front end shows as it is."""

from __future__ import annotations


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
