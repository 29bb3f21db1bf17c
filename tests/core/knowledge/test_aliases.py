"""The aliases file: the shipped one loads and fits the notes; bad files and aliases are caught."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

from bot.core.errors import BadInput
from bot.core.knowledge.aliases import (
    aliases_for_terms,
    name_key,
    parse_aliases,
)
from bot.core.knowledge.parser import parse_notes

ROOT = Path(__file__).resolve().parents[3]
ALIASES = ROOT / "knowledge" / "aliases.toml"
NOTES = ROOT / "knowledge" / "interview-notes.md"
SHIPPED_TERMS = (
    "REST API", "RAG", "LangChain", "파인튜닝", "LLM", "AI", "Docker", "EC2", "TypeOrm",
    "Load Balance", "CNN", "RNN", "Pytorch", "Tensorflow", "GAN", "crossentropyloss",
    "optimizer", "동기", "비동기", "attention", "LSTM", "경사하강법", "귀무가설", "대립가설",
    "편미분", "선형회귀", "로지스틱 회귀",
)  # fmt: skip
# Words that belong to no single concept: a query for them should offer a choice.
GENERIC = ("회귀", "가설", "신경망", "모델", "ORM", "API", "최적화", "미분", "검정")
_HANGUL = re.compile(r"[가-힣]")
_LATIN = re.compile(r"[A-Za-z]")


def check_aliases(aliases: Mapping[str, Iterable[str]], terms: Iterable[str]) -> list[str]:
    """The shipped-data check: problems between ``aliases`` (term -> other names) and the
    concept ``terms`` of the notes.

    Reports, one line each: an aliases key matching no term, an alias claimed by two concepts, and
    an alias equal to another concept's term. Names are compared the way lookup compares them
    (:func:`name_key`). An empty list means the aliases fit.
    """
    term_by_key: dict[str, str] = {}
    for term in terms:
        term_by_key.setdefault(name_key(term), term)
    problems: list[str] = []
    owner_of: dict[str, str] = {}
    for key_term, names in aliases.items():
        owner = term_by_key.get(name_key(key_term))
        if owner is None:
            problems.append(f"aliases for unknown term {key_term!r}")
            owner = key_term
        for name in names:
            key = name_key(name)
            other_term = term_by_key.get(key)
            if other_term is not None and other_term != owner:
                problems.append(
                    f"alias {name!r} of {owner!r} is the term of another concept {other_term!r}"
                )
                continue
            previous = owner_of.setdefault(key, owner)
            if previous != owner:
                problems.append(f"alias {name!r} is claimed by both {previous!r} and {owner!r}")
    return problems


@pytest.fixture(scope="module")
def shipped() -> dict[str, tuple[str, ...]]:
    return parse_aliases(ALIASES.read_text(encoding="utf-8"), str(ALIASES))


def test_shipped_aliases_cover_every_term(shipped: dict[str, tuple[str, ...]]) -> None:
    assert set(shipped) == set(SHIPPED_TERMS)
    assert check_aliases(shipped, SHIPPED_TERMS) == []


def test_shipped_aliases_are_rich_and_bilingual(shipped: dict[str, tuple[str, ...]]) -> None:
    for term, names in shipped.items():
        assert len(names) >= 3, term
        everything = " ".join((term, *names))
        assert _HANGUL.search(everything), f"{term} has no Korean name"
        assert _LATIN.search(everything), f"{term} has no English name"


def test_shipped_aliases_hold_no_generic_word(shipped: dict[str, tuple[str, ...]]) -> None:
    generic = {name_key(word) for word in GENERIC}
    for term, names in shipped.items():
        assert not generic & {name_key(n) for n in names}, term


def test_shipped_aliases_fit_the_parsed_notes(shipped: dict[str, tuple[str, ...]]) -> None:
    parsed = parse_notes(NOTES.read_text(encoding="utf-8"))
    terms = [concept.term for concept in parsed.concepts]
    assert check_aliases(shipped, terms) == []
    assert set(aliases_for_terms(shipped, terms)) == set(SHIPPED_TERMS)


# --- parse_aliases --------------------------------------------------------------------------


def test_parse_keeps_order_strips_and_drops_duplicates() -> None:
    text = '[aliases]\n"CNN" = [" 합성곱 신경망 ", "합성곱신경망", "ConvNet", "convnet"]\n'
    assert parse_aliases(text, "a.toml") == {"CNN": ("합성곱 신경망", "ConvNet")}


def test_parse_accepts_an_empty_table_and_empty_lists() -> None:
    assert parse_aliases("[aliases]\n", "a.toml") == {}
    assert parse_aliases("[aliases]\nCNN = []\n", "a.toml") == {"CNN": ()}


@pytest.mark.parametrize(
    ("text", "line", "detail"),
    [
        ('[aliases]\n"CNN" = ["a",\n', 2, ""),
        ('# comment\n[aliases]\n"CNN" = ["a" "b"]\n', 3, ""),
        ('[aliases]\n"CNN" = ["a"]\n"CNN" = ["b"]\n', 3, ""),
        ('[aliases]\n"CNN" = "합성곱 신경망"\n', 2, "list"),
        ('[aliases]\n"RNN" = ["순환"]\n"CNN" = ["합성곱", ""]\n', 3, "non-empty"),
        ('[aliases]\n"CNN" = ["합성곱", 3]\n', 2, "non-empty"),
        ('[aliases]\n"CNN" = ["  "]\n', 2, "non-empty"),
        ('[aliases]\n"CNN" = ["--"]\n', 2, "no letters"),
        ('# comment\n[alias]\n"CNN" = ["a"]\n', 2, "alias"),
        ('CNN = ["a"]\n', 1, "CNN"),
        ("# nothing here\n", 1, "missing"),
        ('aliases = ["a"]\n', 1, "table"),
    ],
)
def test_parse_rejects_bad_files_naming_path_and_line(text: str, line: int, detail: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_aliases(text, "knowledge/aliases.toml")
    error = caught.value
    assert error.key == "aliases_invalid"
    assert error.params["path"] == "knowledge/aliases.toml"
    assert error.params["line"] == line
    assert detail in str(error.params["detail"])
    assert error.params["detail"]


# --- check_aliases --------------------------------------------------------------------------


def test_check_finds_unknown_terms() -> None:
    problems = check_aliases({"Kubernetes": ("쿠버네티스",)}, ["Docker"])
    assert len(problems) == 1 and "Kubernetes" in problems[0]


def test_check_matches_terms_as_lookup_compares_them() -> None:
    assert (
        check_aliases({"docker": ("도커",), "경사 하강법": ("GD",)}, ["Docker", "경사하강법"]) == []
    )


def test_check_finds_an_alias_claimed_by_two_concepts() -> None:
    problems = check_aliases(
        {"선형회귀": ("Regression",), "로지스틱 회귀": ("regression ",)},
        ["선형회귀", "로지스틱 회귀"],
    )
    assert len(problems) == 1
    assert "선형회귀" in problems[0] and "로지스틱 회귀" in problems[0]


def test_check_finds_an_alias_that_is_another_concepts_term() -> None:
    problems = check_aliases({"동기": ("비 동기",)}, ["동기", "비동기"])
    assert len(problems) == 1 and "비동기" in problems[0]


def test_check_accepts_an_alias_equal_to_its_own_term() -> None:
    assert check_aliases({"TypeOrm": ("TypeORM",)}, ["TypeOrm"]) == []


# --- aliases_for_terms ----------------------------------------------------------------------


def test_aliases_for_terms_matches_keys_and_drops_the_term_itself() -> None:
    aliases = {"docker": ("도커", "Docker", "도커"), "typeorm": ("TypeORM", "타입ORM")}
    assert aliases_for_terms(aliases, ["Docker", "TypeOrm", "CNN"]) == {
        "Docker": ("도커",),
        "TypeOrm": ("타입ORM",),
    }
