"""Notes-quality report on real notes folders, and a lookup evaluation against queries.

``python -m benchmarks.notes_quality FOLDER [FOLDER ...] [--sample N] [--seed S]
[--queries FILE] [--examples N] [--key-points] [--list]``

For each folder the real ingest runs into a throwaway SQLite file; the stored concepts are then
checked by an audit of our own (independent of the parser: small pure functions over the term,
the stored definition and the markdown the concept came from) and looked for duplicates across
files. With ``--queries`` each query written for that folder goes through the real lookup and
the outcome is compared with the expected concept term (compared with
:func:`bot.core.knowledge.aliases.name_key`). The last line printed is one JSON dict.

The query file is TOML, one ``[[query]]`` table per query::

    [[query]]
    repo = "owner+name"        # the folder name the query is for
    query = "what is a deadlock"
    expect = "교착상태"          # the term of the right concept, as ingested
    also = ["Deadlock"]        # optional: other concepts on the same topic that count as right
    kind = "question"          # optional: term, cross_language, question, typo, spacing,
                               # abbreviation
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import tempfile
import time
import tomllib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from bot.app.ingest import IngestReport, ingest
from bot.app.notes_files import collect
from bot.core.errors import BadInput
from bot.core.knowledge.aliases import name_key
from bot.core.knowledge.decode import decode_notes
from bot.core.knowledge.library import Knowledge, check_query
from bot.core.messages import Msg
from bot.core.models import Concept, LookupResult, MatchKind
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.knowledge import load_concepts
from bot.db.migrate import upgrade_to_head

# --- audit thresholds ---------------------------------------------------------------------------

#: A definition with fewer letters than this says too little to be an answer.
MIN_DEFINITION_LETTERS: Final = 15
#: Answer text (letters outside question lines) below this next to questions: questions only.
MIN_ANSWER_LETTERS: Final = 40
#: A term longer than this (characters) or with more words reads as a sentence, not a name.
MAX_TERM_CHARS: Final = 40
MAX_TERM_WORDS: Final = 8
#: A definition longer than this swallowed a big part of a file ...
MAX_DEFINITION_CHARS: Final = 6000
#: ... as does one spanning more sub-headings than this (and holding most of their text).
MAX_SUBHEADINGS: Final = 12
#: A table of contents: at least this many link lines, at least this share of the lines.
MIN_TOC_LINKS: Final = 3
MIN_TOC_SHARE: Final = 0.5
#: A bare topic list: at least this many lines, nearly all short list items.
MIN_LIST_LINES: Final = 5
LIST_SHARE: Final = 0.8
MAX_LIST_ITEM_WORDS: Final = 6
#: A term with fewer letters than this carries no real name (e.g. ``4``).
MIN_TERM_LETTERS: Final = 1

QUERY_KINDS: Final = frozenset(
    {"term", "cross_language", "question", "typo", "spacing", "abbreviation"}
)
QUERY_KEYS: Final = frozenset({"repo", "query", "expect", "also", "kind"})

# --- markdown shapes the audit recognises ---------------------------------------------------------

_MD_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>|<image\b[^>]*>", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
_FENCE = re.compile(r"^\s*(```|~~~)")
_HTML_TAG = re.compile(
    r"</?(?:img|image|br|hr|div|span|p|a|details|summary|table|tr|td|th|sub|sup|center|font"
    r"|kbd|b|i|u|strong|em)\b[^>]*>",
    re.IGNORECASE,
)
_QUESTION_END = re.compile(
    r"(?:[?？]|설명해\s*(?:주세요|주시겠어요|보세요|봐라|주실\s*수\s*있나요)|설명하시오|설명하라"
    r"|말해\s*(?:주세요|보세요)|말씀해\s*(?:주세요|보세요)|무엇인가요|무엇일까요|뭔가요|인가요"
    r"|일까요|할까요|을까요|는가요|나요|는지|은지|인지)$"
)
#: Numbered prompts without a question mark: ``3. 힙과 트리의 차이점``.
_PROMPT_END = re.compile(
    r"(?:차이|차이점|장단점|장점|단점|특징|비교|이유|방법|예시|종류|정의|원리|과정|역할|속성"
    r"|사용처|사례|개념|설명)$"
)
_QUESTION_PREFIX = re.compile(
    r"^(?:Q\d*\s*[.:)]|질문\s*\d*\s*[.:)]|\(꼬리질문\))\s*", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"(?:다|요|니다|까)[.!]?$")
_BYLINE = re.compile(
    r"^(?:작성자|작성일|글쓴이|contributors?|authors?|written by|writer|스터디원)\s*[:：]",
    re.IGNORECASE,
)
_NAVIGATION = re.compile(
    r"^(?:[⬆⬅➡↩🔝🔙⏫^]+\s*)?(?:뒤로\s*가기|뒤로|돌아가기|목차로\s*돌아가기|목차로|맨\s*위로|위로\s*가기"
    r"|위로|처음으로|back(?:\s+to\s+(?:top|list|index|contents))?|top|go\s+to\s+top|home|prev"
    r"|previous|next|이전\s*글?|다음\s*글?|이전으로|목록으로)(?:\s*[⬆⬅➡↩🔝🔙⏫]+)?$",
    re.IGNORECASE,
)
_REFERENCE_LABEL = re.compile(
    r"^(?:[^\w\s]+\s*)?(?:참고|참고\s*자료|참고\s*문헌|참고\s*링크|출처|참조|레퍼런스|references?"
    r"|sources?|links?|더\s*읽을\s*거리)\s*[:：]?",
    re.IGNORECASE,
)
_TITLE_WORDS = re.compile(
    r"(?:목차|table of contents|^contents$|^index$|readme|cheat\s*sheet|tech[\s-]*interview"
    r"|interview[\s-]*(?:study|prep)|\bcs[\s-]*study|스터디|면접\s*(?:대비|준비))",
    re.IGNORECASE,
)
_SLUG = re.compile(r"^[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+){2,}$")
_TERM_NUMBERING = re.compile(r"^(?:\(?\d+(?:[-.]\d+)*\s*[.):]|\[\s*\d+\s*\]|\d+\\\))\s*")
_GENERIC_STRIP = re.compile(r"[^\w\s]+")
_EMOJI_CODE = re.compile(r":[a-z0-9_+\-]+:")

#: Sub-heading words that name a part of an answer, not a concept, when they stand alone.
GENERIC_TERMS: Final = frozenset(
    {
        "장점",
        "단점",
        "장단점",
        "장점과 단점",
        "정의",
        "특징",
        "특성",
        "예시",
        "예제",
        "예",
        "개요",
        "정리",
        "요약",
        "참고",
        "참고자료",
        "참고 자료",
        "출처",
        "결론",
        "마무리",
        "개념",
        "개념 설명",
        "목적",
        "목표",
        "배경",
        "문제점",
        "해결방안",
        "해결 방안",
        "해결 방법",
        "해결책",
        "주의점",
        "주의할 점",
        "주의사항",
        "차이점",
        "차이",
        "공통점",
        "종류",
        "구성",
        "구조",
        "원리",
        "동작 원리",
        "동작 방식",
        "사용법",
        "사용 방법",
        "사용 예시",
        "활용",
        "구현",
        "코드",
        "소스코드",
        "출력결과",
        "실행 결과",
        "결과",
        "질문",
        "예상 질문",
        "예상질문",
        "면접 질문",
        "꼬리 질문",
        "키워드",
        "레퍼런스",
        "들어가기 전에",
        "들어가며",
        "서론",
        "본론",
        "이번에",
        "시나리오",
        "요구사항",
        "멤버 소개",
        "기타",
        "추가",
        "비교",
        "question",
        "questions",
        "what i study",
        "what i studied",
        "pros",
        "cons",
        "pros and cons",
        "summary",
        "overview",
        "intro",
        "introduction",
        "reference",
        "references",
        "example",
        "examples",
        "definition",
        "advantage",
        "advantages",
        "disadvantage",
        "disadvantages",
        "conclusion",
        "review",
        "prologue",
        "motivation",
        "solution",
        "basic",
        "basics",
        "background",
        "contributor",
        "contributors",
        "about",
        "rules",
        "note",
        "notes",
        "tip",
        "tips",
        "todo",
    }
)


# --- the audit (pure) -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sample:
    """What the audit looks at for one concept: its term, its stored definition and the markdown
    it came from (its heading or item line up to the next heading at the same or a higher level;
    empty when unknown)."""

    term: str
    definition: str
    source: str = ""
    path: str = ""


def letters(text: str) -> int:
    """How many letters (any script; no digits, spaces or punctuation) ``text`` holds."""
    return sum(ch.isalpha() for ch in text)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _without_fences(text: str) -> str:
    """``text`` without fenced code blocks (an unclosed fence runs to the end)."""
    kept: list[str] = []
    inside = False
    for line in text.splitlines():
        if _FENCE.match(line):
            inside = not inside
            continue
        if not inside:
            kept.append(line)
    return "\n".join(kept)


def is_link_line(line: str) -> bool:
    """Whether a markdown line holds nothing but links or URLs (list marker and ``<br>`` aside)."""
    body = _HTML_TAG.sub(" ", _IMAGE.sub(" ", _LIST_MARK.sub("", line.strip())))
    if not body or not (_MD_LINK.search(body) or _URL.search(body)):
        return False
    rest = _URL.sub(" ", _MD_LINK.sub(" ", body))
    return not re.sub(r"[\s,|·/:\-–—>*_]+", "", rest)


def is_toc_link(line: str) -> bool:
    """Whether a markdown line is a table-of-contents entry: a link to an anchor or a local file."""
    if not is_link_line(line):
        return False
    targets = [m.group(2) for m in _MD_LINK.finditer(line)]
    return any(
        t.startswith(("#", "./", "../")) or t.endswith((".md", ".markdown")) or "/" not in t
        for t in targets
    )


def _body_source_lines(source: str) -> list[str]:
    """The source's non-blank lines after its first (the heading or item itself), outside code,
    headings and rules left out."""
    lines = _without_fences("\n".join(source.splitlines()[1:])).splitlines()
    return [
        line.strip()
        for line in lines
        if line.strip()
        and not _HEADING.match(line)
        and not re.fullmatch(r"(?:[-*_]\s*){3,}|<hr\s*/?>|<br\s*/?>", line.strip(), re.I)
    ]


def links_only(sample: Sample) -> bool:
    """The answer is only links: once the lines that are (what is left of) links or URLs are
    taken out, the definition has almost no letters left."""
    texts = link_texts(sample.source)
    lines = _lines(sample.definition)
    linked = [line for line in lines if is_link_line(line) or _link_text(line) in texts]
    rest = sum(letters(_URL.sub(" ", line)) for line in lines if line not in linked)
    return bool(linked) and rest < MIN_DEFINITION_LETTERS


def _toc_body(body: Sequence[str]) -> bool:
    links = sum(is_toc_link(line) for line in body)
    return links >= MIN_TOC_LINKS and links >= MIN_TOC_SHARE * len(body)


def toc(sample: Sample) -> bool:
    """The definition holds a table of contents: the markdown under the concept is mostly
    ``- [x](#...)`` or links to other note files, and their texts made it into the definition."""
    body = _body_source_lines(sample.source)
    if not _toc_body(body):
        return False
    kept = {_link_text(line) for line in _lines(sample.definition)}
    return sum(_link_text(line) in kept for line in body if is_toc_link(line)) >= MIN_TOC_LINKS


def _is_short_item(line: str) -> bool:
    if not re.match(r"^\s*[-*+]\s+", line):
        return False
    text = _LIST_MARK.sub("", line).strip()
    return (
        len(text.split()) <= MAX_LIST_ITEM_WORDS
        and len(text) <= MAX_TERM_CHARS
        and not _SENTENCE_END.search(text)
        and ":" not in text
        and " - " not in text
    )


def bare_list(sample: Sample) -> bool:
    """A README / index section whose definition is a bare list of short topic names (a table of
    contents whose links became text, a syllabus), not an answer."""
    lines = _lines(_without_fences(sample.definition))
    if len(lines) < MIN_LIST_LINES or not is_index_file(sample.path):
        return False
    if any(plain_term(_LIST_MARK.sub("", line)) in GENERIC_TERMS for line in lines):
        return False  # - 장점 / - 단점 sub-lists: a structured answer, not a list of topics
    return sum(_is_short_item(line) for line in lines) >= LIST_SHARE * len(lines)


def is_question_line(line: str) -> bool:
    """Whether a line asks something: ends in ``?`` or a Korean request/question ending
    (설명해주세요, 무엇인가요 ...), or is a numbered prompt naming what to explain
    (``3. 힙과 트리의 차이점``)."""
    numbered = bool(re.match(r"^\s*\d+[.)]\s", line))
    text = _QUESTION_PREFIX.sub("", _LIST_MARK.sub("", line.strip()))
    text = _MD_LINK.sub(r"\1", text)
    text = re.sub(r"[\s.!)\]*_`~:]+$", "", text)
    if not text:
        return False
    if _QUESTION_END.search(text) or _QUESTION_PREFIX.match(line.strip()):
        return True
    return numbered and len(text.split()) <= MAX_TERM_WORDS * 2 and bool(_PROMPT_END.search(text))


def questions_only(sample: Sample) -> bool:
    """The definition is mostly questions (an interview question list) with little answer text."""
    lines = _lines(_without_fences(sample.definition))
    asked = [line for line in lines if is_question_line(line)]
    if not asked:
        return False
    answer = sum(letters(line) for line in lines if not is_question_line(line))
    if len(asked) == 1:
        return answer < MIN_DEFINITION_LETTERS
    return answer < MIN_ANSWER_LETTERS or len(asked) >= 0.7 * len(lines)


def too_short(sample: Sample) -> bool:
    """The definition has fewer than :data:`MIN_DEFINITION_LETTERS` letters."""
    return letters(sample.definition) < MIN_DEFINITION_LETTERS


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """The fenced code blocks of ``text`` as (info string, content); an unclosed fence runs to
    the end."""
    blocks: list[tuple[str, str]] = []
    info: str | None = None
    body: list[str] = []
    for line in text.splitlines():
        if _FENCE.match(line):
            if info is None:
                info, body = line.strip().lstrip("`~").strip(), []
            else:
                blocks.append((info, "\n".join(body)))
                info = None
        elif info is not None:
            body.append(line)
    if info is not None:
        blocks.append((info, "\n".join(body)))
    return blocks


def _is_prose(text: str) -> bool:
    """Whether text is sentences rather than code: mostly Hangul letters, few code symbols."""
    hangul = len(re.findall(r"[가-힣]", text))
    symbols = len(re.findall(r"[{}();=<>\[\]]", text))
    return hangul >= MIN_DEFINITION_LETTERS and hangul > 4 * symbols and hangul > 0.3 * len(text)


def _mostly_fenced(sample: Sample) -> list[tuple[str, str]]:
    blocks = fenced_blocks(sample.definition)
    prose = _without_fences(sample.definition)
    if blocks and letters(prose) < MIN_DEFINITION_LETTERS <= letters(sample.definition):
        return blocks
    return []


def code_only(sample: Sample) -> bool:
    """The definition is a code block with (almost) no prose around it."""
    blocks = _mostly_fenced(sample)
    return bool(blocks) and not all(not info and _is_prose(body) for info, body in blocks)


def fenced_prose(sample: Sample) -> bool:
    """The answer is prose written inside a plain ````` ``` ````` fence (shown as code)."""
    blocks = _mostly_fenced(sample)
    return bool(blocks) and all(not info and _is_prose(body) for info, body in blocks)


def table_only(sample: Sample) -> bool:
    """The definition is a markdown table (a contributor grid, a link table) with no prose."""
    lines = _lines(sample.definition)
    rows = [line for line in lines if line.startswith("|")]
    prose = sum(letters(line) for line in lines if not line.startswith("|"))
    return bool(rows) and len(rows) >= 0.6 * len(lines) and prose < MIN_DEFINITION_LETTERS


def plain_term(term: str) -> str:
    """``term`` as compared with the generic words: numbering (``1-1)``, ``[3]``), emoji (also as
    ``:shortcode:``) and punctuation dropped, case folded, spaces collapsed."""
    text = _EMOJI_CODE.sub(" ", unicodedata.normalize("NFKC", term)).strip()
    text = _TERM_NUMBERING.sub("", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "S")
    text = _GENERIC_STRIP.sub(" ", text.casefold())
    return " ".join(text.split())


def generic_term(sample: Sample) -> bool:
    """The term is a generic sub-heading word standing alone (장점, 정의, 예시, Pros, What I study
    ...): a part of some answer, not the name of a concept."""
    return plain_term(sample.term) in GENERIC_TERMS


def is_index_file(path: str) -> bool:
    """Whether a notes file is a README / index / SUMMARY page (a folder's front page)."""
    return Path(path).stem.casefold() in {"readme", "index", "summary", "home"}


def title_term(sample: Sample) -> bool:
    """The term looks like a document title or a table of contents (목차, Contents, README, a repo
    name such as ``tech-interview-study``), or is the ``#`` title of a README / index file."""
    plain = plain_term(sample.term)
    if _TITLE_WORDS.search(plain) or _SLUG.match(sample.term.strip()):
        return True
    first = sample.source.splitlines()[0] if sample.source else ""
    return is_index_file(sample.path) and heading_level(first) == 1


def sentence_term(sample: Sample) -> bool:
    """The term is a sentence rather than a name: very long, many words, or ending like a Korean
    sentence (…다, …요)."""
    term = sample.term.strip()
    name = re.sub(r"\([^()]*\)", "", term).strip()  # a parenthetical is an alias, not length
    return (
        len(name) > MAX_TERM_CHARS
        or len(term.split()) > MAX_TERM_WORDS
        or bool(_SENTENCE_END.search(term))
    )


def term_with_body(sample: Sample) -> bool:
    """The term carries a description after ``:`` or ``|`` (``DDL (…) : 데이터 정의어``)."""
    term = sample.term
    for mark in (" : ", ": ", " | "):
        _, found, right = term.partition(mark)
        if found and len(right.split()) >= 1 and letters(right) >= 2:
            return True
    return False


def term_markup(sample: Sample) -> bool:
    """The term still carries markup or decoration: a backslash escape, wrapping brackets, a list
    marker, leading numbering (``1-1)``, ``(6-1)``), an emoji, or no real letters at all."""
    term = sample.term.strip()
    first = term[:1]
    return (
        "\\" in term
        or (term.startswith("[") and term.endswith("]"))
        or bool(re.match(r"^[-*+]\s", term))
        or bool(_TERM_NUMBERING.match(term))
        or (bool(first) and unicodedata.category(first) in ("So", "Sk"))
        or letters(term) < MIN_TERM_LETTERS
    )


def byline(sample: Sample) -> bool:
    """The definition starts with an author or contributor line (``작성자 : …``)."""
    lines = _lines(sample.definition)
    return bool(lines) and bool(_BYLINE.match(_LIST_MARK.sub("", lines[0])))


def _link_text(line: str) -> str:
    text = _HTML_TAG.sub(" ", _LIST_MARK.sub("", line))
    return _MD_LINK.sub(r"\1", text).strip().strip("*_`[]() ")


def link_texts(source: str) -> set[str]:
    """The texts of every link in ``source`` (what a link line turns into once its target is
    dropped), and the bare URLs."""
    found = {_link_text(m.group(0)) for m in _MD_LINK.finditer(source)}
    found |= {m.group(0) for m in _URL.finditer(source)}
    return {text for text in found if text}


def _linkish(line: str, texts: set[str]) -> bool:
    """Whether a definition line is (what is left of) a link line."""
    return is_link_line(line) or bool(_URL.search(line)) or _link_text(line) in texts


def trailing_nav(sample: Sample) -> bool:
    """The definition ends with navigation left over from a web page or a repo (``뒤로``,
    ``🔝 목차로 돌아가기``, ``Back to top``)."""
    lines = _lines(_without_fences(sample.definition))
    return any(_NAVIGATION.match(_link_text(line)) for line in lines[-2:])


def trailing_refs(sample: Sample) -> bool:
    """The definition ends with a reference block: a ``참고`` / ``출처`` / ``Reference`` label
    followed only by links or URLs (or carrying the link itself)."""
    lines = _lines(_without_fences(sample.definition))
    texts = link_texts(sample.source)
    for index in range(len(lines) - 1, max(-1, len(lines) - 12), -1):
        text = _link_text(lines[index])
        label = _REFERENCE_LABEL.match(text)
        if label and len(text) <= MAX_TERM_CHARS + 60:
            after = lines[index + 1 :]
            rest = text[label.end() :].strip()
            if all(_linkish(line, texts) for line in after) and (
                after or not rest or _linkish(rest, texts)
            ):
                return True
        if not _linkish(lines[index], texts):
            return False
    return False


def leading_colon(sample: Sample) -> bool:
    """The definition starts with a ``:`` (a definition-list line, ``Term`` then ``: meaning``,
    whose marker was kept)."""
    return sample.definition.lstrip().startswith((":", "："))


def open_fence(sample: Sample) -> bool:
    """A code fence is left open: an odd number of ````` ``` ````` / ``~~~`` lines."""
    return sum(bool(_FENCE.match(line)) for line in sample.definition.splitlines()) % 2 == 1


def html_left(sample: Sample) -> bool:
    """HTML tags survived into the definition's prose (``<img …>``, ``<br>``, ``<details>``;
    code blocks and inline code aside)."""
    prose = re.sub(r"`[^`\n]*`", " ", _without_fences(sample.definition))
    return bool(_HTML_TAG.search(prose))


def subheadings(source: str) -> int:
    """How many headings the markdown holds below its first line (outside code)."""
    rest = _without_fences("\n".join(source.splitlines()[1:]))
    return sum(bool(_HEADING.match(line)) for line in rest.splitlines())


def huge(sample: Sample) -> bool:
    """The definition swallowed a big part of a file: longer than :data:`MAX_DEFINITION_CHARS`,
    or spanning more than :data:`MAX_SUBHEADINGS` sub-headings and holding most of their text."""
    if len(sample.definition) > MAX_DEFINITION_CHARS:
        return True
    return subheadings(sample.source) > MAX_SUBHEADINGS and len(sample.definition) >= 0.5 * len(
        sample.source
    )


Check = Callable[[Sample], bool]

#: Every audit check with its short key, in the order reasons are listed.
CHECKS: Final[tuple[tuple[str, Check], ...]] = (
    ("links_only", links_only),
    ("toc", toc),
    ("bare_list", bare_list),
    ("questions_only", questions_only),
    ("too_short", too_short),
    ("code_only", code_only),
    ("fenced_prose", fenced_prose),
    ("table_only", table_only),
    ("generic_term", generic_term),
    ("title_term", title_term),
    ("sentence_term", sentence_term),
    ("term_with_body", term_with_body),
    ("term_markup", term_markup),
    ("byline", byline),
    ("trailing_nav", trailing_nav),
    ("trailing_refs", trailing_refs),
    ("leading_colon", leading_colon),
    ("open_fence", open_fence),
    ("html_left", html_left),
    ("huge", huge),
)


def audit(sample: Sample) -> list[str]:
    """The keys of every check ``sample`` fails (empty: it looks like a clean concept)."""
    return [key for key, check in CHECKS if check(sample)]


def heading_level(line: str) -> int | None:
    """The level of an ATX heading line (``## x`` -> 2), None for any other line."""
    match = _HEADING.match(line)
    return len(match.group(1)) if match else None


def source_span(lines: Sequence[str], line: int, stop: int | None = None) -> str:
    """The markdown a concept starting at 1-based ``line`` came from: a heading runs to the next
    heading of the same or a higher level, anything else to the next heading or to ``stop`` (the
    next concept's line), whichever comes first. Headings inside code fences do not count."""
    if not 1 <= line <= len(lines):
        return ""
    own = heading_level(lines[line - 1])
    end = len(lines)
    if stop is not None and own is None:
        end = min(end, max(line, stop - 1))
    inside = False
    for number in range(line + 1, end + 1):
        text = lines[number - 1]
        if _FENCE.match(text):
            inside = not inside
            continue
        level = None if inside else heading_level(text)
        if level is not None and (own is None or level <= own):
            end = number - 1
            break
    return "\n".join(lines[line - 1 : end])


def samples_for(concepts: Sequence[Concept], read: Callable[[str], str | None]) -> list[Sample]:
    """One :class:`Sample` per concept (same order); ``read(path)`` gives a file's text or None."""
    by_file: dict[str, list[int]] = defaultdict(list)
    for concept in concepts:
        by_file[concept.source_path].append(concept.source_line)
    texts: dict[str, list[str]] = {}
    samples = []
    for concept in concepts:
        path = concept.source_path
        if path not in texts:
            text = read(path)
            texts[path] = text.splitlines() if text is not None else []
        later = [n for n in by_file[path] if n > concept.source_line]
        span = source_span(texts[path], concept.source_line, min(later) if later else None)
        samples.append(Sample(concept.term, concept.definition, span, path))
    return samples


def read_notes(path: str) -> str | None:
    """A notes file's text decoded the way the ingest decodes it, CRLF/CR as LF; None if it
    cannot be read."""
    try:
        text = decode_notes(Path(path).read_bytes()).text
    except (OSError, BadInput):
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- the lookup evaluation ------------------------------------------------------------------------


class QueryFileError(ValueError):
    """The query file is malformed; the message names the file, the entry and its line."""


@dataclass(frozen=True, slots=True)
class QueryCase:
    """One query written for one notes folder, and the term of the concept it should find."""

    repo: str
    query: str
    expect: str
    kind: str = "term"
    also: tuple[str, ...] = ()

    @property
    def answers(self) -> frozenset[str]:
        """The name keys of every term that counts as the right answer."""
        return frozenset(name_key(term) for term in (self.expect, *self.also))


def _entry_lines(text: str) -> list[int]:
    return [
        number
        for number, line in enumerate(text.splitlines(), 1)
        if re.match(r"^\s*\[\[\s*query\s*\]\]", line)
    ]


def load_queries(text: str, source: str = "queries") -> list[QueryCase]:
    """Parse a query file (``[[query]]`` tables with ``repo``, ``query``, ``expect`` and optional
    ``also`` and ``kind``). Raises :class:`QueryFileError` naming ``source``, the entry and its
    line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise QueryFileError(f"{source}: not valid TOML: {exc}") from exc
    extra = sorted(set(data) - {"query"})
    if extra:
        raise QueryFileError(f"{source}: unknown top-level key(s): {', '.join(extra)}")
    entries = data.get("query")
    if not isinstance(entries, list) or not entries:
        raise QueryFileError(f"{source}: no [[query]] entries")
    lines = _entry_lines(text)
    cases = []
    for index, entry in enumerate(entries):
        where = f"{source}: entry {index + 1}" + (
            f" (line {lines[index]})" if index < len(lines) else ""
        )
        if not isinstance(entry, dict):
            raise QueryFileError(f"{where}: not a table")
        unknown = sorted(set(entry) - QUERY_KEYS)
        if unknown:
            raise QueryFileError(f"{where}: unknown key(s): {', '.join(unknown)}")
        values: dict[str, str] = {}
        for key in ("repo", "query", "expect"):
            value = entry.get(key)
            if value is None:
                raise QueryFileError(f"{where}: missing '{key}'")
            if not isinstance(value, str) or not value.strip():
                raise QueryFileError(f"{where}: '{key}' must be a non-empty string")
            values[key] = value.strip()
        kind = entry.get("kind", "term")
        if kind not in QUERY_KINDS:
            choices = ", ".join(sorted(QUERY_KINDS))
            raise QueryFileError(f"{where}: 'kind' must be one of {choices}, not {kind!r}")
        also = entry.get("also", [])
        if not isinstance(also, list) or not all(isinstance(a, str) and a.strip() for a in also):
            raise QueryFileError(f"{where}: 'also' must be a list of non-empty strings")
        cases.append(
            QueryCase(
                values["repo"],
                values["query"],
                values["expect"],
                str(kind),
                tuple(a.strip() for a in also),
            )
        )
    return cases


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one query went: what came first, how sure the lookup was, and whether it was right."""

    case: QueryCase
    kind: MatchKind
    first: str | None
    right: bool
    known: bool  # whether any ingested concept has an expected term

    @property
    def confident_right(self) -> bool:
        """A confident match on the expected concept."""
        return self.kind is MatchKind.CONFIDENT and self.right

    @property
    def confident_wrong(self) -> bool:
        """A confident match on some other concept (the worst outcome: a wrong answer shown)."""
        return self.kind is MatchKind.CONFIDENT and not self.right


def first_term(result: LookupResult) -> str | None:
    """The term a lookup puts first: its confident match, else its first suggestion."""
    if result.match is not None:
        return result.match.term
    return result.suggestions[0].term if result.suggestions else None


def evaluate(knowledge: Knowledge, cases: Iterable[QueryCase]) -> list[Outcome]:
    """Run every case through ``knowledge.lookup``; the first term is right when its ``name_key``
    is that of ``expect`` or one of ``also``."""
    known = {name_key(concept.term) for concept in knowledge.concepts()}
    outcomes = []
    for case in cases:
        result = knowledge.lookup(check_query(case.query))
        first = first_term(result)
        right = first is not None and name_key(first) in case.answers
        outcomes.append(Outcome(case, result.kind, first, right, bool(case.answers & known)))
    return outcomes


@dataclass(slots=True)
class Scores:
    """Figures of a list of outcomes."""

    queries: int = 0
    right_first: int = 0
    confident_right: int = 0
    confident_wrong: int = 0
    not_found: int = 0
    expect_missing: int = 0

    @classmethod
    def of(cls, outcomes: Sequence[Outcome]) -> Scores:
        """Count ``outcomes``."""
        return cls(
            queries=len(outcomes),
            right_first=sum(o.right for o in outcomes),
            confident_right=sum(o.confident_right for o in outcomes),
            confident_wrong=sum(o.confident_wrong for o in outcomes),
            not_found=sum(o.kind is MatchKind.NOTHING for o in outcomes),
            expect_missing=sum(not o.known for o in outcomes),
        )

    def percent(self, count: int) -> float:
        """``count`` as a percentage of the queries."""
        return round(100 * count / self.queries, 1) if self.queries else 0.0

    def as_dict(self) -> dict[str, object]:
        """The figures for the JSON line."""
        return {
            "queries": self.queries,
            "right_first_pct": self.percent(self.right_first),
            "confident_right_pct": self.percent(self.confident_right),
            "confident_wrong": self.confident_wrong,
            "not_found": self.not_found,
            "expect_not_ingested": self.expect_missing,
        }


# --- ingest and report ----------------------------------------------------------------------------


@dataclass(slots=True)
class FolderRun:
    """What one folder gave: the ingest report, the concepts, the files seen and the time."""

    folder: Path
    report: IngestReport
    concepts: list[Concept]
    files_seen: int
    seconds: float
    flagged: dict[str, list[tuple[Concept, Sample]]] = field(default_factory=dict)
    flagged_concepts: int = 0


async def _ingest(folder: Path, key_points: bool) -> tuple[IngestReport, list[Concept], float]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'notes.sqlite3'}")
        try:
            await upgrade_to_head(engine)
            sessions = make_sessionmaker(engine)
            start = time.perf_counter()
            report = await ingest(sessions, [folder], key_points=key_points)
            seconds = time.perf_counter() - start
            async with sessions() as session:
                concepts = await load_concepts(session)
        finally:
            await engine.dispose()
    return report, concepts, seconds


