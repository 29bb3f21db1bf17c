"""The invite permissions: computed from discord.py's flags, and the README says the same."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import discord

from bot.adapters.discord.permissions import REQUIRED_PERMISSIONS, invite_url

README = Path(__file__).resolve().parents[3] / "README.md"
INVITE = re.compile(r"https://discord\.com/oauth2/authorize\?[^\s`)]+")


def _documented_urls() -> list[str]:
    return INVITE.findall(README.read_text(encoding="utf-8"))


def test_the_readme_invite_carries_the_computed_permissions() -> None:
    (url,) = _documented_urls()
    query = parse_qs(urlsplit(url).query)
    assert query["permissions"] == [str(REQUIRED_PERMISSIONS.value)]
    assert query["scope"] == ["bot applications.commands"]
    assert url == invite_url("APP_ID")


def test_the_permissions_are_what_the_bot_uses_and_no_more() -> None:
    needed = discord.Permissions(REQUIRED_PERMISSIONS.value)
    for name in (
        "view_channel",
        "send_messages",
        "send_messages_in_threads",
        "create_public_threads",
        "read_message_history",
        "embed_links",
    ):
        assert getattr(needed, name), name
    assert not needed.attach_files and not needed.administrator
    for name in ("manage_guild", "manage_messages", "manage_threads", "mention_everyone"):
        assert not getattr(needed, name), name
