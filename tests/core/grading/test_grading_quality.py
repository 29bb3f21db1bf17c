"""Grading quality, measured on a labelled set of answers to the shipped notes.

Each concept has a good, a partial and a wrong answer written the way interviewees answer: casual,
uneven spacing, English or mixed answers to Korean notes. Wrong answers mostly describe a
neighbouring concept with shared vocabulary (RNN for CNN, 동기 for 비동기, 선형회귀 for 로지스틱
회귀, 귀무가설 for 대립가설, RNN for LSTM, Pytorch for Tensorflow and back).

편미분 is left out: its note says only "3차원 식에서 사용", too little to grade against.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pytest

from bot.core.grading.grader import grade
from bot.core.grading.keypoints import load_curated
from bot.core.grading.synonyms import SynonymMap
from bot.core.knowledge.aliases import parse_aliases
from bot.core.knowledge.parser import parse_notes
from bot.core.models import Band, Concept

ROOT = Path(__file__).resolve().parents[3]
KNOWLEDGE = ROOT / "knowledge"

# Targets of the issue.
MIN_ORDERED_SHARE: Final = 0.9
MIN_GOOD_BAND_SHARE: Final = 0.8

# term -> (good, partial, wrong)
LABELLED: Final[dict[str, tuple[str, str, str]]] = {
    "CNN": (
        "CNN은 이미지 처리에 주로 쓰는 신경망인데요, 합성곱층에서 작은 필터(커널)를 이미지 위로"
        " stride만큼 움직이면서 합성곱 연산을 해서 특징맵을 만들고, 풀링층에서 크기를 줄여요."
        " 마지막엔 밀집층으로 분류합니다.",
        "이미지 분류할때 많이 쓰는 딥러닝 모델이고 필터로 특징을 뽑아내는거요",
        "CNN은 순서가 있는 데이터를 처리하는 신경망으로 이전 단계의 출력을 다음 입력으로 넣어서"
        " 이전 정보를 기억합니다. 시계열이나 문장 처리에 써요.",
    ),
    "RNN": (
        "RNN은 순서가 있는 시퀀스 데이터를 처리하는 신경망이에요. 이전 단계의 출력(hidden state)을"
        " 다음 단계 입력에 같이 넣어서 이전 정보를 기억하고, 시계열 예측이나 문장 생성에 써요."
        " 다만 길어지면 장기 의존성 문제가 있어요.",
        "순환하는 구조의 신경망으로 자연어 같은 데이터에 씀",
        "이미지에 필터를 적용해서 합성곱 연산으로 특징을 추출하고 풀링으로 크기를 줄이는"
        " 신경망입니다.",
    ),
    "LSTM": (
        "LSTM은 RNN의 장기 의존성 문제를 해결하려고 나온 구조로, 입력 게이트, 망각 게이트, 출력"
        " 게이트가 있어서 어떤 정보를 버리고 남길지 스스로 판단해요. 그래서 장기 기억과 단기"
        " 기억을 둘 다 유지할 수 있습니다.",
        "RNN의 일종인데 게이트가 있어서 긴 문장도 잘 처리하는 모델",
        "이전 단계의 출력을 다음 단계 입력으로 넣는 순환 구조의 신경망이고 시퀀스 데이터를"
        " 순서대로 처리합니다.",
    ),
    "attention": (
        "Attention lets the model focus on the most relevant parts of the input sequence. For"
        " each output step it computes scores between the query and the keys, turns them into"
        " weights with softmax, and takes a weighted sum of the values, so important tokens are"
        " reflected more.",
        "입력 중에서 중요한 부분에 더 집중하는 기법이요",
        "게이트를 써서 어떤 정보를 잊고 어떤 정보를 기억할지 정하는 RNN 구조입니다",
    ),
    "GAN": (
        "GAN은 생성자와 판별자 두 네트워크가 서로 경쟁하면서 학습하는 생성 모델이에요. 생성자는"
        " 진짜 같은 가짜 이미지를 만들고 판별자는 그게 진짜인지 가짜인지 구별해요.",
        "가짜 데이터를 만들어내는 모델, 이미지 생성에 많이 씀",
        "입력을 압축했다가 다시 복원하는 인코더 디코더 구조의 모델입니다",
    ),
    "Pytorch": (
        "PyTorch는 페이스북(메타)에서 만든 딥러닝 프레임워크고, 동적 계산 그래프라서 코드가 실행될"
        " 때 그래프가 만들어져요. 그래서 디버깅이 쉽고 직관적이라 연구나 프로토타이핑에 많이"
        " 씁니다.",
        "파이썬 딥러닝 라이브러리, 연구자들이 많이 씀",
        "구글에서 만든 프레임워크이고 정적 그래프를 먼저 정의하고 실행합니다. Keras를 고수준 API로"
        " 제공하고 대규모 분산 학습이나 배포에 강해요.",
    ),
    "Tensorflow": (
        "TensorFlow is Google's deep learning framework. It builds a computation graph first"
        " (static graph, graph based) and is strong for large scale distributed training and"
        " deployment. Keras is its official high-level API.",
        "구글이 만든 딥러닝 라이브러리요",
        "페이스북에서 만든 프레임워크고 동적 그래프라서 디버깅이 쉽고 파이썬스럽게 코드 짤 수"
        " 있어요",
    ),
    "동기": (
        "동기는 작업을 순서대로 처리하는 방식이라 하나의 작업이 끝날 때까지 다음 작업이 기다려야"
        " 해요. 코드 흐름이 단순하고 이해하기 쉽지만, 앞 작업이 오래 걸리면 전체가 지연돼요.",
        "요청을 보내고 응답이 올 때까지 기다리는거",
        "작업이 끝나기를 기다리지 않고 바로 다음 작업을 실행하는 방식이라 여러 작업을 동시에"
        " 처리할 수 있어요. 콜백이나 프로미스를 씁니다.",
    ),
    "비동기": (
        "비동기는 어떤 작업의 완료를 기다리지 않고 다른 작업을 먼저 진행하는 방식이에요. 예를 들어"
        " I/O 요청을 보내놓고 결과는 콜백이나 promise로 나중에 받아요. 그래서 싱글 스레드인"
        " Node.js에서도 여러 요청을 동시에 처리할 수 있어 효율이 좋아요.",
        "async await 쓰는거요. 응답을 기다리는 동안 다른 일을 할 수 있음",
        "작업을 순서대로 하나씩 처리하고, 앞 작업이 끝날 때까지 기다렸다가 다음 작업을 실행하는"
        " 방식입니다.",
    ),
    "귀무가설": (
        "귀무가설은 통계적 가설 검정에서 기본으로 세우는 가설로 '두 집단 간 차이가 없다', '효과가"
        " 없다'라고 가정하는 거예요. p-value가 유의수준보다 작으면 기각합니다.",
        "처음에 세우는 가설이고 보통 기각하려고 세우는 가설",
        "연구자가 증명하고 싶은 주장으로, 차이가 있다 혹은 효과가 있다는 가설입니다.",
    ),
    "대립가설": (
        "대립가설은 연구자가 입증하고 싶은 새로운 주장이에요. 예를 들어 차이가 있다, 효과가 있다"
        " 같은 거고, 귀무가설을 기각했을 때 채택됩니다. 보통 p값이 유의수준보다 작으면 귀무가설을"
        " 기각하고 대립가설을 지지해요.",
        "귀무가설의 반대되는 가설",
        "통계적 검정에서 기본으로 세우는 가설이고 차이가 없다, 효과가 없다고 가정하는 가설입니다.",
    ),
    "선형회귀": (
        "선형회귀는 독립변수와 종속변수 사이의 관계를 직선(y = wx + b)으로 모델링해서 연속적인 값을"
        " 예측하는 방법이에요. 보통 평균제곱오차(MSE)를 최소화하도록 회귀선을 찾습니다.",
        "데이터에 가장 잘 맞는 직선을 긋는 거예요",
        "결과가 0또는1인 분류 문제에서 시그모이드 함수로 확률을 출력하는 모델입니다",
    ),
    "로지스틱 회귀": (
        "로지스틱 회귀는 이름은 회귀지만 이진 분류에 쓰는 모델이에요. 선형 결합 결과를 시그모이드"
        " 함수에 넣어서 0~1 사이 확률로 바꾸고, log odds(로짓)가 선형이라고 가정해요.",
        "분류할 때 쓰는 회귀 모델",
        "독립변수와 종속변수 사이의 선형 관계를 찾아서 연속적인 값을 예측하는 회귀 방법입니다.",
    ),
    "경사하강법": (
        "경사하강법은 손실 함수를 최소화하는 파라미터를 찾는 최적화 방법이에요. 손실함수를 미분해서"
        " 기울기를 구하고, 기울기의 반대 방향으로 learning rate만큼 가중치를 조금씩 업데이트하는"
        " 걸 반복합니다.",
        "기울기를 따라서 내려가면서 최적값을 찾는 방법",
        "여러 변수 중 하나에 대해서만 미분하는 것",
    ),
    "Docker": (
        "Docker는 애플리케이션과 실행에 필요한 라이브러리, 설정을 이미지로 패키징해서 컨테이너라는"
        " 격리된 환경에서 실행해주는 플랫폼이에요. 그래서 어디서든 동일한 환경으로 배포할 수"
        " 있어요.",
        "컨테이너 만드는 도구",
        "클라우드에서 가상 서버를 빌려서 쓰는 서비스입니다",
    ),
    "EC2": (
        "EC2는 AWS에서 제공하는 가상 서버 서비스예요. 원하는 사양의 인스턴스를 골라서 클라우드에서"
        " 바로 띄우고, 쓴 만큼 비용을 내요.",
        "아마존 클라우드 서버",
        "파일이나 이미지를 저장하는 AWS 스토리지 서비스",
    ),
    "RAG": (
        "RAG는 LLM이 답을 만들기 전에 외부 문서나 DB에서 관련 정보를 검색해서 그 결과를 프롬프트에"
        " 넣고 답변을 생성하는 방식이에요. 그래서 최신 정보나 사내 문서 기반으로 답할 수 있고"
        " 환각이 줄어요.",
        "검색이랑 LLM을 합친거",
        "이미 학습된 모델에 우리 데이터를 추가로 학습시켜서 특정 도메인에 맞게 만드는 것",
    ),
    "파인튜닝": (
        "파인튜닝은 사전학습된 모델을 가져와서 우리 도메인 데이터셋으로 추가 학습시켜 특정 태스크에"
        " 맞게 성능을 높이는 거예요.",
        "모델을 우리 데이터에 맞게 다시 학습시키는 것",
        "모델이 답하기 전에 외부 문서를 검색해서 그 내용을 참고해 답변하게 하는 방법",
    ),
    "LLM": (
        "An LLM is a large language model: a transformer neural network trained on huge amounts"
        " of text so it can understand and generate language, like GPT or BERT.",
        "챗GPT 같은 AI 모델",
        "LLM 앱을 쉽게 만들 수 있게 해주는 파이썬 오픈소스 프레임워크",
    ),
    "LangChain": (
        "LangChain은 LLM을 이용한 애플리케이션을 쉽게 만들 수 있게 도와주는 오픈소스"
        " 프레임워크예요. 프롬프트, 체인, 메모리, 외부 도구 연동 같은 걸"
        " 파이썬 라이브러리처럼 import해서 씁니다.",
        "LLM 쓸 때 쓰는 라이브러리",
        "대량의 텍스트로 학습한 거대 언어 모델로 GPT 같은 것",
    ),
    "Load Balance": (
        "로드 밸런싱은 트래픽이 몰릴 때 여러 서버로 요청을 골고루 분산시켜서 한 서버에 과부하가"
        " 걸리지 않게 하는 거예요. 서버를 scale out해서 늘리고 앞단에 로드밸런서를 둡니다.",
        "서버 여러대 쓰는거",
        "자주 조회하는 데이터를 메모리에 저장해서 DB 부하를 줄이는 것",
    ),
    "TypeOrm": (
        "TypeORM은 TypeScript/Node.js에서 쓰는 ORM이라 DB 테이블을 클래스(엔티티)로 매핑해서 SQL"
        " 없이 객체로 데이터베이스를 다룰 수 있어요. 복잡한 조인이나 조회는 QueryBuilder로"
        " 처리합니다.",
        "노드에서 DB 쓸 때 쓰는 라이브러리",
        "HTTP로 서버와 클라이언트가 데이터를 주고받는 규칙",
    ),
    "REST API": (
        "REST API는 HTTP 메서드(GET, POST, PUT, DELETE)로 URI로 표현된 자원을 다루는 설계"
        " 방식이에요. 서버와 클라이언트가 JSON 같은 형식으로 데이터를 주고받고, 무상태(stateless)가"
        " 원칙입니다.",
        "http로 통신하는 api",
        "서버와 클라이언트가 한 번 연결을 맺으면 양방향으로 실시간 통신하는 프로토콜",
    ),
    "optimizer": (
        "옵티마이저는 손실함수를 줄이도록 신경망의 가중치를 어떻게 업데이트할지 정하는 알고리즘"
        "이에요. SGD, Momentum, Adam 같은 게 있고 보통 Adam을 많이 써요.",
        "학습할 때 쓰는 최적화 함수",
        "모델의 예측값과 정답의 차이를 계산하는 함수",
    ),
    "AI": (
        "AI는 인간의 지능, 그러니까 학습하고 추론하고 판단하는 능력을 컴퓨터가 흉내 내도록 만든"
        " 기술이에요. 머신러닝, 딥러닝이 그 안에 포함되고 챗봇이나 추천 시스템 같은 데 쓰여요.",
        "컴퓨터가 사람처럼 생각하는 것",
        "데이터에서 패턴을 찾는 통계 기법",
    ),
    "crossentropyloss": (
        "Cross entropy loss measures the difference between the predicted probability"
        " distribution and the true labels; it's the standard loss for classification. In"
        " PyTorch nn.CrossEntropyLoss combines log softmax and NLL loss, which is numerically"
        " stable and efficient.",
        "분류 문제에서 쓰는 손실 함수",
        "예측값과 실제값 차이를 제곱해서 평균 낸 것",
    ),
}

# Good answers in English to the Korean notes, in a different register from the set above.
# Written after the set above was tuned; looking at them added four phrasings to keypoints.toml
# ("moves on", "continues training", "produce", "many requests") and exposed one bug (a negated
# phrase after "no ... or no ..."), nothing else.
ENGLISH_GOOD: Final[dict[str, str]] = {
    "CNN": (
        "A CNN is a neural network for images. Convolution layers slide small filters over the "
        "image to produce feature maps, pooling layers downsample them, and fully connected "
        "layers at the end classify."
    ),
    "RNN": (
        "RNNs process sequential data step by step, feeding the hidden state from the previous "
        "step into the next one so the network has memory of earlier inputs. Used for text and "
        "time series, but they struggle with long-term dependencies."
    ),
    "GAN": (
        "Two networks trained against each other: a generator makes fake samples and a "
        "discriminator tries to tell real from fake. The competition pushes the generator to "
        "produce realistic data."
    ),
    "Docker": (
        "Docker packages an app with its dependencies into an image and runs it in an isolated "
        "container, so it runs the same on any machine."
    ),
    "동기": (
        "Synchronous means tasks run one after another; each call blocks until it finishes, so "
        "the next task waits. Simple to reason about but slow if one task takes long."
    ),
    "비동기": (
        "Asynchronous code starts a task and moves on without waiting for it to finish; the "
        "result comes back later through a callback, promise or await. That's how Node handles "
        "many requests on a single thread."
    ),
    "경사하강법": (
        "Gradient descent is an optimization algorithm: compute the gradient of the loss with "
        "respect to the weights and move the weights a small step in the opposite direction, "
        "repeating until the loss is minimized."
    ),
    "로지스틱 회귀": (
        "Logistic regression is a classification model. It takes a linear combination of the "
        "features and passes it through the sigmoid to get a probability between 0 and 1; the "
        "log-odds (logit) is linear in the inputs."
    ),
    "귀무가설": (
        "The null hypothesis is the default assumption in a statistical test that there is no "
        "difference or no effect. We try to reject it with the p-value."
    ),
    "대립가설": (
        "The alternative hypothesis is what the researcher wants to prove, e.g. that there is a "
        "difference. If the p-value is below the significance level, we reject the null and "
        "accept the alternative."
    ),
    "LSTM": (
        "LSTM is an RNN variant with a cell state and three gates — input, forget and output — "
        "that decide what to keep and what to forget, so it can learn long-term dependencies "
        "without vanishing gradients."
    ),
    "Pytorch": (
        "PyTorch, from Facebook/Meta, uses dynamic computation graphs built as the code runs "
        "(define-by-run), which makes debugging easy and is popular for research."
    ),
    "선형회귀": (
        "Linear regression models the relationship between input features and a continuous target"
        " with a straight line, fitting the coefficients by minimizing the mean squared error."
    ),
    "RAG": (
        "Retrieval-augmented generation: before the LLM answers, it retrieves relevant documents "
        "from an external knowledge base (often a vector DB) and puts them in the prompt so the "
        "answer is grounded in them."
    ),
    "파인튜닝": (
        "Fine-tuning takes a pre-trained model and continues training it on a smaller task-"
        "specific dataset so it adapts to your domain."
    ),
    "EC2": (
        "EC2 is AWS's service for renting virtual machines in the cloud; you launch instances of "
        "different sizes and pay for what you use."
    ),
}


def shipped_concepts() -> dict[str, Concept]:
    """The shipped notes as the bot stores them: parsed concepts, curated aliases and points."""
    notes = parse_notes((KNOWLEDGE / "interview-notes.md").read_text(encoding="utf-8"))
    aliases = parse_aliases((KNOWLEDGE / "aliases.toml").read_text(encoding="utf-8"), "aliases")
    points = load_curated((KNOWLEDGE / "keypoints.toml").read_text(encoding="utf-8"), "keypoints")
    return {
        parsed.term: Concept(
            id=number,
            term=parsed.term,
            category=parsed.category,
            definition=parsed.definition,
            source_path="knowledge/interview-notes.md",
            source_line=parsed.line,
            question=parsed.question,
            aliases=tuple(dict.fromkeys((*parsed.aliases, *aliases.get(parsed.term, ())))),
            key_points=points.get(parsed.term, ()),
        )
        for number, parsed in enumerate(notes.concepts, start=1)
    }


@pytest.fixture(scope="module")
def concepts() -> dict[str, Concept]:
    return shipped_concepts()


@pytest.fixture(scope="module", params=["notes", "notes+glossary"])
def synonyms(request: pytest.FixtureRequest) -> SynonymMap:
    """The notes' own synonyms, and the map the bot grades with: those and the glossary's."""
    text = (KNOWLEDGE / "synonyms.toml").read_text(encoding="utf-8")
    notes = SynonymMap.parse(text, "synonyms.toml")
    return notes if request.param == "notes" else SynonymMap.with_glossary(notes.groups)


def test_the_labelled_set_covers_enough_shipped_concepts(concepts: dict[str, Concept]) -> None:
    assert len(LABELLED) >= 18
    assert set(LABELLED) <= set(concepts)


def test_good_beats_partial_beats_wrong(concepts: dict[str, Concept], synonyms: SynonymMap) -> None:
    ordered = 0
    good_band = 0
    lines = []
    for term, (good, partial, wrong) in LABELLED.items():
        scores = [grade(concepts[term], answer, synonyms) for answer in (good, partial, wrong)]
        in_order = scores[0].score > scores[1].score > scores[2].score
        ordered += in_order
        good_band += scores[0].band in (Band.GOOD, Band.EXCELLENT)
        lines.append(
            f"{'ok ' if in_order else 'BAD'} {term:<16} "
            + " / ".join(f"{g.score:3d} {g.band.value:<9}" for g in scores)
        )
    ordered_share = ordered / len(LABELLED)
    good_share = good_band / len(LABELLED)
    print("\n".join(lines))
    print(
        f"good > partial > wrong: {ordered}/{len(LABELLED)} = {ordered_share:.0%};"
        f" good answers in band good/excellent: {good_band}/{len(LABELLED)} = {good_share:.0%}"
    )
    assert ordered_share >= MIN_ORDERED_SHARE
    assert good_share >= MIN_GOOD_BAND_SHARE


def test_good_english_answers_to_korean_notes_land_in_a_good_band(
    concepts: dict[str, Concept], synonyms: SynonymMap
) -> None:
    graded = {
        term: grade(concepts[term], answer, synonyms) for term, answer in ENGLISH_GOOD.items()
    }
    good = [term for term, result in graded.items() if result.band in (Band.GOOD, Band.EXCELLENT)]
    print(f"English good answers in band good/excellent: {len(good)}/{len(graded)}")
    assert len(good) / len(graded) >= MIN_GOOD_BAND_SHARE
    for term, result in graded.items():
        assert result.score > grade(concepts[term], LABELLED[term][2], synonyms).score, term


def test_wrong_answers_never_land_in_a_good_band(
    concepts: dict[str, Concept], synonyms: SynonymMap
) -> None:
    for term, (_, _, wrong) in LABELLED.items():
        assert grade(concepts[term], wrong, synonyms).band in (Band.OFF_TOPIC, Band.PARTIAL), term
