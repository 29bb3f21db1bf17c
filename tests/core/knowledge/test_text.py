"""Text normalisation: NFC, folding, particles and question endings, jamo."""

from __future__ import annotations

import unicodedata

import pytest

from bot.core.knowledge.text import (
    compact,
    ends_with_final_jamo,
    fold,
    has_final_consonant,
    loose_jamo,
    nfc,
    normalize_name,
    normalize_query,
    query_forms,
    strip_particle,
    strip_question,
    to_jamo,
)


def test_nfc_composes_hangul_and_drops_invisible_characters() -> None:
    decomposed = unicodedata.normalize("NFD", "경사하강법")
    assert decomposed != "경사하강법"
    assert nfc(decomposed) == "경사하강법"
    assert nfc("\ufeffdo\u200bck\u00ader\u200d") == "docker"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DOCKER", "docker"),
        ("Ｄｏｃｋｅｒ", "docker"),
        ("  경사   하강법 ", "경사 하강법"),
        ("fine-tuning", "fine tuning"),
        ("Long Short‐Term—Memory", "long short term memory"),
        ("type_orm", "type orm"),
        ("Straße", "strasse"),
        ("a\tb\nc", "a b c"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("CNN은", "CNN"),
        ("경사하강법이란", "경사하강법"),
        ("도커란", "도커"),
        ("도커가", "도커"),
        ("선형회귀는", "선형회귀"),
        ("선형회귀로", "선형회귀"),
        ("경사하강법으로", "경사하강법"),
        ("LSTM에", "LSTM"),
        ("도커가뭐야", "도커"),
        ("경사하강법이란무엇인가요", "경사하강법"),
        ("AI란", "AI"),
        # the particle must suit the syllable before it: 이란 after a consonant only
        ("에이아이", "에이아이"),
        ("에이아이란", "에이아이"),
        ("경사하강법은", "경사하강법"),
        ("도커은", "도커은"),
        # short words survive
        ("이", "이"),
        ("가", "가"),
        ("나이", "나이"),
        ("동기", "동기"),
        ("비동기", "비동기"),
        ("", ""),
    ],
)
def test_strip_particle(word: str, expected: str) -> None:
    assert strip_particle(word) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CNN은", "cnn"),
        ("경사하강법이란?", "경사하강법"),
        ("도커가 뭐야", "도커"),
        ('"경사 하강법이란 무엇인가요?"', "경사 하강법"),
        ("Docker란 뭔가요?", "docker"),
        ("RAG가 뭐죠?", "rag"),
        ("LSTM에 대해 설명해 주세요", "lstm"),
        ("LSTM에 대해 알려줘", "lstm"),
        ("CNN 뜻", "cnn"),
        ("what is gradient descent?", "gradient descent"),
        ("define a CNN", "cnn"),
        ("  「로지스틱 회귀」  ", "로지스틱 회귀"),
        ("(로지스틱 회귀)", "로지스틱 회귀"),
        ("선형회귀", "선형회귀"),
        ("뭐야", "뭐야"),
        ("", ""),
        ("?!", ""),
    ],
)
def test_normalize_query(text: str, expected: str) -> None:
    assert normalize_query(text) == expected


def test_query_forms_go_from_least_to_most_stripped() -> None:
    assert query_forms("도커가 뭐야?") == ("도커가 뭐야", "도커가", "도커")
    assert query_forms("텐서플로") == ("텐서플로", "텐서플")
    assert query_forms("Docker") == ("docker",)
    assert query_forms("  ") == ("",)
    for text in ("CNN은", "경사하강법이란 무엇인가요?", "what is RAG"):
        assert query_forms(text)[-1] == normalize_query(text)
        assert query_forms(text)[0] == normalize_name(text)


def test_strip_question_keeps_particles_and_lone_words() -> None:
    assert strip_question("도커가 뭐야") == "도커가"
    assert strip_question("lstm에 대해서 설명해줘") == "lstm에"
    assert strip_question("what's rag") == "rag"
    assert strip_question("설명") == "설명"
    assert strip_question("") == ""


def test_normalize_name_keeps_particle_like_endings() -> None:
    assert normalize_name("텐서플로") == "텐서플로"
    assert normalize_name(" **REST API** ") == "rest api"
    assert normalize_name("'Load Balance'") == "load balance"
    assert normalize_name("Fine-Tuning") == "fine tuning"


def test_compact_removes_spaces() -> None:
    assert compact("경사 하강법") == compact("경사하강법") == "경사하강법"
    assert compact("") == ""


def test_to_jamo_makes_a_typo_cost_one_letter() -> None:
    assert to_jamo("강") == "\u1100\u1161\u11bc"
    assert len(to_jamo("경사하강법")) == 13
    typo, right = to_jamo("경사하감법"), to_jamo("경사하강법")
    assert len(typo) == len(right)
    assert sum(a != b for a, b in zip(typo, right, strict=True)) == 1
    assert to_jamo("cnn") == "cnn"


def test_loose_jamo_folds_sound_alike_letters() -> None:
    assert loose_jamo("도꺼") == loose_jamo("도커") == loose_jamo("도거")
    assert loose_jamo("텐써플로") == loose_jamo("텐서플로")
    assert loose_jamo("래이어") == loose_jamo("레이어")
    assert loose_jamo("낮") == loose_jamo("낟")
    assert loose_jamo("도커") != loose_jamo("도너")
    assert loose_jamo("docker") == "docker"


def test_ends_with_final_jamo() -> None:
    assert ends_with_final_jamo(to_jamo("돜"))
    assert not ends_with_final_jamo(to_jamo("도"))
    assert not ends_with_final_jamo("")
    assert not ends_with_final_jamo("abc")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("경사하강법", True),
        ("도커", False),
        ("선형회귀", False),
        ("CNN", True),
        ("RAG", False),
        ("LSTM", True),
        ("docker", False),
        ("EC2", False),
        ("편미분 (수학)", True),
        ("", False),
    ],
)
def test_has_final_consonant(word: str, expected: bool) -> None:
    assert has_final_consonant(word) is expected
