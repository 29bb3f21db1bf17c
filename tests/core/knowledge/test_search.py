"""Lookup: unit tests on small synthetic indexes, then the acceptance set on the shipped notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.knowledge.aliases import aliases_for_terms, parse_aliases
from bot.core.knowledge.glossary import Glossary
from bot.core.knowledge.parser import parse_notes
from bot.core.knowledge.search import (
    AUTOCOMPLETE_LIMIT,
    CONFIDENT_SCORE,
    DEFINITION_SCORE_CEILING,
    DID_YOU_MEAN_SCORE,
    MAX_RUNNERS_UP,
    MAX_SUGGESTIONS,
    SUGGESTION_TERM_MAX,
    IndexEntry,
    SearchIndex,
)
from bot.core.models import LookupResult, MatchKind

ROOT = Path(__file__).resolve().parents[3]
NOTES = ROOT / "knowledge" / "interview-notes.md"
ALIASES = ROOT / "knowledge" / "aliases.toml"

SHIPPED_TERMS = (
    "REST API", "RAG", "LangChain", "파인튜닝", "LLM", "AI", "Docker", "EC2", "TypeOrm",
    "Load Balance", "CNN", "RNN", "Pytorch", "Tensorflow", "GAN", "crossentropyloss",
    "optimizer", "동기", "비동기", "attention", "LSTM", "경사하강법", "귀무가설", "대립가설",
    "편미분", "선형회귀", "로지스틱 회귀",
)  # fmt: skip


def entry(cid: int, term: str, *aliases: str, definition: str = "") -> IndexEntry:
    """An index entry with a placeholder definition unless one is given."""
    return IndexEntry(cid, term, aliases, definition or f"{term} 설명")


def top(result: LookupResult) -> str | None:
    """The term a person would see first: the match, else the first suggestion."""
    if result.match is not None:
        return result.match.term
    return result.suggestions[0].term if result.suggestions else None


# --- small synthetic indexes ---------------------------------------------------------------


@pytest.fixture
def small() -> SearchIndex:
    return SearchIndex(
        [
            entry(1, "CNN", "합성곱 신경망", "Convolutional Neural Network", "씨엔엔",
                  definition="합성곱 층과 풀링 층으로 이미지를 처리하는 신경망"),
            entry(2, "RNN", "순환 신경망", "Recurrent Neural Network",
                  definition="순서가 있는 데이터를 이전 출력을 기억하며 처리하는 신경망"),
            entry(3, "Docker", "도커",
                  definition="애플리케이션을 컨테이너라는 격리된 환경에 패키징"),
            entry(4, "경사하강법", "Gradient Descent", "경사 하강법",
                  definition="손실함수를 최소화하는 가중치를 찾는 방법"),
            entry(5, "선형회귀", "Linear Regression",
                  definition="독립변수와 종속변수의 선형관계"),
            entry(6, "로지스틱 회귀", "Logistic Regression",
                  definition="이항 분류에 쓰는 회귀 분석"),
            entry(7, "동기", "Synchronous", "sync", definition="작업이 순차적으로 진행된다"),
            entry(8, "비동기", "Asynchronous", "async", definition="완료를 기다리지 않고 진행된다"),
            entry(9, "텐서플로", "TensorFlow", definition="구글에서 만든 딥러닝 프레임워크"),
            entry(10, "AI", "인공지능", "에이아이", definition="인간의 지능을 흉내내는 기술"),
        ]
    )  # fmt: skip


def test_len_counts_concepts(small: SearchIndex) -> None:
    assert len(small) == 10
    assert len(SearchIndex([])) == 0


def test_exact_name_is_confident_with_full_score(small: SearchIndex) -> None:
    result = small.lookup("Docker")
    assert result.kind is MatchKind.CONFIDENT
    assert result.match is not None
    assert (result.match.concept_id, result.match.term, result.match.score) == (3, "Docker", 100)
    assert result.query == "Docker"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("docker", 3), ("DOCKER", 3), ("도커", 3), ("도커란?", 3), ("도커가 뭐야", 3),
        ("Ｄｏｃｋｅｒ", 3), ("do\u200bcker", 3), ("  'Docker'  ", 3), ("CNN은", 1),
        ("경사 하강법", 4), ("경사하강법이란?", 4), ('"경사 하강법이란 무엇인가요?"', 4),
        ("gradient-descent", 4), ("로지스틱회귀", 6), ("what is linear regression?", 5),
        ("텐서플로", 9), ("텐서플로는", 9), ("에이아이", 10), ("ai", 10), ("AI란", 10),
        ("sync", 7), ("async", 8), ("\u1103\u1169\u110f\u1165", 3),
    ],
)  # fmt: skip
def test_normalised_exact_forms_are_confident(
    small: SearchIndex, query: str, expected: int
) -> None:
    result = small.lookup(query)
    assert result.kind is MatchKind.CONFIDENT, result
    assert result.match is not None and result.match.concept_id == expected
    assert result.match.score == 100


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("경사하감법", 4),
        ("도꺼", 3),
        ("logstic regression", 6),
        ("Convolutional Nueral Network", 1),
    ],
)
def test_typos_are_confident(small: SearchIndex, query: str, expected: int) -> None:
    result = small.lookup(query)
    assert result.kind is MatchKind.CONFIDENT, result
    assert result.match is not None and result.match.concept_id == expected
    assert CONFIDENT_SCORE <= result.match.score <= 100


def test_confident_match_carries_close_runners_up_when_asked(small: SearchIndex) -> None:
    fast = small.lookup("동기")
    assert fast.kind is MatchKind.CONFIDENT and fast.suggestions == (), "no scan by default"
    result = small.lookup("동기", runners_up=True)
    assert result.kind is MatchKind.CONFIDENT and result.match == fast.match
    assert [s.term for s in result.suggestions] == ["비동기"]
    assert len(result.suggestions) <= MAX_RUNNERS_UP
    assert all(s.score >= DID_YOU_MEAN_SCORE for s in result.suggestions)


def test_ambiguous_word_gives_did_you_mean_between_concepts(small: SearchIndex) -> None:
    result = small.lookup("회귀")
    assert result.kind is MatchKind.DID_YOU_MEAN
    assert {s.term for s in result.suggestions[:2]} == {"선형회귀", "로지스틱 회귀"}
    assert result.match is None


def test_close_but_unsure_is_did_you_mean(small: SearchIndex) -> None:
    result = small.lookup("neural network")
    assert result.kind is MatchKind.DID_YOU_MEAN
    assert {s.term for s in result.suggestions} >= {"CNN", "RNN"}
    assert all(s.score < CONFIDENT_SCORE for s in result.suggestions)


def test_unknown_terms_give_nothing(small: SearchIndex) -> None:
    for query in ("Kubernetes", "TCP", "해시 테이블", "zzzz"):
        result = small.lookup(query)
        assert result.kind is MatchKind.NOTHING, result
        assert result.match is None and result.suggestions == ()


def test_empty_query_gives_nothing(small: SearchIndex) -> None:
    for query in ("", "   ", "?!", "\u200b"):
        assert small.lookup(query).kind is MatchKind.NOTHING


def test_empty_index_gives_nothing() -> None:
    assert SearchIndex([]).lookup("docker").kind is MatchKind.NOTHING


def test_short_fuzzy_query_is_never_confident() -> None:
    index = SearchIndex(
        [entry(1, "RAG"), entry(2, "GAN", "갠"), entry(3, "EC2"), entry(4, "AI"), entry(5, "도커")]
    )
    # 캔 sounds like 갠 (the fuzzy key is the same) but is three jamo long: only a suggestion
    for query in ("rog", "gen", "ec3", "ag", "a", "캔"):
        result = index.lookup(query)
        assert result.kind is not MatchKind.CONFIDENT, (query, result)
    assert top(index.lookup("캔")) == "GAN"
    for query in ("rag", "ec2", "갠", "ai"):
        assert index.lookup(query).kind is MatchKind.CONFIDENT
    assert index.lookup("도꺼").kind is MatchKind.CONFIDENT  # four jamo: long enough


def test_aliases_of_one_concept_collapse_to_one_suggestion() -> None:
    index = SearchIndex(
        [
            entry(1, "Alpha Model", "Alpha Models", "Alpha Modal", "Alpha Modell"),
            entry(2, "Beta Model", "Beta Models"),
        ]
    )
    result = index.lookup("alpha mdel")
    ids = [s.concept_id for s in result.suggestions]
    assert len(ids) == len(set(ids))
    assert top(result) == "Alpha Model"


def test_two_concepts_sharing_an_alias_are_offered_both() -> None:
    index = SearchIndex([entry(1, "Process", "작업"), entry(2, "Task", "작업")])
    result = index.lookup("작업")
    assert result.kind is MatchKind.DID_YOU_MEAN
    assert {s.concept_id for s in result.suggestions[:2]} == {1, 2}


def test_nearly_tied_fuzzy_match_is_not_confident() -> None:
    index = SearchIndex([entry(1, "abcdefgh"), entry(2, "abcdefgj")])
    result = index.lookup("abcdefgx")
    assert result.kind is MatchKind.DID_YOU_MEAN
    assert {s.concept_id for s in result.suggestions} == {1, 2}


def test_did_you_mean_is_capped() -> None:
    index = SearchIndex([entry(i, f"model{i}") for i in range(1, 10)])
    result = index.lookup("model")
    assert result.kind is MatchKind.DID_YOU_MEAN
    assert len(result.suggestions) == MAX_SUGGESTIONS


@pytest.mark.parametrize(("query", "expected"), [("합성곱", "CNN"), ("컨테이너", "Docker")])
def test_definition_text_offers_did_you_mean_only(
    small: SearchIndex, query: str, expected: str
) -> None:
    result = small.lookup(query)
    assert result.kind is MatchKind.DID_YOU_MEAN
    assert top(result) == expected


def test_definition_hits_score_below_ceiling() -> None:
    index = SearchIndex([entry(1, "Foo", definition="kubernetes orchestrates containers")])
    result = index.lookup("kubernetes")
    assert result.kind is MatchKind.DID_YOU_MEAN
    assert [s.term for s in result.suggestions] == ["Foo"]
    assert 0 < result.suggestions[0].score <= DEFINITION_SCORE_CEILING


def test_definition_search_needs_most_of_the_query() -> None:
    index = SearchIndex(
        [
            entry(1, "Foo", definition="이미지 처리 신경망"),
            entry(2, "Bar", definition="문장 생성 모델"),
        ]
    )
    assert top(index.lookup("이미지 처리")) == "Foo"
    assert index.lookup("이미지 주식 환율 날씨").kind is MatchKind.NOTHING


def test_long_terms_are_cut_in_suggestions() -> None:
    long_term = "가" * 150
    index = SearchIndex([entry(1, long_term, "long one")])
    result = index.lookup("long one")
    assert result.match is not None
    assert len(result.match.term) == SUGGESTION_TERM_MAX
    assert result.match.term.endswith("…")
    assert result.match.term[:-1] == long_term[: SUGGESTION_TERM_MAX - 1]


# --- autocomplete ---------------------------------------------------------------------------


def test_autocomplete_prefix_then_substring_then_fuzzy(small: SearchIndex) -> None:
    terms = [s.term for s in small.autocomplete("경사")]
    assert terms[0] == "경사하강법"
    assert small.autocomplete("하강")[0].term == "경사하강법"
    assert [s.term for s in small.autocomplete("regression")][:2] == ["선형회귀", "로지스틱 회귀"]
    assert "Docker" in [s.term for s in small.autocomplete("dokcer")]


def test_autocomplete_alias_prefix_and_partial_syllable(small: SearchIndex) -> None:
    assert small.autocomplete("dock")[0].term == "Docker"
    assert small.autocomplete("도")[0].term == "Docker"
    assert small.autocomplete("돜")[0].term == "Docker"  # 도커 half typed
    assert small.autocomplete("경사하가")[0].term == "경사하강법"  # 강 half typed
    assert small.autocomplete("synch")[0].term == "동기"


def test_autocomplete_one_suggestion_per_concept(small: SearchIndex) -> None:
    ids = [s.concept_id for s in small.autocomplete("c")]
    assert len(ids) == len(set(ids))


def test_autocomplete_empty_prefix_lists_terms_alphabetically(small: SearchIndex) -> None:
    terms = [s.term for s in small.autocomplete("", limit=4)]
    assert terms == ["AI", "CNN", "Docker", "RNN"]
    assert len(small.autocomplete("  ")) == 10


def test_autocomplete_limit_is_capped() -> None:
    index = SearchIndex([entry(i, f"term {i:03d}") for i in range(60)])
    assert len(index.autocomplete("term")) == AUTOCOMPLETE_LIMIT
    assert len(index.autocomplete("term", limit=100)) == AUTOCOMPLETE_LIMIT
    assert len(index.autocomplete("term", limit=3)) == 3
    assert index.autocomplete("term", limit=0) == []
    assert len(index.autocomplete("", limit=100)) == AUTOCOMPLETE_LIMIT


def test_autocomplete_cuts_long_terms() -> None:
    index = SearchIndex([entry(1, "프로세스와 스레드의 차이 " * 10)])
    (suggestion,) = index.autocomplete("프로세스")
    assert len(suggestion.term) == SUGGESTION_TERM_MAX
    assert suggestion.term.endswith("…")


def test_autocomplete_nothing_close(small: SearchIndex) -> None:
    assert small.autocomplete("qqqqzzzz") == []


# --- across languages: the glossary -----------------------------------------------------------


@pytest.fixture(scope="module")
def brought() -> SearchIndex:
    """Notes people bring: headings in one language, no aliases file (교착상태(Deadlock) as the
    parser gives it: the parenthetical is an alias)."""
    return SearchIndex(
        [
            entry(1, "Singleton 패턴", definition="인스턴스를 하나만 만드는 패턴"),
            entry(2, "Context Switching", definition="CPU가 다른 프로세스로 바꾸는 것"),
            entry(3, "가상 메모리", definition="물리 메모리보다 큰 주소 공간"),
            entry(4, "교착상태", "Deadlock", definition="서로의 자원을 기다리며 멈춘 상태"),
            entry(5, "Transaction", definition="all or nothing unit of work"),
            entry(6, "프로세스", definition="실행 중인 프로그램"),
            entry(7, "Thread", definition="프로세스 안의 실행 흐름"),
            entry(8, "퀵 정렬", definition="피벗으로 나누어 정렬"),
        ]
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("싱글톤 패턴", 1), ("싱글턴 패턴이란?", 1), ("singleton pattern", 1), ("싱글톤패턴", 1),
        ("컨텍스트 스위칭", 2), ("문맥 교환이 뭐야", 2), ("context switch", 2),
        ("virtual memory", 3), ("Virtual Memory란", 3), ("가상메모리", 3),
        ("데드락", 4), ("교착 상태", 4), ("dead-lock", 4),
        ("트랜잭션", 5), ("트랜잭션이란?", 5), ("process", 6), ("스레드", 7), ("쓰레드란", 7),
        ("quick sort", 8), ("퀵소트", 8), ("Quicksort 알고리즘", None),
    ],
)  # fmt: skip
def test_the_other_language_finds_a_concept_first_and_confidently(
    brought: SearchIndex, query: str, expected: int | None
) -> None:
    result = brought.lookup(query)
    if expected is None:  # 퀵 정렬 알고리즘 is not a name of it: a suggestion at most
        assert result.kind is not MatchKind.CONFIDENT, result
        return
    assert result.kind is MatchKind.CONFIDENT, result
    assert result.match is not None and result.match.concept_id == expected
    assert result.match.score == 100


def test_without_the_glossary_the_other_language_is_not_found() -> None:
    plain = SearchIndex([entry(1, "Singleton 패턴"), entry(2, "Transaction")], Glossary.empty())
    assert plain.lookup("싱글톤 패턴").kind is not MatchKind.CONFIDENT
    assert plain.lookup("트랜잭션").kind is MatchKind.NOTHING


def test_a_typo_in_the_other_language_is_matched_against_translations(
    brought: SearchIndex,
) -> None:
    result = brought.lookup("singelton pattern")
    assert result.kind is MatchKind.CONFIDENT, result
    assert result.match is not None and result.match.term == "Singleton 패턴"
    assert result.match.score < 100


def test_autocomplete_offers_a_term_by_its_translation(brought: SearchIndex) -> None:
    assert brought.autocomplete("싱글")[0].term == "Singleton 패턴"
    assert brought.autocomplete("virtual me")[0].term == "가상 메모리"


def test_two_concepts_sharing_a_cross_key_are_not_one_confident_answer() -> None:
    index = SearchIndex([entry(1, "Deadlock"), entry(2, "교착 상태"), entry(3, "Mutex")])
    for query in ("데드락", "데드락이란?", "교착"):
        result = index.lookup(query)
        assert result.kind is MatchKind.DID_YOU_MEAN, result
        assert {s.concept_id for s in result.suggestions[:2]} == {1, 2}
        assert result.suggestions[0].score == result.suggestions[1].score == 100


def test_an_exact_own_name_beats_a_cross_key() -> None:
    index = SearchIndex([entry(1, "Deadlock"), entry(2, "교착 상태"), entry(3, "데드락 회피")])
    result = index.lookup("deadlock")
    assert result.kind is MatchKind.CONFIDENT, result
    assert result.match is not None and result.match.concept_id == 1
    assert result.suggestions[0].concept_id == 2  # the same term in the other language
    result = index.lookup("교착 상태")
    assert result.match is not None and result.match.concept_id == 2
    assert [s.concept_id for s in result.suggestions[:1]] == [1]


def test_an_alias_beats_another_concepts_cross_key() -> None:
    index = SearchIndex([entry(1, "Lock", "데드락"), entry(2, "Deadlock")])
    result = index.lookup("데드락")
    assert result.kind is MatchKind.CONFIDENT
    assert result.match is not None and result.match.concept_id == 1


def test_a_glossary_word_alone_does_not_pick_a_compound() -> None:
    index = SearchIndex([entry(1, "Singleton 패턴"), entry(2, "Observer 패턴")])
    result = index.lookup("pattern")
    assert result.kind is not MatchKind.CONFIDENT, result


# --- acceptance set: the shipped notes and aliases --------------------------------------------


def _shipped_entries() -> list[IndexEntry]:
    """The shipped notes as parsed, with the shipped aliases attached (as ingest does)."""
    aliases = parse_aliases(ALIASES.read_text(encoding="utf-8"), str(ALIASES))
    parsed = parse_notes(NOTES.read_text(encoding="utf-8"))
    terms = [concept.term for concept in parsed.concepts]
    attached = aliases_for_terms(aliases, terms)
    return [
        IndexEntry(cid, c.term, (*c.aliases, *attached.get(c.term, ())), c.definition)
        for cid, c in enumerate(parsed.concepts, start=1)
    ]


@pytest.fixture(scope="module")
def shipped() -> SearchIndex:
    return SearchIndex(_shipped_entries())


def test_shipped_index_has_every_term(shipped: SearchIndex) -> None:
    assert len(shipped) == len(SHIPPED_TERMS)
    for term in SHIPPED_TERMS:
        result = shipped.lookup(term)
        assert result.kind is MatchKind.CONFIDENT and top(result) == term


# What a new user types, by the concept they mean: names in both languages, transliterations,
# spacing, case, particles and question endings, typos, expansions.
EXPECTED: dict[str, tuple[str, ...]] = {
    "REST API": ("REST API", "rest api", "RESTful", "레스트 API", "restful api란?",
                 "REST API가 뭐야"),
    "RAG": ("RAG", "rag", "검색 증강 생성", "RAG가 뭐야?", "Retrieval Augmented Generation",
            "retrieval-augmented generaton"),
    "LangChain": ("LangChain", "langchain", "랭체인", "lang chain", "랭체인이란", "langchian"),
    "파인튜닝": ("파인튜닝", "파인 튜닝", "fine-tuning", "finetuning", "fine tuning이란?",
                 "파인튜닝이 뭐야", "미세 조정", "파인튜잉"),
    "LLM": ("LLM", "llm이 뭐야", "대규모 언어 모델", "large language model", "대규모언어모델",
            "large langauge model"),
    "AI": ("AI", "ai", "인공지능", "artificial intelligence", "AI란?", "인공 지능이란"),
    "Docker": ("Docker", "docker", "DOCKER", "도커", "도커란?", "도커가 뭐야", "도꺼", "dokcer",
               "Ｄｏｃｋｅｒ"),
    "EC2": ("EC2", "ec2", "Elastic Compute Cloud", "aws ec2", "EC2가 뭐죠?"),
    "TypeOrm": ("TypeOrm", "typeorm", "TypeORM", "type orm", "타입ORM", "typorm"),
    "Load Balance": ("Load Balance", "load balancing", "로드 밸런서", "로드밸런싱",
                     "load balancer란", "부하 분산", "로드 벨런서", "load balansing"),
    "CNN": ("CNN", "cnn", "CNN은", "합성곱 신경망", "Convolutional Neural Network",
            "컨볼루션 신경망", "씨엔엔", "convolutional neural netwrok", "합성곱신경망이란?"),
    "RNN": ("RNN", "rnn이란", "순환 신경망", "recurrent neural network", "순환신경망",
            "RNN에 대해 설명해 주세요"),
    "Pytorch": ("Pytorch", "pytorch", "PyTorch", "파이토치", "pytroch", "파이토치가 뭐야",
                "파이토취"),
    "Tensorflow": ("Tensorflow", "tensorflow", "텐서플로우", "텐서플로", "텐서플루", "tensor flow",
                   "텐서플로는", "tensorfow", "텐써플로우"),
    "GAN": ("GAN", "gan", "생성적 적대 신경망", "generative adversarial network", "GAN이란?",
            "생성적 적대신경망"),
    "crossentropyloss": ("crossentropyloss", "cross entropy loss", "CrossEntropyLoss",
                         "교차 엔트로피", "크로스 엔트로피", "cross-entropy",
                         "crossentropy loss란?", "cross entrophy loss"),
    "optimizer": ("optimizer", "Optimizer", "옵티마이저", "옵티마이져", "optimzer",
                  "옵티마이저란"),
    "동기": ("동기", "synchronous", "sync", "동기식", "동기란?"),
    "비동기": ("비동기", "asynchronous", "async", "비동기 방식", "비동기가 뭐야", "asyncronous"),
    "attention": ("attention", "Attention", "어텐션", "attention mechanism",
                  "어텐션 메커니즘이란", "atention"),
    "LSTM": ("LSTM", "lstm", "long short-term memory", "장단기 메모리", "LSTM에 대해 알려줘",
             "long short term memroy"),
    "경사하강법": ("경사하강법", "경사 하강법", "gradient descent", "경사하강법이란?",
                   "경사하강법이란 무엇인가요?", '"경사 하강법이란 무엇인가요?"', "경사하감법",
                   "gradient decent", "Gradient Descent란"),
    "귀무가설": ("귀무가설", "귀무 가설", "null hypothesis", "영가설", "귀무가섣", "귀무가설이란"),
    "대립가설": ("대립가설", "대립 가설", "alternative hypothesis", "대립가설이 뭐야",
                 "대랍가설", "alternative hypotesis"),
    "편미분": ("편미분", "partial derivative", "편미분이란", "편미뷴", "partial derivatve"),
    "선형회귀": ("선형회귀", "선형 회귀", "linear regression", "선형 회기", "linear regresion",
                 "선형회귀란?"),
    "로지스틱 회귀": ("로지스틱 회귀", "로지스틱회귀", "logistic regression",
                      "logstic regression", "Logistic Regression이란?", "로지스틱 회기"),
}  # fmt: skip
EXPECTED_MORE: tuple[tuple[str, str], ...] = (
    ("convolution neural network", "CNN"), ("CNNs", "CNN"), ("알엔엔", "RNN"),
    ("경사 하강", "경사하강법"), ("기울기 하강법", "경사하강법"),
    ("Long Short Term Memory", "LSTM"),
    ("로드 발란싱", "Load Balance"), ("로드밸런서가 뭐예요", "Load Balance"), ("A.I.", "AI"),
    ("type-orm", "TypeOrm"), ("torch", "Pytorch"), ("tensorflow2", "Tensorflow"),
    ("비동기식", "비동기"), ("H0", "귀무가설"), ("영 가설", "귀무가설"), ("편도함수", "편미분"),
    ("선형회귀분석", "선형회귀"), ("이씨투", "EC2"), ("래그", "RAG"), ("Lang-Chain", "LangChain"),
)  # fmt: skip
POSITIVES = [(query, term) for term, queries in EXPECTED.items() for query in queries]
POSITIVES += EXPECTED_MORE

# Terms that are not in the notes: never a confident answer (a "did you mean" is fine).
NEGATIVES = (
    "React", "리액트", "Kubernetes", "쿠버네티스", "TCP", "UDP", "프로세스", "스레드",
    "gradient boosting", "데드락", "Redis", "정규화", "트랜잭션", "해시 테이블", "Spring",
    "스프링", "JWT", "랜덤 포레스트", "random forest", "SVM", "오버피팅", "과적합",
    "Transformer", "트랜스포머", "BERT", "GPT", "역전파", "backpropagation", "배치 정규화",
    "드롭아웃", "dropout", "교차 검증", "cross validation", "결정 트리", "decision tree",
    "k-means", "OAuth", "GraphQL", "Kafka", "Nginx", "CORS", "운영체제", "가상 메모리", "캐시",
    "t-검정", "p-value", "베이즈 정리", "정규분포", "미분", "행렬", "회귀", "가설", "신경망",
    "머신러닝", "딥러닝", "ReLU", "활성화 함수", "손실 함수", "Node.js", "FastAPI", "AWS", "S3",
    "Lambda", "인덱스", "SQL", "NoSQL", "MSA", "CI/CD", "Git", "선형대수", "로그 회귀",
    "sync 함수", "docker compose", "keras", "adam", "XGBoost", "GRU", "Self-Attention",
    "Batch Normalization", "Stochastic Gradient Descent", "convolution", "케라스", "ELB",
    "스트라이드", "pytorch lightning", "아담", "풀링", "시그모이드",
)  # fmt: skip


@pytest.mark.parametrize(("query", "expected"), POSITIVES, ids=[q for q, _ in POSITIVES])
def test_acceptance_positive(shipped: SearchIndex, query: str, expected: str) -> None:
    result = shipped.lookup(query)
    assert result.kind is not MatchKind.NOTHING, result
    assert top(result) == expected, result


@pytest.mark.parametrize("query", NEGATIVES)
def test_acceptance_negative_is_not_confident(shipped: SearchIndex, query: str) -> None:
    result = shipped.lookup(query)
    assert result.kind is not MatchKind.CONFIDENT, result


def test_acceptance_accuracy(shipped: SearchIndex) -> None:
    assert len(POSITIVES) >= 80 and len(NEGATIVES) >= 20
    right = sum(top(shipped.lookup(q)) == expected for q, expected in POSITIVES)
    confident = sum(shipped.lookup(q).kind is MatchKind.CONFIDENT for q, _ in POSITIVES)
    rejected = sum(shipped.lookup(q).kind is not MatchKind.CONFIDENT for q in NEGATIVES)
    accuracy = (right + rejected) / (len(POSITIVES) + len(NEGATIVES))
    print(
        f"\nlookup acceptance: {accuracy:.1%} "
        f"(positives top-1 {right}/{len(POSITIVES)}, of them confident {confident}; "
        f"negatives not confident {rejected}/{len(NEGATIVES)})"
    )
    assert accuracy >= 0.95


@pytest.mark.parametrize(
    "query",
    ["TCP와 UDP의 차이", "TCP와 UDP의 차이점은?", "udp vs tcp", "difference between TCP and UDP"],
)
def test_a_comparison_is_found_however_it_is_named(query: str) -> None:
    index = SearchIndex([entry(1, "TCP vs UDP"), entry(2, "TCP"), entry(3, "UDP 포장")])
    result = index.lookup(query)
    assert result.kind is MatchKind.CONFIDENT and top(result) == "TCP vs UDP"


def test_two_notes_comparing_the_same_pair_are_both_offered() -> None:
    index = SearchIndex([entry(1, "프로세스와 스레드의 차이"), entry(2, "Process vs Thread")])
    result = index.lookup("프로세스 vs 스레드")
    assert result.kind is MatchKind.DID_YOU_MEAN
    assert {s.concept_id for s in result.suggestions} >= {1, 2}


def test_a_comparison_asked_for_prefers_the_note_that_compares_over_a_note_on_both() -> None:
    index = SearchIndex([entry(1, "TCP & UDP"), entry(2, "TCP vs UDP")])
    asked = index.lookup("TCP와 UDP의 차이")
    assert asked.kind is MatchKind.CONFIDENT and top(asked) == "TCP vs UDP"
    assert [s.concept_id for s in asked.suggestions] == [1], "the note on both is a runner-up"
    named = index.lookup("TCP & UDP")
    assert named.kind is MatchKind.CONFIDENT and top(named) == "TCP & UDP", "its own name wins"


def test_a_fuzzy_alias_hit_never_hides_a_note_that_names_the_query() -> None:
    index = SearchIndex(
        [
            entry(1, "애자일 방법론", "Agile"),
            entry(
                2,
                "Global Interpreter Lock",
                definition="파이썬의 GIL은 한 번에 한 스레드만 실행한다.",
            ),
        ]
    )
    result = index.lookup("GIL")
    assert result.kind is MatchKind.DID_YOU_MEAN
    assert 2 in {s.concept_id for s in result.suggestions}


def test_the_character_count_prefilter_never_drops_a_fuzzy_hit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over thousands of dense look-alike names, lookups with the prefilter (every window) and
    without it (no window) give the same matches, suggestions and scores."""
    import random

    from bot.core.knowledge import search

    rng = random.Random(5)
    syllables = "가나다라마바사아자차카타파하고노도로모보소"
    letters = "abcdefghij"

    def word(alphabet: str, low: int, high: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))

    names = sorted(
        {word(syllables, 2, 5) for _ in range(1500)} | {word(letters, 4, 9) for _ in range(1500)}
    )
    index = SearchIndex([entry(n, name) for n, name in enumerate(names, 1)], Glossary.empty())
    queries = []
    for name in rng.sample(names, 150):
        typo = list(name)
        typo[rng.randrange(len(typo))] = rng.choice(syllables if name[0] in syllables else letters)
        queries.append("".join(typo))
    queries += [word(syllables, 2, 5) for _ in range(50)] + [word(letters, 4, 9) for _ in range(50)]

    def answers() -> list[tuple[str, list[tuple[int, float]]]]:
        out = []
        for query in queries:
            result = index.lookup(query)
            found = [result.match] if result.match else []
            shown = [(s.concept_id, round(s.score, 6)) for s in (*found, *result.suggestions)]
            out.append((result.kind.value, shown))
        return out

    monkeypatch.setattr(search, "PREFILTER_MIN_CHOICES", 1)
    filtered = answers()
    assert sum(1 for _, shown in filtered if shown) >= 150, "most queries find something"
    monkeypatch.setattr(search, "PREFILTER_MIN_CHOICES", 10**9)
    assert answers() == filtered
