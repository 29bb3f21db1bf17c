"""Parse a markdown notes file into concepts (a pure function: text in, :class:`ParsedNotes` out).

Two shapes of notes are understood, also mixed in one file:

* **Item notes** (the user's own style): ``Term - definition`` lines, plain, bold or as list
  items; ``- CNN은 ...`` list items (a term glued to a topic particle); ``####`` headings as
  categories; indented or directly following lines continue the item above them.
* **Heading notes** (the common public interview repos): a term or a question as a heading with
  its answer below it (paragraphs, lists, blockquotes, ``<details>`` blocks, code, tables).

The parser works in passes, each a small function:

1. :func:`_normalise` - NFC, invisible characters, CRLF/CR, control characters.
2. :class:`_Scanner` - one :class:`_Line` per input line. The block structure comes from a
   CommonMark parser (markdown-it-py, with GFM tables): fenced code (also inside list items and
   quotes) and ``$$`` blocks kept verbatim, headings (ATX and setext), block quotes, HTML blocks,
   link reference definitions and thematic breaks. Each text line is then read as written:
   HTML comments, front matter, images, navigation links and tables of contents dropped,
   blockquote markers and HTML tags stripped.
3. :func:`_build_sections` - the heading tree.
4. :class:`_Collector` - decides for every heading whether it is a *category* (its body holds
   ``Term - definition`` items), a *container* (no body of its own), a *concept* (its body is the
   answer) or a stub to skip, and emits :class:`ParsedConcept` values.

Choices worth knowing:

* A ``Term - definition`` item starts at column 0 or 1 (:data:`MAX_ITEM_INDENT`); everything up
  to the next item start (indented lines, sub-bullets, blank-separated paragraphs, and top-level
  text without a term) belongs to the item above it, so closing paragraphs are never lost.
* The term before `` - `` must be short and name-like, outside parentheses, with balanced
  parentheses; `` / `` outside parentheses names several concepts sharing one item.
* A trailing parenthetical is an alias when it is a short name (``프로세스(Process)``), otherwise
  a description put at the start of the definition (``선형회귀 (직선 / 선형 ...)``).
* A dangling separator at the very end of a definition (``3차원 식에서 사용 /``) is dropped.
* Generic words (장점, 단점, 특징 ... :data:`GENERIC_SUBHEADINGS`) never start an item; as
  sub-headings they stay part of the answer above them.
* A heading whose title names a collection (면접 질문, Interview Questions ...) is never a
  concept; a concept heading's sub-headings are part of its answer, except question-shaped
  ones and categories/containers, which are visited on their own.
* ``**Term**: definition`` is an item too (only with the bold term: ``예: ...`` stays prose).
* Warnings are short English sentences (the ingest layer shows them as they are).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.core.knowledge.text import compact, nfc, normalize_name
from bot.core.models import ParsedConcept, ParsedNotes, ParseWarning

DEFAULT_CATEGORY = "일반"

# --- limits -----------------------------------------------------------------------------------

TAB_WIDTH = 4
#: A term item starts at this column or less; deeper lines continue the item above.
MAX_ITEM_INDENT = 1
#: A term (before `` - `` or glued to a particle) is at most this long ...
MAX_TERM_CHARS = 40
#: ... and has at most this many words.
MAX_TERM_WORDS = 5
#: The whole left side of ``Term (parenthetical) - ``, parenthetical included.
MAX_TERM_SPEC_CHARS = 120
#: A sub-heading is a topic of its own (not a part of the answer above) only with a name this short.
MAX_TOPIC_CHARS = 60
MAX_TOPIC_WORDS = 8
#: A parenthetical is an alias only when it is this short.
MAX_ALIAS_CHARS = 40
MAX_ALIAS_WORDS = 4
#: An unclosed fence the pre-pass could not see costs one more parse, at most this often.
MAX_REPARSES = 3
#: Front matter must close within this many lines of the top.
MAX_FRONT_MATTER_LINES = 60
#: A ``<summary>`` spread over more lines than this is read as ordinary text.
MAX_SUMMARY_LINES = 5
#: A byline (작성자 : ...) is a short line.
MAX_BYLINE_CHARS = 200
#: Labels (목차, Contents ...) are short lines; longer lines are never checked for one.
MAX_LABEL_CHARS = 40
#: Weak items (``- CNN은 ...``) never take a stem longer than this.
MAX_WEAK_STEM_CHARS = 30

# --- warnings (short English; the ingest layer shows them as they are) ------------------------

# Warning keys (texts in bot.core.messages).
WARN_DUPLICATE = "parse_duplicate_term"
WARN_IGNORED_TEXT = "parse_ignored_text"
WARN_NO_DEFINITION = "parse_no_definition"
WARN_UNCLOSED_FENCE = "parse_unclosed_fence"
WARN_UNCLOSED_COMMENT = "parse_unclosed_comment"

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
    }
)  # fmt: skip
#: Words that make ``X의 <word>`` a part of X's answer (차이 is not one: a comparison is a topic).
_GENERIC_TAILS = frozenset(
    {
        "장점", "단점", "장단점", "특징", "한계", "문제점", "예시", "예제", "구조", "원리",
        "동작원리", "동작", "사용법", "정의", "개념", "필요성", "목적", "용도", "활용", "구현",
        "과정", "방법", "특성", "주의점", "주의사항", "해결책", "해결방법", "종류",
    }
)  # fmt: skip
#: Heading words for who wrote or maintains the notes (never concepts, bodies dropped).
BYLINE_TITLES = frozenset(
    {
        "contributor", "contributors", "member", "members", "멤버", "멤버소개", "팀원",
        "팀원소개", "참여자", "참여인원", "기여자", "작성자", "author", "authors", "license",
        "라이선스", "라이센스", "스터디원", "스터디멤버",
    }
)  # fmt: skip
#: Parentheticals that annotate a term and are never an alias of it.
ANNOTATIONS = frozenset(
    {"중요", "필수", "추가", "todo", "정리중", "작성중", "참고", "심화", "복습"}
)
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

_SUMMARY_LABEL_WORDS = (
    "답변", "정답", "답", "해설", "풀이", "설명", "내용", "코드", "예시", "결과", "answer",
    "answers", "solution", "explanation", "details", "detail", "click", "clickme", "here",
    "show", "hide", "expand", "toggle", "open", "more", "see", "to", "the", "me", "보기",
    "확인", "확인하기", "펼치기", "펼쳐보기", "접기", "더보기", "열기", "클릭", "하기", "이곳을",
    "여기를", "눌러", "주세요", "서", "보세요",
)  # fmt: skip

# --- regular expressions ----------------------------------------------------------------------

_SOFT_BREAKS = re.compile("[\x0b\x0c\x85\u2028\u2029]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_QUOTE = re.compile(r"^( {0,7})>(?:[ \t]*>)*[ \t]?")
_MATH_FENCE = re.compile(r"^\s*\$\$\s*$")
#: ``$$`` blocks are handed to the CommonMark parser as fences with this mark and info string.
_MATH_MARK = "`" * 7
_MATH_INFO = "interview-bot-math"
#: A line that may open a fence / that may close one (only fence characters).
_FENCE_OPENER = re.compile(r"^[ \t]*(?:>[ \t]*)*(?:[-*+][ \t]+|\d{1,9}[.)][ \t]+)*(`{3,}|~{3,})")
_ROOT_FENCE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})")
_FENCE_CLOSER = re.compile(r"^[ \t]*(?:>[ \t]*)*(`{3,}|~{3,})[ \t]*$")
_INLINE_COMMENT = re.compile(r"<!--.*?-->", re.S)
_CONTAINERS = frozenset(
    {"blockquote_open", "blockquote_close", "list_item_open", "list_item_close"}
)
_RULE_CHARS = re.compile(r"-{3,}|\*{3,}|_{3,}|={3,}")
_FRONT_MATTER_KEY = re.compile(r"^[\w-]+\s*:")
_SUMMARY_FULL = re.compile(r"<summary\b[^<>]*>(.*?)</summary\s*>", re.I)
_SUMMARY_OPEN = re.compile(r"<summary\b[^<>]*>", re.I)
_SUMMARY_CLOSE = re.compile(r"</summary\s*>", re.I)
_TAG_NAMES = (
    "details|summary|br|img|a|p|div|sup|sub|b|i|u|s|em|strong|code|pre|span|small|big|center|"
    "font|mark|del|ins|kbd|hr|blockquote|ul|ol|li|table|thead|tbody|tfoot|tr|th|td|dl|dt|dd|"
    "figure|figcaption|h[1-6]|section|article|header|footer|nav|abbr|cite|q|tt|strike|picture|"
    "source|video|iframe|input|label|image"
)
_HTML_TAG = re.compile(rf"</?(?:{_TAG_NAMES})(?=[\s/>])[^<>]*>", re.I)
_BREAK_TAG = re.compile(r"<br\s*/?>", re.I)
_SUP_TAG = re.compile(r"<sup\b[^<>]*>", re.I)
_IMAGE = re.compile(r"!\[[^\[\]]*\]\([^()]*(?:\([^()]*\)[^()]*)*\)")
_LINK = re.compile(
    r"\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]"  # link text, one level of [brackets] inside
    r"\((?P<url>[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+[\"'][^\"']*[\"'])?\s*\)"
)
_REF_LINK = re.compile(r"\[(?P<text>[^\[\]]+)\]\[[^\[\]]*\]")
_BYLINE = re.compile(
    r"^(?:작성자|글쓴이|author|authors|written\s+by|writer|contributors?)(?=[\s:：|,]|$)",
    re.I,
)
#: A sentence that only leads to something else (a figure, a file, the text below).
_LEAD_IN = re.compile(
    r"(?:알아보자|살펴보자|정리해\s*보자|알아봅시다|살펴봅시다|(?:다음과|아래와)\s*같다|"
    r"(?:다음과|아래와)\s*같습니다|참고하자|참고하세요)\s*[.!:]?$"
)
_DEFINITION_MARK = re.compile(r"^[:：]\s+")
#: A table's header separator (``|---|:---:|``) or one of its cells.
_RULE_CELL = re.compile(r"^[\s|:\-]+$")
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
_HEADING_COLON = re.compile(r"\s*[:：]\s+")
#: A markdown backslash escape (``\[7]``): in a title, the character itself.
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_WEB_URL = re.compile(r"^https?://\S+$", re.I)
_BARE_URL = re.compile(r"<?https?://[^\s<>]+>?")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EMOJI_CODE = re.compile(r":[a-z][a-z0-9_+-]*:")
_LIST_MARKER = re.compile(r"^(?:[-*+•]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?")
_NUMBERING = re.compile(
    r"^(?:(?:\d+(?:[.-]\d+)*[.)]|\(\d+(?:-\d+)?\))(?:\s+|(?=[^\d\s.)]))"
    r"|\d+(?:\.\d+)+\s+|\d\ufe0f?\u20e3\s*)"
)
_TAG_PREFIX = re.compile(r"^\[[^\[\]]{1,20}\]\s*")
_Q_MARKER = re.compile(r"^(?:Q\s*\d*|질문\s*\d*)\s*[.:)：]\s*", re.I)
_ANSWER_MARKER = re.compile(r"^(?:A\s*\d*|답변?|answer)\s*[.:)：]\s*", re.I)
_BOLD_COLON_TERM = re.compile(r"^\*\*[^*]+?(?:\*\*\s*[:：]|[:：]\*\*)(?:\s|$)")
_SEPARATOR = re.compile(r"[ \t][-–—]{1,2}(?=[ \t]|$)")
_BRACKETS = re.compile(r"[()\[\]（）]")
_DANGLING_SEPARATOR = re.compile(r"\s+/$")
_NOT_NAME = re.compile(r"[,;!?\"“”<>|=`{}]|->|=>|\.(?:\s|$)|:(?:\s|$)|\s/\s")
_SENTENCE_END = re.compile(
    r"(?:습니다|니다|어요|아요|해요|세요|이다|한다|된다|있다|없다|했다|였다|는다)$"
)
_NAV_WORDS = re.compile(
    r"^(?:top|back|back to top|go to top|to top|home|back to home|go back|"
    r"목록|목록으로|목록으로 가기|위로|맨 위로|맨위로|위로 가기|상단으로|처음으로|"
    r"목차|목차로|목차로 가기|뒤로|뒤로 가기|돌아가기|홈|홈으로|"
    r"(?:이전|다음)(?:\s*글)?(?:\s.*)?|(?:prev|previous|next)(?:\s+(?:page|post|chapter))?)$",
    re.I,
)
_BARE_BRACKETS = re.compile(r"\[(?P<text>[^\[\]]*)\](?![(\[])")
_TOC_HINT = re.compile(r"목차|차례|content|toc|index", re.I)
_TOC_LABEL = re.compile(r"^(?:목차|차례|contents|table of contents|toc|index)$", re.I)
_REFERENCE_LABEL = re.compile(
    r"^(?:references?|reference links?|sources?|참고(?:\s*(?:자료|문헌|링크|사이트|글|블로그))?|"
    r"출처|관련\s*링크|더\s*읽을\s*거리|further reading|see also|links?)\s*[:：]?\s*",
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
        r"(?P<t>.+?)(?P<p>을|를)\s*(?:설명|정의|비교|말해|알려|소개).*",
        r"(?P<t>.+?)(?P<p>이란|란)\s*(?:무엇|뭐|뭔|어떤|어떻게).*",
        r"(?P<t>.+?)(?P<p>은|는|이|가)\s*(?:무엇|뭐|뭔|어떤\s*(?:것|개념|의미|뜻)).*",
        r"(?P<t>.+?)\s*(?:설명\s*해\s*(?:주세요|주십시오|보세요|봐|줘|라)|설명하시오|설명하세요).*",
        r"(?P<t>.+?)(?P<p>이란|란)",
        r"(?P<t>.+?)(?P<p>은|는)",
    )
)


# --- the public function ----------------------------------------------------------------------


def parse_notes(text: str, *, default_category: str = DEFAULT_CATEGORY) -> ParsedNotes:
    """Parse a notes file (already decoded) into concepts, in the order they appear.

    ``default_category`` is the category of concepts before any category heading. Never raises
    on any input: text it cannot place is reported in ``warnings``; question-only items,
    link-only stubs and empty headings are counted in ``skipped``.
    """
    scanner = _Scanner(_normalise(text))
    lines = scanner.scan()
    collector = _Collector(default_category)
    collector.visit_root(_build_sections(lines))
    concepts, duplicates = _drop_duplicates(collector.concepts)
    warnings = sorted([*scanner.warnings, *collector.warnings, *duplicates], key=lambda w: w.line)
    return ParsedNotes(tuple(concepts), collector.skipped, tuple(warnings))


# --- pass 1: normalisation --------------------------------------------------------------------


def _normalise(text: str) -> list[str]:
    """NFC, no BOM or zero-width characters, LF line ends, no control characters."""
    text = nfc(text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", _SOFT_BREAKS.sub(" ", text))
    return text.split("\n")


# --- pass 2: lines ----------------------------------------------------------------------------


class _Kind(Enum):
    BLANK = "blank"
    TEXT = "text"
    HEADING = "heading"
    CODE = "code"


@dataclass(slots=True)
class _Line:
    """One input line as the scanner understood it.

    ``text`` keeps the indentation (leading tabs expanded) for TEXT lines and the raw line for
    CODE lines; for a HEADING it is the clean heading text and ``level`` its level.
    """

    number: int
    kind: _Kind
    text: str = ""
    indent: int = 0
    level: int = 0
    quoted: bool = False
    link_only: bool = False
    summary: bool = False
    ref_label: bool = False
    colon_term: bool = False  # **Term**: definition (bold term, then a colon)
    nav_row: bool = False  # a table row with a cell that is only a link or a check mark

    @property
    def content(self) -> str:
        """The text without its indentation."""
        return self.text.lstrip()

    @property
    def has_text(self) -> bool:
        """Whether the line holds anything (code counts, blanks do not)."""
        return self.kind in (_Kind.TEXT, _Kind.CODE) and bool(self.text.strip())


class _Role(Enum):
    """What the CommonMark parser made of a source line."""

    NONE = "none"  # blank, a link reference definition, a thematic break, an underline
    TEXT = "text"  # paragraph, list item, table, HTML block
    CODE = "code"  # inside a fenced block (fence lines included)
    HEADING = "heading"  # an ATX heading or a setext heading's text line


@dataclass(slots=True)
class _Block:
    """A heading or a fence as the CommonMark parser found it."""

    start: int
    end: int
    title: str = ""
    level: int = 0
    fence: str = ""  # the fence's markup; "" for headings
    setext: bool = False


def _markdown() -> MarkdownIt:
    """CommonMark with GFM tables; indented code is off (notes indent continuation text)."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").disable("code")


