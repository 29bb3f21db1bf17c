"""The console front end driven line by line over a real Service (no terminal needed)."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.console.caller import console_caller
from bot.adapters.console.render import render
from bot.adapters.console.repl import PROMPT, Console
from bot.app.service import Service
from bot.config import Settings
from bot.core.interview.rules import MAX_ROUNDS
from bot.core.messages import t
from bot.core.models import Field, Reply, ReplyKind
from bot.testing import FakeClock
from tests.wording import message_pattern

ML = "머신러닝 (딥러닝 포함) 수학 관한 질문 및 답변"  # a category of the shipped notes
STATS = "통계적 개념"
WAIT_STEPS = 500
WAIT_STEP_S = 0.02


async def _session(service: Service, *lines: str) -> str:
    out = io.StringIO()
    console = Console(service, out)
    await console.run(io.StringIO("".join(f"{line}\n" for line in lines)), interactive=False)
    return out.getvalue()


async def test_define_help_and_a_numbered_suggestion(service: Service) -> None:
    text = await _session(service, "/define 회귀", "2", "/help", "/nope")
    assert t("did_you_mean_title", "ko") in text
    assert "1. 로지스틱 회귀" in text or "1. 선형회귀" in text
    category = t("field_category", "ko")
    assert text.count(f"{category}:") == 1, "typing a number looked the suggestion up"
    assert t("help_body", "ko") in text
    assert t("console_unknown_command", "ko", command="/nope") in text


async def test_plain_text_is_a_lookup_when_no_interview_runs(service: Service) -> None:
    assert "Docker (도커)" in await _session(service, "도커가 뭐야")


async def test_interview_flow_with_hint_skip_and_summary(service: Service) -> None:
    text = await _session(
        service,
        "/interview 머신러닝 3",
        "/hint",
        "I am not sure but it is about layers",
        "/skip",
        "/stop",
    )
    assert t("question_title", "ko", number=1, total=3, category=ML) in text
    assert t("hint_title", "ko") in text and t("hint_body", "ko", hint="") in text
    assert t("field_hits", "ko") in text and t("field_misses", "ko") in text
    assert t("field_reference", "ko") in text
    assert t("skipped_title", "ko") in text and t("summary_title", "ko") in text
    assert message_pattern("summary_average", count=2).search(text)


async def test_daily_in_the_console(service: Service) -> None:
    text = await _session(
        service, "/daily set 07:30 평일", "/daily status", "/daily now", "잘 모르겠어요"
    )
    assert message_pattern("daily_set_done", when=t("daily_when", "ko", time="07:30")).search(text)
    assert f"{t('daily_field_next', 'ko')}:" in text
    assert t("daily_footer", "ko", post_id=1) in text and t("field_hits", "ko") in text


async def test_errors_are_shown_not_raised(service: Service) -> None:
    text = await _session(service, "/interview 없는주제xyz", "/daily set 25:99", "/hint")
    assert text.count(t("error_title", "ko")) == 3


def test_render_is_plain_when_piped_and_coloured_in_a_terminal() -> None:
    reply = Reply("제목", "**굵게** 본문", ReplyKind.DEFINITION, fields=(Field("분류", "일반"),))
    plain = render(reply)
    assert "\x1b[" not in plain and "굵게 본문" in plain and "분류: 일반" in plain
    assert "\x1b[1m굵게" in render(reply, colour=True)


async def test_reload_reports_the_notes_unchanged(service: Service) -> None:
    text = await _session(service, "/reload")
    unchanged = {"files": 1, "changed": 0, "unchanged": 1, "deleted": 0}
    nothing_new = {"added": 0, "updated": 0, "removed": 0}
    assert message_pattern("ingest_summary", **unchanged, **nothing_new, total=27).search(text)


async def test_appeal_the_last_grade_then_read_the_appeals(service: Service) -> None:
    text = await _session(
        service,
        "/appeal",
        "/interview 통계 2",
        "잘 모르겠어요",
        "/appeal 제 말로는 맞게 설명했어요",
        "/appeal",
        "/appeals",
    )
    assert t("appeal_nothing_yet", "ko") in text, "nothing graded yet in this session"
    assert text.count(t("appeal_recorded_title", "ko")) == 1
    assert t("appeal_already_title", "ko") in text
    assert t("appeals_title", "ko") in text
    assert message_pattern("appeals_concept_line", appeals=1, graded=1, rate=100).search(text)
    assert t("appeals_note_line", "ko", note="제 말로는 맞게 설명했어요") in text


async def test_the_appeals_list_is_refused_to_a_non_admin(service: Service) -> None:
    out = io.StringIO()
    console = Console(service, out)
    console.caller = replace(console.caller, is_admin=False)
    await console.run(io.StringIO("/appeals\n"), interactive=False)
    assert t("error_title", "ko") in out.getvalue() and t("admin_only", "ko") in out.getvalue()


# --- what a person saw go wrong ---------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    """Friday 2024-03-01, 08:00 in Seoul (the default zone)."""
    return FakeClock(datetime(2024, 2, 29, 23, 0, tzinfo=UTC))


@pytest.fixture
async def timed(settings: Settings, clock: FakeClock) -> AsyncIterator[Service]:
    """A started Service on the test's clock (the daily runner and the expiry read it)."""
    started = await Service.start(settings, clock=clock)
    yield started
    await started.close()


