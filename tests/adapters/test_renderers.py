"""Every message key, in both locales, through each front end's renderer (Discord embeds, Slack
blocks, console text): nothing is lost or raises, and an English message renders with no
Korean added by a renderer (renderers write no text of their own)."""

from __future__ import annotations

import json
import re

import pytest

from bot.adapters.console.render import render as console_render
from bot.adapters.discord.render import render as discord_render
from bot.adapters.slack.render import render as slack_render
from bot.core.messages import MESSAGES, t
from bot.core.models import Action, Field, Reply, ReplyKind
from tests.english import korean_in

_WORD = re.compile(r"[^\W_]{2,}")


def _reply(text: str, kind: ReplyKind) -> Reply:
    return Reply(
        title=text.splitlines()[0][:200] if text else "",
        body=text,
        kind=kind,
        fields=(Field(text[:50] or "-", text[:900] or "-"),),
        actions=(Action("interview.hint", text[:60] or "-"),),
        footer=text[:200],
    )


def _rendered(reply: Reply, locale: str) -> dict[str, str]:
    embed = discord_render(reply).embed
    slack_text, blocks = slack_render(reply)
    return {
        "discord": json.dumps(embed.to_dict(), ensure_ascii=False),
        "slack": slack_text + json.dumps(blocks, ensure_ascii=False),
        "console": console_render(reply, locale=locale),
    }


@pytest.mark.parametrize("locale", ["ko", "en"])
@pytest.mark.parametrize("kind", [ReplyKind.INFO, ReplyKind.ERROR, ReplyKind.QUESTION])
def test_every_message_renders_whole_on_every_front_end(locale: str, kind: ReplyKind) -> None:
    for key in sorted(MESSAGES):
        text = t(key, locale)
        for front, output in _rendered(_reply(text, kind), locale).items():
            missing = [w for w in _WORD.findall(text) if w not in output]
            assert not missing, (front, key, missing[:5])
            if locale == "en":
                assert not korean_in(output), (front, key, korean_in(output))