_MD = _markdown()


class _Scanner:
    """Turns normalised lines into :class:`_Line` values (one per input line, same numbers).

    Block structure comes from the CommonMark parser (markdown-it-py): which lines are fenced
    code, headings, block quotes, HTML blocks, tables and thematic breaks. The note-shape rules
    then read each text line as written (list markers and indentation kept), so items such as
    ``Term - definition`` are found the way the note's author typed them.
    """

    def __init__(self, raw: list[str]) -> None:
        self.raw = raw
        self.warnings: list[ParseWarning] = []
        self._in_comment = False
        self._summary_lines = 0  # > 0 while inside a multi-line <summary>
        self._last_comment_close = -1
        for index, line in enumerate(raw):
            if "-->" in line:
                self._last_comment_close = index

    def scan(self) -> list[_Line]:
        """All lines, front matter blank, fences verbatim, headings recognised."""
        roles, quoted, blocks = self._structure()
        fence_ends = {block.end - 1: block for block in blocks.values() if block.fence}
        lines: list[_Line] = []
        for index, raw in enumerate(self.raw):
            number = index + 1
            role = roles[index]
            block = blocks.get(index)
            if role is _Role.CODE:
                lines.append(_code(number, _strip_quote(raw)[0] if quoted[index] else raw))
                opened = fence_ends.get(index)
                if opened is not None and (
                    opened.start == index or not _closes(lines[-1].text, opened.fence)
                ):
                    # a fence its list item or quote ended without a closer: close it
                    indent = _fence_indent(lines, opened)
                    closer = " " * indent + opened.fence
                    lines.append(_Line(number, _Kind.CODE, closer, indent=indent))
            elif role is _Role.HEADING and block is not None:
                if block.setext and not self._setext_fits(lines, block):
                    lines.append(self._line(index, raw, False))
                    continue
                title = _clean_title(_heading_text(block.title))
                kind = _Kind.HEADING if title else _Kind.BLANK
                lines.append(_Line(number, kind, title, level=block.level))
            elif role is _Role.TEXT:
                lines.append(self._line(index, raw, quoted[index]))
            else:
                lines.append(_Line(number, _Kind.BLANK))
        _drop_reference_lists(lines)
        _drop_navigation_tables(lines)
        return lines

    @staticmethod
    def _setext_fits(lines: Sequence[_Line], block: _Block) -> bool:
        """A setext heading (``Title`` over ``===`` / ``---``) counts only as a one-line title
        after a blank line or a heading, and never when it is a table row or a term item."""
        before = lines[-1] if lines else None
        return (
            (before is None or before.kind in (_Kind.BLANK, _Kind.HEADING))
            and not block.title.startswith("|")
            and _split_term_definition(block.title) is None
        )

    # -- structure from the CommonMark parser

    def _structure(self) -> tuple[list[_Role], list[bool], dict[int, _Block]]:
        """Each line's role, whether it is quoted, and the headings and fences by first line."""
        source = list(self.raw)
        for index in range(_front_matter_end(source)):
            source[index] = ""
        self._prepare(source)
        tokens = _MD.parse("\n".join(source))
        for _ in range(MAX_REPARSES):
            unclosed = _unclosed_fence(tokens, source)
            if unclosed is None:
                break
            self.warnings.append(ParseWarning(unclosed + 1, WARN_UNCLOSED_FENCE))
            source[unclosed] = _escape_fence(source[unclosed])
            tokens = _MD.parse("\n".join(source))
        count = len(source)
        roles = [_Role.NONE] * count
        quoted = [False] * count
        blocks: dict[int, _Block] = {}
        containers = 0  # list items and block quotes open around the current token
        for position, token in enumerate(tokens):
            if token.type in _CONTAINERS:
                containers += token.nesting
            if token.map is None:
                continue
            start, end = token.map[0], min(token.map[1], count)
            if token.type == "blockquote_open":
                quoted[start:end] = [True] * (end - start)
            elif token.type == "fence":
                fence = "$$" if token.info == _MATH_INFO else token.markup
                blocks[start] = _Block(start, end, fence=fence)
                roles[start:end] = [_Role.CODE] * (end - start)
            elif token.type == "heading_open":
                setext = token.markup in ("=", "-")
                if containers or (setext and end - start > 2):
                    roles[start:end] = [_Role.TEXT] * (end - start)  # text, as the note means
                    if setext:
                        roles[end - 1] = _Role.NONE
                    continue
                roles[start] = _Role.HEADING
                title = tokens[position + 1].content
                blocks[start] = _Block(start, end, title, int(token.tag[1]), setext=setext)
            elif token.type in ("paragraph_open", "html_block", "table_open"):
                for index in range(start, end):
                    if roles[index] is _Role.NONE:
                        roles[index] = _Role.TEXT
        return roles, quoted, blocks

    def _prepare(self, source: list[str]) -> None:
        """Make the CommonMark parser see what the notes mean: ``$$`` blocks as fences, and
        openers that never close (a fence or a comment) as text."""
        closes = [index for index, line in enumerate(source) if _MATH_FENCE.match(line)]
        opened: int | None = None
        for index in closes:
            if opened is None:
                if index != closes[-1]:
                    opened = index
                    indent = source[index][: len(source[index]) - len(source[index].lstrip())]
                    source[index] = f"{indent}{_MATH_MARK}{_MATH_INFO}"
            else:
                indent = source[index][: len(source[index]) - len(source[index].lstrip())]
                source[index] = f"{indent}{_MATH_MARK}"
                opened = None
        last_close = {"`": -1, "~": -1}
        for index, line in enumerate(source):
            closer = _FENCE_CLOSER.match(line)
            if closer is not None:
                last_close[closer[1][0]] = index
        fence = ""  # the fence open at this line, as the pre-pass pairs them
        for index, line in enumerate(source):
            if fence:
                closer = _FENCE_CLOSER.match(line)
                if closer is not None and closer[1].startswith(fence):
                    fence = ""
                continue
            opener = _FENCE_OPENER.match(line)
            if opener is not None and not (opener[1][0] == "`" and "`" in line[opener.end() :]):
                if last_close[opener[1][0]] <= index:
                    # unclosed: at the top level it would swallow the rest of the file (a list
                    # item's or a quote's fence ends with it, which CommonMark does by itself)
                    if _ROOT_FENCE.match(line):
                        self.warnings.append(ParseWarning(index + 1, WARN_UNCLOSED_FENCE))
                        source[index] = _escape_fence(line)
                else:
                    fence = opener[1]
                    continue
            opens = line.lstrip().startswith("<!--")
            if opens and self._last_comment_close < index and "-->" not in line:
                source[index] = line.replace("<!--", "&lt;!--", 1)

    # -- one text line

    def _line(self, index: int, raw: str, quoted: bool) -> _Line:
        number = index + 1
        if not raw.strip():
            return _Line(number, _Kind.BLANK)
        text = self._drop_comments(index, raw)
        if quoted:
            text = _strip_quote(text)[0]
        if "data:image" in text:
            return _Line(number, _Kind.BLANK)
        text, summary = self._summary(text)
        text = _strip_tags(text)
        if "![" in text:
            text = _IMAGE.sub("", text)
        text = _expand_indent(text).rstrip()
        content = text.lstrip()
        if not content or _RULE_CHARS.fullmatch(content.replace(" ", "")):
            return _Line(number, _Kind.BLANK)
        indent = len(text) - len(content)
        return self._text_line(number, text, indent, quoted, summary)

    def _text_line(self, number: int, text: str, indent: int, quoted: bool, summary: bool) -> _Line:
        content = _LIST_MARKER.sub("", text.lstrip())
        if (
            _is_navigation(content)
            or (
                len(content) <= MAX_LABEL_CHARS
                and _TOC_HINT.search(content)
                and _TOC_LABEL.match(_decoration_free(content))
            )
            or _is_byline(content)
        ):
            return _Line(number, _Kind.BLANK)
        if _DEFINITION_MARK.match(content):  # ": definition" (a definition-list line)
            text = text.replace(":", "", 1)
            content = _DEFINITION_MARK.sub("", content)
        link_only = _is_link_only(content)
        nav_row = content.startswith("|") and _is_navigation_row(content)
        ref_label = False
        plain = content.replace("**", "") if content.startswith("**") else content
        label = _REFERENCE_LABEL.match(plain)
        if label is not None and label.end() > 0:
            rest = plain[label.end() :]
            if not rest.strip(" *"):
                ref_label = True
            elif _is_link_only(rest):
                return _Line(number, _Kind.BLANK)
        colon_term = bool(_BOLD_COLON_TERM.match(content))
        text = _inline_text(text)
        if not text.strip():
            return _Line(number, _Kind.BLANK)
        return _Line(
            number,
            _Kind.TEXT,
            text,
            indent=indent,
            quoted=quoted,
            link_only=link_only,
            summary=summary,
            ref_label=ref_label,
            colon_term=colon_term,
            nav_row=nav_row,
        )

    def _drop_comments(self, index: int, text: str) -> str:
        """``text`` without HTML comments; a comment may span lines (state kept between calls)."""
        if "<!--" not in text and not self._in_comment:
            return text
        kept: list[str] = []
        pos = 0
        while True:
            if self._in_comment:
                end = text.find("-->", pos)
                if end < 0:
                    return "".join(kept)
                self._in_comment = False
                pos = end + 3
            start = text.find("<!--", pos)
            if start < 0:
                kept.append(text[pos:])
                return "".join(kept)
            kept.append(text[pos:start])
            end = text.find("-->", start + 4)
            if end >= 0:
                pos = end + 3
            elif self._last_comment_close > index:
                self._in_comment = True
                pos = len(text)
            else:
                self.warnings.append(ParseWarning(index + 1, WARN_UNCLOSED_COMMENT))
                kept.append(text[start:])
                return "".join(kept)

    def _summary(self, text: str) -> tuple[str, bool]:
        """Handle ``<summary>``: a label (답변, Answer ...) is dropped, other text is kept and
        flagged (a question there may start an item)."""
        if "<" not in text and self._summary_lines == 0:
            return text, False
        full = _SUMMARY_FULL.search(text)
        if full is not None:
            inner = _summary_text(full[1])
            rest = text[: full.start()] + text[full.end() :]
            if _is_summary_label(inner):
                return rest, False
            return f"{text[: full.start()]}{inner} {text[full.end() :]}", True
        opened = _SUMMARY_OPEN.search(text)
        if opened is not None:
            self._summary_lines = MAX_SUMMARY_LINES
            inner = _summary_text(text[opened.end() :])
            return ("", False) if _is_summary_label(inner) else (inner, True)
        if self._summary_lines > 0:
            self._summary_lines -= 1
            closed = _SUMMARY_CLOSE.search(text)
            if closed is not None:
                self._summary_lines = 0
                inner, rest = _summary_text(text[: closed.start()]), text[closed.end() :]
                return (rest, False) if _is_summary_label(inner) else (f"{inner} {rest}", True)
            inner = _summary_text(text)
            return ("", False) if _is_summary_label(inner) else (inner, True)
        return text, False


