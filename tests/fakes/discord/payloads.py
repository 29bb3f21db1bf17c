"""Discord's protocol as the fake speaks it (API v10): constants, payload shapes and limits,
validation of message, modal, autocomplete and command payloads, and Discord's error bodies
(HTTP 400 code 50035 "Invalid Form Body" with the nested ``errors``).

Character limits are counted in Unicode code points (``len`` of a Python ``str``).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

JSON = dict[str, Any]

# --------------------------------------------------------------------------------------------
# Protocol constants
# --------------------------------------------------------------------------------------------
API_VERSION: Final = 10
API_PREFIX: Final = f"/api/v{API_VERSION}"
GATEWAY_PATH: Final = "/gateway"
# Where attachments are served (Discord's CDN, cdn.discordapp.com): no bot token, a signed URL.
CDN_ATTACHMENTS_PATH: Final = "/attachments"
DISCORD_EPOCH_MS: Final = 1_420_070_400_000
SNOWFLAKE_TIMESTAMP_SHIFT: Final = 22
HEARTBEAT_INTERVAL_MS: Final = 41_250

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
OPTION_ATTACHMENT: Final = 11
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
ERR_CANNOT_MESSAGE_USER: Final = 50007
ERR_MISSING_PERMISSIONS: Final = 50013
ERR_WRONG_CHANNEL_TYPE: Final = 50024
ERR_INVALID_FORM_BODY: Final = 50035
ERR_ALREADY_ACKNOWLEDGED: Final = 40060
ERR_THREAD_LOCKED: Final = 50083
ERR_THREAD_ALREADY_CREATED: Final = 160004

MENTION_USER_RE: Final = re.compile(r"<@!?(\d+)>")
MENTION_ROLE_RE: Final = re.compile(r"<@&(\d+)>")
EVERYONE_MENTIONS: Final = ("@everyone", "@here")


def iso_timestamp(timestamp: float | None = None) -> str:
    """An ISO-8601 UTC timestamp in Discord's format."""
    moment = time.time() if timestamp is None else timestamp
    return dt.datetime.fromtimestamp(moment, tz=dt.UTC).isoformat(timespec="microseconds")


def as_int(value: Any) -> int:
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


def unknown_error(code: int, what: str) -> DiscordError:
    return DiscordError(404, code, f"Unknown {what}")


def default_error_body(status: int) -> JSON:
    defaults: dict[int, JSON] = {
        400: {"code": ERR_INVALID_FORM_BODY, "message": "Invalid Form Body", "errors": {}},
        401: {"code": ERR_GENERAL, "message": "401: Unauthorized"},
        403: {"code": ERR_MISSING_ACCESS, "message": "Missing Access"},
        404: {"code": ERR_UNKNOWN_CHANNEL, "message": "Unknown Channel"},
        500: {"code": ERR_GENERAL, "message": "500: Internal Server Error"},
        502: {"code": ERR_GENERAL, "message": "502: Bad Gateway"},
    }
    return defaults.get(status, {"code": ERR_GENERAL, "message": f"{status}: Error"})


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


def walk_components(components: Iterable[JSON]) -> Iterable[JSON]:
    """Every component, depth first, including those inside rows, sections and containers."""
    for component in components:
        yield component
        yield from walk_components(component.get("components") or [])
        for key in ("accessory", "component"):
            inner = component.get(key)
            if isinstance(inner, dict):
                yield from walk_components([inner])


def _validate_components_v2(
    components: Any, errors: FormErrors, path: tuple[str | int, ...]
) -> None:
    if not isinstance(components, list):
        errors.add(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return
    every = list(walk_components(components))
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


def is_empty_message(message: JSON, files: Sequence[str] = ()) -> bool:
    return not (
        (message.get("content") or "").strip()
        or message.get("embeds")
        or message.get("components")
        or message.get("sticker_ids")
        or message.get("poll")
        or message.get("attachments")
        or files
    )


def empty_message_error() -> DiscordError:
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


# The locales Discord accepts as localization keys.
DISCORD_LOCALES: Final = frozenset(
    {
        *("id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu"),
        *("nl", "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru"),
        *("uk", "hi", "th", "zh-CN", "ja", "zh-TW", "ko"),
    }
)


def _validate_localizations(
    value: Any, errors: FormErrors, path: tuple[str | int, ...], longest: int
) -> None:
    """``name_localizations`` / ``description_localizations``: known locales, sized texts."""
    if value is None:
        return
    if not isinstance(value, dict):
        errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    for locale, text in value.items():
        if locale not in DISCORD_LOCALES:
            errors.add((*path, locale), "LOCALE_NOT_SUPPORTED", f"Unknown locale {locale}")
        errors.length_between((*path, locale), text, 1, longest)


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
        _validate_localizations(
            option.get("description_localizations"),
            errors,
            (*o_path, "description_localizations"),
            MAX_COMMAND_DESCRIPTION,
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
        _validate_localizations(
            command.get("description_localizations"),
            errors,
            (index, "description_localizations"),
            MAX_COMMAND_DESCRIPTION,
        )
        _validate_localizations(
            command.get("name_localizations"), errors, (index, "name_localizations"), 32
        )
        _validate_command_options(command.get("options") or [], errors, (index, "options"))
