"""Text normalisation shared by lookup and grading (pure functions, no I/O).

Korean text arrives in many shapes: decomposed Hangul, full-width letters, zero-width characters,
spacing that varies (경사 하강법 / 경사하강법), particles glued to the word (CNN은, 경사하강법이란?)
and whole question endings (도커가 뭐야, "경사 하강법이란 무엇인가요?").

The pipeline for a query is ``fold`` -> edge punctuation -> question words -> one particle;
:func:`query_forms` returns each stage so a caller can try the least-stripped form first (a real
name may end in a particle-like syllable: 텐서플로, 에이아이).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Zero-width and invisible characters people paste from chats and web pages, and U+FFFD (what
# input cleaning leaves of a lone surrogate: half an emoji is no part of a name).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\ufffd"), None)
_DASHES = re.compile(r"[\-\u2010-\u2015\u2212_·•]+")
_SPACES = re.compile(r"\s+")
_EDGE_PUNCT = re.compile(r"^[\s\"'`“”‘’(\[{<«「『【〈《*]+|[\s\"'`“”‘’)\]}>»」』】〉》*?!.,:;~…]+$")

# What a particle needs from the syllable before it. Korean picks 이/가, 은/는, 을/를, 이란/란 ...
# by whether the stem ends in a consonant (받침); checking it keeps names like 에이아이 whole.
_ANY, _AFTER_CONSONANT, _AFTER_VOWEL, _AFTER_VOWEL_OR_RIEUL = range(4)
_PARTICLE_RULES: Final[dict[str, int]] = {
    "이란": _AFTER_CONSONANT,
    "란": _AFTER_VOWEL,
    "이라는": _AFTER_CONSONANT,
    "라는": _AFTER_VOWEL,
    "이라고": _AFTER_CONSONANT,
    "라고": _AFTER_VOWEL,
    "이라면": _AFTER_CONSONANT,
    "라면": _AFTER_VOWEL,
    "이에요": _AFTER_CONSONANT,
    "예요": _AFTER_VOWEL,
    "이다": _AFTER_CONSONANT,
    "입니다": _ANY,
    "은": _AFTER_CONSONANT,
    "는": _AFTER_VOWEL,
    "이": _AFTER_CONSONANT,
    "가": _AFTER_VOWEL,
    "을": _AFTER_CONSONANT,
    "를": _AFTER_VOWEL,
    "과": _AFTER_CONSONANT,
    "와": _AFTER_VOWEL,
    "으로": _AFTER_CONSONANT,
    "로": _AFTER_VOWEL_OR_RIEUL,
    "이랑": _AFTER_CONSONANT,
    "랑": _AFTER_VOWEL,
    "이나": _AFTER_CONSONANT,
    "나": _AFTER_VOWEL,
    "의": _ANY,
    "에": _ANY,
    "에서": _ANY,
    "에는": _ANY,
    "에게": _ANY,
    "한테": _ANY,
    "도": _ANY,
    "만": _ANY,
    "부터": _ANY,
    "까지": _ANY,
    "에대해": _ANY,
    "에대해서": _ANY,
    "에대한": _ANY,
    "에관해": _ANY,
    "에관해서": _ANY,
}
# Trailing particles, longest first. Only stripped when a stem of at least
# MIN_STEM_AFTER_PARTICLE characters remains, so short words (이, 가) survive.
PARTICLES: Final[tuple[str, ...]] = tuple(sorted(_PARTICLE_RULES, key=len, reverse=True))
MIN_STEM_AFTER_PARTICLE: Final = 2


def _words(text: str) -> tuple[str, ...]:
    """The whitespace-separated words of a word list written as one string."""
    return tuple(text.split())


# Question endings glued to the last word (도커가뭐야, 경사하강법이란무엇인가요), longest first.
QUESTION_SUFFIXES: Final[tuple[str, ...]] = tuple(
    sorted(
        set(
            _words(
                """뭐야 뭐예요 뭐에요 뭔가요 뭐죠 뭐지 뭐임 뭔데 뭐니 뭐냐 무엇인가요 무엇인가
                무엇인지 무엇입니까 무엇이야 무엇이에요 무엇 알려줘 알려주세요 알려줄래 설명해줘
                설명해주세요 설명해봐 설명좀"""
            )
        ),
        key=len,
        reverse=True,
    )
)
# Whole words that end a question and never belong to a name (도커가 뭐야, CNN 뜻,
# LSTM에 대해 설명해 주세요). Only dropped while at least one word remains.
QUESTION_WORDS: Final[frozenset[str]] = frozenset(
    QUESTION_SUFFIXES
    + _words(
        """대해 대해서 대한 관해 관해서 뜻 의미 개념 설명 설명해 정의 주세요 줘 좀 해줘 해주세요
        알려 이란 란 이 가 은 는 뭐 뭔지 무엇일까 무엇일까요 뭘까 뭘까요"""
    )
)
# English openings of a question (what is docker, define CNN) and articles after them.
_ENGLISH_OPENINGS: Final[tuple[tuple[str, ...], ...]] = (
    ("tell", "me", "about"),
    ("what", "is"),
    ("what", "are"),
    ("what's",),
    ("whats",),
    ("define",),
    ("explain",),
    ("meaning", "of"),
)
_ARTICLES: Final[frozenset[str]] = frozenset({"a", "an", "the"})
_HANGUL_END = re.compile(r"[가-힣]$")
_HANGUL_ANY = re.compile(r"[가-힣]")


def has_hangul(text: str) -> bool:
    """Whether ``text`` has a Hangul syllable anywhere (Korean rather than Latin)."""
    return _HANGUL_ANY.search(text) is not None


_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL_FINAL = 8  # index of ㄹ among the 28 final-consonant slots of a syllable

# Jamo that sound alike or are typed for each other (도꺼 / 도커, 텐써플로 / 텐서플로, 레이어 /
# 래이어): tense and aspirated initials fold to the plain one, ㅐ/ㅔ-type vowels to one, finals to
# their pronounced representative. Applied to both sides of a fuzzy comparison, never shown.
# fmt: off
_LOOSE_JAMO: Final[dict[int, int]] = {
    0x1101: 0x1100, 0x110F: 0x1100,  # ㄲ ㅋ -> ㄱ
    0x1104: 0x1103, 0x1110: 0x1103,  # ㄸ ㅌ -> ㄷ
    0x1108: 0x1107, 0x1111: 0x1107,  # ㅃ ㅍ -> ㅂ
    0x110A: 0x1109,  # ㅆ -> ㅅ
    0x110D: 0x110C, 0x110E: 0x110C,  # ㅉ ㅊ -> ㅈ
    0x1162: 0x1166, 0x1164: 0x1168,  # ㅐ -> ㅔ, ㅒ -> ㅖ
    0x116B: 0x1170, 0x116C: 0x1170,  # ㅙ ㅚ -> ㅞ
    0x11A9: 0x11A8, 0x11BF: 0x11A8,  # final ㄲ ㅋ -> ㄱ
    0x11BA: 0x11AE, 0x11BB: 0x11AE, 0x11BD: 0x11AE,  # final ㅅ ㅆ ㅈ -> ㄷ
    0x11BE: 0x11AE, 0x11C0: 0x11AE, 0x11C2: 0x11AE,  # final ㅊ ㅌ ㅎ -> ㄷ
    0x11C1: 0x11B8,  # final ㅍ -> ㅂ
}
# fmt: on
_FINAL_JAMO_FIRST, _FINAL_JAMO_LAST = 0x11A8, 0x11C2


def nfc(text: str) -> str:
    """NFC-normalise and drop invisible characters (BOM, zero-width joiners, soft hyphens)."""
    return unicodedata.normalize("NFC", text).translate(_INVISIBLE)


def fold(text: str) -> str:
    """Case-fold and unify width (NFKC), dashes and spacing; keeps spaces between words."""
    text = unicodedata.normalize("NFKC", nfc(text)).casefold()
    text = _DASHES.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def _fits(stem: str, rule: int) -> bool:
    """Whether a particle with ``rule`` may follow ``stem`` (Latin and digits: any particle)."""
    if rule == _ANY:
        return True
    code = ord(stem[-1])
    if not _HANGUL_FIRST <= code <= _HANGUL_LAST:
        return True
    final = (code - _HANGUL_FIRST) % 28
    if rule == _AFTER_CONSONANT:
        return final != 0
    if rule == _AFTER_VOWEL_OR_RIEUL:
        return final in (0, _RIEUL_FINAL)
    return final == 0


def _by_last_character(endings: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """``endings`` grouped by their last character, longest first, so a word is only checked
    against the few endings that can match it."""
    grouped: dict[str, list[str]] = {}
    for ending in endings:
        grouped.setdefault(ending[-1], []).append(ending)
    return {last: tuple(sorted(group, key=len, reverse=True)) for last, group in grouped.items()}


_PARTICLES_BY_LAST: Final = _by_last_character(PARTICLES)
_SUFFIXES_BY_LAST: Final = _by_last_character(QUESTION_SUFFIXES)


def _strip_question_suffix(word: str) -> str:
    for suffix in _SUFFIXES_BY_LAST.get(word[-1:], ()):
        if word.endswith(suffix) and len(word) > len(suffix):
            return word[: -len(suffix)]
    return word


def strip_particle(word: str) -> str:
    """Remove one trailing Korean particle or question ending from ``word`` if a stem remains.

    ``CNN은`` -> ``CNN``; ``경사하강법이란`` -> ``경사하강법``; ``도커가뭐야`` -> ``도커``. The stem
    must keep at least :data:`MIN_STEM_AFTER_PARTICLE` characters, and the particle must suit the
    stem's last syllable (이란 after a consonant, 란 after a vowel), so ``에이아이`` stays whole.
    """
    word = _strip_question_suffix(word)
    for particle in _PARTICLES_BY_LAST.get(word[-1:], ()):
        if word.endswith(particle):
            stem = word[: -len(particle)]
            if len(stem) >= MIN_STEM_AFTER_PARTICLE and _fits(stem, _PARTICLE_RULES[particle]):
                return stem
    return word


def _drop_english_opening(words: list[str]) -> list[str]:
    for opening in _ENGLISH_OPENINGS:
        size = len(opening)
        if tuple(words[:size]) == opening and len(words) > size:
            words = words[size:]
            break
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return words


def strip_question(text: str) -> str:
    """Drop question wording around a name in an already folded ``text``: English openings
    (``what is``, ``define``), trailing Korean question words (``뭐야``, ``무엇인가요``, ``에 대해
    설명해 주세요``) and question endings glued to the last word. Particles are left alone."""
    words = _drop_english_opening(text.split(" ")) if text else []
    while words:
        last = _EDGE_PUNCT.sub("", words[-1])
        if not last or (len(words) > 1 and last in QUESTION_WORDS):
            words.pop()
            continue
        shorter = _strip_question_suffix(last)
        words[-1] = shorter
        if shorter == last:
            break
    return " ".join(words)


def normalize_query(text: str) -> str:
    """The canonical form of a lookup query: folded, edge punctuation, question words and a
    trailing particle removed, spaces kept (use :func:`compact` to drop them)."""
    return query_forms(text)[-1] if text else ""


def query_forms(text: str) -> tuple[str, ...]:
    """The normalised forms of a query, least stripped first, without duplicates or empties:
    the name as typed (:func:`normalize_name`), without question words, without a particle.

    ``"도커가 뭐야?"`` -> ``("도커가 뭐야", "도커가", "도커")``. Returns ``("",)`` for a query with
    nothing left in it, so the last item is always :func:`normalize_query`.
    """
    full = normalize_name(text)
    if not full:
        return ("",)
    bare = _EDGE_PUNCT.sub("", strip_question(full))
    head, _, last = bare.rpartition(" ")
    last = strip_particle(_EDGE_PUNCT.sub("", last))
    stripped = f"{head} {last}".strip() if head else last
    forms: list[str] = []
    for form in (full, bare, stripped):
        if form and form not in forms:
            forms.append(form)
    return tuple(forms) if forms else ("",)


def normalize_name(text: str) -> str:
    """The canonical form of a concept name or alias (no particle stripping: names are exact)."""
    return _EDGE_PUNCT.sub("", fold(text))


def compact(text: str) -> str:
    """``text`` without any spaces: 경사 하강법 and 경사하강법 become equal."""
    return text.replace(" ", "")


def to_jamo(text: str) -> str:
    """Decompose Hangul syllables into jamo so a one-letter typo costs one character, not one
    syllable (경사하감법 vs 경사하강법)."""
    return unicodedata.normalize("NFD", text)


def loose_jamo(text: str) -> str:
    """:func:`to_jamo` with sound-alike jamo folded together (ㄲ/ㅋ -> ㄱ, ㅐ -> ㅔ,
    final ㅅ -> ㄷ), the key fuzzy lookup compares: 도꺼 and 도커 become equal. Not for display."""
    return unicodedata.normalize("NFD", text).translate(_LOOSE_JAMO)


def ends_with_final_jamo(jamo: str) -> bool:
    """Whether decomposed ``jamo`` ends in a final consonant (받침): a Korean word being
    typed may show the next syllable's first consonant as a 받침 (돜 on the way to 도커)."""
    return bool(jamo) and _FINAL_JAMO_FIRST <= ord(jamo[-1]) <= _FINAL_JAMO_LAST


