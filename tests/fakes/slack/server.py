"""A fake Slack on 127.0.0.1 for driving the real slack-bolt ``AsyncApp`` end to end.

It serves, on one aiohttp server bound to port 0:

* the Web API (``/api/<method>``) with Slack's token checks, Slack-style validation of
  messages, Block Kit and modals, and injectable failures (429 with ``Retry-After``, 5xx,
  ``ok: false`` errors); every call is recorded;
* ``response_url`` endpoints (``/response/<id>``) handed out in slash-command and
  interaction payloads, recording what the app posts and applying it to the message store;
* the Socket Mode websocket (``/socket``) returned by ``apps.connections.open``: it greets
  with ``hello``, answers pings, sends envelopes on demand and records the acks.

Requests into the app are built here too: slash commands, block actions, view submissions and
Events API callbacks, delivered either over HTTP (signed like Slack, or deliberately badly)
or as Socket Mode envelopes. Both transports return a :class:`Delivery`, so one test body can
run in both modes through a :class:`SlackDriver`.

The fake keeps a small model of the workspace: users (with admin/owner flags), channels,
messages (including ephemeral ones, acks and ``response_url`` posts) and open modals, so a test
can find the button a bot posted and press it, or open a modal and submit it.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import itertools
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, TypeVar
from urllib.parse import urlencode

from aiohttp import ClientSession, WSCloseCode, WSMsgType, web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

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
DEFAULT_BOT_TOKEN = "xoxb-fake-bot-token"
DEFAULT_APP_TOKEN = "xapp-fake-app-token"
DEFAULT_SIGNING_SECRET = "fake-signing-secret"
VERIFICATION_TOKEN = "fake-verification-token"

# --------------------------------------------------------------------------------------------
# Slack's limits (checked like Slack does, answering ok:false)
# --------------------------------------------------------------------------------------------

MAX_MESSAGE_TEXT = 40_000
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT_OBJECT = 3_000
MAX_SECTION_TEXT = 3_000
MAX_SECTION_FIELDS = 10
MAX_SECTION_FIELD_TEXT = 2_000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_ACTION_ID = 255
MAX_BLOCK_ID = 255
MAX_BUTTON_VALUE = 2_000
MAX_URL = 3_000
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_INPUT_LABEL = 2_000
MAX_INPUT_HINT = 2_000
MAX_PLACEHOLDER = 150
MAX_TEXT_INPUT_LENGTH = 3_000
MAX_MODAL_TITLE = 24
MAX_MODAL_BUTTON_TEXT = 24
MAX_PRIVATE_METADATA = 3_000
MAX_CALLBACK_ID = 255
MAX_EXTERNAL_ID = 255
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_SELECT_OPTIONS = 100
MAX_OVERFLOW_OPTIONS = 5
MAX_CHOICE_OPTIONS = 10
MAX_IMAGE_ALT_TEXT = 2_000
MAX_MARKDOWN_BLOCK_TEXT = 12_000
MAX_CONFIRM_TITLE = 100
MAX_CONFIRM_TEXT = 300
MAX_CONFIRM_BUTTON = 30
MAX_RESPONSE_URL_USES = 5

# --------------------------------------------------------------------------------------------
# Test plumbing
# --------------------------------------------------------------------------------------------

DEFAULT_TIMEOUT_SECONDS = 5.0
STALE_SIGNATURE_AGE_SECONDS = 600  # Bolt rejects anything older than 300 s
DEFAULT_RETRY_AFTER_SECONDS = 1
DEFAULT_MAX_RETRY_COUNT = 2
LEAK_GRACE_SECONDS = 2.0
GENERATED_ID_LENGTH = 8
GENERATED_BLOCK_ID_LENGTH = 5
TRIGGER_NUMBER_MODULUS = 10**12
APPROXIMATE_CONNECTION_SECONDS = 18_060  # what Slack's hello advertises (about 5 hours)
DEFAULT_TZ_OFFSET_SECONDS = 9 * 3600  # Asia/Seoul

SignatureMode = Literal["good", "bad", "missing", "stale"]
EnvelopeKind = Literal["slash_commands", "interactive", "events_api"]
Transport = Literal["http", "socket"]

_T = TypeVar("_T")

_BUTTON_STYLES = frozenset({"primary", "danger"})
_SELECT_TYPES = frozenset(
    {
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
    }
)
_TEXT_INPUT_TYPES = frozenset(
    {"plain_text_input", "email_text_input", "url_text_input", "number_input"}
)
_PICKER_TYPES = frozenset({"datepicker", "timepicker", "datetimepicker"})
_CHOICE_TYPES = frozenset({"radio_buttons", "checkboxes"})
_ACTIONS_ELEMENTS = (
    frozenset({"button", "overflow", "workflow_button"})
    | _SELECT_TYPES
    | _PICKER_TYPES
    | _CHOICE_TYPES
)
_ACCESSORY_ELEMENTS = _ACTIONS_ELEMENTS | frozenset({"image"})
_INPUT_ELEMENTS = (
    _TEXT_INPUT_TYPES
    | _SELECT_TYPES
    | _PICKER_TYPES
    | _CHOICE_TYPES
    | frozenset({"rich_text_input", "file_input"})
)
_LOOSE_BLOCK_TYPES = frozenset({"rich_text", "file", "video", "context_actions", "table"})

_PING_RE = re.compile(
    r"<(!everyone|!channel|!here|@[UW][A-Z0-9]+|!subteam\^[A-Z0-9]+)(?:\|[^>]*)?>"
)
_BARE_PING_RE = re.compile(r"(?<![\w<&])@(everyone|channel|here)\b")


# --------------------------------------------------------------------------------------------
# Errors and validation
# --------------------------------------------------------------------------------------------


class SlackApiFailure(Exception):
    """A Slack-style ``ok: false`` answer: an error code plus ``[ERROR] ...`` detail lines."""

    def __init__(self, error: str, messages: Sequence[str] = ()) -> None:
        super().__init__(f"{error}: {'; '.join(messages)}" if messages else error)
        self.error = error
        self.messages = list(messages)

    def body(self) -> dict[str, Any]:
        """The JSON body Slack would answer with."""
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            body["errors"] = list(self.messages)
            body["response_metadata"] = {"messages": list(self.messages)}
        return body


class _Checker:
    """Collects Block Kit problems as Slack words them (``[ERROR] ... [json-pointer:...]``)."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, pointer: str, message: str) -> None:
        self.problems.append(f"[ERROR] {message} [json-pointer:{pointer}]")

    def string(
        self, value: Any, pointer: str, *, max_len: int, required: bool = False, min_len: int = 1
    ) -> None:
        if value is None:
            if required:
                self.fail(pointer, "missing required field")
            return
        if not isinstance(value, str):
            self.fail(pointer, "must be a string")
            return
        if len(value) < min_len:
            self.fail(pointer, f"must be more than {min_len - 1} characters")
        if len(value) > max_len:
            self.fail(pointer, f"must be less than {max_len + 1} characters")

    def text_object(
        self, obj: Any, pointer: str, *, max_len: int, plain_only: bool = False
    ) -> None:
        if not isinstance(obj, dict):
            self.fail(pointer, "must be a text object")
            return
        allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if obj.get("type") not in allowed:
            self.fail(f"{pointer}/type", f"must be one of {', '.join(allowed)}")
        self.string(obj.get("text"), f"{pointer}/text", max_len=max_len, required=True)

    def optional_text(self, block: Mapping[str, Any], key: str, pointer: str, max_len: int) -> None:
        if key in block:
            self.text_object(block[key], f"{pointer}/{key}", max_len=max_len, plain_only=True)

    def blocks(self, blocks: Any, pointer: str, *, max_blocks: int) -> None:
        if not isinstance(blocks, list):
            self.fail(pointer, "must be an array")
            return
        if len(blocks) > max_blocks:
            self.fail(pointer, f"no more than {max_blocks} items allowed")
        block_ids: set[str] = set()
        for index, block in enumerate(blocks):
            self.block(block, f"{pointer}/{index}", block_ids)

    def block(self, block: Any, pointer: str, block_ids: set[str]) -> None:
        if not isinstance(block, dict):
            self.fail(pointer, "must be an object")
            return
        block_id = block.get("block_id")
        if block_id is not None:
            self.string(block_id, f"{pointer}/block_id", max_len=MAX_BLOCK_ID)
            if isinstance(block_id, str):
                if block_id in block_ids:
                    self.fail(f"{pointer}/block_id", f"duplicate block_id: {block_id}")
                block_ids.add(block_id)
        kind = block.get("type")
        if kind == "section":
            self._section(block, pointer)
        elif kind == "header":
            self.text_object(
                block.get("text"), f"{pointer}/text", max_len=MAX_HEADER_TEXT, plain_only=True
            )
        elif kind == "divider":
            return
        elif kind == "actions":
            self._actions(block, pointer)
        elif kind == "context":
            self._context(block, pointer)
        elif kind == "input":
            self._input(block, pointer)
        elif kind == "image":
            self._image(block, pointer)
        elif kind == "markdown":
            self.string(
                block.get("text"), f"{pointer}/text", max_len=MAX_MARKDOWN_BLOCK_TEXT, required=True
            )
        elif kind in _LOOSE_BLOCK_TYPES:
            return
        else:
            self.fail(f"{pointer}/type", f"unsupported block type: {kind!r}")

    def _section(self, block: Mapping[str, Any], pointer: str) -> None:
        if "text" not in block and "fields" not in block:
            self.fail(pointer, "must provide either text or fields")
        if "text" in block:
            self.text_object(block["text"], f"{pointer}/text", max_len=MAX_SECTION_TEXT)
        if "fields" in block:
            fields = block["fields"]
            if not isinstance(fields, list):
                self.fail(f"{pointer}/fields", "must be an array")
            else:
                if len(fields) > MAX_SECTION_FIELDS:
                    self.fail(
                        f"{pointer}/fields", f"no more than {MAX_SECTION_FIELDS} items allowed"
                    )
                for index, item in enumerate(fields):
                    self.text_object(
                        item, f"{pointer}/fields/{index}", max_len=MAX_SECTION_FIELD_TEXT
                    )
        if "accessory" in block:
            self.element(block["accessory"], f"{pointer}/accessory", allowed=_ACCESSORY_ELEMENTS)

    def _actions(self, block: Mapping[str, Any], pointer: str) -> None:
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            self.fail(f"{pointer}/elements", "must be a non-empty array")
            return
        if len(elements) > MAX_ACTIONS_ELEMENTS:
            self.fail(f"{pointer}/elements", f"no more than {MAX_ACTIONS_ELEMENTS} items allowed")
        seen: set[str] = set()
        for index, element in enumerate(elements):
            action_id = self.element(
                element, f"{pointer}/elements/{index}", allowed=_ACTIONS_ELEMENTS
            )
            if action_id is not None:
                if action_id in seen:
                    self.fail(
                        f"{pointer}/elements/{index}/action_id", f"duplicate action_id: {action_id}"
                    )
                seen.add(action_id)

    def _context(self, block: Mapping[str, Any], pointer: str) -> None:
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            self.fail(f"{pointer}/elements", "must be a non-empty array")
            return
        if len(elements) > MAX_CONTEXT_ELEMENTS:
            self.fail(f"{pointer}/elements", f"no more than {MAX_CONTEXT_ELEMENTS} items allowed")
        for index, element in enumerate(elements):
            where = f"{pointer}/elements/{index}"
            if isinstance(element, dict) and element.get("type") == "image":
                self.element(element, where, allowed=frozenset({"image"}))
            else:
                self.text_object(element, where, max_len=MAX_TEXT_OBJECT)

    def _input(self, block: Mapping[str, Any], pointer: str) -> None:
        self.text_object(
            block.get("label"), f"{pointer}/label", max_len=MAX_INPUT_LABEL, plain_only=True
        )
        self.optional_text(block, "hint", pointer, MAX_INPUT_HINT)
        if "element" not in block:
            self.fail(pointer, "missing required field: element")
        else:
            self.element(block["element"], f"{pointer}/element", allowed=_INPUT_ELEMENTS)

    def _image(self, block: Mapping[str, Any], pointer: str) -> None:
        if "image_url" not in block and "slack_file" not in block:
            self.fail(pointer, "must provide image_url or slack_file")
        self.string(block.get("image_url"), f"{pointer}/image_url", max_len=MAX_URL)
        self.string(
            block.get("alt_text"), f"{pointer}/alt_text", max_len=MAX_IMAGE_ALT_TEXT, required=True
        )
        self.optional_text(block, "title", pointer, MAX_TEXT_OBJECT)

    def element(self, element: Any, pointer: str, *, allowed: frozenset[str]) -> str | None:
        """Check one element; returns its ``action_id`` when it has a valid one."""
        if not isinstance(element, dict):
            self.fail(pointer, "must be an object")
            return None
        kind = element.get("type")
        if kind not in allowed:
            self.fail(f"{pointer}/type", f"unsupported element type here: {kind!r}")
            return None
        action_id = element.get("action_id")
        self.string(action_id, f"{pointer}/action_id", max_len=MAX_ACTION_ID)
        if kind == "button":
            self.text_object(
                element.get("text"), f"{pointer}/text", max_len=MAX_BUTTON_TEXT, plain_only=True
            )
            self.string(element.get("value"), f"{pointer}/value", max_len=MAX_BUTTON_VALUE)
            self.string(element.get("url"), f"{pointer}/url", max_len=MAX_URL)
            if "style" in element and element["style"] not in _BUTTON_STYLES:
                self.fail(f"{pointer}/style", "must be one of primary, danger")
        elif kind == "image":
            self.string(element.get("image_url"), f"{pointer}/image_url", max_len=MAX_URL)
            self.string(
                element.get("alt_text"),
                f"{pointer}/alt_text",
                max_len=MAX_IMAGE_ALT_TEXT,
                required=True,
            )
        elif kind in _TEXT_INPUT_TYPES:
            self._text_input(element, pointer)
        elif kind in _SELECT_TYPES:
            self._options(element, pointer, max_options=MAX_SELECT_OPTIONS)
        elif kind == "overflow":
            self._options(element, pointer, max_options=MAX_OVERFLOW_OPTIONS, required=True)
        elif kind in _CHOICE_TYPES:
            self._options(element, pointer, max_options=MAX_CHOICE_OPTIONS, required=True)
        self.optional_text(element, "placeholder", pointer, MAX_PLACEHOLDER)
        if "confirm" in element:
            self._confirm(element["confirm"], f"{pointer}/confirm")
        return action_id if isinstance(action_id, str) and action_id else None

    def _text_input(self, element: Mapping[str, Any], pointer: str) -> None:
        bounds: dict[str, int] = {}
        for key, lowest in (("min_length", 0), ("max_length", 1)):
            if key not in element:
                continue
            value = element[key]
            if not isinstance(value, int) or isinstance(value, bool):
                self.fail(f"{pointer}/{key}", "must be an integer")
            elif not lowest <= value <= MAX_TEXT_INPUT_LENGTH:
                self.fail(
                    f"{pointer}/{key}", f"must be between {lowest} and {MAX_TEXT_INPUT_LENGTH}"
                )
            else:
                bounds[key] = value
        if bounds.get("min_length", 0) > bounds.get("max_length", MAX_TEXT_INPUT_LENGTH):
            self.fail(f"{pointer}/min_length", "must not be greater than max_length")
        initial = element.get("initial_value")
        if initial is not None and not isinstance(initial, str):
            self.fail(f"{pointer}/initial_value", "must be a string")

    def _options(
        self, element: Mapping[str, Any], pointer: str, *, max_options: int, required: bool = False
    ) -> None:
        options = element.get("options")
        if options is None:
            if required:
                self.fail(f"{pointer}/options", "missing required field")
            return
        if not isinstance(options, list) or not options:
            self.fail(f"{pointer}/options", "must be a non-empty array")
            return
        if len(options) > max_options:
            self.fail(f"{pointer}/options", f"no more than {max_options} items allowed")
        for index, option in enumerate(options):
            where = f"{pointer}/options/{index}"
            if not isinstance(option, dict):
                self.fail(where, "must be an option object")
                continue
            self.text_object(option.get("text"), f"{where}/text", max_len=MAX_OPTION_TEXT)
            self.string(
                option.get("value"), f"{where}/value", max_len=MAX_OPTION_VALUE, required=True
            )

    def _confirm(self, confirm: Any, pointer: str) -> None:
        if not isinstance(confirm, dict):
            self.fail(pointer, "must be a confirmation dialog object")
            return
        for key, limit in (
            ("title", MAX_CONFIRM_TITLE),
            ("confirm", MAX_CONFIRM_BUTTON),
            ("deny", MAX_CONFIRM_BUTTON),
        ):
            self.text_object(confirm.get(key), f"{pointer}/{key}", max_len=limit, plain_only=True)
        self.text_object(confirm.get("text"), f"{pointer}/text", max_len=MAX_CONFIRM_TEXT)


