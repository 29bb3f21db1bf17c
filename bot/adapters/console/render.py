"""Render a Reply as terminal text: coloured in a terminal, plain when piped."""

from __future__ import annotations

import re

from bot.core.messages import t
from bot.core.models import Reply, ReplyKind

RESET = "\033[0m"
BOLD = "\033[1m"
DIM = "\033[2m"
COLOURS = {
    ReplyKind.DEFINITION: "\033[36m",
    ReplyKind.SUGGESTIONS: "\033[33m",
    ReplyKind.NOT_FOUND: "\033[33m",
    ReplyKind.ERROR: "\033[31m",
    ReplyKind.QUESTION: "\033[35m",
    ReplyKind.GRADE: "\033[32m",
    ReplyKind.SUMMARY: "\033[34m",
    ReplyKind.INFO: "\033[37m",
}
_BOLD_MARK = re.compile(r"\*\*(.+?)\*\*", re.S)


def _bold(text: str, colour: bool) -> str:
    return _BOLD_MARK.sub(lambda m: f"{BOLD}{m.group(1)}{RESET}" if colour else m.group(1), text)


def render(reply: Reply, *, colour: bool = False, locale: str | None = None) -> str:
    """The reply as lines of text. Suggestions are numbered so a person can type the number; a
    definition's suggestions (its runners-up) come under a label of their own in ``locale``."""
    tint = COLOURS.get(reply.kind, "") if colour else ""
    end = RESET if colour else ""
    lines = [f"{tint}{BOLD if colour else ''}{reply.title}{end}"]
    if reply.body:
        lines.append(_bold(reply.body, colour))
    for field in reply.fields:
        name = f"{DIM}{field.name}{end}" if colour else field.name
        lines.append(f"{name}: {_bold(field.value, colour)}")
    if reply.spoiler:
        lines.append(_bold(reply.spoiler, colour))
    if reply.suggestions and reply.kind is ReplyKind.DEFINITION:
        label = t("define_related_title", locale)
        lines.append(f"{DIM}{label}{end}" if colour else label)
    for number, action in enumerate(reply.suggestions, 1):
        lines.append(f"  {number}. {action.label}")
    if reply.footer:
        lines.append(f"{DIM}{reply.footer}{end}" if colour else reply.footer)
    return "\n".join(lines)
