"""The world the fake Discord serves: users, guilds with roles and members, channels, threads
and messages, with Discord's snowflakes and permission rules."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from tests.fakes.discord.payloads import (
    ALL_PERMISSIONS,
    BOT_PERMISSIONS,
    CHANNEL_DM,
    CHANNEL_GUILD_TEXT,
    CHANNEL_PRIVATE_THREAD,
    DISCORD_EPOCH_MS,
    FLAG_EPHEMERAL,
    JSON,
    MEMBER_PERMISSIONS,
    PERM_ADMINISTRATOR,
    PERM_MANAGE_GUILD,
    PERM_MANAGE_THREADS,
    SNOWFLAKE_TIMESTAMP_SHIFT,
    THREAD_TYPES,
    as_int,
    iso_timestamp,
)


@dataclass
class FakeGuild:
    """A guild the fake serves: roles, channel ids and members (user id -> member payload)."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, JSON] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    members: dict[int, JSON] = field(default_factory=dict)


class Scene:
    """Users, guilds, channels, threads and messages, starting as the default scene described
    on :class:`tests.fakes.discord.FakeDiscord`."""

    def __init__(self) -> None:
        self.users: dict[int, JSON] = {}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, JSON] = {}
        self.messages: dict[int, JSON] = {}
        self.thread_members: dict[int, set[int]] = {}
        self._last_snowflake = 0
        self._changed = asyncio.Event()

        self.application_id = self.new_snowflake()
        self.bot_user = self._make_user("interview-bot", bot=True, user_id=self.application_id)
        self.owner = self._make_user("owner")
        self.user = self._make_user("alice")
        self.admin = self._make_user("admin")
        guild = self.add_guild("Fake Guild", owner_id=as_int(self.owner))
        self.guild_id = guild.id
        self.channel_id = next(iter(guild.channel_ids))
        self.daily_channel_id = int(self.add_text_channel("daily", guild_id=guild.id)["id"])
        manager_role = self.add_role("Server Manager", MEMBER_PERMISSIONS | PERM_MANAGE_GUILD)
        self.manager_role_id = int(manager_role["id"])
        self.add_member(self.owner)
        self.add_member(self.user)
        self.add_member(self.admin, roles=[self.manager_role_id])

    # ---------------------------------------------------------------- scene building
    def new_snowflake(self, *, shard: tuple[int, int] | None = None) -> int:
        """A fresh, increasing snowflake; with ``shard=(id, count)`` one that routes to it."""
        now_ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        candidate = max(now_ms << SNOWFLAKE_TIMESTAMP_SHIFT, self._last_snowflake + 1)
        if shard is not None:
            shard_id, count = shard
            stamp = candidate >> SNOWFLAKE_TIMESTAMP_SHIFT
            while stamp % count != shard_id:
                stamp += 1
            candidate = max(candidate, stamp << SNOWFLAKE_TIMESTAMP_SHIFT)
        self._last_snowflake = candidate
        return candidate

    def _make_user(self, username: str, *, bot: bool = False, user_id: int | None = None) -> JSON:
        uid = self.new_snowflake() if user_id is None else user_id
        user: JSON = {
            "id": str(uid),
            "username": username,
            "discriminator": "0",
            "global_name": None if bot else username.capitalize(),
            "avatar": None,
            "bot": bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }
        self.users[uid] = user
        return user

    def add_guild(
        self, name: str, *, owner_id: int | None = None, shard: tuple[int, int] | None = None
    ) -> FakeGuild:
        """Adds a guild with an @everyone role, a bot role and a ``general`` text channel.

        ``shard=(shard_id, shard_count)`` picks an id that Discord would route to that shard.
        Add guilds before the client connects (they are announced in READY).
        """
        gid = self.new_snowflake(shard=shard)
        guild = FakeGuild(id=gid, name=name, owner_id=owner_id or as_int(self.owner))
        guild.roles[gid] = self._role_payload(gid, "@everyone", MEMBER_PERMISSIONS, position=0)
        bot_role_id = self.new_snowflake()
        guild.roles[bot_role_id] = self._role_payload(
            bot_role_id, "interview-bot", BOT_PERMISSIONS, position=1, managed=True
        )
        self.guilds[gid] = guild
        self.add_text_channel("general", guild_id=gid)
        self.add_member(self.bot_user, guild_id=gid, roles=[bot_role_id])
        return guild

    @staticmethod
    def _role_payload(
        role_id: int, name: str, permissions: int, *, position: int, managed: bool = False
    ) -> JSON:
        return {
            "id": str(role_id),
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(permissions),
            "managed": managed,
            "mentionable": False,
            "flags": 0,
        }

    def add_role(self, name: str, permissions: int, *, guild_id: int | None = None) -> JSON:
        """Adds a role to a guild and returns its payload."""
        guild = self.guilds[guild_id or self.guild_id]
        role_id = self.new_snowflake()
        role = self._role_payload(role_id, name, permissions, position=len(guild.roles))
        guild.roles[role_id] = role
        return role

    def add_text_channel(self, name: str, *, guild_id: int | None = None) -> JSON:
        """Adds a text channel to a guild and returns its payload."""
        guild = self.guilds[guild_id or self.guild_id]
        cid = self.new_snowflake()
        channel: JSON = {
            "id": str(cid),
            "type": CHANNEL_GUILD_TEXT,
            "guild_id": str(guild.id),
            "name": name,
            "position": len(guild.channel_ids),
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        self.channels[cid] = channel
        guild.channel_ids.append(cid)
        return channel

    def add_member(
        self, user: JSON | int, *, guild_id: int | None = None, roles: Sequence[int] = ()
    ) -> JSON:
        """Makes a user a member of a guild (with extra role ids) and returns the member."""
        uid = as_int(user)
        guild = self.guilds[guild_id or self.guild_id]
        member: JSON = {
            "user": self.users[uid],
            "roles": [str(r) for r in roles],
            "nick": None,
            "avatar": None,
            "banner": None,
            "joined_at": iso_timestamp(),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
            "unusual_dm_activity_until": None,
        }
        guild.members[uid] = member
        return member

    def member_permissions(self, user: JSON | int, guild_id: int | None = None) -> int:
        """A member's guild permissions as Discord computes them (owner/admin: all)."""
        guild = self.guilds[guild_id or self.guild_id]
        uid = as_int(user)
        if uid == guild.owner_id:
            return ALL_PERMISSIONS
        member = guild.members.get(uid)
        if member is None:
            return 0
        value = int(guild.roles[guild.id]["permissions"])
        for role_id in member["roles"]:
            role = guild.roles.get(int(role_id))
            if role is not None:
                value |= int(role["permissions"])
        return ALL_PERMISSIONS if value & PERM_ADMINISTRATOR else value

    def _can_view(self, user_id: int, channel: JSON) -> bool:
        if channel["type"] != CHANNEL_PRIVATE_THREAD:
            return True
        cid = int(channel["id"])
        if user_id in self.thread_members.get(cid, set()):
            return True
        return bool(
            self.member_permissions(user_id, int(channel["guild_id"])) & PERM_MANAGE_THREADS
        )

    def dm_channel(self, user: JSON | int) -> JSON:
        """The DM channel between the bot and a user (created on first use)."""
        uid = as_int(user)
        for channel in self.channels.values():
            if channel["type"] == CHANNEL_DM and int(channel["recipients"][0]["id"]) == uid:
                return channel
        cid = self.new_snowflake()
        channel = {
            "id": str(cid),
            "type": CHANNEL_DM,
            "last_message_id": None,
            "recipients": [self.users[uid]],
            "flags": 0,
        }
        self.channels[cid] = channel
        return channel

    # ---------------------------------------------------------------- queries
    def channel_messages(self, channel_id: int) -> list[JSON]:
        """Messages in a channel or thread (not ephemeral ones), oldest first."""
        return [
            m
            for m in self.messages.values()
            if int(m["channel_id"]) == channel_id and not int(m.get("flags", 0)) & FLAG_EPHEMERAL
        ]

    def threads(self, parent_id: int | None = None) -> list[JSON]:
        """Threads the fake knows, optionally only those under ``parent_id``."""
        return [
            c
            for c in self.channels.values()
            if c["type"] in THREAD_TYPES and (parent_id is None or int(c["parent_id"]) == parent_id)
        ]

    # ---------------------------------------------------------------- change notification
    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()
