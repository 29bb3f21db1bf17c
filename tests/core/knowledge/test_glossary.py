"""The glossary: the packaged file is sound, names read across languages, bad files are caught."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from bot.core.errors import BadInput
from bot.core.knowledge.glossary import (
    GLOSSARY_FILE,
    GLOSSARY_PACKAGE,
    MAX_SPELLING_CHARS,
    Glossary,
    cross_key,
    default_glossary,
    parse_glossary,
    spelling_key,
    synonym_groups,
    translations,
    words_of,
)
from bot.core.messages import t

ROOT = Path(__file__).resolve().parents[3]
_HANGUL = re.compile(r"[가-힣]")
_LATIN = re.compile(r"[A-Za-z]")

# Spellings (as compared) deliberately listed in two groups: none. Add one here only with a
# reason; cross keys never translate it.
ALLOWED_OVERLAPS: dict[str, tuple[int, ...]] = {}
# Groups without a Hangul or without a Latin spelling: none.
ONE_SCRIPT_GROUPS: tuple[tuple[str, ...], ...] = ()


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return default_glossary()


# --- the packaged file ------------------------------------------------------------------------


def test_the_packaged_file_parses_into_hundreds_of_groups(glossary: Glossary) -> None:
    assert len(glossary) >= 400
    assert default_glossary() is glossary  # parsed once per process


def test_the_file_is_package_data() -> None:
    assert resources.files(GLOSSARY_PACKAGE).joinpath(GLOSSARY_FILE).is_file()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = pyproject["tool"]["setuptools"]["package-data"]
    assert "*.toml" in package_data[GLOSSARY_PACKAGE]


def test_no_spelling_is_empty_padded_or_repeated_in_its_group(glossary: Glossary) -> None:
    for group in glossary.groups:
        keys = [spelling_key(spelling) for spelling in group]
        assert all(keys), group
        assert len(set(keys)) == len(keys), group
        assert all(s == s.strip() and len(s) <= MAX_SPELLING_CHARS for s in group), group


def test_no_spelling_is_in_two_groups(glossary: Glossary) -> None:
    assert glossary.overlaps() == ALLOWED_OVERLAPS


def test_every_group_has_a_hangul_and_a_latin_spelling(glossary: Glossary) -> None:
    one_script = tuple(
        group
        for group in glossary.groups
        if not (any(_HANGUL.search(s) for s in group) and any(_LATIN.search(s) for s in group))
    )
    assert one_script == ONE_SCRIPT_GROUPS


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("프로세스", "스레드"), ("TCP", "UDP"), ("스택", "큐"), ("가상 메모리", "가상 머신"),
        ("정렬", "탐색"), ("동기", "비동기"), ("인덱스", "목차"), ("해시 테이블", "해시맵"),
        ("귀무가설", "대립가설"), ("뮤텍스", "세마포어"), ("HTTP", "HTTPS"), ("정규화", "규제"),
        ("인증", "인가"), ("암호화", "복호화"), ("과적합", "과소적합"), ("미분", "편미분"),
        ("로지스틱 회귀", "로그 회귀"), ("Load Balancer", "ELB"),
    ],
)  # fmt: skip
def test_related_but_different_terms_stay_apart(first: str, second: str) -> None:
    assert cross_key(first) != cross_key(second)


# --- reading names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "names",
    [
        ("Singleton 패턴", "싱글톤 패턴", "singleton pattern", "싱글턴패턴", "Singleton패턴",
         "SINGLETON PATTERNS", "싱글턴 pattern"),
        ("가상 메모리", "Virtual Memory", "가상메모리", "virtual 메모리"),
        ("Context Switching", "컨텍스트 스위칭", "문맥 교환", "context switch", "Context 스위칭"),
        ("교착상태", "교착 상태", "Deadlock", "데드락", "교착상태(Deadlock)"),
        ("트랜잭션", "Transaction", "트랜젝션"),
        ("캐시", "캐쉬", "cache", "caching"),
        ("스레드", "쓰레드", "thread", "threads"),
        ("해시", "해쉬", "hash"),
        ("가상 메모리 관리", "virtual memory management", "가상메모리관리", "virtual 메모리 관리"),
        ("퀵 정렬", "퀵소트", "quick sort", "quicksort", "Quick 정렬"),
        ("이진 탐색 트리", "이진검색트리", "binary search tree", "BST", "binary 탐색 트리"),
        ("Node.js", "nodejs", "노드JS"),
        ("OSI 7계층", "OSI 7 layer"),
        ("운영체제", "운영 체제", "operating system", "OS"),
    ],
)  # fmt: skip
def test_names_across_languages_share_a_cross_key(names: tuple[str, ...]) -> None:
    keys = {name: cross_key(name) for name in names}
    assert keys[names[0]] is not None
    assert len(set(keys.values())) == 1, keys


def test_unknown_words_stay_in_the_key() -> None:
    assert cross_key("Foo 패턴") == cross_key("foo pattern") == cross_key("FOO PATTERNS")
    assert cross_key("Foo Bar 패턴") == cross_key("foobar pattern")
    assert cross_key("Foo 패턴") != cross_key("Bar 패턴")
    assert cross_key("Foo 패턴") != cross_key("패턴")


@pytest.mark.parametrize("name", ["", "   ", "?!", "Zyxwv", "랜덤단어", "TypeOrm", "도커컴포즈야"])
def test_a_name_without_known_words_has_no_key(name: str) -> None:
    assert cross_key(name) is None


def test_words_of_splits_scripts_and_keeps_language_signs() -> None:
    assert words_of("Singleton패턴") == ["singleton", "패턴"]
    assert words_of("C++ / C# 입문") == ["c++", "c#", "입문"]
    assert words_of("Node.js") == ["node", "js"]
    assert spelling_key("교착 상태") == spelling_key("교착상태") == "교착상태"


def test_translations_of_whole_terms_and_compounds() -> None:
    assert translations("데드락")[0] == "deadlock"
    assert "교착 상태" in translations("데드락")
    assert translations("Singleton 패턴") == ("singleton pattern", "싱글톤 패턴")
    assert translations("가상 메모리 관리") == ("virtual memory management",)
    assert translations("foo 패턴") == ("foo pattern",)
    assert translations("Zyxwv") == ()
    assert len(translations("Context Switching")) <= 4
    assert translations("데드락", limit=1) == ("deadlock",)
    assert translations("데드락", limit=0) == ()


def test_synonym_groups_leave_out_one_syllable_hangul(glossary: Glossary) -> None:
    groups = synonym_groups()
    assert groups and all(len(group) >= 2 for group in groups)
    assert not any(re.fullmatch(r"[가-힣]", s.replace(" ", "")) for g in groups for s in g)
    assert ("최적화", "옵티마이제이션", "optimization", "optimisation") in groups
    assert len(groups) <= len(glossary)


def test_a_spelling_in_two_groups_is_reported_and_never_translated() -> None:
    small = Glossary([["락", "lock"], ["자물쇠", "lock"], ["패턴", "pattern"]])
    assert small.overlaps() == {"lock": (0, 1)}
    assert small.cross_key("lock") is None
    assert small.cross_key("lock pattern") == "lock @2"


def test_an_empty_glossary_knows_nothing() -> None:
    empty = Glossary.empty()
    assert len(empty) == 0
    assert empty.cross_key("싱글톤 패턴") is None
    assert empty.translations("싱글톤 패턴") == ()
    assert empty.synonym_groups() == ()


# --- bad files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "detail"),
    [
        ('groups = [\n  ["a", "가"],\n  ["b" "나"],\n]\n', 3, ""),
        ('groups = [\n  ["a", "가"],\n]\nextra = 1\n', 4, "unexpected top-level key"),
        ("# nothing\n", 1, "missing"),
        ('groups = "no"\n', 1, "must be a list"),
        ('groups = [\n  ["a", "가"],\n  ["b"],\n]\n', 3, "group 2: a group is a list"),
        ('groups = [\n  ["a", "가"],\n  ["b", 1],\n]\n', 3, "non-empty strings"),
        ('groups = [\n  ["a", "가"],\n  ["b", "  "],\n]\n', 3, "non-empty strings"),
        ('groups = [\n  ["a", "가"],\n  ["교착 상태", "교착상태"],\n]\n', 3, "spelled like"),
        ('groups = [\n  ["a", "가"],\n  ["b", "?!"],\n]\n', 3, "has no letters"),
        (f'groups = [\n  ["a", "{"가" * (MAX_SPELLING_CHARS + 1)}"],\n]\n', 2, "longer than"),
        # two groups on one line: found by the first spelling instead
        ('# c\ngroups = [\n  ["a", "가"], ["b", "나"],\n  ["c"],\n]\n', 4, "group 3"),
    ],
)
def test_a_malformed_file_names_its_line(text: str, line: int, detail: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_glossary(text, "glossary.toml")
    error = caught.value
    assert error.key == "glossary_invalid"
    assert error.params["path"] == "glossary.toml"
    assert error.params["line"] == line, error.params
    assert detail in str(error.params["detail"]) and error.params["detail"]
    assert "glossary.toml:" in t(error.key, "en", **error.params)


def test_a_small_file_parses() -> None:
    parsed = parse_glossary('groups = [\n  [" 락 ", "lock"],\n]\n', "g.toml")
    assert parsed.groups == (("락", "lock"),)
    assert parsed.cross_key("Lock") == parsed.cross_key("락") == "@0"
