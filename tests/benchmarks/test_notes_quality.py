"""Tests for the notes-quality audit and the lookup-evaluation query file (no corpus needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.notes_quality import (
    QueryCase,
    QueryFileError,
    Sample,
    audit,
    bare_list,
    byline,
    code_only,
    evaluate,
    fenced_prose,
    generic_term,
    html_left,
    huge,
    is_link_line,
    is_question_line,
    leading_colon,
    links_only,
    load_queries,
    open_fence,
    plain_term,
    questions_only,
    samples_for,
    sentence_term,
    source_span,
    table_only,
    term_markup,
    term_with_body,
    title_term,
    toc,
    too_short,
    trailing_nav,
    trailing_refs,
)
from bot.core.knowledge.library import Knowledge
from bot.core.models import Concept, MatchKind

QUERIES = Path(__file__).resolve().parents[2] / "benchmarks" / "notes_queries.toml"

CLEAN = Sample(
    "교착상태",
    "두 개 이상의 프로세스가 서로 상대가 쥔 자원을 기다리느라 끝없이 멈춰 있는 상태를 말한다.",
    "## 교착상태\n\n두 개 이상의 프로세스가 서로 상대가 쥔 자원을 기다리느라 끝없이 멈춰 있는"
    " 상태를 말한다.\n",
    "notes/os.md",
)

TOC_SOURCE = """## 목차

