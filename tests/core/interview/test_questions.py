"""Questions from concepts: the note's own question, templates per locale, the right particle."""

from __future__ import annotations

import pytest

from bot.core.interview.questions import (
    QUESTION_TEMPLATES,
    locale_of,
    particle,
    question_for,
    term_in,
)
from bot.core.models import Concept


def concept(term: str, question: str | None = None) -> Concept:
    return Concept(1, term, "ml", "정의", "notes.md", 1, question=question)


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("CNN", "CNN이란 무엇인가요?"),  # 씨엔엔: 받침
        ("Docker", "Docker란 무엇인가요?"),  # 도커
        ("LSTM", "LSTM이란 무엇인가요?"),  # 엠
        ("RAG", "RAG란 무엇인가요?"),  # 지
        ("EC2", "EC2란 무엇인가요?"),  # 투 / 이
        ("AI", "AI란 무엇인가요?"),
        ("TypeOrm", "TypeOrm이란 무엇인가요?"),
        ("LangChain", "LangChain이란 무엇인가요?"),
        ("attention", "attention이란 무엇인가요?"),
        ("optimizer", "optimizer란 무엇인가요?"),
        ("동기", "동기란 무엇인가요?"),
        ("경사하강법", "경사하강법이란 무엇인가요?"),
        ("로지스틱 회귀", "로지스틱 회귀란 무엇인가요?"),
        ("편미분", "편미분이란 무엇인가요?"),
        # English words read as loanwords: 스프링, 깃, 스택, 힙, 웹, 구글, 엔진 end in a 받침.
        ("Spring", "Spring이란 무엇인가요?"),
        ("Git", "Git이란 무엇인가요?"),
        ("Stack", "Stack이란 무엇인가요?"),
        ("Heap", "Heap이란 무엇인가요?"),
        ("Web", "Web이란 무엇인가요?"),
        ("Google", "Google이란 무엇인가요?"),
        ("Engine", "Engine이란 무엇인가요?"),
        # ... 부트, 루프, 프롬프트, 레디스, 리액트 do not.
        ("Boot", "Boot란 무엇인가요?"),
        ("Loop", "Loop란 무엇인가요?"),
        ("Prompt", "Prompt란 무엇인가요?"),
        ("Redis", "Redis란 무엇인가요?"),
        ("React", "React란 무엇인가요?"),
    ],
)
def test_korean_template_picks_the_particle(term: str, expected: str) -> None:
    assert question_for(concept(term), "ko", variant=1) == expected


def test_variants_cycle_through_the_templates() -> None:
    cnn = concept("CNN")
    assert question_for(cnn) == "CNN에 대해 설명해 주세요."
    assert question_for(cnn, variant=len(QUESTION_TEMPLATES["ko"])) == question_for(cnn)
    assert question_for(cnn, "en") == "What is CNN?"
    assert question_for(cnn, "en", variant=1) == "Explain CNN."
    assert question_for(cnn, "en", variant=-1) == "Explain CNN."


def test_a_question_written_in_the_note_is_asked_as_it_is() -> None:
    own = concept("TCP", "TCP와 UDP의 차이를 설명하세요")
    assert question_for(own) == "TCP와 UDP의 차이를 설명하세요"
    assert question_for(own, "en", variant=1) == "TCP와 UDP의 차이를 설명하세요"
    assert question_for(concept("CNN", "   ")) == "CNN에 대해 설명해 주세요."


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("ko", "ko"), ("ko-KR", "ko"), ("en", "en"), ("en_US", "en"), ("EN-gb", "en"), ("fr", "ko")],
)
def test_locales_fall_back_to_korean(locale: str, expected: str) -> None:
    assert locale_of(locale) == expected


def test_particles_pick_wa_or_gwa() -> None:
    assert particle("동기", "wa") == "와"
    assert particle("회귀", "wa") == "와"
    assert particle("합성곱", "wa") == "과"
    assert particle("CNN", "wa") == "과"
    assert particle("Pytorch", "wa") == "와"


def test_particle_kinds() -> None:
    assert [particle("CNN", kind) for kind in ("iran", "eun", "i", "eul", "wa")] == [
        "이란",
        "은",
        "이",
        "을",
        "과",
    ]
    assert [particle("Docker", kind) for kind in ("iran", "eun", "i", "eul", "wa")] == [
        "란",
        "는",
        "가",
        "를",
        "와",
    ]


@pytest.mark.parametrize(
    ("term", "aliases", "named"),
    [
        ("로지스틱 회귀", ("Logistic Regression",), "Logistic Regression"),  # the note's alias
        ("교착 상태", (), "deadlock"),  # the glossary's English
        ("편미분", (), "partial derivative"),
        ("CNN", (), "CNN"),  # already English
        ("쿠버빠", (), "쿠버빠"),  # nothing known: as written
    ],
)
def test_english_questions_name_a_korean_term_in_english(
    term: str, aliases: tuple[str, ...], named: str
) -> None:
    korean_term = Concept(1, term, "ml", "정의", "notes.md", 1, aliases=aliases)
    assert term_in(korean_term, "en") == named
    assert named in question_for(korean_term, "en")
    assert term_in(korean_term, "ko") == term
