"""The Slack app manifests in the repository (Socket Mode and HTTP) match what the bot handles:
the commands it registers, the scopes and events it needs, and in HTTP mode every request URL."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from bot.adapters.slack.app import EVENTS_PATH
from bot.config import PROJECT_ROOT

SOCKET = PROJECT_ROOT / "slack-manifest.yaml"
HTTP = PROJECT_ROOT / "slack-manifest-http.yaml"
NEEDED_SCOPES = {
    "commands",
    "chat:write",
    "chat:write.public",
    "channels:join",
    "channels:history",
    "groups:history",
    "im:history",
    "users:read",
    "files:read",  # /notes add: the uploaded or DM-shared file is downloaded
    "files:write",  # /stats chart, /export files (files_upload_v2)
    "im:write",  # conversations.open: reminders and files in a DM
}
NEEDED_EVENTS = {"message.channels", "message.groups", "message.im", "app_home_opened"}
LISTENERS = PROJECT_ROOT / "bot/adapters/slack/listeners"


def _load(path: Any) -> dict[str, Any]:
    manifest: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return manifest


def _registered(kind: str) -> set[str]:
    """What the listener modules register with ``app.<kind>("...")`` (commands, events)."""
    found: set[str] = set()
    for path in LISTENERS.glob("*.py"):
        source = path.read_text("utf-8")
        found |= set(re.findall(rf'app\.{kind}\("([\w/]+)"\)', source))
    return found


@pytest.mark.parametrize("path", [SOCKET, HTTP], ids=["socket", "http"])
def test_each_manifest_declares_the_commands_scopes_and_events(path: Any) -> None:
    manifest = _load(path)
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert (
        commands
        == _registered("command")
        == {
            "/define",
            "/interview",
            "/daily",
            "/topics",
            "/notes",
            "/review",
            "/remind",
            "/stats",
            "/leaderboard",
            "/export",
        }
    )
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == NEEDED_SCOPES
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert events == NEEDED_EVENTS
    assert {e.split(".")[0] for e in events} == _registered("event")  # message.*: "message"
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True  # DMs
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True  # the dashboard
    escaped = {c["command"] for c in manifest["features"]["slash_commands"] if c["should_escape"]}
    assert escaped == {"/stats"}  # a mention arrives as <@U123|name>


def test_the_http_manifest_fills_every_request_url_and_turns_socket_mode_off() -> None:
    manifest = _load(HTTP)
    settings = manifest["settings"]
    urls = [c["url"] for c in manifest["features"]["slash_commands"]]
    urls += [
        settings["interactivity"]["request_url"],
        settings["event_subscriptions"]["request_url"],
    ]
    assert len(urls) == 12  # ten commands, interactivity, events
    assert all(url.startswith("https://") and url.endswith(EVENTS_PATH) for url in urls)
    assert settings["socket_mode_enabled"] is False
    assert _load(SOCKET)["settings"]["socket_mode_enabled"] is True


def test_the_two_manifests_are_the_same_app() -> None:
    socket, http = _load(SOCKET), _load(HTTP)
    for manifest in (socket, http):
        for command in manifest["features"]["slash_commands"]:
            command.pop("url", None)
        manifest["settings"]["interactivity"].pop("request_url", None)
        manifest["settings"]["event_subscriptions"].pop("request_url", None)
        manifest["settings"].pop("socket_mode_enabled")
    assert socket == http