async def _until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(WAIT_STEPS):
        if condition():
            return
        await asyncio.sleep(WAIT_STEP_S)
    raise AssertionError(f"timed out waiting for {what}")


async def test_a_daily_post_while_the_prompt_waits_comes_above_it_and_the_prompt_returns(
    timed: Service, clock: FakeClock
) -> None:
    """In a terminal (prompt_toolkit reading keys from a pipe, drawing on a VT100 screen): the
    runner posts while the person is at the prompt; the post is printed and the prompt drawn
    again below it, and the console still answers."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.vt100 import Vt100_Output

    screen = io.StringIO()

    def after(marker: str) -> str:
        return _visible(screen.getvalue()).rpartition(marker)[2]

    await timed.daily.set(console_caller(), "09:00")
    with create_pipe_input() as keys:
        output = Vt100_Output(screen, lambda: Size(rows=24, columns=100), term="xterm")
        with create_app_session(input=keys, output=output):
            console = Console(timed, screen)
            running = asyncio.create_task(console.run(io.StringIO(), interactive=True))
            welcome = t("console_welcome", "ko", count=timed.concept_count)
            await _until(lambda: PROMPT.strip() in after(welcome), "the prompt")
            # the runner, the expiry, the reminders and the notes keeper's pull timer all wait:
            # with fewer, the runner may not be asleep yet when the clock jumps past 09:00
            await clock.wait_for_sleepers(4)
            clock.set(datetime(2024, 3, 1, 0, 0, tzinfo=UTC))  # 09:00 in Seoul
            footer = t("daily_footer", "ko", post_id=1)
            await _until(lambda: footer in after(welcome), "the daily post")
            await _until(lambda: PROMPT.strip() in after(footer), "the prompt after the post")
            keys.send_text("/quit\r")
            await asyncio.wait_for(running, timeout=10)
    text = _visible(screen.getvalue())
    assert t("daily_title", "ko", date="2024-03-01") in text
    assert t("console_bye", "ko") in after(footer), "the prompt took the next line"


def _visible(screen: str) -> str:
    """What a terminal shows of ``screen``, roughly: its text without control sequences."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|[\x08\r]", "", screen)


async def test_a_definitions_runners_up_come_under_their_label(service: Service) -> None:
    text = await _session(service, "/define 귀무가설")
    assert f"{t('define_related_title', 'ko')}\n  1. 대립가설" in text


async def test_a_number_out_of_range_is_refused_and_the_suggestions_are_kept(
    service: Service,
) -> None:
    text = await _session(service, "/define 회귀", "7", "2")
    assert t("console_pick_out_of_range", "ko", number=7, count=2) in text
    assert t("not_found_body", "ko", query="7") not in text, "the number was not looked up"
    assert text.count(f"{t('field_category', 'ko')}:") == 1, "2 still picks a suggestion"


async def test_a_bad_round_count_says_the_allowed_range(service: Service) -> None:
    text = await _session(service, "/interview 통계 -1", "/interview 통계 3.5")
    assert text.count(t("interview_bad_rounds", "ko", limit=MAX_ROUNDS)) == 2
    assert not message_pattern("interview_unknown_topic").search(text)


async def test_a_second_answer_to_the_daily_question_is_an_answer(service: Service) -> None:
    text = await _session(
        service, "/daily now", "잘 모르겠어요", "두 번째 답이에요", "/define 도커", "도커"
    )
    assert t("field_hits", "ko") in text, "the first answer is graded"
    assert message_pattern("daily_already_answered").search(text)
    assert t("not_found_body", "ko", query="두 번째 답이에요") not in text
    assert text.count("Docker (도커)") == 2, "after a command, a plain line is a lookup again"


async def test_on_start_the_resume_notice_comes_before_the_question(service: Service) -> None:
    await _session(service, "/interview 통계 2")
    text = await _session(service)
    question = t("question_title", "ko", number=1, total=2, category=STATS)
    assert t("interview_resumed", "ko") in text and question in text
    assert text.index(t("interview_resumed", "ko")) < text.index(question)


async def test_an_interview_that_expired_while_the_console_was_closed_shows_its_summary(
    timed: Service, clock: FakeClock
) -> None:
    await _session(timed, "/interview 통계 2", "잘 모르겠어요")
    clock.advance(timedelta(minutes=timed.settings.interview_idle_minutes, seconds=1))
    text = await _session(timed, "도커")
    minutes = timed.settings.interview_idle_minutes
    assert text.count(t("summary_title", "ko")) == 1
    assert t("summary_expired", "ko", minutes=minutes) in text
    assert message_pattern("summary_average", count=1).search(text)
    assert "Docker (도커)" in text, "the interview is over: the line is a lookup"


async def test_topics_lists_what_an_unknown_topic_points_to(service: Service) -> None:
    text = await _session(service, "/interview 없는주제xyz", "/topics")
    assert message_pattern("interview_unknown_topic").search(text)
    assert t("topics_title", "ko") in text
    assert not message_pattern("console_unknown_command").search(text)
