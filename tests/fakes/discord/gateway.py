"""The fake Discord's gateway websocket: HELLO and heartbeats, IDENTIFY (token, intents and
shard checks), READY and GUILD_CREATE, RESUME with replay, RECONNECT and INVALID_SESSION, and
dispatches routed to the session of the shard that owns a guild."""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass, field
from typing import Any, Final

from aiohttp import WSMsgType, web

from tests.fakes.discord.payloads import (
    API_VERSION,
    APP_FLAG_COMMAND_BADGE,
    APP_FLAG_MEMBERS_LIMITED,
    APP_FLAG_MESSAGE_CONTENT_LIMITED,
    APP_FLAG_PRESENCE_LIMITED,
    CLOSE_AUTHENTICATION_FAILED,
    CLOSE_DISALLOWED_INTENTS,
    CLOSE_INVALID_INTENTS,
    CLOSE_INVALID_SHARD,
    GATEWAY_PATH,
    HEARTBEAT_INTERVAL_MS,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_PRESENCES,
    INTENT_GUILDS,
    INTENT_MESSAGE_CONTENT,
    JSON,
    OP_DISPATCH,
    OP_HEARTBEAT,
    OP_HEARTBEAT_ACK,
    OP_HELLO,
    OP_IDENTIFY,
    OP_INVALID_SESSION,
    OP_RECONNECT,
    OP_RESUME,
    PRIVILEGED_INTENTS,
    SNOWFLAKE_TIMESTAMP_SHIFT,
    as_int,
    iso_timestamp,
)
from tests.fakes.discord.scene import FakeGuild, Scene

EVENT_BUFFER_SIZE: Final = 1_000


@dataclass
class GatewayFrame:
    """One gateway frame, as sent by the fake (``out``) or received from a client (``in``)."""

    direction: str
    session_id: str | None
    shard_id: int | None
    op: int | None
    event: str | None
    data: Any
    seq: int | None = None


@dataclass(eq=False)
class _Connection:
    ws: web.WebSocketResponse
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, frame: JSON) -> None:
        """Sends one JSON text frame unless the socket is closed."""
        async with self.lock:
            if not self.ws.closed:
                await self.ws.send_str(json.dumps(frame))


@dataclass(eq=False)
class _Session:
    session_id: str
    shard_id: int
    shard_count: int
    sharded: bool
    intents: int
    connection: _Connection | None = None
    seq: int = 0
    buffer: list[JSON] = field(default_factory=list)
    ready: bool = False
    invalidated: bool = False