def _decode_json_field(value: Any, error: str) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise SlackApiFailure(error, ["[ERROR] not valid JSON"]) from None
    return value


def check_message(payload: Mapping[str, Any], *, require_content: bool = True) -> None:
    """Validate a message payload (``text``/``blocks``) like ``chat.postMessage`` does.

    Raises :class:`SlackApiFailure` with ``msg_too_long``, ``invalid_blocks``,
    ``invalid_blocks_format`` or ``no_text``.
    """
    text = payload.get("text")
    if text is not None and not isinstance(text, str):
        raise SlackApiFailure(
            "invalid_arguments", ["[ERROR] must be a string [json-pointer:/text]"]
        )
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        raise SlackApiFailure("msg_too_long")
    blocks = _decode_json_field(payload.get("blocks"), "invalid_blocks_format")
    if blocks is not None:
        if not isinstance(blocks, list):
            raise SlackApiFailure("invalid_blocks_format", ["[ERROR] must be an array"])
        checker = _Checker()
        checker.blocks(blocks, "/blocks", max_blocks=MAX_MESSAGE_BLOCKS)
        if checker.problems:
            raise SlackApiFailure("invalid_blocks", checker.problems)
    if require_content and not text and not blocks and not payload.get("attachments"):
        raise SlackApiFailure("no_text")