def run_folder(folder: Path, *, key_points: bool = False) -> FolderRun:
    """Ingest ``folder`` into a throwaway database and audit what it holds."""
    files_seen = sum(found.kind == "notes" for found in collect([folder])[0])
    report, concepts, seconds = asyncio.run(_ingest(folder, key_points))
    run = FolderRun(folder, report, concepts, files_seen, seconds)
    flagged: dict[str, list[tuple[Concept, Sample]]] = {key: [] for key, _ in CHECKS}
    for concept, sample in zip(concepts, samples_for(concepts, read_notes), strict=True):
        reasons = audit(sample)
        run.flagged_concepts += bool(reasons)
        for reason in reasons:
            flagged[reason].append((concept, sample))
    run.flagged = {key: found for key, found in flagged.items() if found}
    return run


def skip_reasons(report: IngestReport) -> Counter[str]:
    """Skipped files counted by the reason the ingest gave (``file_no_concepts`` ...)."""
    reasons: Counter[str] = Counter()
    for warning in report.warnings:
        if warning.message.key == "file_skipped":
            detail = warning.message.params.get("detail")
            reasons[detail.key if isinstance(detail, Msg) else str(detail)] += 1
    return reasons


def duplicates(concepts: Sequence[Concept]) -> list[list[Concept]]:
    """Groups of concepts sharing a normalised term across different files, largest first."""
    groups: dict[str, list[Concept]] = defaultdict(list)
    for concept in concepts:
        groups[name_key(concept.term)].append(concept)
    found = [g for g in groups.values() if len({c.source_path for c in g}) > 1]
    return sorted(found, key=lambda g: (-len(g), name_key(g[0].term)))


