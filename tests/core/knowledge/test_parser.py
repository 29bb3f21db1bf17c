"""Tests for the notes parser: the user's shipped notes, public heading formats, robustness."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest

from bot.core.knowledge.parser import DEFAULT_CATEGORY, parse_notes
from bot.core.models import ParsedConcept, ParsedNotes

REPO_ROOT = Path(__file__).resolve().parents[3]
NOTES = REPO_ROOT / "knowledge" / "interview-notes.md"

ML = "머신러닝 (딥러닝 포함) 수학 관한 질문 및 답변"
STATS = "통계적 개념"
SHIPPED: list[tuple[str, str]] = [
    *[
        (term, DEFAULT_CATEGORY)
        for term in (
            "REST API", "RAG", "LangChain", "파인튜닝", "LLM", "AI", "Docker", "EC2", "TypeOrm",
            "Load Balance",
        )
    ],
    *[
        (term, ML)
        for term in (
            "CNN", "RNN", "Pytorch", "Tensorflow", "GAN", "crossentropyloss", "optimizer", "동기",
            "비동기", "attention", "LSTM", "경사하강법",
        )
    ],
    *[(term, STATS) for term in ("귀무가설", "대립가설", "편미분", "선형회귀", "로지스틱 회귀")],
]  # fmt: skip


def by_term(parsed: ParsedNotes) -> dict[str, ParsedConcept]:
    """The concepts keyed by term (terms are unique after parsing)."""
    found = {c.term: c for c in parsed.concepts}
    assert len(found) == len(parsed.concepts)
    return found


def terms(text: str) -> list[str]:
    return [c.term for c in parse_notes(text).concepts]


def one(text: str) -> ParsedConcept:
    parsed = parse_notes(text)
    assert len(parsed.concepts) == 1, parsed.concepts
    return parsed.concepts[0]


def assert_well_formed(parsed: ParsedNotes, text: str) -> None:
    """Invariants every parse must keep, whatever the input."""
    line_count = text.count("\n") + text.count("\r") + 1
    for concept in parsed.concepts:
        assert concept.term and concept.term == concept.term.strip()
        assert concept.definition and concept.definition == concept.definition.strip()
        assert concept.category
        assert 1 <= concept.line <= line_count
        assert all(line == line.rstrip() for line in concept.definition.split("\n"))
    assert parsed.skipped >= 0
    assert all(w.message and w.line >= 1 for w in parsed.warnings)


# --- the user's own notes, exactly as shipped ----------------------------------------------------


@pytest.fixture(scope="module")
def shipped_text() -> str:
    return NOTES.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def shipped(shipped_text: str) -> ParsedNotes:
    return parse_notes(shipped_text)


@pytest.fixture(scope="module")
def notes(shipped: ParsedNotes) -> dict[str, ParsedConcept]:
    return by_term(shipped)


def test_shipped_notes_terms_and_categories_in_order(shipped: ParsedNotes) -> None:
    assert [(c.term, c.category) for c in shipped.concepts] == SHIPPED
    assert shipped.skipped == 0
    assert shipped.warnings == ()
    assert_well_formed(shipped, NOTES.read_text(encoding="utf-8"))


def test_shipped_notes_lines_are_where_the_terms_are(
    notes: dict[str, ParsedConcept], shipped_text: str
) -> None:
    source = shipped_text.split("\n")
    for concept in notes.values():
        assert concept.term in source[concept.line - 1].replace("**", "")
    assert notes["REST API"].line == 2
    assert notes["CNN"].line == 25
    assert notes["동기"].line == notes["비동기"].line == 39
    assert notes["귀무가설"].line == 51
    assert notes["로지스틱 회귀"].line == 62


def test_shipped_notes_have_no_questions_or_aliases(shipped: ParsedNotes) -> None:
    assert all(c.question is None and c.aliases == () for c in shipped.concepts)


def test_bold_is_stripped_from_terms_and_definitions(notes: dict[str, ParsedConcept]) -> None:
    assert notes["REST API"].definition.startswith("Fast API로 만든 HTTP기반이고")
    assert "**" not in "".join(c.definition for c in notes.values())
    assert "이미지 처리와 패턴 인식에 성능을 보여주는 신경망이며" in notes["CNN"].definition


def test_plain_term_lines(notes: dict[str, ParsedConcept]) -> None:
    assert notes["RAG"].definition == (
        "LLM과 검색 엔진을 결합하여 외부 문서, DB를 실시간으로 검색하고 그 결과를 바탕으로 "
        "답변을 생성하는 AI 아키텍쳐"
    )
    assert notes["EC2"].definition == "AWS에서 제공하는 가상 서버 서비스 (클라우드 인스턴스)"
    assert notes["Docker"].definition.startswith("애플리케이션을 컨테이너라는")


def test_angle_brackets_that_are_not_html_are_kept(notes: dict[str, ParsedConcept]) -> None:
    assert notes["LLM"].definition.endswith("인공지능 언어 모델 <GPT, BERT, PaLM 등이 있음")
    assert (
        "기술 <머신러닝, 딥러닝, 자연어처리, 데이터 분석 등이 있음> 챗봇" in notes["AI"].definition
    )


def test_following_line_continues_the_item(notes: dict[str, ParsedConcept]) -> None:
    assert notes["Load Balance"].definition == (
        "요청이 많아서 과부하걸릴 때 분산시켜 서버 과부하를 피하는 도구이다. (클라우드)\n"
        "-> 자주 조회되는거는 캐시에 저장하여 db에 과부하를 줄일수 있다. "
        "기존 서버를 scale out하여 복제하여 요청을 분산시켜 해결하는것이다."
    )


def test_term_with_particle_list_items_keep_the_whole_sentence(
    notes: dict[str, ParsedConcept],
) -> None:
    cnn = notes["CNN"].definition
    assert cnn.startswith("CNN은 합성곱 층, 풀링 층, 밀집 층으로 구성되어있다.")
    # the ` - ` inside "(local feature - 직선이면 ...)" is not a separator
    assert "지역적 특성(local feature - 직선이면 직선 곡선이면 곡선) 을 분석하여" in cnn
    assert cnn.endswith("밸런스를 맞춰야함.")
    assert notes["RNN"].definition.startswith("RNN은 연속적인 데이터를")


def test_list_items_with_two_spaces_after_the_marker(notes: dict[str, ParsedConcept]) -> None:
    assert notes["귀무가설"].definition.startswith("통계적 검정에서 기본적으로")
    assert notes["대립가설"].definition.endswith("(P-값이 작게 나오면 기각)")


def test_two_terms_split_at_the_paragraph_of_the_second(notes: dict[str, ParsedConcept]) -> None:
    sync, async_ = notes["동기"].definition, notes["비동기"].definition
    assert sync.startswith("동기는 작업이 순차적으로 진행되는 것을 의미한다.")
    assert sync.endswith("다른 작업도 모두 지연되는 문제가 발생할 수 있음.")
    assert "비동기는" not in sync
    assert async_.startswith("비동기는 동시에 일어나지 않고 독립적으로 실행된다.")
    assert "전체적인 성능이 향상된다.\n- 싱글 스레드는 비동기 방식에서 유용하고" in async_
    assert async_.endswith("노드js를 선택했습니다.")
    assert notes["동기"].category == notes["비동기"].category == ML


def test_indented_lines_are_continuation_not_concepts(notes: dict[str, ParsedConcept]) -> None:
    lines = notes["선형회귀"].definition.split("\n")
    assert lines[0] == (
        "(직선 / 선형 연속적인 숫자값) 독립변수와 종속변수간의 선형관계를 분석하여 "
        "최적의 회귀선을 찾아낸다."
    )
    assert lines[1] == "y=mx +b"
    assert lines[2].startswith("경사하강법 - 최적화 기법 / 최적의 매개변수 값을 지정")
    assert lines[3].startswith("등분산성이 중요함")
    assert len(lines) == 4
    assert notes["경사하강법"].line == 48
    assert notes["경사하강법"].definition == "손실함수를 최소화하는 가중치를 찾는 방법"


def test_closing_paragraphs_join_the_concept_above(notes: dict[str, ParsedConcept]) -> None:
    logistic = notes["로지스틱 회귀"].definition
    assert logistic.startswith("(분류 문제 / 범주) 어떤 변수간의 상관관계를 통해")
    assert "이진분포도 잘 최적화함.\n극단적인 값에 영향 없음 -> 시그모이드" in logistic
    assert "-> 승산비\nOdds에 로그를 취하면 logit이 된다." in logistic
    assert logistic.endswith(
        "관계를 아는 것이 핵심.\n\n"
        "결론 회귀는 연속적인 출력 변수를 예측하는데 사용 / 분류는 이산적인 출력 변수를 "
        "예측하는데 사용\n\n"
        "전기 사용량 예측 공모전에서 회귀용 모델을 사용 숫자를 예측하는 경우이기 때문"
    )


def test_dangling_slash_is_dropped(notes: dict[str, ParsedConcept]) -> None:
    assert notes["편미분"].definition == "3차원 식에서 사용"


def test_trailing_whitespace_is_gone(notes: dict[str, ParsedConcept]) -> None:
    assert notes["Pytorch"].definition.endswith("빠른 프로토타이핑 강점, 자연어 처리,")
    assert notes["REST API"].definition.endswith("설계 원칙이다.")


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda s: s.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda s: s.replace("\n", "\r"), id="cr"),
        pytest.param(lambda s: "\ufeff" + s, id="bom"),
        pytest.param(lambda s: unicodedata.normalize("NFD", s), id="decomposed-hangul"),
    ],
)
def test_shipped_notes_survive_encoding_variants(
    shipped: ParsedNotes, shipped_text: str, transform: object
) -> None:
    assert callable(transform)
    assert parse_notes(transform(shipped_text)) == shipped


def test_default_category_is_configurable(shipped_text: str) -> None:
    parsed = parse_notes(shipped_text, default_category="기타")
    assert parsed.concepts[0].category == "기타"
    assert parsed.concepts[-1].category == STATS


# --- item notes ----------------------------------------------------------------------------------


def test_term_before_separator_must_be_short_and_name_like() -> None:
    text = (
        "- Docker - 컨테이너 플랫폼\n"
        "- 이 문장은 용어가 아니라 그냥 설명하는 긴 문장이고 여기서 - 기호가 나온다\n"
        "- Kubernetes - 오케스트레이션\n"
    )
    parsed = parse_notes(text)
    assert [c.term for c in parsed.concepts] == ["Docker", "Kubernetes"]
    assert by_term(parsed)["Docker"].definition == (
        "컨테이너 플랫폼\n"
        "- 이 문장은 용어가 아니라 그냥 설명하는 긴 문장이고 여기서 - 기호가 나온다"
    )


def test_separator_inside_parentheses_is_not_a_separator() -> None:
    assert terms("설명 (a - b) 으로 시작하는 문장\nTCP - 연결형") == ["TCP"]


def test_item_variants_of_bold_dash_and_numbering() -> None:
    text = "**Redis** – 인메모리 저장소\n1. Kafka — 메시지 브로커\n* Nginx - 웹 서버\n+ gRPC - RPC"
    found = by_term(parse_notes(text))
    assert found["Redis"].definition == "인메모리 저장소"
    assert found["Kafka"].definition == "메시지 브로커"
    assert list(found) == ["Redis", "Kafka", "Nginx", "gRPC"]


def test_short_parenthetical_is_an_alias_long_one_a_description() -> None:
    found = by_term(
        parse_notes(
            "프로세스(Process) - 실행 중인 프로그램\n"
            "스레드 (실행 흐름 / 작업 단위) - 프로세스 안의 실행 단위\n"
            "캐시 (중요) - 자주 쓰는 데이터를 가까이 둔다\n"
        )
    )
    assert found["프로세스"].aliases == ("Process",)
    assert found["프로세스"].definition == "실행 중인 프로그램"
    assert found["스레드"].aliases == ()
    assert found["스레드"].definition == "(실행 흐름 / 작업 단위) 프로세스 안의 실행 단위"
    assert found["캐시"].aliases == ()


def test_two_terms_without_a_split_point_share_the_text() -> None:
    found = by_term(
        parse_notes("- 뮤텍스 / 세마포어 - 동기화 도구들\n  둘 다 임계 구역을 보호한다.")
    )
    expected = "동기화 도구들\n둘 다 임계 구역을 보호한다."
    assert found["뮤텍스"].definition == found["세마포어"].definition == expected
    assert found["뮤텍스"].line == found["세마포어"].line == 1


def test_two_terms_with_aliases() -> None:
    found = by_term(parse_notes("동기(Sync) / 비동기(Async) - 동기는 기다림\n\n비동기는 안 기다림"))
    assert found["동기"].aliases == ("Sync",)
    assert found["비동기"].aliases == ("Async",)
    assert found["동기"].definition == "동기는 기다림"
    assert found["비동기"].definition == "비동기는 안 기다림"


def test_duplicate_terms_keep_the_first_and_warn_with_both_lines() -> None:
    parsed = parse_notes("CPU - 중앙 처리 장치\n\nGPU - 그래픽\n\n**cpu** - 두 번째 정의\n")
    assert [c.term for c in parsed.concepts] == ["CPU", "GPU"]
    assert by_term(parsed)["CPU"].definition == "중앙 처리 장치"
    (warning,) = parsed.warnings
    assert warning.line == 5
    assert warning.message == "parse_duplicate_term"
    assert warning.params == {"term": "cpu", "first": 1}


def test_term_without_definition_is_skipped_with_a_warning() -> None:
    parsed = parse_notes("DNS -\n\nHTTP - 프로토콜\n")
    assert [c.term for c in parsed.concepts] == ["HTTP"]
    assert parsed.skipped == 1
    assert [w.line for w in parsed.warnings] == [1]


def test_term_with_its_definition_on_the_next_lines() -> None:
    assert one("- 힙 -\n  우선순위 큐를 구현하는 트리").definition == "우선순위 큐를 구현하는 트리"


def test_particle_items_only_from_list_items_with_a_real_stem() -> None:
    text = (
        "- GC는 쓰지 않는 메모리를 회수한다.\n"
        "- 이것은 용어가 아니다.\n"
        "- 스택이란 LIFO 자료구조다.\n"
        "\n"
        "결론은 위와 같다.\n"
    )
    found = by_term(parse_notes(text))
    assert list(found) == ["GC", "스택"]
    assert found["GC"].definition == "GC는 쓰지 않는 메모리를 회수한다.\n- 이것은 용어가 아니다."
    assert found["스택"].definition == "스택이란 LIFO 자료구조다.\n\n결론은 위와 같다."


def test_particle_must_agree_with_the_last_syllable() -> None:
    # 은 after a vowel-final syllable is not a particle: 노드는 -> 노드, but 노드은 is no term
    assert terms("- 노드는 트리의 원소\n") == ["노드"]
    assert terms("- 노드은 트리의 원소\n") == []


def test_text_before_the_first_item_is_reported() -> None:
    parsed = parse_notes("이 파일은 제 공부 노트입니다.\n\nCPU - 중앙 처리 장치\n")
    assert [c.term for c in parsed.concepts] == ["CPU"]
    assert [w.line for w in parsed.warnings] == [1]


def test_blank_line_then_indented_paragraph_continues_the_item() -> None:
    concept = one("- 캐시 - 빠른 저장소\n\n  지역성을 이용한다.\n  - 시간 지역성\n    - 최근 것\n")
    assert concept.definition == "빠른 저장소\n\n지역성을 이용한다.\n- 시간 지역성\n  - 최근 것"


def test_code_fence_inside_an_item_is_kept_verbatim() -> None:
    text = (
        "- Docker - 컨테이너\n"
        "  ```bash\n"
        "  # not a heading\n"
        "  - run - not an item\n"
        "  docker run -it x\n"
        "  ```\n"
        "- K8s - 오케스트레이션\n"
    )
    found = by_term(parse_notes(text))
    assert list(found) == ["Docker", "K8s"]
    assert found["Docker"].definition == (
        "컨테이너\n```bash\n# not a heading\n- run - not an item\ndocker run -it x\n```"
    )


def test_answered_question_list_items_are_concepts() -> None:
    text = "- 스택이란?\n  - LIFO 구조\n- 큐란?\n  > FIFO 구조\n- 힙이란?\n"
    parsed = parse_notes(text)
    found = by_term(parsed)
    assert list(found) == ["스택", "큐"]
    assert found["스택"].question == "스택이란?"
    assert found["스택"].definition == "- LIFO 구조"
    assert found["큐"].definition == "FIFO 구조"
    assert parsed.skipped == 1


def test_q_and_a_lines() -> None:
    found = by_term(
        parse_notes("Q. HTTP란?\nA. 웹 프로토콜\n\n**Q2. DNS란 무엇인가요?**\nA: 이름 풀이")
    )
    assert found["HTTP"].definition == "웹 프로토콜"
    assert found["HTTP"].question == "HTTP란?"
    assert found["DNS"].definition == "이름 풀이"
    assert found["DNS"].question == "DNS란 무엇인가요?"


# --- heading notes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "term", "question", "aliases"),
    [
        ("## 프로세스", "프로세스", None, ()),
        ("### 스레드란?", "스레드", "스레드란?", ()),
        ("### 객체지향이란 무엇인가요?", "객체지향", "객체지향이란 무엇인가요?", ()),
        (
            "## 가상 메모리에 대해 설명해주세요",
            "가상 메모리",
            "가상 메모리에 대해 설명해주세요",
            (),
        ),
        ("## What is a deadlock?", "deadlock", "What is a deadlock?", ()),
        ("## How does garbage collection work?", "garbage collection", "", ()),
        ("### Q. 캐시란?", "캐시", "캐시란?", ()),
        ("#### 1. 해시 테이블", "해시 테이블", None, ()),
        ("## 프로세스와 스레드의 차이점은?", "프로세스와 스레드의 차이점", "", ()),
        ("## 프로세스와 스레드의 차이", "프로세스와 스레드의 차이", None, ()),
        ("## TCP와 UDP의 차이는 무엇인가요?", "TCP와 UDP의 차이", "", ()),
        ("## 프로세스(Process)란?", "프로세스", "프로세스(Process)란?", ("Process",)),
        ("## 트랜잭션(Transaction)", "트랜잭션", None, ("Transaction",)),
        ("## 인덱스를 설명해 주세요.", "인덱스", "", ()),
        ("## 파이란 무엇인가요?", "파이", "", ()),
        ("## :pushpin: `volatile` 키워드", "volatile 키워드", None, ()),
    ],
)
def test_heading_forms(
    heading: str, term: str, question: str | None, aliases: tuple[str, ...]
) -> None:
    concept = one(f"{heading}\n\n답변 본문입니다.\n")
    assert concept.term == term
    if question == "":  # question-shaped: the heading text, no Q./numbering
        assert concept.question == heading.lstrip("# ")
    else:
        assert concept.question == question
    assert concept.aliases == aliases
    assert concept.definition == "답변 본문입니다."
    assert concept.category == DEFAULT_CATEGORY
    assert concept.line == 1


def test_answer_runs_until_the_next_heading_of_same_or_higher_level() -> None:
    text = (
        "## 프로세스\n"
        "실행 중인 프로그램.\n"
        "\n"
        "### 구조\n"
        "코드, 데이터, 힙, 스택.\n"
        "#### 스택\n"
        "지역 변수.\n"
        "## 스레드\n"
        "실행 흐름.\n"
    )
    found = by_term(parse_notes(text))
    assert list(found) == ["프로세스", "스레드"]
    assert found["프로세스"].definition == (
        "실행 중인 프로그램.\n\n구조\n코드, 데이터, 힙, 스택.\n\n스택\n지역 변수."
    )
    assert found["스레드"].line == 8


def test_question_shaped_sub_heading_is_its_own_concept() -> None:
    text = (
        "# 운영체제\n"
        "## 프로세스\n"
        "실행 중인 프로그램.\n"
        "### 장점\n"
        "격리.\n"
        "### 프로세스와 스레드의 차이는?\n"
        "스레드는 메모리를 공유한다.\n"
    )
    found = by_term(parse_notes(text))
    assert list(found) == ["프로세스", "프로세스와 스레드의 차이"]
    assert found["프로세스"].definition == "실행 중인 프로그램.\n\n장점\n격리."
    assert found["프로세스와 스레드의 차이"].category == "운영체제"
    assert found["프로세스와 스레드의 차이"].line == 6


def test_heading_with_term_items_is_a_category() -> None:
    text = "## 네트워크\n- TCP - 연결형\n- UDP - 비연결형\n\n## 자료구조\nStack - LIFO\n"
    parsed = parse_notes(text)
    assert [(c.term, c.category) for c in parsed.concepts] == [
        ("TCP", "네트워크"),
        ("UDP", "네트워크"),
        ("Stack", "자료구조"),
    ]


def test_containers_give_their_category_to_descendants() -> None:
    text = (
        "# CS 면접 질문\n"
        "## 1. 운영체제\n"
        "### 메모리\n"
        "#### 페이징이란?\n"
        "고정 크기로 나눈다.\n"
        "#### 세그멘테이션\n"
        "논리 단위로 나눈다.\n"
        "### 스케줄링\n"
        "CPU를 나눠 쓰는 방법.\n"
        "## 네트워크\n"
        "### OSI 7계층\n"
        "일곱 계층.\n"
    )
    parsed = parse_notes(text)
    assert [(c.term, c.category) for c in parsed.concepts] == [
        ("페이징", "메모리"),
        ("세그멘테이션", "메모리"),
        ("스케줄링", "운영체제"),
        ("OSI 7계층", "네트워크"),
    ]


def test_collection_title_with_an_intro_is_a_container() -> None:
    text = (
        "# 면접 질문 정리\n이 문서는 공부용입니다.\n\n"
        "## DNS\n이름을 주소로 바꾼다.\n## CDN\n캐시 서버망.\n"
    )
    parsed = parse_notes(text)
    assert [(c.term, c.category) for c in parsed.concepts] == [
        ("DNS", "면접 질문 정리"),
        ("CDN", "면접 질문 정리"),
    ]
    assert [w.line for w in parsed.warnings] == [2]


def test_body_less_heading_with_answer_parts_is_one_concept() -> None:
    concept = one("## 인덱스\n### 장점\n조회가 빠르다.\n### 단점\n쓰기가 느리다.\n")
    assert concept.term == "인덱스"
    assert concept.definition == "장점\n조회가 빠르다.\n\n단점\n쓰기가 느리다."


def test_empty_heading_is_skipped_and_counted() -> None:
    parsed = parse_notes("## 세마포어\n\n## 뮤텍스\n잠금.\n## 모니터\n")
    assert [c.term for c in parsed.concepts] == ["뮤텍스"]
    assert parsed.skipped == 2


def test_blockquote_answer() -> None:
    concept = one(
        "### 데드락이란?\n\n> 둘 이상의 작업이 서로를 기다리는 상태.\n>\n> > 네 가지 조건이 있다.\n"
    )
    assert concept.definition == "둘 이상의 작업이 서로를 기다리는 상태.\n\n네 가지 조건이 있다."


def test_details_answer_drops_the_label() -> None:
    text = (
        "### 프로세스란?\n"
        "<details>\n"
        "<summary>답변 보기</summary>\n"
        "\n"
        "실행 중인 <b>프로그램</b>.<br>메모리를 할당받는다.\n"
        "</details>\n"
        "\n"
        "### 스레드란?\n"
        "<details><summary><b>👉 정답</b></summary>\n"
        "실행 흐름.\n"
        "</details>\n"
    )
    found = by_term(parse_notes(text))
    assert found["프로세스"].definition == "실행 중인 프로그램. 메모리를 할당받는다."
    assert found["스레드"].definition == "실행 흐름."


def test_details_with_question_summaries_are_concepts_of_the_heading() -> None:
    text = (
        "## 운영체제\n"
        "<details>\n"
        "<summary>프로세스와 스레드의 차이에 대해 설명해주세요.</summary>\n"
        "<p>\n"
        "\n"
        "- 프로세스는 자원 할당의 단위\n"
        "- 스레드는 실행의 단위\n"
        "\n"
        "</p>\n"
        "</details>\n"
        "\n"
        "<details>\n"
        "<summary>데드락이란 무엇인가요?</summary>\n"
        "\n"
        "교착 상태.\n"
        "</details>\n"
    )
    parsed = parse_notes(text)
    assert [(c.term, c.category, c.line) for c in parsed.concepts] == [
        ("프로세스와 스레드의 차이", "운영체제", 3),
        ("데드락", "운영체제", 13),
    ]
    assert parsed.concepts[0].definition == "- 프로세스는 자원 할당의 단위\n- 스레드는 실행의 단위"
    assert parsed.concepts[0].question == "프로세스와 스레드의 차이에 대해 설명해주세요."


def test_code_blocks_are_verbatim_and_never_parsed() -> None:
    text = (
        "## 파이썬 데코레이터\n"
        "함수를 감싸는 함수.\n"
        "\n"
        "```python\n"
        "# this is a comment, not a heading\n"
        "def deco(f):  \n"
        "    return f  # **not bold**\n"
        "<!-- kept in code -->\n"
        "```\n"
        "\n"
        "~~~\n"
        "## still code\n"
        "Term - not an item\n"
        "~~~\n"
    )
    concept = one(text)
    assert concept.definition == (
        "함수를 감싸는 함수.\n\n"
        "```python\n# this is a comment, not a heading\ndef deco(f):\n"
        "    return f  # **not bold**\n<!-- kept in code -->\n```\n\n"
        "~~~\n## still code\nTerm - not an item\n~~~"
    )


def test_indented_fence_in_a_list_keeps_relative_indentation() -> None:
    text = "## 클로저\n- 예시\n  ```js\n  function f() {\n\n    return 1;\n  }\n  ```\n"
    assert one(text).definition == (
        "- 예시\n  ```js\n  function f() {\n\n    return 1;\n  }\n  ```"
    )


def test_unclosed_fence_is_read_as_text_with_a_warning() -> None:
    parsed = parse_notes("## A\n```\ncode?\n## B\n본문.\n")
    assert [c.term for c in parsed.concepts] == ["A", "B"]
    assert [w.line for w in parsed.warnings] == [2]


def test_html_comments_are_dropped() -> None:
    text = (
        "<!-- 한 줄 주석 -->\n"
        "## 큐\n"
        "선입선출<!-- 인라인 --> 구조.\n"
        "<!--\n"
        "## 숨은 제목\n"
        "숨은 내용\n"
        "-->\n"
        "끝.\n"
    )
    concept = one(text)
    assert concept.term == "큐"
    assert concept.definition == "선입선출 구조.\n\n끝."


def test_unclosed_comment_keeps_the_text() -> None:
    parsed = parse_notes("## 큐\n선입선출 <!-- 메모\n구조.\n")
    assert parsed.concepts[0].definition == "선입선출 <!-- 메모\n구조."
    assert [w.line for w in parsed.warnings] == [2]


def test_tables_latex_images_and_data_uris() -> None:
    text = (
        "## 시간 복잡도\n"
        "| 연산 | 복잡도 |\n"
        "|---|---|\n"
        "| 탐색 | $O(\\log n)$ |\n"
        "\n"
        "![그래프](./img/graph.png)\n"
        "![인라인](data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==)\n"
        "<img src='a.png' alt='x'>\n"
        "$$\n"
        "# T(n) = 2T(n/2) + n\n"
        "$$\n"
        "설명 ![아이콘](i.png) 끝.\n"
    )
    assert one(text).definition == (
        "| 연산 | 복잡도 |\n|---|---|\n| 탐색 | $O(\\log n)$ |\n\n"
        "$$\n# T(n) = 2T(n/2) + n\n$$\n설명  끝."
    )


def test_tables_of_contents_and_navigation_links_are_dropped() -> None:
    text = (
        "# Operating System\n"
        "**:book: Contents**\n"
        "* [프로세스](#프로세스)\n"
        "  * [PCB](#pcb)\n"
        "\n"
        "## 목차\n"
        "1. [스레드](#스레드)\n"
        "\n"
        "## 프로세스\n"
        "실행 중인 프로그램.\n"
        "\n"
        "[⬆ 목록으로](#목차)\n"
        "> :arrow_double_up:[Top](#os)    :leftwards_arrow_with_hook:[Back To Home](https://x.y)\n"
        "[이전](./a.md) | [다음](./c.md)\n"
        "**[Back to top](#top)**\n"
    )
    parsed = parse_notes(text)
    assert [(c.term, c.category) for c in parsed.concepts] == [("프로세스", "Operating System")]
    assert parsed.concepts[0].definition == "실행 중인 프로그램."
    assert parsed.warnings == ()


def test_reference_sections_and_labels_are_dropped() -> None:
    text = (
        "## 해시\n"
        "키를 인덱스로 바꾼다. 자세한 건 [위키](https://w.org/hash) 참고.\n"
        "\n"
        "**참고 자료**\n"
        "- [블로그](https://blog.example.com/hash)\n"
        "- https://example.com/hash\n"
        "\n"
        "출처: [책](https://book.example.com)\n"
        "\n"
        "### References\n"
        "- [CLRS](https://clrs.example.com)\n"
        "\n"
        "## Reference\n"
        "- [전체 출처](https://x.y)\n"
    )
    parsed = parse_notes(text)
    assert [c.term for c in parsed.concepts] == ["해시"]
    assert parsed.concepts[0].definition == (
        "키를 인덱스로 바꾼다. 자세한 건 [위키](https://w.org/hash) 참고."
    )
    assert parsed.skipped == 0


def test_question_only_lists_and_link_stubs_are_skipped_and_counted() -> None:
    text = (
        "## 운영체제 질문\n"
        "- 프로세스란?\n"
        "- 스레드와 프로세스의 차이를 설명해주세요\n"
        "- [컨텍스트 스위칭이란?](#context)\n"
        "\n"
        "## 페이징\n"
        "[답변 보기](./os.md#paging)\n"
        "\n"
        "## 세그멘테이션\n"
        "논리 단위 분할.\n"
    )
    parsed = parse_notes(text)
    assert [c.term for c in parsed.concepts] == ["세그멘테이션"]
    # two questions without answers (the in-page link is a TOC entry), one link-only stub
    assert parsed.skipped == 3


def test_front_matter_is_dropped_and_lines_still_count() -> None:
    text = "---\ntitle: 노트\n# yaml comment\ntags: [cs]\n---\n\n## 힙\n완전 이진 트리.\n"
    parsed = parse_notes(text)
    assert [(c.term, c.line, c.category) for c in parsed.concepts] == [("힙", 7, DEFAULT_CATEGORY)]
    assert (parsed.skipped, parsed.warnings) == (0, ())


def test_rule_that_is_not_front_matter_is_ignored() -> None:
    assert terms("CPU - 처리 장치\n\n---\n\nRAM - 메모리\n") == ["CPU", "RAM"]


def test_setext_headings() -> None:
    text = "운영체제\n========\n\n스케줄링\n--------\nCPU 배분.\n"
    concept = one(text)
    assert (concept.term, concept.category, concept.line) == ("스케줄링", "운영체제", 4)


def test_html_tags_are_handled_but_other_angle_brackets_kept() -> None:
    concept = one("## 제곱\n2<sup>10</sup> = 1024, H<sub>2</sub>O, List<T>, a <b>굵게</b>, x < y\n")
    assert concept.definition == "2^10 = 1024, H2O, List<T>, a 굵게, x < y"


def test_web_links_keep_their_url_other_links_become_their_text() -> None:
    text = (
        '## REST\n[Roy Fielding](https://x.y/rf "title")이 제안. [다음 글](./http.md), '
        "[위](#rest)\n"
    )
    assert one(text).definition == "[Roy Fielding](https://x.y/rf)이 제안. 다음 글, 위"


def test_links_in_a_heading_become_their_text() -> None:
    assert one("## [REST](https://x.y) API\n본문.\n").term == "REST API"


def test_mixed_file_items_then_headings() -> None:
    text = (
        "CPU - 처리 장치\n\n# 네트워크\n\n## DNS란?\n이름 풀이.\n\n#### 통계\n- 평균 - 산술 평균\n"
    )
    parsed = parse_notes(text)
    assert [(c.term, c.category) for c in parsed.concepts] == [
        ("CPU", DEFAULT_CATEGORY),
        ("DNS", "네트워크"),
        ("평균", "통계"),
    ]


# --- robustness ----------------------------------------------------------------------------------

EXAMPLES = [
    "",
    "\n\n\n",
    "#",
    "# \n## \n### ?",
    "- \n- -\n- - -\n-",
    " - ",
    "``` \n```",
    "<!--",
    "-->",
    "<details><summary></summary></details>",
    "<summary>\n\n\n\n\n\n\n",
    "$$",
    "> > > > >",
    "[]()[][]](((",
    "**\n**",
    "( - )",
    "(((a - b - c",
    "a / b / c - d",
    " / - x",
    "Q.",
    "Q. ?",
    "?\n?",
    "란?",
    "은 - 는",
    "---\n---",
    "---\ntitle: x\n",
    "===\n---\n***",
    "\x00\x01\x02\ufeff\u200b",
    "\ud800 - \udfff",
    "가\u0301 - 나",
    "\t\t\t- x - y",
]


@pytest.mark.parametrize("text", EXAMPLES)
def test_odd_inputs_never_raise(text: str) -> None:
    assert_well_formed(parse_notes(text), text)


def test_random_text_never_raises_and_keeps_the_invariants() -> None:
    rng = random.Random(20240611)
    pieces = [
        "- ", "* ", "1. ", "# ", "## ", "#### ", "> ", "```", "~~~", "$$", "<!--", "-->", " - ",
        " / ", "(", ")", "[", "](", "**", "<details>", "<summary>", "</summary>", "답변", "?",
        "란", "은 ", "는 ", "CNN", "프로세스", "\n", "\n", "\n", "\n\n", "\t", "    ", "|", "---",
        "data:image", "![x](y)", "[a](#b)", "http://x.y", "\r", "\r\n", "\ufeff", "\x00",
    ]  # fmt: skip
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 80)))
        assert_well_formed(parse_notes(text), text)


def test_binary_like_text_never_raises() -> None:
    rng = random.Random(7)
    for _ in range(20):
        data = bytes(rng.randrange(256) for _ in range(4000))
        text = data.decode("latin-1")
        assert_well_formed(parse_notes(text), text)
    text = "".join(chr(rng.randrange(0x110000)) for _ in range(5000))
    assert_well_formed(parse_notes(text), text)


def test_large_input() -> None:
    rng = random.Random(3)
    shapes = [
        "- Term{n} - 정의 {n}",
        "## 질문{n}이란?",
        "답변 {n} 입니다.",
        "",
        "  계속 {n}",
        "```",
        "> 인용 {n}",
        "<!--",
        "-->",
        "| a | {n} |",
        "- 항목{n}은 설명이다",
        "#### 분류 {n}",
    ]
    lines = [rng.choice(shapes).format(n=n) for n in range(100_000)]
    text = "\n".join(lines)
    parsed = parse_notes(text)
    assert_well_formed(parsed, text)
    assert len(parsed.concepts) > 1000


def test_ten_thousand_items() -> None:
    text = "\n".join(f"Term{n} - 정의 {n}" for n in range(10_000))
    parsed = parse_notes(text)
    assert len(parsed.concepts) == 10_000
    assert parsed.concepts[-1] == ParsedConcept("Term9999", "정의 9999", DEFAULT_CATEGORY, 10_000)


def test_generic_words_never_start_items() -> None:
    text = "- 캐시 - 빠른 저장소\n- 장점 - 빠르다\n- 단점은 비싸다는 것\n- 버퍼 - 임시 저장소\n"
    found = by_term(parse_notes(text))
    assert list(found) == ["캐시", "버퍼"]
    assert found["캐시"].definition == "빠른 저장소\n- 장점 - 빠르다\n- 단점은 비싸다는 것"


def test_follow_up_questions_alone_are_no_answer() -> None:
    parsed = parse_notes("- 프로세스란?\n  - 스레드와의 차이는?\n- 스레드란?\n  실행 흐름.\n")
    assert [c.term for c in parsed.concepts] == ["스레드"]
    assert parsed.skipped == 1


def test_navigation_words_but_not_names_that_start_like_them() -> None:
    text = (
        "## Next.js\n리액트 프레임워크.\n\n[Next.js](https://nextjs.org)\n\n"
        "[Back to top]\n[다음 글: 라우팅](./r.md)\n"
    )
    assert one(text).definition == "리액트 프레임워크."  # the trailing link is a reference


def test_links_that_trail_an_answer_are_trimmed_but_links_inside_it_stay() -> None:
    text = (
        "## 해시 테이블\n"
        "키를 [해시 함수](https://h.example)로 바꾼다.\n\n"
        "- [위키백과](https://w.example/hash)\n"
        "- https://blog.example/hash\n"
    )
    assert one(text).definition == "키를 [해시 함수](https://h.example)로 바꾼다."


def test_bold_term_with_a_colon_is_an_item_but_plain_colons_are_prose() -> None:
    text = "- **프로세스**: 실행 중인 프로그램\n- **스레드:** 실행 흐름\n- 예: 크롬 탭\n"
    found = by_term(parse_notes(text))
    assert list(found) == ["프로세스", "스레드"]
    assert found["프로세스"].definition == "실행 중인 프로그램"
    assert found["스레드"].definition == "실행 흐름\n- 예: 크롬 탭"


@pytest.mark.parametrize(
    ("heading", "term"),
    [("#### [프로세스 & 스레드]", "프로세스 & 스레드"), ("## [OS] 페이지 교체", "페이지 교체")],
)
def test_bracketed_headings(heading: str, term: str) -> None:
    assert one(f"{heading}\n본문.\n").term == term


# --- block structure from the CommonMark parser ---------------------------------------------------


def test_fence_opened_in_a_nested_list_item_ends_with_the_item() -> None:
    text = (
        "## 자바 제네릭\n"
        "- 예시\n"
        "    - ``` java\n"
        "      List<String> names;\n"
        "    - 타입 안정성\n"
        "\n"
        "## 리플렉션\n"
        "런타임에 클래스 정보를 읽는다.\n"
    )
    found = by_term(parse_notes(text))
    assert list(found) == ["자바 제네릭", "리플렉션"]
    assert "List<String> names;" in found["자바 제네릭"].definition
    assert found["자바 제네릭"].definition.count("```") == 2  # closed where the item ended
    assert found["리플렉션"].definition == "런타임에 클래스 정보를 읽는다."


def test_fence_in_a_quote_and_a_heading_inside_it_stay_code() -> None:
    text = (
        "## 셸\n명령을 읽어 실행한다.\n> ```sh\n> # not a heading\n> ls -al\n> ```\n\n"
        "## 다음\n본문.\n"
    )
    found = by_term(parse_notes(text))
    assert list(found) == ["셸", "다음"]
    assert found["셸"].definition.endswith("```sh\n# not a heading\nls -al\n```")


def test_code_without_a_sentence_about_it_is_a_step_not_a_concept() -> None:
    text = (
        "# 자료구조\n## index.html 작성\n```html\n<h1>index</h1>\n```\n"
        "## Main.java\nMain.java\n```java\nclass Main {}\n```\n"
        "## 큐\nFIFO 구조의 자료구조.\n```java\nclass Queue {}\n```\n"
        "## Stack\nA last in, first out list.\n```java\nclass Stack {}\n```\n"
    )
    parsed = parse_notes(text)
    assert [c.term for c in parsed.concepts] == ["큐", "Stack"], "one sentence makes it a concept"
    assert parsed.skipped >= 2


def test_link_reference_definitions_and_thematic_breaks_are_not_text() -> None:
    text = "## 캐시\n빠른 저장소.\n\n[wiki]: https://w.example/cache\n\n***\n\n지역성.\n"
    assert one(text).definition == "빠른 저장소.\n\n지역성."


def test_heading_inside_a_list_item_is_text_not_a_section() -> None:
    text = "## 트리\n- # 루트\n  계층 구조.\n"
    concept = one(text)
    assert concept.term == "트리"


def test_pathological_fence_lines_parse_quickly_and_keep_the_invariants() -> None:
    text = "```x\n" * 3000 + "## A\n본문.\n"
    parsed = parse_notes(text)
    assert_well_formed(parsed, text)


# --- what is not a concept, decided on structure -------------------------------------------------


def test_document_title_over_a_toc_is_a_container_and_its_topics_are_concepts() -> None:
    text = (
        "# Network (네트워크)\n"
        "\n"
        "> 작성자 : [김아무개](https://github.com/example), [이아무개](https://github.com/e2)\n"
        "\n"
        "<details>\n"
        "<summary>Table of Contents</summary>\n"
        "\n"
        "- [OSI 7 계층](#osi-7-계층)\n"
        "- [TCP 와 UDP](#tcp-와-udp)\n"
        "\n"
        "</details>\n"
        "\n"
        "---\n"
        "\n"
        "## OSI 7 계층\n"
        "통신 과정을 일곱 단계로 나눈 참조 모델.\n"
        "### 계층을 나눈 이유\n"
        "문제가 생긴 단계만 고칠 수 있다.\n"
        "## TCP 와 UDP\n"
        "연결형과 비연결형 전송 프로토콜.\n"
    )
    parsed = parse_notes(text)
    assert [(c.term, c.category) for c in parsed.concepts] == [
        ("OSI 7 계층", "Network (네트워크)"),
        ("계층을 나눈 이유", "Network (네트워크)"),
        ("TCP 와 UDP", "Network (네트워크)"),
    ]
    assert parsed.concepts[0].definition == "통신 과정을 일곱 단계로 나눈 참조 모델."


def test_a_named_sub_heading_with_its_own_text_is_its_own_concept() -> None:
    text = (
        "## TCP\n연결형 프로토콜.\n"
        "### 3-way handshake\nSYN, SYN-ACK, ACK.\n"
        "### TCP의 장점\n신뢰성.\n"
        "### 해결방안?\n재전송.\n"
    )
    found = by_term(parse_notes(text))
    assert list(found) == ["TCP", "3-way handshake"]
    assert (
        found["TCP"].definition == "연결형 프로토콜.\n\nTCP의 장점\n신뢰성.\n\n해결방안?\n재전송."
    )


def test_flat_generic_headings_join_the_concept_before_them() -> None:
    text = (
        "## Cookie\n브라우저에 저장되는 작은 데이터.\n"
        "## 단점\n- 보안에 취약하다.\n"
        "## Session\n서버에 저장되는 상태.\n"
        "## 장단점\n- 서버 자원을 쓴다.\n"
    )
    found = by_term(parse_notes(text))
    assert list(found) == ["Cookie", "Session"]
    assert (
        found["Cookie"].definition == "브라우저에 저장되는 작은 데이터.\n\n단점\n- 보안에 취약하다."
    )
    assert found["Session"].definition.endswith("장단점\n- 서버 자원을 쓴다.")


def test_an_overview_first_under_a_heading_is_that_heading_s_answer() -> None:
    text = "# 로드 밸런싱\n## 개요\n서버에 부하를 나눈다.\n## L4 로드 밸런서\n포트 기준 분산.\n"
    parsed = parse_notes(text)
    assert [c.term for c in parsed.concepts] == ["로드 밸런싱", "L4 로드 밸런서"]
    assert parsed.concepts[0].definition == "서버에 부하를 나눈다.", "what it is needs no label"


def test_a_heading_naming_the_definition_of_the_title_is_the_title_s_answer() -> None:
    text = (
        "# JWT(JSON Web Token)\n## JWT 개념\n사용자 정보를 담은 서명된 토큰이다.\n"
        "## JWT 구조\n헤더, 페이로드, 서명으로 이루어진다.\n"
        "## JWT의 장단점\n- 서버에 세션을 두지 않는다.\n"
    )
    found = by_term(parse_notes(text))
    assert list(found) == ["JWT", "JWT 구조"], "one concept for JWT, not JWT and JWT 개념"
    assert found["JWT"].aliases == ("JSON Web Token",)
    assert found["JWT"].definition.startswith("사용자 정보를 담은 서명된 토큰이다.")
    assert found["JWT"].definition.endswith("JWT의 장단점\n- 서버에 세션을 두지 않는다.")


def test_a_basic_concept_heading_is_the_title_s_answer_and_a_core_concepts_one_a_topic() -> None:
    sorting = (
        "# 계수 정렬 (Count Sort)\n## 기본 개념\n- 등장 횟수를 세어 정렬한다.\n## 원리\n1. 센다.\n"
    )
    found = by_term(parse_notes(sorting))
    assert list(found) == ["계수 정렬"], "기본 개념 is no concept of its own"
    assert found["계수 정렬"].definition.startswith("- 등장 횟수를 세어 정렬한다.")
    assert "원리\n1. 센다." in found["계수 정렬"].definition
    core = (
        "# 객체 지향 프로그래밍\n## 객체 지향 프로그래밍이란?\n객체의 협력으로 짠다.\n"
        "## 객체 지향 프로그래밍의 핵심 개념\n캡슐화, 상속, 다형성, 추상화.\n"
    )
    terms = [c.term for c in parse_notes(core).concepts]
    assert terms == ["객체 지향 프로그래밍", "객체 지향 프로그래밍의 핵심 개념"]


def test_a_bare_generic_heading_with_nothing_to_join_is_skipped() -> None:
    parsed = parse_notes("## 정리\n- 요약 한 줄.\n")
    assert parsed.concepts == ()
    assert parsed.skipped == 1


def test_bylines_contributor_sections_and_tracker_tables_are_dropped() -> None:
    text = (
        "# 김아무개\n"
        "|Study|바로가기|\n"
        "|---|---|\n"
        "|Array, LinkedList|:white_check_mark:|\n"
        "|Stack, Queue|[link](./stack.md)|\n"
        "\n"
        "## 스택\n"
        "- 작성자 홍길동 | 스택 정리\n"
        "\n"
        "후입선출 구조.\n"
        "\n"
        "| 연산 | 복잡도 |\n"
        "|---|---|\n"
        "| push | O(1) |\n"
        "\n"
        "## Contributor\n"
        "| [<img src='a.png'>](https://github.com/a) | [<img src='b.png'>](https://g.example/b) |\n"
        "|:---:|:---:|\n"
        "| 가 | 나 |\n"
    )
    parsed = parse_notes(text)
    assert [c.term for c in parsed.concepts] == ["스택"]
    assert (
        parsed.concepts[0].definition
        == "후입선출 구조.\n\n| 연산 | 복잡도 |\n|---|---|\n| push | O(1) |"
    )


def test_question_heading_whose_body_is_only_the_next_question_is_skipped() -> None:
    text = (
        "## 예상 질문\n"
        "### 페이지 테이블을 줄이는 방법을 설명해 주세요\n"
        "* 다단계 페이지 테이블에 대해 설명해 주세요\n"
        "### TLB란?\n"
        "주소 변환 캐시.\n"
    )
    parsed = parse_notes(text)
    assert [c.term for c in parsed.concepts] == ["TLB"]


def test_study_section_titles_are_collections_not_concepts() -> None:
    text = (
        "# Array, LinkedList\n"
        "## Question\n"
        "1. Array와 LinkedList의 차이가 무엇인가요?\n"
        "- 저장 방식이 다릅니다.\n"
        "\n"
        "## :nerd_face: What I study\n"
        "### 1. Array\n"
        "- 연속된 메모리.\n"
        "### 2. LinkedList\n"
        "- 포인터로 연결.\n"
    )
    terms_found = [c.term for c in parse_notes(text).concepts]
    assert "Question" not in terms_found and "What I study" not in terms_found
    assert terms_found == ["Array와 LinkedList의 차이", "Array", "LinkedList"]


@pytest.mark.parametrize(
    "title",
    ["장점", "단점", "Pros & Cons", "4. 정리", "멀티 프로세스의 장점", "Disadvantages", "개요"],
)
def test_generic_titles(title: str) -> None:
    assert one(f"## 프로세스\n실행 중인 프로그램.\n### {title}\n내용.\n").term == "프로세스"


def test_heading_with_a_colon_names_the_term_and_describes_it() -> None:
    text = (
        "#### \\[7] 응용 계층 (Application Layer) : 데이터 단위 message\n"
        "사용자와 맞닿는 계층.\n"
        "#### 시각 12:30 기준\n"
        "본문.\n"
        "#### 패킷 => 3계층의 단위\n"
        "캡슐화된 데이터.\n"
    )
    first, second, third = parse_notes(text).concepts
    assert (third.term, third.definition) == ("패킷", "3계층의 단위\n캡슐화된 데이터.")
    assert (first.term, first.aliases) == ("응용 계층", ("Application Layer",))
    assert first.definition == "데이터 단위 message\n사용자와 맞닿는 계층."
    assert second.term == "시각 12:30 기준"


def test_a_numbered_list_of_questions_is_a_question_bank_not_answers() -> None:
    text = (
        "### 트랜잭션 (Transaction)\n"
        "1. 트랜잭션이란?\n"
        "2. 트랜잭션의 성질 ACID\n"
        "3. 데드락을 방지할 수 있는 방법은?\n"
        "\n"
        "## 스택과 큐\n"
        "1. 스택과 큐의 차이점\n"
        "2. 스택과 큐를 어디에 쓰나요?\n"
        "3. 큐 두 개로 스택을 만들 수 있을까요?\n"
        "\n"
        "## 배열\n"
        "1. 배열과 연결 리스트의 차이가 무엇인가요?\n"
        "- 배열은 연속된 메모리에 저장됩니다.\n"
    )
    parsed = parse_notes(text)
    assert [c.term for c in parsed.concepts] == ["배열과 연결 리스트의 차이"]
    assert parsed.concepts[0].definition == "- 배열은 연속된 메모리에 저장됩니다."


def test_terms_lose_numbering_brackets_and_emoji_and_gain_the_names_their_shape_implies() -> None:
    text = (
        "## 1-1) 목적이 분명한 힌트\n본문.\n"
        "## [ 이진 탐색 트리의 균형 ]\n본문.\n"
        "## 2️⃣ 2차 캐시\n본문.\n"
        "## 1) 🐰 토끼 계좌\n본문.\n"
        "## RR (Round-Robin) Scheduling\n본문.\n"
        "## JWT 개념\n본문.\n"
        "## 3-way handshake\n본문.\n"
    )
    found = {c.term: c.aliases for c in parse_notes(text).concepts}
    assert list(found) == [
        "목적이 분명한 힌트",
        "이진 탐색 트리의 균형",
        "2차 캐시",
        "토끼 계좌",
        "RR (Round-Robin) Scheduling",
        "JWT 개념",
        "3-way handshake",
    ]
    assert found["RR (Round-Robin) Scheduling"] == ("RR Scheduling", "Round-Robin Scheduling")
    assert found["JWT 개념"] == ("JWT",)


def test_definition_list_marks_image_tags_and_source_headings_are_not_text() -> None:
    text = (
        "# MST\n\n: 최소 비용으로 모든 정점을 잇는 트리.\n<image src='./m.png' width='600' />\n"
        "##### 출처: https://blog.example/mst\n"
    )
    concept = one(text)
    assert concept.definition == "최소 비용으로 모든 정점을 잇는 트리."


def test_a_sub_heading_over_only_code_stays_part_of_the_answer() -> None:
    text = "## 스택\n후입선출.\n### 인터페이스 정의\n```java\ninterface Stack {}\n```\n"
    concept = one(text)
    assert concept.definition.endswith("```java\ninterface Stack {}\n```")


def test_lead_ins_and_source_lists_are_no_answer_and_credits_do_not_lead_one() -> None:
    text = (
        "## 주소 공간\n* 위의 그림처럼 주소를 바꾸는 과정을 알아보자.\n"
        "## IP 주소\n- 참고 자료\n\n        https://video.example/1\n        정보처리기사 필기 책\n"
        "## 파이프\n[_img reference_](https://img.example/pipe)\n\n단방향 통신 채널.\n"
        "## 캐시\n빠른 저장소로 볼 수 있다.\n"
    )
    parsed = parse_notes(text)
    assert [(c.term, c.definition) for c in parsed.concepts] == [
        ("파이프", "단방향 통신 채널."),
        ("캐시", "빠른 저장소로 볼 수 있다."),
    ]


def test_bold_labelled_points_in_a_list_of_facts_are_one_answer_not_a_category() -> None:
    text = (
        "### 스케줄링 알고리즘\n"
        "#### SJF (Shortest-Job-First) Scheduling\n"
        "- **비선점 방식** : 실행 시간이 가장 짧은 프로세스에 먼저 할당한다.\n"
        "- **선점 방식** : 남은 시간이 더 짧으면 빼앗는다.\n"
        "- 평균 대기 시간이 최소다.\n"
        "#### 통계 용어\n"
        "- **평균**: 값의 합을 개수로 나눈 값\n"
        "- **분산**: 평균에서 떨어진 정도\n"
    )
    found = {c.term: c for c in parse_notes(text).concepts}
    assert list(found) == ["SJF (Shortest-Job-First) Scheduling", "평균", "분산"]
    assert found["SJF (Shortest-Job-First) Scheduling"].aliases == (
        "SJF Scheduling",
        "Shortest-Job-First Scheduling",
    )


def test_a_part_named_for_the_document_joins_it_and_its_topics_stand_alone() -> None:
    text = (
        "# 🚀 영속성 컨텍스트 Persistence Context\n"
        "## 1. 개요\n엔티티를 저장하는 환경.\n"
        "## 2. 엔티티의 생명주기\n비영속, 영속, 준영속, 삭제.\n"
        "## 3. 영속성 컨텍스트의 특징\n"
        "### 1차 캐시\n조회한 엔티티를 보관한다.\n"
        "### 변경 감지 (더티체크)\n스냅샷과 비교해 수정 쿼리를 만든다.\n"
    )
    found = {c.term: c for c in parse_notes(text).concepts}
    assert list(found) == [
        "영속성 컨텍스트 Persistence Context",
        "엔티티의 생명주기",
        "1차 캐시",
        "변경 감지",
    ]
    assert found["영속성 컨텍스트 Persistence Context"].definition == "엔티티를 저장하는 환경."
    assert found["변경 감지"].aliases == ("더티체크",)


def test_numbered_parts_examples_rules_and_reference_only_answers_are_not_concepts() -> None:
    text = (
        "## 람다\n익명 함수.\n"
        "### 다양한 사용 예시\n```cpp\nauto f = [](){};\n```\n"
        "### Point 2\n캡처 방식이 다르다.\n"
        "## Rules\n매주 월요일 스터디.\n"
        "## eXtreme Programming\n참조 : [위키](https://w.example/xp)\n"
    )
    parsed = parse_notes(text)
    assert [c.term for c in parsed.concepts] == ["람다"]
    assert "캡처 방식이 다르다." in parsed.concepts[0].definition


def test_operations_and_when_to_use_sections_are_parts_of_the_concept_above() -> None:
    text = (
        "## B-Tree\n균형 잡힌 다진 탐색 트리.\n"
        "### 삽입\n리프에 넣고 넘치면 분할한다.\n"
        "### 삭제\n재분배하거나 합친다.\n"
        "### 사용하면 좋은 경우\n- 디스크 기반 인덱스\n"
    )
    concept = one(text)
    assert concept.term == "B-Tree"
    assert (
        "재분배하거나 합친다." in concept.definition and "디스크 기반 인덱스" in concept.definition
    )


def test_a_heading_of_generic_words_only_is_part_of_the_answer_above() -> None:
    text = (
        "# 다익스트라 알고리즘\n최단 경로를 구한다.\n"
        "## 알고리즘 동작 단계\n1. 출발 노드를 정한다.\n2. 가장 가까운 노드를 고른다.\n"
        "## 우선순위 큐\n가장 작은 값을 먼저 꺼내는 큐.\n"
    )
    found = by_term(parse_notes(text))
    assert list(found) == ["다익스트라 알고리즘", "우선순위 큐"]
    assert "알고리즘 동작 단계\n1. 출발 노드를 정한다." in found["다익스트라 알고리즘"].definition
    solved = by_term(parse_notes("# 양궁대회\n## 풀이 방식\n완전 탐색으로 점수를 비교한다.\n"))
    assert list(solved) == ["양궁대회"], "a solution's steps are named by their problem"


def test_a_generic_heading_that_holds_topics_keeps_them() -> None:
    text = (
        "# 알고리즘 기본\n"
        "## 시간 복잡도\n입력 크기에 따른 연산 횟수.\n"
        "## 공간 복잡도\n입력 크기에 따른 메모리 사용량.\n"
    )
    assert [c.term for c in parse_notes(text).concepts] == ["시간 복잡도", "공간 복잡도"]


def test_the_points_under_a_bare_difference_heading_are_the_comparison_s_own() -> None:
    text = (
        "## 추상 클래스 vs 인터페이스\n둘 다 추상 메서드를 가진다.\n"
        "### 차이점\n"
        "#### 다중 상속 가능 여부\n인터페이스만 여러 개 구현할 수 있다.\n"
        "#### 변수와 생성자, 메서드\n추상 클래스는 생성자를 가질 수 있다.\n"
    )
    found = by_term(parse_notes(text))
    assert list(found) == ["추상 클래스 vs 인터페이스"]
    assert "변수와 생성자, 메서드" in found["추상 클래스 vs 인터페이스"].definition
    sides = (
        "## 추상 클래스 vs 인터페이스\n둘을 비교한다.\n"
        "### 추상 클래스\n미완성 설계도인 클래스.\n### 인터페이스\n구현할 메서드의 목록.\n"
    )
    terms = [c.term for c in parse_notes(sides).concepts]
    assert terms == ["추상 클래스 vs 인터페이스", "추상 클래스", "인터페이스"], "sides stay"


def test_a_generic_heading_with_a_colon_is_a_part_and_a_pointer_elsewhere_no_answer() -> None:
    text = (
        "## equals와 hashCode\n둘 다 재정의해야 한다.\n"
        "### 해결방안: hashCode 오버라이딩\n같은 값이면 같은 해시를 돌려준다.\n"
        "## TCP 와 UDP\n아래의 자료에서 자세한 설명과 코드를 볼 수 있다.\n\n"
        "- [TCP 와 UDP](https://blog.example/tcp)\n"
    )
    parsed = parse_notes(text)
    assert [c.term for c in parsed.concepts] == ["equals와 hashCode"]
    assert "해결방안: hashCode 오버라이딩" in parsed.concepts[0].definition
    assert parsed.skipped == 1, "a note that only points elsewhere is counted as skipped"


def test_numbered_steps_written_as_sentences_belong_to_the_flow_they_describe() -> None:
    text = (
        "## 웹 통신의 흐름\n브라우저에서 응답까지.\n"
        "### 1) 사용자가 웹브라우저 검색창에 주소를 입력\n검색창에 쓴다.\n"
        "### 2) IP 주소를 받으면 일반적으로 TCP 통신을 시작\n3-way handshake.\n"
        "### 3) 주소창에 URL을 입력하고 엔터를 친 이후의 흐름\n브라우저가 요청을 만든다.\n"
    )
    terms = [c.term for c in parse_notes(text).concepts]
    assert terms == ["웹 통신의 흐름", "주소창에 URL을 입력하고 엔터를 친 이후의 흐름"]


def test_a_problem_statement_alone_is_no_concept() -> None:
    text = "### 문제\n퀸 N개를 놓는다.\n### 입력\nN이 주어진다.\n### 출력\n경우의 수.\n"
    parsed = parse_notes(text)
    assert parsed.concepts == ()


@pytest.mark.parametrize(
    ("title", "term", "aliases"),
    [
        ("4장. 처리율 제한 장치의 설계", "처리율 제한 장치의 설계", ()),
        ("제3장 동시성 제어", "동시성 제어", ()),
        ("Chapter 2: 가상 메모리", "가상 메모리", ()),
        ("트랜잭션 (Transaction) #3", "트랜잭션", ("Transaction",)),
    ],
)
def test_a_chapter_number_or_a_part_number_is_no_part_of_the_term(
    title: str, term: str, aliases: tuple[str, ...]
) -> None:
    concept = one(f"# {title}\n본문이다.\n")
    assert (concept.term, concept.aliases) == (term, aliases)


def test_a_question_that_introduces_its_term_with_raneun_is_about_that_term() -> None:
    text = "### 투포인터라는 전략이 있습니다. 어떤 문제에 쓰나요?\n두 포인터로 구간을 찾는다.\n"
    assert one(text).term == "투포인터"


def test_stage_headings_prefaces_annotations_and_follow_up_questions_are_no_concepts() -> None:
    text = (
        "# 페이징 & 세그먼테이션(PDF)\n"
        "본 자료는 '운영체제' 책을 토대로 작성되었습니다.\n\n메모리를 나누어 관리한다.\n"
        "## 1단계: 문제 이해\n범위를 정한다.\n"
        "## Call By Value\n자바는 항상 값을 넘긴다.\n"
        "### 왜 그런걸까\n참조도 값으로 복사된다.\n"
    )
    found = by_term(parse_notes(text))
    assert list(found) == ["페이징 & 세그먼테이션", "Call By Value"]
    assert found["페이징 & 세그먼테이션"].definition.startswith("메모리를 나누어 관리한다.")
    assert "1단계: 문제 이해" in found["페이징 & 세그먼테이션"].definition
    assert "왜 그런걸까\n참조도 값으로 복사된다." in found["Call By Value"].definition


def test_a_named_topic_s_time_complexity_is_part_of_it_but_a_note_on_complexity_keeps_it() -> None:
    sort = "# 버블 정렬\n인접한 두 원소를 바꾼다.\n## 시간 복잡도\n- 최악 O(n^2)\n"
    assert [c.term for c in parse_notes(sort).concepts] == ["버블 정렬"]
    assert "시간 복잡도\n- 최악 O(n^2)" in one(sort).definition
    about = (
        "# 시간복잡도와 공간복잡도\n알고리즘의 비용.\n"
        "## 시간복잡도(Time Complexity)\n연산 횟수.\n## 공간복잡도(Space Complexity)\n메모리.\n"
    )
    assert [c.term for c in parse_notes(about).concepts] == [
        "시간복잡도와 공간복잡도",
        "시간복잡도",
        "공간복잡도",
    ]


@pytest.mark.parametrize(
    ("heading", "term", "aliases"),
    [
        ("교착상태(데드락, Deadlock)", "교착상태", ("데드락", "Deadlock")),
        ("최장 증가 수열(LIS, Longest Increasing Subsequence)", "최장 증가 수열", None),
        ("JVM 메모리 관리(Xms, Xmx)", "JVM 메모리 관리(Xms, Xmx)", ()),
        ("스레드 (실행 흐름, 작업 단위)", "스레드 (실행 흐름, 작업 단위)", ()),
        ("서버/클라이언트 구조 관점에서 본 통신 과정 (HTTP)", None, ()),
        ("트랜잭션의 특성(ACID)", "트랜잭션의 특성", ("ACID",)),
    ],
)
def test_a_parenthesis_gives_names_only_when_they_are_names_of_the_term(
    heading: str, term: str | None, aliases: tuple[str, ...] | None
) -> None:
    concept = one(f"## {heading}\n본문이다.\n")
    assert concept.term == (term or heading)
    expected = ("LIS", "Longest Increasing Subsequence") if aliases is None else aliases
    assert concept.aliases[: len(expected)] == expected
    if not expected:
        assert not set(concept.aliases) & {"Xms", "HTTP", "실행 흐름"}


def test_a_list_of_links_with_angle_bracket_destinations_is_no_concept() -> None:
    text = (
        "## Data Structure\n"
        "- [이진탐색트리(Binary Search Tree)](<https://example.com/Data Structure/BST(1).md>)\n"
        "- [힙](<https://example.com/Data Structure/Heap.md>)\n"
        "## 힙\n완전 이진 트리 기반. [더 보기](<https://example.com/a b.md>)\n"
    )
    parsed = parse_notes(text)
    assert [c.term for c in parsed.concepts] == ["힙"]
    assert "[더 보기](https://example.com/a%20b.md)" in parsed.concepts[0].definition
