"""The Service's lookup API over the shipped notes, on a real database."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app.service import Service
from bot.config import Settings
from bot.core.errors import BadInput, Forbidden
from bot.core.knowledge.library import MAX_QUERY_CHARS
from bot.core.knowledge.replies import echo
from bot.core.messages import t
from bot.core.models import Caller, MatchKind, ReplyKind

USER = Caller("test", "u1", "c1", workspace_id="w1")
ADMIN = Caller("test", "admin", "c1", workspace_id="w1", is_admin=True)


async def test_confident_definition_shows_both_names_category_source_and_runners_up(
    service: Service,
) -> None:
    reply = await service.define(USER, "경사하감법이란?")
    assert reply.kind is ReplyKind.DEFINITION
    assert reply.title == "경사하강법 (Gradient Descent)"
    assert reply.body == "손실함수를 최소화하는 가중치를 찾는 방법"
    fields = {f.name: f.value for f in reply.fields}
    assert fields["출처"] == "knowledge/interview-notes.md:48"
    assert "Gradient Descent" in fields["다른 이름"]
    assert fields["분류"].startswith("머신러닝")


async def test_did_you_mean_offers_actions_that_define(service: Service) -> None:
    reply = await service.define(USER, "회귀")
    assert reply.kind is ReplyKind.SUGGESTIONS
    assert {a.argument.split(" §")[0] for a in reply.suggestions} == {"선형회귀", "로지스틱 회귀"}
    assert all(a.command == "define" for a in reply.suggestions)
    chosen = await service.act(USER, "define", reply.suggestions[0].argument)
    assert chosen[0].kind is ReplyKind.DEFINITION
    assert chosen[0].title.startswith(reply.suggestions[0].argument.split(" §")[0])


async def test_same_name_in_several_notes_is_offered_by_source_and_each_choice_shows_it(
    make_settings: type[Settings], tmp_path: Path, sqlite_url: str
) -> None:
    notes = tmp_path / "notes"
    (notes / "network").mkdir(parents=True)
    (notes / "web").mkdir()
    (notes / "network" / "cors.md").write_text(
        "# 네트워크\n## CORS\n출처가 다른 요청을 허용하는 정책.\n"
    )
    (notes / "web" / "cors.md").write_text(
        "# 웹 보안\n## CORS\n브라우저의 교차 출처 리소스 공유.\n"
    )
    settings = make_settings(
        database_url=sqlite_url, data_dir=tmp_path / "data", knowledge_paths=[notes]
    )
    service = await Service.start(settings)
    try:
        reply = await service.define(USER, "cors")
        assert reply.kind is ReplyKind.SUGGESTIONS
        assert reply.title == t("same_name_title", "ko")
        labels = [a.label for a in reply.suggestions]
        assert len(labels) == 2 and len(set(labels)) == 2
        assert any("network/cors.md" in label for label in labels)
        assert any("web/cors.md" in label for label in labels)
        bodies = set()
        for action in reply.suggestions:
            (shown,) = await service.act(USER, action.command, action.argument)
            assert shown.kind is ReplyKind.DEFINITION
            bodies.add(shown.body)
        assert bodies == {"출처가 다른 요청을 허용하는 정책.", "브라우저의 교차 출처 리소스 공유."}
        choices = await service.knowledge.autocomplete("CO")
        assert len({label for label, _ in choices}) == len(choices) == 2
        for _, value in choices:
            assert (await service.lookup(value)).kind is MatchKind.CONFIDENT
    finally:
        await service.close()


async def test_unknown_terms_are_declined_and_echoed_inertly(service: Service) -> None:
    reply = await service.define(USER, "@everyone **Kubernetes** <!channel>")
    assert reply.kind is ReplyKind.NOT_FOUND
    assert (
        "@everyone" not in reply.body and "<!channel>" not in reply.body and "**" not in reply.body
    )


@pytest.mark.parametrize("query", ["", "   ", "x" * (MAX_QUERY_CHARS + 1)])
async def test_empty_or_huge_queries_get_a_clear_error(service: Service, query: str) -> None:
    with pytest.raises(BadInput):
        await service.define(USER, query)


async def test_english_locale(service: Service) -> None:
    reply = await service.define(Caller("test", "u", "c", locale="en"), "docker")
    assert {f.name for f in reply.fields} >= {"Category", "Source"}


async def test_autocomplete_limits(service: Service) -> None:
    everything = await service.autocomplete(USER, "")
    assert 0 < len(everything) <= 25
    assert all(0 < len(label) <= 100 and 0 < len(value) <= 100 for label, value in everything)
    assert ("Docker (도커)", "Docker") in await service.autocomplete(USER, "도커")


async def test_reload_is_for_admins(service: Service) -> None:
    with pytest.raises(Forbidden):
        await service.reload(USER)
    report = await service.reload(ADMIN)
    assert report.unchanged == 1 and not report.knowledge_changed


async def test_a_second_process_sees_new_knowledge(
    settings: Settings, service: Service, tmp_path: Path
) -> None:
    other = await Service.start(settings)
    try:
        notes = tmp_path / "more"
        notes.mkdir()
        (notes / "k8s.md").write_text(
            "Kubernetes - 컨테이너 오케스트레이션 플랫폼\n", encoding="utf-8"
        )
        assert (await other.define(USER, "kubernetes")).kind is ReplyKind.NOT_FOUND
        await service.ingest([notes])
        assert (await other.define(USER, "kubernetes")).kind is ReplyKind.DEFINITION
    finally:
        await other.close()


def test_echo_is_inert_and_short() -> None:
    text = echo("line\nbreak @here `code` *b* " + "가" * 300)
    assert "\n" not in text and "@here" not in text and "`" not in text and len(text) <= 80


async def test_a_thread_message_answers_what_runs_there_or_nothing(service: Service) -> None:
    in_thread = Caller("test", "u1", "c1", workspace_id="w1", thread_id="t1")
    assert await service.answer_in_thread(in_thread, "아무 말") == []
    await service.interviews.start(in_thread, None, 1)
    replies = await service.answer_in_thread(in_thread, "합성곱과 풀링")
    assert replies[0].kind is ReplyKind.GRADE and replies[-1].kind is ReplyKind.SUMMARY


async def test_actions_run_the_service_and_unknown_ones_are_refused(service: Service) -> None:
    (reply,) = await service.act(USER, "define", "도커")
    assert reply.title.startswith("Docker")
    await service.interviews.start(USER, None, 2)
    (hint,) = await service.act(USER, "interview.hint")
    assert hint.ephemeral
    with pytest.raises(BadInput):
        await service.act(USER, "interview.explode")