def _code(number: int, text: str) -> _Line:
    text = text.rstrip()
    indent = len(_expand_indent(text)) - len(text.lstrip())
    return _Line(number, _Kind.CODE, text, indent=indent)


def _heading_text(inline: str) -> str:
    """A heading's inline source without comments, tags and images."""
    inline = _INLINE_COMMENT.sub("", inline)
    inline = _strip_tags(inline)
    return _IMAGE.sub("", inline) if "![" in inline else inline


def _closes(text: str, fence: str) -> bool:
    """Whether ``text`` (a code line) closes a block opened with ``fence``."""
    stripped = text.strip()
    if fence == "$$":
        return stripped == "$$"
    return len(stripped) >= len(fence) and stripped == fence[0] * len(stripped)


def _unclosed_fence(tokens: Sequence[Token], source: Sequence[str]) -> int | None:
    """The first line of a fence that runs to the end of the file without closing, if any.

    CommonMark lets such a fence swallow the rest of the file; a note means text there (a fence
    inside a list item or a quote ends with it, which is kept)."""
    last = len(source)
    while last > 0 and not source[last - 1].strip():
        last -= 1
    for token in tokens:
        if token.type != "fence" or token.map is None or token.level > 0:
            continue
        start, end = token.map
        if end >= last and (end - 1 == start or not _closes(source[end - 1], token.markup)):
            return start
    return None


