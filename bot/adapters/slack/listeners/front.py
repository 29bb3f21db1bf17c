"""What the listeners need from the Slack front end (:class:`bot.adapters.slack.app.SlackFrontEnd`
provides it): the Service, the Caller builder, and posting replies."""

from __future__ import annotations

from typing import Protocol

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.caller import Callers
from bot.app.daily import Poster
from bot.app.service import Service
from bot.core.models import Reply


class Front(Protocol):
    """The front end as its listeners see it."""

    @property
    def service(self) -> Service:
        """The Service every request is carried out by."""
        ...

    @property
    def locale(self) -> str:
        """The configured locale (messages the front end writes itself)."""
        ...

    @property
    def client(self) -> AsyncWebClient:
        """The Web API client (the bot token)."""
        ...

    @property
    def callers(self) -> Callers:
        """The one place a Slack payload becomes a Caller."""
        ...

    @property
    def runner(self) -> Poster:
        """This front end's daily runner (``/daily now`` posts through it)."""
        ...

    async def post(self, channel: str, reply: Reply, *, thread_ts: str | None = None) -> str:
        """Post a reply in a channel (or thread); returns the message ts."""
        ...

    async def ephemeral(
        self, channel: str, user: str, reply: Reply, *, thread_ts: str | None = None
    ) -> None:
        """Show a reply to one person only (spoilers included)."""
        ...
