"""The answer modal: what an "answer" button opens, and reading its submission back.

The modal carries, in ``private_metadata``, the Service command and argument of the button plus
the channel and thread it was pressed in (a view submission has neither, nor a response_url), as
``{"c": command, "a": argument, "ch": channel, "th": thread ts}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.core.messages import t

ANSWER_CALLBACK = "ib-answer"
ANSWER_MAX = 3000
MODAL_TITLE_MAX = 24
LABEL_MAX = 2000
ANSWER_BLOCK = "answer"
ANSWER_INPUT = "text"


@dataclass(frozen=True, slots=True)
class AnswerTarget:
    """What an answer modal answers (a Service command and argument) and where it was opened."""

    command: str
    argument: str
    channel_id: str
    thread_ts: str | None


def target_of_button(body: dict[str, Any], command: str, argument: str) -> AnswerTarget:
    """The target of an answer button pressed on a message: its channel, and its thread (the
    message's own ts when it starts one)."""
    channel = (body.get("channel") or {}).get("id", "")
    message = body.get("message") or {}
    return AnswerTarget(command, argument, channel, message.get("thread_ts") or message.get("ts"))


def answer_modal(target: AnswerTarget, locale: str) -> dict[str, Any]:
    """The modal view (``views.open``) with one multi-line text input for the answer."""
    metadata = json.dumps(
        {"c": target.command, "a": target.argument, "ch": target.channel_id, "th": target.thread_ts}
    )
    return {
        "type": "modal",
        "callback_id": ANSWER_CALLBACK,
        "private_metadata": metadata,
        "title": {
            "type": "plain_text",
            "text": t("answer_modal_title", locale)[:MODAL_TITLE_MAX],
        },
        "submit": {
            "type": "plain_text",
            "text": t("action_answer", locale)[:MODAL_TITLE_MAX],
        },
        "blocks": [
            {
                "type": "input",
                "block_id": ANSWER_BLOCK,
                "label": {
                    "type": "plain_text",
                    "text": t("answer_modal_label", locale)[:LABEL_MAX],
                },
                "element": {
                    "type": "plain_text_input",
                    "action_id": ANSWER_INPUT,
                    "multiline": True,
                    "max_length": ANSWER_MAX,
                },
            }
        ],
    }


def submitted_target(view: dict[str, Any]) -> AnswerTarget:
    """The target a submitted answer modal carries in its ``private_metadata``."""
    meta: dict[str, Any] = json.loads(view.get("private_metadata") or "{}")
    thread_ts = meta.get("th")
    return AnswerTarget(
        str(meta.get("c", "")),
        str(meta.get("a", "")),
        str(meta.get("ch", "")),
        str(thread_ts) if thread_ts is not None else None,
    )


def submitted_answer(view: dict[str, Any]) -> str:
    """The text typed into a submitted answer modal (empty when none)."""
    return str(view["state"]["values"][ANSWER_BLOCK][ANSWER_INPUT].get("value") or "")