def _where(concept: Concept, root: Path) -> str:
    path = Path(concept.source_path)
    try:
        shown = path.relative_to(root.resolve()).as_posix()
    except ValueError:
        shown = concept.source_path
    return f"{shown}:{concept.source_line}"


def _one_line(text: str, limit: int) -> str:
    flat = " ⏎ ".join(_lines(text))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _print_rows(rows: Sequence[tuple[str, str]], indent: str = "  ") -> None:
    width = max((len(name) for name, _ in rows), default=0)
    for name, value in rows:
        print(f"{indent}{name.ljust(width)}  {value}")


def print_folder(run: FolderRun, examples: int) -> dict[str, object]:
    """Print one folder's quality table and return its figures."""
    report = run.report
    reasons = skip_reasons(report)
    dups = duplicates(run.concepts)
    per_s = len(run.concepts) / run.seconds if run.seconds else 0.0
    print(f"\n== {run.folder.name}")
    skipped = ", ".join(f"{k} {v}" for k, v in reasons.most_common()) or "-"
    _print_rows(
        [
            ("files seen", str(run.files_seen)),
            ("files ingested", str(report.files)),
            ("files skipped", f"{report.files_skipped} ({skipped})"),
            ("concepts", str(len(run.concepts))),
            ("concepts skipped by the parser", str(report.skipped)),
            ("ingest warnings", _warning_summary(report)),
            (
                "concepts flagged by the audit",
                f"{run.flagged_concepts} ({_pct(run.flagged_concepts, len(run.concepts))})",
            ),
            ("duplicate terms across files", f"{len(dups)} ({sum(map(len, dups))} concepts)"),
            ("ingest seconds", f"{run.seconds:.2f}"),
            ("concepts/s", f"{per_s:,.0f}"),
        ]
    )
    skipped_files = [w.path for w in report.warnings if w.message.key == "file_skipped"]
    for path in skipped_files[:examples]:
        print(f"    skipped: {_relative(path, run.folder)}")
    if run.flagged:
        print("  audit, by reason:")
        ordered = sorted(run.flagged.items(), key=lambda item: -len(item[1]))
        for reason, found in ordered:
            print(f"    {reason}: {len(found)}")
            for concept, _ in found[:examples]:
                print(
                    f"      {concept.term} | {_where(concept, run.folder)} | "
                    f"{_one_line(concept.definition, 80)}"
                )
    if dups:
        print("  duplicates (same normalised term in several files):")
        for group in dups[:examples]:
            places = ", ".join(_where(c, run.folder) for c in group[:4])
            more = f" (+{len(group) - 4})" if len(group) > 4 else ""
            print(f"    {group[0].term} | {places}{more}")
    return {
        "files_seen": run.files_seen,
        "files_ingested": report.files,
        "files_skipped": report.files_skipped,
        "skip_reasons": dict(reasons),
        "concepts": len(run.concepts),
        "parser_skipped": report.skipped,
        "flagged": run.flagged_concepts,
        "flagged_by_reason": {k: len(v) for k, v in run.flagged.items()},
        "duplicate_terms": len(dups),
        "seconds": round(run.seconds, 3),
        "concepts_per_s": round(per_s),
    }


