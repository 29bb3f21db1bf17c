"""Who is calling, as the core sees it: the one place a Slack payload becomes a
:class:`~bot.core.models.Caller`, and the one place admins are decided.

Admins are the workspace's admins and owners (``users.info``, cached per process) and the users
configured in ``SLACK_ADMIN_USERS``. The conversation is the channel; ``thread_id`` the thread ts
when the call comes from inside a thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.models import Caller


class Callers:
    """Builds the Caller for a slash command, a button, a modal or a message event."""

    def __init__(self, client: AsyncWebClient, admins: Iterable[str] = ()) -> None:
        self.client = client
        self.admins = frozenset(admins)
        self._admin_cache: dict[str, bool] = {}

    async def is_admin(self, user_id: str) -> bool:
        """Workspace admins and owners, or the configured list (``SLACK_ADMIN_USERS``)."""
        if user_id in self.admins:
            return True
        if user_id not in self._admin_cache:
            try:
                info = await self.client.users_info(user=user_id)
                user: dict[str, Any] = info.get("user") or {}
                self._admin_cache[user_id] = bool(user.get("is_admin") or user.get("is_owner"))
            except SlackApiError:
                self._admin_cache[user_id] = False
        return self._admin_cache[user_id]

    async def caller(
        self, user_id: str, channel_id: str, team_id: str, thread_ts: str | None = None
    ) -> Caller:
        """The Caller for a Slack user in a channel (and thread) of a workspace."""
        return Caller(
            platform="slack",
            user_id=user_id,
            channel_id=channel_id,
            workspace_id=team_id or "",
            thread_id=thread_ts,
            is_admin=await self.is_admin(user_id),
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
