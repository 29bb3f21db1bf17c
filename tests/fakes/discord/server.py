"""The fake Discord's HTTP side: REST API v10 on 127.0.0.1 (port 0) next to the gateway.

It records every REST request (method, path, query, JSON body, headers, answer) for asserts;
rejects what Discord rejects: message, embed, component, modal and autocomplete size limits,
empty messages, callbacks after the 3 s deadline or a second acknowledgement, unknown channels
and messages; and injects failures on demand (:meth:`FakeDiscordServer.fail_next`): 429 with
``retry_after``, ``Via`` and ``X-RateLimit-*`` headers (discord.py sleeps and retries), 403,
404, 500.

It also plays Discord's CDN: a file a user attaches to a command (:meth:`FakeDiscordServer.
add_attachment`) is served at its signed ``url`` without the bot token, and every download is
recorded in :attr:`FakeDiscordServer.downloads` (injected failures apply to it too).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import mimetypes
import re
import secrets
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote

from aiohttp import BodyPartReader, web

from tests.fakes.discord.gateway import Gateway
from tests.fakes.discord.payloads import (
    ALLOWED_CALLBACKS,
    API_PREFIX,
    BOT_PERMISSIONS,
    CALLBACK_AUTOCOMPLETE,
    CALLBACK_DEFERRED_MESSAGE,
    CALLBACK_DEFERRED_UPDATE,
    CALLBACK_MESSAGE,
    CALLBACK_MODAL,
    CALLBACK_UPDATE_MESSAGE,
    CDN_ATTACHMENTS_PATH,
    CHANNEL_ANNOUNCEMENT_THREAD,
    CHANNEL_DM,
    CHANNEL_GUILD_ANNOUNCEMENT,
    CHANNEL_PRIVATE_THREAD,
    CHANNEL_PUBLIC_THREAD,
    CLOSE_GOING_AWAY,
    COMMAND_CHAT_INPUT,
    DEFAULT_ARCHIVE_DURATION,
    DEFAULT_HISTORY_LIMIT,
    ERR_ALREADY_ACKNOWLEDGED,
    ERR_CANNOT_EDIT_OTHERS,
    ERR_CANNOT_MESSAGE_USER,
    ERR_GENERAL,
    ERR_MISSING_ACCESS,
    ERR_MISSING_PERMISSIONS,
    ERR_THREAD_ALREADY_CREATED,
    ERR_THREAD_LOCKED,
    ERR_UNKNOWN_CHANNEL,
    ERR_UNKNOWN_GUILD,
    ERR_UNKNOWN_INTERACTION,
    ERR_UNKNOWN_MEMBER,
    ERR_UNKNOWN_MESSAGE,
    ERR_UNKNOWN_USER,
    ERR_UNKNOWN_WEBHOOK,
    ERR_WRONG_CHANNEL_TYPE,
    EVERYONE_MENTIONS,
    FLAG_EPHEMERAL,
    FLAG_HAS_THREAD,
    FLAG_LOADING,
    GATEWAY_PATH,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILDS,
    INTENT_MESSAGE_CONTENT,
    INTERACTION_COMMAND,
    INTERACTION_DEADLINE_S,
    INTERACTION_TOKEN_LIFETIME_S,
    JSON,
    MAX_HISTORY_LIMIT,
    MAX_THREAD_NAME,
    MENTION_ROLE_RE,
    MENTION_USER_RE,
    MESSAGE_CHAT_INPUT_COMMAND,
    MESSAGE_DEFAULT,
    MESSAGE_REPLY,
    MESSAGEABLE_TYPES,
    PERM_MANAGE_THREADS,
    PRIVILEGED_INTENTS,
    THREAD_ARCHIVE_DURATIONS,
    THREAD_PARENT_TYPES,
    THREAD_TYPES,
    DiscordError,
    FormErrors,
    as_int,
    default_error_body,
    empty_message_error,
    is_empty_message,
    iso_timestamp,
    unknown_error,
    validate_autocomplete_payload,
    validate_commands_payload,
    validate_message_payload,
    validate_modal_payload,
)
from tests.fakes.discord.scene import FakeGuild

DEFAULT_TOKEN: Final = "fake-discord-bot-token"
DEFAULT_RETRY_AFTER_S: Final = 0.05


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Upload:
    """A file sent with a message (a ``files[n]`` part of a multipart request)."""

    filename: str
    data: bytes
    content_type: str


@dataclass
class RecordedRequest:
    """One REST request the fake answered, with the answer it gave."""

    index: int
    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    files: list[str] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    status: int = 0
    response: Any = None
    interaction_token: str | None = None

    def header(self, name: str) -> str | None:
        """A request header, looked up case-insensitively."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)

    def upload(self, filename: str) -> bytes:
        """The bytes of the file named ``filename`` sent with this request."""
        found = next((u for u in self.uploads if u.filename == filename), None)
        if found is None:
            names = [u.filename for u in self.uploads]
            raise LookupError(f"no file {filename!r} in the request (files: {names})")
        return found.data

    @property
    def ok(self) -> bool:
        """Whether the fake answered with a 2xx status."""
        return 200 <= self.status < 300

    @property
    def data(self) -> JSON:
        """For an interaction callback: its ``data`` object (empty if none)."""
        body = self.json if isinstance(self.json, dict) else {}
        inner = body.get("data")
        return inner if isinstance(inner, dict) else {}


