"""A fake Discord (REST API v10 and gateway websocket) on 127.0.0.1 for end-to-end tests.

The real discord.py client logs in to it, syncs its application commands, receives interactions
and messages over the gateway and answers them over REST. The fake

* speaks Discord's real payload shapes (API v10) so the library's parsers run unchanged;
* records every REST request (method, path, query, JSON body, headers, answer) for asserts;
* rejects what Discord rejects: message, embed, component, modal and autocomplete size limits
  (HTTP 400, code 50035 "Invalid Form Body" with Discord's nested ``errors``), empty messages,
  callbacks after the 3 s deadline or a second acknowledgement, unknown channels and messages;
* injects failures on demand (:meth:`FakeDiscord.fail_next`): 429 with ``retry_after``, ``Via``
  and ``X-RateLimit-*`` headers (discord.py sleeps and retries), 403, 404, 500;
* drives the client like Discord's servers would: slash commands (with subcommands), autocomplete,
  button and select presses, modal submits, ``MESSAGE_CREATE`` (content blanked unless the client
  has the message-content intent), reconnects with ``RESUME``, and auto-sharded clients.

Character limits are counted in Unicode code points (``len`` of a Python ``str``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import math
import re
import secrets
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

import discord
import discord.gateway
import discord.http
import yarl
from aiohttp import BodyPartReader, WSMsgType, web

JSON = dict[str, Any]
T = TypeVar("T")

# --------------------------------------------------------------------------------------------
# Protocol constants
# --------------------------------------------------------------------------------------------
API_VERSION: Final = 10
API_PREFIX: Final = f"/api/v{API_VERSION}"
GATEWAY_PATH: Final = "/gateway"
DISCORD_EPOCH_MS: Final = 1_420_070_400_000
SNOWFLAKE_TIMESTAMP_SHIFT: Final = 22
HEARTBEAT_INTERVAL_MS: Final = 41_250
EVENT_BUFFER_SIZE: Final = 1_000

DEFAULT_TOKEN: Final = "fake-discord-bot-token"
DEFAULT_WAIT_TIMEOUT_S: Final = 5.0
DEFAULT_RETRY_AFTER_S: Final = 0.05
USER_REACTION_DELAY_S: Final = 0.05
INTERACTION_DEADLINE_S: Final = 3.0
INTERACTION_TOKEN_LIFETIME_S: Final = 15 * 60
ATTACHMENT_SIZE_LIMIT: Final = 10 * 1024 * 1024
MAX_HISTORY_LIMIT: Final = 100
DEFAULT_HISTORY_LIMIT: Final = 50

OP_DISPATCH: Final = 0
OP_HEARTBEAT: Final = 1
OP_IDENTIFY: Final = 2
OP_RESUME: Final = 6
OP_RECONNECT: Final = 7
OP_INVALID_SESSION: Final = 9
OP_HELLO: Final = 10
OP_HEARTBEAT_ACK: Final = 11

CLOSE_AUTHENTICATION_FAILED: Final = 4004
CLOSE_INVALID_SHARD: Final = 4010
CLOSE_INVALID_INTENTS: Final = 4013
CLOSE_DISALLOWED_INTENTS: Final = 4014
CLOSE_GOING_AWAY: Final = 1001

INTENT_GUILDS: Final = 1 << 0
INTENT_GUILD_MEMBERS: Final = 1 << 1
INTENT_GUILD_PRESENCES: Final = 1 << 8
INTENT_GUILD_MESSAGES: Final = 1 << 9
INTENT_DIRECT_MESSAGES: Final = 1 << 12
INTENT_MESSAGE_CONTENT: Final = 1 << 15
PRIVILEGED_INTENTS: Final = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

APP_FLAG_PRESENCE_LIMITED: Final = 1 << 13
APP_FLAG_MEMBERS_LIMITED: Final = 1 << 15
APP_FLAG_MESSAGE_CONTENT_LIMITED: Final = 1 << 19
APP_FLAG_COMMAND_BADGE: Final = 1 << 23

PERM_ADD_REACTIONS: Final = 1 << 6
PERM_ADMINISTRATOR: Final = 1 << 3
PERM_MANAGE_GUILD: Final = 1 << 5
PERM_VIEW_CHANNEL: Final = 1 << 10
PERM_SEND_MESSAGES: Final = 1 << 11
PERM_MANAGE_MESSAGES: Final = 1 << 13
PERM_EMBED_LINKS: Final = 1 << 14
PERM_ATTACH_FILES: Final = 1 << 15
PERM_READ_MESSAGE_HISTORY: Final = 1 << 16
PERM_USE_APPLICATION_COMMANDS: Final = 1 << 31
PERM_MANAGE_THREADS: Final = 1 << 34
PERM_CREATE_PUBLIC_THREADS: Final = 1 << 35
PERM_CREATE_PRIVATE_THREADS: Final = 1 << 36
PERM_SEND_MESSAGES_IN_THREADS: Final = 1 << 38
ALL_PERMISSIONS: Final = (1 << 53) - 1
MEMBER_PERMISSIONS: Final = (
    PERM_ADD_REACTIONS
    | PERM_VIEW_CHANNEL
    | PERM_SEND_MESSAGES
    | PERM_EMBED_LINKS
    | PERM_ATTACH_FILES
    | PERM_READ_MESSAGE_HISTORY
    | PERM_USE_APPLICATION_COMMANDS
    | PERM_CREATE_PUBLIC_THREADS
    | PERM_CREATE_PRIVATE_THREADS
    | PERM_SEND_MESSAGES_IN_THREADS
)
BOT_PERMISSIONS: Final = MEMBER_PERMISSIONS | PERM_MANAGE_MESSAGES | PERM_MANAGE_THREADS

CHANNEL_GUILD_TEXT: Final = 0
CHANNEL_DM: Final = 1
CHANNEL_GUILD_ANNOUNCEMENT: Final = 5
CHANNEL_ANNOUNCEMENT_THREAD: Final = 10
CHANNEL_PUBLIC_THREAD: Final = 11
CHANNEL_PRIVATE_THREAD: Final = 12
THREAD_TYPES: Final = frozenset({10, 11, 12})
MESSAGEABLE_TYPES: Final = frozenset({0, 1, 5, 10, 11, 12})
THREAD_PARENT_TYPES: Final = frozenset({CHANNEL_GUILD_TEXT, CHANNEL_GUILD_ANNOUNCEMENT})
THREAD_ARCHIVE_DURATIONS: Final = frozenset({60, 1440, 4320, 10080})
DEFAULT_ARCHIVE_DURATION: Final = 1440

INTERACTION_PING: Final = 1
INTERACTION_COMMAND: Final = 2
INTERACTION_COMPONENT: Final = 3
INTERACTION_AUTOCOMPLETE: Final = 4
INTERACTION_MODAL_SUBMIT: Final = 5

CALLBACK_MESSAGE: Final = 4
CALLBACK_DEFERRED_MESSAGE: Final = 5
CALLBACK_DEFERRED_UPDATE: Final = 6
CALLBACK_UPDATE_MESSAGE: Final = 7
CALLBACK_AUTOCOMPLETE: Final = 8
CALLBACK_MODAL: Final = 9
ALLOWED_CALLBACKS: Final[Mapping[int, frozenset[int]]] = {
    INTERACTION_COMMAND: frozenset({4, 5, 9}),
    INTERACTION_COMPONENT: frozenset({4, 5, 6, 7, 9}),
    INTERACTION_AUTOCOMPLETE: frozenset({8}),
    INTERACTION_MODAL_SUBMIT: frozenset({4, 5, 6, 7}),
}

MESSAGE_DEFAULT: Final = 0
MESSAGE_REPLY: Final = 19
MESSAGE_CHAT_INPUT_COMMAND: Final = 20
FLAG_SUPPRESS_EMBEDS: Final = 1 << 2
FLAG_HAS_THREAD: Final = 1 << 5
FLAG_EPHEMERAL: Final = 1 << 6
FLAG_LOADING: Final = 1 << 7
FLAG_COMPONENTS_V2: Final = 1 << 15

COMPONENT_ACTION_ROW: Final = 1
COMPONENT_BUTTON: Final = 2
COMPONENT_STRING_SELECT: Final = 3
COMPONENT_TEXT_INPUT: Final = 4
SELECT_TYPES: Final = frozenset({3, 5, 6, 7, 8})
COMPONENT_TEXT_DISPLAY: Final = 10
COMPONENT_LABEL: Final = 18
BUTTON_STYLE_LINK: Final = 5
BUTTON_STYLE_PREMIUM: Final = 6
BUTTON_STYLES: Final = frozenset({1, 2, 3, 4, 5, 6})
TEXT_INPUT_STYLES: Final = frozenset({1, 2})

OPTION_SUB_COMMAND: Final = 1
OPTION_SUB_COMMAND_GROUP: Final = 2
OPTION_STRING: Final = 3
OPTION_INTEGER: Final = 4
OPTION_BOOLEAN: Final = 5
OPTION_USER: Final = 6
OPTION_CHANNEL: Final = 7
OPTION_ROLE: Final = 8
OPTION_MENTIONABLE: Final = 9
OPTION_NUMBER: Final = 10
COMMAND_CHAT_INPUT: Final = 1

# Discord's size limits (https://discord.com/developers/docs/resources/message and friends).
MAX_CONTENT: Final = 2_000
MAX_EMBEDS: Final = 10
MAX_EMBED_TITLE: Final = 256
MAX_EMBED_DESCRIPTION: Final = 4_096
MAX_EMBED_FIELDS: Final = 25
MAX_FIELD_NAME: Final = 256
MAX_FIELD_VALUE: Final = 1_024
MAX_FOOTER_TEXT: Final = 2_048
MAX_AUTHOR_NAME: Final = 256
MAX_EMBED_TOTAL: Final = 6_000
MAX_ACTION_ROWS: Final = 5
MAX_ROW_COMPONENTS: Final = 5
MAX_BUTTON_LABEL: Final = 80
MAX_CUSTOM_ID: Final = 100
MAX_SELECT_OPTIONS: Final = 25
MAX_SELECT_PLACEHOLDER: Final = 150
MAX_SELECT_OPTION_TEXT: Final = 100
MAX_V2_COMPONENTS: Final = 40
MAX_V2_TEXT: Final = 4_000
MAX_AUTOCOMPLETE_CHOICES: Final = 25
MAX_CHOICE_NAME: Final = 100
MAX_CHOICE_VALUE: Final = 100
MAX_MODAL_TITLE: Final = 45
MAX_MODAL_COMPONENTS: Final = 5
MAX_TEXT_INPUT_LABEL: Final = 45
MAX_TEXT_INPUT_LENGTH: Final = 4_000
MAX_TEXT_INPUT_PLACEHOLDER: Final = 100
MAX_LABEL_DESCRIPTION: Final = 100
MAX_THREAD_NAME: Final = 100
MAX_COMMAND_NAME: Final = 32
MAX_COMMAND_DESCRIPTION: Final = 100
MAX_COMMAND_OPTIONS: Final = 25
MAX_COMMANDS: Final = 100
COMMAND_NAME_RE: Final = re.compile(r"^[-_\w]{1,32}$")

# Discord JSON error codes.
ERR_GENERAL: Final = 0
ERR_UNKNOWN_CHANNEL: Final = 10003
ERR_UNKNOWN_GUILD: Final = 10004
ERR_UNKNOWN_MEMBER: Final = 10007
ERR_UNKNOWN_MESSAGE: Final = 10008
ERR_UNKNOWN_USER: Final = 10013
ERR_UNKNOWN_WEBHOOK: Final = 10015
ERR_UNKNOWN_INTERACTION: Final = 10062
ERR_MISSING_ACCESS: Final = 50001
ERR_CANNOT_EDIT_OTHERS: Final = 50005
ERR_EMPTY_MESSAGE: Final = 50006
ERR_WRONG_CHANNEL_TYPE: Final = 50024
ERR_INVALID_FORM_BODY: Final = 50035
ERR_ALREADY_ACKNOWLEDGED: Final = 40060
ERR_THREAD_LOCKED: Final = 50083
ERR_THREAD_ALREADY_CREATED: Final = 160004

MENTION_USER_RE: Final = re.compile(r"<@!?(\d+)>")
MENTION_ROLE_RE: Final = re.compile(r"<@&(\d+)>")
EVERYONE_MENTIONS: Final = ("@everyone", "@here")


def _iso(timestamp: float | None = None) -> str:
    """An ISO-8601 UTC timestamp in Discord's format."""
    moment = time.time() if timestamp is None else timestamp
    return dt.datetime.fromtimestamp(moment, tz=dt.UTC).isoformat(timespec="microseconds")


