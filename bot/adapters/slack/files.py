"""The files a reply carries (a chart, an export), uploaded to Slack with ``files_upload_v2``:
``files.getUploadURLExternal`` for each file, its bytes POSTed to the URL Slack hands out, then
``files.completeUploadExternal`` sharing them into one conversation (a thread when given). The
bot token needs ``files:write``; a DM with the person (``conversations.open``) ``im:write``.

Slack has no private files in a channel: a private reply's files go to the person's DM with the
app (:func:`open_dm`), the reply itself is shown to them alone where they asked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.fit import cut
from bot.core.models import Attachment

ALT_TEXT_MAX = 1_000  # an image's alt text
TITLE_MAX = 250
COMMENT_MAX = 4_000


def is_dm(channel_id: str) -> bool:
    """Whether a conversation id is a DM (``D...``)."""
    return channel_id.startswith("D")


async def open_dm(client: AsyncWebClient, user_id: str) -> str:
    """The id of the person's DM with the app (``conversations.open``; raises ``SlackApiError``
    when Slack will not open it: ``user_not_found``, ``cannot_dm_bot`` ...)."""
    opened = await client.conversations_open(users=user_id)
    return str(opened["channel"]["id"])


def upload_items(files: Sequence[Attachment], alt_text: str = "") -> list[dict[str, Any]]:
    """``file_uploads`` for ``files_upload_v2``: the bytes, the name as the title, an image's
    alt text."""
    items: list[dict[str, Any]] = []
    for attachment in files:
        item: dict[str, Any] = {
            "file": attachment.data,
            "filename": attachment.filename,
            "title": cut(attachment.filename, TITLE_MAX),
        }
        if attachment.mime.startswith("image/") and alt_text:
            item["alt_txt"] = cut(alt_text, ALT_TEXT_MAX)
        items.append(item)
    return items


async def upload(
    client: AsyncWebClient,
    channel_id: str,
    files: Sequence[Attachment],
    *,
    thread_ts: str | None = None,
    comment: str | None = None,
    alt_text: str = "",
) -> None:
    """Upload ``files`` into ``channel_id`` (in ``thread_ts`` when given), ``comment`` as the
    message they come with; nothing when there are none. Empty files are left out (Slack
    refuses a zero length)."""
    kept = [f for f in files if f.data]
    if not kept:
        return
    await client.files_upload_v2(
        file_uploads=upload_items(kept, alt_text),
        channel=channel_id,
        thread_ts=thread_ts,
        initial_comment=cut(comment, COMMENT_MAX) if comment else None,
    )
