"""The console front end driven line by line over a real Service (no terminal needed)."""

from __future__ import annotations

import io

from bot.adapters.console.app import Console
from bot.adapters.console.render import render
from bot.core.models import Field, Reply, ReplyKind
from bot.core.service import Service


async def _session(service: Service, *lines: str) -> str:
    out = io.StringIO()
    console = Console(service, out)
    await console.run(io.StringIO("".join(f"{line}\n" for line in lines)), interactive=False)
    return out.getvalue()


async def test_define_help_and_a_numbered_suggestion(service: Service) -> None:
    text = await _session(service, "/define 회귀", "2", "/help", "/nope")
    assert "혹시 이것을 찾으셨나요?" in text
    assert "1. 로지스틱 회귀" in text or "1. 선형회귀" in text
    assert text.count("분류:") == 1, "typing a number looked the suggestion up"
    assert "/interview" in text and "알 수 없는 명령" in text


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
    assert "질문 1/3" in text and "힌트" in text
    assert "맞힌 핵심 포인트" in text and "놓친 핵심 포인트" in text and "모범 답안" in text
    assert "넘어갔어요" in text and "면접 결과" in text and "평균" in text


async def test_daily_in_the_console(service: Service) -> None:
    text = await _session(
        service, "/daily set 07:30 평일", "/daily status", "/daily now", "잘 모르겠어요"
    )
    assert "07:30" in text and "다음 게시" in text
    assert "Q#1" in text and "핵심 포인트" in text


async def test_errors_are_shown_not_raised(service: Service) -> None:
    text = await _session(service, "/interview 없는주제xyz", "/daily set 25:99", "/hint")
    assert text.count("처리할 수 없어요") == 3


def test_render_is_plain_when_piped_and_coloured_in_a_terminal() -> None:
    reply = Reply("제목", "**굵게** 본문", ReplyKind.DEFINITION, fields=(Field("분류", "일반"),))
    plain = render(reply)
    assert "\x1b[" not in plain and "굵게 본문" in plain and "분류: 일반" in plain
    assert "\x1b[1m굵게" in render(reply, colour=True)


async def test_reload_reports_the_notes_unchanged(service: Service) -> None:
    text = await _session(service, "/reload")
    assert "그대로 1" in text and "전체 개념 27개" in text
