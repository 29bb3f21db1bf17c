"""Inline text of a notes line (pure): links, tags, emphasis, symbols and decoration, and the
labels and pointers a line may be made of (navigation, link-only, summary labels)."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence

TAB_WIDTH = 4
#: Labels (목차, Contents ...) are short lines; longer lines are never checked for one.
MAX_LABEL_CHARS = 40

_SUMMARY_LABEL_WORDS = (
    "답변", "정답", "답", "해설", "풀이", "설명", "내용", "코드", "예시", "결과", "answer",
    "answers", "solution", "explanation", "details", "detail", "click", "clickme", "here",
    "show", "hide", "expand", "toggle", "open", "more", "see", "to", "the", "me", "보기",
    "확인", "확인하기", "펼치기", "펼쳐보기", "접기", "더보기", "열기", "클릭", "하기", "이곳을",
    "여기를", "눌러", "주세요", "서", "보세요",
)  # fmt: skip
_QUOTE = re.compile(r"^( {0,7})>(?:[ \t]*>)*[ \t]?")
_TAG_NAMES = (
    "details|summary|br|img|a|p|div|sup|sub|b|i|u|s|em|strong|code|pre|span|small|big|center|"
    "font|mark|del|ins|kbd|hr|blockquote|ul|ol|li|table|thead|tbody|tfoot|tr|th|td|dl|dt|dd|"
    "figure|figcaption|h[1-6]|section|article|header|footer|nav|abbr|cite|q|tt|strike|picture|"
    "source|video|iframe|input|label|image"
)
_HTML_TAG = re.compile(rf"</?(?:{_TAG_NAMES})(?=[\s/>])[^<>]*>", re.I)
_BREAK_TAG = re.compile(r"<br\s*/?>", re.I)
_SUP_TAG = re.compile(r"<sup\b[^<>]*>", re.I)
_LINK = re.compile(
    r"\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]"  # link text, one level of [brackets] inside
    # the destination: plain (one level of parentheses inside), or in <angle brackets>, where
    # CommonMark allows spaces and parentheses (<.../이진탐색트리(Binary Search Tree).md>)
    r"\((?P<url><[^<>\n]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+[\"'][^\"']*[\"'])?\s*\)"
)
_REF_LINK = re.compile(r"\[(?P<text>[^\[\]]+)\]\[[^\[\]]*\]")
#: A markdown backslash escape (``\[7]``): in a title, the character itself.
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
_WEB_URL = re.compile(r"^https?://\S+$", re.I)
_BARE_URL = re.compile(r"<?https?://[^\s<>]+>?")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EMOJI_CODE = re.compile(r":[a-z][a-z0-9_+-]*:")
_NAV_WORDS = re.compile(
    r"^(?:top|back|back to top|go to top|to top|home|back to home|go back|"
    r"목록|목록으로|목록으로 가기|위로|맨 위로|맨위로|위로 가기|상단으로|처음으로|"
    r"목차|목차로|목차로 가기|뒤로|뒤로 가기|돌아가기|홈|홈으로|"
    r"(?:이전|다음)(?:\s*글)?(?:\s.*)?|(?:prev|previous|next)(?:\s+(?:page|post|chapter))?)$",
    re.I,
)
_BARE_BRACKETS = re.compile(r"\[(?P<text>[^\[\]]*)\](?![(\[])")
TOC_LABEL = re.compile(r"^(?:목차|차례|contents|table of contents|toc|index)$", re.I)


def strip_quote(text: str) -> tuple[str, bool]:
    """Remove blockquote markers (``> ``, nested ``> >``), keeping the indentation before them."""
    match = _QUOTE.match(text)
    if match is None:
        return text, False
    return match[1] + text[match.end() :], True


def expand_indent(text: str) -> str:
    """Expand tabs in the leading whitespace only (tabs inside the text are left alone)."""
    stripped = text.lstrip(" \t")
    return text[: len(text) - len(stripped)].expandtabs(TAB_WIDTH) + stripped


def strip_tags(text: str) -> str:
    """Handle real HTML tags only (``<GPT, BERT ...`` and ``<머신러닝 ...>`` are text)."""
    if "<" not in text:
        return text
    text = _BREAK_TAG.sub(" ", text)
    text = _SUP_TAG.sub("^", text)
    return _HTML_TAG.sub("", text)


def _keep_web_link(match: re.Match[str]) -> str:
    """A link to the web stays a markdown link; one into the notes' own files or page (which
    a chat reader cannot follow) becomes its text."""
    url = match["url"]
    if url.startswith("<"):  # <…> may hold spaces and parentheses: not in a plain link
        url = url[1:-1].replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    if _WEB_URL.match(url) and match["text"].strip():
        return f"[{match['text']}]({url})"
    return match["text"]


def inline_text(text: str, *, links: bool = True) -> str:
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


def clean_title(text: str) -> str:
    """A heading's text as shown: no markdown marks, emoji codes or decoration at the ends."""
    text = inline_text(text, links=False).replace("`", "")
    text = _ESCAPED.sub(r"\1", _EMOJI_CODE.sub("", text))
    text = " ".join(text.split())
    return strip_symbols(text).rstrip(":：").strip()