@dataclass
class InjectedFailure:
    """A failure the fake serves instead of handling matching requests."""

    method: str
    pattern: re.Pattern[str]
    status: int
    body: JSON | None
    retry_after: float | None
    times: int
    is_global: bool = False
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Whether this failure applies to a request."""
        if self.hits >= self.times:
            return False
        return self.method in ("*", method.upper()) and self.pattern.search(path) is not None

    def answer(self) -> tuple[int, JSON, dict[str, str]]:
        """The status, body and headers to send."""
        headers: dict[str, str] = {}
        if self.status == 429:
            retry_after = DEFAULT_RETRY_AFTER_S if self.retry_after is None else self.retry_after
            body = self.body or {
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": self.is_global,
            }
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(max(1, math.ceil(retry_after))),
                "X-RateLimit-Scope": "global" if self.is_global else "user",
            }
            if self.is_global:
                headers["X-RateLimit-Global"] = "true"
            else:
                headers.update(
                    {
                        "X-RateLimit-Limit": "5",
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                        "X-RateLimit-Bucket": "fakebucket" + secrets.token_hex(8),
                    }
                )
            return self.status, body, headers
        return self.status, self.body or default_error_body(self.status), headers


@dataclass
class InteractionState:
    id: int
    token: str
    type: int
    payload: JSON
    user_id: int
    channel_id: int
    guild_id: int | None
    dispatched_at: float = 0.0
    callback_type: int | None = None
    original_message_id: int | None = None
    source_message_id: int | None = None
    message_ids: list[int] = field(default_factory=list)
    modal: JSON | None = None
    modal_submitted: bool = False


_Handler = Callable[[RecordedRequest, re.Match[str]], Any]


class FakeDiscordServer(Gateway):
    """A fake Discord REST API and gateway, served by aiohttp on 127.0.0.1 (port 0)."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        shard_count: int = 1,
        privileged_intents: int = PRIVILEGED_INTENTS,
        interaction_deadline: float | None = INTERACTION_DEADLINE_S,
        echo_bot_messages: bool = True,
    ) -> None:
        super().__init__(token=token, privileged_intents=privileged_intents)
        self.shard_count = shard_count
        self.interaction_deadline = interaction_deadline
        self.echo_bot_messages = echo_bot_messages

        self.requests: list[RecordedRequest] = []
        self.downloads: list[RecordedRequest] = []  # attachment downloads from the CDN
        self.attachments: dict[int, tuple[JSON, bytes, str]] = {}  # id -> payload, bytes, sig
        self.synced_commands: dict[int | None, list[JSON]] = {}
        self.failures: list[InjectedFailure] = []
        # people who take no direct messages from the bot (privacy settings, a block)
        self.dms_closed: set[int] = set()

        self._in_flight = 0
        self._interactions: dict[str, InteractionState] = {}
        self._command_ids: dict[tuple[int | None, str, int], int] = {}
        self._routes: list[tuple[str, re.Pattern[str], _Handler, bool]] = []
        self._runner: web.AppRunner | None = None
        self._socket: socket.socket | None = None
        self._register_routes()

    # ---------------------------------------------------------------- lifecycle and urls
    async def start(self) -> None:
        """Starts the server on 127.0.0.1 with a free port."""
        app = web.Application()
        app.router.add_get(GATEWAY_PATH, self._gateway_handler)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._http_handler)
        app.router.add_get(CDN_ATTACHMENTS_PATH + "/{tail:.*}", self._cdn_handler)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = int(self._socket.getsockname()[1])
        await web.SockSite(self._runner, self._socket).start()

    async def close(self) -> None:
        """Closes every gateway connection and stops the server."""
        for connection in list(self._connections):
            with contextlib.suppress(Exception):
                await connection.ws.close(code=CLOSE_GOING_AWAY, message=b"fake shutting down")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """The value for ``discord.http.Route.BASE``."""
        return self.url + API_PREFIX

    # ---------------------------------------------------------------- failure injection
    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        body: JSON | None = None,
        retry_after: float | None = None,
        *,
        times: int = 1,
        is_global: bool = False,
    ) -> InjectedFailure:
        """Answers the next ``times`` matching requests with ``status`` instead of handling them.

        ``method`` is an HTTP method or ``"*"``; ``path_regex`` is searched in the path after
        ``/api/v10`` (e.g. ``r"/channels/\\d+/messages$"``). Without ``body`` Discord's usual
        body for the status is sent; a 429 carries ``retry_after`` (default 0.05 s) in JSON and
        ``Via``/``Retry-After``/``X-RateLimit-*`` headers so discord.py sleeps and retries.
        """
        failure = InjectedFailure(
            method=method.upper(),
            pattern=re.compile(path_regex),
            status=status,
            body=body,
            retry_after=retry_after,
            times=times,
            is_global=is_global,
        )
        self.failures.append(failure)
        return failure

    # ---------------------------------------------------------------- the CDN: attachments
    def add_attachment(
        self,
        filename: str,
        data: bytes,
        *,
        content_type: str | None = None,
        channel_id: int | None = None,
    ) -> JSON:
        """A file a user attached to a command option: its payload as Discord puts it in
        ``resolved.attachments`` (an ephemeral attachment with its true ``size`` and a signed
        CDN ``url`` that serves ``data``). Pass it as the option's value."""
        aid = self.new_snowflake()
        cid = channel_id or self.channel_id
        signature = secrets.token_hex(16)
        expires = f"{int(time.time()) + 86_400:x}"
        path = f"{CDN_ATTACHMENTS_PATH}/{cid}/{aid}/{quote(filename)}"
        url = f"{self.url}{path}?ex={expires}&is={int(time.time()):x}&hm={signature}&"
        guessed = mimetypes.guess_type(filename)[0]
        payload: JSON = {
            "id": str(aid),
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "ephemeral": True,
        }
        kind = content_type or (f"{guessed}; charset=utf-8" if guessed else None)
        if kind is not None:
            payload["content_type"] = kind
        self.attachments[aid] = (payload, data, signature)
        return payload

    async def _cdn_handler(self, request: web.Request) -> web.StreamResponse:
        self._in_flight += 1
        try:
            record = RecordedRequest(
                index=len(self.downloads),
                method=request.method,
                path=request.path,
                query=dict(request.query),
                json=None,
                headers=dict(request.headers),
            )
            failure = next((f for f in self.failures if f.matches("GET", request.path)), None)
            if failure is not None:
                failure.hits += 1
                status, answer, headers = failure.answer()
                response = self._response(status, answer, headers)
            else:
                response = self._cdn_answer(request)
                status = response.status
            record.status = status
            await response.prepare(request)
            await response.write_eof()
            self.downloads.append(record)
            return response
        finally:
            self._in_flight -= 1
            self._notify()

    def _cdn_answer(self, request: web.Request) -> web.Response:
        match = re.match(rf"^{CDN_ATTACHMENTS_PATH}/\d+/(\d+)/", request.path)
        stored = self.attachments.get(int(match.group(1))) if match else None
        if stored is None or request.query.get("hm") != stored[2]:
            # Discord's CDN answers an unknown or unsigned URL with a plain-text 404/403.
            return web.Response(status=404 if stored is None else 403, text="Not Found")
        payload, data, _ = stored
        kind = str(payload.get("content_type") or "application/octet-stream")
        return web.Response(body=data, headers={"Content-Type": kind})

    # ---------------------------------------------------------------- HTTP plumbing
    def _route(self, method: str, pattern: str, handler: _Handler, *, auth: bool = True) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        self._routes.append((method, re.compile(f"^{regex}$"), handler, auth))

    def _register_routes(self) -> None:
        r = self._route
        r("GET", "/gateway", self._get_gateway, auth=False)
        r("GET", "/gateway/bot", self._get_gateway_bot)
        r("GET", "/users/@me", self._get_me)
        r("POST", "/users/@me/channels", self._create_dm)
        r("GET", "/users/{user_id}", self._get_user)
        r("GET", "/oauth2/applications/@me", self._get_application)
        r("GET", "/applications/@me", self._get_application)
        r("GET", "/applications/{app_id}/commands", self._get_commands)
        r("PUT", "/applications/{app_id}/commands", self._put_commands)
        r("GET", "/applications/{app_id}/guilds/{guild_id}/commands", self._get_commands)
        r("PUT", "/applications/{app_id}/guilds/{guild_id}/commands", self._put_commands)
        r("POST", "/interactions/{interaction_id}/{token}/callback", self._callback, auth=False)
        r("POST", "/webhooks/{app_id}/{token}", self._followup, auth=False)
        for method in ("GET", "PATCH", "DELETE"):
            r(
                method,
                "/webhooks/{app_id}/{token}/messages/{message_id}",
                self._webhook_message,
                auth=False,
            )
        r("GET", "/channels/{channel_id}", self._get_channel)
        r("PATCH", "/channels/{channel_id}", self._patch_channel)
        r("DELETE", "/channels/{channel_id}", self._delete_channel)
        r("GET", "/channels/{channel_id}/messages", self._history)
        r("POST", "/channels/{channel_id}/messages", self._post_message)
        for method in ("GET", "PATCH", "DELETE"):
            r(method, "/channels/{channel_id}/messages/{message_id}", self._channel_message)
        r("POST", "/channels/{channel_id}/threads", self._create_thread)
        r("POST", "/channels/{channel_id}/messages/{message_id}/threads", self._create_thread)
        r("PUT", "/channels/{channel_id}/thread-members/{user_id}", self._thread_member)
        r("DELETE", "/channels/{channel_id}/thread-members/{user_id}", self._thread_member)
        r("POST", "/channels/{channel_id}/typing", self._typing)
        for method in ("PUT", "DELETE"):
            r(
                method,
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/{who}",
                self._reaction,
            )
        r("GET", "/guilds/{guild_id}", self._get_guild)
        r("GET", "/guilds/{guild_id}/channels", self._get_guild_channels)
        r("GET", "/guilds/{guild_id}/roles", self._get_guild_roles)
        r("GET", "/guilds/{guild_id}/members/{user_id}", self._get_guild_member)

    async def _read_body(self, request: web.Request) -> tuple[Any, list[Upload]]:
        """The JSON body, and the files of a multipart body (discord.py sends a message with
        files as ``multipart/form-data``: ``payload_json`` and ``files[n]`` parts)."""
        if not request.can_read_body:
            return None, []
        ctype = request.content_type
        if ctype == "multipart/form-data":
            payload: Any = None
            files: list[Upload] = []
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                if part.name == "payload_json":
                    payload = json.loads(await part.text())
                else:
                    data = bytes(await part.read())
                    kind = part.headers.get("Content-Type", "application/octet-stream")
                    files.append(Upload(part.filename or part.name or "file", data, kind))
            return payload, files
        raw = await request.text()
        if not raw:
            return None, []
        try:
            return json.loads(raw), []
        except ValueError:
            return raw, []

    async def _http_handler(self, request: web.Request) -> web.StreamResponse:
        self._in_flight += 1
        try:
            return await self._handle_http(request)
        finally:
            self._in_flight -= 1
            self._notify()

    async def _handle_http(self, request: web.Request) -> web.StreamResponse:
        path = request.path[len(API_PREFIX) :]
        body, uploads = await self._read_body(request)
        record = RecordedRequest(
            index=-1,
            method=request.method,
            path=path,
            query=dict(request.query),
            json=body,
            headers=dict(request.headers),
            files=[u.filename for u in uploads],
            uploads=uploads,
            interaction_token=self._token_in(path),
        )
        headers: dict[str, str] = {}
        failure = next((f for f in self.failures if f.matches(request.method, path)), None)
        if failure is not None:
            failure.hits += 1
            status, answer, headers = failure.answer()
        else:
            try:
                status, answer = await self._dispatch_route(record)
            except DiscordError as error:
                status, answer = error.status, error.body()
        record.status, record.response = status, answer
        response = self._response(status, answer, headers)
        # The answer is on the wire before tests waiting for this record wake up.
        await response.prepare(request)
        await response.write_eof()
        record.index = len(self.requests)
        self.requests.append(record)
        return response

    @staticmethod
    def _response(status: int, body: Any, headers: Mapping[str, str]) -> web.Response:
        if body is None:
            return web.Response(status=status, headers=dict(headers))
        return web.Response(
            status=status,
            body=json.dumps(body).encode(),
            headers={**headers, "Content-Type": "application/json"},
        )

    def _token_in(self, path: str) -> str | None:
        match = re.match(r"^/(?:interactions/\d+|webhooks/\d+)/([^/]+)", path)
        if match is None:
            return None
        token = match.group(1)
        return token if token in self._interactions else None

    async def _dispatch_route(self, record: RecordedRequest) -> tuple[int, Any]:
        allowed_methods: set[str] = set()
        for method, regex, handler, auth in self._routes:
            match = regex.match(record.path)
            if match is None:
                continue
            allowed_methods.add(method)
            if method != record.method:
                continue
            if auth and record.header("Authorization") != f"Bot {self.token}":
                raise DiscordError(401, ERR_GENERAL, "401: Unauthorized")
            result = handler(record, match)
            if asyncio.iscoroutine(result):
                result = await result
            status, answer = result
            return int(status), answer
        if allowed_methods:
            raise DiscordError(405, ERR_GENERAL, "405: Method Not Allowed")
        raise DiscordError(404, ERR_GENERAL, "404: Not Found")

    # ---------------------------------------------------------------- REST: identity
    def _get_gateway(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        return 200, {"url": self.gateway_url}

    def _get_gateway_bot(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        return 200, {
            "url": self.gateway_url,
            "shards": self.shard_count,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14_400_000,
                "max_concurrency": 1,
            },
        }

    def _get_me(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        return 200, {
            **self.bot_user,
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
        }

    def _get_user(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        user = self.users.get(int(match["user_id"])) if match["user_id"].isdigit() else None
        if user is None:
            raise unknown_error(ERR_UNKNOWN_USER, "User")
        return 200, user

    def _get_application(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        return 200, {
            "id": str(self.application_id),
            "name": "interview-bot",
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "bot": self.bot_user,
            "owner": self.owner,
            "team": None,
            "verify_key": "0" * 64,
            "flags": self._application_flags(),
            "rpc_origins": [],
            "terms_of_service_url": None,
            "privacy_policy_url": None,
            "tags": [],
            "install_params": {
                "scopes": ["bot", "applications.commands"],
                "permissions": str(BOT_PERMISSIONS),
            },
            "custom_install_url": None,
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "redirect_uris": [],
            "approximate_guild_count": len(self.guilds),
            "integration_types_config": {"0": {}},
        }

    def _create_dm(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        body = record.json if isinstance(record.json, dict) else {}
        recipient = self.users.get(int(body.get("recipient_id") or 0))
        if recipient is None:
            raise unknown_error(ERR_UNKNOWN_USER, "User")
        return 200, self.dm_channel(recipient)

    # ---------------------------------------------------------------- REST: commands
    def _check_app(self, app_id: str) -> None:
        if app_id != str(self.application_id):
            raise DiscordError(403, ERR_MISSING_ACCESS, "Missing Access")

    def _get_commands(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        self._check_app(match["app_id"])
        gid = match.groupdict().get("guild_id")
        return 200, self.synced_commands.get(None if gid is None else int(gid), [])

    def _put_commands(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        self._check_app(match["app_id"])
        raw_gid = match.groupdict().get("guild_id")
        gid = None if raw_gid is None else int(raw_gid)
        if gid is not None and gid not in self.guilds:
            raise unknown_error(ERR_UNKNOWN_GUILD, "Guild")
        errors = FormErrors()
        validate_commands_payload(record.json, errors)
        errors.raise_if_any()
        stored: list[JSON] = []
        for command in record.json:
            kind = int(command.get("type") or COMMAND_CHAT_INPUT)
            key = (gid, command["name"], kind)
            cid = self._command_ids.setdefault(key, self.new_snowflake())
            full: JSON = {
                "type": kind,
                "description": "",
                "options": [],
                "default_member_permissions": None,
                "nsfw": False,
                "contexts": None,
                "integration_types": [0],
                "name_localizations": None,
                "description_localizations": None,
                **command,
                "id": str(cid),
                "application_id": str(self.application_id),
                "version": str(self.new_snowflake()),
            }
            if full["default_member_permissions"] is not None:
                full["default_member_permissions"] = str(full["default_member_permissions"])
            if gid is not None:
                full["guild_id"] = str(gid)
            stored.append(full)
        self.synced_commands[gid] = stored
        return 200, stored

    # ---------------------------------------------------------------- messages
    def _resolve_mentions(
        self, content: str, allowed: Any, guild_id: int | None
    ) -> tuple[bool, list[JSON], list[str]]:
        parse: list[str]
        if isinstance(allowed, dict):
            parse = list(allowed.get("parse") or [])
            allowed_users = {str(u) for u in allowed.get("users") or []}
            allowed_roles = {str(r) for r in allowed.get("roles") or []}
        else:
            parse, allowed_users, allowed_roles = ["users", "roles", "everyone"], set(), set()
        everyone = "everyone" in parse and any(m in content for m in EVERYONE_MENTIONS)
        mentions: list[JSON] = []
        for raw_id in dict.fromkeys(MENTION_USER_RE.findall(content)):
            user = self.users.get(int(raw_id))
            if user is not None and ("users" in parse or raw_id in allowed_users):
                mentions.append(user)
        roles: list[str] = []
        guild = self.guilds.get(guild_id) if guild_id is not None else None
        for raw_id in dict.fromkeys(MENTION_ROLE_RE.findall(content)):
            known = guild is not None and int(raw_id) in guild.roles
            if known and ("roles" in parse or raw_id in allowed_roles):
                roles.append(raw_id)
        return everyone, mentions, roles

    def _build_message(
        self,
        channel: JSON,
        body: JSON,
        *,
        author: JSON,
        files: Sequence[str] = (),
        message_type: int = MESSAGE_DEFAULT,
        flags: int = 0,
        interaction: InteractionState | None = None,
    ) -> JSON:
        mid = self.new_snowflake()
        guild_id = int(channel["guild_id"]) if "guild_id" in channel else None
        content = str(body.get("content") or "")
        everyone, mentions, roles = self._resolve_mentions(
            content, body.get("allowed_mentions"), guild_id
        )
        reference = body.get("message_reference")
        message: JSON = {
            "id": str(mid),
            "channel_id": channel["id"],
            "author": author,
            "content": content,
            "timestamp": iso_timestamp(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": everyone,
            "mentions": mentions,
            "mention_roles": roles,
            "attachments": [self._attachment(name) for name in files],
            "embeds": [{"type": "rich", **e} for e in body.get("embeds") or []],
            "reactions": [],
            "pinned": False,
            "type": MESSAGE_REPLY if reference else message_type,
            "flags": int(body.get("flags") or 0) | flags,
            "components": body.get("components") or [],
        }
        if guild_id is not None:
            message["guild_id"] = str(guild_id)
        if reference:
            message["message_reference"] = {
                "type": 0,
                "message_id": str(reference.get("message_id")),
                "channel_id": str(reference.get("channel_id") or channel["id"]),
                **({"guild_id": str(guild_id)} if guild_id is not None else {}),
            }
        if interaction is not None:
            message["webhook_id"] = str(self.application_id)
            message["application_id"] = str(self.application_id)
            metadata: JSON = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": self.users[interaction.user_id],
                "authorizing_integration_owners": interaction.payload[
                    "authorizing_integration_owners"
                ],
            }
            if interaction.type == INTERACTION_COMMAND:
                metadata["name"] = interaction.payload["data"]["name"]
            if interaction.source_message_id is not None:
                metadata["interacted_message_id"] = str(interaction.source_message_id)
            message["interaction_metadata"] = metadata
        return message

    def _attachment(self, filename: str) -> JSON:
        aid = self.new_snowflake()
        url = f"{self.url}/attachments/{aid}/{filename}"
        return {"id": str(aid), "filename": filename, "size": 0, "url": url, "proxy_url": url}

    async def _store_message(self, message: JSON) -> None:
        mid, cid = int(message["id"]), int(message["channel_id"])
        self.messages[mid] = message
        if int(message["flags"]) & FLAG_EPHEMERAL:
            return
        channel = self.channels.get(cid)
        if channel is not None:
            channel["last_message_id"] = message["id"]
            if channel["type"] in THREAD_TYPES:
                channel["message_count"] += 1
                channel["total_message_sent"] += 1
        if self.echo_bot_messages:
            await self._deliver_message("MESSAGE_CREATE", message)

    async def _message_updated(self, message: JSON) -> None:
        message["edited_timestamp"] = iso_timestamp()
        if self.echo_bot_messages and not int(message["flags"]) & FLAG_EPHEMERAL:
            await self._deliver_message("MESSAGE_UPDATE", message)

    async def _deliver_message(self, event: str, message: JSON) -> None:
        """Dispatches a message event as Discord would: intents and content gating."""
        guild_id = int(message["guild_id"]) if "guild_id" in message else None
        try:
            session = self._session_for(guild_id)
        except RuntimeError:
            return
        needed = INTENT_GUILD_MESSAGES if guild_id is not None else INTENT_DIRECT_MESSAGES
        if not session.intents & needed:
            return
        data = dict(message)
        bot_id = str(self.application_id)
        is_own = message["author"]["id"] == bot_id
        mentioned = any(u["id"] == bot_id for u in message["mentions"])
        gated = guild_id is not None and not session.intents & INTENT_MESSAGE_CONTENT
        if gated and not (is_own or mentioned):
            data.update(content="", embeds=[], attachments=[], components=[])
        if guild_id is not None and "webhook_id" not in message:
            member = self.guilds[guild_id].members.get(int(message["author"]["id"]))
            if member is not None:
                data["member"] = {k: v for k, v in member.items() if k != "user"}
        await self._dispatch(session, event, data)

    def _channel(self, raw_id: str) -> JSON:
        channel = self.channels.get(int(raw_id)) if raw_id.isdigit() else None
        if channel is None:
            raise unknown_error(ERR_UNKNOWN_CHANNEL, "Channel")
        return channel

    def _channel_message_or_404(self, channel: JSON, raw_id: str) -> JSON:
        message = self.messages.get(int(raw_id)) if raw_id.isdigit() else None
        if (
            message is None
            or message["channel_id"] != channel["id"]
            or int(message["flags"]) & FLAG_EPHEMERAL
        ):
            raise unknown_error(ERR_UNKNOWN_MESSAGE, "Message")
        return message

    @staticmethod
    def _validated_body(record: RecordedRequest, path: tuple[str | int, ...] = ()) -> JSON:
        body = record.json if isinstance(record.json, dict) else {}
        errors = FormErrors()
        validate_message_payload(body, errors, path)
        errors.raise_if_any()
        return body

    def _check_writable(self, channel: JSON) -> None:
        if channel["type"] not in MESSAGEABLE_TYPES:
            raise DiscordError(
                400, ERR_WRONG_CHANNEL_TYPE, "Cannot execute action on this channel type"
            )
        meta = channel.get("thread_metadata")
        if meta is not None and meta["archived"]:
            if meta["locked"]:
                raise DiscordError(400, ERR_THREAD_LOCKED, "Thread is locked")
            meta["archived"] = False

    async def _post_message(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        channel = self._channel(match["channel_id"])
        body = self._validated_body(record)
        if is_empty_message(body, record.files):
            raise empty_message_error()
        self._check_writable(channel)
        if channel["type"] == CHANNEL_DM and int(channel["recipients"][0]["id"]) in self.dms_closed:
            # the DM channel opens, but nothing can be sent there
            raise DiscordError(403, ERR_CANNOT_MESSAGE_USER, "Cannot send messages to this user")
        message = self._build_message(channel, body, author=self.bot_user, files=record.files)
        await self._store_message(message)
        return 200, message

    async def _channel_message(
        self, record: RecordedRequest, match: re.Match[str]
    ) -> tuple[int, Any]:
        channel = self._channel(match["channel_id"])
        message = self._channel_message_or_404(channel, match["message_id"])
        if record.method == "GET":
            return 200, message
        if record.method == "DELETE":
            await self._delete_message(message)
            return 204, None
        if message["author"]["id"] != self.bot_user["id"]:
            raise DiscordError(
                403, ERR_CANNOT_EDIT_OTHERS, "Cannot edit a message authored by another user"
            )
        await self._edit_message(message, self._validated_body(record), record.files)
        return 200, message

    async def _edit_message(self, message: JSON, body: JSON, files: Sequence[str] = ()) -> None:
        updated = dict(message)
        for key in ("content", "embeds", "components"):
            if key in body:
                updated[key] = (
                    body[key] if body[key] is not None else ([] if key != "content" else "")
                )
        if "embeds" in body:
            updated["embeds"] = [{"type": "rich", **e} for e in updated["embeds"]]
        if "flags" in body and body["flags"] is not None:
            kept = int(message["flags"]) & (FLAG_EPHEMERAL | FLAG_HAS_THREAD)
            updated["flags"] = (int(body["flags"]) & ~FLAG_EPHEMERAL) | kept
        updated["flags"] = int(updated["flags"]) & ~FLAG_LOADING
        if "attachments" in body or files:
            keep = {str(a.get("id")) for a in body.get("attachments") or []}
            still = [a for a in message["attachments"] if a["id"] in keep]
            updated["attachments"] = still + [self._attachment(name) for name in files]
        errors = FormErrors()
        validate_message_payload(updated, errors)
        errors.raise_if_any()
        if is_empty_message(updated):
            raise empty_message_error()
        if "content" in body or "allowed_mentions" in body:
            guild_id = int(message["guild_id"]) if "guild_id" in message else None
            everyone, mentions, roles = self._resolve_mentions(
                updated["content"], body.get("allowed_mentions"), guild_id
            )
            updated.update(mention_everyone=everyone, mentions=mentions, mention_roles=roles)
        message.clear()
        message.update(updated)
        await self._message_updated(message)

    async def _delete_message(self, message: JSON) -> None:
        self.messages.pop(int(message["id"]), None)
        if self.echo_bot_messages and not int(message["flags"]) & FLAG_EPHEMERAL:
            data: JSON = {"id": message["id"], "channel_id": message["channel_id"]}
            guild_id = message.get("guild_id")
            if guild_id is not None:
                data["guild_id"] = guild_id
            with contextlib.suppress(RuntimeError):
                session = self._session_for(None if guild_id is None else int(guild_id))
                await self._dispatch(session, "MESSAGE_DELETE", data)

    def _history(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        channel = self._channel(match["channel_id"])
        limit = min(int(record.query.get("limit", DEFAULT_HISTORY_LIMIT)), MAX_HISTORY_LIMIT)
        found = self.channel_messages(int(channel["id"]))
        before, after = record.query.get("before"), record.query.get("after")
        if before is not None:
            found = [m for m in found if int(m["id"]) < int(before)]
        if after is not None:
            found = [m for m in found if int(m["id"]) > int(after)]
        if after is not None and before is None:  # the page right after ``after``, newest first
            return 200, list(reversed(found[:limit]))
        return 200, list(reversed(found))[:limit]

    def _typing(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        self._channel(match["channel_id"])
        return 204, None

    def _reaction(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        channel = self._channel(match["channel_id"])
        self._channel_message_or_404(channel, match["message_id"])
        return 204, None

    # ---------------------------------------------------------------- channels and threads
    def _get_channel(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        return 200, self._channel(match["channel_id"])

    async def _patch_channel(
        self, record: RecordedRequest, match: re.Match[str]
    ) -> tuple[int, Any]:
        channel = self._channel(match["channel_id"])
        body = record.json if isinstance(record.json, dict) else {}
        errors = FormErrors()
        if "name" in body:
            errors.length_between(("name",), body["name"], 1, MAX_THREAD_NAME)
        errors.raise_if_any()
        meta = channel.get("thread_metadata")
        for key in ("name", "topic", "rate_limit_per_user", "nsfw"):
            if key in body:
                channel[key] = body[key]
        if meta is not None:
            for key in ("archived", "locked", "auto_archive_duration", "invitable"):
                if key in body:
                    meta[key] = body[key]
            if "archived" in body:
                meta["archive_timestamp"] = iso_timestamp()
        event = "THREAD_UPDATE" if meta is not None else "CHANNEL_UPDATE"
        await self._deliver_guild_event(event, channel)
        return 200, channel

    async def _delete_channel(
        self, record: RecordedRequest, match: re.Match[str]
    ) -> tuple[int, Any]:
        """Delete a thread (the bot needs Manage Threads, as on Discord) with its messages."""
        channel = self._channel(match["channel_id"])
        if channel["type"] not in THREAD_TYPES:
            raise DiscordError(403, ERR_MISSING_PERMISSIONS, "Missing Permissions")
        held = self.member_permissions(self.bot_user, int(channel["guild_id"]))
        if not held & PERM_MANAGE_THREADS:
            raise DiscordError(403, ERR_MISSING_PERMISSIONS, "Missing Permissions")
        cid = int(channel["id"])
        del self.channels[cid]
        self.thread_members.pop(cid, None)
        for mid in [m for m, message in self.messages.items() if int(message["channel_id"]) == cid]:
            del self.messages[mid]
        data = {k: channel[k] for k in ("id", "guild_id", "parent_id", "type")}
        await self._deliver_guild_event("THREAD_DELETE", data)
        return 200, channel

    async def _deliver_guild_event(self, event: str, data: JSON) -> None:
        guild_id = data.get("guild_id")
        if guild_id is None:
            return
        try:
            session = self._session_for(int(guild_id))
        except RuntimeError:
            return
        if session.intents & INTENT_GUILDS:
            await self._dispatch(session, event, data)

    async def _create_thread(
        self, record: RecordedRequest, match: re.Match[str]
    ) -> tuple[int, Any]:
        parent = self._channel(match["channel_id"])
        body = record.json if isinstance(record.json, dict) else {}
        errors = FormErrors()
        errors.length_between(("name",), body.get("name"), 1, MAX_THREAD_NAME)
        duration = body.get("auto_archive_duration", DEFAULT_ARCHIVE_DURATION)
        if duration not in THREAD_ARCHIVE_DURATIONS:
            errors.add(
                ("auto_archive_duration",),
                "BASE_TYPE_CHOICES",
                "Value must be one of (60, 1440, 4320, 10080).",
            )
        errors.raise_if_any()
        if parent["type"] not in THREAD_PARENT_TYPES:
            raise DiscordError(
                400, ERR_WRONG_CHANNEL_TYPE, "Cannot execute action on this channel type"
            )
        source: JSON | None = None
        if match.groupdict().get("message_id") is not None:
            source = self._channel_message_or_404(parent, match["message_id"])
            if "thread" in source:
                raise DiscordError(
                    400,
                    ERR_THREAD_ALREADY_CREATED,
                    "A thread has already been created for this message",
                )
            tid = int(source["id"])
            default_type = (
                CHANNEL_ANNOUNCEMENT_THREAD
                if parent["type"] == CHANNEL_GUILD_ANNOUNCEMENT
                else CHANNEL_PUBLIC_THREAD
            )
            kind = default_type
        else:
            tid = self.new_snowflake()
            kind = int(body.get("type") or CHANNEL_PRIVATE_THREAD)
        now = iso_timestamp()
        meta: JSON = {
            "archived": False,
            "auto_archive_duration": duration,
            "archive_timestamp": now,
            "locked": False,
            "create_timestamp": now,
        }
        if kind == CHANNEL_PRIVATE_THREAD:
            meta["invitable"] = bool(body.get("invitable", True))
        thread: JSON = {
            "id": str(tid),
            "type": kind,
            "guild_id": parent["guild_id"],
            "parent_id": parent["id"],
            "owner_id": self.bot_user["id"],
            "name": body["name"],
            "last_message_id": None,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": int(body.get("rate_limit_per_user") or 0),
            "flags": 0,
            "total_message_sent": 0,
            "applied_tags": [],
            "thread_metadata": meta,
        }
        self.channels[tid] = thread
        self.thread_members[tid] = {as_int(self.bot_user)}
        if source is not None:
            source["thread"] = thread
            source["flags"] = int(source["flags"]) | FLAG_HAS_THREAD
        await self._deliver_guild_event("THREAD_CREATE", {**thread, "newly_created": True})
        return 201, thread

    def _thread_member(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        thread = self._channel(match["channel_id"])
        if thread["type"] not in THREAD_TYPES:
            raise DiscordError(
                400, ERR_WRONG_CHANNEL_TYPE, "Cannot execute action on this channel type"
            )
        raw_uid = match["user_id"]
        uid = as_int(self.bot_user) if raw_uid == "@me" else int(raw_uid)
        guild = self.guilds[int(thread["guild_id"])]
        if uid not in guild.members:
            raise unknown_error(ERR_UNKNOWN_MEMBER, "Member")
        members = self.thread_members.setdefault(int(thread["id"]), set())
        if record.method == "PUT":
            members.add(uid)
        else:
            members.discard(uid)
        thread["member_count"] = len(members)
        return 204, None

    # ---------------------------------------------------------------- guilds
    def _guild(self, raw_id: str) -> FakeGuild:
        guild = self.guilds.get(int(raw_id)) if raw_id.isdigit() else None
        if guild is None:
            raise unknown_error(ERR_UNKNOWN_GUILD, "Guild")
        return guild

    def _get_guild(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        guild = self._guild(match["guild_id"])
        payload = self._guild_create_payload(guild, 0)
        for key in ("members", "channels", "threads", "presences", "voice_states", "joined_at"):
            payload.pop(key, None)
        return 200, payload

    def _get_guild_channels(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        guild = self._guild(match["guild_id"])
        return 200, [self.channels[c] for c in guild.channel_ids]

    def _get_guild_roles(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        return 200, list(self._guild(match["guild_id"]).roles.values())

    def _get_guild_member(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        guild = self._guild(match["guild_id"])
        member = guild.members.get(int(match["user_id"])) if match["user_id"].isdigit() else None
        if member is None:
            raise unknown_error(ERR_UNKNOWN_MEMBER, "Member")
        return 200, member

    # ---------------------------------------------------------------- interactions: REST side
    def _interaction_or_404(self, token: str, code: int, what: str) -> InteractionState:
        state = self._interactions.get(token)
        if state is None:
            raise unknown_error(code, what)
        return state

    async def _callback(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        state = self._interaction_or_404(match["token"], ERR_UNKNOWN_INTERACTION, "interaction")
        if str(state.id) != match["interaction_id"]:
            raise unknown_error(ERR_UNKNOWN_INTERACTION, "interaction")
        if state.callback_type is not None:
            raise DiscordError(
                400, ERR_ALREADY_ACKNOWLEDGED, "Interaction has already been acknowledged."
            )
        loop_now = asyncio.get_running_loop().time()
        if (
            self.interaction_deadline is not None
            and loop_now - state.dispatched_at > self.interaction_deadline
        ):
            raise unknown_error(ERR_UNKNOWN_INTERACTION, "interaction")
        body = record.json if isinstance(record.json, dict) else {}
        raw_kind = body.get("type")
        kind = raw_kind if isinstance(raw_kind, int) else -1
        if kind not in ALLOWED_CALLBACKS.get(state.type, frozenset()):
            errors = FormErrors()
            errors.add(
                ("type",), "INTERACTION_RESPONSE_TYPE_INVALID", f"Invalid response type {raw_kind}"
            )
            errors.raise_if_any()
        raw_data = body.get("data")
        data: JSON = raw_data if isinstance(raw_data, dict) else {}
        errors = FormErrors()
        message: JSON | None = None
        if kind in (CALLBACK_MESSAGE, CALLBACK_UPDATE_MESSAGE):
            validate_message_payload(data, errors, ("data",))
        elif kind == CALLBACK_AUTOCOMPLETE:
            validate_autocomplete_payload(data, errors, ("data",))
        elif kind == CALLBACK_MODAL:
            validate_modal_payload(data, errors, ("data",))
        errors.raise_if_any()
        if kind == CALLBACK_MESSAGE and is_empty_message(data, record.files):
            raise empty_message_error()
        channel = self._interaction_channel(state)
        if kind == CALLBACK_MESSAGE:
            message = self._build_message(
                channel,
                data,
                author=self.bot_user,
                files=record.files,
                message_type=self._response_message_type(state),
                interaction=state,
            )
            state.original_message_id = int(message["id"])
            state.message_ids.append(int(message["id"]))
            await self._store_message(message)
        elif kind == CALLBACK_DEFERRED_MESSAGE:
            flags = FLAG_LOADING | (int(data.get("flags") or 0) & FLAG_EPHEMERAL)
            message = self._build_message(
                channel,
                {},
                author=self.bot_user,
                message_type=self._response_message_type(state),
                flags=flags,
                interaction=state,
            )
            state.original_message_id = int(message["id"])
            state.message_ids.append(int(message["id"]))
            await self._store_message(message)
        elif kind in (CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE_MESSAGE):
            if state.source_message_id is None or state.source_message_id not in self.messages:
                raise unknown_error(ERR_UNKNOWN_MESSAGE, "Message")
            if kind == CALLBACK_UPDATE_MESSAGE:
                message = self.messages[state.source_message_id]
                await self._edit_message(message, data, record.files)
            state.original_message_id = state.source_message_id
            if state.source_message_id not in state.message_ids:
                state.message_ids.append(state.source_message_id)
        elif kind == CALLBACK_MODAL:
            state.modal = data
        state.callback_type = kind
        if record.query.get("with_response", "").lower() not in ("1", "true"):
            return 204, None
        interaction: JSON = {"id": str(state.id), "type": state.type}
        answer: JSON = {"interaction": interaction}
        if message is not None:
            flags = int(message["flags"])
            interaction.update(
                response_message_id=message["id"],
                response_message_loading=bool(flags & FLAG_LOADING),
                response_message_ephemeral=bool(flags & FLAG_EPHEMERAL),
            )
            answer["resource"] = {"type": kind, "message": message}
        return 200, answer

    @staticmethod
    def _response_message_type(state: InteractionState) -> int:
        return MESSAGE_CHAT_INPUT_COMMAND if state.type == INTERACTION_COMMAND else MESSAGE_DEFAULT

    def _interaction_channel(self, state: InteractionState) -> JSON:
        return self.channels[state.channel_id]

    def _webhook_state(self, match: re.Match[str]) -> InteractionState:
        state = self._interaction_or_404(match["token"], ERR_UNKNOWN_WEBHOOK, "Webhook")
        if match["app_id"] != str(self.application_id) or state.callback_type is None:
            raise unknown_error(ERR_UNKNOWN_WEBHOOK, "Webhook")
        age = asyncio.get_running_loop().time() - state.dispatched_at
        if age > INTERACTION_TOKEN_LIFETIME_S:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        return state

    async def _followup(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        state = self._webhook_state(match)
        body = self._validated_body(record)
        if is_empty_message(body, record.files):
            raise empty_message_error()
        original = (
            self.messages.get(state.original_message_id)
            if state.original_message_id is not None
            else None
        )
        if (
            state.callback_type == CALLBACK_DEFERRED_MESSAGE
            and original is not None
            and int(original["flags"]) & FLAG_LOADING
        ):
            # Discord turns the first followup after a deferral into the deferred message.
            await self._edit_message(original, body, record.files)
            message = original
        else:
            message = self._build_message(
                self._interaction_channel(state),
                body,
                author=self.bot_user,
                files=record.files,
                message_type=self._response_message_type(state),
                interaction=state,
            )
            if state.original_message_id is not None:
                message["interaction_metadata"]["original_response_message_id"] = str(
                    state.original_message_id
                )
            state.message_ids.append(int(message["id"]))
            await self._store_message(message)
        if record.query.get("wait", "").lower() in ("1", "true"):
            return 200, message
        return 204, None

    async def _webhook_message(
        self, record: RecordedRequest, match: re.Match[str]
    ) -> tuple[int, Any]:
        state = self._webhook_state(match)
        raw_id = match["message_id"]
        mid = (
            state.original_message_id
            if raw_id == "@original"
            else int(raw_id)
            if raw_id.isdigit()
            else None
        )
        if mid is None or mid not in state.message_ids or mid not in self.messages:
            raise unknown_error(ERR_UNKNOWN_MESSAGE, "Message")
        message = self.messages[mid]
        if record.method == "GET":
            return 200, message
        if record.method == "DELETE":
            await self._delete_message(message)
            return 204, None
        body = self._validated_body(record)
        await self._edit_message(message, body, record.files)
        return 200, message
