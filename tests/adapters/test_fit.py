"""Fitting text into platform limits."""

from __future__ import annotations

import pytest

from bot.adapters.fit import ELLIPSIS, cut, split


def test_cut_keeps_short_text_and_cuts_long_text_at_a_word() -> None:
    assert cut("짧은 글", 10) == "짧은 글"
    text = "단어 " * 100
    cut_text = cut(text, 50)
    assert len(cut_text) <= 50 and cut_text.endswith(ELLIPSIS) and not cut_text[:-1].endswith(" ")


def test_cut_without_boundaries_cuts_mid_word() -> None:
    assert cut("x" * 100, 10) == "x" * 9 + ELLIPSIS


@pytest.mark.parametrize("limit", [5, 50, 2000])
def test_split_loses_nothing_but_whitespace(limit: int) -> None:
    text = ("첫 줄입니다. " * 40 + "\n") * 20 + "y" * 3000
    pieces = split(text, limit)
    assert all(0 < len(p) <= limit for p in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )
