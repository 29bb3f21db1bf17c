"""The Slack Web API as the application's jobs see it: the rate-limit-aware client, the
:class:`SlackNotifier` the daily runner, the interview expiry and the review reminders post
through (a reply's files uploaded after its message, :mod:`bot.adapters.slack.files`), and the
mapping of Web API failures to the application's delivery errors: a person the app cannot DM
(not in the workspace, deactivated, a bot) is as gone as an archived channel."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.files import open_dm, upload
from bot.adapters.slack.render import render
from bot.core.daily.rules import carries_marker
from bot.core.models import Reply
from bot.core.ports import ChannelUnavailable, Posted, RateLimited, ServerError, Target

RATE_LIMIT_RETRIES = 3
GONE_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "missing_scope",
        "account_inactive",
        "invalid_auth",
        # conversations.open for a DM: nobody to write to
        "user_not_found",
        "user_not_visible",
        "user_disabled",
        "cannot_dm_bot",
    }
)
HISTORY_PAGE = 200  # messages per conversations.history page (Slack's recommended most)
log = logging.getLogger(__name__)


def make_client(token: str, base_url: str | None = None) -> AsyncWebClient:
    """A Web API client that waits out rate limits (429 with Retry-After) before giving up."""
    kwargs: dict[str, Any] = {"token": token}
    if base_url:
        kwargs["base_url"] = base_url
    client = AsyncWebClient(**kwargs)
    client.retry_handlers.append(
        AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)
    )
    return client


class SlackNotifier:
    """Posts daily questions to Slack channels and maps Web API errors for the runner."""

    platform = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(self, target: Target, reply: Reply, *, open_thread: str | None = None) -> Posted:
        """Post the reply (in a thread when ``target.thread_id``); its ts names the thread."""
        text, blocks = render(reply, show_spoiler=False)
        group = _group_id(target.mention)
        if group and not target.thread_id:
            text = f"<!subteam^{group}> {text}"
        try:
            response = await self.client.chat_postMessage(
                channel=target.channel_id,
                text=text,
                blocks=blocks,
                thread_ts=target.thread_id,
                unfurl_links=False,
            )
        except SlackApiError as exc:
            raise _delivery_error(exc) from exc
        except (TimeoutError, OSError) as exc:
            raise ServerError(str(exc)) from exc
        ts = str(response["ts"])
        await self._upload(target.channel_id, reply, target.thread_id)
        return Posted(ts, ts if open_thread else None)

    async def direct(self, workspace_id: str, user_id: str, reply: Reply) -> Posted:
        """Send the reply to one person in their DM with the app (``conversations.open``, then
        ``chat.postMessage`` there)."""
        text, blocks = render(reply, show_spoiler=False)
        try:
            channel = await open_dm(self.client, user_id)
            response = await self.client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, unfurl_links=False
            )
        except SlackApiError as exc:
            raise _delivery_error(exc) from exc
        except (TimeoutError, OSError) as exc:
            raise ServerError(str(exc)) from exc
        await self._upload(channel, reply, None)
        return Posted(str(response["ts"]))

    async def _upload(self, channel: str, reply: Reply, thread_ts: str | None) -> None:
        """The reply's files, after its message (in the same thread). The message is already
        delivered: a failed upload is logged, not raised (a retry would post it twice)."""
        if not reply.files:
            return
        try:
            await upload(
                self.client, channel, reply.files, thread_ts=thread_ts, alt_text=reply.title
            )
        except (SlackApiError, TimeoutError, OSError):
            log.warning("could not upload a reply's files to %s", channel, exc_info=True)

    async def find_post(self, target: Target, marker: str, *, since: datetime) -> Posted | None:
        """Page through the channel's history from ``since`` on (``conversations.history`` with
        ``oldest``, every page) for the bot's post carrying ``marker``. A history the token
        may not read (no ``channels:history`` scope) cannot tell."""
        oldest = f"{since.replace(tzinfo=since.tzinfo or UTC).timestamp():.6f}"
        cursor: str | None = None
        while True:
            try:
                response = await self.client.conversations_history(
                    channel=target.channel_id, oldest=oldest, limit=HISTORY_PAGE, cursor=cursor
                )
            except SlackApiError as exc:
                raise NotImplementedError(str(exc)) from exc
            messages: list[dict[str, Any]] = response.get("messages", [])
            for message in messages:
                if carries_marker(
                    json.dumps(message.get("blocks", []), ensure_ascii=False), marker
                ):
                    return Posted(str(message["ts"]), str(message["ts"]))
            metadata = response.get("response_metadata") or {}
            cursor = metadata.get("next_cursor") or None
            if not response.get("has_more") or cursor is None:
                return None


def _delivery_error(exc: SlackApiError) -> Exception:
    """The delivery error a Web API failure means: rate limited, channel gone, or a server
    error worth retrying."""
    status = getattr(exc.response, "status_code", 200)
    error = str(exc.response.get("error", "")) if exc.response is not None else ""
    if status == 429:
        retry = (
            float(exc.response.headers.get("Retry-After", 1)) if exc.response is not None else 1.0
        )
        return RateLimited(retry)
    if error in GONE_ERRORS or status in (403, 404):
        return ChannelUnavailable(error or str(status))
    return ServerError(error or str(status))


def _group_id(mention: str | None) -> str | None:
    """A user group id from ``S123`` or a pasted ``<!subteam^S123|@team>``."""
    if mention is None:
        return None
    found = re.search(r"S[A-Z0-9]+", mention)
    return found.group(0) if found else ""
