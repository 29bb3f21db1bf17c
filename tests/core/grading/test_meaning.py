"""The meaning signal's rules: sentences, what may earn by meaning, close points, the blend."""

from __future__ import annotations

from bot.core.grading.grader import grade
from bot.core.grading.meaning import (
    CLOSE_CREDIT,
    CLOSE_SIMILARITY,
    MAX_ANSWER_SENTENCES,
    MAX_MEANING_CHARS,
    MAX_SENTENCE_CHARS,
    MEANING_FLOOR,
    MEANING_FULL,
    MEANING_SHARE,
    Comparison,
    Sentence,
    answer_sentences,
    meaning_score,
    reference_sentences,
    sentences_of,
    with_meaning,
)
from bot.core.grading.synonyms import SynonymMap
from bot.core.models import Band, Concept, KeyPoint

SYNONYMS = SynonymMap(())

NORMALIZATION = Concept(
    id=1,
    term="정규화",
    category="db",
    definition=(
        "정규화는 **데이터 중복**을 줄이는 설계 과정이다. 함수적 종속성에 따라 테이블을 나눈다.\n"
        "이상 현상을 막아 무결성을 지킨다."
    ),
    source_path="db.md",
    source_line=1,
    aliases=("Normalization",),
    key_points=(KeyPoint(("데이터 중복",), 2.0), KeyPoint(("종속성",)), KeyPoint(("무결성",))),
)


def comparison(rows: list[list[float]], overall: float) -> Comparison:
    return Comparison(tuple(tuple(row) for row in rows), overall)


def test_sentences_split_at_ends_and_lines_and_drop_crumbs() -> None:
    text = "첫 문장입니다. 둘째 문장인가요? 셋째 문장!\n넷째 줄\n.\n  "
    assert sentences_of(text, 10) == ["첫 문장입니다.", "둘째 문장인가요?", "셋째 문장!", "넷째 줄"]
    assert sentences_of(text, 2) == ["첫 문장입니다.", "둘째 문장인가요?"]
    assert sentences_of("가" * 1000, 5) == ["가" * MAX_SENTENCE_CHARS]
    assert sentences_of("", 5) == []


def test_the_reference_is_compared_sentence_by_sentence_without_bold_or_names() -> None:
    assert reference_sentences(NORMALIZATION, SYNONYMS) == (
        Sentence(
            "정규화는 데이터 중복을 줄이는 설계 과정이다.", "데이터 중복을 줄이는 설계 과정이다"
        ),
        Sentence("함수적 종속성에 따라 테이블을 나눈다.", "함수적 종속성에 따라 테이블을 나눈다"),
        Sentence("이상 현상을 막아 무결성을 지킨다.", "이상 현상을 막아 무결성을 지킨다"),
    )


def test_answer_sentences_lose_the_names_and_the_negated_ones() -> None:
    answer = (
        "정규화는 같은 정보가 반복되지 않도록 표를 쪼갭니다. 정규화는 조인을 없애지 않습니다. "
        "Normalization does not remove joins. 정규화, Normalization."
    )
    assert answer_sentences(NORMALIZATION, answer, SYNONYMS) == [
        Sentence(
            "정규화는 같은 정보가 반복되지 않도록 표를 쪼갭니다.",
            "같은 정보가 반복되지 않도록 표를 쪼갭니다",
        )
    ]
    assert answer_sentences(NORMALIZATION, "정규화는 정규화다. Normalization.", SYNONYMS) == []
    many = " ".join(f"표를 {n}번 쪼갭니다." for n in range(100))
    assert len(answer_sentences(NORMALIZATION, many, SYNONYMS)) == MAX_ANSWER_SENTENCES


def test_a_positive_paraphrase_is_kept_for_comparison() -> None:
    found = answer_sentences(NORMALIZATION, "정규화는 같은 정보를 한 곳에만 둡니다.", SYNONYMS)
    assert found == [
        Sentence("정규화는 같은 정보를 한 곳에만 둡니다.", "같은 정보를 한 곳에만 둡니다")
    ]


def test_meaning_score_maps_the_similarity_between_floor_and_full() -> None:
    assert meaning_score(MEANING_FLOOR - 0.2) == 0
    assert meaning_score(MEANING_FLOOR) == 0
    assert meaning_score((MEANING_FLOOR + MEANING_FULL) / 2) == 50
    assert meaning_score(MEANING_FULL) == 100
    assert meaning_score(1.0) == 100