def _warning_summary(report: IngestReport) -> str:
    kinds = Counter(w.message.key for w in report.warnings if w.message.key != "file_skipped")
    return ", ".join(f"{key} {count}" for key, count in kinds.most_common()) or "-"


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).relative_to(root.resolve()).as_posix()
    except ValueError:
        return path


def print_sample(run: FolderRun, count: int, seed: int) -> None:
    """Print ``count`` concepts picked at random (reproducibly, with ``seed``) for hand-checking."""
    if count <= 0 or not run.concepts:
        return
    picked = random.Random(seed).sample(run.concepts, min(count, len(run.concepts)))
    print(f"  random sample ({len(picked)}, seed {seed}):")
    for concept in picked:
        print(f"    - {concept.term} | {_where(concept, run.folder)}")
        text = concept.definition[:300] + ("…" if len(concept.definition) > 300 else "")
        for line in text.splitlines():
            if line.strip():
                print(f"        {line}")


def print_lookup(run: FolderRun, cases: Sequence[QueryCase]) -> dict[str, object]:
    """Run the folder's queries through the real lookup, print the figures and every miss."""
    outcomes = evaluate(Knowledge(run.concepts), cases)
    scores = Scores.of(outcomes)
    print(f"  lookup ({scores.queries} queries):")
    _print_rows(
        [
            ("right concept first", f"{scores.percent(scores.right_first)}%"),
            ("confident and right", f"{scores.percent(scores.confident_right)}%"),
            ("confident and wrong", str(scores.confident_wrong)),
            ("not found", str(scores.not_found)),
            ("expected term not ingested", str(scores.expect_missing)),
        ],
        indent="    ",
    )
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_kind[outcome.case.kind].append(outcome)
    kinds = ", ".join(
        f"{kind} {sum(o.right for o in found)}/{len(found)}"
        for kind, found in sorted(by_kind.items())
    )
    print(f"    right first by kind: {kinds}")
    wrong = [o for o in outcomes if o.confident_wrong]
    if wrong:
        print("    confident and wrong:")
        for o in wrong:
            print(f"      {o.case.query!r} -> {o.first!r} (expected {_expected(o.case)})")
    misses = [o for o in outcomes if not o.right]
    if misses:
        print("    misses:")
        for o in misses:
            got = f"{o.first!r} ({o.kind.value})" if o.first else f"nothing ({o.kind.value})"
            note = "" if o.known else "  [expected term not ingested]"
            wanted = _expected(o.case)
            print(f"      {o.case.query!r} [{o.case.kind}] -> {got}; expected {wanted}{note}")
    return scores.as_dict() | {
        "misses": [
            {"query": o.case.query, "expect": o.case.expect, "first": o.first, "kind": o.kind.value}
            for o in misses
        ]
    }


