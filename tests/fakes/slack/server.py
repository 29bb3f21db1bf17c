"""The fake Slack's servers, on one aiohttp server bound to 127.0.0.1, port 0:

* the Web API (``/api/<method>``) with Slack's token checks, Slack-style validation of
  messages, Block Kit and modals, and injectable failures (429 with ``Retry-After``, 5xx,
  ``ok: false`` errors); every call is recorded;
* ``response_url`` endpoints (``/response/<id>``) handed out in slash-command and
  interaction payloads, recording what the app posts and applying it to the message store;
* the Socket Mode websocket (``/socket``) returned by ``apps.connections.open``: it greets
  with ``hello``, answers pings and records the acks.
* file downloads (``/files-pri/<team>-<file>/...``, the ``url_private`` and
  ``url_private_download`` of the files users share), answering a missing or wrong token, or a
  token without ``files:read``, with Slack's HTML login page (status 200); every download is
  recorded.
* file uploads as ``files_upload_v2`` makes them: ``files.getUploadURLExternal`` hands out an
  ``upload_url`` (``/upload/v1/<id>`` on the fake's host) and a file id, the bytes are POSTed
  there, and ``files.completeUploadExternal`` shares the file into ``channel_id`` (a message
  with the file, in ``thread_ts`` when given, ``initial_comment`` its text); the files are kept
  with their bytes (:meth:`FakeSlackServer.uploaded_files`).
* the App Home: ``views.publish`` keeps each person's published Home tab (``home_views``).

They act on a small model of the workspace: users (with admin/owner flags), channels, messages
(including ephemeral ones, acks and ``response_url`` posts), open modals and shared files.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Self

from aiohttp import ClientSession, WSCloseCode, WSMsgType, web
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack.payloads import (
    MAX_RESPONSE_URL_USES,
    SlackApiFailure,
    check_message,
    check_view,
    decode_json_field,
    find_pings,
    truthy,
    walk,
)

# --------------------------------------------------------------------------------------------
# Identities of the fake workspace
# --------------------------------------------------------------------------------------------

HOST = "127.0.0.1"
TEAM_ID = "T0000TEAM"
TEAM_DOMAIN = "fake-team"
APP_ID = "A0000APP"
BOT_ID = "B0000BOT"
BOT_USER_ID = "U0000BOT"
BOT_NAME = "interview-bot"
DEFAULT_USER_ID = "U0000USER"
ADMIN_USER_ID = "U000ADMIN"
OWNER_USER_ID = "U000OWNER"
DEFAULT_CHANNEL_ID = "C0GENERAL"
OTHER_CHANNEL_ID = "C00RANDOM"
OUTSIDE_CHANNEL_ID = "C0OUTSIDE"  # public, the bot not a member
SECRET_CHANNEL_ID = "G00SECRET"  # private, the bot not a member
DEFAULT_BOT_TOKEN = "xoxb-fake-bot-token"
DEFAULT_APP_TOKEN = "xapp-fake-app-token"
DEFAULT_SIGNING_SECRET = "fake-signing-secret"
VERIFICATION_TOKEN = "fake-verification-token"

DEFAULT_RETRY_AFTER_SECONDS = 1
HISTORY_DEFAULT_LIMIT = 100  # conversations.history without a limit
HISTORY_MAX_LIMIT = 999
DEFAULT_MAX_RETRY_COUNT = 2
GENERATED_ID_LENGTH = 8
GENERATED_BLOCK_ID_LENGTH = 5
TRIGGER_NUMBER_MODULUS = 10**12
APPROXIMATE_CONNECTION_SECONDS = 18_060  # what Slack's hello advertises (about 5 hours)
DEFAULT_TZ_OFFSET_SECONDS = 9 * 3600  # Asia/Seoul

EnvelopeKind = Literal["slash_commands", "interactive", "events_api"]
Transport = Literal["http", "socket"]


# --------------------------------------------------------------------------------------------
# Records and workspace model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FakeUser:
    """A workspace member as ``users.info`` reports it."""

    id: str
    name: str
    is_admin: bool = False
    is_owner: bool = False
    is_primary_owner: bool = False
    is_bot: bool = False
    deleted: bool = False
    tz: str = "Asia/Seoul"
    tz_offset: int = DEFAULT_TZ_OFFSET_SECONDS
    locale: str = "ko-KR"  # the default scene is a Korean study group

    def to_api(self, *, include_locale: bool = False) -> dict[str, Any]:
        """The ``user`` object of ``users.info`` (``locale`` only when asked for, as on Slack)."""
        extra = {"locale": self.locale} if include_locale else {}
        return extra | {
            "id": self.id,
            "team_id": TEAM_ID,
            "name": self.name,
            "real_name": self.name.title(),
            "deleted": self.deleted,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_primary_owner,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "tz": self.tz,
            "tz_offset": self.tz_offset,
            "profile": {"display_name": self.name, "real_name": self.name.title()},
        }


@dataclass(frozen=True, slots=True)
class FakeChannel:
    """A conversation: public or private channel, or a DM with one user (``is_im``)."""

    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    user: str | None = None

    def to_api(self, *, is_member: bool = True) -> dict[str, Any]:
        """The ``channel`` object of ``conversations.info``."""
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_im and not self.is_private,
            "is_group": self.is_private,
            "is_im": self.is_im,
            "is_private": self.is_private or self.is_im,
            "is_member": is_member,
            "is_archived": False,
            "context_team_id": TEAM_ID,
        }
        if self.user is not None:
            data["user"] = self.user
        return data


def default_users() -> list[FakeUser]:
    """The default members: a plain member, an admin, an owner (not admin) and the bot."""
    return [
        FakeUser(DEFAULT_USER_ID, "member"),
        FakeUser(ADMIN_USER_ID, "admin", is_admin=True),
        FakeUser(OWNER_USER_ID, "owner", is_owner=True),
        FakeUser(BOT_USER_ID, BOT_NAME, is_bot=True),
    ]


def default_channels() -> list[FakeChannel]:
    """The default channels: ``#general`` and ``#random`` (the bot is a member of both), and
    ``#outside`` (public) and ``#secret`` (private), which the bot is not in."""
    return [
        FakeChannel(DEFAULT_CHANNEL_ID, "general"),
        FakeChannel(OTHER_CHANNEL_ID, "random"),
        FakeChannel(OUTSIDE_CHANNEL_ID, "outside"),
        FakeChannel(SECRET_CHANNEL_ID, "secret", is_private=True),
    ]


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One Web API request the app made, and what the fake answered."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    status: int
    response: dict[str, Any]

    @property
    def ok(self) -> bool:
        """True when the fake answered 200 with ``ok: true``."""
        return self.status == web.HTTPOk.status_code and self.response.get("ok") is True

    @property
    def error(self) -> str | None:
        """Slack's error code for a failed call."""
        error = self.response.get("error")
        return error if isinstance(error, str) else None

    @property
    def token(self) -> str | None:
        """The token used (from the ``Authorization`` header or a ``token`` argument)."""
        return _bearer_token(self.headers.get("Authorization")) or opt_str(self.args.get("token"))