def _as_int(value: Any) -> int:
    """A snowflake given as int, str or a payload with an ``id``."""
    if isinstance(value, Mapping):
        return int(value["id"])
    return int(value)


# --------------------------------------------------------------------------------------------
# Errors and validation
# --------------------------------------------------------------------------------------------
class DiscordError(Exception):
    """An error answer in Discord's JSON shape ``{"code", "message", "errors"?}``."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> JSON:
        """The JSON body Discord would send."""
        body: JSON = {"code": self.code, "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def _unknown(code: int, what: str) -> DiscordError:
    return DiscordError(404, code, f"Unknown {what}")


class FormErrors:
    """Collects field errors into Discord's nested ``errors`` object."""

    def __init__(self) -> None:
        self.tree: JSON = {}

    def add(self, path: Sequence[str | int], code: str, message: str) -> None:
        """Adds one error at ``path`` (keys and list indexes)."""
        node = self.tree
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def max_length(self, path: Sequence[str | int], value: Any, limit: int) -> None:
        """Errors if ``value`` is a string or list longer than ``limit``."""
        if isinstance(value, str | list) and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def length_between(self, path: Sequence[str | int], value: Any, low: int, high: int) -> None:
        """Errors if ``value`` is missing or its length is outside ``low..high``."""
        if value is None or (isinstance(value, str) and low > 0 and not value):
            self.add(path, "BASE_TYPE_REQUIRED", "This field is required")
        elif isinstance(value, str | list) and not low <= len(value) <= high:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")

    def int_between(self, path: Sequence[str | int], value: Any, low: int, high: int) -> None:
        """Errors if ``value`` is given and not an integer within ``low..high``."""
        if value is None:
            return
        if not isinstance(value, int) or isinstance(value, bool):
            self.add(path, "NUMBER_TYPE_COERCE", f'Value "{value}" is not int.')
        elif value < low:
            self.add(
                path, "NUMBER_TYPE_MIN", f"Int value should be greater than or equal to {low}."
            )
        elif value > high:
            self.add(path, "NUMBER_TYPE_MAX", f"int value should be less than or equal to {high}.")

    def raise_if_any(self) -> None:
        """Raises the 400 Invalid Form Body error if anything was collected."""
        if self.tree:
            raise DiscordError(400, ERR_INVALID_FORM_BODY, "Invalid Form Body", self.tree)