def check_view(view: Any) -> None:
    """Validate a modal (or Home tab) view like ``views.open``/``views.update`` do.

    Slack answers ``invalid_arguments`` (with ``[ERROR] ...`` lines in ``response_metadata``)
    for schema problems in views, not ``invalid_blocks``.
    """
    checker = _Checker()
    if not isinstance(view, dict):
        raise SlackApiFailure(
            "invalid_arguments", ["[ERROR] must be an object [json-pointer:/view]"]
        )
    kind = view.get("type")
    if kind not in ("modal", "home"):
        checker.fail("/view/type", "must be one of modal, home")
    if kind == "modal":
        checker.text_object(
            view.get("title"), "/view/title", max_len=MAX_MODAL_TITLE, plain_only=True
        )
        for key in ("submit", "close"):
            checker.optional_text(view, key, "/view", MAX_MODAL_BUTTON_TEXT)
    blocks = view.get("blocks")
    if blocks is None:
        checker.fail("/view", "missing required field: blocks")
    else:
        checker.blocks(blocks, "/view/blocks", max_blocks=MAX_VIEW_BLOCKS)
    checker.string(
        view.get("private_metadata"),
        "/view/private_metadata",
        max_len=MAX_PRIVATE_METADATA,
        min_len=0,
    )
    checker.string(view.get("callback_id"), "/view/callback_id", max_len=MAX_CALLBACK_ID, min_len=0)
    checker.string(view.get("external_id"), "/view/external_id", max_len=MAX_EXTERNAL_ID)
    has_input = isinstance(blocks, list) and any(
        isinstance(block, dict) and block.get("type") == "input" for block in blocks
    )
    if kind == "modal" and has_input and "submit" not in view:
        checker.fail("/view", "must provide submit when using input blocks")
    if checker.problems:
        raise SlackApiFailure("invalid_arguments", checker.problems)