class Gateway(Scene):
    """The scene plus the gateway: sessions, their event buffers and the frames exchanged."""

    def __init__(self, *, token: str, privileged_intents: int) -> None:
        super().__init__()
        self.token = token
        self.privileged_intents = privileged_intents
        self.gateway_frames: list[GatewayFrame] = []
        self._sessions: dict[str, _Session] = {}
        self._connections: set[_Connection] = set()
        self.port = 0  # bound by the server's start(); the gateway URL names it

    @property
    def gateway_url(self) -> str:
        """The value for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``."""
        return f"ws://127.0.0.1:{self.port}{GATEWAY_PATH}"

    @property
    def identifies(self) -> list[GatewayFrame]:
        """IDENTIFY frames received from clients."""
        return [f for f in self.gateway_frames if f.direction == "in" and f.op == OP_IDENTIFY]

    @property
    def resumes(self) -> list[GatewayFrame]:
        """RESUME frames received from clients."""
        return [f for f in self.gateway_frames if f.direction == "in" and f.op == OP_RESUME]

    async def _gateway_handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        connection = _Connection(ws)
        self._connections.add(connection)
        session: _Session | None = None
        await self._send_frame(
            connection,
            None,
            {
                "op": OP_HELLO,
                "d": {
                    "heartbeat_interval": HEARTBEAT_INTERVAL_MS,
                    "_trace": ["fake-discord-gateway"],
                },
            },
        )
        try:
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(message.data)
                op, data = frame.get("op"), frame.get("d")
                self._log_frame("in", session, frame)
                if op == OP_HEARTBEAT:
                    await self._send_frame(connection, session, {"op": OP_HEARTBEAT_ACK})
                elif op == OP_IDENTIFY:
                    session = await self._identify(connection, data)
                elif op == OP_RESUME:
                    session = await self._resume(connection, data)
        finally:
            if session is not None and session.connection is connection:
                session.connection = None
            self._connections.discard(connection)
            self._notify()
        return ws

    def _log_frame(self, direction: str, session: _Session | None, frame: JSON) -> None:
        self.gateway_frames.append(
            GatewayFrame(
                direction=direction,
                session_id=None if session is None else session.session_id,
                shard_id=None if session is None else session.shard_id,
                op=frame.get("op"),
                event=frame.get("t"),
                data=frame.get("d"),
                seq=frame.get("s"),
            )
        )
        self._notify()

    async def _send_frame(
        self, connection: _Connection, session: _Session | None, frame: JSON
    ) -> None:
        self._log_frame("out", session, frame)
        await connection.send(frame)

    async def _identify(self, connection: _Connection, data: Any) -> _Session | None:
        if not isinstance(data, dict) or data.get("token") != self.token:
            await connection.ws.close(
                code=CLOSE_AUTHENTICATION_FAILED, message=b"Authentication failed."
            )
            return None
        intents = data.get("intents")
        if not isinstance(intents, int):
            await connection.ws.close(code=CLOSE_INVALID_INTENTS, message=b"Invalid intent(s).")
            return None
        if intents & PRIVILEGED_INTENTS & ~self.privileged_intents:
            await connection.ws.close(
                code=CLOSE_DISALLOWED_INTENTS, message=b"Disallowed intent(s)."
            )
            return None
        shard = data.get("shard")
        shard_id, shard_count = (0, 1) if shard is None else (int(shard[0]), int(shard[1]))
        if shard_count < 1 or not 0 <= shard_id < shard_count:
            await connection.ws.close(code=CLOSE_INVALID_SHARD, message=b"Invalid shard.")
            return None
        session = _Session(
            session_id=secrets.token_hex(16),
            shard_id=shard_id,
            shard_count=shard_count,
            sharded=shard is not None,
            intents=intents,
            connection=connection,
        )
        self._sessions[session.session_id] = session
        guilds = [g for g in self.guilds.values() if self._shard_of(g.id, shard_count) == shard_id]
        ready: JSON = {
            "v": API_VERSION,
            "user": {**self.bot_user, "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": self._application_flags()},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "_trace": ["fake-discord-gateway"],
        }
        if session.sharded:
            ready["shard"] = [shard_id, shard_count]
        await self._dispatch(session, "READY", ready)
        if intents & INTENT_GUILDS:
            for guild in guilds:
                await self._dispatch(
                    session, "GUILD_CREATE", self._guild_create_payload(guild, intents)
                )
        session.ready = True
        self._notify()
        return session

    async def _resume(self, connection: _Connection, data: Any) -> _Session | None:
        session = self._sessions.get(str((data or {}).get("session_id")))
        if session is None or session.invalidated or (data or {}).get("token") != self.token:
            await self._send_frame(connection, None, {"op": OP_INVALID_SESSION, "d": False})
            return None
        session.connection = connection
        last_seen = int((data or {}).get("seq") or 0)
        for frame in session.buffer:
            if int(frame["s"]) > last_seen:
                await self._send_frame(connection, session, frame)
        await self._dispatch(session, "RESUMED", {"_trace": ["fake-discord-gateway"]})
        return session

    async def _dispatch(self, session: _Session, event: str, data: JSON) -> None:
        session.seq += 1
        frame: JSON = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data}
        session.buffer.append(frame)
        del session.buffer[:-EVENT_BUFFER_SIZE]
        self._log_frame("out", session, frame)
        if session.connection is not None:
            await session.connection.send(frame)

    @staticmethod
    def _shard_of(guild_id: int, shard_count: int) -> int:
        return (guild_id >> SNOWFLAKE_TIMESTAMP_SHIFT) % shard_count

    def _live_session(self, shard_id: int) -> _Session | None:
        live = [
            s
            for s in self._sessions.values()
            if s.ready and not s.invalidated and s.connection is not None and s.shard_id == shard_id
        ]
        return live[-1] if live else None

    def _session_for(self, guild_id: int | None) -> _Session:
        sessions = [s for s in self._sessions.values() if s.ready and not s.invalidated]
        if not sessions:
            raise RuntimeError("fake Discord: no client has identified on the gateway yet")
        latest = sessions[-1]
        shard_id = 0 if guild_id is None else self._shard_of(guild_id, latest.shard_count)
        matching = [s for s in sessions if s.shard_id == shard_id]
        if not matching:
            raise RuntimeError(f"fake Discord: no gateway session for shard {shard_id}")
        return matching[-1]

    async def request_reconnect(self, shard_id: int | None = None) -> None:
        """Sends op 7 RECONNECT; discord.py reconnects and RESUMEs (see :attr:`resumes`)."""
        for session in list(self._sessions.values()):
            if session.connection is not None and shard_id in (None, session.shard_id):
                await self._send_frame(session.connection, session, {"op": OP_RECONNECT, "d": None})

    async def invalidate_sessions(self) -> None:
        """Sends op 9 (not resumable) to every session; clients IDENTIFY again."""
        for session in list(self._sessions.values()):
            session.invalidated = True
            if session.connection is not None:
                await self._send_frame(
                    session.connection, session, {"op": OP_INVALID_SESSION, "d": False}
                )

    def _application_flags(self) -> int:
        flags = APP_FLAG_COMMAND_BADGE
        if self.privileged_intents & INTENT_GUILD_PRESENCES:
            flags |= APP_FLAG_PRESENCE_LIMITED
        if self.privileged_intents & INTENT_GUILD_MEMBERS:
            flags |= APP_FLAG_MEMBERS_LIMITED
        if self.privileged_intents & INTENT_MESSAGE_CONTENT:
            flags |= APP_FLAG_MESSAGE_CONTENT_LIMITED
        return flags

    def _guild_create_payload(self, guild: FakeGuild, intents: int) -> JSON:
        bot_id = as_int(self.bot_user)
        members = [
            m for uid, m in guild.members.items() if uid == bot_id or intents & INTENT_GUILD_MEMBERS
        ]
        channels = [
            {k: v for k, v in self.channels[c].items() if k != "guild_id"}
            for c in guild.channel_ids
        ]
        threads = [
            t
            for t in self.threads()
            if int(t["guild_id"]) == guild.id and not t["thread_metadata"]["archived"]
        ]
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": list(guild.roles.values()),
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_members": 500_000,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": iso_timestamp(),
            "large": False,
            "unavailable": False,
            "member_count": len(guild.members),
            "voice_states": [],
            "members": members,
            "channels": channels,
            "threads": threads,
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "lazy": True,
        }
