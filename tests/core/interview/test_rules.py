"""The interview session's pure rules: next concept, seeds, hints, topics, the summary."""

from __future__ import annotations

import random
from collections import Counter
from typing import Final

import pytest

from bot.core.interview.rules import (
    DEFAULT_ROUNDS,
    HINT_MASK,
    MAX_ROUNDS,
    MAX_WEAKEST,
    MIN_WEIGHT,
    NEVER_SEEN_WEIGHT,
    WEAK_SCORE,
    choose_next,
    clamp_rounds,
    mask_hint,
    next_hint,
    resolve_topic,
    session_rng,
    summarize,
    topic_label,
)
from bot.core.models import KeyPoint

CATEGORIES: Final = ("일반", "머신러닝 (딥러닝 포함) 수학 관한 질문 및 답변", "통계적 개념")
DRAWS: Final = 6000


# --- rounds -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        (None, DEFAULT_ROUNDS),
        (1, 1),
        (3, 3),
        (0, 1),
        (-5, 1),
        (MAX_ROUNDS, MAX_ROUNDS),
        (999, MAX_ROUNDS),
    ],
)
def test_rounds_are_kept_within_one_and_the_maximum(asked: int | None, expected: int) -> None:
    assert clamp_rounds(asked) == expected


def test_rounds_default_can_be_configured() -> None:
    assert clamp_rounds(None, 7) == 7
    assert clamp_rounds(None, 100) == MAX_ROUNDS


# --- the next concept -------------------------------------------------------------------------


def test_the_next_concept_is_never_one_already_asked() -> None:
    rng = random.Random(1)
    candidates = list(range(10))
    asked: list[int] = []
    while (chosen := choose_next(candidates, asked, {}, rng)) is not None:
        assert chosen in candidates and chosen not in asked
        asked.append(chosen)
    assert sorted(asked) == candidates
    assert choose_next([], (), {}, rng) is None
    assert choose_next([1, 2], {1, 2}, {1: 0.0}, rng) is None


def test_unseen_and_low_scored_concepts_are_chosen_more_often() -> None:
    past = {1: 100.0, 2: 0.0, 3: 50.0}  # 4 was never seen
    rng = random.Random(2024)
    counts = Counter(choose_next([1, 2, 3, 4], (), past, rng) for _ in range(DRAWS))
    weights = {1: MIN_WEIGHT, 2: MIN_WEIGHT + 2, 3: MIN_WEIGHT + 1, 4: NEVER_SEEN_WEIGHT}
    total = sum(weights.values())
    for concept, weight in weights.items():
        share = counts[concept] / DRAWS
        assert abs(share - weight / total) < 0.02, (concept, share, weight / total)
    assert counts[4] > counts[2] > counts[3] > counts[1]


def test_a_perfect_score_still_leaves_a_concept_possible() -> None:
    rng = random.Random(3)
    counts = Counter(choose_next([1, 2], (), {1: 100.0, 2: 100.0}, rng) for _ in range(200))
    assert set(counts) == {1, 2}


def test_the_same_seed_and_question_choose_the_same_concept() -> None:
    candidates = list(range(50))
    past = {c: float(c * 2) for c in range(0, 50, 3)}

    def picks(seed: int) -> list[int | None]:
        asked: list[int] = []
        for seq in range(1, 11):
            chosen = choose_next(candidates, asked, past, session_rng(seed, seq))
            assert chosen is not None
            asked.append(chosen)
        return list(asked)

    assert picks(42) == picks(42)
    assert picks(42) != picks(43)
    first = {choose_next(candidates, (), {}, session_rng(seed, 1)) for seed in range(40)}
    assert len(first) > 10, "different seeds start with different concepts"


def test_each_question_of_an_interview_has_its_own_generator() -> None:
    one, two = session_rng(7, 1), session_rng(7, 2)
    assert [one.random() for _ in range(3)] != [two.random() for _ in range(3)]
    assert session_rng(7, 1).random() == session_rng(7, 1).random()


# --- hints ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "masked"),
    [
        ("합성곱", "합○○"),
        ("기각", "기○"),
        ("손실함수", "손○○○"),
        ("시그모이드", "시그○○○"),
        ("설계 원칙", "설계 ○○"),
        ("P 값", "P ○"),
        ("HTTP", "H○○○"),
        ("loss function", "lo○○ ○○○○○○○○"),
    ],
)
def test_a_hint_shows_the_start_of_a_key_point_and_masks_the_rest(label: str, masked: str) -> None:
    assert mask_hint(KeyPoint((label, "other spelling"))) == masked


