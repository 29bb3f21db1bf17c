"""What tests use to drive the fake Discord: :class:`FakeDiscord` (the server plus what users
do: slash commands with subcommands, autocomplete, button and select presses, modal submits and
``MESSAGE_CREATE``; and waiting for what the client answered), :class:`InteractionHandle`,
:func:`pointed_at` and :func:`running_client` to start a real discord.py client against it,
and the ``fake_discord`` fixture the conftests share.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any, Final, TypeVar

import discord
import discord.gateway
import discord.http
import pytest
import yarl

from tests.fakes.discord.payloads import (
    ALL_PERMISSIONS,
    ATTACHMENT_SIZE_LIMIT,
    BOT_PERMISSIONS,
    BUTTON_STYLE_LINK,
    CHANNEL_DM,
    COMPONENT_ACTION_ROW,
    COMPONENT_BUTTON,
    COMPONENT_LABEL,
    COMPONENT_STRING_SELECT,
    COMPONENT_TEXT_INPUT,
    EVERYONE_MENTIONS,
    FLAG_EPHEMERAL,
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_COMMAND,
    INTERACTION_COMPONENT,
    INTERACTION_MODAL_SUBMIT,
    JSON,
    MAX_TEXT_INPUT_LENGTH,
    OPTION_ATTACHMENT,
    OPTION_BOOLEAN,
    OPTION_CHANNEL,
    OPTION_INTEGER,
    OPTION_MENTIONABLE,
    OPTION_NUMBER,
    OPTION_ROLE,
    OPTION_STRING,
    OPTION_SUB_COMMAND,
    OPTION_SUB_COMMAND_GROUP,
    OPTION_USER,
    PERM_ADMINISTRATOR,
    SELECT_TYPES,
    THREAD_TYPES,
    DiscordError,
    as_int,
    walk_components,
)
from tests.fakes.discord.server import FakeDiscordServer, InteractionState, RecordedRequest

T = TypeVar("T")

DEFAULT_WAIT_TIMEOUT_S: Final = 20.0  # a safety net on a loaded machine, not a deadline
USER_REACTION_DELAY_S: Final = 0.05
USER_LOCALE: Final = "ko"  # the default scene is a Korean study group (a Korean client)


# --------------------------------------------------------------------------------------------
# Interaction handle
# --------------------------------------------------------------------------------------------
class InteractionHandle:
    """What a test holds after sending an interaction: its payload and everything answered."""

    def __init__(self, fake: FakeDiscord, state: InteractionState) -> None:
        self._fake = fake
        self._state = state

    @property
    def id(self) -> int:
        """The interaction id."""
        return self._state.id

    @property
    def token(self) -> str:
        """The interaction token (callback, followups and edits use it)."""
        return self._state.token

    @property
    def payload(self) -> JSON:
        """The ``INTERACTION_CREATE`` data that was dispatched."""
        return self._state.payload

    @property
    def acknowledged(self) -> bool:
        """Whether a callback was accepted."""
        return self._state.callback_type is not None

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request made with this interaction's token so far, successful or not."""
        return [r for r in self._fake.requests if r.interaction_token == self.token]

    @property
    def original_message(self) -> JSON | None:
        """The current state of the original response message, if there is one."""
        mid = self._state.original_message_id
        return None if mid is None else self._fake.messages.get(mid)

    @property
    def messages(self) -> list[JSON]:
        """Current state of every message this interaction created or updated, in order."""
        return [self._fake.messages[m] for m in self._state.message_ids if m in self._fake.messages]

    @property
    def modal(self) -> JSON | None:
        """The modal opened in answer to this interaction (callback type 9), if any."""
        return self._state.modal

    async def responses(
        self, timeout: float = DEFAULT_WAIT_TIMEOUT_S, *, count: int = 1
    ) -> list[RecordedRequest]:
        """Waits until at least ``count`` requests used this token; returns all of them."""

        def check() -> list[RecordedRequest] | None:
            found = self.requests
            return found if len(found) >= count else None

        return await self._fake.wait_until(check, timeout, f"{count} response(s) to {self.id}")

    async def callback(self, timeout: float = DEFAULT_WAIT_TIMEOUT_S) -> RecordedRequest:
        """Waits for the accepted interaction callback and returns it."""
        return await self.wait_for(lambda r: r.ok and r.path.endswith("/callback"), timeout)

    async def followups(
        self, timeout: float = DEFAULT_WAIT_TIMEOUT_S, *, count: int = 1
    ) -> list[RecordedRequest]:
        """Waits until ``count`` followups (``POST /webhooks/...``) were accepted."""

        def check() -> list[RecordedRequest] | None:
            found = [
                r for r in self.requests if r.ok and r.method == "POST" and "/webhooks/" in r.path
            ]
            return found if len(found) >= count else None

        return await self._fake.wait_until(check, timeout, f"{count} followup(s) to {self.id}")

    async def wait_for(
        self, predicate: Callable[[RecordedRequest], bool], timeout: float = DEFAULT_WAIT_TIMEOUT_S
    ) -> RecordedRequest:
        """Waits for a request with this token that satisfies ``predicate``."""
        return await self._fake.wait_for(
            lambda r: r.interaction_token == self.token and predicate(r), timeout
        )