def _validate_embeds(embeds: Any, errors: FormErrors, path: tuple[str | int, ...]) -> None:
    if not isinstance(embeds, list):
        errors.add(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return
    errors.max_length(path, embeds, MAX_EMBEDS)
    total = 0
    for index, embed in enumerate(embeds):
        here = (*path, index)
        if not isinstance(embed, dict):
            errors.add(here, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        for key, limit in (("title", MAX_EMBED_TITLE), ("description", MAX_EMBED_DESCRIPTION)):
            value = embed.get(key)
            if isinstance(value, str):
                errors.max_length((*here, key), value, limit)
                total += len(value)
        fields = embed.get("fields") or []
        errors.max_length((*here, "fields"), fields, MAX_EMBED_FIELDS)
        for f_index, embed_field in enumerate(fields):
            f_path = (*here, "fields", f_index)
            name, value = embed_field.get("name"), embed_field.get("value")
            errors.length_between((*f_path, "name"), name, 1, MAX_FIELD_NAME)
            errors.length_between((*f_path, "value"), value, 1, MAX_FIELD_VALUE)
            total += len(name or "") + len(value or "")
        footer = embed.get("footer")
        if isinstance(footer, dict):
            text = footer.get("text")
            errors.length_between((*here, "footer", "text"), text, 1, MAX_FOOTER_TEXT)
            total += len(text or "")
        author = embed.get("author")
        if isinstance(author, dict):
            name = author.get("name")
            errors.length_between((*here, "author", "name"), name, 1, MAX_AUTHOR_NAME)
            total += len(name or "")
    if total > MAX_EMBED_TOTAL:
        errors.add(
            path, "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL}"
        )


def _validate_button(
    button: JSON, errors: FormErrors, path: tuple[str | int, ...], seen: set[str]
) -> None:
    style = button.get("style")
    if style not in BUTTON_STYLES:
        errors.add(
            (*path, "style"), "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4, 5, 6)."
        )
    errors.max_length((*path, "label"), button.get("label"), MAX_BUTTON_LABEL)
    if style == BUTTON_STYLE_LINK:
        if not button.get("url"):
            errors.add((*path, "url"), "BUTTON_COMPONENT_URL_REQUIRED", "A url is required")
        if button.get("custom_id") is not None:
            errors.add(
                (*path, "custom_id"),
                "BUTTON_COMPONENT_CUSTOM_ID_INVALID",
                "A custom id cannot be specified for link buttons",
            )
    elif style != BUTTON_STYLE_PREMIUM:
        _validate_custom_id(button.get("custom_id"), errors, (*path, "custom_id"), seen)
        if not button.get("label") and not button.get("emoji"):
            errors.add(path, "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED", "Label or emoji required")


def _validate_custom_id(
    custom_id: Any, errors: FormErrors, path: tuple[str | int, ...], seen: set[str]
) -> None:
    errors.length_between(path, custom_id, 1, MAX_CUSTOM_ID)
    if isinstance(custom_id, str) and custom_id:
        if custom_id in seen:
            errors.add(
                path, "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated"
            )
        seen.add(custom_id)


def _validate_select(
    select: JSON, errors: FormErrors, path: tuple[str | int, ...], seen: set[str]
) -> None:
    _validate_custom_id(select.get("custom_id"), errors, (*path, "custom_id"), seen)
    errors.max_length((*path, "placeholder"), select.get("placeholder"), MAX_SELECT_PLACEHOLDER)
    errors.int_between((*path, "min_values"), select.get("min_values"), 0, MAX_SELECT_OPTIONS)
    errors.int_between((*path, "max_values"), select.get("max_values"), 1, MAX_SELECT_OPTIONS)
    if select.get("type") == COMPONENT_STRING_SELECT:
        options = select.get("options")
        errors.length_between((*path, "options"), options, 1, MAX_SELECT_OPTIONS)
        for index, option in enumerate(options or []):
            o_path = (*path, "options", index)
            errors.length_between(
                (*o_path, "label"), option.get("label"), 1, MAX_SELECT_OPTION_TEXT
            )
            errors.length_between(
                (*o_path, "value"), option.get("value"), 1, MAX_SELECT_OPTION_TEXT
            )
            errors.max_length(
                (*o_path, "description"), option.get("description"), MAX_SELECT_OPTION_TEXT
            )


def _validate_interactive(
    component: JSON, errors: FormErrors, path: tuple[str | int, ...], seen: set[str]
) -> None:
    kind = component.get("type")
    if kind == COMPONENT_BUTTON:
        _validate_button(component, errors, path, seen)
    elif kind in SELECT_TYPES:
        _validate_select(component, errors, path, seen)
    elif kind == COMPONENT_TEXT_INPUT:
        errors.add(
            (*path, "type"), "COMPONENT_TYPE_INVALID", "Text inputs are only allowed in modals"
        )


def _validate_action_rows(rows: Any, errors: FormErrors, path: tuple[str | int, ...]) -> None:
    if not isinstance(rows, list):
        errors.add(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return
    errors.max_length(path, rows, MAX_ACTION_ROWS)
    seen: set[str] = set()
    for index, row in enumerate(rows):
        here = (*path, index)
        if row.get("type") != COMPONENT_ACTION_ROW:
            errors.add(
                (*here, "type"),
                "COMPONENT_LAYOUT_INVALID",
                "Only action rows are allowed at the top level without components v2",
            )
            continue
        children = row.get("components")
        errors.length_between((*here, "components"), children, 1, MAX_ROW_COMPONENTS)
        children = children or []
        if any(c.get("type") in SELECT_TYPES for c in children) and len(children) > 1:
            errors.add(
                (*here, "components"),
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )
        for c_index, child in enumerate(children):
            _validate_interactive(child, errors, (*here, "components", c_index), seen)


def _walk_components(components: Iterable[JSON]) -> Iterable[JSON]:
    """Every component, depth first, including those inside rows, sections and containers."""
    for component in components:
        yield component
        yield from _walk_components(component.get("components") or [])
        for key in ("accessory", "component"):
            inner = component.get(key)
            if isinstance(inner, dict):
                yield from _walk_components([inner])


def _validate_components_v2(
    components: Any, errors: FormErrors, path: tuple[str | int, ...]
) -> None:
    if not isinstance(components, list):
        errors.add(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return
    every = list(_walk_components(components))
    if len(every) > MAX_V2_COMPONENTS:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_V2_COMPONENTS} or fewer in length.")
    text = sum(len(c.get("content") or "") for c in every if c.get("type") == 10)
    if text > MAX_V2_TEXT:
        errors.add(
            path, "MAX_TEXT_DISPLAY_LENGTH_EXCEEDED", f"Text must be {MAX_V2_TEXT} or fewer."
        )
    seen: set[str] = set()
    for index, component in enumerate(every):
        _validate_interactive(component, errors, (*path, index), seen)


def validate_message_payload(
    body: JSON, errors: FormErrors, path: tuple[str | int, ...] = ()
) -> None:
    """Checks a message body (content, embeds, components, allowed_mentions) against limits."""
    content = body.get("content")
    if content is not None and not isinstance(content, str):
        errors.add((*path, "content"), "STRING_TYPE_CONVERT", "Could not interpret as string.")
    else:
        errors.max_length((*path, "content"), content, MAX_CONTENT)
    if body.get("embeds") is not None:
        _validate_embeds(body["embeds"], errors, (*path, "embeds"))
    flags = int(body.get("flags") or 0)
    components = body.get("components")
    if components is not None:
        if flags & FLAG_COMPONENTS_V2:
            _validate_components_v2(components, errors, (*path, "components"))
            if body.get("content") or body.get("embeds"):
                errors.add(
                    path,
                    "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                    "The 'content' and 'embeds' fields cannot be used with components v2",
                )
        else:
            _validate_action_rows(components, errors, (*path, "components"))
    mentions = body.get("allowed_mentions")
    if isinstance(mentions, dict):
        parse = mentions.get("parse") or []
        for kind in ("users", "roles"):
            if kind in parse and mentions.get(kind):
                errors.add(
                    (*path, "allowed_mentions"),
                    "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                    f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
                )


def _is_empty_message(message: JSON, files: Sequence[str] = ()) -> bool:
    return not (
        (message.get("content") or "").strip()
        or message.get("embeds")
        or message.get("components")
        or message.get("sticker_ids")
        or message.get("poll")
        or message.get("attachments")
        or files
    )


def _empty_message_error() -> DiscordError:
    return DiscordError(400, ERR_EMPTY_MESSAGE, "Cannot send an empty message")


def _validate_text_input(
    text_input: JSON,
    errors: FormErrors,
    path: tuple[str | int, ...],
    seen: set[str],
    *,
    in_label: bool,
) -> None:
    _validate_custom_id(text_input.get("custom_id"), errors, (*path, "custom_id"), seen)
    if text_input.get("style") not in TEXT_INPUT_STYLES:
        errors.add((*path, "style"), "BASE_TYPE_CHOICES", "Value must be one of (1, 2).")
    label = text_input.get("label")
    if in_label:
        errors.max_length((*path, "label"), label, MAX_TEXT_INPUT_LABEL)
    else:
        errors.length_between((*path, "label"), label, 1, MAX_TEXT_INPUT_LABEL)
    min_length, max_length = text_input.get("min_length"), text_input.get("max_length")
    errors.int_between((*path, "min_length"), min_length, 0, MAX_TEXT_INPUT_LENGTH)
    errors.int_between((*path, "max_length"), max_length, 1, MAX_TEXT_INPUT_LENGTH)
    if isinstance(min_length, int) and isinstance(max_length, int) and min_length > max_length:
        errors.add((*path, "min_length"), "BASE_TYPE_BAD_LENGTH", "min_length exceeds max_length")
    errors.max_length((*path, "value"), text_input.get("value"), MAX_TEXT_INPUT_LENGTH)
    errors.max_length(
        (*path, "placeholder"), text_input.get("placeholder"), MAX_TEXT_INPUT_PLACEHOLDER
    )


def validate_modal_payload(modal: JSON, errors: FormErrors, path: tuple[str | int, ...]) -> None:
    """Checks a modal (callback type 9 data): title, custom_id, text inputs, labels."""
    errors.length_between((*path, "title"), modal.get("title"), 1, MAX_MODAL_TITLE)
    seen: set[str] = set()
    custom_id = modal.get("custom_id")
    errors.length_between((*path, "custom_id"), custom_id, 1, MAX_CUSTOM_ID)
    components = modal.get("components")
    errors.length_between((*path, "components"), components, 1, MAX_MODAL_COMPONENTS)
    for index, component in enumerate(components or []):
        here = (*path, "components", index)
        kind = component.get("type")
        if kind == COMPONENT_ACTION_ROW:
            children = component.get("components") or []
            errors.length_between((*here, "components"), children, 1, 1)
            for c_index, child in enumerate(children):
                c_path = (*here, "components", c_index)
                if child.get("type") == COMPONENT_TEXT_INPUT:
                    _validate_text_input(child, errors, c_path, seen, in_label=False)
                else:
                    _validate_interactive(child, errors, c_path, seen)
        elif kind == COMPONENT_LABEL:
            errors.length_between((*here, "label"), component.get("label"), 1, MAX_TEXT_INPUT_LABEL)
            errors.max_length(
                (*here, "description"), component.get("description"), MAX_LABEL_DESCRIPTION
            )
            inner = component.get("component") or {}
            if inner.get("type") == COMPONENT_TEXT_INPUT:
                _validate_text_input(inner, errors, (*here, "component"), seen, in_label=True)
            else:
                _validate_interactive(inner, errors, (*here, "component"), seen)
        elif kind == COMPONENT_TEXT_DISPLAY:
            errors.max_length((*here, "content"), component.get("content"), MAX_V2_TEXT)


def validate_autocomplete_payload(
    data: JSON, errors: FormErrors, path: tuple[str | int, ...]
) -> None:
    """Checks autocomplete choices: at most 25, names and string values 1-100 characters."""
    choices = data.get("choices")
    if choices is None:
        errors.add((*path, "choices"), "BASE_TYPE_REQUIRED", "This field is required")
        return
    errors.max_length((*path, "choices"), choices, MAX_AUTOCOMPLETE_CHOICES)
    for index, choice in enumerate(choices):
        c_path = (*path, "choices", index)
        errors.length_between((*c_path, "name"), choice.get("name"), 1, MAX_CHOICE_NAME)
        value = choice.get("value")
        if isinstance(value, str) or value is None:
            errors.length_between((*c_path, "value"), value, 1, MAX_CHOICE_VALUE)


def _validate_command_options(
    options: list[JSON], errors: FormErrors, path: tuple[str | int, ...]
) -> None:
    errors.max_length(path, options, MAX_COMMAND_OPTIONS)
    for index, option in enumerate(options):
        o_path = (*path, index)
        name = option.get("name")
        if not isinstance(name, str) or not COMMAND_NAME_RE.match(name) or name != name.lower():
            errors.add((*o_path, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Invalid name")
        errors.length_between(
            (*o_path, "description"), option.get("description"), 1, MAX_COMMAND_DESCRIPTION
        )
        choices = option.get("choices") or []
        errors.max_length((*o_path, "choices"), choices, MAX_AUTOCOMPLETE_CHOICES)
        for c_index, choice in enumerate(choices):
            errors.length_between(
                (*o_path, "choices", c_index, "name"), choice.get("name"), 1, MAX_CHOICE_NAME
            )
        _validate_command_options(option.get("options") or [], errors, (*o_path, "options"))


def validate_commands_payload(commands: Any, errors: FormErrors) -> None:
    """Checks a bulk-overwrite command list (names, descriptions, options, duplicates)."""
    if not isinstance(commands, list):
        errors.add((), "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return
    errors.max_length((), commands, MAX_COMMANDS)
    seen: set[tuple[str, int]] = set()
    for index, command in enumerate(commands):
        kind = int(command.get("type") or COMMAND_CHAT_INPUT)
        name = command.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= MAX_COMMAND_NAME:
            errors.add(
                (index, "name"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length."
            )
        elif kind == COMMAND_CHAT_INPUT and not COMMAND_NAME_RE.match(name):
            errors.add((index, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Invalid name")
        if (name, kind) in seen:
            errors.add(
                (index, "name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique: {name}",
            )
        seen.add((str(name), kind))
        if kind == COMMAND_CHAT_INPUT:
            errors.length_between(
                (index, "description"), command.get("description"), 1, MAX_COMMAND_DESCRIPTION
            )
        _validate_command_options(command.get("options") or [], errors, (index, "options"))


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------
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
    status: int = 0
    response: Any = None
    interaction_token: str | None = None

    def header(self, name: str) -> str | None:
        """A request header, looked up case-insensitively."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)

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
class GatewayFrame:
    """One gateway frame, as sent by the fake (``out``) or received from a client (``in``)."""

    direction: str
    session_id: str | None
    shard_id: int | None
    op: int | None
    event: str | None
    data: Any
    seq: int | None = None


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
        return self.status, self.body or _default_error_body(self.status), headers


def _default_error_body(status: int) -> JSON:
    defaults: dict[int, JSON] = {
        400: {"code": ERR_INVALID_FORM_BODY, "message": "Invalid Form Body", "errors": {}},
        401: {"code": ERR_GENERAL, "message": "401: Unauthorized"},
        403: {"code": ERR_MISSING_ACCESS, "message": "Missing Access"},
        404: {"code": ERR_UNKNOWN_CHANNEL, "message": "Unknown Channel"},
        500: {"code": ERR_GENERAL, "message": "500: Internal Server Error"},
        502: {"code": ERR_GENERAL, "message": "502: Bad Gateway"},
    }
    return defaults.get(status, {"code": ERR_GENERAL, "message": f"{status}: Error"})


@dataclass
class FakeGuild:
    """A guild the fake serves: roles, channel ids and members (user id -> member payload)."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, JSON] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    members: dict[int, JSON] = field(default_factory=dict)


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


@dataclass
class _InteractionState:
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


# --------------------------------------------------------------------------------------------
# Interaction handle
# --------------------------------------------------------------------------------------------
class InteractionHandle:
    """What a test holds after sending an interaction: its payload and everything answered."""

    def __init__(self, fake: FakeDiscord, state: _InteractionState) -> None:
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
    def callback_type(self) -> int | None:
        """The accepted callback type (4, 5, 6, 7, 8 or 9), if any."""
        return self._state.callback_type

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
# The fake
# --------------------------------------------------------------------------------------------
_Handler = Callable[[RecordedRequest, re.Match[str]], Any]


class FakeDiscord:
    """A fake Discord REST API and gateway, served by aiohttp on 127.0.0.1 (port 0).

    The default scene: one guild (``guild_id``) with text channels ``general`` (``channel_id``)
    and ``daily`` (``daily_channel_id``); users ``user`` (a plain member), ``admin`` (a member
    whose role has Manage Server), ``owner`` (the guild owner) and the bot (``bot_user``).
    Configure ``shard_count``, ``privileged_intents``, ``interaction_deadline`` and
    ``echo_bot_messages`` before the client connects.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        shard_count: int = 1,
        privileged_intents: int = PRIVILEGED_INTENTS,
        interaction_deadline: float | None = INTERACTION_DEADLINE_S,
        echo_bot_messages: bool = True,
    ) -> None:
        self.token = token
        self.shard_count = shard_count
        self.privileged_intents = privileged_intents
        self.interaction_deadline = interaction_deadline
        self.echo_bot_messages = echo_bot_messages

        self.requests: list[RecordedRequest] = []
        self.gateway_frames: list[GatewayFrame] = []
        self.synced_commands: dict[int | None, list[JSON]] = {}
        self.users: dict[int, JSON] = {}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, JSON] = {}
        self.messages: dict[int, JSON] = {}
        self.thread_members: dict[int, set[int]] = {}
        self.failures: list[InjectedFailure] = []

        self.user_delay = USER_REACTION_DELAY_S
        self._last_snowflake = 0
        self._in_flight = 0
        self._sessions: dict[str, _Session] = {}
        self._connections: set[_Connection] = set()
        self._interactions: dict[str, _InteractionState] = {}
        self._command_ids: dict[tuple[int | None, str, int], int] = {}
        self._changed = asyncio.Event()
        self._routes: list[tuple[str, re.Pattern[str], _Handler, bool]] = []
        self._runner: web.AppRunner | None = None
        self._socket: socket.socket | None = None
        self.port = 0

        self.application_id = self.new_snowflake()
        self.bot_user = self._make_user("interview-bot", bot=True, user_id=self.application_id)
        self.owner = self._make_user("owner")
        self.user = self._make_user("alice")
        self.admin = self._make_user("admin")
        guild = self.add_guild("Fake Guild", owner_id=_as_int(self.owner))
        self.guild_id = guild.id
        self.channel_id = next(iter(guild.channel_ids))
        self.daily_channel_id = int(self.add_text_channel("daily", guild_id=guild.id)["id"])
        manager_role = self.add_role("Server Manager", MEMBER_PERMISSIONS | PERM_MANAGE_GUILD)
        self.manager_role_id = int(manager_role["id"])
        self.add_member(self.owner)
        self.add_member(self.user)
        self.add_member(self.admin, roles=[self.manager_role_id])
        self._register_routes()

    # ---------------------------------------------------------------- lifecycle and urls
    async def start(self) -> None:
        """Starts the server on 127.0.0.1 with a free port."""
        app = web.Application()
        app.router.add_get(GATEWAY_PATH, self._gateway_handler)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._http_handler)
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

    @property
    def gateway_url(self) -> str:
        """The value for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``."""
        return f"ws://127.0.0.1:{self.port}{GATEWAY_PATH}"

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

    def add_user(self, username: str, *, bot: bool = False) -> JSON:
        """Creates a user (not yet a guild member) and returns its payload."""
        return self._make_user(username, bot=bot)

    def add_guild(
        self, name: str, *, owner_id: int | None = None, shard: tuple[int, int] | None = None
    ) -> FakeGuild:
        """Adds a guild with an @everyone role, a bot role and a ``general`` text channel.

        ``shard=(shard_id, shard_count)`` picks an id that Discord would route to that shard.
        Add guilds before the client connects (they are announced in READY).
        """
        gid = self.new_snowflake(shard=shard)
        guild = FakeGuild(id=gid, name=name, owner_id=owner_id or _as_int(self.owner))
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
        uid = _as_int(user)
        guild = self.guilds[guild_id or self.guild_id]
        member: JSON = {
            "user": self.users[uid],
            "roles": [str(r) for r in roles],
            "nick": None,
            "avatar": None,
            "banner": None,
            "joined_at": _iso(),
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
        uid = _as_int(user)
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

    # ---------------------------------------------------------------- queries for tests
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

    @property
    def identifies(self) -> list[GatewayFrame]:
        """IDENTIFY frames received from clients."""
        return [f for f in self.gateway_frames if f.direction == "in" and f.op == OP_IDENTIFY]

    @property
    def resumes(self) -> list[GatewayFrame]:
        """RESUME frames received from clients."""
        return [f for f in self.gateway_frames if f.direction == "in" and f.op == OP_RESUME]

    def opened_modals(self) -> list[JSON]:
        """Every modal the client opened (callback type 9 data), oldest first."""
        return [s.modal for s in self._interactions.values() if s.modal is not None]

    # ---------------------------------------------------------------- waiting
    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

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

    async def wait_for_request(
        self,
        method: str,
        path_pattern: str,
        timeout: float = DEFAULT_WAIT_TIMEOUT_S,
        *,
        since: int = 0,
        ok: bool | None = None,
    ) -> RecordedRequest:
        """Waits for a request by method and path regex (``ok``: only 2xx / only errors)."""
        compiled = re.compile(path_pattern)

        def predicate(r: RecordedRequest) -> bool:
            return (
                r.method == method.upper()
                and compiled.search(r.path) is not None
                and (ok is None or r.ok == ok)
            )

        return await self.wait_for(predicate, timeout, since=since)

    async def wait_for_session(
        self, shard_id: int = 0, timeout: float = DEFAULT_WAIT_TIMEOUT_S
    ) -> None:
        """Waits until a client has identified for ``shard_id`` and got READY."""

        def check() -> bool | None:
            return True if self._live_session(shard_id) is not None else None

        await self.wait_until(check, timeout, f"a gateway session for shard {shard_id}")

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

    async def _read_body(self, request: web.Request) -> tuple[Any, list[str]]:
        if not request.can_read_body:
            return None, []
        ctype = request.content_type
        if ctype == "multipart/form-data":
            payload: Any = None
            files: list[str] = []
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                if part.name == "payload_json":
                    payload = json.loads(await part.text())
                else:
                    files.append(part.filename or part.name or "file")
                    await part.read()
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
        body, files = await self._read_body(request)
        record = RecordedRequest(
            index=-1,
            method=request.method,
            path=path,
            query=dict(request.query),
            json=body,
            headers=dict(request.headers),
            files=files,
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

    # ---------------------------------------------------------------- gateway
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

    async def dispatch_event(self, event: str, data: JSON, *, guild_id: int | None = None) -> None:
        """Sends a raw dispatch to the session that owns ``guild_id`` (shard 0 for None)."""
        await self._dispatch(self._session_for(guild_id), event, data)

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
        bot_id = _as_int(self.bot_user)
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
            "joined_at": _iso(),
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
            raise _unknown(ERR_UNKNOWN_USER, "User")
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
            raise _unknown(ERR_UNKNOWN_USER, "User")
        return 200, self.dm_channel(recipient)

    def dm_channel(self, user: JSON | int) -> JSON:
        """The DM channel between the bot and a user (created on first use)."""
        uid = _as_int(user)
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
            raise _unknown(ERR_UNKNOWN_GUILD, "Guild")
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
        interaction: _InteractionState | None = None,
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
            "timestamp": _iso(),
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
        message["edited_timestamp"] = _iso()
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
            raise _unknown(ERR_UNKNOWN_CHANNEL, "Channel")
        return channel

    def _channel_message_or_404(self, channel: JSON, raw_id: str) -> JSON:
        message = self.messages.get(int(raw_id)) if raw_id.isdigit() else None
        if (
            message is None
            or message["channel_id"] != channel["id"]
            or int(message["flags"]) & FLAG_EPHEMERAL
        ):
            raise _unknown(ERR_UNKNOWN_MESSAGE, "Message")
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
        if _is_empty_message(body, record.files):
            raise _empty_message_error()
        self._check_writable(channel)
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
        if _is_empty_message(updated):
            raise _empty_message_error()
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
                meta["archive_timestamp"] = _iso()
        event = "THREAD_UPDATE" if meta is not None else "CHANNEL_UPDATE"
        await self._deliver_guild_event(event, channel)
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
        now = _iso()
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
        self.thread_members[tid] = {_as_int(self.bot_user)}
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
        uid = _as_int(self.bot_user) if raw_uid == "@me" else int(raw_uid)
        guild = self.guilds[int(thread["guild_id"])]
        if uid not in guild.members:
            raise _unknown(ERR_UNKNOWN_MEMBER, "Member")
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
            raise _unknown(ERR_UNKNOWN_GUILD, "Guild")
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
            raise _unknown(ERR_UNKNOWN_MEMBER, "Member")
        return 200, member

    # ---------------------------------------------------------------- interactions: REST side
    def _interaction_or_404(self, token: str, code: int, what: str) -> _InteractionState:
        state = self._interactions.get(token)
        if state is None:
            raise _unknown(code, what)
        return state

    async def _callback(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        state = self._interaction_or_404(match["token"], ERR_UNKNOWN_INTERACTION, "interaction")
        if str(state.id) != match["interaction_id"]:
            raise _unknown(ERR_UNKNOWN_INTERACTION, "interaction")
        if state.callback_type is not None:
            raise DiscordError(
                400, ERR_ALREADY_ACKNOWLEDGED, "Interaction has already been acknowledged."
            )
        loop_now = asyncio.get_running_loop().time()
        if (
            self.interaction_deadline is not None
            and loop_now - state.dispatched_at > self.interaction_deadline
        ):
            raise _unknown(ERR_UNKNOWN_INTERACTION, "interaction")
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
        if kind == CALLBACK_MESSAGE and _is_empty_message(data, record.files):
            raise _empty_message_error()
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
                raise _unknown(ERR_UNKNOWN_MESSAGE, "Message")
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
    def _response_message_type(state: _InteractionState) -> int:
        return MESSAGE_CHAT_INPUT_COMMAND if state.type == INTERACTION_COMMAND else MESSAGE_DEFAULT

    def _interaction_channel(self, state: _InteractionState) -> JSON:
        return self.channels[state.channel_id]

    def _webhook_state(self, match: re.Match[str]) -> _InteractionState:
        state = self._interaction_or_404(match["token"], ERR_UNKNOWN_WEBHOOK, "Webhook")
        if match["app_id"] != str(self.application_id) or state.callback_type is None:
            raise _unknown(ERR_UNKNOWN_WEBHOOK, "Webhook")
        age = asyncio.get_running_loop().time() - state.dispatched_at
        if age > INTERACTION_TOKEN_LIFETIME_S:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        return state

    async def _followup(self, record: RecordedRequest, match: re.Match[str]) -> tuple[int, Any]:
        state = self._webhook_state(match)
        body = self._validated_body(record)
        if _is_empty_message(body, record.files):
            raise _empty_message_error()
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
            raise _unknown(ERR_UNKNOWN_MESSAGE, "Message")
        message = self.messages[mid]
        if record.method == "GET":
            return 200, message
        if record.method == "DELETE":
            await self._delete_message(message)
            return 204, None
        body = self._validated_body(record)
        await self._edit_message(message, body, record.files)
        return 200, message

    # ---------------------------------------------------------------- interactions: driving
    def _user_payload(self, user: JSON | int | None) -> JSON:
        uid = _as_int(self.user if user is None else user)
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
    ) -> _InteractionState:
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
                guild={"id": str(guild_id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                channel_id=channel["id"],
                channel={**channel, "permissions": str(held)},
                member={**member, "permissions": str(held)},
                context=0,
                authorizing_integration_owners={"0": str(guild_id)},
                app_permissions=str(self.member_permissions(self.bot_user, guild_id)),
            )
        if message is not None:
            payload["message"] = message
        state = _InteractionState(
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

    async def _send_interaction(self, state: _InteractionState) -> InteractionHandle:
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
        object_id = _as_int(value)
        if kind in (OPTION_USER, OPTION_MENTIONABLE) and object_id in self.users:
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
        viewer = _as_int(self._user_payload(user))
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
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Dispatches a slash command as a user would send it; returns its handle.

        ``name`` may include subcommands (``"interview start"``). ``options`` maps option names
        to values (ints or payloads for user/channel/role options). The command must have been
        synced (its id and option types come from the sync); unknown options, missing required
        ones or values outside ``choices`` raise ``ValueError``, as Discord's client would not
        send them. ``user`` defaults to :attr:`user`; the channel is ``channel_id``, else the
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
        locale: str = "en-US",
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
        uid = _as_int(self._user_payload(user))
        if message is not None:
            mid = _as_int(message)
            if mid not in self.messages:
                raise ValueError(f"unknown message {mid}")
            candidates = [self.messages[mid]]
        else:
            candidates = [
                m for m in reversed(self.messages.values()) if self._message_visible_to(m, uid)
            ]
        for candidate in candidates:
            for component in _walk_components(candidate.get("components") or []):
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
        locale: str = "en-US",
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
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Picks ``values`` in a string select menu (the newest one if ``custom_id`` is None)."""
        found_message: JSON | None = None
        select: JSON | None = None
        if custom_id is not None:
            found_message, select = self.find_component(
                custom_id=custom_id, message=message, user=user, kinds=SELECT_TYPES
            )
        else:
            uid = _as_int(self._user_payload(user))
            for candidate in reversed(self.messages.values()):
                if not self._message_visible_to(candidate, uid):
                    continue
                selects = [
                    c
                    for c in _walk_components(candidate.get("components") or [])
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
        locale: str = "en-US",
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
                "message_id": str(_as_int(reply_to)),
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
