"""Slack's rules as the fake applies them: message, Block Kit and modal limits and validation
(answering ``ok: false`` with Slack's error codes and ``[ERROR] ...`` lines), and which pings a
message would trigger."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

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
MAX_FILE_INPUT_FILES = 10  # file_input's max_files (its default too)
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
        elif kind == "file_input":
            self._file_input(element, pointer)
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

    def _file_input(self, element: Mapping[str, Any], pointer: str) -> None:
        filetypes = element.get("filetypes")
        if filetypes is not None and (
            not isinstance(filetypes, list)
            or not all(isinstance(f, str) and f and not f.startswith(".") for f in filetypes)
        ):
            self.fail(f"{pointer}/filetypes", "must be a list of file extensions (no dot)")
        max_files = element.get("max_files")
        if max_files is not None and (
            not isinstance(max_files, int)
            or isinstance(max_files, bool)
            or not 1 <= max_files <= MAX_FILE_INPUT_FILES
        ):
            self.fail(f"{pointer}/max_files", f"must be between 1 and {MAX_FILE_INPUT_FILES}")

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


def decode_json_field(value: Any, error: str) -> Any:
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
    blocks = decode_json_field(payload.get("blocks"), "invalid_blocks_format")
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


def walk(node: Any) -> Iterable[Mapping[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def truthy(value: Any) -> bool:
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
    for node in walk(blocks):
        kind = node.get("type")
        if kind == "mrkdwn" and isinstance(node.get("text"), str):
            texts.append(node["text"])
        elif kind == "broadcast" and isinstance(node.get("range"), str):
            found.append(f"<!{node['range']}>")
        elif kind == "user" and isinstance(node.get("user_id"), str):
            found.append(f"<@{node['user_id']}>")
        elif kind == "usergroup" and isinstance(node.get("usergroup_id"), str):
            found.append(f"<!subteam^{node['usergroup_id']}>")
    bare = truthy(payload.get("link_names")) or payload.get("parse") == "full"
    for text in texts:
        found.extend(f"<{match}>" for match in _PING_RE.findall(text))
        if bare:
            found.extend(f"<!{match}>" for match in _BARE_PING_RE.findall(text))
    return tuple(found)