def has_final_consonant(word: str) -> bool:
    """Whether the last syllable of ``word`` has a final consonant (받침), for choosing 이/가,
    은/는, 이란/란. Latin letters and digits are read the way Koreans usually say them."""
    word = word.rstrip(" )]}\"'?.!")
    if not word:
        return False
    last = word[-1]
    if _HANGUL_END.match(last):
        return (ord(last) - 0xAC00) % 28 != 0
    lower = last.lower()
    if lower.isdigit():
        return lower in "0136780"
    # English words read as letters (CNN -> 엔, RAG -> 지) or as words (docker -> 도커).
    if word[-2:].isupper() or (len(word) <= 4 and word.isupper()):
        return lower in "lmnr"
    return _english_word_has_final(word.lower())


_ENGLISH_VOWELS: Final = "aeiou"
# Endings read with a 받침: 스트림 / 토큰 / 커널, 스프링, 스택, 구글 / 프레임 / 엔진.
_ENGLISH_FINAL_ENDINGS: Final = ("m", "n", "l", "ng", "ck", "le", "me", "ne")


def _english_word_has_final(word: str) -> bool:
    """Whether an English word read as a word (not spelled out) ends in a 받침: the endings
    above, or a stop after a vowel as Koreans write loanwords: 깃 (git), 셋 (set), 맵 (map), 웹
    (web), 힙 (heap), 훅 (hook); but 부트 (boot), 루프 (loop), 프롬프트 (prompt)."""
    if word.endswith(_ENGLISH_FINAL_ENDINGS):
        return True
    if len(word) < 2 or word[-1] not in "ptkb" or word[-2] not in _ENGLISH_VOWELS:
        return False
    if word[-1] in "pk":  # 힙, 릭, 북: after one vowel or two, except 루프 (-oop)
        return not word.endswith("oop")
    return len(word) < 3 or word[-3] not in _ENGLISH_VOWELS  # 셋, 깃, 웹; not 부트, 시트
