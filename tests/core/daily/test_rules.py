"""Daily-post markers: the text that finds a post again after a crash."""

from __future__ import annotations

import pytest

from bot.core.daily.rules import carries_marker, marker, post_number


@pytest.mark.parametrize(
    ("text", "post_id", "found"),
    [
        ("스레드에 답을 남기면 채점해 드려요 · Q#1", 1, True),
        ("Answer in the thread · Q#13", 1, False),  # Q#1 is not in Q#13
        ("Answer in the thread · Q#13", 13, True),
        ('[{"text": "... Q#7"}, {"text": "next"}]', 7, True),
        ("Q#70", 7, False),
    ],
)
def test_a_marker_is_found_only_whole(text: str, post_id: int, found: bool) -> None:
    assert carries_marker(text, marker(post_id)) is found


def test_the_marker_names_its_post() -> None:
    assert post_number(marker(42)) == 42