# --------------------------------------------------------------------------------------------
# The fake, driven
# --------------------------------------------------------------------------------------------
class FakeDiscord(FakeDiscordServer):
    """A fake Discord REST API and gateway, served by aiohttp on 127.0.0.1 (port 0), and the
    users who act on it.

    The default scene: one guild (``guild_id``) with text channels ``general`` (``channel_id``)
    and ``daily`` (``daily_channel_id``); users ``user`` (a plain member), ``admin`` (a member
    whose role has Manage Server), ``owner`` (the guild owner) and the bot (``bot_user``).
    Configure ``shard_count``, ``privileged_intents``, ``interaction_deadline`` and
    ``echo_bot_messages`` before the client connects.
    """

    user_delay: float = USER_REACTION_DELAY_S  # how long a user takes to act (see settle)

    # ---------------------------------------------------------------- queries for tests
    def requests_to(self, method: str, path_pattern: str) -> list[RecordedRequest]:
        """Recorded requests whose method matches and whose path matches the regex."""
        compiled = re.compile(path_pattern)
        return [
            r
            for r in self.requests
            if r.method == method.upper() and compiled.search(r.path) is not None
        ]

    def synced_command(self, name: str, guild_id: int | None = None) -> JSON | None:
        """The last synced definition of a command (global when ``guild_id`` is None)."""
        return next((c for c in self.synced_commands.get(guild_id, []) if c["name"] == name), None)

    def default_permissions_allow(
        self, name: str, user: JSON | int, guild_id: int | None = None
    ) -> bool:
        """Whether Discord would show the command to the user (``default_member_permissions``)."""
        gid = guild_id or self.guild_id
        command = self.synced_command(name, gid) or self.synced_command(name)
        if command is None:
            raise LookupError(f"command {name!r} was never synced")
        required = command.get("default_member_permissions")
        if required is None:
            return True
        held = self.member_permissions(user, gid)
        return held & int(required) == int(required)

    # ---------------------------------------------------------------- waiting
    async def wait_until(
        self, check: Callable[[], T | None], timeout: float = DEFAULT_WAIT_TIMEOUT_S, what: str = ""
    ) -> T:
        """Waits until ``check()`` returns something other than None, and returns it."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    result = check()
                    if result is not None:
                        return result
                    await self._changed.wait()
        except TimeoutError:
            recent = ", ".join(f"{r.method} {r.path} -> {r.status}" for r in self.requests[-8:])
            raise TimeoutError(
                f"fake Discord: timed out after {timeout}s waiting for {what or 'a condition'}; "
                f"last requests: {recent or 'none'}"
            ) from None

    async def wait_for(
        self,
        predicate: Callable[[RecordedRequest], bool],
        timeout: float = DEFAULT_WAIT_TIMEOUT_S,
        *,
        since: int = 0,
    ) -> RecordedRequest:
        """Waits for a recorded request (index >= ``since``) matching ``predicate``."""

        def check() -> RecordedRequest | None:
            return next((r for r in self.requests[since:] if predicate(r)), None)

        return await self.wait_until(check, timeout, "a matching request")

    async def wait_for_session(
        self, shard_id: int = 0, timeout: float = DEFAULT_WAIT_TIMEOUT_S
    ) -> None:
        """Waits until a client has identified for ``shard_id`` and got READY."""

        def check() -> bool | None:
            return True if self._live_session(shard_id) is not None else None

        await self.wait_until(check, timeout, f"a gateway session for shard {shard_id}")

    # ---------------------------------------------------------------- interactions: driving
    def _user_payload(self, user: JSON | int | None) -> JSON:
        uid = as_int(self.user if user is None else user)
        if uid not in self.users:
            raise ValueError(f"unknown user {uid}")
        return self.users[uid]

    def _interaction_payload(
        self,
        kind: int,
        data: JSON,
        *,
        user: JSON | int | None,
        channel_id: int | None,
        dm: bool,
        permissions: str | int | None,
        locale: str,
        message: JSON | None = None,
    ) -> InteractionState:
        author = self._user_payload(user)
        uid = int(author["id"])
        iid = self.new_snowflake()
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
        payload: JSON = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": kind,
            "token": token,
            "version": 1,
            "data": data,
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if dm:
            channel = (
                self.dm_channel(uid) if channel_id is None else self._known_channel(channel_id)
            )
            payload.update(
                user=author,
                channel_id=channel["id"],
                channel=channel,
                context=1,
                authorizing_integration_owners={"0": str(0), "1": str(uid)},
                app_permissions=str(BOT_PERMISSIONS),
            )
            guild_id = None
        else:
            channel = self._known_channel(channel_id or self.channel_id)
            guild_id = int(channel["guild_id"])
            guild = self.guilds[guild_id]
            member = guild.members.get(uid)
            if member is None:
                raise ValueError(f"user {uid} is not a member of guild {guild_id}")
            if not self._can_view(uid, channel):
                raise ValueError(f"user {uid} cannot see private thread {channel['id']}")
            held = (
                self.member_permissions(uid, guild_id) if permissions is None else int(permissions)
            )
            if held & PERM_ADMINISTRATOR:
                held = ALL_PERMISSIONS
            payload.update(
                guild_id=str(guild_id),
                guild={"id": str(guild_id), "locale": USER_LOCALE, "features": []},
                guild_locale=USER_LOCALE,
                channel_id=channel["id"],
                channel={**channel, "permissions": str(held)},
                member={**member, "permissions": str(held)},
                context=0,
                authorizing_integration_owners={"0": str(guild_id)},
                app_permissions=str(self.member_permissions(self.bot_user, guild_id)),
            )
        if message is not None:
            payload["message"] = message
        state = InteractionState(
            id=iid,
            token=token,
            type=kind,
            payload=payload,
            user_id=uid,
            channel_id=int(channel["id"]),
            guild_id=guild_id,
            source_message_id=None if message is None else int(message["id"]),
        )
        self._interactions[token] = state
        return state

    def _known_channel(self, channel_id: int) -> JSON:
        channel = self.channels.get(channel_id)
        if channel is None:
            raise ValueError(f"unknown channel {channel_id}")
        return channel

    async def settle(self) -> None:
        """Waits like a person would before acting: no request in flight, then ``user_delay``.

        Every user action (commands, presses, modal submits, messages) settles first, so the
        client has processed the answers it already got (e.g. stored a view for a message).
        """
        await self.wait_until(
            lambda: True if self._in_flight == 0 else None, DEFAULT_WAIT_TIMEOUT_S, "idle HTTP"
        )
        if self.user_delay > 0:
            await asyncio.sleep(self.user_delay)

    async def _send_interaction(self, state: InteractionState) -> InteractionHandle:
        await self.settle()
        session = self._session_for(state.guild_id)
        state.dispatched_at = asyncio.get_running_loop().time()
        await self._dispatch(session, "INTERACTION_CREATE", state.payload)
        return InteractionHandle(self, state)

    def _find_command(self, name: str, guild_id: int | None) -> JSON:
        if guild_id is not None:
            command = self.synced_command(name, guild_id)
            if command is not None:
                return command
        command = self.synced_command(name)
        if command is None:
            raise LookupError(f"command /{name} was never synced (synced: {self._synced_names()})")
        return command

    def _synced_names(self) -> list[str]:
        return [c["name"] for commands in self.synced_commands.values() for c in commands]

    def _option_value(
        self, definition: JSON, value: Any, resolved: JSON, guild_id: int | None, viewer: int
    ) -> Any:
        kind = definition["type"]
        if kind == OPTION_STRING:
            return str(value)
        if kind == OPTION_INTEGER:
            return int(value)
        if kind == OPTION_NUMBER:
            return float(value)
        if kind == OPTION_BOOLEAN:
            return bool(value)
        object_id = as_int(value)
        if kind == OPTION_ATTACHMENT:
            if object_id not in self.attachments:
                raise ValueError(f"attachment {object_id} was never added (add_attachment)")
            resolved.setdefault("attachments", {})[str(object_id)] = self.attachments[object_id][0]
        elif kind in (OPTION_USER, OPTION_MENTIONABLE) and object_id in self.users:
            resolved.setdefault("users", {})[str(object_id)] = self.users[object_id]
            member = self.guilds[guild_id].members.get(object_id) if guild_id is not None else None
            if member is not None:
                perms = str(self.member_permissions(object_id, guild_id))
                partial = {k: v for k, v in member.items() if k != "user"}
                resolved.setdefault("members", {})[str(object_id)] = {
                    **partial,
                    "permissions": perms,
                }
        elif kind == OPTION_CHANNEL and object_id in self.channels:
            channel = self.channels[object_id]
            resolved.setdefault("channels", {})[str(object_id)] = {
                **channel,
                "permissions": str(self.member_permissions(viewer, guild_id) if guild_id else 0),
            }
        elif kind in (OPTION_ROLE, OPTION_MENTIONABLE) and guild_id is not None:
            role = self.guilds[guild_id].roles.get(object_id)
            if role is not None:
                resolved.setdefault("roles", {})[str(object_id)] = role
        return str(object_id)

    def _build_options(
        self,
        definitions: list[JSON],
        given: Mapping[str, Any],
        resolved: JSON,
        guild_id: int | None,
        viewer: int,
        *,
        focused: str | None,
    ) -> list[JSON]:
        by_name = {d["name"]: d for d in definitions}
        unknown = set(given) - set(by_name)
        if unknown:
            raise ValueError(f"unknown option(s) {sorted(unknown)}; defined: {sorted(by_name)}")
        built: list[JSON] = []
        for definition in definitions:
            name = definition["name"]
            if name not in given:
                if definition.get("required") and focused is None:
                    raise ValueError(f"required option {name!r} missing")
                continue
            if name == focused:
                if not definition.get("autocomplete"):
                    raise ValueError(f"option {name!r} has no autocomplete")
                built.append(
                    {
                        "name": name,
                        "type": definition["type"],
                        "value": str(given[name]),
                        "focused": True,
                    }
                )
                continue
            value = self._option_value(definition, given[name], resolved, guild_id, viewer)
            choices = definition.get("choices")
            if choices and value not in [c["value"] for c in choices]:
                raise ValueError(f"{value!r} is not a choice of option {name!r}")
            built.append({"name": name, "type": definition["type"], "value": value})
        return built

    def _command_data(
        self,
        name: str,
        options: Mapping[str, Any] | None,
        guild_id: int | None,
        viewer: int,
        *,
        focused: str | None = None,
    ) -> JSON:
        parts = name.split()
        command = self._find_command(parts[0], guild_id)
        resolved: JSON = {}
        definitions: list[JSON] = command.get("options") or []
        path: list[JSON] = []
        for part in parts[1:]:
            definition = next((d for d in definitions if d["name"] == part), None)
            if definition is None or definition["type"] not in (
                OPTION_SUB_COMMAND,
                OPTION_SUB_COMMAND_GROUP,
            ):
                raise ValueError(f"/{parts[0]} has no subcommand {part!r}")
            path.append(definition)
            definitions = definition.get("options") or []
        if any(d["type"] in (OPTION_SUB_COMMAND, OPTION_SUB_COMMAND_GROUP) for d in definitions):
            raise ValueError(f"/{name} needs a subcommand")
        leaf = self._build_options(
            definitions, options or {}, resolved, guild_id, viewer, focused=focused
        )
        for definition in reversed(path):
            leaf = [{"name": definition["name"], "type": definition["type"], "options": leaf}]
        data: JSON = {
            "id": command["id"],
            "name": command["name"],
            "type": command["type"],
            "options": leaf,
        }
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data

    def _command_channel(self, channel_id: int | None, guild_id: int | None) -> int:
        if channel_id is not None:
            return channel_id
        if guild_id is not None:
            guild = self.guilds.get(guild_id)
            if guild is None:
                raise ValueError(f"unknown guild {guild_id}")
            return guild.channel_ids[0]
        return self.channel_id

    async def _command_interaction(
        self,
        kind: int,
        name: str,
        options: Mapping[str, Any] | None,
        *,
        focused: str | None,
        user: JSON | int | None,
        channel_id: int | None,
        guild_id: int | None,
        dm: bool,
        permissions: str | int | None,
        locale: str,
    ) -> InteractionHandle:
        target: int | None = None
        command_guild: int | None = None
        if not dm:
            target = self._command_channel(channel_id, guild_id)
            command_guild = int(self._known_channel(target)["guild_id"])
        viewer = as_int(self._user_payload(user))
        data = self._command_data(name, options, command_guild, viewer, focused=focused)
        state = self._interaction_payload(
            kind,
            data,
            user=user,
            channel_id=target if not dm else channel_id,
            dm=dm,
            permissions=permissions,
            locale=locale,
        )
        return await self._send_interaction(state)

    async def send_slash_command(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: JSON | int | None = None,
        channel_id: int | None = None,
        guild_id: int | None = None,
        dm: bool = False,
        permissions: str | int | None = None,
        locale: str = USER_LOCALE,
    ) -> InteractionHandle:
        """Dispatches a slash command as a user would send it; returns its handle.

        ``name`` may include subcommands (``"interview start"``). ``options`` maps option names
        to values (ints or payloads for user/channel/role options; for an attachment option
        the payload :meth:`add_attachment` returned). The command must have been synced (its
        id and option types come from the sync); unknown options, missing required ones or
        values outside ``choices`` raise ``ValueError``, as Discord's client would not send
        them. ``user`` defaults to :attr:`user`; the channel is ``channel_id``, else the
        first channel of ``guild_id``, else :attr:`channel_id`; ``dm=True`` sends from the bot's
        DM with the user. ``permissions`` overrides the member's computed permissions (a value
        with Administrator becomes all permissions, as on Discord).
        """
        return await self._command_interaction(
            INTERACTION_COMMAND,
            name,
            options,
            focused=None,
            user=user,
            channel_id=channel_id,
            guild_id=guild_id,
            dm=dm,
            permissions=permissions,
            locale=locale,
        )

    async def send_autocomplete(
        self,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        user: JSON | int | None = None,
        channel_id: int | None = None,
        guild_id: int | None = None,
        dm: bool = False,
        permissions: str | int | None = None,
        locale: str = USER_LOCALE,
    ) -> InteractionHandle:
        """Dispatches an autocomplete request (type 4) for option ``focused`` of a command.

        ``options[focused]`` is the partial text typed so far; other options are checked as in
        :meth:`send_slash_command` (required ones may be missing). The answer (callback type 8)
        is in ``(await handle.callback()).data["choices"]``.
        """
        if focused not in options:
            raise ValueError(f"focused option {focused!r} needs a value (the typed text)")
        return await self._command_interaction(
            INTERACTION_AUTOCOMPLETE,
            name,
            options,
            focused=focused,
            user=user,
            channel_id=channel_id,
            guild_id=guild_id,
            dm=dm,
            permissions=permissions,
            locale=locale,
        )

    def _message_visible_to(self, message: JSON, user_id: int) -> bool:
        if int(message["flags"]) & FLAG_EPHEMERAL:
            meta = message.get("interaction_metadata") or {}
            return int((meta.get("user") or {}).get("id", 0)) == user_id
        return True

    def find_component(
        self,
        *,
        custom_id: str | None = None,
        label: str | None = None,
        message: JSON | int | None = None,
        user: JSON | int | None = None,
        kinds: frozenset[int] = frozenset({COMPONENT_BUTTON}),
    ) -> tuple[JSON, JSON]:
        """Finds ``(message, component)`` by custom_id or label, newest message first."""
        uid = as_int(self._user_payload(user))
        if message is not None:
            mid = as_int(message)
            if mid not in self.messages:
                raise ValueError(f"unknown message {mid}")
            candidates = [self.messages[mid]]
        else:
            candidates = [
                m for m in reversed(self.messages.values()) if self._message_visible_to(m, uid)
            ]
        for candidate in candidates:
            for component in walk_components(candidate.get("components") or []):
                if component.get("type") not in kinds:
                    continue
                if custom_id is not None and component.get("custom_id") != custom_id:
                    continue
                if label is not None and component.get("label") != label:
                    continue
                if custom_id is None and label is None:
                    continue
                return candidate, component
        raise ValueError(f"no component with custom_id={custom_id!r} label={label!r}")

    async def _component_interaction(
        self,
        message: JSON,
        data: JSON,
        *,
        user: JSON | int | None,
        permissions: str | int | None,
        locale: str,
    ) -> InteractionHandle:
        channel = self.channels[int(message["channel_id"])]
        state = self._interaction_payload(
            INTERACTION_COMPONENT,
            data,
            user=user,
            channel_id=int(channel["id"]),
            dm=channel["type"] == CHANNEL_DM,
            permissions=permissions,
            locale=locale,
            message=message,
        )
        return await self._send_interaction(state)

    async def press_button(
        self,
        custom_id: str | None = None,
        *,
        label: str | None = None,
        message: JSON | int | None = None,
        user: JSON | int | None = None,
        permissions: str | int | None = None,
        locale: str = USER_LOCALE,
    ) -> InteractionHandle:
        """Presses a button (type 3 interaction carrying the ``message``), found by custom_id
        or label in ``message`` or else the newest message visible to the user that has it.

        Raises ``ValueError`` for a missing, disabled or link button (no interaction on Discord).
        """
        found_message, button = self.find_component(
            custom_id=custom_id, label=label, message=message, user=user
        )
        if button.get("disabled"):
            raise ValueError(f"button {button.get('label')!r} is disabled")
        if button.get("style") == BUTTON_STYLE_LINK:
            raise ValueError("link buttons do not send interactions")
        data = {"custom_id": button["custom_id"], "component_type": COMPONENT_BUTTON}
        return await self._component_interaction(
            found_message, data, user=user, permissions=permissions, locale=locale
        )

    async def choose_select(
        self,
        values: Sequence[str],
        *,
        custom_id: str | None = None,
        message: JSON | int | None = None,
        user: JSON | int | None = None,
        permissions: str | int | None = None,
        locale: str = USER_LOCALE,
    ) -> InteractionHandle:
        """Picks ``values`` in a string select menu (the newest one if ``custom_id`` is None)."""
        found_message: JSON | None = None
        select: JSON | None = None
        if custom_id is not None:
            found_message, select = self.find_component(
                custom_id=custom_id, message=message, user=user, kinds=SELECT_TYPES
            )
        else:
            uid = as_int(self._user_payload(user))
            for candidate in reversed(self.messages.values()):
                if not self._message_visible_to(candidate, uid):
                    continue
                selects = [
                    c
                    for c in walk_components(candidate.get("components") or [])
                    if c.get("type") in SELECT_TYPES
                ]
                if selects:
                    found_message, select = candidate, selects[0]
                    break
        if found_message is None or select is None:
            raise ValueError("no select menu found")
        options = [o["value"] for o in select.get("options") or []]
        if select.get("type") == COMPONENT_STRING_SELECT and any(v not in options for v in values):
            raise ValueError(f"values {list(values)} not all in {options}")
        low, high = int(select.get("min_values", 1)), int(select.get("max_values", 1))
        if not low <= len(values) <= high:
            raise ValueError(f"select needs between {low} and {high} values")
        data = {
            "custom_id": select["custom_id"],
            "component_type": select["type"],
            "values": list(values),
        }
        return await self._component_interaction(
            found_message, data, user=user, permissions=permissions, locale=locale
        )

    async def submit_modal(
        self,
        custom_id: str | None,
        values: Mapping[str, str],
        *,
        user: JSON | int | None = None,
        permissions: str | int | None = None,
        locale: str = USER_LOCALE,
    ) -> InteractionHandle:
        """Submits the modal with ``custom_id`` (None: the newest one) that the client opened.

        ``values`` maps each text input's custom_id (or its label) to the typed text. Missing
        required inputs or text outside the input's min/max length raise ``ValueError``, as
        Discord's client would not let the user submit. The user defaults to whoever opened it.
        """
        opener = next(
            (
                s
                for s in reversed(self._interactions.values())
                if s.modal is not None
                and not s.modal_submitted
                and (custom_id is None or s.modal.get("custom_id") == custom_id)
            ),
            None,
        )
        if opener is None or opener.modal is None:
            raise ValueError(f"no open modal (custom_id={custom_id!r})")
        modal = opener.modal
        remaining = dict(values)
        components = [self._submitted_component(c, remaining) for c in modal["components"]]
        if remaining:
            raise ValueError(f"modal has no inputs {sorted(remaining)}")
        message = (
            self.messages.get(opener.source_message_id)
            if opener.source_message_id is not None
            else None
        )
        channel = self.channels[opener.channel_id]
        state = self._interaction_payload(
            INTERACTION_MODAL_SUBMIT,
            {"custom_id": modal["custom_id"], "components": components},
            user=opener.user_id if user is None else user,
            channel_id=opener.channel_id,
            dm=channel["type"] == CHANNEL_DM,
            permissions=permissions,
            locale=locale,
            message=message,
        )
        opener.modal_submitted = True
        return await self._send_interaction(state)

    @staticmethod
    def _take_value(text_input: JSON, outer_label: str | None, remaining: dict[str, str]) -> str:
        keys = [text_input.get("custom_id"), text_input.get("label"), outer_label]
        key = next((k for k in keys if k is not None and k in remaining), None)
        value = remaining.pop(key) if key is not None else text_input.get("value") or ""
        if not value and text_input.get("required", True):
            raise ValueError(f"required text input {text_input.get('custom_id')!r} left empty")
        low = int(text_input.get("min_length") or 0)
        high = int(text_input.get("max_length") or MAX_TEXT_INPUT_LENGTH)
        if value and not low <= len(value) <= high:
            raise ValueError(f"text for {text_input.get('custom_id')!r} must be {low}-{high} chars")
        return value

    def _submitted_component(self, component: JSON, remaining: dict[str, str]) -> JSON:
        kind = component.get("type")
        if kind == COMPONENT_ACTION_ROW:
            children = []
            for child in component.get("components") or []:
                if child.get("type") == COMPONENT_TEXT_INPUT:
                    value = self._take_value(child, None, remaining)
                    children.append(
                        {
                            "type": COMPONENT_TEXT_INPUT,
                            "custom_id": child["custom_id"],
                            "value": value,
                        }
                    )
            return {"type": COMPONENT_ACTION_ROW, "components": children}
        if kind == COMPONENT_LABEL:
            inner = component.get("component") or {}
            submitted: JSON = {"type": inner.get("type"), "custom_id": inner.get("custom_id")}
            if inner.get("type") == COMPONENT_TEXT_INPUT:
                submitted["value"] = self._take_value(inner, component.get("label"), remaining)
            else:
                submitted["values"] = []
            return {"type": COMPONENT_LABEL, "component": submitted}
        return {"type": kind, "content": component.get("content", "")}

    def close_dms(self, user: JSON | int) -> None:
        """The user takes no direct messages from the bot: opening the DM works, sending there
        is refused with 403, code 50007 "Cannot send messages to this user" (as on Discord)."""
        self.dms_closed.add(as_int(user))

    def direct_messages(self, user: JSON | int) -> list[JSON]:
        """The messages in the bot's DM with the user, oldest first (none if never opened)."""
        uid = as_int(user)
        channel = next(
            (
                c
                for c in self.channels.values()
                if c["type"] == CHANNEL_DM and int(c["recipients"][0]["id"]) == uid
            ),
            None,
        )
        return [] if channel is None else self.channel_messages(int(channel["id"]))

    def add_history(self, channel_id: int, contents: Sequence[str], author: JSON | int) -> None:
        """Messages that reached a channel while the bot was not watching (no gateway event,
        no settling): a busy channel's history, in order."""
        channel = self._known_channel(channel_id)
        sender = self._user_payload(author)
        for content in contents:
            message = self._build_message(channel, {"content": content}, author=sender)
            self.messages[int(message["id"])] = message
            channel["last_message_id"] = message["id"]

    async def send_message_create(
        self,
        channel_id: int,
        content: str,
        author: JSON | int | None = None,
        *,
        reply_to: JSON | int | None = None,
    ) -> JSON:
        """A user posts ``content`` in a channel or thread; dispatches ``MESSAGE_CREATE``.

        Delivered only with the guild-messages (or DM) intent; ``content`` reaches the client
        only with the message-content intent, unless the bot is mentioned (as on Discord).
        Posting in an archived thread unarchives it. Raises ``ValueError`` if the author cannot
        post there (a private thread they are not in, a locked thread). Returns the message.
        """
        channel = self._known_channel(channel_id)
        sender = self._user_payload(author)
        uid = int(sender["id"])
        if "guild_id" in channel:
            if uid not in self.guilds[int(channel["guild_id"])].members:
                raise ValueError(f"user {uid} is not a member of the channel's guild")
            if not self._can_view(uid, channel):
                raise ValueError(f"user {uid} cannot see private thread {channel_id}")
        try:
            self._check_writable(channel)
        except DiscordError as error:
            raise ValueError(f"cannot post in channel {channel_id}: {error.message}") from error
        await self.settle()
        body: JSON = {"content": content}
        if reply_to is not None:
            body["message_reference"] = {
                "message_id": str(as_int(reply_to)),
                "channel_id": str(channel_id),
            }
        message = self._build_message(channel, body, author=sender)
        message["mention_everyone"] = any(m in content for m in EVERYONE_MENTIONS)
        self.messages[int(message["id"])] = message
        channel["last_message_id"] = message["id"]
        if channel["type"] in THREAD_TYPES:
            channel["message_count"] += 1
            channel["total_message_sent"] += 1
        await self._deliver_message("MESSAGE_CREATE", message)
        self._notify()
        return message


