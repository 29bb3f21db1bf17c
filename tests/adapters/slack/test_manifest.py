"""The Slack app manifest in the repository matches what the bot handles."""

from __future__ import annotations

import re

from bot.config import PROJECT_ROOT

MANIFEST = PROJECT_ROOT / "slack-manifest.yaml"


def test_manifest_declares_the_commands_and_scopes_the_bot_uses() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    commands = set(re.findall(r"- command: (/\w+)", text))
    assert commands == {"/define", "/interview", "/daily"}
    for scope in ("commands", "chat:write", "users:read", "channels:history"):
        assert re.search(rf"^\s+- {re.escape(scope)}$", text, re.M), scope
    assert "message.channels" in text and "interactivity" in text