@dataclass(frozen=True, slots=True)
class Button:
    """A button the fake found in a message it knows, ready to be pressed."""

    channel: str
    message_ts: str
    block_id: str
    action_id: str
    value: str | None
    text: str
    element: dict[str, Any]
    thread_ts: str | None = None
    ephemeral: bool = False


@dataclass(slots=True)
class FakeMessage:
    """A message as users would see it, whichever way it was posted.

    ``origin`` is ``chat.postMessage``, ``chat.postEphemeral``, ``response_url``, ``ack``
    (the body of a slash-command ack) or ``user`` (sent by a test as a user's message).
    """

    channel: str
    ts: str
    user: str
    origin: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    ephemeral_to: str | None = None
    response_type: str | None = None
    link_names: bool = False
    deleted: bool = False
    edits: int = 0
    files: list[str] = field(default_factory=list)  # ids of the files shared with it

    @property
    def is_ephemeral(self) -> bool:
        """True when only one user sees it."""
        return self.ephemeral_to is not None

    @property
    def from_bot(self) -> bool:
        """True when the app posted it."""
        return self.user == BOT_USER_ID

    @property
    def pings(self) -> tuple[str, ...]:
        """Who or what this message would notify (see :func:`find_pings`)."""
        return find_pings({"text": self.text, "blocks": self.blocks, "link_names": self.link_names})

    def all_text(self) -> str:
        """The top-level text plus every text in the blocks, joined by newlines."""
        parts = [self.text] if self.text else []
        parts.extend(
            node["text"]
            for node in walk(self.blocks)
            if node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str)
        )
        return "\n".join(parts)

    def buttons(self) -> list[Button]:
        """Every button in the message, in order."""
        found: list[Button] = []
        for block in self.blocks:
            candidates: list[Any] = []
            if block.get("type") == "actions":
                candidates = list(block.get("elements") or [])
            elif block.get("type") == "section" and "accessory" in block:
                candidates = [block["accessory"]]
            for element in candidates:
                if not isinstance(element, dict) or element.get("type") != "button":
                    continue
                label = element.get("text")
                found.append(
                    Button(
                        channel=self.channel,
                        message_ts=self.ts,
                        block_id=str(block.get("block_id", "")),
                        action_id=str(element.get("action_id", "")),
                        value=opt_str(element.get("value")),
                        text=str(label.get("text", "")) if isinstance(label, dict) else "",
                        element=element,
                        thread_ts=self.thread_ts,
                        ephemeral=self.is_ephemeral,
                    )
                )
        return found

    def to_api(self) -> dict[str, Any]:
        """The message object Slack puts in API answers and interaction payloads."""
        data: dict[str, Any] = {
            "type": "message",
            "text": self.text,
            "user": self.user,
            "ts": self.ts,
            "team": TEAM_ID,
        }
        if self.from_bot:
            data["bot_id"] = BOT_ID
            data["app_id"] = APP_ID
        if self.blocks:
            data["blocks"] = copy.deepcopy(self.blocks)
        if self.thread_ts is not None:
            data["thread_ts"] = self.thread_ts
        if self.edits:
            data["edited"] = {"user": self.user, "ts": self.ts}
        return data


