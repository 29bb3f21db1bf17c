"""The message catalogue: both locales, same placeholders, never raising."""

from __future__ import annotations

import string

import pytest

from bot.core import messages
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


@pytest.mark.parametrize(
    ("query", "eun", "wa"),
    [("가설", "은", "과"), ("회귀", "는", "와"), ("CNN", "은", "과"), ("Docker", "는", "와")],
)
def test_korean_particles_follow_the_value(query: str, eun: str, wa: str) -> None:
    assert t("same_name_body", "ko", query=query).startswith(f"'{query}'{eun} ")
    assert t("did_you_mean_body", "ko", query=query).startswith(f"'{query}'{wa} ")


def test_english_counts_are_singular_for_one() -> None:
    one, two = (t("grade_hint_penalty", "en", hints=n, points=10 * n) for n in (1, 2))
    assert "1 hint used" in one and "10 points" in one
    assert "2 hints used" in two


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_no_message_writes_grammar_as_a_placeholder(key: str) -> None:
    """Particles and plurals are chosen for the value, never spelled both ways."""
    for marker in ("은(는)", "와(과)", "이(가)", "을(를)", "(s)"):
        assert marker not in MESSAGES[key]["ko"] + MESSAGES[key]["en"], (key, marker)


@pytest.mark.parametrize("key", sorted(MESSAGES))
@pytest.mark.parametrize("locale", ["ko", "en"])
def test_every_message_renders_the_same_on_the_fast_path(key: str, locale: str) -> None:
    """Messages without conversions are formatted by ``str.format_map``: the same text as the
    grammar-aware formatter gives (a missing parameter still shows as ``{name}``)."""
    text = MESSAGES[key][locale]
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    given = {name: f"<{name}>" for name in sorted(names)[::2]}  # half given, half missing
    slow = messages._FORMATTER.vformat(text, (), messages._Defaulting(given))
    assert t(key, locale, **given) == slow
