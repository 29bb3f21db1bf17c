"""Parse a markdown notes file into concepts (a pure function: text in, :class:`ParsedNotes` out).

Two shapes of notes are understood, also mixed in one file:

* **Item notes** (the user's own style): ``Term - definition`` lines, plain, bold or as list
  items; ``- CNN은 ...`` list items (a term glued to a topic particle); ``####`` headings as
  categories; indented or directly following lines continue the item above them.
* **Heading notes** (the common public interview repos): a term or a question as a heading with
  its answer below it (paragraphs, lists, blockquotes, ``<details>`` blocks, code, tables).

The parser works in passes; the first two (the lines) are :mod:`bot.core.knowledge.markdown_lines`,
what a line or a heading names is :mod:`bot.core.knowledge.note_names`, inline text is
:mod:`bot.core.knowledge.markdown_inline`:

1. :func:`normalise` - NFC, invisible characters, CRLF/CR, control characters.
2. :class:`Scanner` - one :class:`Line` per input line. The block structure comes from a
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

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from bot.core.knowledge.markdown_inline import (
    TAB_WIDTH,
)
from bot.core.knowledge.markdown_lines import (
    LIST_MARKER,
    Kind,
    Line,
    Scanner,
    normalise,
)
from bot.core.knowledge.note_names import (
    Q_MARKER,
    WEAK_PARTICLES,
    NoteHeading,
    NoteTerm,
    category_name,
    defines,
    is_aspect_title,
    is_bare_comparison,
    is_byline_title,
    is_collection_title,
    is_follow_up,
    is_generic_phrase,
    is_generic_title,
    is_name_like,
    is_noise_title,
    is_part,
    is_question,
    is_reference_title,
    is_step_title,
    is_toc_title,
    names_definition,
    names_equal,
    names_match,
    parse_heading,
    part_subject,
    question_text,
    shape_aliases,
    split_colon_definition,
    split_term_definition,
    term_from_question,
    weak_term,
)
from bot.core.models import ParsedConcept, ParsedNotes, ParseWarning

DEFAULT_CATEGORY = "일반"
#: A term item starts at this column or less; deeper lines continue the item above.
MAX_ITEM_INDENT = 1
#: A sub-heading is a topic of its own (not a part of the answer above) only with a name this short.
MAX_TOPIC_CHARS = 60
MAX_TOPIC_WORDS = 8

# Warning keys (texts in bot.core.messages).
WARN_DUPLICATE = "parse_duplicate_term"
WARN_IGNORED_TEXT = "parse_ignored_text"
WARN_NO_DEFINITION = "parse_no_definition"

#: A line of fewer Latin words than this (and no Korean word) is a label, not prose.
MIN_PROSE_WORDS = 3
_FILE_NAME = re.compile(
    r"[\w-]+\.(?:java|kt|py|js|ts|jsx|tsx|c|cc|cpp|h|go|rs|rb|html?|jsp|xml|"
    r"ya?ml|json|properties|gradle|sql|sh|md|css|txt)",
    re.I,
)
_HANGUL_WORD = re.compile(r"[가-힣]{2,}")
#: A sentence that only leads to something else (a figure, a file, the text below).
_LEAD_IN = re.compile(
    r"(?:알아보자|살펴보자|정리해\s*보자|알아봅시다|살펴봅시다|(?:다음과|아래와)\s*같다|"
    r"(?:다음과|아래와)\s*같습니다|참고하자|참고하세요)\s*[.!:]?$"
    # a pointer to where the answer is: 아래의 자료에서 자세한 설명을 볼 수 있다.
    r"|^(?:아래|다음|위|링크|자료|글|포스팅|블로그)\S*\s.{0,40}(?:볼\s*수\s*있(?:다|습니다)|"
    r"확인할\s*수\s*있(?:다|습니다)|참고|참조)\S*\s*[.!]?$"
)
_ANSWER_MARKER = re.compile(r"^(?:A\s*\d*|답변?|answer)\s*[.:)：]\s*", re.I)
_DANGLING_SEPARATOR = re.compile(r"\s+/$")


# --- the public function ----------------------------------------------------------------------


def parse_notes(text: str, *, default_category: str = DEFAULT_CATEGORY) -> ParsedNotes:
    """Parse a notes file (already decoded) into concepts, in the order they appear.

    ``default_category`` is the category of concepts before any category heading. Never raises
    on any input: text it cannot place is reported in ``warnings``; question-only items,
    link-only stubs and empty headings are counted in ``skipped``.
    """
    scanner = Scanner(normalise(text))
    lines = scanner.scan()
    collector = _Collector(default_category)
    collector.visit_root(_build_sections(lines))
    concepts, duplicates = _drop_duplicates(collector.concepts)
    warnings = sorted([*scanner.warnings, *collector.warnings, *duplicates], key=lambda w: w.line)
    return ParsedNotes(tuple(concepts), collector.skipped, tuple(warnings))


# --- pass 3: sections -------------------------------------------------------------------------


@dataclass(slots=True)
class _Section:
    """A heading with the lines up to its first sub-heading (``body``) and its sub-headings."""

    title: str
    level: int
    line: int
    body: list[Line] = field(default_factory=list)
    children: list[_Section] = field(default_factory=list)
    _parsed: _Body | None = None

    @property
    def parsed(self) -> _Body:
        """The body split into items (computed once)."""
        if self._parsed is None:
            self._parsed = _parse_body(self.body)
        return self._parsed


def _build_sections(lines: Iterable[Line]) -> _Section:
    root = _Section("", 0, 0)
    stack = [root]
    for line in lines:
        if line.kind is Kind.HEADING:
            while stack[-1].level >= line.level:
                stack.pop()
            section = _Section(line.text, line.level, line.number)
            stack[-1].children.append(section)
            stack.append(section)
        else:
            stack[-1].body.append(line)
    return root


def _owner_term(section: _Section) -> NoteTerm | None:
    """The term a heading names when its generic parts may become its answer (not the root, a
    collection or a table of contents)."""
    if not section.level or is_collection_title(section.title) or is_noise_title(section.title):
        return None
    return parse_heading(section.title).term


# --- items ------------------------------------------------------------------------------------


class _ItemKind(Enum):
    TERM = "term"  # Term - definition
    WEAK = "weak"  # - CNN은 ... (the whole sentence is the definition)
    QUESTION = "question"  # - 프로세스란? / Q. ... / <summary>질문?</summary>, answer below


@dataclass(slots=True)
class _Item:
    kind: _ItemKind
    line: int
    terms: tuple[NoteTerm, ...]
    first: str  # the definition's first line ("" when the answer starts below)
    question: str | None = None
    lines: list[Line] = field(default_factory=list)
    marker: str = ""  # "bullet" / "ordered" when the item is a list item
    colon: bool = False  # named as **Term**: definition

    @property
    def answered(self) -> bool:
        """Whether the item holds an answer: text beyond links and follow-up questions."""
        return bool(self.first) or any(_is_answer_line(line) for line in self.lines)


def _is_answer_line(line: Line) -> bool:
    if line.kind is Kind.CODE:
        return line.has_text
    if not line.has_text or line.link_only:
        return False
    content = _unlisted(line.content)
    return not is_question(content) and not _LEAD_IN.search(content)


def _unlisted(content: str) -> str:
    return LIST_MARKER.sub("", content)


def _item_start(line: Line) -> _Item | None:
    """The item ``line`` starts, if any: only unquoted text at column 0-1 starts items."""
    if line.kind is not Kind.TEXT or line.quoted or line.indent > MAX_ITEM_INDENT:
        return None
    content = line.content
    if line.summary:
        if is_question(content):
            return _question_item(line.number, content)
        return None
    body = LIST_MARKER.sub("", content)
    is_list = len(body) != len(content)
    split = split_term_definition(body)
    colon = False
    if split is None and line.colon_term:
        split = split_colon_definition(body)
        colon = True
    if split is not None and not all(is_generic_title(t.term) for t in split[0]):
        terms, definition, question = split  # 장점 - ... continues the item above instead
        return _Item(_ItemKind.TERM, line.number, terms, definition, question, colon=colon)
    if is_question(body) and (is_list or Q_MARKER.match(body)):
        item = _question_item(line.number, body)
        if item is not None:
            item.marker = _marker_kind(content)
        return item
    if is_list:
        weak = weak_term(body)
        if weak is not None:
            return _Item(_ItemKind.WEAK, line.number, (weak,), body)
    return None


def _marker_kind(content: str) -> str:
    """``ordered`` for ``1.`` / ``1)`` items, ``bullet`` for ``-`` / ``*`` / ``+``, else ''."""
    marker = LIST_MARKER.match(content)
    if marker is None:
        return ""
    return "ordered" if marker[0][0].isdigit() else "bullet"


def _next_in_question_list(items: Sequence[_Item], line: Line) -> _Item | None:
    """In a list of questions (``1. 트랜잭션이란?`` ``2. 트랜잭션의 성질 ACID`` ...) a sibling
    item is the next question, not the answer to the one above: answers sit below a question,
    deeper or in another kind of list."""
    if not items or items[-1].kind is not _ItemKind.QUESTION or not items[-1].marker:
        return None
    if line.kind is not Kind.TEXT or line.quoted or line.indent > MAX_ITEM_INDENT:
        return None
    content = line.content
    if _marker_kind(content) != items[-1].marker:
        return None
    body = LIST_MARKER.sub("", content)
    if _ANSWER_MARKER.match(body):
        return None
    item = _question_item(line.number, body)
    if item is not None:
        item.marker = items[-1].marker
    return item


def _is_question_list(lines: Sequence[Line]) -> bool:
    """An answer that is only a flat list (after at most a short label such as 기타), at least
    half of it questions, a third when numbered: a question bank, not knowledge."""
    texts = [line for line in lines if line.has_text]
    if texts and not LIST_MARKER.match(texts[0].content) and len(texts[0].content) <= 20:
        texts = texts[1:]
    if len(texts) < 2 or any(line.kind is not Kind.TEXT or line.summary for line in texts):
        return False
    indents = {line.indent for line in texts}
    if len(indents) > 1 or not all(LIST_MARKER.match(line.content) for line in texts):
        return False
    questions = sum(is_question(_unlisted(line.content)) for line in texts)
    share = 3 if all(_marker_kind(line.content) == "ordered" for line in texts) else 2
    return share * questions >= len(texts)


def _question_item(number: int, text: str) -> _Item | None:
    term = term_from_question(text)
    if term is None:
        return None
    return _Item(_ItemKind.QUESTION, number, (term,), "", question_text(text))


class _BodyKind(Enum):
    EMPTY = "empty"
    LINKS = "links"  # only links: a stub pointing elsewhere
    QUESTIONS = "questions"  # only unanswered questions
    ITEMS = "items"  # starts with items, at least one of them a real term or an answered question
    PROSE = "prose"  # anything else: an answer


@dataclass(slots=True)
class _Body:
    kind: _BodyKind
    lines: list[Line]
    orphans: list[Line]
    items: list[_Item]


def _split_items(lines: Sequence[Line]) -> tuple[list[Line], list[_Item]]:
    """Lines before the first item (orphans) and the items, each with the lines up to the next."""
    orphans: list[Line] = []
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
        line.kind is Kind.TEXT
        and line.indent <= MAX_ITEM_INDENT
        and not line.quoted
        and LIST_MARKER.match(line.content) is not None
        for item in items
        for line in item.lines
    )


def _parse_body(lines: list[Line]) -> _Body:
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


def _render(lines: Sequence[Line], head: str = "") -> str:
    """Definition text: blank-separated chunks, each dedented on its own; trailing spaces gone.

    ``head`` is the definition's first line (text after ``Term - ``); lines that follow it
    without a blank line join its paragraph but are dedented without it.
    """
    chunks: list[str] = []
    current: list[Line] = []
    joins_head = bool(head)
    for line in _without_trailing_links(lines, bool(head)):
        if line.kind in (Kind.TEXT, Kind.CODE) and (line.text.strip() or line.kind is Kind.CODE):
            current.append(line)
        elif line.kind is not Kind.HEADING:
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


def _without_trailing_links(lines: Sequence[Line], has_head: bool) -> Sequence[Line]:
    """``lines`` without the link-only lines (see-also, sources, next page) that trail an answer;
    a stub made only of links keeps them (it is judged elsewhere)."""
    end = len(lines)
    while end > 0 and (
        not lines[end - 1].has_text
        or (lines[end - 1].kind is Kind.TEXT and lines[end - 1].link_only)
    ):
        end -= 1
    if end == 0 and not has_head:
        return lines
    start = 0
    while (
        not has_head
        and start < end
        and (  # an image credit or a source before the answer
            not lines[start].has_text or (lines[start].kind is Kind.TEXT and lines[start].link_only)
        )
    ):
        start += 1
    return lines[start:end]


def _dedent(chunk: Sequence[Line]) -> str:
    width = min((line.indent for line in chunk if line.text.strip()), default=0)
    out: list[str] = []
    for line in chunk:
        if line.kind is Kind.CODE:
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


def _synthetic(number: int, text: str, indent: int = 0) -> Line:
    return Line(number, Kind.TEXT, " " * indent + text, indent=indent)


def _split_definition(terms: Sequence[NoteTerm], definition: str) -> list[str]:
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
    text = LIST_MARKER.sub("", paragraph.lstrip())
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
            subject = part_subject(child.title)
            part = is_part(child.title) or (is_generic_phrase(child.title) and _is_leaf(child))
            if part and subject is not None and names_definition(child.title):
                # a definition names its subject exactly (``JWT 개념``; ``JWT 구조 개념`` and
                # ``JWT의 핵심 개념`` are topics of their own)
                part = any(
                    name is not None and names_equal(subject, name)
                    for name in (
                        owner.term if owner is not None else None,
                        self.concepts[previous].term if previous is not None else None,
                    )
                )
            if not part:
                count = len(self.concepts)
                self._visit(child, category)
                made = (
                    i
                    for i in range(count, len(self.concepts))
                    if self.concepts[i].line == child.line
                )
                previous = next(made, None)
                continue
            if subject is not None:
                if owner is not None and names_match(subject, owner.term):
                    target = owned
                elif previous is not None and names_match(subject, self.concepts[previous].term):
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
        owner: NoteTerm | None,
        category: str,
    ) -> int | None:
        """Add a generic sub-heading's content to the concept at ``target`` or, without one, make
        it the answer of ``section`` (named ``owner``); returns the concept it went to."""
        pending: list[_Section] = []
        # the owner's definition (``JWT 개념`` under ``JWT``) needs no label of its own
        label = [] if target is None and defines(part.title) else [part.title]
        lines = [
            *(_synthetic(part.line, title) for title in label),
            *part.body,
            *self._answer_lines(part, pending),
        ]
        text = _render(lines)
        placed: int | None = None
        if any(line.has_text for line in lines[len(label) :]) and text:
            if target is not None:
                concept = self.concepts[target]
                merged = f"{concept.definition}\n\n{text}"
                self.concepts[target] = replace(concept, definition=merged)
                placed = target
            elif owner is not None:
                heading = parse_heading(section.title)
                self._add(
                    owner, _with_description(owner, text), category, section.line, heading.question
                )
                placed = len(self.concepts) - 1
        for sub in pending:
            self._visit(sub, category)
        return placed

    def _visit(self, section: _Section, category: str) -> None:
        if is_noise_title(section.title):
            self._visit_children(section, category)
            return
        heading = parse_heading(section.title)
        body = section.parsed
        own = category_name(section.title)
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
        elif is_collection_title(section.title):
            self._warn_ignored(body.lines)
        else:
            self._emit_heading(section, heading, category)
            return
        self._visit_children(section, own)

    def _answers_with_children(self, section: _Section, heading: NoteHeading) -> bool:
        """A body-less heading is still an answer when its sub-headings are parts of it
        (장점/단점) or when it is a question; otherwise it is a container."""
        if not section.children or is_collection_title(section.title):
            return False
        if any(_is_container(child) for child in section.children):
            return False
        if heading.question is not None:
            return True
        return all(is_generic_title(child.title) for child in section.children)

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

    def _emit_heading(self, section: _Section, heading: NoteHeading, category: str) -> None:
        pending: list[_Section] = []
        lines = [*section.body, *self._answer_lines(section, pending)]
        definition = _render(lines)
        # links or questions only, a bank of questions, or code with hardly a word about it
        stub = (
            not any(_is_answer_line(line) for line in lines)
            or _is_question_list(lines)
            or _code_only(lines)
        )
        if heading.term is None or not heading.term.term or not definition or stub:
            self.skipped += 1
        else:
            definition = _with_description(heading.term, definition)
            self._add(heading.term, definition, category, section.line, heading.question)
        for sub in pending:
            self._visit(sub, category)

    def _answer_lines(
        self, section: _Section, pending: list[_Section], *, whole: bool = False
    ) -> list[Line]:
        """Sub-headings' content as part of an answer. Question-shaped ones, categories and
        topics of their own (a sub-heading that names something and has its own text) are set
        aside (``pending``) to be visited on their own; under a question or a generic part
        (``whole``) every sub-heading but a question belongs to the answer."""
        generic = is_generic_title(section.title)
        topics = sum(_is_topic(child) for child in section.children) if generic else 0
        # a generic part's sub-headings are its own, unless it lists several topics (특징: 1차
        # 캐시, 변경 감지 ...), which are concepts of their own
        whole = (
            whole
            or is_question(section.title)
            or is_bare_comparison(section.title)  # 차이점: 용도, 다중 상속 ... are its points
            or (generic and topics < 2)
        )
        # a named topic's 시간 복잡도 is part of it (under 알고리즘 기본 or 시간복잡도와 공간복잡도
        # it is a topic of its own)
        costs = not is_generic_phrase(section.title) and not any(
            is_aspect_title(word) for word in re.split(r"[\s&/,]+|와|과", section.title) if word
        )
        lines: list[Line] = []
        for child in section.children:
            if is_toc_title(child.title) or is_byline_title(child.title):
                continue
            if (is_question(child.title) and not is_part(child.title)) or _is_container(child):
                pending.append(child)
                continue
            if not whole and _is_topic(child) and not (costs and is_aspect_title(child.title)):
                pending.append(child)
                continue
            body = child.body
            if is_reference_title(child.title):
                body = [line for line in body if not line.link_only]
            content = [*body, *self._answer_lines(child, pending, whole=whole)]
            if any(line.has_text for line in content):
                lines.append(Line(child.line, Kind.BLANK))
                said = any(line.has_text for line in (*section.body, *lines))
                if said or not defines(child.title):  # what it is, first, needs no label
                    lines.append(_synthetic(child.line, child.title))
                lines.extend(content)
        return lines

    # -- output

    def _add(
        self, term: NoteTerm, definition: str, category: str, line: int, question: str | None
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
                aliases=shape_aliases(term),
            )
        )

    def _warn_ignored(self, lines: Sequence[Line]) -> None:
        first = next((line for line in lines if line.has_text and not line.link_only), None)
        if first is not None:
            self.warnings.append(ParseWarning(first.number, WARN_IGNORED_TEXT))


def _with_description(term: NoteTerm, definition: str) -> str:
    """A heading's ``: description`` as the first line of its answer."""
    return f"{term.description}\n{definition}" if term.description else definition


