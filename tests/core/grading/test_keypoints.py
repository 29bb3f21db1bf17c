"""Key points: the curated file against the notes, its format, and derivation with kiwipiepy."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.errors import BadInput
from bot.core.grading.grader import words_of
from bot.core.grading.keypoints import (
    GENERIC_WORDS,
    MAX_KEY_POINTS,
    KeyPointExtractor,
    KeyPointSource,
    Token,
    candidates,
    curated_words,
    fold_for_tokenizer,
    join_user_words,
    load_curated,
    parse_point,
    rank,
)
from bot.core.grading.synonyms import SynonymMap
from bot.core.knowledge.parser import parse_notes
from bot.core.models import KeyPoint, ParsedConcept

KNOWLEDGE = Path(__file__).resolve().parents[3] / "knowledge"
MIN_POINTS, MAX_POINTS = 4, 7
# Notes too short to support four points; each is named with its reason.
THIN_NOTES = {"편미분": "its definition is five words: 3차원 식에서 사용"}


@pytest.fixture(scope="module")
def notes() -> dict[str, ParsedConcept]:
    text = (KNOWLEDGE / "interview-notes.md").read_text(encoding="utf-8")
    return {concept.term: concept for concept in parse_notes(text).concepts}


@pytest.fixture(scope="module")
def curated() -> dict[str, tuple[KeyPoint, ...]]:
    path = KNOWLEDGE / "keypoints.toml"
    return load_curated(path.read_text(encoding="utf-8"), str(path))


@pytest.fixture(scope="module")
def synonyms() -> SynonymMap:
    return SynonymMap.parse((KNOWLEDGE / "synonyms.toml").read_text(encoding="utf-8"), "s")


def _compact(text: str) -> str:
    return "".join(words_of(text))


# --- the shipped file against the notes -------------------------------------------------------


def test_every_curated_term_is_a_concept_of_the_notes(
    curated: dict[str, tuple[KeyPoint, ...]], notes: dict[str, ParsedConcept]
) -> None:
    assert set(curated) - set(notes) == set()


def test_every_concept_of_the_notes_is_curated(
    curated: dict[str, tuple[KeyPoint, ...]], notes: dict[str, ParsedConcept]
) -> None:
    assert len(notes) == 27
    assert set(notes) - set(curated) == set()
    for term, points in curated.items():
        low = 2 if term in THIN_NOTES else MIN_POINTS
        assert low <= len(points) <= MAX_POINTS, term


def test_every_point_is_supported_by_its_definition(
    curated: dict[str, tuple[KeyPoint, ...]],
    notes: dict[str, ParsedConcept],
    synonyms: SynonymMap,
) -> None:
    unsupported = []
    for term, points in curated.items():
        definition = _compact(notes[term].definition)
        for point in points:
            first = point.alternatives[0]
            spellings = {first, *synonyms.variants(first)}
            if not any(_compact(spelling) in definition for spelling in spellings):
                unsupported.append(f"{term}: {first}")
    assert unsupported == []


def test_no_point_is_the_concepts_own_name(
    curated: dict[str, tuple[KeyPoint, ...]], synonyms: SynonymMap
) -> None:
    for term, points in curated.items():
        names = {_compact(variant) for variant in synonyms.variants(term)} | {_compact(term)}
        for point in points:
            assert not names & {_compact(alt) for alt in point.alternatives}, (term, point.label)


def test_weights_and_curated_words(curated: dict[str, tuple[KeyPoint, ...]]) -> None:
    cnn = {point.label: point.weight for point in curated["CNN"]}
    assert cnn["합성곱"] == 2.0
    assert cnn["풀링"] == 1.0
    words = curated_words(curated)
    assert {"합성곱", "피처맵", "망각 게이트", "kernel"} <= words


# --- the file format --------------------------------------------------------------------------


def test_both_weight_forms_are_read() -> None:
    text = """
[keypoints."CNN"]
points = [{ point = "합성곱|convolution", weight = 2.5 }, "풀링|pooling", "stride"]
weights = { "stride" = 3 }

