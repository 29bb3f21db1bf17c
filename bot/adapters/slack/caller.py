"""Who is calling, as the core sees it: the one place a Slack payload becomes a
:class:`~bot.core.models.Caller`, and the one place admins are decided.

Admins are the workspace's admins and owners (``users.info``, remembered per process for
:data:`ADMIN_CACHE_SECONDS`, so a promotion or demotion counts within minutes; a failed look-up is
never remembered: that call is refused and the next one asks again) and the users configured in
``SLACK_ADMIN_USERS``. The conversation is the channel; ``thread_id`` the thread ts
when the call comes from inside a thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.messages import language_of
from bot.core.models import Caller

ADMIN_CACHE_SECONDS = 300.0  # how long a users.info answer about admin rights is trusted


class _Profile(NamedTuple):
    """What ``users.info`` says of a person that the bot uses."""

    admin: bool
    name: str | None
    language: str | None  # ko / en, else None (the configured language)


log = logging.getLogger(__name__)


class Callers:
    """Builds the Caller for a slash command, a button, a modal or a message event.

    ``clock`` (seconds, monotonic) times the admin cache; tests pass their own."""

    def __init__(
        self,
        client: AsyncWebClient,
        admins: Iterable[str] = (),
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.admins = frozenset(admins)
        self.clock = clock
        # user -> (profile, expires at)
        self._admin_cache: dict[str, tuple[_Profile, float]] = {}

    async def _profile(self, user_id: str) -> _Profile:
        """Admin or not, display name and language from ``users.info``, remembered for
        :data:`ADMIN_CACHE_SECONDS`; when the look-up fails: not an admin, no name, the
        configured language, for this call only (nothing is remembered)."""
        now = self.clock()
        cached = self._admin_cache.get(user_id)
        if cached is not None and now < cached[1]:
            return cached[0]
        try:
            info = await self.client.users_info(user=user_id, include_locale=True)
        except (SlackApiError, aiohttp.ClientError, TimeoutError):
            log.warning("users.info failed for %s: not treated as an admin", user_id, exc_info=True)
            self._admin_cache.pop(user_id, None)
            return _Profile(False, None, None)
        user: dict[str, Any] = info.get("user") or {}
        profile: dict[str, Any] = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("name")
        found = _Profile(
            bool(user.get("is_admin") or user.get("is_owner")),
            str(name) if name else None,
            language_of(user.get("locale")),
        )
        self._admin_cache[user_id] = (found, now + ADMIN_CACHE_SECONDS)
        return found

    async def language(self, user_id: str) -> str | None:
        """The person's Slack language (ko / en), else None (the configured one)."""
        return (await self._profile(user_id)).language

    async def is_admin(self, user_id: str) -> bool:
        """Workspace admins and owners, or the configured list (``SLACK_ADMIN_USERS``); see
        :meth:`_profile` for how long an answer is trusted."""
        return user_id in self.admins or (await self._profile(user_id)).admin

    async def caller(
        self, user_id: str, channel_id: str, team_id: str, thread_ts: str | None = None
    ) -> Caller:
        """The Caller for a Slack user in a channel (and thread) of a workspace, with their
        display name (not the legacy username)."""
        profile = await self._profile(user_id)
        return Caller(
            platform="slack",
            user_id=user_id,
            channel_id=channel_id,
            workspace_id=team_id or "",
            thread_id=thread_ts,
            is_admin=profile.admin or user_id in self.admins,
            display_name=profile.name or "",
            locale=profile.language,
        )

    async def of_command(self, command: dict[str, Any]) -> Caller:
        """The Caller of a slash command (never in a thread: Slack runs them in the channel)."""
        return await self.caller(
            command["user_id"], command["channel_id"], command.get("team_id", "")
        )

    async def of_action(self, body: dict[str, Any]) -> Caller:
        """The Caller of a button press, in the thread of the message it was pressed on."""
        message = body.get("message") or {}
        return await self.caller(
            body["user"]["id"],
            (body.get("channel") or {}).get("id", ""),
            (body.get("team") or {}).get("id", ""),
            message.get("thread_ts"),
        )

    async def of_view(self, body: dict[str, Any], channel_id: str, thread_ts: str | None) -> Caller:
        """The Caller of a modal submission, in the channel and thread the modal was opened from
        (a view submission names neither; the modal carries them)."""
        return await self.caller(
            body["user"]["id"], channel_id, (body.get("team") or {}).get("id", ""), thread_ts
        )

    async def of_event(self, event: dict[str, Any], body: dict[str, Any]) -> Caller:
        """The Caller of a message event, in the thread the message was posted in."""
        return await self.caller(
            event["user"], event["channel"], body.get("team_id", ""), event.get("thread_ts")
        )