def _expected(case: QueryCase) -> str:
    return " or ".join(repr(term) for term in (case.expect, *case.also))


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.notes_quality")
    parser.add_argument("folders", nargs="+", type=Path, help="notes folders to ingest")
    parser.add_argument("--sample", type=int, default=0, help="print N random concepts")
    parser.add_argument("--seed", type=int, default=1, help="seed for --sample")
    parser.add_argument("--queries", type=Path, help="TOML query file for the lookup evaluation")
    parser.add_argument("--examples", type=int, default=5, help="examples per reason")
    parser.add_argument("--key-points", action="store_true", help="derive key points too")
    parser.add_argument("--list", action="store_true", help="print every concept term")
    args = parser.parse_args(argv)
    cases: list[QueryCase] = []
    if args.queries is not None:
        try:
            cases = load_queries(args.queries.read_text(encoding="utf-8"), str(args.queries))
        except (OSError, QueryFileError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    figures: dict[str, Any] = {"bench": "notes_quality", "folders": {}}
    all_outcomes: list[dict[str, object]] = []
    for folder in args.folders:
        if not folder.is_dir():
            print(f"error: {folder} is not a folder", file=sys.stderr)
            return 2
        run = run_folder(folder, key_points=args.key_points)
        result = print_folder(run, args.examples)
        if args.list:
            print("  concepts:")
            for concept in run.concepts:
                print(f"    {concept.term} | {_where(concept, run.folder)}")
        print_sample(run, args.sample, args.seed)
        mine = [case for case in cases if case.repo == folder.name]
        if mine:
            lookup = print_lookup(run, mine)
            result["lookup"] = lookup
            all_outcomes.append(lookup)
        figures["folders"][folder.name] = result
    if cases:
        used = {folder.name for folder in args.folders}
        unused = sum(case.repo not in used for case in cases)
        total = sum(int(str(o["queries"])) for o in all_outcomes)
        print(f"\nqueries run: {total}; for folders not given: {unused}")
        figures["lookup_total"] = _total(all_outcomes)
    totals = [f for f in figures["folders"].values()]
    figures["concepts"] = sum(int(f["concepts"]) for f in totals)
    figures["flagged"] = sum(int(f["flagged"]) for f in totals)
    print(json.dumps(_compact(figures), ensure_ascii=False))
    return 0


def _total(lookups: Sequence[dict[str, object]]) -> dict[str, object]:
    queries = sum(int(str(x["queries"])) for x in lookups)

    def weighted(key: str) -> float:
        if not queries:
            return 0.0
        total = sum(float(str(x[key])) * int(str(x["queries"])) for x in lookups)
        return round(total / queries, 1)

    return {
        "queries": queries,
        "right_first_pct": weighted("right_first_pct"),
        "confident_right_pct": weighted("confident_right_pct"),
        "confident_wrong": sum(int(str(x["confident_wrong"])) for x in lookups),
        "not_found": sum(int(str(x["not_found"])) for x in lookups),
    }


def _compact(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures without the per-query miss lists (they are printed above)."""
    out = dict(figures)
    out["folders"] = {
        name: {
            k: ({kk: vv for kk, vv in v.items() if kk != "misses"} if k == "lookup" else v)
            for k, v in folder.items()
        }
        for name, folder in figures["folders"].items()
    }
    return out


if __name__ == "__main__":
    sys.exit(main())
