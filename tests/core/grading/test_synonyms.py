"""The synonym map: parsing, both directions, normalisation, errors, the shipped file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.errors import BadInput
from bot.core.grading.synonyms import SynonymMap, synonym_key
from bot.core.knowledge.glossary import Glossary

SHIPPED = Path(__file__).resolve().parents[3] / "knowledge" / "synonyms.toml"


@pytest.fixture(scope="module")
def shipped() -> SynonymMap:
    return SynonymMap.parse(SHIPPED.read_text(encoding="utf-8"), str(SHIPPED))


# Pairs the issue names, plus the shipped notes' own vocabulary.
EQUIVALENT = [
    ("kernel", "커널"),
    ("convolution", "합성곱"),
    ("pooling", "풀링"),
    ("layer", "층"),
    ("layer", "레이어"),
    ("층", "레이어"),
    ("gradient", "기울기"),
    ("gradient", "경사"),
    ("container", "컨테이너"),
    ("filter", "필터"),
    ("stride", "보폭"),
    ("feature map", "특징 맵"),
    ("feature map", "피처맵"),
    ("특징 맵", "피처맵"),
    ("loss", "손실"),
    ("weight", "가중치"),
    ("hypothesis", "가설"),
    ("regression", "회귀"),
    ("classification", "분류"),
    ("probability", "확률"),
    ("sigmoid", "시그모이드"),
    ("async", "비동기"),
    ("sync", "동기"),
    ("thread", "스레드"),
    ("thread", "쓰레드"),
    ("generator", "생성자"),
    ("discriminator", "판별자"),
    ("null hypothesis", "귀무가설"),
    ("alternative hypothesis", "대립가설"),
    ("odds", "승산비"),
    ("logit", "로짓"),
    ("independent variable", "독립변수"),
    ("dependent variable", "종속변수"),
    ("forget gate", "망각 게이트"),
    ("time series", "시계열"),
    ("virtual server", "가상 서버"),
    ("scale out", "스케일 아웃"),
    ("dynamic", "동적"),
    ("fine tuning", "파인튜닝"),
]


def test_shipped_file_loads_with_enough_groups(shipped: SynonymMap) -> None:
    assert len(shipped) >= 50
    assert len(shipped.groups) == len(shipped)


@pytest.mark.parametrize(("left", "right"), EQUIVALENT)
def test_shipped_pairs_work_in_both_directions(shipped: SynonymMap, left: str, right: str) -> None:
    assert right in shipped.variants(left)
    assert left in shipped.variants(right)


def test_variants_are_normalised_and_include_the_word(shipped: SynonymMap) -> None:
    assert "피처맵" in shipped.variants("Feature-Map")
    assert "feature map" in shipped.variants("FEATURE MAP")
    assert "feature map" in shipped.variants("featuremap")
    assert "커널" in shipped.variants("KERNEL")
    assert "kernel" in shipped.variants("Kernel")
    assert shipped.variants("전혀 모르는 말") == frozenset({"전혀 모르는 말"})
    assert shipped.variants("  ") == frozenset()


def test_a_word_in_two_groups_gets_both_but_not_transitively() -> None:
    synonyms = SynonymMap.from_groups([["a", "b"], ["b", "c"]])
    assert synonyms.variants("b") == frozenset({"a", "b", "c"})
    assert synonyms.variants("a") == frozenset({"a", "b"})
    assert synonyms.variants("c") == frozenset({"b", "c"})


def test_async_and_sync_stay_apart(shipped: SynonymMap) -> None:
    assert "비동기" not in shipped.variants("sync")
    assert "동기" not in shipped.variants("async")
    assert "blocking" not in shipped.variants("non-blocking")


def test_empty_map_and_groups_of_one_are_dropped() -> None:
    assert SynonymMap.empty().variants("kernel") == frozenset({"kernel"})
    assert len(SynonymMap.from_groups([["only"], ["x", "y"]])) == 1


def test_identity_hash_lets_graders_cache_per_map() -> None:
    one = SynonymMap.from_groups([["a", "b"]])
    two = SynonymMap.from_groups([["a", "b"]])
    assert one != two
    assert len({one, two, one}) == 2


def test_synonym_key_ignores_case_spacing_dashes_and_dots() -> None:
    assert synonym_key("Node.js") == synonym_key("node js") == "nodejs"
    assert synonym_key("Feature-Map") == synonym_key("feature map")


@pytest.mark.parametrize(
    ("text", "line", "detail"),
    [
        ('groups = [\n  ["a", "b"],\n  ["c" "d"],\n]\n', 3, ""),
        ('groups = [\n  ["a", "b"],\n  ["lonely"],\n]\n', 3, "at least two"),
        ('# a, b\ngroups = [\n  ["a", 1],\n]\n', 3, "non-empty strings"),
        ('groups = [\n  ["same", "SAME"],\n]\n', 2, "two different"),
        ('groups = [["a", "b"]]\nwords = ["c"]\n', 2, "unknown key"),
        ('groups = "kernel"\n', 1, "list of lists"),
        ('groups = [\n  ["a", "   "],\n]\n', 2, "non-empty strings"),
    ],
)
def test_bad_files_name_the_line(text: str, line: int, detail: str) -> None:
    with pytest.raises(BadInput) as caught:
        SynonymMap.parse(text, "my/synonyms.toml")
    assert caught.value.key == "synonyms_invalid"
    assert caught.value.params["path"] == "my/synonyms.toml"
    assert caught.value.params["line"] == line
    assert detail in str(caught.value.params["detail"])


def test_an_empty_file_is_an_empty_map() -> None:
    assert len(SynonymMap.parse("# nothing yet\n", "s.toml")) == 0


def test_the_grading_map_is_the_glossary_and_the_notes_groups(shipped: SynonymMap) -> None:
    combined = SynonymMap.with_glossary([["foo", "푸"], *shipped.groups])
    assert "푸" in combined.variants("foo")
    assert "커널" in combined.variants("kernel")  # the notes' group
    assert "optimization" in combined.variants("최적화")  # the glossary's
    assert "교착 상태" in combined.variants("deadlock")
    assert len(combined) > len(shipped) + 300
    own = SynonymMap.with_glossary([["foo", "푸"]], Glossary([["교착 상태", "deadlock"]]))
    assert len(own) == 2 and own.variants("deadlock") == {"deadlock", "교착 상태"}
