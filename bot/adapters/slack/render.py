"""Render a Reply as Slack Block Kit within Slack's limits, with every text escaped.

Limits: message text 40,000; 50 blocks; section text 3,000; header 150; button text 75;
action_id 255; button value 2,000; 25 elements in an actions block. Slack needs ``&``, ``<`` and
``>`` escaped in every text, which also makes echoed user text inert (no <!everyone>, no <@U..>).
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.adapters.fit import cut, split
from bot.core.models import Action, Reply

TEXT_MAX = 40_000
BLOCKS_MAX = 50
SECTION_MAX = 3_000
HEADER_MAX = 150
BUTTON_TEXT_MAX = 75
ACTION_ID_MAX = 255
VALUE_MAX = 2_000
ACTIONS_PER_BLOCK = 25
FIELDS_PER_SECTION = 10
FIELD_TEXT_MAX = 2_000
CONTEXT_MAX = 3_000

ACTION_PREFIX = "ib:"


def escape(text: str) -> str:
    """Slack's escaping of control characters in text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_WEB_LINK = re.compile(r"\[(?P<text>[^\[\]\n]+)\]\((?P<url>https?://[^\s()<>|]+)\)")


def mrkdwn(text: str) -> str:
    """The core's ``**bold**`` as Slack's ``*bold*``, markdown web links as Slack links
    (``<url|text>``), everything else escaped."""
    out: list[str] = []
    position = 0
    for match in _WEB_LINK.finditer(text):
        out.append(escape(text[position : match.start()]).replace("**", "*"))
        label = escape(match["text"]).replace("**", "")
        out.append(f"<{escape(match['url'])}|{label}>")
        position = match.end()
    out.append(escape(text[position:]).replace("**", "*"))
    return "".join(out)


def chunks(text: str, limit: int = SECTION_MAX) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters (line or word boundaries)."""
    return split(text, limit)


def action_value(action: Action) -> str:
    """The JSON a button carries: the Service command and its argument."""
    return cut(
        json.dumps({"c": action.command, "a": action.argument}, ensure_ascii=False), VALUE_MAX
    )


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def render(reply: Reply, *, show_spoiler: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """``(fallback text, blocks)`` for a reply. Slack has no spoilers: the hidden part is left out
    unless ``show_spoiler`` (send it where only the reader sees it, e.g. ephemerally)."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": cut(reply.title or " ", HEADER_MAX),
                "emoji": True,
            },
        }
    ]
    reserve = 6  # fields, spoiler, actions, context ...
    for piece in chunks(mrkdwn(reply.body))[: BLOCKS_MAX - reserve] if reply.body else []:
        blocks.append(_section(piece))
    fields = [
        {"type": "mrkdwn", "text": cut(f"*{escape(f.name)}*\n{mrkdwn(f.value)}", FIELD_TEXT_MAX)}
        for f in reply.fields
    ]
    for start in range(0, len(fields), FIELDS_PER_SECTION):
        blocks.append({"type": "section", "fields": fields[start : start + FIELDS_PER_SECTION]})
    if reply.spoiler and show_spoiler:
        blocks.append(_section(cut(mrkdwn(reply.spoiler), SECTION_MAX)))
    buttons = [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": cut(action.label or "?", BUTTON_TEXT_MAX)},
            "action_id": f"{ACTION_PREFIX}{index}",
            "value": action_value(action),
            **({"style": "primary"} if action in reply.actions and index == 0 else {}),
        }
        for index, action in enumerate([*reply.actions, *reply.suggestions][:ACTIONS_PER_BLOCK])
    ]
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    if reply.footer:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": cut(escape(reply.footer), CONTEXT_MAX)}],
            }
        )
    blocks = blocks[:BLOCKS_MAX]
    return fallback_text(reply), blocks


def fallback_text(reply: Reply) -> str:
    """The message's top-level ``text`` (notifications, screen readers, clients without blocks):
    the title and body in Slack mrkdwn like the blocks (``*bold*``, never the core's ``**``)."""
    title = escape(reply.title).replace("**", "")
    return cut(f"{title}\n{mrkdwn(reply.body)}" if reply.body else title, TEXT_MAX)