[keypoints.RNN]
points = ["순서"]
"""
    loaded = load_curated(text, "k.toml")
    assert loaded["CNN"] == (
        KeyPoint(("합성곱", "convolution"), 2.5),
        KeyPoint(("풀링", "pooling"), 1.0),
        KeyPoint(("stride",), 3.0),
    )
    assert loaded["RNN"] == (KeyPoint(("순서",), 1.0),)


def test_parse_point_trims_and_rejects_empty_spellings() -> None:
    assert parse_point(" 필터 | 커널|kernel ") == ("필터", "커널", "kernel")
    assert parse_point("a||b") == ()
    assert parse_point("") == ()


@pytest.mark.parametrize(
    ("text", "line", "detail"),
    [
        ('[keypoints."CNN"]\npoints = ["a" "b"]\n', 2, ""),
        ('[keypoints."CNN"]\npoints = []\n', 1, "non-empty list"),
        ('\n[keypoints."CNN"]\npoints = ["a||b"]\n', 2, "empty spelling"),
        ('[keypoints."CNN"]\npoints = ["a", "a"]\n', 1, "twice"),
        ('[keypoints."CNN"]\npoints = ["a"]\nweights = { "b" = 2 }\n', 1, "unknown point"),
        ('[keypoints."CNN"]\npoints = [{ point = "a", weight = 0 }]\n', 1, "weight"),
        ('[keypoints."CNN"]\npoints = [{ point = "a", weight = true }]\n', 1, "weight"),
        ('[keypoints."CNN"]\npoints = [{ point = "a", wieght = 2 }]\n', 1, "'point'"),
        ('[keypoints."CNN"]\npoints = [3]\n', 1, "a point is a string"),
        ('[keypoints."CNN"]\npoint = ["a"]\n', 1, "unknown key"),
        ('[keypoints."CNN"]\npoints=["a"]\n[keypoints."cnn"]\npoints=["b"]\n', 3, "repeats"),
        ('[keypoint."CNN"]\npoints = ["a"]\n', 1, "unknown table"),
        ("keypoints = 3\n", 1, "table of concepts"),
    ],
)
def test_bad_files_name_the_line(text: str, line: int, detail: str) -> None:
    with pytest.raises(BadInput) as caught:
        load_curated(text, "notes/keypoints.toml")
    assert caught.value.key == "keypoints_invalid"
    assert caught.value.params["path"] == "notes/keypoints.toml"
    assert caught.value.params["line"] == line
    assert detail in str(caught.value.params["detail"])


# --- derivation, pure part --------------------------------------------------------------------


def _tokens(*spec: tuple[str, str, int]) -> list[Token]:
    return [Token(form, tag, start, start + len(form)) for form, tag, start in spec]


def test_candidates_join_adjacent_nouns_and_glue_noun_suffixes() -> None:
    text = "경사 하강 법은 가중치를 scale out"
    tokens = _tokens(
        ("경사", "NNG", 0),
        ("하강", "NNG", 3),
        ("법", "NNG", 6),
        ("은", "JX", 7),
        ("가중", "NNG", 9),
        ("치", "XSN", 11),
        ("를", "JKO", 12),
        ("scale", "SL", 14),
        ("out", "SL", 20),
    )
    found = [word.lstrip("\x01\x02") for word in candidates(tokens, text)]
    assert "경사 하강 법" in found, "a phrase is written as the note writes it"
    assert "가중치" in found
    assert "scale out" in found
    assert "치" not in found
    assert all(word.startswith("\x02") for word in candidates(tokens, text)), "all in the lead"


def _user_words(*words: str) -> tuple[frozenset[str], frozenset[str]]:
    keys = frozenset(word.replace(" ", "") for word in words)
    return keys, frozenset(key[:end] for key in keys for end in range(1, len(key)))


def test_user_words_join_the_tokens_they_cover_as_the_note_writes_them() -> None:
    text = "합성곱을 쓰는 선점 스케줄링, 선점. 스케줄"
    tokens = _tokens(
        ("합성", "NNG", 0),
        ("곱", "NNG", 2),
        ("을", "JKO", 3),
        ("쓰", "VV", 5),
        ("는", "ETM", 6),
        ("선점", "NNG", 8),
        ("스케줄", "NNG", 11),
        ("링", "NNG", 14),
        (",", "SP", 15),
        ("선점", "NNG", 17),
        (".", "SF", 19),
        ("스케줄", "NNG", 21),
    )
    joined = join_user_words(tokens, text, *_user_words("합성곱", "선점 스케줄링", "선점스케줄"))
    forms = [(token.form, token.tag) for token in joined]
    assert forms[0] == ("합성곱", "NNP"), "glued pieces become the name"
    assert ("선점 스케줄링", "NNP") in forms, "a spaced name is joined whole, longest first"
    assert forms[-3:] == [("선점", "NNG"), (".", "SF"), ("스케줄", "NNG")], "never across a stop"
    assert (joined[0].start, joined[0].end) == (0, 3)


def test_user_words_that_match_nothing_leave_the_tokens_as_they_are() -> None:
    tokens = _tokens(("가상", "NNG", 0), ("메모리", "NNG", 3))
    assert join_user_words(tokens, "가상 메모리", *_user_words("가상화")) is tokens
    assert join_user_words(tokens, "가상 메모리", frozenset(), frozenset()) is tokens


def test_english_words_are_whole_and_long_runs_keep_their_head() -> None:
    """The tokenizer's pieces of one word (co + ntrol.) are one word without its full stop; a
    hyphenated compound (a run once folded) is one phrase; a long English noun run keeps its
    last two words."""
    text = fold_for_tokenizer(
        "three-way handshake, congestion control. connection-oriented transport protocol"
    )
    tokens = _tokens(
        ("three", "SL", 0),
        ("way", "SL", 6),
        ("handshake", "SL", 10),
        (",", "SP", 19),
        ("congestion", "SL", 21),
        ("co", "SL", 32),
        ("ntrol.", "SL", 34),
        ("connection", "SL", 41),
        ("oriented", "SL", 52),
        ("transport", "SL", 61),
        ("protocol", "SL", 71),
    )
    assert text[6:9] == "way" and text[34:40] == "ntrol.", "the offsets are the folded text's"
    found = [word.lstrip("\x01\x02") for word in candidates(tokens, text)]
    assert "three way handshake" in found
    assert "congestion control" in found and "control" in found
    assert not {"co", "ntrol.", "control."} & set(found)
    assert "transport protocol" in found
    assert "connection oriented transport protocol" not in found


def test_a_term_the_note_introduces_with_its_english_is_emphasised_and_spelled_both_ways() -> None:
    text = "스택은 후입선출(Last-In-First-Out, LIFO) 구조이고 위치를 쓴다"
    tokens = _tokens(
        ("스택", "NNG", 0),
        ("후입", "NNG", 4),
        ("선출", "NNG", 6),
        ("구조", "NNG", 38),
        ("위치", "NNG", 44),
    )
    found = candidates(tokens, text)
    (introduced,) = [c for c in found if "후입선출" in c]
    assert introduced.startswith("\x01"), "emphasised like **bold**"
    [point] = [p for p in rank([found], [("스택",)])[0] if "후입선출" in p.alternatives]
    assert {"last in first out", "lifo"} <= set(point.alternatives)
    assert all(
        "\x03" not in spelling for p in rank([found], [("스택",)])[0] for spelling in p.alternatives
    )


def test_candidates_skip_generic_words_and_break_runs_on_them() -> None:
    text = "대표 모델 구조"
    tokens = _tokens(("대표", "NNG", 0), ("모델", "NNG", 3), ("구조", "NNG", 6))
    found = candidates(tokens, text)
    assert "모델" not in found
    assert not any("모델" in word for word in found)


def test_rank_prefers_rare_words_and_drops_names_and_generic_words() -> None:
    per_item = [
        ["합성곱", "합성곱", "이미지", "CNN", "모델", "필터"],
        ["이미지", "순서", "순서"],
        ["시그모이드", "로지스틱", "회귀"],
    ]
    names = [("CNN", "합성곱 신경망"), ("RNN",), ("로지스틱 회귀",)]
    ranked = rank(per_item, names, top_k=2)
    # 필터 is in one item, 이미지 in two; 합성곱 is part of a name, 모델 generic.
    assert [point.label for point in ranked[0]] == ["필터", "이미지"]
    assert [point.label for point in ranked[1]] == ["순서", "이미지"]
    assert [point.label for point in ranked[2]] == ["시그모이드"]
    assert ranked[1][0].weight == 2.0
    assert all(1.0 <= point.weight <= 2.0 for points in ranked for point in points)


# --- derivation with the real tokenizer -------------------------------------------------------


@pytest.fixture(scope="module")
def extractor(curated: dict[str, tuple[KeyPoint, ...]]) -> KeyPointExtractor:
    extractor = KeyPointExtractor(curated_words(curated))
    assert extractor._kiwi is None, "the model loads on first use"
    return extractor


@pytest.fixture(scope="module")
def derived(
    extractor: KeyPointExtractor, notes: dict[str, ParsedConcept]
) -> dict[str, tuple[KeyPoint, ...]]:
    items = [KeyPointSource(c.term, c.aliases, c.definition) for c in notes.values()]
    result = extractor.extract(items)
    assert extractor._kiwi is not None
    return dict(zip(notes, result, strict=True))


def test_extraction_keeps_domain_words_whole(derived: dict[str, tuple[KeyPoint, ...]]) -> None:
    labels = {term: [point.label for point in points] for term, points in derived.items()}
    assert any("합성곱" in label for label in labels["CNN"])
    assert "생성자" in labels["GAN"] and "판별자" in labels["GAN"]
    assert "컨테이너" in labels["Docker"]
    assert any("게이트" in label for label in labels["LSTM"])


def test_extraction_drops_own_names_and_generic_words(
    derived: dict[str, tuple[KeyPoint, ...]],
) -> None:
    for term, points in derived.items():
        assert 0 < len(points) <= MAX_KEY_POINTS, term
        for point in points:
            label = _compact(point.label)
            assert label not in GENERIC_WORDS, (term, label)
            assert label not in _compact(term), (term, label)


def test_extraction_joins_spaced_nouns(extractor: KeyPointExtractor) -> None:
    items = [
        KeyPointSource("최적화", (), "경사 하강 법으로 손실 함수를 줄인다. 경사 하강 법이 핵심."),
        KeyPointSource("회귀", (), "직선을 찾는다."),
    ]
    first, _ = extractor.extract(items)
    assert "경사 하강 법" in [point.label for point in first], "whole, as the note writes it"


def test_extraction_follows_changed_definitions(extractor: KeyPointExtractor) -> None:
    before = [
        KeyPointSource("가", (), "합성곱과 풀링으로 이미지를 다룬다."),
        KeyPointSource("나", (), "순서가 있는 시퀀스를 기억한다."),
    ]
    after = [before[0], KeyPointSource("나", (), "망각 게이트로 정보를 버린다.")]
    first = extractor.extract(before)
    assert extractor.extract(before) == first
    second = extractor.extract(after)
    assert second[0] == first[0]
    labels = [point.label for point in second[1]]
    assert any("망각" in label for label in labels)  # 망각 게이트 is a curated user word
    assert "시퀀스" not in labels


def test_names_learnt_after_a_definition_was_tokenised_are_still_joined() -> None:
    extractor = KeyPointExtractor(num_workers=1)
    definition = "선점 스케줄링은 실행 중인 프로세스를 멈추고 다른 프로세스에 CPU를 준다."
    extractor.feed([definition])
    assert fold_for_tokenizer(definition) in extractor._tokens
    before = [word.lstrip("\x01\x02") for word in extractor.candidates_of([definition])[0]]
    extractor.add_user_words(["선점 스케줄링"])
    after = [word.lstrip("\x01\x02") for word in extractor.candidates_of([definition])[0]]
    assert "링" in before, "the tokenizer alone splits the name"
    assert "선점 스케줄링" in after, "joined without tokenising again"
    assert not {"선점", "스케줄", "링"} & set(after), "the name is one word now"


# --- talking points, not noise ------------------------------------------------------------------


def test_the_tokenizer_never_sees_code_links_urls_tags_or_source_lines() -> None:
    text = (
        "스택은 **후입선출** 구조다. [위키](https://w.example/stack) 참고.\n"
        "```java\nclass RightMark { int alist; }\n```\n"
        "<img src='s.png'> `push()` 와 `LIFO`\n"
        "출처: https://blog.example/stack\n"
    )
    seen = fold_for_tokenizer(text)
    for noise in ("RightMark", "alist", "https", "img", "push()", "출처"):
        assert noise.casefold() not in seen, noise
    assert "**후입선출**" in seen and "`lifo`" in seen and "위키" in seen


def test_a_phrase_wins_over_its_words_and_keeps_them_as_spellings() -> None:
    other = ["\x02패킷", "\x02순서"]
    (points, _) = rank(
        [["합성곱", "합성곱", "합성곱 층", "풀링", "\x01\x02stride"], other], [["CNN"], ["UDP"]]
    )
    by_label = {point.label: point.alternatives for point in points}
    assert by_label["합성곱 층"] == ("합성곱 층", "합성곱"), "one phrase, one point"
    assert "합성곱" not in by_label
    assert points[0].label == "stride", "what the note stresses first weighs most"


def test_the_name_its_translation_and_the_name_with_a_generic_word_are_never_points() -> None:
    (points,) = rank(
        [["트랜잭션", "트랜잭션 연산", "커밋", "롤백", "원자성", "transactions"]],
        [["Transaction"]],
    )
    labels = {point.label for point in points}
    assert labels == {"커밋", "롤백", "원자성"}


def test_identifiers_plurals_and_glued_particles_are_never_points_as_written() -> None:
    text = fold_for_tokenizer("team_id와 callFunc, java.lang.String 을 쓴다.")
    assert "team" not in text and "callfunc" not in text and "java" not in text
    tokens = _tokens(("스레드", "NNG", 0), ("들", "XSN", 3), ("임계구역를", "NNG", 5))
    found = [word.lstrip("\x01\x02") for word in candidates(tokens, "스레드들 임계구역를")]
    assert "스레드" in found and "스레드들" not in found, "a plural is its noun"
    assert "임계구역" in found and "임계구역를" not in found, "a typo's particle is dropped"


def test_a_name_spelled_out_in_pieces_gives_no_points_but_its_words_said_apart_do() -> None:
    bfs = ["\x02너비", "\x02우선", "\x02탐색", "\x02큐", "최단", "경로", "최단 경로"]
    cnn = ["\x02합성곱", "층", "합성곱 층", "커널", "합성곱", "연산", "합성곱 연산"]
    points = rank([bfs, cnn], [("BFS", "너비 우선 탐색"), ("CNN", "합성곱 신경망")])
    bfs_labels = [point.label for point in points[0]]
    assert "너비" not in bfs_labels and "우선" not in bfs_labels
    assert "최단 경로" in bfs_labels
    assert any("합성곱" in point.label for point in points[1]), "said apart from 신경망"


def test_an_example_told_as_a_list_is_never_read_but_a_list_of_uses_is() -> None:
    """Names and values of an example's story (a user called anjinma, a licence number) are the
    story's: a labelled list of long items is left out, the prose around it stays; a labelled
    list of short items names uses (what interviews ask about) and stays."""
    text = fold_for_tokenizer(
        "공격자가 SQL 구문을 끼워 넣는 공격이다.\n\nSQL 인젝션 예시\n\n"
        "- anjinma 클라이언트가 자격증 번호를 조회하려고 요청을 보낸다\n  이어지는 설명\n"
        "- blackhat 이 url 뒤에 항상 참이 되는 조건을 붙여서 보낸다\n\n"
        "방어는 파라미터 바인딩으로 한다.\n\n"
        "Example:\n1. foo bar starts the server on port 8081 first\n"
        "2. baz qux proxies port 80 to the new server\n"
    )
    for word in ("anjinma", "자격증", "blackhat", "이어지는", "foo", "qux", "예시", "example"):
        assert word not in text, word
    assert "공격자가" in text and "파라미터 바인딩" in text
    uses = fold_for_tokenizer("필터의 사용 예시\n\n- Authentication\n- Logging\n- Encryption")
    assert "authentication" in uses and "logging" in uses
    kept = fold_for_tokenizer("장점\n- 예시가 많다\n- 빠르다")
    assert "예시가 많다" in kept and "빠르다" in kept  # a list that is not under a label