# --------------------------------------------------------------------------------------------
# discord.py glue
# --------------------------------------------------------------------------------------------
@contextlib.contextmanager
def pointed_at(fake: FakeDiscord) -> Iterator[None]:
    """Points discord.py's REST base and gateway at the fake; restores them afterwards."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


async def _until_ready(client: discord.Client) -> None:
    await asyncio.sleep(0)  # let ``client.start`` set up its ready event first
    await client.wait_until_ready()


@contextlib.asynccontextmanager
async def running_client(
    client: discord.Client,
    fake: FakeDiscord,
    *,
    token: str | None = None,
    timeout: float = DEFAULT_WAIT_TIMEOUT_S,
) -> AsyncIterator[discord.Client]:
    """Starts ``client`` against the fake, waits for ``on_ready``, and closes it on exit.

    If the client fails to start (wrong token, disallowed intents...) or dies while the block
    runs, its exception is raised.
    """
    task = asyncio.create_task(client.start(token or fake.token), name="fake-discord-client")
    ready = asyncio.create_task(_until_ready(client), name="fake-discord-ready")
    try:
        done, _ = await asyncio.wait(
            {task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if task in done:
            task.result()
            raise RuntimeError("discord client stopped before it was ready")
        if ready not in done:
            raise TimeoutError(f"discord client not ready after {timeout}s")
        yield client
        if task.done() and not task.cancelled() and task.exception() is not None:
            task.result()
    finally:
        ready.cancel()
        await asyncio.gather(ready, return_exceptions=True)
        await client.close()
        if not task.done():
            await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), timeout)
        elif not task.cancelled():
            task.exception()


# --------------------------------------------------------------------------------------------
# The fake_discord fixture (shared by the conftests)
# --------------------------------------------------------------------------------------------
PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "WS_PROXY",
    "WSS_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "ws_proxy",
    "wss_proxy",
)
TASK_SETTLE_ROUNDS = 50
TASK_SETTLE_STEP_S = 0.01


LIBRARY_LEFTOVERS = ("__timeout_task_impl",)


def _is_library_leftover(task: asyncio.Task[object]) -> bool:
    """discord.py leaves a ``View``'s timeout task running after ``Client.close()``."""
    name = getattr(task.get_coro(), "__qualname__", "")
    return name.endswith(LIBRARY_LEFTOVERS)


