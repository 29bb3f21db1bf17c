"""What a note names (pure): terms and their aliases, questions and the term they ask about,
headings and the titles that are parts, collections, tables of contents or bylines."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.core.knowledge.glossary import GROUP_MARK, default_glossary
from bot.core.knowledge.markdown_inline import (
    TOC_LABEL,
    decoration_free,
    is_link_only,
    strip_symbols,
)
from bot.core.knowledge.text import compact, has_hangul, normalize_name

#: A term (before `` - `` or glued to a particle) is at most this long ...
MAX_TERM_CHARS = 40
#: ... and has at most this many words.
MAX_TERM_WORDS = 5
#: The whole left side of ``Term (parenthetical) - ``, parenthetical included.
MAX_TERM_SPEC_CHARS = 120
#: A parenthetical is an alias only when it is this short.
MAX_ALIAS_CHARS = 40
MAX_ALIAS_WORDS = 4
#: Weak items (``- CNN은 ...``) never take a stem longer than this.
MAX_WEAK_STEM_CHARS = 30

# --- vocabulary -------------------------------------------------------------------------------

#: Words that make a heading a document or collection title, never a concept.
COLLECTION_WORDS = frozenset(
    {
        "질문", "면접", "모음", "목록", "노트", "인터뷰", "스터디", "답변", "기출", "질의응답",
        "예상질문", "면접질문", "interview", "interviews", "question", "questions", "notes",
        "cheatsheet", "faq", "q&a", "qna", "whatistudy",
    }
)  # fmt: skip
#: Sub-headings that are parts of one answer (장점/단점 ...), not concepts of their own.
GENERIC_SUBHEADINGS = frozenset(
    {
        "장점", "단점", "장단점", "장점과단점", "특징", "정의", "개념", "개요", "예시",
        "예제", "예", "종류", "원리", "동작원리", "동작방식", "구조", "사용법", "사용예",
        "비교", "차이", "차이점", "요약", "정리", "결론", "설명", "목적", "필요성", "한계",
        "문제점", "해결책", "해결방법", "코드", "구현", "배경", "용도", "활용", "특성",
        "과정", "방법", "단계", "유형", "주의점", "참고", "추가", "심화", "꼬리질문",
        "삽입", "삭제", "탐색", "검색", "조회", "수정", "갱신", "생성", "연산", "동작",
        "장단점비교", "개념설명", "해결방안", "주의할점", "주의사항", "특이사항", "한줄요약",
        "들어가며", "들어가기전에", "시작하며", "마치며", "마무리", "후기", "회고", "소개", "이유",
        "언제쓰는가", "언제쓰이는가", "사용이유", "사용하는이유", "동작과정", "작동원리",
        "작동방식", "예시코드", "코드예시", "실습", "그림", "비교표", "보충", "더알아보기",
        "pros", "cons", "prosandcons", "pros&cons", "장점&단점", "장점및단점", "advantage",
        "advantages", "disadvantage",
        "disadvantages", "definition", "example", "examples", "feature", "features", "summary",
        "usage", "overview", "howitworks", "implementation", "code", "note", "notes", "intro",
        "introduction", "motivation", "background", "conclusion", "review", "prologue",
        "epilogue", "tldr", "whyuseit", "why", "problem", "solution", "characteristics",
        "comparison", "concept", "details", "etc", "기타", "공통점", "비교정리", "문제상황",
        "해결", "적용", "사례", "사용사례", "예시상황", "결과", "테스트", "정리하기", "요약정리",
        "기본개념", "핵심개념", "주요개념", "기초개념", "개념정리", "기본정의", "간단한정의",
        "문제", "문제설명", "입력", "출력", "입출력", "입출력예", "제한", "제한사항", "예제입력",
        "예제출력", "가정", "가정사항", "요구사항", "조건", "조건설정", "전제", "전제조건",
        "설계요구사항", "기능요구사항", "비기능요구사항", "의미", "뜻",
    }
)  # fmt: skip
#: Words that name no topic of their own: a heading of two or more of them and nothing else
#: (알고리즘 동작 단계, 풀이 방식, 요구사항 파악, 상세 설계) is a part of the answer above it.
_GENERIC_TITLE_WORDS = frozenset(
    {
        "풀이", "풀이법", "방식", "방법", "알고리즘", "동작", "작동", "단계", "과정", "절차",
        "순서", "흐름", "요구사항", "파악", "설계", "설계안", "개략적", "개략적인", "상세",
        "상세한", "세부", "구현", "코드", "소스", "소스코드", "예시", "예제", "문제", "해결",
        "접근", "접근법", "아이디어", "정리", "개념", "기본", "기본적인", "핵심", "주요", "원리",
        "특징", "장점", "단점", "구조", "결과", "분석", "시간복잡도", "공간복잡도", "복잡도",
        "전체", "로직", "설명", "요약", "배경", "목적", "실행", "테스트", "추가", "참고",
        "기타", "결론", "사용", "사용법", "주의", "주의점", "한계", "개선", "개선점", "특성",
        "종류", "유형", "정의", "개요", "소개", "간단한", "간단히", "자세한", "자세히",
        "구체적인", "실제", "실습", "이유", "필요성", "간략한", "살펴보기", "알아보기", "이해",
        "동작원리", "작동원리", "시나리오", "목표", "범위", "정리하기", "핵심정리",
    }
)  # fmt: skip
#: Last words of a heading that compares (its sub-headings are the points compared).
_COMPARISON_TAILS = frozenset(
    {"차이", "차이점", "비교", "공통점", "비교정리", "장단점비교", "차이점과공통점"}
)
#: Words that make ``X의 <word>`` a part of X's answer (차이 is not one: a comparison is a topic).
_GENERIC_TAILS = frozenset(
    {
        "장점", "단점", "장단점", "특징", "한계", "문제점", "예시", "예제", "구조", "원리",
        "동작원리", "동작", "사용법", "정의", "개념", "필요성", "목적", "용도", "활용", "구현",
        "과정", "방법", "특성", "주의점", "주의사항", "해결책", "해결방법", "종류",
    }
)  # fmt: skip
#: Last words that make a heading the definition of what it names (``JWT 개념``).
_DEFINITION_TAILS = frozenset({"개념", "정의", "개요", "concept", "definition", "overview"})
#: Last words that make a heading an answer's examples (다양한 사용 예시, 코드 예제).
_EXAMPLE_TAILS = frozenset(
    {"예시", "예제", "사용법", "사용예", "실습", "예시코드", "examples", "example"}
)
#: 사용하면 좋은 경우, 활용하기 좋은 문제, 쓰는 때: when the answer above applies.
_WHEN_TO_USE = re.compile(
    r"(?:하면|할|하는|하기|쓰는|쓸|쓰면|사용하는|사용할|사용하면)\s*(?:좋은\s*)?(?:경우|때|문제|상황)$"
)
#: Point 2, Step 3, 예시 1: a numbered part.
_NUMBERED_PART = re.compile(
    r"^(?:(?:point|step|case|part|예시|예제|상황|단계|문제|과정|케이스)\s*\d+|\d+\s*단계)$", re.I
)
#: Heading words for who wrote or maintains the notes (never concepts, bodies dropped).
BYLINE_TITLES = frozenset(
    {
        "contributor", "contributors", "member", "members", "멤버", "멤버소개", "팀원",
        "팀원소개", "참여자", "참여인원", "기여자", "작성자", "author", "authors", "license",
        "라이선스", "라이센스", "스터디원", "스터디멤버", "rules", "규칙", "스터디규칙",
        "진행방식", "스터디방식", "contributing", "howtocontribute", "커밋규칙", "커밋컨벤션",
    }
)  # fmt: skip
#: Parentheticals that annotate a term and are never an alias of it.
ANNOTATIONS = frozenset(
    {"중요", "필수", "추가", "todo", "정리중", "작성중", "참고", "심화", "복습", "pdf", "ppt",
     "pptx", "영상", "동영상", "링크", "발표자료", "슬라이드", "이미지", "그림", "코드"}
)  # fmt: skip
#: First words of a list item that are never terms, even with a particle (이것은 ...).
WEAK_STOPWORDS = frozenset(
    {
        "이것", "그것", "저것", "이건", "그건", "여기", "거기", "이번", "다음", "결론", "결국",
        "이때", "그때", "요약", "정리", "참고", "또한", "그리고", "하지만", "우리", "저희", "이",
        "그", "저", "나", "너", "제", "내", "둘", "셋", "이들", "그들", "모두", "전자", "후자",
    }
)  # fmt: skip
#: Particles that glue a term to the sentence in a weak item (``- CNN은 ...``).
WEAK_PARTICLES = ("이란", "란", "은", "는")
#: Particles that need a final consonant (받침) before them; their pairs need none.
_AFTER_CONSONANT = frozenset({"이란", "은", "이", "을", "과"})
_AFTER_VOWEL = frozenset({"란", "는", "가", "를", "와"})
#: ``RR (Round-Robin) Scheduling``: a parenthetical inside a term, words after it.
_MIDDLE_PAREN = re.compile(
    r"(?P<head>[^()（）]+?)\s*[(（](?P<inner>[^()（）]+)[)）]\s*(?P<tail>[^()（）]+)"
)
#: ``JWT 개념``, ``반정규화의 정의``, ``Docker란``: a name with a word that only says "what it is".
_DEFINITION_SUFFIX = re.compile(
    r"(?:\s*의)?\s+(?:개념|정의|개요|이란|란|concept|definition|overview)$|(?<=\S)(?:이란|란)$",
    re.I,
)
#: ``Term : description`` in a heading (a colon with a space after it; ``a:b`` stays whole).
_HEADING_COLON = re.compile(r"\s*(?:[:：]|=>|->|→)\s+")
_NUMBERING = re.compile(
    r"^(?:(?:\d+(?:[.-]\d+)*[.)]|\(\d+(?:-\d+)?\))(?:\s+|(?=[^\d\s.)]))"
    r"|\d+(?:\.\d+)+\s+|\d\ufe0f?\u20e3\s*"
    # a book's chapter: 4장. 처리율 제한 장치의 설계, 제3장 ..., Chapter 2: ...
    r"|(?:제\s*)?\d+\s*장\s*[.:)]?\s+|(?:chapter|ch)\.?\s*\d+\s*[.:)]?\s+)",
    re.I,
)
#: A part number after a title: ``트랜잭션 (Transaction) #3``, ``JPA 2부``, ``GC part 2``.
_PART_SUFFIX = re.compile(r"\s+(?:#\d+|\d+\s*부|part\s*\d+|pt\.?\s*\d+)$", re.I)
_TAG_PREFIX = re.compile(r"^\[[^\[\]]{1,20}\]\s*")
Q_MARKER = re.compile(r"^(?:Q\s*\d*|질문\s*\d*)\s*[.:)：]\s*", re.I)
_SEPARATOR = re.compile(r"[ \t][-–—]{1,2}(?=[ \t]|$)")
_BRACKETS = re.compile(r"[()\[\]（）]")
_NOT_NAME = re.compile(r"[,;!?\"“”<>|=`{}]|->|=>|\.(?:\s|$)|:(?:\s|$)|\s/\s")
_SENTENCE_END = re.compile(
    r"(?:습니다|니다|어요|아요|해요|세요|이다|한다|된다|있다|없다|했다|였다|는다)$"
)
REFERENCE_LABEL = re.compile(
    r"^(?:references?|reference links?|sources?|참고(?:\s*(?:자료|문헌|링크|사이트|글|블로그))?|"
    r"출처|참조|관련\s*링크|더\s*읽을\s*거리|further reading|see also|links?)\s*[:：]?\s*",
    re.I,
)
_QUESTION_MARK = re.compile(r"[?？]$")
_KO_QUESTION_END = re.compile(
    r"(?:설명\s*(?:해\s*(?:주세요|주십시오|주시겠어요|보세요|봐|줘|라)|하시오|하세요|하라|"
    r"할\s*수\s*있나요)|무엇인가요|무엇인가|무엇입니까|뭔가요|뭐예요|뭐에요|말해\s*(?:주세요|보세요)|"
    r"알려\s*주세요|(?:말씀|얘기|이야기)\s*해\s*(?:주세요|주십시오|보세요)|무엇인지|"
    r"(?:일|을|할|될|있을|없을|쓸|볼)까(?:요)?|(?:인|는|은|한)가(?:요)?|(?:나|되나|있나|하나|쓰나)요|"
    r"\S\S(?:이)?란)$"
)
_EN_QUESTION_START = re.compile(r"^(?:what|why|how|explain|describe|define)\s", re.I)
_EN_TERM_PATTERNS = tuple(
    re.compile(pattern, re.I)
    for pattern in (
        r"what\s+does\s+(?:an?\s+|the\s+)?(?P<t>.+?)\s+(?:mean|do)",
        r"how\s+(?:does|do)\s+(?:an?\s+|the\s+)?(?P<t>.+?)\s+work",
        r"(?:what|who)\s+(?:is|are|was|were)\s+(?:an?\s+|the\s+)?(?P<t>.+)",
        r"what'?s\s+(?:an?\s+|the\s+)?(?P<t>.+)",
        r"(?:explain|describe|define)\s+(?:what\s+)?(?:an?\s+|the\s+)?(?P<t>.+?)(?:\s+is)?",
    )
)
#: Korean question tails, tried in order; ``p`` is a particle checked against the stem.
_KO_TERM_PATTERNS = tuple(
    re.compile(pattern)
    for pattern in (
        r"(?P<t>.+?)\s*(?:에\s*대해서?|에\s*대하여|에\s*관해서?|에\s*관하여|에\s*대한)(?:\s.*)?",
        # 투포인터라는 알고리즘 문제 해결 전략이 있습니다. 어떤 알고리즘이고 …
        r"(?P<t>\S+?)(?:이라는|라는)\s.*(?:있습니다|있는데|있다)\b.*",
        r"(?P<t>.+?)(?P<p>을|를)\s*(?:설명|정의|비교|말해|알려|소개).*",
        r"(?P<t>.+?)(?P<p>이란|란)\s*(?:무엇|뭐|뭔|어떤|어떻게).*",
        r"(?P<t>.+?)(?P<p>은|는|이|가)\s*(?:무엇|뭐|뭔|어떤\s*(?:것|개념|의미|뜻)).*",
        r"(?P<t>.+?)\s*(?:설명\s*해\s*(?:주세요|주십시오|보세요|봐|줘|라)|설명하시오|설명하세요).*",
        r"(?P<t>.+?)(?P<p>이란|란)",
        r"(?P<t>.+?)(?P<p>은|는)",
    )
)


# --- terms, questions, aliases ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoteTerm:
    """One term named by a note: display text, aliases, and a non-name parenthetical."""

    term: str
    aliases: tuple[str, ...] = ()
    description: str = ""


def is_name_like(
    text: str, max_chars: int = MAX_TERM_CHARS, max_words: int = MAX_TERM_WORDS
) -> bool:
    """Short, no sentence punctuation, no sentence ending: something a person would look up."""
    text = text.strip()
    return (
        0 < len(text) <= max_chars
        and len(text.split()) <= max_words
        and _NOT_NAME.search(text) is None
        and any(char.isalnum() for char in text)
        and text[0] not in "-*+>#(（[)"
        and _SENTENCE_END.search(text) is None
        and "(" not in text
        and ")" not in text
    )


#: A name of this many words or more before a parenthesis may be a description of a topic.
MIN_DESCRIPTION_WORDS = 5
_ALIAS_SEPARATOR = re.compile(r"\s*[,，/;·]\s*")


def _is_alias(inner: str, core: str) -> bool:
    inner = inner.strip()
    return (
        is_name_like(inner, MAX_ALIAS_CHARS, MAX_ALIAS_WORDS)
        and compact(inner.casefold()) not in ANNOTATIONS
        and normalize_name(inner) != normalize_name(core)
        and not _names_another(inner, core)
    )


def _names_another(inner: str, core: str) -> bool:
    """``서버/클라이언트 구조 관점에서 본 통신 과정 (HTTP)``: after a description (a core of
    :data:`MIN_DESCRIPTION_WORDS` words or more) the parenthesis is a term the glossary knows
    that the core does not name in any language: context, not an alias. (A short core with a
    known term, 트랜잭션의 특성(ACID), is that term's name.)"""
    if len(core.split()) < MIN_DESCRIPTION_WORDS:
        return False
    glossary = default_glossary()
    known = glossary.cross_key(inner)
    if known is None or " " in known or not known.startswith(GROUP_MARK):
        return False  # not one glossary term: nothing to tell
    if _initials(inner) == compact(core).casefold():
        return False  # RR (Round-Robin): the core abbreviates it
    return known not in (glossary.cross_key(core) or "").split()


def _initials(text: str) -> str:
    return "".join(word[0] for word in re.split(r"[\s\-_]+", text.casefold()) if word)


def _split_paren(text: str) -> tuple[str, str | None]:
    """``프로세스(Process)`` -> (``프로세스``, ``Process``); no trailing parenthetical -> None."""
    text = text.strip()
    if not text.endswith((")", "）")):
        return text, None
    start = max(text.rfind("(", 0, -1), text.rfind("（", 0, -1))
    inner = text[start + 1 : -1]
    core = text[:start].strip() if start > 0 else ""
    if not core or ")" in inner or "）" in inner:
        return text, None
    return core, inner.strip()


def _term_from_name(text: str) -> NoteTerm | None:
    """A term from a name with an optional trailing parenthetical, or None if not name-like."""
    core, inner = _split_paren(text)
    if not is_name_like(core):
        return None
    if inner is None or not inner:
        return NoteTerm(core)
    aliases = aliases_in(inner, core)
    if aliases:
        return NoteTerm(core, aliases)
    return NoteTerm(core, description=f"({inner})")


def aliases_in(inner: str, core: str) -> tuple[str, ...]:
    """The other names a parenthesis gives ``core``: ``Process``, or several (``데드락,
    Deadlock``, ``LIFO / Last In First Out``); ``()`` when it is not names of ``core``."""
    if _is_alias(inner, core):
        return (inner.strip(),)
    parts = [part.strip() for part in _ALIAS_SEPARATOR.split(inner)]
    if len(parts) < 2 or not all(parts) or not all(_is_alias(part, core) for part in parts):
        return ()
    # several names only when they are surely names of core: the glossary says so (데드락,
    # Deadlock), or they are a name in another script and its abbreviation (LIS, Longest
    # Increasing Subsequence); ``(실행 흐름, 작업 단위)`` and ``(Xms, Xmx)`` are not names
    glossary = default_glossary()
    own = glossary.cross_key(core)
    same = own is not None and all(glossary.cross_key(part) == own for part in parts)
    other_script = has_hangul(core) and not any(has_hangul(part) for part in parts)
    spelled = {compact(part).casefold() for part in parts}
    abbreviated = any(_initials(part) in spelled for part in parts if len(part.split()) > 1)
    return tuple(dict.fromkeys(parts)) if same or (other_script and abbreviated) else ()


def shape_aliases(term: NoteTerm) -> tuple[str, ...]:
    """The term's aliases plus the names its shape implies: ``RR (Round-Robin) Scheduling``
    is also ``RR Scheduling`` and ``Round-Robin Scheduling``; ``JWT 개념`` is also ``JWT``."""
    names = [*term.aliases]
    middle = _MIDDLE_PAREN.fullmatch(term.term)
    if middle is not None:
        head, inner, tail = middle["head"].strip(), middle["inner"].strip(), middle["tail"].strip()
        words = head.split()
        if inner and tail and words and _is_alias(inner, head):
            names.append(f"{head} {tail}")
            names.append(" ".join([*words[:-1], inner, tail]))
    bare = _DEFINITION_SUFFIX.sub("", term.term).strip()
    if bare and bare != term.term and is_name_like(bare):
        names.append(bare)
    seen = {normalize_name(term.term)}
    kept: list[str] = []
    for name in names:
        key = normalize_name(name)
        if key and key not in seen:
            seen.add(key)
            kept.append(name)
    return tuple(kept)


def _split_top_level(text: str, separator: str) -> list[str]:
    """Split on ``separator`` where it is outside parentheses and brackets."""
    if separator not in text:
        return [text]
    parts: list[str] = []
    depth = start = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char in "([（":
            depth += 1
        elif char in ")]）":
            depth -= 1
        elif depth == 0 and text.startswith(separator, index):
            parts.append(text[start:index])
            index += len(separator)
            start = index
            continue
        index += 1
    parts.append(text[start:])
    return parts


def _balanced(text: str) -> bool:
    if not _BRACKETS.search(text):
        return True
    depth = 0
    for char in text:
        if char in "([（":
            depth += 1
        elif char in ")]）":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def split_term_definition(content: str) -> tuple[tuple[NoteTerm, ...], str, str | None] | None:
    """``Term - definition`` -> (terms, definition, question); None when the line is not one.

    The first `` - `` outside parentheses is the separator; what is before it must be short and
    name-like (``동기 / 비동기`` names two terms), or a short question (``프로세스란? - ...``).
    """
    if content.startswith("|"):
        return None
    for match in _SEPARATOR.finditer(content):
        left = content[: match.start()].strip()
        if len(left) > MAX_TERM_SPEC_CHARS:
            return None
        if not _balanced(left):
            continue
        definition = content[match.end() :].strip()
        if _QUESTION_MARK.search(left) and len(left) <= MAX_TERM_SPEC_CHARS:
            term = term_from_question(left)
            if term is not None:
                return (term,), definition, question_text(left)
            return None
        terms = [_term_from_name(part) for part in _split_top_level(left, " / ")]
        if all(term is not None for term in terms):
            return tuple(t for t in terms if t is not None), definition, None
        return None
    return None


def split_colon_definition(content: str) -> tuple[tuple[NoteTerm, ...], str, str | None] | None:
    """``Term: definition`` (only used where the term was bold in the note)."""
    index = min((i for i in (content.find(":"), content.find("：")) if i > 0), default=-1)
    if index < 0:
        return None
    term = _term_from_name(content[:index])
    return None if term is None else ((term,), content[index + 1 :].strip(), None)


def _particle_fits(stem: str, particle: str) -> bool:
    """Whether ``particle`` agrees with the last syllable of ``stem``.

    은/이란 follow a final consonant (받침), 는/란 follow none. Latin letters, digits and
    brackets before a particle are accepted either way."""
    stem = stem.rstrip()
    if not stem:
        return False
    last = stem[-1]
    if not "가" <= last <= "힣":
        return True
    final = (ord(last) - 0xAC00) % 28 != 0
    if particle in _AFTER_CONSONANT:
        return final
    if particle in _AFTER_VOWEL:
        return not final
    return True


def weak_term(content: str) -> NoteTerm | None:
    """``CNN은 합성곱 층 ...`` -> CNN: the first word is a term glued to 은/는/이란/란."""
    prefix = content[: MAX_WEAK_STEM_CHARS + max(map(len, WEAK_PARTICLES)) + 1]
    words = _split_top_level(prefix, " ")
    if len(words) == 1 and len(prefix) < len(content):
        return None  # the first word is longer than any stem
    word = words[0].rstrip(",.:")
    for particle in WEAK_PARTICLES:
        if not word.endswith(particle):
            continue
        stem = word[: -len(particle)]
        if (
            stem
            and len(stem) <= MAX_WEAK_STEM_CHARS
            and stem not in WEAK_STOPWORDS
            and not is_generic_title(stem)
            and _particle_fits(stem, particle)
        ):
            return _term_from_name(stem)
    return None


def _strip_question_prefix(text: str) -> str:
    text = Q_MARKER.sub("", text.strip())
    return _TAG_PREFIX.sub("", _NUMBERING.sub("", text)).strip()


def is_question(text: str) -> bool:
    """A question or an interview prompt: ``?``, ``Q.``, ``설명해주세요``, ``X란``, ``What is``."""
    text = text.strip()
    if not text or not any(char.isalnum() for char in text):
        return False
    if Q_MARKER.match(text):
        return True
    text = _NUMBERING.sub("", text).rstrip(" .!。")
    return bool(
        _QUESTION_MARK.search(text)
        or _KO_QUESTION_END.search(text)
        or _EN_QUESTION_START.match(text)
    )


def question_text(text: str) -> str:
    """The question as asked: no ``Q.`` marker or numbering."""
    return _strip_question_prefix(text) or text.strip()


def term_from_question(text: str) -> NoteTerm | None:
    """The term a question is about: ``프로세스(Process)란?`` -> 프로세스 (alias Process),
    ``What is a process?`` -> process, ``X의 차이점은?`` -> X의 차이점."""
    text = _strip_question_prefix(text).rstrip(" ?？.!。")
    term = _english_question_term(text) or _korean_question_term(text) or text
    term = term.strip(" ,.:")
    if not term:
        return None
    core, inner = _split_paren(term)
    if inner and core and _is_alias(inner, core):
        return NoteTerm(core, (inner,))
    return NoteTerm(term)


def _english_question_term(text: str) -> str | None:
    for pattern in _EN_TERM_PATTERNS:
        match = pattern.fullmatch(text)
        if match is not None:
            return match["t"]
    return None


def _korean_question_term(text: str) -> str | None:
    for pattern in _KO_TERM_PATTERNS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        stem, particle = match["t"], match.groupdict().get("p")
        if particle is None or _particle_fits(stem, particle):
            return stem
        if particle == "이란" and _particle_fits(stem + "이", "란"):
            return stem + "이"  # 파이란 -> 파이
    return None


@dataclass(frozen=True, slots=True)
class NoteHeading:
    """The term and the question a heading names (either may be missing)."""

    term: NoteTerm | None
    question: str | None


def parse_heading(title: str) -> NoteHeading:
    """The term and question a heading names (``### Q. 프로세스란?`` -> 프로세스, 프로세스란?)."""
    if is_question(title):
        return NoteHeading(term_from_question(title), question_text(title))
    text = strip_symbols(_NUMBERING.sub("", title))
    if text.startswith("[") and text.endswith("]") and text.count("[") == 1:
        text = strip_symbols(text[1:-1])  # [ 이진 탐색 트리의 단점 ], [ 👶 Minor GC ]
    text = _TAG_PREFIX.sub("", text).strip() or text.strip("[] ") or title
    text = _PART_SUFFIX.sub("", text).strip() or text
    described = _HEADING_COLON.search(text)
    if described is not None:  # 응용 계층 (Application Layer) : 데이터 단위 message
        left, right = text[: described.start()].strip(), text[described.end() :].strip()
        if right and _is_bare_generic(left) and is_name_like(right):
            # 예제 : 트위터 QPS 추정 is named by what follows its label
            return NoteHeading(_term_from_name(right) or NoteTerm(right), None)
        term = _term_from_name(left) if right else None
        if term is not None:
            return NoteHeading(replace(term, description=right), None)
    core, inner = _split_paren(text)
    aliases = aliases_in(inner, core) if inner and core else ()
    if aliases:
        return NoteHeading(NoteTerm(core, aliases), None)
    if inner and core and compact(inner.casefold()) in ANNOTATIONS:
        return NoteHeading(NoteTerm(core), None)  # 페이징 & 세그먼테이션(PDF)
    return NoteHeading(NoteTerm(text) if text else None, None)


def category_name(title: str) -> str:
    """A heading as a category name: without its numbering."""
    return _NUMBERING.sub("", title).strip() or title


def _fold_words(title: str) -> set[str]:
    return {word.casefold() for word in re.split(r"[\s,/·()]+", title) if word}


def is_collection_title(title: str) -> bool:
    """``면접 질문 정리``, ``Interview Questions``: a title over many concepts."""
    return bool(_fold_words(title) & COLLECTION_WORDS) or _title_key(title) in COLLECTION_WORDS


def _title_key(title: str) -> str:
    """A title as compared with the word lists: no numbering, parenthetical, symbols, spaces."""
    text = _split_paren(category_name(title))[0]
    return compact(decoration_free(text).casefold())


def is_generic_title(title: str) -> bool:
    """장점, 단점, ``멀티 프로세스의 장점``, ``Pros & Cons``, ``4. 정리``: a part of an answer."""
    return _is_bare_generic(title) or _generic_of_something(title)


def part_subject(title: str) -> str | None:
    """``멀티 프로세스의 장점`` -> ``멀티 프로세스``, ``JWT 개념`` -> ``JWT``; None for a bare
    generic title."""
    if not (_generic_of_something(title) or names_definition(title)):
        return None
    words = _split_paren(category_name(title))[0].split()
    return " ".join(words[:-1]).removesuffix("의").strip() or None


def names_match(subject: str, term: str) -> bool:
    """Whether a part's subject names ``term`` (``영속성 컨텍스트`` and ``영속성 컨텍스트
    Persistence Context``; the glossary-free comparison of names)."""
    a, b = compact(normalize_name(subject)), compact(normalize_name(term))
    return bool(a) and bool(b) and (a == b or b.startswith(a) or a.startswith(b))


def names_equal(subject: str, term: str) -> bool:
    """Whether a part's subject is ``term`` itself (compared as names, spaces aside)."""
    a, b = compact(normalize_name(subject)), compact(normalize_name(term))
    return bool(a) and a == b


#: Headings for a measure of the answer above (its cost), never a topic of their own there.
_ASPECT_TITLES = frozenset(
    {"시간복잡도", "공간복잡도", "시간복잡도와공간복잡도", "시간및공간복잡도", "시간공간복잡도",
     "복잡도", "성능", "수행시간", "timecomplexity", "spacecomplexity", "complexity",
     "bigo", "performance"}
)  # fmt: skip


def is_aspect_title(title: str) -> bool:
    """``시간 복잡도``, ``Time Complexity``: under an answer, how much that answer costs (under a
    heading of concepts it may still be a concept of its own)."""
    key = _title_key(title).replace("&", "와").replace("/", "")
    return key in _ASPECT_TITLES


#: First words of a question that asks about what was just said (왜 그런걸까?).
_FOLLOW_UP_WORDS = frozenset(
    {"왜", "어떻게", "그럼", "그러면", "그렇다면", "그래서", "어째서", "why", "how", "so"}
)
#: A word that names something in a question: a noun with its particle, or Latin letters.
_NAMING_WORD = re.compile(r"[A-Za-z]|[가-힣]{2,}(?:을|를|이|가|은|는|의|에|와|과)$")
_PRONOUNS = ("무엇", "이것", "그것", "저것", "어디", "언제", "누구", "뭐", "이게", "그게")
#: Most words of a follow-up question.
MAX_FOLLOW_UP_WORDS = 4


def is_follow_up(title: str) -> bool:
    """``왜 그런걸까?``, ``어떻게 해결할까?``: a question about the answer above, naming nothing
    of its own (a part of that answer; ``왜 스프링을 쓸까?`` names 스프링 and stays a question)."""
    words = decoration_free(category_name(title)).rstrip(" ?？").split()
    return (
        0 < len(words) <= MAX_FOLLOW_UP_WORDS
        and words[0].casefold() in _FOLLOW_UP_WORDS
        and not any(
            _NAMING_WORD.search(word) and not word.startswith(_PRONOUNS) for word in words[1:]
        )
    )


def is_part(title: str) -> bool:
    """A sub-heading that is a part of the answer above it, never a concept: 장점, 해결방안?,
    ``Cookie의 단점`` (a question about such a part, ``X의 장점은?``, stays a question), a
    numbered step (``3) 서버가 응답을 보낸다``), a follow-up question (``왜 그런걸까?``)."""
    return (
        _is_bare_generic(title)
        or is_step_title(title)
        or is_follow_up(title)
        or ((_generic_of_something(title) or names_definition(title)) and not is_question(title))
    )


def defines(title: str) -> bool:
    """개념, ``기본 개념``, ``JWT 개념``, ``Docker의 정의``: a heading saying what something is."""
    words = decoration_free(_split_paren(category_name(title))[0]).casefold().split()
    return bool(words) and words[-1] in _DEFINITION_TAILS


def names_definition(title: str) -> bool:
    """``JWT 개념``, ``Docker의 정의``, ``REST overview``: the heading of what its subject is (the
    definition of the concept named above it, or of its previous sibling); ``기본 개념`` names
    no subject."""
    words = decoration_free(_split_paren(category_name(title))[0]).casefold().split()
    return len(words) >= 2 and defines(title) and not _is_bare_generic(title)


#: Words that make a heading a clause: a subject with its particle (사용자가, DNS는), or a verb
#: joined to what follows (받으면, 입력하고).
_CLAUSE_WORD = re.compile(
    r"^(?:[가-힣A-Za-z0-9]{2,}(?:은|는|이|가|에게)|[가-힣]{2,}(?:으면|면|하고|해서|하여))$"
)
#: Last words of a heading that is a noun phrase about a step, not a step (…이후의 흐름, …전).
_NOUN_HEADS = frozenset(
    {"흐름", "방법", "과정", "전", "후", "이유", "차이", "원리", "조건", "문제", "경우", "관점",
     "때", "방식", "기법", "구조", "특징", "단계", "종류", "역할", "의미", "설명"}
)  # fmt: skip
_STEP_NUMBER = re.compile(r"^(?:step|단계)\s*\d+\s*[:.)]?\s*", re.I)
#: Fewest words of a numbered heading that reads as one step of a process.
MIN_STEP_WORDS = 4


def is_step_title(title: str) -> bool:
    """``8) 웹서버는 웹브라우저에게 html 문서 결과를 응답``: a numbered heading that is a
    sentence, one step of the process the answer above describes (never a concept)."""
    title = title.strip()
    step = _STEP_NUMBER.match(title)
    if not _NUMBERING.match(title) and step is None:
        return False
    rest = title[step.end() :] if step is not None else category_name(title)
    words = decoration_free(rest).split()
    if len(words) < MIN_STEP_WORDS or is_question(rest) or words[-1] in _NOUN_HEADS:
        return False
    if not has_hangul(words[-1]):
        return False  # …빼주는 Scheduler: a name at the end, not a step
    return bool(_SENTENCE_END.search(rest)) or any(_CLAUSE_WORD.match(word) for word in words)


def is_bare_comparison(title: str) -> bool:
    """``차이점``, ``2.2 비교``: a heading whose sub-headings are the points of the comparison
    above it (용도, 다중 상속 가능 여부), not topics of their own. (``추상 클래스 vs
    인터페이스`` is not bare: its sub-headings may be the two sides, each a concept.)"""
    return _title_key(title) in _COMPARISON_TAILS


def is_generic_phrase(title: str) -> bool:
    """``알고리즘 동작 단계``, ``풀이 방식``, ``상세 설계``: two or more words, none of which
    names anything (a part of the answer above it, unless it holds topics of its own)."""
    words = decoration_free(_split_paren(category_name(title))[0]).casefold().split()
    words = [word.removesuffix("의") if len(word) > 2 else word for word in words]
    return len(words) >= 2 and all(
        word in _GENERIC_TITLE_WORDS or word in GENERIC_SUBHEADINGS for word in words
    )


def _is_bare_generic(title: str) -> bool:
    parts = _HEADING_COLON.split(title, maxsplit=1)
    if len(parts) == 2 and parts[0].strip() and _is_bare_generic(parts[0]):
        return True  # 해결방안: hashCode 오버라이딩
    key = _title_key(title)
    if _NUMBERED_PART.match(decoration_free(category_name(title))):
        return True  # Point 2, Step 3, 예시 1, 상황 2
    words = decoration_free(_split_paren(category_name(title))[0]).casefold().split()
    if words and words[-1] in _EXAMPLE_TAILS:
        return True  # 다양한 사용 예시, 기본 사용법: an answer's examples, whatever they are of
    if _WHEN_TO_USE.search(" ".join(words)):
        return True  # 사용하면 좋은 경우, 활용하기 좋은 문제: when the answer above applies
    return key in GENERIC_SUBHEADINGS or compact(category_name(title).casefold()) in (
        GENERIC_SUBHEADINGS
    )


def _generic_of_something(title: str) -> bool:
    """``멀티 프로세스의 장점``, ``Cookie의 단점``: a generic part named with its subject."""
    words = decoration_free(_split_paren(category_name(title))[0]).casefold().split()
    return len(words) >= 2 and words[-2].endswith("의") and words[-1] in _GENERIC_TAILS


def is_byline_title(title: str) -> bool:
    """Contributors, members, authors, licence: who wrote the notes, not what they say."""
    return _title_key(title) in BYLINE_TITLES


def is_noise_title(title: str) -> bool:
    """Table of contents and reference headings: never concepts, never categories."""
    label = decoration_free(category_name(title))
    return bool(TOC_LABEL.match(label)) or is_reference_title(title) or is_byline_title(title)


def is_reference_title(title: str) -> bool:
    """참고 자료, References, ``출처: https://...``: a heading over sources."""
    label = decoration_free(category_name(title))
    match = REFERENCE_LABEL.match(label)
    if match is not None and match.end() == len(label):
        return True
    pointer = REFERENCE_LABEL.match(title)  # 출처: https://...
    return pointer is not None and pointer.end() > 0 and is_link_only(title[pointer.end() :])


def is_toc_title(title: str) -> bool:
    """목차, Contents: a heading over a table of contents."""
    return bool(TOC_LABEL.match(decoration_free(category_name(title))))
