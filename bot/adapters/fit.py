"""Fitting text into a platform's size limits, shared by the chat front ends' renderers."""

from __future__ import annotations

ELLIPSIS = "…"
# Cut at a line or word boundary only when one is this close to the limit (share of the limit);
# otherwise cut mid-word rather than lose much text.
CUT_BOUNDARY_SHARE = 0.8
SPLIT_BOUNDARY_SHARE = 0.5


def cut(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, cut at a line or word boundary when one is near,
    ending with an ellipsis when anything was cut."""
    if len(text) <= limit:
        return text
    head = text[: limit - len(ELLIPSIS)]
    for boundary in ("\n", " "):
        at = head.rfind(boundary)
        if at >= limit * CUT_BOUNDARY_SHARE:
            head = head[:at]
            break
    return head.rstrip() + ELLIPSIS


def split(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, split at line or word boundaries."""
    out: list[str] = []
    rest = text
    while len(rest) > limit:
        head = rest[:limit]
        at = max(head.rfind("\n"), head.rfind(" "))
        at = at if at >= limit * SPLIT_BOUNDARY_SHARE else limit
        out.append(rest[:at].rstrip())
        rest = rest[at:].lstrip()
    if rest:
        out.append(rest)
    return out
