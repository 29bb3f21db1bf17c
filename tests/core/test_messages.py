"""The message catalogue: both locales, same placeholders, never raising."""

from __future__ import annotations

import string

import pytest

from bot.core.messages import MESSAGES, Msg, t


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_both_locales_with_the_same_placeholders(key: str) -> None:
    entry = MESSAGES[key]
    assert set(entry) == {"ko", "en"}
    assert _fields(entry["ko"]) == _fields(entry["en"])


def test_missing_parameter_stays_visible_and_unknown_locale_falls_back_to_korean() -> None:
    assert "{query}" in t("not_found_body", "ko")
    assert t("help_title", "fr") == MESSAGES["help_title"]["ko"]


def test_nested_messages_render_in_the_same_locale() -> None:
    text = t("ingest_failed", "en", path="a.md", line=3, detail=Msg("file_empty"))
    assert "a.md:3" in text and "the file is empty" in text


# Keys built at run time from a value: ``band_{band}`` (every Band has one).
DYNAMIC_PREFIXES = ("band_",)


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_is_shown_somewhere(key: str) -> None:
    from pathlib import Path

    from bot.core.models import Band

    if key.startswith(DYNAMIC_PREFIXES):
        assert key.removeprefix("band_") in {band.value for band in Band}
        return
    bot = Path(__file__).resolve().parents[2] / "bot"
    sources = (p.read_text(encoding="utf-8") for p in bot.rglob("*.py") if p.name != "messages.py")
    quoted = (f'"{key}"', f"'{key}'")
    assert any(q in text for text in sources for q in quoted), f"{key} is never used"