def _is_topic(section: _Section) -> bool:
    """A sub-heading that is a concept of its own: it names something (not a generic part such
    as 장점 or 예시) and has answer text of its own."""
    if is_generic_title(section.title) or is_noise_title(section.title):
        return False
    if is_step_title(section.title) or is_follow_up(section.title):
        return False  # 2) 서버가 응답을 보낸다, 왜 그런걸까?: a step or a follow-up of the answer
    if is_generic_phrase(section.title) and _is_leaf(section):
        return False  # 알고리즘 동작 단계, 풀이 방식: how the answer above goes
    heading = parse_heading(section.title)
    return (
        heading.term is not None
        and is_name_like(heading.term.term, MAX_TOPIC_CHARS, MAX_TOPIC_WORDS)
        and section.parsed.kind is _BodyKind.PROSE
        # text of its own: a heading over only code (인터페이스 정의, 구현) is part of the answer
        and any(line.kind is Kind.TEXT and _is_answer_line(line) for line in section.body)
    )


def _code_only(lines: Sequence[Line]) -> bool:
    """Code without a sentence about it (``index.html 수정``: one block; ``Main.java`` over
    each file): a tutorial's step, not something an interviewer asks to explain."""
    return any(line.kind is Kind.CODE and line.has_text for line in lines) and not any(
        line.kind is Kind.TEXT and _is_answer_line(line) and _is_prose(line.content)
        for line in lines
    )


