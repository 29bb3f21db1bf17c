"""Notes files from Slack for ``/notes add``: the upload modal (one ``file_input``), the files of
its submission or of a message shared in a DM with the bot, and downloading them.

A file is checked before anything is downloaded: the caller must be an admin, its name a notes
file type and its stated size within :attr:`Service.upload_limit`. It is then downloaded from
``url_private_download`` with the bot token (``files:read``), never more than the limit plus one
byte; the token is sent only to Slack (https, a ``slack.com`` host) or to the Web API's own host.
A status other than 200, or an HTML page instead of the file (what Slack answers when the token
may not read files), is ``upload_download_failed``. The Service checks the content.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.fit import cut
from bot.adapters.slack.modals import LABEL_MAX, MODAL_TITLE_MAX
from bot.adapters.slack.render import render
from bot.app.service import Service
from bot.core.errors import BadInput, Forbidden
from bot.core.messages import Msg, t
from bot.core.models import Caller, Reply

NOTES_CALLBACK: Final = "ib-notes-add"
NOTES_BLOCK: Final = "notes_file"
NOTES_INPUT: Final = "file"
FILE_TYPES: Final = ("md", "markdown", "txt")  # file_input's filetypes: extensions, no dot
HINT_MAX: Final = 2000
DOWNLOAD_TIMEOUT_SECONDS: Final = 60.0
CHUNK_BYTES: Final = 64 * 1024

Send = Callable[[Reply], Awaitable[None]]
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SharedFile:
    """What the bot needs of a Slack file object."""

    id: str
    name: str
    size: int | None
    url: str | None  # url_private_download, else url_private

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> SharedFile:
        """From a file object (a ``file_input`` value, a ``file_share`` event, ``files.info``)."""
        size = data.get("size")
        url = data.get("url_private_download") or data.get("url_private")
        return cls(
            id=str(data.get("id") or ""),
            name=str(data.get("name") or data.get("title") or ""),
            size=size if isinstance(size, int) and not isinstance(size, bool) else None,
            url=str(url) if url else None,
        )

    @property
    def complete(self) -> bool:
        """Whether the object names the file, its size and where to download it."""
        return bool(self.name) and self.size is not None and self.url is not None


def notes_modal(channel_id: str, locale: str, response_url: str | None) -> dict[str, Any]:
    """The ``/notes add`` modal: one file input (a notes file type, one file). Its
    ``private_metadata`` names the channel it was opened in, as the answer modal's does
    (:func:`bot.adapters.slack.modals.submitted_target` reads it), and the command's
    ``response_url`` (``ru``): the replies go there, so they reach the admin even in a channel
    the bot is not in (an ephemeral message needs the bot in the channel)."""
    limits = Service.upload_limits()
    metadata = {"c": "notes.add", "a": "", "ch": channel_id, "th": None, "ru": response_url}
    return {
        "type": "modal",
        "callback_id": NOTES_CALLBACK,
        "private_metadata": json.dumps(metadata),
        "title": {
            "type": "plain_text",
            "text": cut(t("slack_notes_modal_title", locale), MODAL_TITLE_MAX),
        },
        "submit": {
            "type": "plain_text",
            "text": cut(t("slack_notes_modal_submit", locale), MODAL_TITLE_MAX),
        },
        "blocks": [
            {
                "type": "input",
                "block_id": NOTES_BLOCK,
                "label": {
                    "type": "plain_text",
                    "text": cut(t("slack_notes_modal_label", locale, **limits), LABEL_MAX),
                },
                "hint": {
                    "type": "plain_text",
                    "text": cut(t("slack_notes_modal_hint", locale), HINT_MAX),
                },
                "element": {
                    "type": "file_input",
                    "action_id": NOTES_INPUT,
                    "filetypes": list(FILE_TYPES),
                    "max_files": 1,
                },
            }
        ],
    }


def submitted_files(view: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The file objects a submitted ``/notes add`` modal holds (none when empty)."""
    values = ((view.get("state") or {}).get("values") or {}).get(NOTES_BLOCK) or {}
    files = (values.get(NOTES_INPUT) or {}).get("files") or []
    return [f for f in files if isinstance(f, dict)]


