"""The grader: normalisation, synonyms, typos, negation, names, limits, bands, the reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.grading.grader import (
    EXCELLENT_CUTOFF,
    GOOD_CUTOFF,
    MAX_ANSWER_CHARS,
    PARTIAL_CUTOFF,
    band_for,
    fallback_points,
    grade,
    stem,
    words_of,
)
from bot.core.grading.synonyms import SynonymMap
from bot.core.models import Band, Concept, KeyPoint

KNOWLEDGE = Path(__file__).resolve().parents[3] / "knowledge"

CNN_DEFINITION = (
    "CNN은 합성곱 층, 풀링 층으로 구성된다. **입력 이미지와 작은 크기의 필터(커널) 간의 합성곱"
    " 연산**을 통해 피처맵을 만든다. stride(보폭)는 크기를 조절한다."
)


def concept(
    term: str,
    points: tuple[KeyPoint, ...],
    definition: str = "",
    aliases: tuple[str, ...] = (),
) -> Concept:
    return Concept(
        id=1,
        term=term,
        category="ml",
        definition=definition,
        source_path="notes.md",
        source_line=1,
        aliases=aliases,
        key_points=points,
    )


CNN = concept(
    "CNN",
    (
        KeyPoint(("합성곱", "convolution"), 2.0),
        KeyPoint(("필터", "커널", "kernel", "filter")),
        KeyPoint(("풀링", "pooling")),
        KeyPoint(("피처맵", "특징 맵", "feature map")),
        KeyPoint(("stride", "보폭")),
    ),
    CNN_DEFINITION,
    aliases=("합성곱 신경망", "Convolutional Neural Network"),
)


@pytest.fixture(scope="module")
def synonyms() -> SynonymMap:
    return SynonymMap.parse((KNOWLEDGE / "synonyms.toml").read_text(encoding="utf-8"), "s")


def hit_labels(answer: str, target: Concept, synonyms: SynonymMap) -> list[str]:
    return [hit.point.label for hit in grade(target, answer, synonyms).hits]


# --- normalisation ----------------------------------------------------------------------------


def test_particles_and_endings_do_not_hide_a_point(synonyms: SynonymMap) -> None:
    result = grade(CNN, "합성곱층에서 커널과 풀링을 씁니다", synonyms)
    assert [(hit.point.label, hit.matched) for hit in result.hits] == [
        ("합성곱", "합성곱층에서"),
        ("필터", "커널과"),
        ("풀링", "풀링을"),
    ]


def test_spacing_case_width_and_decomposed_hangul_do_not_matter(synonyms: SynonymMap) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "합성 곱 연산과 특징맵")
    assert hit_labels(decomposed, CNN, synonyms) == ["합성곱", "피처맵"]
    assert hit_labels("ＣＯＮＶＯＬＵＴＩＯＮ and Feature-Map", CNN, synonyms) == [
        "합성곱",
        "피처맵",
    ]


def test_stem_and_words() -> None:
    assert stem("합성곱층에서") == "합성곱층"
    assert stem("커널과") == "커널"
    assert stem("이진분류를") == "이진분류"
    assert stem("kernels") == "kernels"
    assert words_of("CNN은 stride(보폭)로 🙂 x=1;") == [
        "cnn",
        "은",
        "stride",
        "보폭",
        "로",
        "x",
        "1",
    ]


# --- synonyms and English answers -------------------------------------------------------------


def test_english_answer_to_a_korean_point_via_synonyms(synonyms: SynonymMap) -> None:
    target = concept("GAN", (KeyPoint(("생성자",)), KeyPoint(("판별자",)), KeyPoint(("경쟁",))))
    answer = "A generator and a discriminator compete with each other."
    assert hit_labels(answer, target, synonyms) == ["생성자", "판별자", "경쟁"]
    assert hit_labels(answer, target, SynonymMap.empty()) == []


def test_english_answer_to_notes_without_synonyms_via_the_glossary() -> None:
    """Notes people bring have no synonyms file: the packaged glossary still links the
    languages (최적화 = optimization, 메모리 = memory ...), in both directions."""
    points = ("메모리", "최적화", "속도", "지연 시간")
    target = concept("캐시", tuple(KeyPoint((point,)) for point in points))
    answer = "A cache keeps hot data in memory: an optimization for speed that cuts latency."
    glossary_only = SynonymMap.with_glossary(())
    assert hit_labels(answer, target, SynonymMap.empty()) == []
    assert hit_labels(answer, target, glossary_only) == list(points)
    assert grade(target, answer, glossary_only).score == 100
    english = concept("Index", (KeyPoint(("search",)), KeyPoint(("sort",))))
    assert hit_labels("검색이 빨라지도록 키를 정렬해 둔다", english, glossary_only) == [
        "search",
        "sort",
    ]
    # the concept's own name in the other language is still the question, not an answer
    assert grade(target, "cache cache 캐쉬", glossary_only).score == 0


def test_korean_answer_to_an_english_point_via_synonyms(synonyms: SynonymMap) -> None:
    target = concept("Pooling layer", (KeyPoint(("kernel",)), KeyPoint(("stride",))))
    assert hit_labels("커널을 보폭만큼 옮긴다", target, synonyms) == ["kernel", "stride"]


def test_latin_words_match_whole_or_as_a_word_start(synonyms: SynonymMap) -> None:
    target = concept("X", (KeyPoint(("RAG",)), KeyPoint(("kernel",))))
    assert hit_labels("storage with fragments", target, synonyms) == []
    assert hit_labels("rag uses kernels", target, synonyms) == ["RAG", "kernel"]
    assert hit_labels("a subkernel", target, synonyms) == []


# --- typos ------------------------------------------------------------------------------------


def test_one_jamo_typo_in_a_long_word_still_counts(synonyms: SynonymMap) -> None:
    target = concept("X", (KeyPoint(("경사하강법",)), KeyPoint(("시그모이드",))))
    assert hit_labels("경사하감법으로 시그노이드를", target, synonyms) == [
        "경사하강법",
        "시그모이드",
    ]
    assert hit_labels("sigmiod", concept("X", (KeyPoint(("sigmoid",)),)), synonyms) == []
    assert hit_labels("sigmoidd", concept("X", (KeyPoint(("sigmoid",)),)), synonyms) == ["sigmoid"]


def test_typos_in_short_words_or_two_typos_do_not_count(synonyms: SynonymMap) -> None:
    assert hit_labels("커닐", CNN, synonyms) == []
    target = concept("X", (KeyPoint(("시그모이드",)),))
    assert hit_labels("시그노이트", target, synonyms) == []
    assert hit_labels("판별하는", concept("X", (KeyPoint(("판별자",)),)), synonyms) == []


# --- negation and neighbouring words ----------------------------------------------------------


def test_negated_mentions_do_not_hit(synonyms: SynonymMap) -> None:
    waits = concept("동기", (KeyPoint(("기다린다", "기다리는", "wait", "blocking", "블로킹")),))
    assert hit_labels("다른 작업을 기다리는 방식", waits, synonyms) == ["기다린다"]
    assert hit_labels("작업을 기다리지 않는다", waits, synonyms) == []
    assert hit_labels("it does not wait for the task", waits, synonyms) == []
    assert hit_labels("it doesn't wait", waits, synonyms) == []
    assert hit_labels("a non-blocking call", waits, synonyms) == []
    assert hit_labels("논블로킹 방식", waits, synonyms) == []
    assert hit_labels("안 기다리는 방식", waits, synonyms) == []
    assert hit_labels("calls block and wait", waits, synonyms) == ["기다린다"]


def test_korean_negation_needs_a_negating_word_not_just_a_syllable(synonyms: SynonymMap) -> None:
    assert hit_labels("합성곱 안에서 커널을 움직인다", CNN, synonyms) == ["합성곱", "필터"]
    assert hit_labels("커널 없이 풀링만", CNN, synonyms) == ["풀링"]
    assert hit_labels("풀링이 아니라 합성곱", CNN, synonyms) == ["합성곱"]
    assert hit_labels("합성곱은하지않고 풀링만", CNN, synonyms) == ["풀링"]
    stable = concept("X", (KeyPoint(("안정", "stable")),))
    assert hit_labels("수치적으로 안정하다", stable, synonyms) == ["안정"]
    assert hit_labels("안정하지 않다", stable, synonyms) == []


def test_negative_spellings_are_not_double_negated(synonyms: SynonymMap) -> None:
    target = concept(
        "귀무가설",
        (
            KeyPoint(("차이가 없", "no difference")),
            KeyPoint(("효과가 없", "no effect")),
            KeyPoint(("기다리지 않", "without waiting")),
        ),
    )
    answer = "no difference or no effect, 차이가 없다; without waiting"
    assert hit_labels(answer, target, synonyms) == ["차이가 없", "효과가 없", "기다리지 않"]


def test_a_negating_prefix_keeps_neighbours_apart(synonyms: SynonymMap) -> None:
    sync = concept("X", (KeyPoint(("동기",)), KeyPoint(("선형",))))
    assert hit_labels("비동기 방식과 비선형 함수", sync, synonyms) == []
    assert hit_labels("동기 방식과 선형 함수", sync, synonyms) == ["동기", "선형"]


def test_korean_points_inside_compounds(synonyms: SynonymMap) -> None:
    target = concept("X", (KeyPoint(("분류",)), KeyPoint(("손실함수",))))
    assert hit_labels("이진분류를 위한 교차엔트로피손실함수", target, synonyms) == [
        "분류",
        "손실함수",
    ]
    assert hit_labels("분류기", target, synonyms) == ["분류"]
    assert hit_labels("미분류 데이터", target, synonyms) == []


# --- the concept's own name -------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    ["CNN", "CNN CNN CNN이요", "합성곱 신경망입니다", "Convolutional Neural Network!", "cnn은 cnn"],
)
def test_repeating_the_name_scores_zero(synonyms: SynonymMap, answer: str) -> None:
    result = grade(CNN, answer, synonyms)
    assert result.score == 0
    assert result.band is Band.OFF_TOPIC


def test_a_name_made_of_point_words_is_removed_with_its_synonyms(synonyms: SynonymMap) -> None:
    descent = concept(
        "경사하강법", (KeyPoint(("기울기",)), KeyPoint(("손실",))), aliases=("Gradient Descent",)
    )
    assert grade(descent, "경사 하강법은 gradient descent 입니다", synonyms).score == 0
    assert hit_labels("경사하강법은 기울기를 따라 손실을 줄여요", descent, synonyms) == [
        "기울기",
        "손실",
    ]


# --- scoring, bands, odd input ----------------------------------------------------------------


def test_score_is_the_weighted_share_of_points_hit(synonyms: SynonymMap) -> None:
    assert grade(CNN, "합성곱", synonyms).score == round(100 * 2 / 6)
    assert grade(CNN, "풀링", synonyms).score == round(100 * 1 / 6)
    full = grade(CNN, "합성곱 커널 풀링 feature map 보폭", synonyms)
    assert full.score == 100
    assert full.band is Band.EXCELLENT
    assert full.misses == ()


def test_hits_and_misses_keep_the_order_of_the_points(synonyms: SynonymMap) -> None:
    result = grade(CNN, "stride 그리고 풀링", synonyms)
    assert [hit.point.label for hit in result.hits] == ["풀링", "stride"]
    assert [point.label for point in result.misses] == ["합성곱", "필터", "피처맵"]


def test_bands_follow_the_named_cutoffs() -> None:
    assert band_for(100) is Band.EXCELLENT
    assert band_for(EXCELLENT_CUTOFF) is Band.EXCELLENT
    assert band_for(EXCELLENT_CUTOFF - 1) is Band.GOOD
    assert band_for(GOOD_CUTOFF) is Band.GOOD
    assert band_for(GOOD_CUTOFF - 1) is Band.PARTIAL
    assert band_for(PARTIAL_CUTOFF) is Band.PARTIAL
    assert band_for(PARTIAL_CUTOFF - 1) is Band.OFF_TOPIC
    assert band_for(0) is Band.OFF_TOPIC


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "   \n\t ",
        "🙂🙂🔥👍",
        "def f(x):\n    return [i ** 2 for i in range(x)]  # 😀\n",
        "SELECT * FROM t WHERE a = 'b'; -- 주석",
        "\u200b\ufeff",
        "ㅋㅋㅋㅋ 모르겠어요",
        "?" * 5000,
    ],
)
def test_odd_answers_get_a_grade_not_an_error(synonyms: SynonymMap, answer: str) -> None:
    result = grade(CNN, answer, synonyms)
    assert result.score == 0
    assert result.band is Band.OFF_TOPIC
    assert result.hits == ()
    assert result.misses == CNN.key_points
    assert result.reference == CNN.definition


def test_code_with_the_right_words_is_graded_on_them(synonyms: SynonymMap) -> None:
    answer = "x = conv2d(image, kernel, stride=2)  # convolution 🙂\ny = max_pooling(x)"
    assert hit_labels(answer, CNN, synonyms) == ["합성곱", "필터", "풀링", "stride"]


def test_a_huge_answer_is_cut_at_the_limit(synonyms: SynonymMap) -> None:
    filler = "그리고 " * (MAX_ANSWER_CHARS // 4)
    early = grade(CNN, "합성곱 " + filler * 5 + "풀링", synonyms)
    assert len("합성곱 " + filler * 5) > 20_000
    assert [hit.point.label for hit in early.hits] == ["합성곱"]
    huge = grade(CNN, "가" * 20_000, synonyms)
    assert huge.score == 0


def test_answers_with_emoji_between_words_still_hit(synonyms: SynonymMap) -> None:
    assert hit_labels("합성곱🔥커널👍풀링", CNN, synonyms) == ["합성곱", "필터", "풀링"]


def test_a_concept_without_key_points_falls_back_to_its_definition(
    synonyms: SynonymMap,
) -> None:
    bare = concept(
        "Redis", (), "인메모리 키값 저장소. 캐시로 쓰며 캐시 만료와 캐시 교체를 지원한다."
    )
    points = fallback_points(bare)
    assert points[0].label == "캐시"
    assert all(point.label not in {"redis"} for point in points)
    assert grade(bare, "캐시로 많이 써요", synonyms).score > 0
    assert grade(concept("Empty", ()), "아무 말", synonyms).score == 0


# --- the marked reference ---------------------------------------------------------------------


def test_reference_marks_hit_points_only(synonyms: SynonymMap) -> None:
    result = grade(CNN, "convolution and kernels", synonyms)
    assert result.reference == CNN_DEFINITION
    marked = result.reference_marked
    assert marked.count("**합성곱**") == 2
    assert "**필터**(**커널**)" in marked
    assert "**풀링**" not in marked
    assert "**stride**" not in marked
    assert marked.replace("**", "") == CNN_DEFINITION.replace("**", "")


def test_reference_without_hits_loses_its_own_bold_marks(synonyms: SynonymMap) -> None:
    result = grade(CNN, "", synonyms)
    assert result.reference_marked == CNN_DEFINITION.replace("**", "")


def test_the_marked_reference_handles_spacing_case_and_word_edges(synonyms: SynonymMap) -> None:
    points = (KeyPoint(("특징 맵",)), KeyPoint(("rag",)))
    text = "피처 맵과 Feature Map, RAG 그리고 storage"
    concept = Concept(1, "표시", "", text, "", 1, key_points=points)
    result = grade(concept, "특징 맵 rag", synonyms)
    assert result.reference_marked == ("**피처 맵**과 **Feature Map**, **RAG** 그리고 storage")


def test_grading_never_loads_the_tokenizer() -> None:
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from bot.core.grading.grader import grade\n"
        "from bot.core.grading.synonyms import SynonymMap\n"
        "from bot.core.models import Concept, KeyPoint\n"
        "c = Concept(1, 'CNN', '', 'def', '', 1, key_points=(KeyPoint(('합성곱',)),))\n"
        "assert grade(c, '합성곱층에서', SynonymMap.empty()).score == 100\n"
        "assert 'kiwipiepy' not in sys.modules, 'tokenizer imported'\n"
    )
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "answer", ["구별이 아닙니다", "구별은 아님", "구별하지도 않는다", "구별하지는 못한다"]
)
def test_negations_with_particles_and_polite_endings_do_not_hit(answer: str) -> None:
    point = KeyPoint(("구별",), 1.0)
    concept = Concept(1, "판별", "일반", "구별한다", "n.md", 1, key_points=(point,))
    assert grade(concept, answer, SynonymMap.empty()).score == 0
    assert grade(concept, "진짜와 가짜를 구별한다", SynonymMap.empty()).score == 100


def test_a_negated_predicate_negates_the_points_of_its_clause_only() -> None:
    order = KeyPoint(("대소 관계",), 1.0)
    flow = KeyPoint(("흐름 제어",), 1.0)
    heap = Concept(1, "힙", "일반", "대소 관계", "n.md", 1, key_points=(order, flow))
    empty = SynonymMap.empty()
    assert grade(heap, "부모와 자식 사이에 대소 관계를 유지하지 않습니다", empty).score == 0
    assert grade(heap, "대소 관계를 유지합니다", empty).score == 50
    # the negation belongs to the next clause (a subject of its own, or after …하고)
    assert grade(heap, "흐름 제어와 네트워크가 막히지 않게 한다", empty).score == 50
    assert grade(heap, "대소 관계를 지키고 흐름 제어는 하지 않는다", empty).score == 50
    assert grade(heap, "전부 대소 관계대로 놓거나 전혀 놓지 않는다", empty).score == 50