def _is_prose(text: str) -> bool:
    """Words about something, not a file's or a step's label: a Korean word, or three words
    none of which is a file name."""
    words = _unlisted(text).split()
    if any(_FILE_NAME.fullmatch(word.strip("()[]`*:,")) for word in words):
        return False
    return bool(_HANGUL_WORD.search(text)) or len(words) >= MIN_PROSE_WORDS


def _is_leaf(section: _Section) -> bool:
    """A heading over answer text only: no concepts of its own below it."""
    return not _is_container(section) and not any(_is_topic(c) for c in section.children)


def _is_container(section: _Section) -> bool:
    """A sub-heading that holds concepts rather than answer text: its body is term items, or it
    has no body and sub-headings of its own that are not parts of one answer."""
    if is_noise_title(section.title) or is_question(section.title):
        return False
    if is_bare_comparison(section.title):
        return False  # 차이점: its sub-headings are the points compared
    kind = section.parsed.kind
    if kind is _BodyKind.ITEMS or is_collection_title(section.title):
        return True
    return (
        kind is _BodyKind.EMPTY
        and bool(section.children)
        and not all(is_generic_title(child.title) for child in section.children)
    )


def _without_answer_marker(lines: list[Line]) -> list[Line]:
    """Drop an ``A.`` / ``답:`` marker from the first line of an answer."""
    for index, line in enumerate(lines):
        if line.kind is Kind.TEXT and line.text.strip():
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
