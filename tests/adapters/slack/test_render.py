"""Tests for Slack rendering: mrkdwn from the core's text."""

from __future__ import annotations

from bot.adapters.slack.render import mrkdwn, render
from bot.core.models import Reply


def test_bold_becomes_slack_bold_and_control_characters_are_escaped() -> None:
    assert mrkdwn("**TCP** <!everyone> & <@U1>") == "*TCP* &lt;!everyone&gt; &amp; &lt;@U1&gt;"


def test_markdown_web_links_become_slack_links_with_escaped_parts() -> None:
    text = "자세한 건 [위키 <b>](https://w.example/a?x=1&y=2) 참고, [로컬](./a.md)"
    assert mrkdwn(text) == (
        "자세한 건 <https://w.example/a?x=1&amp;y=2|위키 &lt;b&gt;> 참고, [로컬](./a.md)"
    )


def test_a_link_label_cannot_smuggle_a_mention() -> None:
    assert mrkdwn("[<!channel>](https://x.example)") == "<https://x.example|&lt;!channel&gt;>"


def test_the_fallback_text_is_mrkdwn_with_escaped_control_characters() -> None:
    text, _ = render(Reply("**제목** <!here>", "**TCP** & [위키](https://w.example)"))
    assert text == "제목 &lt;!here&gt;\n*TCP* &amp; <https://w.example|위키>"