def _escape_fence(line: str) -> str:
    """``line`` with its fence escaped, so the CommonMark parser reads it as text."""
    match = _FENCE_OPENER.match(line)
    at = match.start(1) if match is not None else len(line) - len(line.lstrip())
    return f"{line[:at]}\\{line[at:]}"


def _fence_indent(lines: Sequence[_Line], block: _Block) -> int:
    """The indentation of a fence's opening line (its closer goes in the same column)."""
    first = next(line for line in lines if line.number == block.start + 1)
    return first.indent


def _front_matter_end(raw: Sequence[str]) -> int:
    """How many top lines are YAML front matter (``---`` ... ``---``), 0 when there is none."""
    if not raw or raw[0].strip() != "---":
        return 0
    for index in range(1, min(len(raw), MAX_FRONT_MATTER_LINES)):
        if raw[index].strip() in ("---", "..."):
            body = raw[1:index]
            return index + 1 if any(_FRONT_MATTER_KEY.match(s) for s in body) else 0
    return 0


def _strip_quote(text: str) -> tuple[str, bool]:
    """Remove blockquote markers (``> ``, nested ``> >``), keeping the indentation before them."""
    match = _QUOTE.match(text)
    if match is None:
        return text, False
    return match[1] + text[match.end() :], True


def _expand_indent(text: str) -> str:
    """Expand tabs in the leading whitespace only (tabs inside the text are left alone)."""
    stripped = text.lstrip(" \t")
    return text[: len(text) - len(stripped)].expandtabs(TAB_WIDTH) + stripped


def _strip_tags(text: str) -> str:
    """Handle real HTML tags only (``<GPT, BERT ...`` and ``<머신러닝 ...>`` are text)."""
    if "<" not in text:
        return text
    text = _BREAK_TAG.sub(" ", text)
    text = _SUP_TAG.sub("^", text)
    return _HTML_TAG.sub("", text)


def _keep_web_link(match: re.Match[str]) -> str:
    """A link to the web stays a markdown link; one into the notes' own files or page (which
    a chat reader cannot follow) becomes its text."""
    url = match["url"].strip("<>")
    if _WEB_URL.match(url) and match["text"].strip():
        return f"[{match['text']}]({url})"
    return match["text"]


def _inline_text(text: str, *, links: bool = True) -> str:
    """Bold marks removed, HTML entities decoded; web links kept as markdown links (``links``),
    other links (and all of them when not ``links``) to their text."""
    if "[" in text:
        text = _LINK.sub(_keep_web_link if links else lambda m: m["text"], text)
        text = _REF_LINK.sub(lambda m: m["text"], text)
    if "**" in text:
        text = _BOLD.sub(r"\1", text)
    if "&" in text:
        text = html.unescape(text)
    return text


def _clean_title(text: str) -> str:
    """A heading's text as shown: no markdown marks, emoji codes or decoration at the ends."""
    text = _inline_text(text, links=False).replace("`", "")
    text = _ESCAPED.sub(r"\1", _EMOJI_CODE.sub("", text))
    text = " ".join(text.split())
    return _strip_symbols(text).rstrip(":：").strip()


def _strip_symbols(text: str) -> str:
    """Remove emoji and other pictographs at both ends."""
    start, end = 0, len(text)
    while start < end and _is_symbol(text[start]):
        start += 1
    while end > start and _is_symbol(text[end - 1]):
        end -= 1
    return text[start:end].strip()


