"""Tests for Discord rendering: embed colours and button styles from a Reply."""

from __future__ import annotations

import discord
import pytest

from bot.adapters.discord.render import render
from bot.core.grading.appeal_replies import APPEAL_ACTION
from bot.core.models import Action, Band, Reply, ReplyKind


@pytest.mark.parametrize(
    ("band", "colour"),
    [
        (Band.EXCELLENT, discord.Colour.green()),
        (Band.GOOD, discord.Colour.green()),
        (Band.PARTIAL, discord.Colour.orange()),
        (Band.OFF_TOPIC, discord.Colour.red()),
    ],
)
def test_a_grade_is_coloured_by_its_band(band: Band, colour: discord.Colour) -> None:
    reply = Reply("채점", "", ReplyKind.GRADE, extra={"score": 50, "band": band.value})
    assert render(reply).embed.colour == colour


def test_a_grade_without_a_band_is_coloured_by_its_score() -> None:
    skipped = Reply("넘김", "", ReplyKind.GRADE, extra={"score": 0})
    assert render(skipped).embed.colour == discord.Colour.red()


def test_buttons_are_styled_by_what_they_do() -> None:
    actions = (
        Action("interview.answer", "답하기"),
        Action("interview.hint", "힌트"),
        Action("interview.skip", "넘기기"),
        Action("interview.stop", "그만하기"),
        Action(APPEAL_ACTION, "맞게 답했어요", "1"),
    )
    view = render(Reply("질문", "", ReplyKind.QUESTION, actions=actions)).view
    assert view is not None
    styles = {
        item.label: item.style for item in view.children if isinstance(item, discord.ui.Button)
    }
    assert styles == {
        "답하기": discord.ButtonStyle.primary,
        "힌트": discord.ButtonStyle.secondary,
        "넘기기": discord.ButtonStyle.secondary,
        "그만하기": discord.ButtonStyle.danger,
        "맞게 답했어요": discord.ButtonStyle.secondary,
    }


def test_note_marks_are_escaped_inside_the_bots_own_spoiler() -> None:
    reply = Reply("채점", "a || b", ReplyKind.GRADE, spoiler="x || y ~~z~~")
    embed = render(reply).embed
    assert embed.description == r"a \|\| b"
    assert embed.fields[-1].value == r"||x \|\| y \~\~z\~\~||"