async def _other_tasks_settled() -> list[asyncio.Task[object]]:
    """Gives closing tasks a moment to finish, cancels discord.py's view timeouts, and
    returns the tasks still pending."""
    current = asyncio.current_task()
    pending: list[asyncio.Task[object]] = []
    for _ in range(TASK_SETTLE_ROUNDS):
        pending = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
        for task in [t for t in pending if _is_library_leftover(t)]:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            pending.remove(task)
        if not pending:
            break
        await asyncio.sleep(TASK_SETTLE_STEP_S)
    return pending


@pytest.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """A running :class:`FakeDiscord` with ``discord.http.Route.BASE`` and the default gateway
    pointed at it (both restored afterwards) and proxy variables cleared.

    Configure it (``shard_count``, ``privileged_intents``, ``add_guild`` ...) before starting a
    client, e.g. with :func:`running_client`. At teardown the server stops and the test fails
    if asyncio tasks are still pending (a client left running).
    """
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    fake = FakeDiscord()
    await fake.start()
    try:
        with pointed_at(fake):
            yield fake
    finally:
        await fake.close()
    pending = await _other_tasks_settled()
    if pending:
        names = ", ".join(sorted(f"{t.get_name()} ({t.get_coro()!r})" for t in pending))
        pytest.fail(f"tasks still pending after the fake Discord closed: {names}")
