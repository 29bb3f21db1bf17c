"""Pass 1 and 2 of the notes parser (pure): normalised text to one :class:`Line` per input line.

The block structure comes from a CommonMark parser (markdown-it-py, with GFM tables); each text
line is then read as written (see :mod:`bot.core.knowledge.parser`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.core.knowledge.markdown_inline import (
    MAX_LABEL_CHARS,
    TOC_LABEL,
    clean_title,
    decoration_free,
    expand_indent,
    inline_text,
    is_decoration,
    is_link_only,
    is_navigation,
    is_summary_label,
    strip_quote,
    strip_tags,
    summary_text,
)
from bot.core.knowledge.note_names import (
    REFERENCE_LABEL,
    split_term_definition,
)
from bot.core.knowledge.text import nfc
from bot.core.models import ParseWarning

#: An unclosed fence the pre-pass could not see costs one more parse, at most this often.
MAX_REPARSES = 3
#: Front matter must close within this many lines of the top.
MAX_FRONT_MATTER_LINES = 60
#: A ``<summary>`` spread over more lines than this is read as ordinary text.
MAX_SUMMARY_LINES = 5
#: A byline (작성자 : ...) is a short line.
MAX_BYLINE_CHARS = 200
WARN_UNCLOSED_FENCE = "parse_unclosed_fence"
WARN_UNCLOSED_COMMENT = "parse_unclosed_comment"

# --- regular expressions ----------------------------------------------------------------------

_SOFT_BREAKS = re.compile("[\x0b\x0c\x85\u2028\u2029]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
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
_IMAGE = re.compile(r"!\[[^\[\]]*\]\([^()]*(?:\([^()]*\)[^()]*)*\)")
_BYLINE = re.compile(
    r"^(?:작성자|글쓴이|author|authors|written\s+by|writer|contributors?)(?=[\s:：|,]|$)"
    # 본 자료는 '파이썬 디자인 패턴' 책을 토대로 작성되었습니다: where the notes come from
    r"|^(?:본|이)\s*(?:자료|글|문서|포스팅|정리|내용|노트)(?:는|은)\s.{0,120}"
    r"(?:토대로|바탕으로|참고하여|참고해|기반으로|정리하여)\s*(?:작성|정리)",
    re.I,
)
_DEFINITION_MARK = re.compile(r"^[:：]\s+")
#: A table's header separator (``|---|:---:|``) or one of its cells.
_RULE_CELL = re.compile(r"^[\s|:\-]+$")
LIST_MARKER = re.compile(r"^(?:[-*+•]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?")
_BOLD_COLON_TERM = re.compile(r"^\*\*[^*]+?(?:\*\*\s*[:：]|[:：]\*\*)(?:\s|$)")
_TOC_HINT = re.compile(r"목차|차례|content|toc|index", re.I)


# --- pass 1: normalisation --------------------------------------------------------------------


def normalise(text: str) -> list[str]:
    """NFC, no BOM or zero-width characters, LF line ends, no control characters."""
    text = nfc(text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", _SOFT_BREAKS.sub(" ", text))
    return text.split("\n")


# --- pass 2: lines ----------------------------------------------------------------------------


class Kind(Enum):
    """What a scanned line is."""

    BLANK = "blank"
    TEXT = "text"
    HEADING = "heading"
    CODE = "code"


@dataclass(slots=True)
class Line:
    """One input line as the scanner understood it.

    ``text`` keeps the indentation (leading tabs expanded) for TEXT lines and the raw line for
    CODE lines; for a HEADING it is the clean heading text and ``level`` its level.
    """

    number: int
    kind: Kind
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
        return self.kind in (Kind.TEXT, Kind.CODE) and bool(self.text.strip())


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
    return (
        MarkdownIt("commonmark", {"html": True}).enable("table").disable("code").disable("inline")
    )


_MD = _markdown()


class Scanner:
    """Turns normalised lines into :class:`Line` values (one per input line, same numbers).

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

    def scan(self) -> list[Line]:
        """All lines, front matter blank, fences verbatim, headings recognised."""
        roles, quoted, blocks = self._structure()
        fence_ends = {block.end - 1: block for block in blocks.values() if block.fence}
        lines: list[Line] = []
        for index, raw in enumerate(self.raw):
            number = index + 1
            role = roles[index]
            block = blocks.get(index)
            if role is _Role.CODE:
                lines.append(_code(number, strip_quote(raw)[0] if quoted[index] else raw))
                opened = fence_ends.get(index)
                if opened is not None and (
                    opened.start == index or not _closes(lines[-1].text, opened.fence)
                ):
                    # a fence its list item or quote ended without a closer: close it
                    indent = _fence_indent(lines, opened)
                    closer = " " * indent + opened.fence
                    lines.append(Line(number, Kind.CODE, closer, indent=indent))
            elif role is _Role.HEADING and block is not None:
                if block.setext and not self._setext_fits(lines, block):
                    lines.append(self._line(index, raw, False))
                    continue
                title = clean_title(_heading_text(block.title))
                kind = Kind.HEADING if title else Kind.BLANK
                lines.append(Line(number, kind, title, level=block.level))
            elif role is _Role.TEXT:
                lines.append(self._line(index, raw, quoted[index]))
            else:
                lines.append(Line(number, Kind.BLANK))
        _drop_reference_lists(lines)
        _drop_navigation_tables(lines)
        return lines

    @staticmethod
    def _setext_fits(lines: Sequence[Line], block: _Block) -> bool:
        """A setext heading (``Title`` over ``===`` / ``---``) counts only as a one-line title
        after a blank line or a heading, and never when it is a table row or a term item."""
        before = lines[-1] if lines else None
        return (
            (before is None or before.kind in (Kind.BLANK, Kind.HEADING))
            and not block.title.startswith("|")
            and split_term_definition(block.title) is None
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

    def _line(self, index: int, raw: str, quoted: bool) -> Line:
        number = index + 1
        if not raw.strip():
            return Line(number, Kind.BLANK)
        text = self._drop_comments(index, raw)
        if quoted:
            text = strip_quote(text)[0]
        if "data:image" in text:
            return Line(number, Kind.BLANK)
        text, summary = self._summary(text)
        text = strip_tags(text)
        if "![" in text:
            text = _IMAGE.sub("", text)
        text = expand_indent(text).rstrip()
        content = text.lstrip()
        if not content or _RULE_CHARS.fullmatch(content.replace(" ", "")):
            return Line(number, Kind.BLANK)
        indent = len(text) - len(content)
        return self._text_line(number, text, indent, quoted, summary)

    def _text_line(self, number: int, text: str, indent: int, quoted: bool, summary: bool) -> Line:
        content = LIST_MARKER.sub("", text.lstrip())
        if (
            is_navigation(content)
            or (
                len(content) <= MAX_LABEL_CHARS
                and _TOC_HINT.search(content)
                and TOC_LABEL.match(decoration_free(content))
            )
            or _is_byline(content)
        ):
            return Line(number, Kind.BLANK)
        if _DEFINITION_MARK.match(content):  # ": definition" (a definition-list line)
            text = text.replace(":", "", 1)
            content = _DEFINITION_MARK.sub("", content)
        link_only = is_link_only(content)
        nav_row = content.startswith("|") and _is_navigation_row(content)
        ref_label = False
        plain = content.replace("**", "") if content.startswith("**") else content
        label = REFERENCE_LABEL.match(plain)
        if label is not None and label.end() > 0:
            rest = plain[label.end() :]
            if not rest.strip(" *"):
                ref_label = True
            elif is_link_only(rest):
                return Line(number, Kind.BLANK)
        colon_term = bool(_BOLD_COLON_TERM.match(content))
        text = inline_text(text)
        if not text.strip():
            return Line(number, Kind.BLANK)
        return Line(
            number,
            Kind.TEXT,
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
            inner = summary_text(full[1])
            rest = text[: full.start()] + text[full.end() :]
            if is_summary_label(inner):
                return rest, False
            return f"{text[: full.start()]}{inner} {text[full.end() :]}", True
        opened = _SUMMARY_OPEN.search(text)
        if opened is not None:
            self._summary_lines = MAX_SUMMARY_LINES
            inner = summary_text(text[opened.end() :])
            return ("", False) if is_summary_label(inner) else (inner, True)
        if self._summary_lines > 0:
            self._summary_lines -= 1
            closed = _SUMMARY_CLOSE.search(text)
            if closed is not None:
                self._summary_lines = 0
                inner, rest = summary_text(text[: closed.start()]), text[closed.end() :]
                return (rest, False) if is_summary_label(inner) else (f"{inner} {rest}", True)
            inner = summary_text(text)
            return ("", False) if is_summary_label(inner) else (inner, True)
        return text, False


def _code(number: int, text: str) -> Line:
    text = text.rstrip()
    indent = len(expand_indent(text)) - len(text.lstrip())
    return Line(number, Kind.CODE, text, indent=indent)


def _heading_text(inline: str) -> str:
    """A heading's inline source without comments, tags and images."""
    inline = _INLINE_COMMENT.sub("", inline)
    inline = strip_tags(inline)
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


def _fence_indent(lines: Sequence[Line], block: _Block) -> int:
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


def _is_byline(content: str) -> bool:
    """``작성자 : [이름](...)``, ``Author: ...``: who wrote the note, not what it says."""
    plain = content.replace("**", "").lstrip("> ")
    return len(plain) <= MAX_BYLINE_CHARS and _BYLINE.match(plain) is not None


def _is_navigation_row(content: str) -> bool:
    """A table row with a cell that is only a link or only a check mark / emoji (a study
    tracker or an index of pages), never a row of a comparison table."""
    cells = [cell.strip() for cell in content.strip().strip("|").split("|")]
    return any(
        cell and (is_link_only(cell) or (is_decoration(cell) and not _RULE_CELL.match(cell)))
        for cell in cells
    )


def _drop_navigation_tables(lines: list[Line]) -> None:
    """A table most of whose rows point elsewhere (links, check marks) is an index: dropped."""
    index = 0
    while index < len(lines):
        if not (lines[index].kind is Kind.TEXT and lines[index].content.startswith("|")):
            index += 1
            continue
        end = index
        while (
            end < len(lines) and lines[end].kind is Kind.TEXT and lines[end].content.startswith("|")
        ):
            end += 1
        rows = [line for line in lines[index:end] if not _RULE_CELL.fullmatch(line.content)]
        if rows and 2 * sum(line.nav_row for line in rows) >= len(rows):
            for i in range(index, end):
                lines[i] = Line(lines[i].number, Kind.BLANK)
        index = end


def _drop_reference_lists(lines: list[Line]) -> None:
    """``참고:`` / ``**References**`` and the link-only lines after it are dropped, and so is
    everything indented below such a label (the sources listed in its list item)."""
    index = 0
    while index < len(lines):
        if lines[index].kind is Kind.TEXT and lines[index].ref_label:
            label = lines[index].indent
            follow = index + 1
            while follow < len(lines) and (
                lines[follow].kind is Kind.BLANK
                or (lines[follow].kind is Kind.TEXT and lines[follow].link_only)
                or (lines[follow].kind is Kind.TEXT and lines[follow].indent > label + 1)
            ):
                follow += 1
            if any(lines[i].link_only for i in range(index + 1, follow)):
                for i in range(index, follow):
                    lines[i] = Line(lines[i].number, Kind.BLANK)
            index = follow
        else:
            index += 1