def test_every_hint_of_two_or_more_letters_hides_something() -> None:
    for label in ("ab", "가나", "독립변수", "long term dependency", "완료될 때까지"):
        masked = mask_hint(KeyPoint((label,)))
        assert len(masked) == len(label)
        assert HINT_MASK in masked and masked != label
        assert masked[0] == label[0]
        assert [i for i, ch in enumerate(masked) if ch == " "] == [
            i for i, ch in enumerate(label) if ch == " "
        ]


def test_a_one_letter_key_point_cannot_be_masked_and_is_shown() -> None:
    assert mask_hint(KeyPoint(("식",))) == "식"


def test_hints_go_heaviest_first_then_run_out() -> None:
    points = (
        KeyPoint(("a",), 1.0),
        KeyPoint(("b",), 3.0),
        KeyPoint(("c",), 2.0),
        KeyPoint(("d",), 3.0),
    )
    shown = [next_hint(points, used) for used in range(len(points))]
    assert [p.label for p in shown if p] == ["b", "d", "c", "a"]
    assert next_hint(points, len(points)) is None
    assert next_hint(points, 99) is None
    assert next_hint((), 0) is None


# --- topics -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("topic", "category"),
    [
        ("통계적 개념", "통계적 개념"),
        ("통계", "통계적 개념"),
        ("  통계적개념 ", "통계적 개념"),
        ("통계적 개념을", "통계적 개념"),
        ("통계적 겨념", "통계적 개념"),
        ("머신러닝", CATEGORIES[1]),
        ("딥러닝", CATEGORIES[1]),
        ("일반", "일반"),
    ],
)
def test_a_topic_names_a_category_by_part_or_close_spelling(topic: str, category: str) -> None:
    assert resolve_topic(topic, CATEGORIES) == category


@pytest.mark.parametrize("topic", ["", "   ", "양자역학", "docker", "!!!", "x" * 5000])
def test_a_topic_close_to_no_category_resolves_to_none(topic: str) -> None:
    assert resolve_topic(topic, CATEGORIES) is None


def test_no_categories_means_no_topic() -> None:
    assert resolve_topic("통계", ()) is None


# --- the summary ------------------------------------------------------------------------------


def test_the_summary_keeps_each_score_the_average_and_the_weakest_lowest_first() -> None:
    scores = [("CNN", 90), ("RNN", 10), ("LSTM", 55), ("GAN", 0), ("attention", 59), ("RAG", 60)]
    summary = summarize(scores)
    assert summary.scores == tuple(scores)
    assert summary.average == round(sum(s for _, s in scores) / len(scores), 1)
    assert summary.weakest == ("GAN", "RNN", "LSTM")[:MAX_WEAKEST]
    assert all(dict(scores)[term] < WEAK_SCORE for term in summary.weakest)


def test_a_summary_of_good_scores_has_no_weakest() -> None:
    summary = summarize([("CNN", 100), ("RNN", WEAK_SCORE)])
    assert summary.weakest == ()
    assert summary.average == 80.0


def test_a_summary_of_nothing_averages_zero() -> None:
    summary = summarize([])
    assert (summary.scores, summary.average, summary.weakest) == ((), 0.0, ())


def test_the_average_is_rounded_to_one_decimal() -> None:
    assert summarize([("a", 33), ("b", 33), ("c", 34)]).average == 33.3
    assert summarize([("a", 0), ("b", 1), ("c", 1)]).average == 0.7


@pytest.mark.parametrize(
    ("topic", "category"),
    [
        ("statistics", "통계적 개념"),  # through the glossary
        ("operating system", "운영체제"),
        ("OS", "운영체제"),
        ("network", "Network"),
    ],
)
def test_an_english_topic_finds_its_category_across_languages(topic: str, category: str) -> None:
    assert (
        resolve_topic(topic, ["통계적 개념", "운영체제", "Network", "TCP/IP vs OSI 7계층"])
        == category
    )


def test_a_short_latin_topic_is_matched_as_a_word_not_inside_one() -> None:
    assert resolve_topic("OS", ["TCP/IP vs OSI 7계층", "데이터베이스"]) is None


def test_an_english_gloss_is_added_only_when_the_name_lacks_it() -> None:
    assert topic_label("통계적 개념", "en") == "통계적 개념 (statistical concept)"
    assert topic_label("트랜잭션(Transaction)", "en") == "트랜잭션(Transaction)"
    assert topic_label("통계적 개념", "ko") == "통계적 개념"