def message_error(payload: Mapping[str, Any], *, require_content: bool = True) -> str | None:
    """The Slack error code a message payload would get, or None when Slack would accept it."""
    try:
        check_message(payload, require_content=require_content)
    except SlackApiFailure as exc:
        return exc.error
    return None


def view_error(view: Any) -> str | None:
    """The Slack error code a view would get from ``views.open``, or None when valid."""
    try:
        check_view(view)
    except SlackApiFailure as exc:
        return exc.error
    return None


def _walk(node: Any) -> Iterable[Mapping[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def find_pings(payload: Mapping[str, Any]) -> tuple[str, ...]:
    """The notifications a message would trigger, normalised (``<!everyone>``, ``<@U123>``...).

    Looks at the top-level ``text``, every ``mrkdwn`` text object in ``blocks`` (plain_text is
    never parsed for mentions) and rich-text ``user``/``broadcast``/``usergroup`` elements.
    With ``link_names`` or ``parse: full``, a bare ``@channel``/``@here``/``@everyone`` pings
    too. Escaped text (``&lt;!everyone&gt;``) does not.
    """
    texts: list[str] = []
    if isinstance(payload.get("text"), str):
        texts.append(payload["text"])
    found: list[str] = []
    blocks = payload.get("blocks")
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            blocks = None
    for node in _walk(blocks):
        kind = node.get("type")
        if kind == "mrkdwn" and isinstance(node.get("text"), str):
            texts.append(node["text"])
        elif kind == "broadcast" and isinstance(node.get("range"), str):
            found.append(f"<!{node['range']}>")
        elif kind == "user" and isinstance(node.get("user_id"), str):
            found.append(f"<@{node['user_id']}>")
        elif kind == "usergroup" and isinstance(node.get("usergroup_id"), str):
            found.append(f"<!subteam^{node['usergroup_id']}>")
    bare = _truthy(payload.get("link_names")) or payload.get("parse") == "full"
    for text in texts:
        found.extend(f"<{match}>" for match in _PING_RE.findall(text))
        if bare:
            found.extend(f"<!{match}>" for match in _BARE_PING_RE.findall(text))
    return tuple(found)


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

    def to_api(self) -> dict[str, Any]:
        """The ``user`` object of ``users.info``."""
        return {
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

    def to_api(self) -> dict[str, Any]:
        """The ``channel`` object of ``conversations.info``."""
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_im and not self.is_private,
            "is_group": self.is_private,
            "is_im": self.is_im,
            "is_private": self.is_private or self.is_im,
            "is_member": True,
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
    """The default channels: ``#general`` and ``#random``."""
    return [FakeChannel(DEFAULT_CHANNEL_ID, "general"), FakeChannel(OTHER_CHANNEL_ID, "random")]


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
        return _bearer_token(self.headers.get("Authorization")) or _opt_str(self.args.get("token"))


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
            for node in _walk(self.blocks)
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
                        value=_opt_str(element.get("value")),
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
class _Trigger:
    user_id: str
    used: bool = False


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _bearer_token(header: str | None) -> str | None:
    if header and header.startswith("Bearer "):
        return header.removeprefix("Bearer ").strip() or None
    return None


def _short_id(prefix: str = "") -> str:
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


def _parse_ack(body: str) -> dict[str, Any] | None:
    if not body.strip():
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return {"text": body}
    return data if isinstance(data, dict) else {"text": body}


def sign_request(body: str, *, signing_secret: str, timestamp: int) -> str:
    """Slack's request signature: ``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------

ApiHandler = Callable[[dict[str, Any]], dict[str, Any]]


class FakeSlack:
    """A fake Slack workspace served on 127.0.0.1 (use ``async with FakeSlack() as fake``)."""

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
        self.calls: list[ApiCall] = []
        self.messages: list[FakeMessage] = []
        self.views: dict[str, FakeView] = {}
        self.response_posts: list[ResponseUrlPost] = []
        self.socket_acks: list[SocketAck] = []
        self.socket_frames: list[dict[str, Any]] = []
        self.socket_connections: list[SocketConnection] = []
        self.socket_pings = 0
        self.deliveries: list[Delivery] = []
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
            "users.info": self._users_info,
            "apps.connections.open": self._apps_connections_open,
        }

    # ---- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Bind the server on 127.0.0.1, port 0."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{response_id}", self._handle_response_url)
        app.router.add_get("/socket", self._handle_socket)
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

    async def __aenter__(self) -> FakeSlack:
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

    # ---- workspace set-up --------------------------------------------------------------

    def add_user(self, user: FakeUser) -> FakeUser:
        """Add (or replace) a workspace member."""
        self.users[user.id] = user
        return user

    def add_channel(self, channel: FakeChannel) -> FakeChannel:
        """Add (or replace) a channel."""
        self.channels[channel.id] = channel
        return channel

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

    # ---- queries -----------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        """Every recorded call to ``method``, in order (failed ones included)."""
        return [call for call in self.calls if call.method == method]

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

    def last_message(
        self, predicate: Callable[[FakeMessage], bool] | None = None
    ) -> FakeMessage | None:
        """The newest live message (any channel, ephemeral included) matching ``predicate``."""
        for message in reversed(self.messages):
            if not message.deleted and (predicate is None or predicate(message)):
                return message
        return None

    def find_button(
        self,
        action_id: str | None = None,
        *,
        value: str | None = None,
        text: str | None = None,
        channel_id: str | None = None,
        message_ts: str | None = None,
    ) -> Button:
        """The newest button matching every given criterion, from any live message.

        Raises ``LookupError`` (listing the buttons seen) when there is none.
        """
        seen: list[str] = []
        for message in reversed(self.messages):
            if message.deleted:
                continue
            if channel_id is not None and message.channel != channel_id:
                continue
            if message_ts is not None and message.ts != message_ts:
                continue
            for button in message.buttons():
                seen.append(f"{button.action_id}={button.value!r} ({button.text!r})")
                if (
                    (action_id is None or button.action_id == action_id)
                    and (value is None or button.value == value)
                    and (text is None or button.text == text)
                ):
                    return button
        raise LookupError(
            f"no button action_id={action_id!r} value={value!r} text={text!r}; seen: {seen}"
        )

    def open_views(self, user_id: str | None = None) -> list[FakeView]:
        """Views still open, oldest first (optionally only one user's)."""
        return [
            view
            for view in self.views.values()
            if view.is_open and (user_id is None or view.user_id == user_id)
        ]

    # ---- waiting -----------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(
        self,
        check: Callable[[], _T | None],
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        what: str = "condition",
    ) -> _T:
        """Wait until ``check()`` returns something other than None (or False) and return it.

        Re-checked whenever the fake records something. Raises ``AssertionError`` after
        ``timeout`` seconds (a safety net, not a measured deadline).
        """
        try:
            async with asyncio.timeout(timeout), self._changed:
                while True:
                    result = check()
                    if result is not None and result is not False:
                        return result
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(
                f"timed out after {timeout}s waiting for {what}; "
                f"calls so far: {[(c.method, c.status, c.error) for c in self.calls]}"
            ) from None

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> ApiCall:
        """The first recorded call to ``method`` matching ``predicate`` (waiting for it).

        Calls already recorded count, so there is no race with the app's background work.
        """

        def check() -> ApiCall | None:
            for call in self.calls:
                if call.method == method and (predicate is None or predicate(call)):
                    return call
            return None

        return await self.wait_until(check, timeout=timeout, what=f"a {method} call")

    async def wait_for_calls(
        self,
        method: str,
        count: int,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> list[ApiCall]:
        """The first ``count`` recorded calls to ``method`` matching ``predicate``."""

        def check() -> list[ApiCall] | None:
            matching = [
                call
                for call in self.calls
                if call.method == method and (predicate is None or predicate(call))
            ]
            return matching[:count] if len(matching) >= count else None

        return await self.wait_until(check, timeout=timeout, what=f"{count} {method} calls")

    async def wait_for_response(
        self,
        predicate: Callable[[ResponseUrlPost], bool] | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> ResponseUrlPost:
        """The first recorded ``response_url`` post matching ``predicate``."""

        def check() -> ResponseUrlPost | None:
            for post in self.response_posts:
                if predicate is None or predicate(post):
                    return post
            return None

        return await self.wait_until(check, timeout=timeout, what="a response_url post")

    async def wait_for_message(
        self,
        predicate: Callable[[FakeMessage], bool],
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> FakeMessage:
        """The first live message (any route, any channel) matching ``predicate``."""

        def check() -> FakeMessage | None:
            for message in self.messages:
                if not message.deleted and predicate(message):
                    return message
            return None

        return await self.wait_until(check, timeout=timeout, what="a matching message")

    async def wait_for_socket_connection(
        self, count: int = 1, timeout: float = DEFAULT_TIMEOUT_SECONDS
    ) -> SocketConnection:
        """Wait until ``count`` connections have been made and the newest is open and greeted."""

        def check() -> SocketConnection | None:
            if len(self.socket_connections) < count:
                return None
            newest = self.socket_connections[-1]
            return newest if newest.hello_sent and not newest.closed else None

        return await self.wait_until(
            check, timeout=timeout, what=f"Socket Mode connection #{count}"
        )

    # ---- Web API -----------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        headers = dict(request.headers)
        status = web.HTTPOk.status_code
        extra_headers: dict[str, str] = {}
        args: dict[str, Any] = {}
        try:
            args = await _read_args(request)
            token = _bearer_token(request.headers.get("Authorization")) or _opt_str(
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
            blocks=_with_block_ids(_decode_json_field(payload.get("blocks"), "invalid_blocks")),
            thread_ts=_opt_str(payload.get("thread_ts")),
            ephemeral_to=ephemeral_to,
            response_type=response_type,
            link_names=_truthy(payload.get("link_names")) or payload.get("parse") == "full",
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
        view_id = _short_id("V")
        stored = copy.deepcopy(view)
        stored["blocks"] = _with_block_ids(stored.get("blocks"))
        fake_view = FakeView(
            id=view_id,
            view=stored,
            user_id=user_id,
            hash=_short_id(),
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
        target.hash = _short_id()
        return {"ok": True, "view": target.to_api()}

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": self._resolve_channel(args.get("channel")).to_api()}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = str(args.get("users") or "").split(",")
        if len(users) != 1 or users[0] not in self.users:
            raise SlackApiFailure("user_not_found")
        return {"ok": True, "channel": {"id": self._dm_channel(users[0]).id}}

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(args.get("channel"))
        ts = args.get("ts")
        thread = self.thread(channel.id, ts) if isinstance(ts, str) else []
        if not thread:
            raise SlackApiFailure("thread_not_found")
        return {"ok": True, "messages": [m.to_api() for m in thread], "has_more": False}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user") or ""))
        if user is None:
            raise SlackApiFailure("user_not_found")
        return {"ok": True, "user": user.to_api()}

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
        if _truthy(payload.get("delete_original")):
            if target.source is None:
                raise SlackApiFailure("no_original_message")
            target.source.deleted = True
            return
        check_message(payload)
        if _truthy(payload.get("replace_original")) and target.source is not None:
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

    async def socket_send_envelope(
        self,
        kind: EnvelopeKind,
        payload: Mapping[str, Any],
        *,
        accepts_response_payload: bool,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> SocketAck:
        """Send one envelope on the newest connection and wait for the app's ack."""
        connection = await self.wait_for_socket_connection(timeout=timeout)
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": dict(payload),
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope["retry_attempt"] = 0
            envelope["retry_reason"] = ""
        future: asyncio.Future[SocketAck] = asyncio.get_running_loop().create_future()
        self._pending_acks[envelope_id] = future
        try:
            await connection.ws.send_str(json.dumps(envelope))
            async with asyncio.timeout(timeout):
                return await future
        except TimeoutError:
            raise AssertionError(
                f"the app did not ack {kind} envelope {envelope_id} within {timeout}s"
            ) from None
        finally:
            self._pending_acks.pop(envelope_id, None)

    async def socket_disconnect(
        self,
        reason: str = "refresh_requested",
        *,
        wait_for_reconnect: bool = True,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        """Send Slack's ``disconnect`` message; by default wait until the app reconnects."""
        connection = await self.wait_for_socket_connection(timeout=timeout)
        await connection.ws.send_str(
            json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": "fake"}})
        )
        if wait_for_reconnect:
            await self.wait_for_socket_connection(count=connection.number + 1, timeout=timeout)

    async def socket_close(
        self, *, wait_for_reconnect: bool = True, timeout: float = DEFAULT_TIMEOUT_SECONDS
    ) -> None:
        """Close the newest websocket from the server side (as on a Slack restart)."""
        connection = await self.wait_for_socket_connection(timeout=timeout)
        await connection.ws.close(code=WSCloseCode.GOING_AWAY, message=b"server restart")
        if wait_for_reconnect:
            await self.wait_for_socket_connection(count=connection.number + 1, timeout=timeout)

    # ---- building requests into the app ------------------------------------------------

    def _user_name(self, user_id: str) -> str:
        user = self.users.get(user_id)
        return user.name if user is not None else user_id.lower()

    def _channel_name(self, channel_id: str) -> str:
        channel = self.channels.get(channel_id)
        return channel.name if channel is not None else channel_id.lower()

    def _user_object(self, user_id: str) -> dict[str, Any]:
        name = self._user_name(user_id)
        return {"id": user_id, "username": name, "name": name, "team_id": TEAM_ID}

    def _new_trigger(self, user_id: str) -> str:
        trigger_id = (
            f"{next(self._counter)}.{uuid.uuid4().int % TRIGGER_NUMBER_MODULUS}.{uuid.uuid4().hex}"
        )
        self._triggers[trigger_id] = _Trigger(user_id=user_id)
        return trigger_id

    def build_slash_command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = DEFAULT_CHANNEL_ID,
    ) -> dict[str, str]:
        """A slash-command payload with a fresh ``response_url`` and ``trigger_id``."""
        return {
            "token": VERIFICATION_TOKEN,
            "team_id": TEAM_ID,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": self._channel_name(channel_id),
            "user_id": user_id,
            "user_name": self._user_name(user_id),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self._new_response_url(
                channel=channel_id, user_id=user_id, source=None
            ),
            "trigger_id": self._new_trigger(user_id),
        }

    def build_block_action(
        self,
        button: Button | None = None,
        *,
        action_id: str | None = None,
        value: str | None = None,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str | None = None,
        message_ts: str | None = None,
        view_id: str | None = None,
    ) -> dict[str, Any]:
        """A ``block_actions`` payload for pressing a button.

        Give the :class:`Button` (see :meth:`find_button`), or criteria to find one in the
        known messages (``action_id``, ``value``, ``channel_id``, ``message_ts``), or
        ``view_id`` plus ``action_id`` for a button inside a modal.
        """
        base: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user_object(user_id),
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._new_trigger(user_id),
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
            "enterprise": None,
            "is_enterprise_install": False,
            "state": {"values": {}},
        }
        action_ts = f"{time.time():.6f}"
        if view_id is not None:
            fake_view = self.views.get(view_id)
            if fake_view is None or action_id is None:
                raise ValueError(f"unknown view {view_id!r} or no action_id")
            base["container"] = {"type": "view", "view_id": view_id}
            base["view"] = fake_view.to_api()
            base["actions"] = [
                {
                    "action_id": action_id,
                    "block_id": "",
                    "value": value,
                    "type": "button",
                    "action_ts": action_ts,
                }
            ]
            return base
        if button is None:
            button = self.find_button(
                action_id, value=value, channel_id=channel_id, message_ts=message_ts
            )
        source = self.find_message(button.channel, button.message_ts)
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": button.message_ts,
            "channel_id": button.channel,
            "is_ephemeral": button.ephemeral,
        }
        if button.thread_ts is not None:
            container["thread_ts"] = button.thread_ts
        base["container"] = container
        base["channel"] = {"id": button.channel, "name": self._channel_name(button.channel)}
        if source is not None and not source.is_ephemeral:
            base["message"] = source.to_api()
        base["response_url"] = self._new_response_url(
            channel=button.channel, user_id=user_id, source=source
        )
        action: dict[str, Any] = {
            "action_id": button.action_id,
            "block_id": button.block_id,
            "text": button.element.get("text"),
            "type": "button",
            "action_ts": action_ts,
        }
        if button.value is not None:
            action["value"] = button.value
        base["actions"] = [action]
        return base

    def build_view_submission(
        self,
        view_id: str | None = None,
        *,
        values: Mapping[str, str] | None = None,
        user_id: str | None = None,
        state_values: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A ``view_submission`` payload for the given (default: newest open) modal.

        ``values`` maps input ``action_id`` -> typed text (plain-text style inputs); inputs not
        given are submitted empty. ``state_values`` replaces ``view.state.values`` verbatim.
        """
        if view_id is None:
            open_views = self.open_views(user_id)
            if not open_views:
                raise LookupError("no open modal to submit")
            fake_view = open_views[-1]
        else:
            if view_id not in self.views:
                raise LookupError(f"unknown view {view_id!r}")
            fake_view = self.views[view_id]
        if state_values is None:
            inputs = fake_view.input_elements()
            unknown = set(values or {}) - set(inputs)
            if unknown:
                raise LookupError(f"no input with action_id {sorted(unknown)} in the modal")
            built: dict[str, dict[str, Any]] = {}
            for action_id, (block_id, element) in inputs.items():
                typed = (values or {}).get(action_id)
                built.setdefault(block_id, {})[action_id] = {
                    "type": element.get("type"),
                    "value": typed,
                }
            state_values = built
        submitter = user_id or fake_view.user_id
        return {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
            "user": self._user_object(submitter),
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._new_trigger(submitter),
            "view": fake_view.to_api(state_values),
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def build_event_callback(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """An Events API ``event_callback`` body around ``event``."""
        return {
            "token": VERIFICATION_TOKEN,
            "team_id": TEAM_ID,
            "context_team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": dict(event),
            "type": "event_callback",
            "event_id": _short_id("Ev"),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }

    def build_message_event(
        self,
        text: str,
        *,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = DEFAULT_CHANNEL_ID,
        thread_ts: str | None = None,
    ) -> dict[str, Any]:
        """A user's ``message`` event (optionally a thread reply), stored as a user message."""
        message = self._store_message(
            channel=channel_id,
            user=user_id,
            origin="user",
            payload={"text": text, "thread_ts": thread_ts},
        )
        channel = self.channels.get(channel_id)
        event: dict[str, Any] = {
            "type": "message",
            "channel": channel_id,
            "user": user_id,
            "text": text,
            "ts": message.ts,
            "event_ts": message.ts,
            "team": TEAM_ID,
            "client_msg_id": str(uuid.uuid4()),
            "channel_type": "im" if channel is not None and channel.is_im else "channel",
        }
        if thread_ts is not None:
            event["thread_ts"] = thread_ts
            parent = self.find_message(channel_id, thread_ts)
            if parent is not None:
                event["parent_user_id"] = parent.user
        return self.build_event_callback(event)

    # ---- delivering requests -----------------------------------------------------------

    def sign(
        self,
        body: str,
        *,
        signature: SignatureMode = "good",
        signing_secret: str | None = None,
    ) -> dict[str, str]:
        """Slack's signature headers for ``body``: good, bad (wrong secret), missing or stale."""
        secret = signing_secret if signing_secret is not None else self.signing_secret
        if signature == "missing":
            return {}
        now = int(time.time())
        if signature == "stale":
            now -= STALE_SIGNATURE_AGE_SECONDS
        if signature == "bad":
            secret += "-wrong"
        return {
            "X-Slack-Request-Timestamp": str(now),
            "X-Slack-Signature": sign_request(body, signing_secret=secret, timestamp=now),
        }

    async def deliver_http(
        self,
        app_url: str,
        kind: EnvelopeKind,
        payload: Mapping[str, Any],
        *,
        signature: SignatureMode = "good",
        signing_secret: str | None = None,
    ) -> Delivery:
        """POST a request to the app as Slack does (form, ``payload=`` form, or JSON)."""
        if self._session is None:
            raise RuntimeError("FakeSlack is not started")
        if kind == "slash_commands":
            body = urlencode({key: str(value) for key, value in payload.items()})
            content_type = "application/x-www-form-urlencoded"
        elif kind == "interactive":
            body = urlencode({"payload": json.dumps(payload)})
            content_type = "application/x-www-form-urlencoded"
        else:
            body = json.dumps(payload)
            content_type = "application/json"
        headers = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **self.sign(body, signature=signature, signing_secret=signing_secret),
        }
        async with self._session.post(app_url, data=body.encode(), headers=headers) as response:
            status = response.status
            text = await response.text()
        ack = _parse_ack(text) if status == web.HTTPOk.status_code else None
        ack_error = (
            self._apply_ack(kind, payload, ack) if status == web.HTTPOk.status_code else None
        )
        return await self._record_delivery(
            Delivery(
                transport="http",
                kind=kind,
                status=status,
                body=text,
                ack=ack,
                ack_error=ack_error,
                request=dict(payload),
                response_url=_opt_str(payload.get("response_url")),
                trigger_id=_opt_str(payload.get("trigger_id")),
            )
        )

    async def deliver_socket(
        self,
        kind: EnvelopeKind,
        payload: Mapping[str, Any],
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> Delivery:
        """Send a request to the app as a Socket Mode envelope and wait for its ack."""
        accepts = kind == "slash_commands" or (
            kind == "interactive" and payload.get("type") == "view_submission"
        )
        ack = await self.socket_send_envelope(
            kind, payload, accepts_response_payload=accepts, timeout=timeout
        )
        return await self._record_delivery(
            Delivery(
                transport="socket",
                kind=kind,
                status=web.HTTPOk.status_code,
                body=json.dumps(ack.payload) if ack.payload is not None else "",
                ack=ack.payload,
                ack_error=self._apply_ack(kind, payload, ack.payload),
                request=dict(payload),
                response_url=_opt_str(payload.get("response_url")),
                trigger_id=_opt_str(payload.get("trigger_id")),
                envelope_id=ack.envelope_id,
            )
        )

    async def _record_delivery(self, delivery: Delivery) -> Delivery:
        self.deliveries.append(delivery)
        await self._notify()
        return delivery

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
            fake_view.hash = _short_id()
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

    # ---- drivers and shortcuts ---------------------------------------------------------

    def http(
        self,
        app_url: str,
        *,
        signature: SignatureMode = "good",
        signing_secret: str | None = None,
    ) -> SlackDriver:
        """A driver delivering over HTTP to ``app_url`` (e.g. ``http://127.0.0.1:P/slack/events``)."""
        return SlackDriver(
            self, app_url=app_url, signature=signature, signing_secret=signing_secret
        )

    def socket(self, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> SlackDriver:
        """A driver delivering Socket Mode envelopes on the newest connection."""
        return SlackDriver(self, app_url=None, timeout=timeout)

    async def post_slash_command(
        self,
        app_url: str,
        *,
        command: str,
        text: str = "",
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = DEFAULT_CHANNEL_ID,
        signing_secret: str | None = None,
        signature: SignatureMode = "good",
    ) -> Delivery:
        """POST a (signed, or deliberately badly signed) slash command to the app."""
        driver = self.http(app_url, signature=signature, signing_secret=signing_secret)
        return await driver.slash_command(command, text, user_id=user_id, channel_id=channel_id)

    async def post_block_action(
        self,
        app_url: str,
        button: Button | None = None,
        *,
        action_id: str | None = None,
        value: str | None = None,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str | None = None,
        message_ts: str | None = None,
        view_id: str | None = None,
        signing_secret: str | None = None,
        signature: SignatureMode = "good",
    ) -> Delivery:
        """POST a button press (``block_actions``) to the app."""
        driver = self.http(app_url, signature=signature, signing_secret=signing_secret)
        return await driver.block_action(
            button,
            action_id=action_id,
            value=value,
            user_id=user_id,
            channel_id=channel_id,
            message_ts=message_ts,
            view_id=view_id,
        )

    async def post_view_submission(
        self,
        app_url: str,
        view_id: str | None = None,
        *,
        values: Mapping[str, str] | None = None,
        user_id: str | None = None,
        state_values: Mapping[str, Any] | None = None,
        signing_secret: str | None = None,
        signature: SignatureMode = "good",
    ) -> Delivery:
        """POST a modal submission (``view_submission``) to the app."""
        driver = self.http(app_url, signature=signature, signing_secret=signing_secret)
        return await driver.view_submission(
            view_id, values=values, user_id=user_id, state_values=state_values
        )

    async def post_message_event(
        self,
        app_url: str,
        text: str,
        *,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = DEFAULT_CHANNEL_ID,
        thread_ts: str | None = None,
        signing_secret: str | None = None,
        signature: SignatureMode = "good",
    ) -> Delivery:
        """POST a user's ``message`` event (a thread reply when ``thread_ts`` is given)."""
        driver = self.http(app_url, signature=signature, signing_secret=signing_secret)
        return await driver.message_event(
            text, user_id=user_id, channel_id=channel_id, thread_ts=thread_ts
        )

    async def post_event(
        self,
        app_url: str,
        event: Mapping[str, Any],
        *,
        signing_secret: str | None = None,
        signature: SignatureMode = "good",
    ) -> Delivery:
        """POST any Events API event (wrapped in an ``event_callback``)."""
        driver = self.http(app_url, signature=signature, signing_secret=signing_secret)
        return await driver.event(event)

    async def socket_send_slash_command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = DEFAULT_CHANNEL_ID,
    ) -> Delivery:
        """Send a ``slash_commands`` envelope and return the ack."""
        return await self.socket().slash_command(
            command, text, user_id=user_id, channel_id=channel_id
        )

    async def socket_send_block_action(
        self,
        button: Button | None = None,
        *,
        action_id: str | None = None,
        value: str | None = None,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str | None = None,
        message_ts: str | None = None,
        view_id: str | None = None,
    ) -> Delivery:
        """Send an ``interactive`` ``block_actions`` envelope and return the ack."""
        return await self.socket().block_action(
            button,
            action_id=action_id,
            value=value,
            user_id=user_id,
            channel_id=channel_id,
            message_ts=message_ts,
            view_id=view_id,
        )

    async def socket_send_view_submission(
        self,
        view_id: str | None = None,
        *,
        values: Mapping[str, str] | None = None,
        user_id: str | None = None,
        state_values: Mapping[str, Any] | None = None,
    ) -> Delivery:
        """Send an ``interactive`` ``view_submission`` envelope and return the ack."""
        return await self.socket().view_submission(
            view_id, values=values, user_id=user_id, state_values=state_values
        )

    async def socket_send_message_event(
        self,
        text: str,
        *,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = DEFAULT_CHANNEL_ID,
        thread_ts: str | None = None,
    ) -> Delivery:
        """Send an ``events_api`` envelope with a user's ``message`` event."""
        return await self.socket().message_event(
            text, user_id=user_id, channel_id=channel_id, thread_ts=thread_ts
        )

    async def socket_send_event(self, event: Mapping[str, Any]) -> Delivery:
        """Send an ``events_api`` envelope with any event."""
        return await self.socket().event(event)


class SlackDriver:
    """Sends users' actions to the app over one transport, so a flow can be written once.

    Build it with :meth:`FakeSlack.http` or :meth:`FakeSlack.socket`; every method returns
    a :class:`Delivery`.
    """

    def __init__(
        self,
        fake: FakeSlack,
        *,
        app_url: str | None,
        signature: SignatureMode = "good",
        signing_secret: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.fake = fake
        self.app_url = app_url
        self.signature: SignatureMode = signature
        self.signing_secret = signing_secret
        self.timeout = timeout

    @property
    def transport(self) -> Transport:
        """``http`` or ``socket``."""
        return "socket" if self.app_url is None else "http"

    async def deliver(self, kind: EnvelopeKind, payload: Mapping[str, Any]) -> Delivery:
        """Deliver a prebuilt payload over this driver's transport."""
        if self.app_url is None:
            return await self.fake.deliver_socket(kind, payload, timeout=self.timeout)
        return await self.fake.deliver_http(
            self.app_url,
            kind,
            payload,
            signature=self.signature,
            signing_secret=self.signing_secret,
        )

    async def slash_command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = DEFAULT_CHANNEL_ID,
    ) -> Delivery:
        """A user runs ``command text`` in ``channel_id``."""
        payload = self.fake.build_slash_command(
            command, text, user_id=user_id, channel_id=channel_id
        )
        return await self.deliver("slash_commands", payload)

    async def block_action(
        self,
        button: Button | None = None,
        *,
        action_id: str | None = None,
        value: str | None = None,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str | None = None,
        message_ts: str | None = None,
        view_id: str | None = None,
    ) -> Delivery:
        """A user presses a button (see :meth:`FakeSlack.build_block_action`)."""
        payload = self.fake.build_block_action(
            button,
            action_id=action_id,
            value=value,
            user_id=user_id,
            channel_id=channel_id,
            message_ts=message_ts,
            view_id=view_id,
        )
        return await self.deliver("interactive", payload)

    async def view_submission(
        self,
        view_id: str | None = None,
        *,
        values: Mapping[str, str] | None = None,
        user_id: str | None = None,
        state_values: Mapping[str, Any] | None = None,
    ) -> Delivery:
        """A user submits a modal (see :meth:`FakeSlack.build_view_submission`)."""
        payload = self.fake.build_view_submission(
            view_id, values=values, user_id=user_id, state_values=state_values
        )
        return await self.deliver("interactive", payload)

    async def message_event(
        self,
        text: str,
        *,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = DEFAULT_CHANNEL_ID,
        thread_ts: str | None = None,
    ) -> Delivery:
        """A user posts ``text`` (in a thread when ``thread_ts`` is given)."""
        payload = self.fake.build_message_event(
            text, user_id=user_id, channel_id=channel_id, thread_ts=thread_ts
        )
        return await self.deliver("events_api", payload)

    async def event(self, event: Mapping[str, Any]) -> Delivery:
        """Any Events API event."""
        return await self.deliver("events_api", self.fake.build_event_callback(event))


# --------------------------------------------------------------------------------------------
# Running the app under test
# --------------------------------------------------------------------------------------------


@asynccontextmanager
async def serve_web_app(web_app: web.Application) -> AsyncIterator[str]:
    """Serve an aiohttp application on 127.0.0.1, port 0; yields ``http://127.0.0.1:PORT``."""
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, HOST, 0)
        await site.start()
        yield f"http://{HOST}:{int(runner.addresses[0][1])}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def serve_bolt_http(app: AsyncApp, *, path: str = "/slack/events") -> AsyncIterator[str]:
    """Serve ``app.web_app(path=path)``; yields the full request URL for the fake to POST to."""
    async with serve_web_app(app.web_app(path=path)) as base_url:
        yield base_url + path


async def close_socket_mode_handler(handler: AsyncSocketModeHandler) -> None:
    """Close the handler and wait for its client's background tasks to finish."""
    await handler.close_async()  # type: ignore[no-untyped-call]
    client = handler.client
    tasks = [
        task
        for task in (
            client.message_processor,
            client.current_session_monitor,
            client.message_receiver,
        )
        if task is not None
    ]
    await asyncio.gather(*tasks, return_exceptions=True)


@asynccontextmanager
async def running_socket_mode(
    handler: AsyncSocketModeHandler,
    fake: FakeSlack,
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> AsyncIterator[AsyncSocketModeHandler]:
    """Connect ``handler`` to the fake, wait for the greeting, and close it on exit."""
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]
        await fake.wait_for_socket_connection(timeout=timeout)
        yield handler
    finally:
        await close_socket_mode_handler(handler)


async def assert_no_leaked_tasks(grace_seconds: float = LEAK_GRACE_SECONDS) -> None:
    """Fail if tasks other than the current one are still pending after a short grace period.

    Leftover tasks are cancelled (so the loop closes cleanly) before the assertion is raised.
    """
    current = asyncio.current_task()
    others = {task for task in asyncio.all_tasks() if task is not current and not task.done()}
    if not others:
        return
    _, pending = await asyncio.wait(others, timeout=grace_seconds)
    if not pending:
        return
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    raise AssertionError(f"tasks left running after the test: {sorted(map(repr, pending))}")