def test_a_missed_point_close_in_meaning_earns_part_and_shows_the_sentence() -> None:
    answer = "같은 정보를 한 곳에만 두도록 표를 쪼갭니다. 무결성을 지킵니다."
    graded = grade(NORMALIZATION, answer, SYNONYMS)
    assert [h.point.label for h in graded.hits] == ["무결성"]
    sentences = [
        Sentence(
            "같은 정보를 한 곳에만 두도록 표를 쪼갭니다.",
            "같은 정보를 한 곳에만 두도록 표를 쪼갭니다",
        ),
        Sentence("무결성을 지킵니다.", "무결성을 지킵니다"),
    ]
    # reference sentence 0 holds 데이터 중복, 1 holds 종속성, 2 holds 무결성
    close = comparison([[CLOSE_SIMILARITY + 0.1, 0.1], [0.2, 0.1], [0.1, 0.9]], MEANING_FLOOR)
    result = with_meaning(
        graded, reference_sentences(NORMALIZATION, SYNONYMS), sentences, close, SYNONYMS
    )
    assert [(c.point.label, c.matched) for c in result.close] == [
        ("데이터 중복", "같은 정보를 한 곳에만 두도록 표를 쪼갭니다.")
    ]
    assert [p.label for p in result.misses] == ["종속성"]
    # weights 2, 1, 1: 무결성 hit (1) + 데이터 중복 close (2 * CLOSE_CREDIT) of 4
    assert result.score == round(100 * (1 + 2 * CLOSE_CREDIT) / 4)
    assert result.meaning == 0
    assert result.band is Band.GOOD


def test_a_point_only_in_an_unlike_sentence_stays_missed() -> None:
    graded = grade(NORMALIZATION, "표를 쪼갭니다.", SYNONYMS)
    sentences = [Sentence("표를 쪼갭니다.", "표를 쪼갭니다")]
    below = comparison([[CLOSE_SIMILARITY - 0.01], [0.0], [0.0]], 0.0)
    result = with_meaning(
        graded, reference_sentences(NORMALIZATION, SYNONYMS), sentences, below, SYNONYMS
    )
    assert result.close == ()
    assert result.misses == graded.misses
    assert result.score == graded.score == 0


def test_the_whole_answers_meaning_blends_in_but_never_lowers_the_key_points() -> None:
    answer = "데이터 중복을 줄이고 종속성을 따지며 무결성을 지킵니다."
    graded = grade(NORMALIZATION, answer, SYNONYMS)
    assert graded.score == 100
    sentences = [Sentence(answer, answer)]
    far = comparison([[0.0], [0.0], [0.0]], MEANING_FLOOR)
    assert (
        with_meaning(
            graded, reference_sentences(NORMALIZATION, SYNONYMS), sentences, far, SYNONYMS
        ).score
        == 100
    )
    nothing = grade(NORMALIZATION, "표를 잘 만드는 방법입니다.", SYNONYMS)
    assert nothing.score == 0
    near = comparison([[0.0], [0.0], [0.0]], MEANING_FULL)
    result = with_meaning(
        nothing, reference_sentences(NORMALIZATION, SYNONYMS), sentences, near, SYNONYMS
    )
    assert result.meaning == 100
    assert result.score == round(100 * MEANING_SHARE)


def test_a_negation_that_describes_a_word_or_a_purpose_denies_nothing() -> None:
    kept = [
        "더 이상 쓰이지 않는 메모리를 회수합니다.",
        "참조되지 않은 객체를 찾아 지웁니다.",
        "같은 정보가 반복되지 않도록 나눕니다.",
        "프로세스 전체를 올리지 않고도 실행합니다.",
    ]
    denied = [
        "메모리를 회수하지 않습니다.",
        "중복을 줄이지 않고 그대로 둡니다.",
        "조인이 없습니다.",
        "It does not remove duplicates.",
    ]
    for sentence in kept:
        assert answer_sentences(NORMALIZATION, sentence, SYNONYMS), sentence
    for sentence in denied:
        assert answer_sentences(NORMALIZATION, sentence, SYNONYMS) == [], sentence


def test_the_encoder_reads_a_long_answer_up_to_its_budget() -> None:
    sentence = "같은 정보를 한 곳에만 두도록 표를 여러 개로 쪼개는 작업입니다. "
    found = answer_sentences(NORMALIZATION, sentence * 40, SYNONYMS)
    assert sum(len(s.shown) for s in found) <= MAX_MEANING_CHARS
    assert len(found) == MAX_MEANING_CHARS // len(sentence.strip()) + 1  # the last one cut
    assert found[0].shown == sentence.strip()
