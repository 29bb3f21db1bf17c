"""Key points per concept: derived from the notes at ingest, or curated in a data file.

Derivation runs only when notes change (it needs the kiwipiepy model, loaded lazily): tokenise
every definition in one batch, keep nouns and foreign words, join adjacent nouns (경사 하강 법 ->
경사하강법), weight by IDF over all the definitions given, drop the concept's own name and
generic words, keep the top ones. Curated key points (``knowledge/keypoints.toml``) win over
derived ones. Answer-time grading never touches this module's tokenizer.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar, Final, Protocol

from bot.core.errors import BadInput
from bot.core.knowledge.glossary import default_glossary
from bot.core.knowledge.text import compact, fold, has_hangul, normalize_name
from bot.core.models import KeyPoint

# How many derived key points a concept keeps.
MAX_KEY_POINTS: Final = 6
# How many points a curated concept may list, and the largest weight one may carry.
MAX_CURATED_POINTS: Final = 12
MAX_POINT_WEIGHT: Final = 10.0
# Derived weights run from 1 to this, by the candidate's share of the best candidate's score.
MAX_DERIVED_WEIGHT: Final = 2.0
# Shortest candidate kept (Hangul syllables or Latin letters), and the longest run of adjacent
# nouns joined into one compound candidate.
MIN_CANDIDATE_CHARS: Final = 2
MAX_JOINED_NOUNS: Final = 3
# Normalised forms of candidate words kept between calls.
KEY_CACHE_SIZE: Final = 65536
# Tokenised definitions remembered for the next extraction (cleared when it grows past this).
MAX_CACHED_DEFINITIONS: Final = 50_000
# A name's words within this many candidates more than the name has words spell the name.
NAME_WINDOW: Final = 3
# The most tokens one user word (a concept's name) is joined from.
MAX_JOINED_TOKENS: Final = 8
# Kiwi worker threads for a batch call (each releases the GIL): one per core, up to MAX_WORKERS.
MAX_WORKERS: Final = 4
DEFAULT_WORKERS: Final = max(1, min(MAX_WORKERS, os.cpu_count() or 1))

NOUN_TAGS: Final = frozenset({"NNG", "NNP"})
FOREIGN_TAG: Final = "SL"
NOUN_SUFFIX_TAG: Final = "XSN"
# Noun suffixes that only make a plural: never glued to the noun (스레드들 -> 스레드).
PLURAL_SUFFIXES: Final = frozenset({"들"})
# Last syllables a note's typo glues to a noun (임계구역를): only ever particles, dropped.
GLUED_PARTICLES: Final = ("를", "는")
USER_WORD_TAG: Final = "NNP"


def _word_list(text: str) -> list[str]:
    """The whitespace-separated words of a word list written as one string."""
    return text.split()


# Words every definition uses: they say nothing about which concept an answer describes.
GENERIC_WORDS: Final[frozenset[str]] = frozenset(
    _word_list(
        """
    모델 데이터 사용 방법 경우 것 수 등 때 입력 출력 처리 기술 기법 개념 의미 방식 과정 기능
    역할 요소 부분 정도 이상 이하 문제 결과 활용 가능 개발 정의 설명 예시 예 특정 다양 여러
    사이 관계 통해 위해 대해 때문 이후 이전 다음 하나 두 개 전체 기존 새로운 최적 적절
    중요 핵심 기본 일반 대표 효과적 효율적 자주 함께 서로 모두 위 아래 안 밖 간 후 전 중
    시간 크기 값 형태 구성 내용 종류 차이 장점 단점 강점 특징 성능 향상 작업 실행 해결
    the a an of to and or in on for with is are by as be it this that from which use using
    data model method
    """
    )
)

# Words a derived key point is never (on top of GENERIC_WORDS): what any note of the field says
# (자료구조 for a stack, 프로토콜 for HTTPS), the notes' own narration (정리, 이번, 현상), and
# English function words of citations and headings (how, does, what ...). Grading does not read it.
DERIVED_STOPWORDS: Final[frozenset[str]] = frozenset(
    _word_list(
        """
    자료구조 자료 데이터베이스 프로토콜 알고리즘 시스템 프로그램 메소드 메서드 함수 클래스 객체 연산
    구조 기반 단계 정보 만족 이슈 현상 메커니즘 환경 정리 일시 광범위 슬로건 대부분 난이도 우수성
    기준 이번 우리 여기 저기 이것 그것 정말 가장 매우 항상 보통 대신 직접 실제 자체 각각 다른
    이유 목적 용도 방향 측면 상황 예제 코드 구현 그림 표 출처 참고 링크 블로그 글 문서 아래 위
    사람 생각 경험 질문 답변 면접 개발자 공부 정도 요청 부분 개 가지 번 명 차 번째 당시 전부
    존재 임의 이용 필요 해당 포스팅 관점 여부 일부 주로 수행 진행 확인 가능성 상태 시점 경우에
    how does do did what why when where who which whose whom can could should would will shall
    may might must has have had was were been being its their there here then than also not no
    yes very more most less least such other another each every some any all both either neither
    """
    )
)
# A derived point's weight from where the note puts it: emphasised (**bold**, `code`) or in the
# first sentence (the definition proper) weigh this much more.
EMPHASIS_BOOST: Final = 2.0
LEAD_BOOST: Final = 1.3
LEAD_CHARS: Final = 160
# Markers on stored candidates (a candidate list is stored with the concept and re-ranked later).
CANDIDATES_VERSION: Final = "\x00kp7"
_EMPHASISED: Final = "\x01"
_LEAD: Final = "\x02"
# What the tokenizer never sees: fenced code, links' targets, URLs, HTML tags, images.
_FENCED = re.compile(r"^[ \t]*(`{3,}|~{3,}|\${2}).*?^[ \t]*\1[ \t]*$", re.M | re.S)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_URL = re.compile(r"<?https?://\S+>?")
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
_CODE_SPAN = re.compile(r"`([^`\n]{1,80})`")
# A program's names written in prose: snake_case, lowerCamelCase, dotted.package.names (team_id,
# callFunc, java.lang.String); a talking point is said in words, not in identifiers.
_IDENTIFIER = re.compile(
    r"(?<![A-Za-z0-9_.])(?:[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+|[a-z]+[0-9]*(?:[A-Z][a-z0-9]+)+"
    r"|[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*){2,})(?![A-Za-z0-9_])"
)
_CODE_LIKE = re.compile(r"[(){}\[\];=<>]|\w\.\w|::|->|^\W")
_EMPHASIS = re.compile(r"\*\*([^*\n]{1,60})\*\*|`([^`\n]{1,40})`")
# A Korean term introduced with its English in parentheses (후입선출(LIFO), 버킷(bucket)): how
# notes define a talking point, so it counts as emphasised (the span is the Hangul word).
_INTRODUCED = re.compile(r"[가-힣]+(?=\s?\((?=[^)\n]{0,60}[A-Za-z])([^)\n]{1,60})\))")
_ALSO: Final = "\x03"  # in a stored candidate: the note's own other spellings follow
_LATIN_PART = re.compile(r"[A-Za-z][A-Za-z0-9 .+#-]*[A-Za-z0-9+#]|[A-Za-z]")
# An example told as a list under its own label line (``SQL 인젝션 예시`` then ``- anjinma
# 클라이언트가 자격증 번호를 조회하면 …``): its names and values are the story's, not the
# concept's talking points. A list of short items under such a label names uses (``필터의 사용
# 예시``: Authentication, Logging; ``Stack의 예시``: 함수의 Call Stack), which interviews ask
# about: it stays. Items of at least EXAMPLE_STORY_CHARS on average tell a story.
EXAMPLE_STORY_CHARS: Final = 25
_EXAMPLE_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+(.*)$", re.M)
_EXAMPLE_LIST = re.compile(
    r"^[ \t]*[^\n]{0,40}?(?:예시|예제|examples?)[ \t]*[:：]?[ \t]*\n(?:[ \t]*\n)*"
    r"(?:[ \t]*(?:[-*+]|\d+[.)])[ \t][^\n]*(?:\n|$)(?:[ \t]+\S[^\n]*(?:\n|$))*)+",
    re.I | re.M,
)
_REFERENCE_LINE = re.compile(
    r"^\s*(?:[-*>]\s*)?(?:출처|참고|참조|reference|source)s?\s*[:：].*$", re.I | re.M
)

_TOML_LINE = re.compile(r"at line (\d+)")
_ALLOWED_TOP: Final = frozenset({"keypoints"})
_ALLOWED_ENTRY: Final = frozenset({"points", "weights"})


@dataclass(frozen=True, slots=True)
class KeyPointSource:
    """What key-point extraction needs to know about one concept."""

    term: str
    aliases: tuple[str, ...]
    definition: str


class TokenLike(Protocol):
    """What extraction reads of a token: a Kiwi token or a :class:`Token`."""

    @property
    def form(self) -> str: ...
    @property
    def tag(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Token:
    """The part of a Kiwi token extraction uses (kept separate so ranking is testable)."""

    form: str
    tag: str
    start: int
    end: int


# Called with (definitions done, definitions in all) while a batch is tokenised.
TokenizeProgress = Callable[[int, int], None]
# How often (in definitions) a batch reports progress, at most.
PROGRESS_STEPS: Final = 100


@lru_cache(maxsize=KEY_CACHE_SIZE)
def _key(word: str) -> str:
    """The comparison form of a word: folded, no spaces."""
    return compact(fold(word))


def _is_generic(candidate: str) -> bool:
    return candidate in GENERIC_WORDS or _key(candidate) in GENERIC_WORDS


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [match.span() for match in pattern.finditer(text)]


def _inside(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in spans)


_LATIN_TRAILING: Final = ".,;:!?)]}'\""


def _latin_words(tokens: Iterable[TokenLike], text: str) -> list[tuple[str, str, int, int]]:
    """The tokens as (form, tag, start, end), English words made whole: pieces the tokenizer
    split inside a word (``co`` + ``ntrol.``) are joined, and trailing punctuation is not part
    of a word. (Hyphens are spaces by now, :func:`fold_for_tokenizer`: ``three-way
    handshake`` is a run of three words.)"""
    out: list[tuple[str, str, int, int]] = []
    for token in tokens:
        tag = token.tag.split("-")[0]
        start, end = token.start, token.end
        if tag == FOREIGN_TAG and out:
            last = out[-1]
            if last[1] == FOREIGN_TAG and last[3] == start and not text[start - 1].isspace():
                out[-1] = (text[last[2] : end], FOREIGN_TAG, last[2], end)
                continue
        out.append((token.form, tag, start, end))
    for index, (_form, tag, start, end) in enumerate(out):
        if tag == FOREIGN_TAG:
            stripped = text[start:end].rstrip(_LATIN_TRAILING)
            if stripped:
                out[index] = (stripped, tag, start, start + len(stripped))
    return out


def _english_of(inside: str) -> list[str]:
    """The English spellings in a term's parentheses: ``Last-In-First-Out, LIFO`` ->
    ``last in first out``, ``lifo`` (hyphens read as spaces, as answers write them)."""
    found = []
    for part in re.split(r"[,/;]|\bor\b", inside):
        latin = _LATIN_PART.search(part)
        if latin:
            spelled = " ".join(latin.group(0).replace("-", " ").split()).casefold()
            if spelled and spelled not in found:
                found.append(spelled)
    return found


def candidates(tokens: Iterable[TokenLike], text: str) -> list[str]:
    """The key-point candidates of one tokenised definition, in order of appearance.

    Nouns (NNG/NNP, with a glued noun suffix: 가중+치 -> 가중치) and foreign words are
    candidates; a run of two or three nouns (or foreign words) separated by nothing but spaces
    is also one candidate, written as the note writes it (흐름 제어, ``scale out``). A candidate
    the note emphasises (``**bold**``, `` `code` ``) or puts in its first sentence is marked so
    :func:`rank` can weigh it up. ``tokens`` may be Kiwi's own tokens: nothing is copied.
    """
    introduced = {m.end(): (m.start(), _english_of(m.group(1))) for m in _INTRODUCED.finditer(text)}
    emphasised = _spans(_EMPHASIS, text) + [(a, end) for end, (a, _) in introduced.items()]
    lead = min(len(text), LEAD_CHARS)
    # (form, tag, start, end); an empty form breaks a run of nouns.
    words: list[tuple[str, str, int, int]] = []
    glued_generic: tuple[str, int, int] | None = (
        None  # a generic noun glued to the next (후+입선출)
    )
    for form, tag, token_start, token_end in _latin_words(tokens, text):
        if form in PLURAL_SUFFIXES and tag == NOUN_SUFFIX_TAG:
            continue  # 스레드+들: the word itself is the point
        if tag == NOUN_SUFFIX_TAG and words and words[-1][3] == token_start:
            last_form, last_tag, last_start, _ = words[-1]
            if last_tag in NOUN_TAGS and last_form:
                words[-1] = (last_form + form, last_tag, last_start, token_end)
                continue
        if glued_generic is not None and tag in NOUN_TAGS and glued_generic[2] == token_start:
            generic_form, start, _ = glued_generic
            glued_generic = None
            words[-1] = (generic_form + form, tag, start, token_end)  # one word: 후입선출
            continue
        glued_generic = None
        if tag in NOUN_TAGS and len(form) > 2 and form.endswith(GLUED_PARTICLES):
            form, token_end = form[:-1], token_end - 1  # 임계구역를 -> 임계구역
        if (tag in NOUN_TAGS or tag == FOREIGN_TAG) and not _is_generic(form):
            words.append((form, tag, token_start, token_end))
        else:
            if tag in NOUN_TAGS:
                glued_generic = (form, token_start, token_end)
            words.append(("", tag, token_start, token_end))

    found: list[str] = []
    run: list[tuple[str, str, int, int]] = []

    def mark(word: str, start: int, end: int) -> str:
        flags = _EMPHASISED if _inside(emphasised, start, end) else ""
        own = introduced.get(end)
        also = "".join(_ALSO + english for english in own[1]) if own and own[0] <= start else ""
        return flags + (_LEAD if start < lead else "") + word + also

    def close_run() -> None:
        if len(run) > MAX_JOINED_NOUNS and run[0][1] == FOREIGN_TAG:
            del run[:-2]  # a long English noun run: its head is the last two (transport protocol)
        if 2 <= len(run) <= MAX_JOINED_NOUNS:
            start, end = run[0][2], run[-1][3]
            written = " ".join(text[start:end].split())
            if run[0][1] == FOREIGN_TAG:
                written = written.casefold()
            found.append(mark(written, start, end))
        run.clear()

    for form, tag, start, end in words:
        if not form:
            close_run()
            continue
        foreign = tag == FOREIGN_TAG
        if foreign:
            form = form.casefold()
        found.append(mark(form, start, end))
        if run:
            previous = run[-1]
            same_kind = (previous[1] == FOREIGN_TAG) == foreign
            if not same_kind or text[previous[3] : start].strip():
                close_run()
        run.append((form, tag, start, end))
    close_run()
    return found


def _names_of(
    names: Sequence[str],
) -> tuple[list[str], list[str], set[str], list[list[str]]]:
    """The comparison forms of a concept's names, of their translations, the names' glossary
    cross keys, and the words of each name of several words: what a key point may not be (it
    would give the answer away)."""
    glossary = default_glossary()
    own = [key for key in dict.fromkeys(_key(name) for name in names) if key]
    translated: list[str] = []
    crosses: set[str] = set()
    spelled_out: list[list[str]] = []  # the words of each name of two or more words
    for name in names:
        for spelling in glossary.translations(name):
            # the translation whole and, for a Korean name, each English word of it (garbage,
            # collector of 가비지 컬렉터): a piece of the name in another language gives it away
            # (합성곱 of CNN's 합성곱 신경망 is what CNN does, and stays a point)
            words = spelling.split() if has_hangul(name) and not has_hangul(spelling) else []
            for part in (spelling, *(words if len(words) > 1 else ())):
                key = _key(part)
                if key and key not in own and key not in translated:
                    translated.append(key)
            if len(spelling.split()) > 1:
                spelled_out.append([_key(word) for word in spelling.split()])
        if len(name.split()) > 1:
            spelled_out.append([_key(word) for word in name.split()])
        cross = glossary.cross_key(name)
        if cross is not None:
            crosses.add(cross)
    return own, translated, crosses, spelled_out


def _name_with_generic(key: str, name: str) -> bool:
    """``트랜잭션연산`` for 트랜잭션: the name and a generic word."""
    if len(name) < MIN_CANDIDATE_CHARS or name not in key:
        return False
    rest = key.replace(name, "", 1)
    return len(rest) <= 1 or rest in GENERIC_WORDS or rest in DERIVED_STOPWORDS


def _usable(
    candidate: str,
    names: Sequence[str],
    crosses: set[str] | None = None,
    translated: Sequence[str] = (),
) -> bool:
    """Whether ``candidate`` may be a key point of a concept called ``names`` (their comparison
    forms; ``translated`` those of their translations, ``crosses`` their glossary cross keys)."""
    key = _key(candidate)
    if len(key) < MIN_CANDIDATE_CHARS or key.isdigit() or _is_generic(candidate):
        return False
    if key in DERIVED_STOPWORDS or candidate.casefold() in DERIVED_STOPWORDS:
        return False
    words = candidate.casefold().split()
    if len(words) > 1 and all(w in GENERIC_WORDS or w in DERIVED_STOPWORDS for w in words):
        return False  # 해당 포스팅, 주로 사용: a phrase of words that each say nothing
    for name in names:
        # The concept's name, a piece of it (로지스틱 of 로지스틱 회귀), or the name with a
        # generic word (트랜잭션 연산 for Transaction) gives nothing away.
        if key == name or key in name or _name_with_generic(key, name):
            return False
    for name in translated:  # a translation whole (합성곱 alone still tells CNN's story)
        if key == name or _name_with_generic(key, name):
            return False
    if crosses:
        cross = default_glossary().cross_key(candidate)
        if cross is not None and cross in crosses:
            return False  # a translation or transliteration of the name (연결 리스트, Linked List)
    return True


def _inside_names(found: Sequence[str], names: Sequence[Sequence[str]]) -> set[int]:
    """Positions of candidates that spell one of the concept's names in pieces: every word of a
    name of two or more words within a few candidates of each other (``너비를 우선으로
    탐색하기`` for BFS, 너비 우선 탐색). Said apart (합성곱 층 for CNN, 합성곱 신경망), a word
    of the name stays a point."""
    keys = [_key(_unmarked(marked)[0]) for marked in found]
    inside: set[int] = set()
    for words in names:
        need = set(words)
        for start, key in enumerate(keys):
            if key not in need:
                continue
            seen: dict[str, int] = {}
            for at in range(start, min(len(keys), start + len(words) + NAME_WINDOW)):
                if keys[at] in need:
                    seen.setdefault(keys[at], at)
            if len(seen) == len(need):
                inside.update(seen.values())
    return inside


def _derived_weight(score: float, best: float) -> float:
    """1 for candidates at half the best score or less, up to :data:`MAX_DERIVED_WEIGHT` for
    the best one (rounded to one decimal)."""
    share = score / best if best > 0 else 0.0
    return round(1.0 + (MAX_DERIVED_WEIGHT - 1.0) * max(0.0, 2.0 * share - 1.0), 1)


def _unmarked(candidate: str) -> tuple[str, float]:
    """A stored candidate without its markers, and the boost they stand for."""
    boost = 1.0
    while candidate[:1] in (_EMPHASISED, _LEAD):
        boost *= EMPHASIS_BOOST if candidate[0] == _EMPHASISED else LEAD_BOOST
        candidate = candidate[1:]
    return candidate.split(_ALSO, 1)[0], boost


def _note_spellings(candidate: str) -> list[str]:
    """The other spellings the note itself gives a candidate (its parenthesised English)."""
    return candidate.split(_ALSO)[1:]


def rank(
    per_item: Sequence[Sequence[str]],
    names: Sequence[Sequence[str]],
    top_k: int = MAX_KEY_POINTS,
) -> list[tuple[KeyPoint, ...]]:
    """Pick each item's top ``top_k`` candidates by TF x IDF over all items.

    ``per_item[i]`` are item i's candidates (with repeats, as :func:`candidates` marks them),
    ``names[i]`` its term and aliases. A candidate the note emphasises or puts first counts
    more; a phrase wins over its own words (흐름 제어 over 흐름 and 제어), so one phrase in an
    answer never hits two points. Weights run from 1 to :data:`MAX_DERIVED_WEIGHT` by score
    relative to the item's best.
    """
    total = len(per_item)
    document_frequency: Counter[str] = Counter()
    for found in per_item:
        document_frequency.update({_key(_unmarked(word)[0]) for word in found})
    results: list[tuple[KeyPoint, ...]] = []
    for found, item_names in zip(per_item, names, strict=True):
        name_keys, translated, crosses, spelled_out = _names_of(item_names)
        in_names = _inside_names(found, spelled_out)
        counts: Counter[str] = Counter()
        boosts: dict[str, float] = {}
        first_spelling: dict[str, str] = {}
        order: dict[str, int] = {}
        usable: dict[str, bool] = {}  # per spelling: a word repeats within a definition
        spelled: dict[str, list[str]] = {}  # the note's own other spellings per key
        for position, marked in enumerate(found):
            if marked.startswith("\x00"):
                continue  # the version marker
            word, boost = _unmarked(marked)
            ok = usable.get(word)
            if ok is None:
                ok = usable[word] = _usable(word, name_keys, crosses, translated)
            if not ok or position in in_names:
                continue
            key = _key(word)
            for other in _note_spellings(marked):
                if other not in spelled.setdefault(key, []):
                    spelled[key].append(other)
            counts[key] += 1
            boosts[key] = max(boosts.get(key, 1.0), boost)
            if key not in first_spelling:
                first_spelling[key], order[key] = word, position
        scored = [
            (
                (1.0 + math.log(count))
                * (math.log((1 + total) / (1 + document_frequency[key])) + 1.0)
                * boosts[key],
                key,
            )
            for key, count in counts.items()
        ]
        scored.sort(key=lambda pair: (-pair[0], order[pair[1]]))
        chosen: list[tuple[float, str]] = []
        also: dict[str, list[str]] = {}  # a phrase's own words chosen before it
        for score, key in scored:
            if any(key in other for _, other in chosen):
                continue  # a word of a phrase already chosen
            # a phrase replaces its words chosen before it, which stay its other spellings
            parts = [(s, k) for s, k in chosen if k in key]
            if parts:
                chosen = [pair for pair in chosen if pair not in parts]
                score = max(score, *(s for s, _ in parts))
                also[key] = [first_spelling[k] for _, k in parts]
            chosen.append((score, key))
            if len(chosen) >= top_k:
                break
        chosen.sort(key=lambda pair: (-pair[0], order[pair[1]]))
        best = chosen[0][0] if chosen else 1.0
        results.append(
            tuple(
                KeyPoint(
                    tuple(
                        dict.fromkeys(
                            (first_spelling[key], *also.get(key, ()), *spelled.get(key, ()))
                        )
                    ),
                    _derived_weight(score, best),
                )
                for score, key in chosen[:top_k]
            )
        )
    return results


def join_user_words(
    tokens: Sequence[Token], text: str, words: frozenset[str], prefixes: frozenset[str]
) -> Sequence[Token]:
    """``tokens`` with every run of two or more whose text is one of ``words`` (compared without
    spaces) made one proper noun written as the note writes it: 합성+곱 -> 합성곱, 선점 +
    스케줄 + 링 -> ``선점 스케줄링``. What a tokenizer's user dictionary does, done after
    tokenising, so the tokenizer needs no rebuild for new names and its tokens can be reused
    whatever names are known. ``prefixes`` are every leading part of every word (no spaces),
    so a run stops as soon as it can no longer become one; runs cross only spaces. The same
    sequence comes back when nothing is joined."""
    joined: list[Token] | None = None
    index, count = 0, len(tokens)
    while index < count:
        first = tokens[index]
        so_far = text[first.start : first.end]
        best = -1
        last = index
        while so_far in prefixes and last + 1 < count and last - index < MAX_JOINED_TOKENS:
            following = tokens[last + 1]
            if text[tokens[last].end : following.start].strip():
                break  # punctuation or a particle between: not one name
            last += 1
            so_far += text[following.start : following.end]
            if so_far in words:
                best = last
        if best < 0:
            if joined is not None:
                joined.append(first)
            index += 1
            continue
        if joined is None:
            joined = list(tokens[:index])
        stop = tokens[best].end
        joined.append(Token(text[first.start : stop], USER_WORD_TAG, first.start, stop))
        index = best + 1
    return tokens if joined is None else joined


class _Tokenised:
    """One definition's tokens kept compactly: (start, end, tag) per token in an array, and
    only the forms that differ from the text they cover."""

    __slots__ = ("forms", "plain", "spans")
    _tags: ClassVar[dict[str, int]] = {}
    _tag_names: ClassVar[list[str]] = []

    def __init__(self, tokens: Iterable[TokenLike], text: str) -> None:
        self.spans = array("l")
        self.forms: dict[int, str] = {}
        # the candidates with no name joined (what they are unless a name starts in them)
        self.plain: list[str] | None = None
        for position, token in enumerate(tokens):
            tag = self._tags.get(token.tag)
            if tag is None:
                tag = self._tags[token.tag] = len(self._tag_names)
                self._tag_names.append(token.tag)
            self.spans.extend((token.start, token.end, tag))
            if token.form != text[token.start : token.end]:
                self.forms[position] = token.form

    def may_join(self, text: str, prefixes: frozenset[str]) -> bool:
        """Whether a name could start at one of the tokens (its text begins a user word)."""
        spans = self.spans
        return any(text[spans[at] : spans[at + 1]] in prefixes for at in range(0, len(spans), 3))

    def tokens(self, text: str) -> list[Token]:
        """The tokens again (``text`` is the text they were made from)."""
        spans, forms, names = self.spans, self.forms, self._tag_names
        return [
            Token(
                forms.get(position) or text[spans[at] : spans[at + 1]],
                names[spans[at + 2]],
                spans[at],
                spans[at + 1],
            )
            for position, at in enumerate(range(0, len(spans), 3))
        ]


class KeyPointExtractor:
    """Derives key points from definitions with kiwipiepy (the model loads on first use).

    The tokenizer itself knows no names: the names taught with :meth:`add_user_words` are
    joined into its tokens afterwards (:func:`join_user_words`), so definitions can be
    tokenised before every name is known (:meth:`feed`) and their tokens stay valid when
    names are added."""

    def __init__(self, user_words: Iterable[str] = (), *, num_workers: int = DEFAULT_WORKERS):
        self._num_workers = max(1, num_workers)
        self._kiwi: Any = None
        self._words: set[str] = set()
        self._frozen: tuple[frozenset[str], frozenset[str]] | None = None
        # The tokens of each tokenised definition (as the tokenizer saw it), names not joined.
        self._tokens: dict[str, _Tokenised] = {}
        self.add_user_words(user_words)

    def add_user_words(self, words: Iterable[str]) -> None:
        """Teach domain words (concept names, aliases, curated key terms) to be kept whole
        (합성곱, not 합성/곱). Only words with Hangul matter: Latin is kept whole anyway."""
        for word in words:
            key = compact(fold(word))
            if has_hangul(key) and key not in self._words:
                self._words.add(key)
                self._frozen = None

    def _user_words(self) -> tuple[frozenset[str], frozenset[str]]:
        if self._frozen is None:
            words = frozenset(self._words)
            prefixes = frozenset(word[:end] for word in words for end in range(1, len(word)))
            self._frozen = (words, prefixes)
        return self._frozen

    def load(self) -> None:
        """Load the model now (it is otherwise loaded by the first :meth:`extract`)."""
        self._tokenizer()

    def _tokenizer(self) -> Any:
        if self._kiwi is None:
            from kiwipiepy import Kiwi

            # Without the Wikipedia proper-noun dictionary: notes' names come as user words,
            # and the model alone loads in half the time and ~70 MB less memory.
            self._kiwi = Kiwi(
                num_workers=self._num_workers, load_multi_dict=False, load_default_dict=False
            )
            self._kiwi.tokenize("")  # Kiwi finishes loading on its first call
        return self._kiwi

    def tokenize(self, texts: Sequence[str]) -> list[Sequence[Token]]:
        """Tokenise ``texts`` in one batch call (on Kiwi's worker threads), user words joined."""
        if not texts:
            return []
        words, prefixes = self._user_words()
        return [
            join_user_words(_Tokenised(tokens, text).tokens(text), text, words, prefixes)
            for text, tokens in zip(texts, self._tokenizer().tokenize(list(texts)), strict=True)
        ]

    def extract(
        self, items: Sequence[KeyPointSource], top_k: int = MAX_KEY_POINTS
    ) -> list[tuple[KeyPoint, ...]]:
        """The top ``top_k`` key points of every item, IDF-weighted over all ``items``.

        Terms and aliases become user words first; an item's own name never is a key point.
        Definitions tokenised before are not tokenised again: re-ranking after one note
        changed is cheap.
        """
        self.add_user_words(word for item in items for word in (item.term, *item.aliases))
        per_item = self.candidates_of([item.definition for item in items])
        names = [(item.term, *item.aliases) for item in items]
        return rank(per_item, names, top_k)

    def feed(self, definitions: Sequence[str]) -> None:
        """Tokenise ``definitions`` now, ahead of :meth:`candidates_of` (which then only joins
        names and picks candidates); definitions tokenised before are skipped."""
        texts = self._new([fold_for_tokenizer(definition) for definition in definitions])
        if texts:
            for text, tokens in zip(texts, self._tokenizer().tokenize(texts), strict=True):
                tokenised = self._tokens[text] = _Tokenised(tokens, text)
                # this thread is free while the tokenizer works on the rest of the batch
                tokenised.plain = [CANDIDATES_VERSION, *candidates(tokenised.tokens(text), text)]

    def _new(self, texts: Sequence[str]) -> list[str]:
        if len(self._tokens) > MAX_CACHED_DEFINITIONS:
            self._tokens.clear()
        return [text for text in dict.fromkeys(texts) if text not in self._tokens]

    def candidates_of(
        self, definitions: Sequence[str], progress: TokenizeProgress | None = None
    ) -> list[list[str]]:
        """Candidate key words of each definition (with repeats, in order), the user words
        known now joined. Definitions tokenised before (:meth:`feed`) are not tokenised again.

        The batch of new ones runs on Kiwi's worker threads while this thread turns the others
        and then each result into candidates as it arrives. ``progress`` hears (done, total)
        over the definitions, about :data:`PROGRESS_STEPS` times.
        """
        words, prefixes = self._user_words()
        texts = [fold_for_tokenizer(definition) for definition in definitions]
        new = self._new(texts)
        results = iter(self._tokenizer().tokenize(new)) if new else iter(())
        found: dict[str, list[str]] = {}
        total, unique = len(texts), len(set(texts))
        step = max(1, total // PROGRESS_STEPS)

        def derive(text: str, tokens: Sequence[Token]) -> None:
            joined = join_user_words(tokens, text, words, prefixes)
            found[text] = [CANDIDATES_VERSION, *candidates(joined, text)]
            if progress is not None and len(found) % step == 0 and len(found) < unique:
                progress(len(found), total)

        if progress is not None and new:
            progress(0, total)
        for text in dict.fromkeys(texts):  # known ones while the tokenizer works on the new
            known = self._tokens.get(text)
            if known is None:
                continue
            if known.plain is not None and not known.may_join(text, prefixes):
                found[text] = known.plain  # no name can be joined: as fed
                continue
            derive(text, known.tokens(text))
        for text, tokens in zip(new, results, strict=True):
            tokenised = self._tokens[text] = _Tokenised(tokens, text)
            derive(text, tokenised.tokens(text))
        if progress is not None and new:
            progress(total, total)
        return [found[text] for text in texts]


def _without_story(match: re.Match[str]) -> str:
    """A labelled example list: gone when its items tell a story, kept when they name uses."""
    _label, _, body = match[0].partition("\n")
    items = [item.strip() for item in _EXAMPLE_ITEM.findall(body)]
    if items and sum(map(len, items)) / len(items) >= EXAMPLE_STORY_CHARS:
        return " "
    return match[0]


def fold_for_tokenizer(text: str) -> str:
    """The definition as the tokenizer should see it: NFC, unified width and case for Latin;
    without what is never a talking point (fenced code, an example told as a list, images,
    links' targets, URLs, HTML tags, source lines, inline code that is code). Spacing and
    punctuation stay (they separate sentences and noun runs); emphasis marks stay (they mark
    what the note stresses).
    """
    text = _FENCED.sub(" ", text)
    text = _EXAMPLE_LIST.sub(_without_story, text)
    text = _IMAGE.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _REFERENCE_LINE.sub(" ", text)
    text = _CODE_SPAN.sub(lambda m: " " if _CODE_LIKE.search(m[1]) else m[0], text)
    text = _IDENTIFIER.sub(" ", text)
    return fold(text)


# --- curated key points -----------------------------------------------------------------------


def _header_line(text: str, term: str) -> int:
    """The line of ``[keypoints."term"]`` in ``text`` (0 when it cannot be found)."""
    pattern = re.compile(
        r'^[ \t]*\[\s*keypoints\s*\.\s*(?:"'
        + re.escape(term)
        + r'"|'
        + re.escape(term)
        + r")\s*\]",
        re.MULTILINE,
    )
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 0


def parse_point(spec: str) -> tuple[str, ...]:
    """``"필터|커널|kernel"`` -> ``("필터", "커널", "kernel")``; empty alternatives are an error
    reported by the caller (returns ``()``)."""
    parts = tuple(part.strip() for part in spec.split("|"))
    if not parts or any(not part for part in parts):
        return ()
    return parts


def load_curated(text: str, source: str) -> dict[str, tuple[KeyPoint, ...]]:
    """Read curated key points (TOML) keyed by concept term as written in the notes.

    Format (a point is its spellings joined by ``|``; the weight defaults to 1)::

        [keypoints."CNN"]
        points = [
          { point = "합성곱|convolution", weight = 2 },
          "필터|커널|kernel|filter",
        ]

    A separate ``weights = { "합성곱|convolution" = 2 }`` table is accepted too.
    Raises :class:`BadInput` ``keypoints_invalid`` with ``path``, ``line`` and ``detail``.
    """

    def fail(line: int, detail: str) -> BadInput:
        return BadInput("keypoints_invalid", path=source, line=line, detail=detail)

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        raise fail(int(found.group(1)) if found else 0, str(exc)) from None
    for key in data:
        if key not in _ALLOWED_TOP:
            raise fail(_line_of(text, key), f'unknown table {key!r} (expected [keypoints."TERM"])')
    table = data.get("keypoints", {})
    if not isinstance(table, dict):
        raise fail(_line_of(text, "keypoints"), "'keypoints' must be a table of concepts")

    result: dict[str, tuple[KeyPoint, ...]] = {}
    seen_terms: dict[str, str] = {}
    for term, entry in table.items():
        line = _header_line(text, term)
        if not normalize_name(term):
            raise fail(line, "empty concept term")
        normal = normalize_name(term)
        if normal in seen_terms:
            raise fail(line, f"{term!r} repeats {seen_terms[normal]!r}")
        seen_terms[normal] = term
        if not isinstance(entry, dict):
            raise fail(line, f"{term!r}: expected a table with 'points'")
        unknown = sorted(set(entry) - _ALLOWED_ENTRY)
        if unknown:
            raise fail(line, f"{term!r}: unknown key {unknown[0]!r}")
        try:
            result[term] = _curated_points(term, entry)
        except ValueError as exc:
            raise fail(line, str(exc)) from None
    return result


def _curated_points(term: str, entry: dict[str, Any]) -> tuple[KeyPoint, ...]:
    """The key points of one ``[keypoints."term"]`` table; ValueError says what is wrong."""
    points = entry.get("points")
    if not isinstance(points, list) or not points:
        raise ValueError(f"{term!r}: 'points' must be a non-empty list")
    if len(points) > MAX_CURATED_POINTS:
        raise ValueError(f"{term!r}: more than {MAX_CURATED_POINTS} points")
    weights = entry.get("weights", {})
    if not isinstance(weights, dict):
        raise ValueError(f"{term!r}: 'weights' must be a table of point = number")
    parsed: list[KeyPoint] = []
    seen: set[str] = set()
    for item in points:
        spec, weight = _point_entry(term, item, weights)
        alternatives = parse_point(spec)
        if not alternatives:
            raise ValueError(f"{term!r}: bad point {spec!r} (an empty spelling?)")
        if spec in seen:
            raise ValueError(f"{term!r}: point {spec!r} is listed twice")
        seen.add(spec)
        parsed.append(KeyPoint(alternatives, weight))
    for spec in weights:
        if spec not in seen:
            raise ValueError(f"{term!r}: weight for unknown point {spec!r}")
    return tuple(parsed)


def _point_entry(term: str, item: object, weights: dict[str, Any]) -> tuple[str, float]:
    """``(spec, weight)`` of one entry of ``points``: a string or ``{point, weight}``."""
    if isinstance(item, str):
        spec, weight = item, weights.get(item, 1)
    elif isinstance(item, dict):
        unknown = sorted(set(item) - {"point", "weight"})
        if unknown or not isinstance(item.get("point"), str):
            raise ValueError(f"{term!r}: a point table has 'point' (text) and 'weight' only")
        spec, weight = item["point"], item.get("weight", weights.get(item["point"], 1))
    else:
        raise ValueError(f"{term!r}: a point is a string or {{ point = ..., weight = ... }}")
    if (
        isinstance(weight, bool)
        or not isinstance(weight, int | float)
        or not 0 < weight <= MAX_POINT_WEIGHT
    ):
        raise ValueError(f"{term!r}: the weight of {spec!r} must be in (0, {MAX_POINT_WEIGHT}]")
    return spec, float(weight)


def _line_of(text: str, needle: str) -> int:
    """The 1-based line of the first ``needle`` in ``text`` (0 when absent)."""
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 0


def curated_words(curated: dict[str, tuple[KeyPoint, ...]]) -> set[str]:
    """Every spelling of every curated point: user words for the tokenizer."""
    return {alt for points in curated.values() for point in points for alt in point.alternatives}