def strip_symbols(text: str) -> str:
    """Remove emoji and other pictographs at both ends."""
    start, end = 0, len(text)
    while start < end and _is_symbol(text[start]):
        start += 1
    while end > start and _is_symbol(text[end - 1]):
        end -= 1
    return text[start:end].strip()


def _is_symbol(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("So", "Sk", "Mn", "Me", "Cf")


def decoration_free(text: str) -> str:
    """``text`` without emoji codes, bold marks and symbols: what a label really says."""
    text = _EMOJI_CODE.sub("", text.replace("**", ""))
    return " ".join("".join(c if c.isalnum() or c in " &" else " " for c in text).split())


def is_decoration(text: str) -> bool:
    """Whether ``text`` holds no letter or digit (arrows, pipes, emoji, punctuation)."""
    return not any(char.isalnum() for char in _EMOJI_CODE.sub("", text))


def is_navigation(content: str) -> bool:
    """A line made only of in-page links or navigation links (TOC entries, ⬆ Top, 이전/다음)."""
    if "[" not in content:
        return False
    found = False

    def drop(match: re.Match[str]) -> str:
        nonlocal found
        label = decoration_free(match["text"])
        if match["url"].startswith("#") or _NAV_WORDS.match(label):
            found = True
            return ""
        return match[0]

    def drop_label(match: re.Match[str]) -> str:
        nonlocal found
        if _NAV_WORDS.match(decoration_free(match["text"])):
            found = True
            return ""
        return match[0]

    rest = _LINK.sub(drop, content.replace("**", ""))
    rest = _BARE_BRACKETS.sub(drop_label, rest)
    return found and is_decoration(rest)


def is_link_only(content: str) -> bool:
    """A line made only of links or bare URLs (a pointer to an answer elsewhere)."""
    if "[" not in content and "http" not in content:
        return False
    rest, links = _LINK.subn("", content)
    rest, urls = _BARE_URL.subn("", rest)
    return links + urls > 0 and is_decoration(rest)


def summary_text(text: str) -> str:
    """The text of a ``<summary>`` without tags and decoration."""
    return clean_title(strip_tags(text))


def is_summary_label(text: str) -> bool:
    """답변, 정답 보기, Answer, Click to expand ...: a label, not content."""
    if len(text) > MAX_LABEL_CHARS:
        return False
    words = decoration_free(text).casefold().split()
    if not words:
        return True
    joined = "".join(words)
    return _split_into(joined, _SUMMARY_LABEL_WORDS) or bool(TOC_LABEL.match(" ".join(words)))


def _split_into(text: str, words: Sequence[str]) -> bool:
    """Whether ``text`` is a concatenation of ``words`` (small dynamic programme)."""
    reachable = [True] + [False] * len(text)
    for end in range(1, len(text) + 1):
        reachable[end] = any(
            reachable[end - len(w)] for w in words if len(w) <= end and text.endswith(w, 0, end)
        )
    return reachable[-1]