@dataclass(slots=True)
class FakeView:
    """A modal the app opened (``views.open``/``views.push``), as it currently stands."""

    id: str
    view: dict[str, Any]
    user_id: str
    hash: str
    root_view_id: str
    previous_view_id: str | None = None
    is_open: bool = True
    errors: dict[str, str] = field(default_factory=dict)

    def input_elements(self) -> dict[str, tuple[str, dict[str, Any]]]:
        """``action_id`` -> (``block_id``, element) for every input block."""
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        for block in self.view.get("blocks") or []:
            if block.get("type") != "input" or not isinstance(block.get("element"), dict):
                continue
            element = block["element"]
            found[str(element.get("action_id"))] = (str(block.get("block_id")), element)
        return found

    def to_api(self, state_values: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The view object Slack returns from ``views.*`` and sends in payloads."""
        data: dict[str, Any] = {
            "id": self.id,
            "team_id": TEAM_ID,
            "type": self.view.get("type", "modal"),
            "title": self.view.get("title"),
            "blocks": copy.deepcopy(self.view.get("blocks") or []),
            "private_metadata": self.view.get("private_metadata", ""),
            "callback_id": self.view.get("callback_id", ""),
            "state": {"values": dict(state_values or {})},
            "hash": self.hash,
            "clear_on_close": bool(self.view.get("clear_on_close", False)),
            "notify_on_close": bool(self.view.get("notify_on_close", False)),
            "root_view_id": self.root_view_id,
            "previous_view_id": self.previous_view_id,
            "app_id": APP_ID,
            "external_id": self.view.get("external_id", ""),
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        }
        for key in ("submit", "close"):
            if key in self.view:
                data[key] = self.view[key]
        return data


@dataclass(frozen=True, slots=True)
class ResponseUrlPost:
    """One post the app made to a ``response_url``, and how the fake answered."""

    response_id: str
    url: str
    payload: dict[str, Any]
    status: int
    error: str | None

    @property
    def ok(self) -> bool:
        """True when the fake accepted the post."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class SocketAck:
    """An acknowledgement the app sent over the Socket Mode websocket."""

    envelope_id: str
    payload: dict[str, Any] | None
    raw: dict[str, Any]


@dataclass(frozen=True, slots=True)
class FakeFile:
    """A file a user shared (a modal's file input, a message): its bytes and what Slack says of
    it. ``stated_size`` overrides the size Slack reports (the bytes stay what they are)."""

    id: str
    name: str
    content: bytes
    user: str
    mimetype: str
    filetype: str
    created: int
    stated_size: int | None = None
    title: str = ""

    def to_api(self, base_url: str) -> dict[str, Any]:
        """The file object of ``files.info``, ``file_share`` events and file_input values."""
        private = f"{base_url}/files-pri/{TEAM_ID}-{self.id}/{self.name}"
        download = f"{base_url}/files-pri/{TEAM_ID}-{self.id}/download/{self.name}"
        return {
            "id": self.id,
            "created": self.created,
            "timestamp": self.created,
            "name": self.name,
            "title": self.title or self.name,
            "mimetype": self.mimetype,
            "filetype": self.filetype,
            "pretty_type": self.filetype.title(),
            "user": self.user,
            "user_team": TEAM_ID,
            "mode": "hosted",
            "editable": False,
            "is_external": False,
            "external_type": "",
            "is_public": False,
            "size": len(self.content) if self.stated_size is None else self.stated_size,
            "url_private": private,
            "url_private_download": download,
            "permalink": f"https://{TEAM_DOMAIN}.slack.com/files/{self.user}/{self.id}/{self.name}",
        }


@dataclass(frozen=True, slots=True)
class FileDownload:
    """One request for a file's bytes: whose token, and whether the file itself was served
    (``served`` False: the login page, or 404)."""

    file_id: str | None
    path: str
    token: str | None
    status: int
    served: bool


@dataclass(frozen=True, slots=True)
class Delivery:
    """The outcome of delivering one request to the app, over HTTP or Socket Mode.

    ``status`` is the HTTP status (200 for an acked envelope); ``ack`` is the JSON the app
    answered with (HTTP body or envelope ``payload``), None for an empty ack; ``ack_error`` is
    the Slack error that ack would cause (e.g. ``invalid_blocks``), None when Slack accepts it.
    """

    transport: Transport
    kind: EnvelopeKind
    status: int
    body: str
    ack: dict[str, Any] | None
    ack_error: str | None
    request: dict[str, Any]
    response_url: str | None
    trigger_id: str | None
    envelope_id: str | None = None

    @property
    def acked(self) -> bool:
        """True when the app accepted the request (HTTP 200 or an envelope ack)."""
        return self.status == web.HTTPOk.status_code


@dataclass(slots=True)
class SocketConnection:
    """One Socket Mode websocket connection the app opened."""

    number: int
    ticket: str
    ws: web.WebSocketResponse
    hello_sent: bool = False
    closed: bool = False


@dataclass(slots=True)
class _Failure:
    status: int
    error: str | None
    retry_after: int

    def answer(self) -> tuple[int, dict[str, Any], dict[str, str]]:
        if self.status == web.HTTPTooManyRequests.status_code:
            body = {"ok": False, "error": self.error or "ratelimited"}
            return self.status, body, {"Retry-After": str(self.retry_after)}
        return self.status, {"ok": False, "error": self.error or "fatal_error"}, {}


@dataclass(slots=True)
class _ResponseTarget:
    id: str
    channel: str
    user_id: str
    source: FakeMessage | None
    uses: int = 0


@dataclass(slots=True)
class _PendingUpload:
    """A file ``files.getUploadURLExternal`` announced: its name, stated length, and the bytes
    once they are POSTed to its upload URL."""

    file_id: str
    filename: str
    length: int
    alt_txt: str | None
    data: bytes | None = None
    completed: bool = False


@dataclass(slots=True)
class _Trigger:
    user_id: str
    used: bool = False


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _bearer_token(header: str | None) -> str | None:
    if header and header.startswith("Bearer "):
        return header.removeprefix("Bearer ").strip() or None
    return None


LOGIN_PAGE = (
    "<!DOCTYPE html><html><head><title>Slack</title></head>"
    "<body><h1>Sign in to Slack</h1></body></html>"
)
_FILETYPES = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".png": "png",
    ".csv": "csv",
}
_MIMETYPES = {".png": "image/png", ".csv": "text/csv"}