def _is_symbol(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("So", "Sk", "Mn", "Me", "Cf")


def _decoration_free(text: str) -> str:
    """``text`` without emoji codes, bold marks and symbols: what a label really says."""
    text = _EMOJI_CODE.sub("", text.replace("**", ""))
    return " ".join("".join(c if c.isalnum() or c in " &" else " " for c in text).split())


def _is_decoration(text: str) -> bool:
    """Whether ``text`` holds no letter or digit (arrows, pipes, emoji, punctuation)."""
    return not any(char.isalnum() for char in _EMOJI_CODE.sub("", text))


def _is_navigation(content: str) -> bool:
    """A line made only of in-page links or navigation links (TOC entries, ⬆ Top, 이전/다음)."""
    if "[" not in content:
        return False
    found = False

    def drop(match: re.Match[str]) -> str:
        nonlocal found
        label = _decoration_free(match["text"])
        if match["url"].startswith("#") or _NAV_WORDS.match(label):
            found = True
            return ""
        return match[0]

    def drop_label(match: re.Match[str]) -> str:
        nonlocal found
        if _NAV_WORDS.match(_decoration_free(match["text"])):
            found = True
            return ""
        return match[0]

    rest = _LINK.sub(drop, content.replace("**", ""))
    rest = _BARE_BRACKETS.sub(drop_label, rest)
    return found and _is_decoration(rest)


def _is_link_only(content: str) -> bool:
    """A line made only of links or bare URLs (a pointer to an answer elsewhere)."""
    if "[" not in content and "http" not in content:
        return False
    rest, links = _LINK.subn("", content)
    rest, urls = _BARE_URL.subn("", rest)
    return links + urls > 0 and _is_decoration(rest)


def _summary_text(text: str) -> str:
    return _clean_title(_strip_tags(text))


def _is_summary_label(text: str) -> bool:
    """답변, 정답 보기, Answer, Click to expand ...: a label, not content."""
    if len(text) > MAX_LABEL_CHARS:
        return False
    words = _decoration_free(text).casefold().split()
    if not words:
        return True
    joined = "".join(words)
    return _split_into(joined, _SUMMARY_LABEL_WORDS) or bool(_TOC_LABEL.match(" ".join(words)))


def _is_byline(content: str) -> bool:
    """``작성자 : [이름](...)``, ``Author: ...``: who wrote the note, not what it says."""
    plain = content.replace("**", "").lstrip("> ")
    return len(plain) <= MAX_BYLINE_CHARS and _BYLINE.match(plain) is not None


def _is_navigation_row(content: str) -> bool:
    """A table row with a cell that is only a link or only a check mark / emoji (a study
    tracker or an index of pages), never a row of a comparison table."""
    cells = [cell.strip() for cell in content.strip().strip("|").split("|")]
    return any(
        cell and (_is_link_only(cell) or (_is_decoration(cell) and not _RULE_CELL.match(cell)))
        for cell in cells
    )


def _drop_navigation_tables(lines: list[_Line]) -> None:
    """A table most of whose rows point elsewhere (links, check marks) is an index: dropped."""
    index = 0
    while index < len(lines):
        if not (lines[index].kind is _Kind.TEXT and lines[index].content.startswith("|")):
            index += 1
            continue
        end = index
        while (
            end < len(lines)
            and lines[end].kind is _Kind.TEXT
            and lines[end].content.startswith("|")
        ):
            end += 1
        rows = [line for line in lines[index:end] if not _RULE_CELL.fullmatch(line.content)]
        if rows and 2 * sum(line.nav_row for line in rows) >= len(rows):
            for i in range(index, end):
                lines[i] = _Line(lines[i].number, _Kind.BLANK)
        index = end


def _split_into(text: str, words: Sequence[str]) -> bool:
    """Whether ``text`` is a concatenation of ``words`` (small dynamic programme)."""
    reachable = [True] + [False] * len(text)
    for end in range(1, len(text) + 1):
        reachable[end] = any(
            reachable[end - len(w)] for w in words if len(w) <= end and text.endswith(w, 0, end)
        )
    return reachable[-1]


def _drop_reference_lists(lines: list[_Line]) -> None:
    """``참고:`` / ``**References**`` and the link-only lines after it are dropped, and so is
    everything indented below such a label (the sources listed in its list item)."""
    index = 0
    while index < len(lines):
        if lines[index].kind is _Kind.TEXT and lines[index].ref_label:
            label = lines[index].indent
            follow = index + 1
            while follow < len(lines) and (
                lines[follow].kind is _Kind.BLANK
                or (lines[follow].kind is _Kind.TEXT and lines[follow].link_only)
                or (lines[follow].kind is _Kind.TEXT and lines[follow].indent > label + 1)
            ):
                follow += 1
            if any(lines[i].link_only for i in range(index + 1, follow)):
                for i in range(index, follow):
                    lines[i] = _Line(lines[i].number, _Kind.BLANK)
            index = follow
        else:
            index += 1


# --- pass 3: sections -------------------------------------------------------------------------


@dataclass(slots=True)
class _Section:
    """A heading with the lines up to its first sub-heading (``body``) and its sub-headings."""

    title: str
    level: int
    line: int
    body: list[_Line] = field(default_factory=list)
    children: list[_Section] = field(default_factory=list)
    _parsed: _Body | None = None

    @property
    def parsed(self) -> _Body:
        """The body split into items (computed once)."""
        if self._parsed is None:
            self._parsed = _parse_body(self.body)
        return self._parsed


def _build_sections(lines: Iterable[_Line]) -> _Section:
    root = _Section("", 0, 0)
    stack = [root]
    for line in lines:
        if line.kind is _Kind.HEADING:
            while stack[-1].level >= line.level:
                stack.pop()
            section = _Section(line.text, line.level, line.number)
            stack[-1].children.append(section)
            stack.append(section)
        else:
            stack[-1].body.append(line)
    return root


# --- terms, questions, aliases ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Term:
    """One term named by a note: display text, aliases, and a non-name parenthetical."""

    term: str
    aliases: tuple[str, ...] = ()
    description: str = ""


def _is_name_like(
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


def _is_alias(inner: str, core: str) -> bool:
    inner = inner.strip()
    return (
        _is_name_like(inner, MAX_ALIAS_CHARS, MAX_ALIAS_WORDS)
        and compact(inner.casefold()) not in ANNOTATIONS
        and normalize_name(inner) != normalize_name(core)
    )


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


def _term_from_name(text: str) -> _Term | None:
    """A term from a name with an optional trailing parenthetical, or None if not name-like."""
    core, inner = _split_paren(text)
    if not _is_name_like(core):
        return None
    if inner is None or not inner:
        return _Term(core)
    if _is_alias(inner, core):
        return _Term(core, (inner,))
    return _Term(core, description=f"({inner})")


def _shape_aliases(term: _Term) -> tuple[str, ...]:
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
    if bare and bare != term.term and _is_name_like(bare):
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


def _split_term_definition(content: str) -> tuple[tuple[_Term, ...], str, str | None] | None:
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
            term = _term_from_question(left)
            if term is not None:
                return (term,), definition, _question_text(left)
            return None
        terms = [_term_from_name(part) for part in _split_top_level(left, " / ")]
        if all(term is not None for term in terms):
            return tuple(t for t in terms if t is not None), definition, None
        return None
    return None


def _split_colon_definition(content: str) -> tuple[tuple[_Term, ...], str, str | None] | None:
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


def _weak_term(content: str) -> _Term | None:
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
            and not _is_generic_title(stem)
            and _particle_fits(stem, particle)
        ):
            return _term_from_name(stem)
    return None


def _strip_question_prefix(text: str) -> str:
    text = _Q_MARKER.sub("", text.strip())
    return _TAG_PREFIX.sub("", _NUMBERING.sub("", text)).strip()


def _is_question(text: str) -> bool:
    """A question or an interview prompt: ``?``, ``Q.``, ``설명해주세요``, ``X란``, ``What is``."""
    text = text.strip()
    if not text or not any(char.isalnum() for char in text):
        return False
    if _Q_MARKER.match(text):
        return True
    text = _NUMBERING.sub("", text).rstrip(" .!。")
    return bool(
        _QUESTION_MARK.search(text)
        or _KO_QUESTION_END.search(text)
        or _EN_QUESTION_START.match(text)
    )


def _question_text(text: str) -> str:
    """The question as asked: no ``Q.`` marker or numbering."""
    return _strip_question_prefix(text) or text.strip()


def _term_from_question(text: str) -> _Term | None:
    """The term a question is about: ``프로세스(Process)란?`` -> 프로세스 (alias Process),
    ``What is a process?`` -> process, ``X의 차이점은?`` -> X의 차이점."""
    text = _strip_question_prefix(text).rstrip(" ?？.!。")
    term = _english_question_term(text) or _korean_question_term(text) or text
    term = term.strip(" ,.:")
    if not term:
        return None
    core, inner = _split_paren(term)
    if inner and core and _is_alias(inner, core):
        return _Term(core, (inner,))
    return _Term(term)


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
class _Heading:
    term: _Term | None
    question: str | None


def _parse_heading(title: str) -> _Heading:
    """The term and question a heading names (``### Q. 프로세스란?`` -> 프로세스, 프로세스란?)."""
    if _is_question(title):
        return _Heading(_term_from_question(title), _question_text(title))
    text = _strip_symbols(_NUMBERING.sub("", title))
    if text.startswith("[") and text.endswith("]") and text.count("[") == 1:
        text = _strip_symbols(text[1:-1])  # [ 이진 탐색 트리의 단점 ], [ 👶 Minor GC ]
    text = _TAG_PREFIX.sub("", text).strip() or text.strip("[] ") or title
    described = _HEADING_COLON.search(text)
    if described is not None:  # 응용 계층 (Application Layer) : 데이터 단위 message
        left, right = text[: described.start()].strip(), text[described.end() :].strip()
        term = _term_from_name(left) if right else None
        if term is not None:
            return _Heading(replace(term, description=right), None)
    core, inner = _split_paren(text)
    if inner and core and _is_alias(inner, core):
        return _Heading(_Term(core, (inner,)), None)
    return _Heading(_Term(text) if text else None, None)


def _category_name(title: str) -> str:
    return _NUMBERING.sub("", title).strip() or title


def _fold_words(title: str) -> set[str]:
    return {word.casefold() for word in re.split(r"[\s,/·()]+", title) if word}


def _is_collection_title(title: str) -> bool:
    """``면접 질문 정리``, ``Interview Questions``: a title over many concepts."""
    return bool(_fold_words(title) & COLLECTION_WORDS) or _title_key(title) in COLLECTION_WORDS


def _title_key(title: str) -> str:
    """A title as compared with the word lists: no numbering, parenthetical, symbols, spaces."""
    text = _split_paren(_category_name(title))[0]
    return compact(_decoration_free(text).casefold())


def _is_generic_title(title: str) -> bool:
    """장점, 단점, ``멀티 프로세스의 장점``, ``Pros & Cons``, ``4. 정리``: a part of an answer."""
    return _is_bare_generic(title) or _generic_of_something(title)


def _owner_term(section: _Section) -> _Term | None:
    """The term a heading names when its generic parts may become its answer (not the root, a
    collection or a table of contents)."""
    if not section.level or _is_collection_title(section.title) or _is_noise_title(section.title):
        return None
    return _parse_heading(section.title).term


def _part_subject(title: str) -> str | None:
    """``멀티 프로세스의 장점`` -> ``멀티 프로세스``; None for a bare generic title."""
    if not _generic_of_something(title):
        return None
    words = _split_paren(_category_name(title))[0].split()
    return " ".join(words[:-1]).removesuffix("의").strip() or None


def _names_match(subject: str, term: str) -> bool:
    """Whether a part's subject names ``term`` (``영속성 컨텍스트`` and ``영속성 컨텍스트
    Persistence Context``; the glossary-free comparison of names)."""
    a, b = compact(normalize_name(subject)), compact(normalize_name(term))
    return bool(a) and bool(b) and (a == b or b.startswith(a) or a.startswith(b))


def _is_part(title: str) -> bool:
    """A sub-heading that is a part of the answer above it, never a concept: 장점, 해결방안?,
    ``Cookie의 단점`` (a question about such a part, ``X의 장점은?``, stays a question)."""
    return _is_bare_generic(title) or (_generic_of_something(title) and not _is_question(title))


def _is_bare_generic(title: str) -> bool:
    key = _title_key(title)
    return key in GENERIC_SUBHEADINGS or compact(_category_name(title).casefold()) in (
        GENERIC_SUBHEADINGS
    )


def _generic_of_something(title: str) -> bool:
    """``멀티 프로세스의 장점``, ``Cookie의 단점``: a generic part named with its subject."""
    words = _decoration_free(_split_paren(_category_name(title))[0]).casefold().split()
    return len(words) >= 2 and words[-2].endswith("의") and words[-1] in _GENERIC_TAILS


def _is_byline_title(title: str) -> bool:
    return _title_key(title) in BYLINE_TITLES


def _is_noise_title(title: str) -> bool:
    """Table of contents and reference headings: never concepts, never categories."""
    label = _decoration_free(_category_name(title))
    return bool(_TOC_LABEL.match(label)) or _is_reference_title(title) or _is_byline_title(title)


def _is_reference_title(title: str) -> bool:
    label = _decoration_free(_category_name(title))
    match = _REFERENCE_LABEL.match(label)
    if match is not None and match.end() == len(label):
        return True
    pointer = _REFERENCE_LABEL.match(title)  # 출처: https://...
    return pointer is not None and pointer.end() > 0 and _is_link_only(title[pointer.end() :])


def _is_toc_title(title: str) -> bool:
    return bool(_TOC_LABEL.match(_decoration_free(_category_name(title))))


# --- items ------------------------------------------------------------------------------------


class _ItemKind(Enum):
    TERM = "term"  # Term - definition
    WEAK = "weak"  # - CNN은 ... (the whole sentence is the definition)
    QUESTION = "question"  # - 프로세스란? / Q. ... / <summary>질문?</summary>, answer below


@dataclass(slots=True)
class _Item:
    kind: _ItemKind
    line: int
    terms: tuple[_Term, ...]
    first: str  # the definition's first line ("" when the answer starts below)
    question: str | None = None
    lines: list[_Line] = field(default_factory=list)
    marker: str = ""  # "bullet" / "ordered" when the item is a list item
    colon: bool = False  # named as **Term**: definition

    @property
    def answered(self) -> bool:
        """Whether the item holds an answer: text beyond links and follow-up questions."""
        return bool(self.first) or any(_is_answer_line(line) for line in self.lines)


def _is_answer_line(line: _Line) -> bool:
    if line.kind is _Kind.CODE:
        return line.has_text
    if not line.has_text or line.link_only:
        return False
    content = _unlisted(line.content)
    return not _is_question(content) and not _LEAD_IN.search(content)


def _unlisted(content: str) -> str:
    return _LIST_MARKER.sub("", content)


def _item_start(line: _Line) -> _Item | None:
    """The item ``line`` starts, if any: only unquoted text at column 0-1 starts items."""
    if line.kind is not _Kind.TEXT or line.quoted or line.indent > MAX_ITEM_INDENT:
        return None
    content = line.content
    if line.summary:
        if _is_question(content):
            return _question_item(line.number, content)
        return None
    body = _LIST_MARKER.sub("", content)
    is_list = len(body) != len(content)
    split = _split_term_definition(body)
    colon = False
    if split is None and line.colon_term:
        split = _split_colon_definition(body)
        colon = True
    if split is not None and not all(_is_generic_title(t.term) for t in split[0]):
        terms, definition, question = split  # 장점 - ... continues the item above instead
        return _Item(_ItemKind.TERM, line.number, terms, definition, question, colon=colon)
    if _is_question(body) and (is_list or _Q_MARKER.match(body)):
        item = _question_item(line.number, body)
        if item is not None:
            item.marker = _marker_kind(content)
        return item
    if is_list:
        weak = _weak_term(body)
        if weak is not None:
            return _Item(_ItemKind.WEAK, line.number, (weak,), body)
    return None


def _marker_kind(content: str) -> str:
    """``ordered`` for ``1.`` / ``1)`` items, ``bullet`` for ``-`` / ``*`` / ``+``, else ''."""
    marker = _LIST_MARKER.match(content)
    if marker is None:
        return ""
    return "ordered" if marker[0][0].isdigit() else "bullet"


def _next_in_question_list(items: Sequence[_Item], line: _Line) -> _Item | None:
    """In a list of questions (``1. 트랜잭션이란?`` ``2. 트랜잭션의 성질 ACID`` ...) a sibling
    item is the next question, not the answer to the one above: answers sit below a question,
    deeper or in another kind of list."""
    if not items or items[-1].kind is not _ItemKind.QUESTION or not items[-1].marker:
        return None
    if line.kind is not _Kind.TEXT or line.quoted or line.indent > MAX_ITEM_INDENT:
        return None
    content = line.content
    if _marker_kind(content) != items[-1].marker:
        return None
    body = _LIST_MARKER.sub("", content)
    if _ANSWER_MARKER.match(body):
        return None
    item = _question_item(line.number, body)
    if item is not None:
        item.marker = items[-1].marker
    return item


def _is_question_list(lines: Sequence[_Line]) -> bool:
    """An answer that is only a flat list (after at most a short label such as 기타), at least
    half of it questions, a third when numbered: a question bank, not knowledge."""
    texts = [line for line in lines if line.has_text]
    if texts and not _LIST_MARKER.match(texts[0].content) and len(texts[0].content) <= 20:
        texts = texts[1:]
    if len(texts) < 2 or any(line.kind is not _Kind.TEXT or line.summary for line in texts):
        return False
    indents = {line.indent for line in texts}
    if len(indents) > 1 or not all(_LIST_MARKER.match(line.content) for line in texts):
        return False
    questions = sum(_is_question(_unlisted(line.content)) for line in texts)
    share = 3 if all(_marker_kind(line.content) == "ordered" for line in texts) else 2
    return share * questions >= len(texts)


def _question_item(number: int, text: str) -> _Item | None:
    term = _term_from_question(text)
    if term is None:
        return None
    return _Item(_ItemKind.QUESTION, number, (term,), "", _question_text(text))


class _BodyKind(Enum):
    EMPTY = "empty"
    LINKS = "links"  # only links: a stub pointing elsewhere
    QUESTIONS = "questions"  # only unanswered questions
    ITEMS = "items"  # starts with items, at least one of them a real term or an answered question
    PROSE = "prose"  # anything else: an answer


@dataclass(slots=True)
class _Body:
    kind: _BodyKind
    lines: list[_Line]
    orphans: list[_Line]
    items: list[_Item]


def _split_items(lines: Sequence[_Line]) -> tuple[list[_Line], list[_Item]]:
    """Lines before the first item (orphans) and the items, each with the lines up to the next."""
    orphans: list[_Line] = []
    items: list[_Item] = []
    for line in lines:
        item = _item_start(line)
        if item is not None and item.kind is _ItemKind.WEAK and _answering(items):
            item = None  # list items under a question are its answer, not new concepts
        if item is None:
            item = _next_in_question_list(items, line)
        if item is not None:
            items.append(item)
        elif items:
            items[-1].lines.append(line)
        else:
            orphans.append(line)
    return orphans, items


def _answering(items: Sequence[_Item]) -> bool:
    return bool(items) and items[-1].kind is _ItemKind.QUESTION


def _mixed_list(items: Sequence[_Item]) -> bool:
    """Bold-labelled points inside a list of plain facts (``- **선점 방식** : ...`` then
    ``- 최적의 알고리즘이다``): one answer, not a category of terms."""
    labelled = [item for item in items if item.kind is _ItemKind.TERM and item.colon]
    if not labelled:
        return False
    return any(
        line.kind is _Kind.TEXT
        and line.indent <= MAX_ITEM_INDENT
        and not line.quoted
        and _LIST_MARKER.match(line.content) is not None
        for item in items
        for line in item.lines
    )


def _parse_body(lines: list[_Line]) -> _Body:
    orphans, items = _split_items(lines)
    texts = [line for line in lines if line.has_text]
    if not texts:
        kind = _BodyKind.EMPTY
    elif all(line.link_only for line in texts):
        kind = _BodyKind.LINKS
    elif (
        items
        and all(line.link_only for line in orphans if line.has_text)
        and all(item.kind is _ItemKind.QUESTION and not item.answered for item in items)
    ):
        kind = _BodyKind.QUESTIONS
    elif (
        items
        and not any(line.has_text for line in orphans)
        and any(
            item.kind is _ItemKind.TERM or (item.kind is _ItemKind.QUESTION and item.answered)
            for item in items
        )
        and not _mixed_list(items)
    ):
        kind = _BodyKind.ITEMS
    else:
        kind = _BodyKind.PROSE
    return _Body(kind, lines, orphans, items)


# --- rendering definitions --------------------------------------------------------------------


def _render(lines: Sequence[_Line], head: str = "") -> str:
    """Definition text: blank-separated chunks, each dedented on its own; trailing spaces gone.

    ``head`` is the definition's first line (text after ``Term - ``); lines that follow it
    without a blank line join its paragraph but are dedented without it.
    """
    chunks: list[str] = []
    current: list[_Line] = []
    joins_head = bool(head)
    for line in _without_trailing_links(lines, bool(head)):
        if line.kind in (_Kind.TEXT, _Kind.CODE) and (line.text.strip() or line.kind is _Kind.CODE):
            current.append(line)
        elif line.kind is not _Kind.HEADING:
            if current:
                chunks.append(_dedent(current))
                current = []
            elif not chunks:
                joins_head = False
    if current:
        chunks.append(_dedent(current))
    chunks = [chunk for chunk in chunks if chunk.strip()]
    if head:
        if chunks and joins_head:
            chunks[0] = f"{head}\n{chunks[0]}"
        else:
            chunks.insert(0, head)
    text = "\n\n".join(chunks).strip()
    return _DANGLING_SEPARATOR.sub("", text)


def _without_trailing_links(lines: Sequence[_Line], has_head: bool) -> Sequence[_Line]:
    """``lines`` without the link-only lines (see-also, sources, next page) that trail an answer;
    a stub made only of links keeps them (it is judged elsewhere)."""
    end = len(lines)
    while end > 0 and (
        not lines[end - 1].has_text
        or (lines[end - 1].kind is _Kind.TEXT and lines[end - 1].link_only)
    ):
        end -= 1
    if end == 0 and not has_head:
        return lines
    start = 0
    while (
        not has_head
        and start < end
        and (  # an image credit or a source before the answer
            not lines[start].has_text
            or (lines[start].kind is _Kind.TEXT and lines[start].link_only)
        )
    ):
        start += 1
    return lines[start:end]


def _dedent(chunk: Sequence[_Line]) -> str:
    width = min((line.indent for line in chunk if line.text.strip()), default=0)
    out: list[str] = []
    for line in chunk:
        if line.kind is _Kind.CODE:
            out.append(_remove_columns(line.text, width).rstrip())
        else:
            out.append(line.text[min(width, line.indent) :].rstrip())
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _remove_columns(text: str, width: int) -> str:
    """Remove ``width`` columns of leading whitespace, counting tabs to the next tab stop."""
    column = index = 0
    while index < len(text) and column < width and text[index] in " \t":
        column = column + TAB_WIDTH - column % TAB_WIDTH if text[index] == "\t" else column + 1
        index += 1
    return " " * max(column - width, 0) + text[index:]


def _synthetic(number: int, text: str, indent: int = 0) -> _Line:
    return _Line(number, _Kind.TEXT, " " * indent + text, indent=indent)


def _split_definition(terms: Sequence[_Term], definition: str) -> list[str]:
    """``동기 / 비동기``: give each term the paragraphs from the one that starts with it.

    Each later term must start a paragraph (``비동기는 ...``) after the previous split point;
    when one is missing every term gets the whole text."""
    paragraphs = definition.split("\n\n")
    starts = [0]
    for term in terms[1:]:
        found = next(
            (
                index
                for index in range(starts[-1] + 1, len(paragraphs))
                if _starts_with_term(paragraphs[index], term.term)
            ),
            None,
        )
        if found is None:
            return [definition] * len(terms)
        starts.append(found)
    ends = [*starts[1:], len(paragraphs)]
    return ["\n\n".join(paragraphs[a:b]) for a, b in zip(starts, ends, strict=True)]


def _starts_with_term(paragraph: str, term: str) -> bool:
    text = _LIST_MARKER.sub("", paragraph.lstrip())
    if not text.startswith(term):
        return False
    rest = text[len(term) :]
    if not rest or not rest[0].isalnum():
        return True
    return any(
        rest.startswith(p) and (len(rest) == len(p) or not rest[len(p)].isalnum())
        for p in (*WEAK_PARTICLES, "이", "가", "의", "을", "를", "와", "과", "도")
    )


# --- pass 4: collecting concepts --------------------------------------------------------------


class _Collector:
    """Walks the section tree and emits concepts, counting what it skips."""

    def __init__(self, default_category: str) -> None:
        self.default_category = default_category
        self.concepts: list[ParsedConcept] = []
        self.warnings: list[ParseWarning] = []
        self.skipped = 0

    def visit_root(self, root: _Section) -> None:
        """The lines before any heading are item notes in the default category."""
        self._emit_items(root.parsed, self.default_category)
        self._visit_children(root, self.default_category)

    def _visit_children(self, section: _Section, category: str) -> None:
        """Visit sub-headings in order. A generic one (장점, 단점, 정리 ...) is never a concept of
        its own: ``X의 특징`` joins the concept named X (the heading above, or the previous
        sibling); a bare one joins the concept its previous sibling made (flat notes put
        ``## 단점`` after ``## 쿠키``), else it becomes the answer of the heading above."""
        previous: int | None = None  # the concept the previous sibling made
        owned: int | None = None  # the concept made for ``section`` from its parts
        owner = _owner_term(section)
        for child in section.children:
            if not _is_part(child.title):
                count = len(self.concepts)
                self._visit(child, category)
                made = (
                    i
                    for i in range(count, len(self.concepts))
                    if self.concepts[i].line == child.line
                )
                previous = next(made, None)
                continue
            subject = _part_subject(child.title)
            if subject is not None:
                if owner is not None and _names_match(subject, owner.term):
                    target = owned
                elif previous is not None and _names_match(subject, self.concepts[previous].term):
                    target = previous
                else:
                    self._visit(child, category)  # 정렬 알고리즘의 종류, a topic of its own
                    continue
            else:
                target = previous if previous is not None else owned
            if target is None and (subject is not None or previous is None) and owner is None:
                self.skipped += 1
                continue
            made_for_owner = target is None
            placed = self._attach_part(child, target, section, owner, category)
            if made_for_owner and placed is not None:
                owned = placed
            if target is previous and placed is not None:
                previous = placed

    def _attach_part(
        self,
        part: _Section,
        target: int | None,
        section: _Section,
        owner: _Term | None,
        category: str,
    ) -> int | None:
        """Add a generic sub-heading's content to the concept at ``target`` or, without one, make
        it the answer of ``section`` (named ``owner``); returns the concept it went to."""
        pending: list[_Section] = []
        lines = [_synthetic(part.line, part.title), *part.body, *self._answer_lines(part, pending)]
        text = _render(lines)
        placed: int | None = None
        if any(line.has_text for line in lines[1:]) and text:
            if target is not None:
                concept = self.concepts[target]
                merged = f"{concept.definition}\n\n{text}"
                self.concepts[target] = replace(concept, definition=merged)
                placed = target
            elif owner is not None:
                heading = _parse_heading(section.title)
                self._add(
                    owner, _with_description(owner, text), category, section.line, heading.question
                )
                placed = len(self.concepts) - 1
        for sub in pending:
            self._visit(sub, category)
        return placed

    def _visit(self, section: _Section, category: str) -> None:
        if _is_noise_title(section.title):
            self._visit_children(section, category)
            return
        heading = _parse_heading(section.title)
        body = section.parsed
        own = _category_name(section.title)
        if body.kind is _BodyKind.ITEMS and heading.question is None:
            self._emit_items(body, own)
        elif body.kind is _BodyKind.QUESTIONS:
            self.skipped += len(body.items)
        elif body.kind is _BodyKind.LINKS:
            self.skipped += 1
        elif body.kind is _BodyKind.EMPTY:
            if self._answers_with_children(section, heading):
                self._emit_heading(section, heading, category)
                return
            if not section.children:
                self.skipped += 1
        elif _is_collection_title(section.title):
            self._warn_ignored(body.lines)
        else:
            self._emit_heading(section, heading, category)
            return
        self._visit_children(section, own)

    def _answers_with_children(self, section: _Section, heading: _Heading) -> bool:
        """A body-less heading is still an answer when its sub-headings are parts of it
        (장점/단점) or when it is a question; otherwise it is a container."""
        if not section.children or _is_collection_title(section.title):
            return False
        if any(_is_container(child) for child in section.children):
            return False
        if heading.question is not None:
            return True
        return all(_is_generic_title(child.title) for child in section.children)

    # -- items

    def _emit_items(self, body: _Body, category: str) -> None:
        self._warn_ignored(body.orphans)
        for item in body.items:
            self._emit_item(item, category)

    def _emit_item(self, item: _Item, category: str) -> None:
        lines = list(item.lines)
        if item.kind is _ItemKind.QUESTION:
            lines = _without_answer_marker(lines)
        if not item.answered:
            self.skipped += 1
            if item.kind is not _ItemKind.QUESTION:
                names = " / ".join(t.term for t in item.terms)
                self.warnings.append(ParseWarning(item.line, WARN_NO_DEFINITION, {"term": names}))
            return
        head = item.first
        if len(item.terms) == 1 and item.terms[0].description:
            head = f"{item.terms[0].description} {head}".strip()
        definition = _render(lines, head)
        parts = _split_definition(item.terms, definition) if len(item.terms) > 1 else [definition]
        for term, text in zip(item.terms, parts, strict=True):
            if len(item.terms) > 1 and term.description:
                text = f"{term.description} {text}"
            self._add(term, text, category, item.line, item.question)

    # -- headings

    def _emit_heading(self, section: _Section, heading: _Heading, category: str) -> None:
        pending: list[_Section] = []
        lines = [*section.body, *self._answer_lines(section, pending)]
        definition = _render(lines)
        # links or questions only, or a bank of questions
        stub = not any(_is_answer_line(line) for line in lines) or _is_question_list(lines)
        if heading.term is None or not heading.term.term or not definition or stub:
            self.skipped += 1
        else:
            definition = _with_description(heading.term, definition)
            self._add(heading.term, definition, category, section.line, heading.question)
        for sub in pending:
            self._visit(sub, category)

    def _answer_lines(
        self, section: _Section, pending: list[_Section], *, whole: bool = False
    ) -> list[_Line]:
        """Sub-headings' content as part of an answer. Question-shaped ones, categories and
        topics of their own (a sub-heading that names something and has its own text) are set
        aside (``pending``) to be visited on their own; under a question or a generic part
        (``whole``) every sub-heading but a question belongs to the answer."""
        generic = _is_generic_title(section.title)
        topics = sum(_is_topic(child) for child in section.children) if generic else 0
        # a generic part's sub-headings are its own, unless it lists several topics (특징: 1차
        # 캐시, 변경 감지 ...), which are concepts of their own
        whole = whole or _is_question(section.title) or (generic and topics < 2)
        lines: list[_Line] = []
        for child in section.children:
            if _is_toc_title(child.title) or _is_byline_title(child.title):
                continue
            if (_is_question(child.title) and not _is_part(child.title)) or _is_container(child):
                pending.append(child)
                continue
            if not whole and _is_topic(child):
                pending.append(child)
                continue
            body = child.body
            if _is_reference_title(child.title):
                body = [line for line in body if not line.link_only]
            content = [*body, *self._answer_lines(child, pending, whole=whole)]
            if any(line.has_text for line in content):
                lines.append(_Line(child.line, _Kind.BLANK))
                lines.append(_synthetic(child.line, child.title))
                lines.extend(content)
        return lines

    # -- output

    def _add(
        self, term: _Term, definition: str, category: str, line: int, question: str | None
    ) -> None:
        definition = definition.strip()
        if not term.term or not definition:
            self.skipped += 1
            return
        self.concepts.append(
            ParsedConcept(
                term=term.term,
                definition=definition,
                category=category,
                line=line,
                question=question,
                aliases=_shape_aliases(term),
            )
        )

    def _warn_ignored(self, lines: Sequence[_Line]) -> None:
        first = next((line for line in lines if line.has_text and not line.link_only), None)
        if first is not None:
            self.warnings.append(ParseWarning(first.number, WARN_IGNORED_TEXT))


def _with_description(term: _Term, definition: str) -> str:
    """A heading's ``: description`` as the first line of its answer."""
    return f"{term.description}\n{definition}" if term.description else definition


def _is_topic(section: _Section) -> bool:
    """A sub-heading that is a concept of its own: it names something (not a generic part such
    as 장점 or 예시) and has answer text of its own."""
    if _is_generic_title(section.title) or _is_noise_title(section.title):
        return False
    heading = _parse_heading(section.title)
    return (
        heading.term is not None
        and _is_name_like(heading.term.term, MAX_TOPIC_CHARS, MAX_TOPIC_WORDS)
        and section.parsed.kind is _BodyKind.PROSE
        # text of its own: a heading over only code (인터페이스 정의, 구현) is part of the answer
        and any(line.kind is _Kind.TEXT and _is_answer_line(line) for line in section.body)
    )


def _is_container(section: _Section) -> bool:
    """A sub-heading that holds concepts rather than answer text: its body is term items, or it
    has no body and sub-headings of its own that are not parts of one answer."""
    if _is_noise_title(section.title) or _is_question(section.title):
        return False
    kind = section.parsed.kind
    if kind is _BodyKind.ITEMS or _is_collection_title(section.title):
        return True
    return (
        kind is _BodyKind.EMPTY
        and bool(section.children)
        and not all(_is_generic_title(child.title) for child in section.children)
    )


def _without_answer_marker(lines: list[_Line]) -> list[_Line]:
    """Drop an ``A.`` / ``답:`` marker from the first line of an answer."""
    for index, line in enumerate(lines):
        if line.kind is _Kind.TEXT and line.text.strip():
            text = _ANSWER_MARKER.sub("", line.content)
            lines[index] = replace(line, text=" " * line.indent + text)
            break
    return lines


def _drop_duplicates(
    concepts: Sequence[ParsedConcept],
) -> tuple[list[ParsedConcept], list[ParseWarning]]:
    """Keep the first concept of each term (compared folded, without spaces); warn for the rest."""
    ordered = sorted(concepts, key=lambda c: c.line)
    first: dict[str, ParsedConcept] = {}
    kept: list[ParsedConcept] = []
    warnings: list[ParseWarning] = []
    for concept in ordered:
        key = "".join(concept.term.casefold().split())
        seen = first.get(key)
        if seen is None:
            first[key] = concept
            kept.append(concept)
        else:
            params: dict[str, object] = {"term": concept.term, "first": seen.line}
            warnings.append(ParseWarning(concept.line, WARN_DUPLICATE, params))
    return kept, warnings