- [프로세스](#프로세스)
- [스레드](#스레드)
- [교착상태](#교착상태)
- [가상 메모리](./memory.md)
"""
TOC = Sample("목차", "- 프로세스\n- 스레드\n- 교착상태\n- 가상 메모리", TOC_SOURCE, "notes/os.md")

QUESTIONS = Sample(
    "힙",
    "1. 힙과 스택의 차이점\n2. 힙은 어디에 쓰이나요?\n3. 힙 정렬의 과정을 설명해주세요.",
    "## 힙\n\n1. 힙과 스택의 차이점\n2. 힙은 어디에 쓰이나요?\n3. 힙 정렬의 과정을 설명해주세요.\n",
    "notes/questions.md",
)

LINK_STUB = Sample(
    "네트워크 계층",
    "정리 노트",
    "### 네트워크 계층\n\n- [정리 노트](https://example.com/notes/network-layer)\n",
    "notes/network.md",
)

ORPHAN_PROS = Sample(
    "장점",
    "- 구현이 단순하다.\n- 메모리를 적게 쓴다.",
    "#### 장점\n\n- 구현이 단순하다.\n- 메모리를 적게 쓴다.\n",
    "notes/list.md",
)


def test_a_clean_concept_passes_every_check() -> None:
    assert audit(CLEAN) == []


def test_a_table_of_contents_is_flagged() -> None:
    assert toc(TOC)
    assert title_term(TOC)
    assert "toc" in audit(TOC)
    assert not toc(CLEAN)


def test_a_toc_whose_links_were_dropped_from_the_definition_is_not_toc() -> None:
    dropped = Sample("운영체제", "이 장은 운영체제를 다룬다. 아래 목차를 보라.", TOC_SOURCE, "a.md")
    assert not toc(dropped)


def test_a_question_only_list_is_flagged() -> None:
    assert questions_only(QUESTIONS)
    answered = Sample(
        "힙", "힙은 어디에 쓰이나요?\n우선순위 큐를 구현할 때 흔히 쓰이는 완전 이진 트리이다."
    )
    assert not questions_only(answered)


@pytest.mark.parametrize(
    ("line", "asked"),
    [
        ("1. 프로세스와 스레드의 차이점", True),
        ("- 캐시는 왜 쓰나요?", True),
        ("Q. 가상 메모리를 설명해주세요", True),
        ("2. TCP와 UDP를 비교", True),
        ("- 캐시는 자주 쓰는 데이터를 가까이 둔다.", False),
        ("차이점", False),  # a bare word, not a numbered prompt
    ],
)
def test_question_lines(line: str, asked: bool) -> None:
    assert is_question_line(line) is asked


def test_a_link_only_stub_is_flagged() -> None:
    assert links_only(LINK_STUB)
    assert is_link_line("- [정리 노트](https://example.com/x) <br>")
    assert not is_link_line("자세한 내용은 [여기](https://example.com/x)를 보라")
    assert not links_only(CLEAN)


def test_an_orphan_generic_heading_is_flagged() -> None:
    assert generic_term(ORPHAN_PROS)
    assert "generic_term" in audit(ORPHAN_PROS)
    assert generic_term(Sample("1-2) 단점", "x"))
    assert generic_term(Sample(":nerd_face: What I study", "x"))
    assert generic_term(Sample("🔍 What I study", "x"))
    assert not generic_term(Sample("장점과 단점이 있는 캐시 전략", "x"))


def test_plain_term_drops_numbering_emoji_and_punctuation() -> None:
    assert plain_term("(6-1) 예시 :") == "예시"
    assert plain_term("📌 Reference") == "reference"


def test_short_definitions_and_sentence_terms() -> None:
    assert too_short(Sample("레벨", "깊이 + 1"))
    assert not too_short(CLEAN)
    assert sentence_term(Sample("하위 클래스가 상위 클래스를 호출해도 되는가요", "x"))
    assert sentence_term(Sample("캐시는 값을 미리 복사해 두는 임시 장소이다.", "x"))
    assert not sentence_term(Sample("LCS(Longest Common Subsequence/Substring) 알고리즘", "x"))
    assert term_with_body(Sample("DDL (Data Definition Language) : 데이터 정의어", "x"))
    assert not term_with_body(Sample("Adapter 패턴", "x"))


def test_term_markup() -> None:
    for term in (
        "\\[7] 응용 계층",
        "[ 이진 탐색 트리의 단점 ]",
        "- 캐싱",
        "1-1) 목적",
        "👶 Minor GC",
        "4",
    ):
        assert term_markup(Sample(term, "x")), term
    assert not term_markup(Sample("큐", "x"))  # one Hangul syllable is a name


def test_titles() -> None:
    assert title_term(Sample("tech-interview-study", "x"))
    assert title_term(Sample("Table of Contents", "x"))
    readme = Sample("운영체제 정리", "x", "# 운영체제 정리\n\n## 프로세스\n", "os/README.md")
    assert title_term(readme)
    assert not title_term(Sample("What I study", "x"))
    assert not title_term(CLEAN)


def test_bare_topic_list_in_a_readme() -> None:
    topics = "- 배열\n- 연결 리스트\n- 스택\n- 큐\n- 트리\n- 그래프"
    assert bare_list(Sample("자료구조", topics, "", "README.md"))
    assert not bare_list(Sample("자료구조", topics, "", "notes/ds.md"))
    pros = "- 장점\n  - 빠름\n  - 단순함\n- 단점\n  - 큼\n  - 느림"
    assert not bare_list(Sample("배열", pros, "", "README.md"))


def test_leftovers_at_the_end() -> None:
    nav = Sample("스택", "후입선출 구조의 자료구조이다.\n\n🔝 목차로 돌아가기")
    assert trailing_nav(nav)
    assert not trailing_nav(CLEAN)
    source = "## 스택\n후입선출 구조의 자료구조이다.\n\n### 참고\n- [어느 블로그](https://example.com/a)\n"
    refs = Sample("스택", "후입선출 구조의 자료구조이다.\n참고\n- 어느 블로그", source)
    assert trailing_refs(refs)
    inline = Sample("스택", "후입선출 구조의 자료구조이다.\n출처: https://example.com/b")
    assert trailing_refs(inline)
    assert not trailing_refs(
        Sample("참조 투명성", "참고로 같은 입력에는 늘 같은 출력을 낸다는 성질이다.")
    )


def test_leading_colon() -> None:
    assert leading_colon(Sample("MST", ": 모든 정점을 가장 적은 비용으로 잇는 트리"))
    assert not leading_colon(CLEAN)


def test_code_fences() -> None:
    assert open_fence(Sample("예제", "설명 문장입니다.\n```java\nint a = 1;\n"))
    assert not open_fence(Sample("예제", "```java\nint a = 1;\n```"))
    code = Sample("구현", "```java\nclass Stack { void push(int x) { items.add(x); } }\n```")
    assert code_only(code) and not fenced_prose(code)
    prose = Sample("인덱스", "```\n검색 속도를 높이려고 따로 정렬해 두는 자료구조이다.\n```")
    assert fenced_prose(prose) and not code_only(prose)


def test_tables_html_and_bylines() -> None:
    assert table_only(Sample("기여자", "| 이름 | 역할 |\n|---|---|\n| 가 | 나 |"))
    assert html_left(Sample("프록시", '<img src="a.png" width="600" />\n설명 문장이다.'))
    assert not html_left(Sample("제네릭", "`List<T>`는 타입을 매개변수로 받는다. `<b>`도 코드다."))
    assert byline(Sample("정렬", "작성자 : 홍길동\n\n정렬은 원소를 순서대로 늘어놓는 일이다."))
    assert not byline(CLEAN)


def test_huge_definitions() -> None:
    assert huge(Sample("전부", "가" * 6001))
    sections = "\n".join(f"## 절 {n}\n본문 {n}" for n in range(14))
    source = "# 전부\n" + sections
    assert huge(Sample("전부", sections, source))
    assert not huge(Sample("전부", "서론만 있다.", source))


def test_source_span_of_a_heading_and_of_an_item() -> None:
    lines = [
        "# 제목",
        "## 스택",
        "본문",
        "```",
        "## 코드 안의 제목",
        "```",
        "### 하위",
        "하위 본문",
        "## 큐",
        "- 덱 - 양쪽 끝에서 넣고 뺀다",
        "- 원형 큐 - 끝이 처음과 이어진다",
    ]
    assert source_span(lines, 2).splitlines() == lines[1:8]
    assert source_span(lines, 10, stop=11) == lines[9]
    assert source_span(lines, 99) == ""


def test_samples_for_reads_each_file_once() -> None:
    text = "## 스택\n후입선출.\n## 큐\n선입선출.\n"
    reads: list[str] = []

    def read(path: str) -> str:
        reads.append(path)
        return text

    concepts = [_concept(1, "스택", "후입선출.", line=1), _concept(2, "큐", "선입선출.", line=3)]
    samples = samples_for(concepts, read)
    assert [s.source for s in samples] == ["## 스택\n후입선출.", "## 큐\n선입선출."]
    assert reads == ["notes.md"]


VALID = """
[[query]]
repo = "owner+notes"
query = "스택"
expect = "스택"

[[query]]
repo = "owner+notes"
query = "what is a queue"
expect = "큐"
also = ["Queue"]
kind = "cross_language"
"""


def test_load_queries_reads_a_valid_file() -> None:
    cases = load_queries(VALID, "q.toml")
    assert cases == [
        QueryCase("owner+notes", "스택", "스택", "term"),
        QueryCase("owner+notes", "what is a queue", "큐", "cross_language", ("Queue",)),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (VALID.replace('expect = "큐"\n', ""), "q.toml: entry 2 (line 7): missing 'expect'"),
        (VALID.replace('query = "스택"', "query = 3"), "entry 1 (line 2): 'query' must be a"),
        (VALID.replace('query = "스택"', 'query = "  "'), "'query' must be a non-empty string"),
        (VALID.replace('"cross_language"', '"misc"'), "'kind' must be one of"),
        (VALID.replace('repo = "owner+notes"\nquery = "스택"', 'repo = "x"\nnote = "y"'), "note"),
        (VALID.replace('["Queue"]', '"Queue"'), "'also' must be a list of non-empty strings"),
        ("[[query]\n", "not valid TOML"),
        ('title = "x"\n', "unknown top-level key(s): title"),
        ("", "no [[query]] entries"),
    ],
)
def test_load_queries_names_the_bad_entry(text: str, message: str) -> None:
    with pytest.raises(QueryFileError, match=_escaped(message)):
        load_queries(text, "q.toml")


def test_the_shipped_query_file_parses() -> None:
    cases = load_queries(QUERIES.read_text(encoding="utf-8"), str(QUERIES))
    assert len(cases) >= 60
    assert len({case.repo for case in cases}) >= 4
    assert all(case.repo and case.query and case.expect for case in cases)
    assert len({case.kind for case in cases}) >= 5


def test_evaluate_judges_by_name_key() -> None:
    knowledge = Knowledge(
        [
            _concept(1, "가상 메모리", "물리 메모리보다 큰 주소 공간을 쓰게 해 주는 기법."),
            _concept(2, "교착상태", "서로의 자원을 기다리며 멈춘 상태.", aliases=("Deadlock",)),
        ]
    )
    cases = [
        QueryCase("r", "가상메모리", "가상 메모리", "spacing"),
        QueryCase("r", "deadlock", "교착상태", "cross_language"),
        QueryCase("r", "쿠버네티스", "Kubernetes", "cross_language"),
        QueryCase("r", "교착 상태", "Deadlock", "spacing", also=("교착상태",)),
    ]
    first, second, third, fourth = evaluate(knowledge, cases)
    assert first.right and first.confident_right and first.known
    assert second.right and second.kind is MatchKind.CONFIDENT
    assert not third.right and not third.known and not third.confident_wrong
    assert fourth.right and fourth.known


def _concept(
    cid: int, term: str, definition: str, *, line: int = 1, aliases: tuple[str, ...] = ()
) -> Concept:
    return Concept(cid, term, "일반", definition, "notes.md", line, aliases=aliases)


def _escaped(text: str) -> str:
    import re

    return re.escape(text)