def _file_kind(name: str) -> tuple[str, str]:
    """Slack's (filetype, mimetype) for a file name."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    return _FILETYPES.get(suffix, "binary"), _MIMETYPES.get(suffix, "text/plain")


def short_id(prefix: str = "") -> str:
    return prefix + uuid.uuid4().hex[:GENERATED_ID_LENGTH].upper()


def _json_response(
    body: Mapping[str, Any], *, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    # Exactly application/json (aiohttp adds a charset; slack_sdk parses either).
    return web.Response(
        status=status,
        text=json.dumps(body),
        content_type="application/json",
        headers=dict(headers or {}),
    )


async def _read_args(request: web.Request) -> dict[str, Any]:
    args: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            raw = await request.text()
            data = json.loads(raw) if raw.strip() else {}
            if not isinstance(data, dict):
                raise ValueError("JSON body must be an object")
            args.update(data)
        else:
            form = await request.post()
            args.update({key: value for key, value in form.items() if isinstance(value, str)})
    # Form-encoded calls carry JSON strings; undecodable ones stay strings, so validation
    # answers invalid_blocks_format (or invalid_arguments) as Slack would.
    for key in ("blocks", "view", "attachments", "metadata"):
        if isinstance(args.get(key), str):
            with suppress(ValueError):
                args[key] = json.loads(args[key])
    return args


def _with_block_ids(blocks: Any) -> list[dict[str, Any]]:
    """Copy blocks, giving each one without a ``block_id`` a generated one (as Slack does)."""
    if not isinstance(blocks, list):
        return []
    result: list[dict[str, Any]] = []
    for block in blocks:
        if not isinstance(block, dict):
            continue
        copied = copy.deepcopy(block)
        copied.setdefault("block_id", uuid.uuid4().hex[:GENERATED_BLOCK_ID_LENGTH])
        result.append(copied)
    return result


# --------------------------------------------------------------------------------------------
# The servers
# --------------------------------------------------------------------------------------------

ApiHandler = Callable[[dict[str, Any]], dict[str, Any]]


class FakeSlackServer:
    """The Web API, ``response_url`` and Socket Mode servers of a fake Slack workspace, and the
    workspace they act on."""

    def __init__(
        self,
        *,
        bot_token: str = DEFAULT_BOT_TOKEN,
        app_token: str = DEFAULT_APP_TOKEN,
        signing_secret: str = DEFAULT_SIGNING_SECRET,
        users: Iterable[FakeUser] | None = None,
        channels: Iterable[FakeChannel] | None = None,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.signing_secret = signing_secret
        self.users: dict[str, FakeUser] = {
            user.id: user for user in (default_users() if users is None else users)
        }
        self.channels: dict[str, FakeChannel] = {
            channel.id: channel
            for channel in (default_channels() if channels is None else channels)
        }
        # Channels the bot is in (as on Slack, it reads thread replies only there; it may post to
        # a public channel without joining, with chat:write.public).
        self.bot_channels: set[str] = set(self.channels) - {OUTSIDE_CHANNEL_ID, SECRET_CHANNEL_ID}
        self.calls: list[ApiCall] = []
        self.messages: list[FakeMessage] = []
        self.views: dict[str, FakeView] = {}
        self.response_posts: list[ResponseUrlPost] = []
        self.socket_acks: list[SocketAck] = []
        self.socket_frames: list[dict[str, Any]] = []
        self.socket_connections: list[SocketConnection] = []
        self.socket_pings = 0
        self.deliveries: list[Delivery] = []
        self.files: dict[str, FakeFile] = {}
        self.downloads: list[FileDownload] = []
        # Whether the bot token has the files:read scope (without it Slack serves the login page
        # for a file and answers files.info with missing_scope).
        self.files_readable = True
        # files_upload_v2: announced uploads by file id (their bytes once POSTed), upload URL ids
        self._uploads: dict[str, _PendingUpload] = {}
        self._upload_urls: dict[str, str] = {}
        # The Home tab each person sees (views.publish), by user id
        self.home_views: dict[str, FakeView] = {}
        self._failures: dict[str, list[_Failure]] = {}
        self._response_targets: dict[str, _ResponseTarget] = {}
        self._triggers: dict[str, _Trigger] = {}
        self._tickets: set[str] = set()
        self._pending_acks: dict[str, asyncio.Future[SocketAck]] = {}
        self._changed = asyncio.Condition()
        self._counter = itertools.count(1)
        self._epoch = int(time.time())
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self._port: int | None = None
        self._methods: dict[str, ApiHandler] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.delete": self._chat_delete,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "conversations.info": self._conversations_info,
            "conversations.open": self._conversations_open,
            "conversations.replies": self._conversations_replies,
            "conversations.history": self._conversations_history,
            "conversations.join": self._conversations_join,
            "users.info": self._users_info,
            "files.info": self._files_info,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
            "views.publish": self._views_publish,
            "apps.connections.open": self._apps_connections_open,
        }

    # ---- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Bind the server on 127.0.0.1, port 0."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{response_id}", self._handle_response_url)
        app.router.add_get("/socket", self._handle_socket)
        app.router.add_get("/files-pri/{team_file}/{rest:.*}", self._handle_file_download)
        app.router.add_post("/upload/v1/{upload_id}", self._handle_upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self._session = ClientSession()

    async def close(self) -> None:
        """Close open websockets, the client session and the server."""
        for connection in self.socket_connections:
            if not connection.ws.closed:
                await connection.ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")
        for future in self._pending_acks.values():
            future.cancel()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def port(self) -> int:
        """The bound port."""
        if self._port is None:
            raise RuntimeError("FakeSlack is not started")
        return self._port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{HOST}:{self.port}"

    @property
    def api_url(self) -> str:
        """The ``base_url`` for ``AsyncWebClient`` (with the trailing slash it needs)."""
        return f"{self.url}/api/"

    def web_client(
        self, token: str | None = None, *, max_retry_count: int = DEFAULT_MAX_RETRY_COUNT
    ) -> AsyncWebClient:
        """An ``AsyncWebClient`` pointed at the fake, retrying 429s like the bot should."""
        return AsyncWebClient(
            token=token or self.bot_token,
            base_url=self.api_url,
            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=max_retry_count)],
        )

    # ---- workspace set-up and queries --------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int = DEFAULT_RETRY_AFTER_SECONDS,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail.

        ``status=429`` answers ``ratelimited`` with a ``Retry-After: retry_after`` header;
        ``status=500`` (or any 5xx) answers that status; ``error="channel_not_found"`` answers
        200 with ``ok: false`` and that error. Failed calls are recorded like any other.
        """
        if status == web.HTTPOk.status_code and error is None:
            raise ValueError("fail_next needs a non-200 status or an error code")
        queue = self._failures.setdefault(method, [])
        queue.extend(_Failure(status, error, retry_after) for _ in range(times))

    def channel_messages(
        self, channel: str = DEFAULT_CHANNEL_ID, *, include_ephemeral: bool = False
    ) -> list[FakeMessage]:
        """Live messages of a channel in posting order (thread replies included)."""
        return [
            message
            for message in self.messages
            if message.channel == channel
            and not message.deleted
            and (include_ephemeral or not message.is_ephemeral)
        ]

    def thread(self, channel: str, thread_ts: str) -> list[FakeMessage]:
        """The parent message and its replies, in order (ephemeral ones excluded)."""
        return [
            message
            for message in self.channel_messages(channel)
            if message.ts == thread_ts or message.thread_ts == thread_ts
        ]

    def find_message(self, channel: str, ts: str) -> FakeMessage | None:
        """The live message with that ``ts`` in that channel."""
        for message in self.messages:
            if message.channel == channel and message.ts == ts and not message.deleted:
                return message
        return None

    def open_views(self, user_id: str | None = None) -> list[FakeView]:
        """Views still open, oldest first (optionally only one user's)."""
        return [
            view
            for view in self.views.values()
            if view.is_open and (user_id is None or view.user_id == user_id)
        ]

    def add_file(
        self,
        name: str,
        content: bytes,
        *,
        user_id: str = DEFAULT_USER_ID,
        stated_size: int | None = None,
    ) -> dict[str, Any]:
        """A user uploads a file (to a modal's file input or a message); returns its file object
        as Slack sends it (``stated_size``: the size Slack reports, if not the real one)."""
        filetype, mimetype = _file_kind(name)
        file = FakeFile(
            id=short_id("F"),
            name=name,
            content=content,
            user=user_id,
            mimetype=mimetype,
            filetype=filetype,
            created=int(time.time()),
            stated_size=stated_size,
        )
        self.files[file.id] = file
        return file.to_api(self.url)

    def expire_response_urls(self) -> None:
        """Every ``response_url`` handed out so far expires (Slack's last 30 minutes)."""
        self._response_targets.clear()

    def served_downloads(self, file_id: str | None = None) -> list[FileDownload]:
        """Downloads that got the file's bytes (optionally of one file)."""
        return [d for d in self.downloads if d.served and (file_id is None or d.file_id == file_id)]

    async def _handle_file_download(self, request: web.Request) -> web.Response:
        """``url_private`` / ``url_private_download``: the bytes for the bot token with
        ``files:read``, else Slack's login page (200, HTML) as Slack answers a browser."""
        team, _, file_id = request.match_info["team_file"].partition("-")
        token = _bearer_token(request.headers.get("Authorization"))
        file = self.files.get(file_id) if team == TEAM_ID else None
        served = False
        if token != self.bot_token or not self.files_readable:
            response = web.Response(text=LOGIN_PAGE, content_type="text/html")
        elif file is None:
            response = web.Response(status=web.HTTPNotFound.status_code, text="file not found")
        else:
            response = web.Response(body=file.content, content_type=file.mimetype)
            served = True
        self.downloads.append(
            FileDownload(
                file_id=file_id or None,
                path=request.path,
                token=token,
                status=response.status,
                served=served,
            )
        )
        await self._notify()
        return response

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ---- Web API -----------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        headers = dict(request.headers)
        status = web.HTTPOk.status_code
        extra_headers: dict[str, str] = {}
        args: dict[str, Any] = {}
        try:
            args = await _read_args(request)
            token = _bearer_token(request.headers.get("Authorization")) or opt_str(
                args.get("token")
            )
            self._check_token(method, token)
            failures = self._failures.get(method)
            if failures:
                status, body, extra_headers = failures.pop(0).answer()
            else:
                handler = self._methods.get(method)
                if handler is None:
                    raise SlackApiFailure("unknown_method")
                body = handler(args)
        except SlackApiFailure as exc:
            body = exc.body()
        except ValueError:
            body = SlackApiFailure("invalid_json").body()
        self.calls.append(
            ApiCall(method=method, args=args, headers=headers, status=status, response=body)
        )
        await self._notify()
        return _json_response(body, status=status, headers=extra_headers)

    def _check_token(self, method: str, token: str | None) -> None:
        if token is None:
            raise SlackApiFailure("not_authed")
        if token not in (self.bot_token, self.app_token):
            raise SlackApiFailure("invalid_auth")
        if method == "auth.test":
            return
        wanted = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != wanted:
            raise SlackApiFailure("not_allowed_token_type")

    def _resolve_channel(self, value: Any) -> FakeChannel:
        if not isinstance(value, str) or not value:
            raise SlackApiFailure("channel_not_found")
        if value in self.channels:
            return self.channels[value]
        name = value.removeprefix("#")
        for channel in self.channels.values():
            if channel.name == name and not channel.is_im:
                return channel
        if value in self.users:
            return self._dm_channel(value)
        raise SlackApiFailure("channel_not_found")

    def _dm_channel(self, user_id: str) -> FakeChannel:
        channel_id = "D" + user_id[1:]
        if channel_id not in self.channels:
            self.channels[channel_id] = FakeChannel(channel_id, user_id, is_im=True, user=user_id)
        return self.channels[channel_id]

    def _new_ts(self) -> str:
        return f"{self._epoch}.{next(self._counter):06d}"

    def _store_message(
        self,
        *,
        channel: str,
        user: str,
        origin: str,
        payload: Mapping[str, Any],
        ephemeral_to: str | None = None,
        response_type: str | None = None,
    ) -> FakeMessage:
        message = FakeMessage(
            channel=channel,
            ts=self._new_ts(),
            user=user,
            origin=origin,
            text=str(payload.get("text") or ""),
            blocks=_with_block_ids(decode_json_field(payload.get("blocks"), "invalid_blocks")),
            thread_ts=opt_str(payload.get("thread_ts")),
            ephemeral_to=ephemeral_to,
            response_type=response_type,
            link_names=truthy(payload.get("link_names")) or payload.get("parse") == "full",
        )
        self.messages.append(message)
        return message

    def _existing_message(self, channel: str, ts: Any) -> FakeMessage:
        message = self.find_message(channel, ts) if isinstance(ts, str) else None
        if message is None:
            raise SlackApiFailure("message_not_found")
        return message

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": "Fake Team",
            "user": BOT_NAME,
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        if channel.is_private and not self.is_bot_member(channel.id):
            raise SlackApiFailure("not_in_channel")
        check_message(args)
        message = self._store_message(
            channel=channel.id, user=BOT_USER_ID, origin="chat.postMessage", payload=args
        )
        return {"ok": True, "channel": channel.id, "ts": message.ts, "message": message.to_api()}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        message = self._existing_message(channel.id, args.get("ts"))
        if not message.from_bot:
            raise SlackApiFailure("cant_update_message")
        check_message(args, require_content=False)
        if "text" in args:
            message.text = str(args.get("text") or "")
        if "blocks" in args:
            message.blocks = _with_block_ids(args.get("blocks"))
        message.edits += 1
        return {
            "ok": True,
            "channel": channel.id,
            "ts": message.ts,
            "text": message.text,
            "message": message.to_api(),
        }

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        if channel.is_private and not self.is_bot_member(channel.id):
            raise SlackApiFailure("channel_not_found")  # a private channel the bot is not in
        user = args.get("user")
        if not isinstance(user, str) or user not in self.users:
            raise SlackApiFailure("user_not_in_channel")
        check_message(args)
        message = self._store_message(
            channel=channel.id,
            user=BOT_USER_ID,
            origin="chat.postEphemeral",
            payload=args,
            ephemeral_to=user,
        )
        return {"ok": True, "message_ts": message.ts}

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        message = self._existing_message(channel.id, args.get("ts"))
        if not message.from_bot:
            raise SlackApiFailure("cant_delete_message")
        message.deleted = True
        return {"ok": True, "channel": channel.id, "ts": message.ts}

    def _new_trigger(self, user_id: str) -> str:
        trigger_id = (
            f"{next(self._counter)}.{uuid.uuid4().int % TRIGGER_NUMBER_MODULUS}.{uuid.uuid4().hex}"
        )
        self._triggers[trigger_id] = _Trigger(user_id=user_id)
        return trigger_id

    def _use_trigger(self, trigger_id: Any) -> _Trigger:
        if not isinstance(trigger_id, str) or not trigger_id:
            raise SlackApiFailure(
                "invalid_arguments", ["[ERROR] missing required field [json-pointer:/trigger_id]"]
            )
        trigger = self._triggers.get(trigger_id)
        if trigger is None:
            raise SlackApiFailure("invalid_trigger_id")
        if trigger.used:
            raise SlackApiFailure("exchanged_trigger_id")
        return trigger

    def _new_view(
        self, view: dict[str, Any], *, user_id: str, previous: FakeView | None
    ) -> FakeView:
        view_id = short_id("V")
        stored = copy.deepcopy(view)
        stored["blocks"] = _with_block_ids(stored.get("blocks"))
        fake_view = FakeView(
            id=view_id,
            view=stored,
            user_id=user_id,
            hash=short_id(),
            root_view_id=previous.root_view_id if previous is not None else view_id,
            previous_view_id=previous.id if previous is not None else None,
        )
        self.views[view_id] = fake_view
        return fake_view

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        trigger = self._use_trigger(args.get("trigger_id"))
        view = args.get("view")
        check_view(view)
        assert isinstance(view, dict)
        trigger.used = True
        return {
            "ok": True,
            "view": self._new_view(view, user_id=trigger.user_id, previous=None).to_api(),
        }

    def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        trigger = self._use_trigger(args.get("trigger_id"))
        view = args.get("view")
        check_view(view)
        assert isinstance(view, dict)
        trigger.used = True
        open_views = self.open_views(trigger.user_id)
        previous = open_views[-1] if open_views else None
        pushed = self._new_view(view, user_id=trigger.user_id, previous=previous)
        return {"ok": True, "view": pushed.to_api()}

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        target: FakeView | None = None
        view_id = args.get("view_id")
        external_id = args.get("external_id")
        if isinstance(view_id, str):
            target = self.views.get(view_id)
        elif isinstance(external_id, str):
            target = next(
                (v for v in self.views.values() if v.view.get("external_id") == external_id), None
            )
        else:
            raise SlackApiFailure(
                "invalid_arguments", ["[ERROR] view_id or external_id is required"]
            )
        if target is None:
            raise SlackApiFailure("not_found")
        given_hash = args.get("hash")
        if isinstance(given_hash, str) and given_hash and given_hash != target.hash:
            raise SlackApiFailure("hash_conflict")
        view = args.get("view")
        check_view(view)
        assert isinstance(view, dict)
        target.view = copy.deepcopy(view)
        target.view["blocks"] = _with_block_ids(target.view.get("blocks"))
        target.hash = short_id()
        return {"ok": True, "view": target.to_api()}

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        if channel.is_private and not self.is_bot_member(channel.id):
            raise SlackApiFailure("channel_not_found")  # a private channel the bot is not in
        return {"ok": True, "channel": channel.to_api(is_member=self.is_bot_member(channel.id))}

    def _conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        if channel.is_private:
            raise SlackApiFailure("channel_not_found")  # joined only by being invited
        if channel.is_im:
            raise SlackApiFailure("method_not_supported_for_channel_type")
        self.bot_channels.add(channel.id)
        return {"ok": True, "channel": channel.to_api(is_member=True)}

    def is_bot_member(self, channel_id: str) -> bool:
        """Whether the bot is in the channel (a DM always counts)."""
        channel = self.channels.get(channel_id)
        return channel is not None and (channel.is_im or channel_id in self.bot_channels)

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """A DM with one person (``users``; a ``D...`` channel): ``user_not_found`` for
        someone not in the workspace, ``cannot_dm_bot`` for a bot, ``user_disabled`` for a
        deactivated account."""
        users = str(args.get("users") or "").split(",")
        user = self.users.get(users[0]) if len(users) == 1 else None
        if user is None:
            raise SlackApiFailure("user_not_found")
        if user.is_bot:
            raise SlackApiFailure("cannot_dm_bot")
        if user.deleted:
            raise SlackApiFailure("user_disabled")
        return {"ok": True, "channel": {"id": self._dm_channel(user.id).id}}

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        ts = args.get("ts")
        thread = self.thread(channel.id, ts) if isinstance(ts, str) else []
        if not thread:
            raise SlackApiFailure("thread_not_found")
        return {"ok": True, "messages": [m.to_api() for m in thread], "has_more": False}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Top-level messages, newest first, within ``oldest`` / ``latest`` (exclusive unless
        ``inclusive``), ``limit`` per page (default 100, at most 999), paged by ``cursor``."""
        channel = self._resolve_channel(args.get("channel"))
        limit = int(args.get("limit") or HISTORY_DEFAULT_LIMIT)
        if not 0 < limit <= HISTORY_MAX_LIMIT:
            raise SlackApiFailure("invalid_limit")
        inclusive = truthy(args.get("inclusive"))
        oldest = float(args.get("oldest") or 0)
        latest = float(args["latest"]) if args.get("latest") else float("inf")

        def inside(ts: float) -> bool:
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        found = [
            m
            for m in reversed(self.channel_messages(channel.id))
            if (m.thread_ts is None or m.thread_ts == m.ts) and inside(float(m.ts))
        ]
        cursor = str(args.get("cursor") or "")
        start = int(cursor.removeprefix("page:")) if cursor.startswith("page:") else 0
        if cursor and not cursor.startswith("page:"):
            raise SlackApiFailure("invalid_cursor")
        page = found[start : start + limit]
        more = start + limit < len(found)
        return {
            "ok": True,
            "messages": [m.to_api() for m in page],
            "has_more": more,
            "response_metadata": {"next_cursor": f"page:{start + limit}" if more else ""},
        }

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user") or ""))
        if user is None:
            raise SlackApiFailure("user_not_found")
        return {"ok": True, "user": user.to_api(include_locale=truthy(args.get("include_locale")))}

    def _files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        if not self.files_readable:
            raise SlackApiFailure("missing_scope")
        file = self.files.get(str(args.get("file") or ""))
        if file is None:
            raise SlackApiFailure("file_not_found")
        return {"ok": True, "file": file.to_api(self.url), "comments": [], "response_metadata": {}}

    def _files_get_upload_url_external(self, args: dict[str, Any]) -> dict[str, Any]:
        """Step 1 of an upload: a file id and where to POST the bytes."""
        filename = opt_str(args.get("filename"))
        try:
            length = int(args.get("length") or 0)
        except (TypeError, ValueError):
            length = 0
        if filename is None:
            raise SlackApiFailure(
                "invalid_arguments", ["[ERROR] missing required field [json-pointer:/filename]"]
            )
        if length <= 0:
            raise SlackApiFailure("invalid_arguments", ["[ERROR] length must be positive"])
        upload = _PendingUpload(
            file_id=short_id("F"),
            filename=filename,
            length=length,
            alt_txt=opt_str(args.get("alt_txt")),
        )
        url_id = uuid.uuid4().hex
        self._uploads[upload.file_id] = upload
        self._upload_urls[url_id] = upload.file_id
        return {
            "ok": True,
            "upload_url": f"{self.url}/upload/v1/{url_id}",
            "file_id": upload.file_id,
        }

    async def _handle_upload(self, request: web.Request) -> web.Response:
        """Step 2: the bytes POSTed to the upload URL (no token needed; the URL is the secret)."""
        file_id = self._upload_urls.get(request.match_info["upload_id"])
        upload = self._uploads.get(file_id) if file_id else None
        if upload is None:
            return web.Response(status=web.HTTPNotFound.status_code, text="not found")
        data = await request.read()
        if len(data) != upload.length:
            return web.Response(
                status=web.HTTPBadRequest.status_code,
                text=f"length mismatch: announced {upload.length}, received {len(data)}",
            )
        upload.data = data
        await self._notify()
        return web.Response(text=f"OK - {len(data)}")

    def _files_complete_upload_external(self, args: dict[str, Any]) -> dict[str, Any]:
        """Step 3: the uploaded files, shared into ``channel_id`` when given."""
        raw = args.get("files")
        try:
            items = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            items = None
        if not isinstance(items, list) or not items:
            raise SlackApiFailure("invalid_arguments", ["[ERROR] files must be a non-empty array"])
        uploads: list[tuple[_PendingUpload, str]] = []
        for item in items:
            upload = self._uploads.get(str(item.get("id"))) if isinstance(item, dict) else None
            if upload is None or upload.data is None or upload.completed:
                raise SlackApiFailure("file_not_found")
            uploads.append((upload, str(item.get("title") or upload.filename)))
        channel: FakeChannel | None = None
        channel_id = opt_str(args.get("channel_id"))
        if channel_id is not None:
            channel = self._resolve_channel(channel_id)
            if not self.is_bot_member(channel.id):
                raise SlackApiFailure("not_in_channel")
        thread_ts = opt_str(args.get("thread_ts"))
        if thread_ts is not None and (
            channel is None or self.find_message(channel.id, thread_ts) is None
        ):
            raise SlackApiFailure("invalid_thread_ts")
        files: list[FakeFile] = []
        for upload, title in uploads:
            filetype, mimetype = _file_kind(upload.filename)
            assert upload.data is not None
            file = FakeFile(
                id=upload.file_id,
                name=upload.filename,
                content=upload.data,
                user=BOT_USER_ID,
                mimetype=mimetype,
                filetype=filetype,
                created=int(time.time()),
                title=title,
            )
            upload.completed = True
            self.files[file.id] = file
            files.append(file)
        if channel is not None:
            message = self._store_message(
                channel=channel.id,
                user=BOT_USER_ID,
                origin="files.completeUploadExternal",
                payload={"text": args.get("initial_comment") or "", "thread_ts": thread_ts},
            )
            message.files = [f.id for f in files]
        return {"ok": True, "files": [f.to_api(self.url) for f in files]}

    def uploaded_files(self, channel: str | None = None) -> list[FakeFile]:
        """Files the app uploaded and shared, in order (optionally only into ``channel``)."""
        return [
            self.files[file_id]
            for message in self.messages
            if message.origin == "files.completeUploadExternal"
            and (channel is None or message.channel == channel)
            for file_id in message.files
        ]

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        """A person's Home tab (``type: home``), replacing what was published before."""
        user_id = str(args.get("user_id") or "")
        if user_id not in self.users:
            raise SlackApiFailure("user_not_found")
        view = args.get("view")
        check_view(view)
        assert isinstance(view, dict)
        if view.get("type") != "home":
            raise SlackApiFailure(
                "invalid_arguments", ["[ERROR] must be home [json-pointer:/view/type]"]
            )
        previous = self.home_views.get(user_id)
        given_hash = args.get("hash")
        if previous is not None and isinstance(given_hash, str) and given_hash != previous.hash:
            raise SlackApiFailure("hash_conflict")
        published = self._new_view(view, user_id=user_id, previous=None)
        published.is_open = False  # a tab, not a modal
        self.home_views[user_id] = published
        return {"ok": True, "view": published.to_api()}

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        return {
            "ok": True,
            "url": f"ws://{HOST}:{self.port}/socket?ticket={ticket}&app_id={APP_ID}",
        }

    # ---- response_url ------------------------------------------------------------------

    def _new_response_url(self, *, channel: str, user_id: str, source: FakeMessage | None) -> str:
        response_id = uuid.uuid4().hex
        self._response_targets[response_id] = _ResponseTarget(
            id=response_id, channel=channel, user_id=user_id, source=source
        )
        return f"{self.url}/response/{response_id}"

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        response_id = request.match_info["response_id"]
        raw = await request.text()
        payload: dict[str, Any]
        status, error = web.HTTPOk.status_code, None
        try:
            decoded = json.loads(raw) if raw.strip() else {}
            payload = decoded if isinstance(decoded, dict) else {"_raw": decoded}
        except ValueError:
            payload = {"_raw": raw}
        target = self._response_targets.get(response_id)
        if "_raw" in payload:
            status, error = web.HTTPBadRequest.status_code, "invalid_payload"
        elif target is None:
            status, error = web.HTTPNotFound.status_code, "expired_url"
        elif target.uses >= MAX_RESPONSE_URL_USES:
            status, error = web.HTTPNotFound.status_code, "used_url"
        else:
            try:
                self._apply_response(target, payload)
            except SlackApiFailure as exc:
                status, error = web.HTTPBadRequest.status_code, exc.error
            else:
                target.uses += 1
        self.response_posts.append(
            ResponseUrlPost(
                response_id=response_id,
                url=str(request.url),
                payload=payload,
                status=status,
                error=error,
            )
        )
        await self._notify()
        body: dict[str, Any] = {"ok": True} if error is None else {"ok": False, "error": error}
        return _json_response(body, status=status)

    def _apply_response(self, target: _ResponseTarget, payload: Mapping[str, Any]) -> None:
        if truthy(payload.get("delete_original")):
            if target.source is None:
                raise SlackApiFailure("no_original_message")
            target.source.deleted = True
            return
        check_message(payload)
        if truthy(payload.get("replace_original")) and target.source is not None:
            source = target.source
            source.text = str(payload.get("text") or "")
            source.blocks = _with_block_ids(payload.get("blocks"))
            source.edits += 1
            return
        response_type = str(payload.get("response_type") or "ephemeral")
        self._store_message(
            channel=target.channel,
            user=BOT_USER_ID,
            origin="response_url",
            payload=payload,
            ephemeral_to=None if response_type == "in_channel" else target.user_id,
            response_type=response_type,
        )

    # ---- Socket Mode -------------------------------------------------------------------

    async def _handle_socket(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            return web.Response(status=web.HTTPUnauthorized.status_code, text="invalid ticket")
        self._tickets.discard(ticket)
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        connection = SocketConnection(number=len(self.socket_connections) + 1, ticket=ticket, ws=ws)
        self.socket_connections.append(connection)
        try:
            await ws.send_str(
                json.dumps(
                    {
                        "type": "hello",
                        "num_connections": sum(not c.closed for c in self.socket_connections),
                        "debug_info": {
                            "host": "fake-slack",
                            "build_number": 1,
                            "approximate_connection_time": APPROXIMATE_CONNECTION_SECONDS,
                        },
                        "connection_info": {"app_id": APP_ID},
                    }
                )
            )
            connection.hello_sent = True
            await self._notify()
            async for frame in ws:
                if frame.type == WSMsgType.PING:
                    self.socket_pings += 1
                    await ws.pong(frame.data)
                    await self._notify()
                elif frame.type == WSMsgType.TEXT:
                    await self._on_socket_text(str(frame.data))
                elif frame.type == WSMsgType.ERROR:
                    break
        finally:
            connection.closed = True
            await self._notify()
        return ws

    async def _on_socket_text(self, text: str) -> None:
        try:
            data = json.loads(text)
        except ValueError:
            data = {"_raw": text}
        if not isinstance(data, dict):
            data = {"_raw": data}
        self.socket_frames.append(data)
        envelope_id = data.get("envelope_id")
        if isinstance(envelope_id, str):
            payload = data.get("payload")
            ack = SocketAck(
                envelope_id=envelope_id,
                payload=payload if isinstance(payload, dict) else None,
                raw=data,
            )
            self.socket_acks.append(ack)
            future = self._pending_acks.get(envelope_id)
            if future is not None and not future.done():
                future.set_result(ack)
        await self._notify()

    # ---- acks: what Slack does with the app's answer -----------------------------------

    def _apply_ack(
        self, kind: EnvelopeKind, payload: Mapping[str, Any], ack: Mapping[str, Any] | None
    ) -> str | None:
        """Apply an ack as Slack would (show its message, close/update the modal)."""
        try:
            if kind == "slash_commands":
                self._apply_command_ack(payload, ack)
            elif kind == "interactive" and payload.get("type") == "view_submission":
                self._apply_submission_ack(payload, ack)
        except SlackApiFailure as exc:
            return exc.error
        return None

    def _apply_command_ack(self, payload: Mapping[str, Any], ack: Mapping[str, Any] | None) -> None:
        if not ack or not (ack.get("text") or ack.get("blocks")):
            return
        check_message(ack)
        response_type = str(ack.get("response_type") or "ephemeral")
        user_id = str(payload.get("user_id"))
        self._store_message(
            channel=str(payload.get("channel_id")),
            user=BOT_USER_ID,
            origin="ack",
            payload=ack,
            ephemeral_to=None if response_type == "in_channel" else user_id,
            response_type=response_type,
        )

    def _apply_submission_ack(
        self, payload: Mapping[str, Any], ack: Mapping[str, Any] | None
    ) -> None:
        view_data = payload.get("view")
        view_id = view_data.get("id") if isinstance(view_data, dict) else None
        fake_view = self.views.get(view_id) if isinstance(view_id, str) else None
        if fake_view is None:
            return
        action = ack.get("response_action") if ack else None
        if action is None:
            fake_view.is_open = False
        elif action == "errors":
            errors = ack.get("errors") if ack else None
            block_ids = {block_id for block_id, _ in fake_view.input_elements().values()}
            if not isinstance(errors, dict) or not set(errors) <= block_ids:
                raise SlackApiFailure(
                    "invalid_arguments", ["[ERROR] errors must name input block_ids"]
                )
            fake_view.errors = {str(k): str(v) for k, v in errors.items()}
        elif action == "update":
            new_view = ack.get("view") if ack else None
            check_view(new_view)
            assert isinstance(new_view, dict)
            fake_view.view = copy.deepcopy(new_view)
            fake_view.view["blocks"] = _with_block_ids(fake_view.view.get("blocks"))
            fake_view.hash = short_id()
            fake_view.errors = {}
        elif action == "push":
            new_view = ack.get("view") if ack else None
            check_view(new_view)
            assert isinstance(new_view, dict)
            self._new_view(new_view, user_id=fake_view.user_id, previous=fake_view)
        elif action == "clear":
            for view in self.open_views(fake_view.user_id):
                view.is_open = False
        else:
            raise SlackApiFailure(
                "invalid_arguments", [f"[ERROR] unknown response_action {action}"]
            )
