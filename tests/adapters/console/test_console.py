"""The console front end driven line by line over a real Service (no terminal needed)."""

from __future__ import annotations

import io
from dataclasses import replace

from bot.adapters.console.render import render
from bot.adapters.console.repl import Console
from bot.app.service import Service
from bot.core.messages import t
from bot.core.models import Field, Reply, ReplyKind
from tests.wording import message_pattern

ML = "머신러닝 (딥러닝 포함) 수학 관한 질문 및 답변"  # a category of the shipped notes


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