def submitted_response_url(view: Mapping[str, Any]) -> str | None:
    """The ``response_url`` of the ``/notes`` command that opened a submitted modal, if any."""
    if view.get("callback_id") != NOTES_CALLBACK:
        return None
    meta = json.loads(view.get("private_metadata") or "{}")
    url = meta.get("ru") if isinstance(meta, dict) else None
    return str(url) if url else None


async def respond_to(response_url: str, reply: Reply) -> bool:
    """Show ``reply`` to the person behind ``response_url`` only (a new ephemeral message);
    False when the URL no longer takes it (it lasts 30 minutes and five uses)."""
    text, blocks = render(reply)
    try:
        response = await AsyncWebhookClient(response_url).send(
            text=text, blocks=blocks, response_type="ephemeral", replace_original=False
        )
    except (aiohttp.ClientError, TimeoutError):
        log.warning("response_url unreachable", exc_info=True)
        return False
    if response.status_code != 200:
        log.warning("response_url answered %s: %s", response.status_code, response.body)
        return False
    return True


def _failed(reason: Msg | str) -> BadInput:
    return BadInput("upload_download_failed", reason=reason)


def may_carry_token(url: str, api_base: str) -> bool:
    """Whether the bot token may be sent to ``url``: Slack's own https hosts, or the host the
    Web API client talks to (a test's fake Slack)."""
    parts, base = urlsplit(url), urlsplit(api_base)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com")):
        return True
    return bool(parts.netloc) and (parts.scheme, parts.netloc) == (base.scheme, base.netloc)


async def described(client: AsyncWebClient, file: SharedFile) -> SharedFile:
    """The file with its size and download address: ``files.info`` when the object lacks them
    (Slack sends some events with the id only)."""
    if file.complete or not file.id:
        return file
    try:
        info = await client.files_info(file=file.id)
    except SlackApiError as exc:
        error = str((exc.response or {}).get("error", "")) or "files.info"
        raise _failed(error) from exc
    data: dict[str, Any] = info.get("file") or {}
    return SharedFile.of(data) if data else file


async def download(client: AsyncWebClient, file: SharedFile, limit: int) -> bytes:
    """The file's bytes (at most ``limit`` + 1: more is refused as too big by the Service)."""
    if file.url is None or not may_carry_token(file.url, client.base_url):
        raise _failed(Msg("slack_download_no_url"))
    headers = {"Authorization": f"Bearer {client.token or ''}"}
    timeout = aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT_SECONDS)
    pieces: list[bytes] = []
    total = 0
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(file.url, headers=headers, proxy=client.proxy or None) as response,
        ):
            if response.status != 200:
                raise _failed(Msg("slack_download_status", {"status": response.status}))
            if response.content_type == "text/html":
                raise _failed(Msg("slack_download_login_page"))
            async for piece in response.content.iter_chunked(CHUNK_BYTES):
                pieces.append(piece)
                total += len(piece)
                if total > limit:
                    break
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise _failed(Msg("slack_download_unreachable")) from exc
    return b"".join(pieces)[: limit + 1]


async def add_files(
    service: Service,
    client: AsyncWebClient,
    caller: Caller,
    files: Sequence[Mapping[str, Any]],
    send: Send,
) -> None:
    """``/notes add`` for each file, its reply sent as soon as it is added; the first refusal
    raises (for the error handler) and leaves the files after it alone."""
    if not caller.is_admin:
        raise Forbidden("admin_only")  # before anything is downloaded
    if not files:
        raise BadInput("upload_missing")
    limit = service.upload_limit
    for data in files:
        file = await described(client, SharedFile.of(data))
        service.check_upload(caller, file.name, file.size)  # its type and stated size first
        content = await download(client, file, limit)
        await send(await service.notes_add_file(caller, file.name, content))
