"""Text normalisation shared by lookup and grading (pure functions, no I/O).

Korean text arrives in many shapes: decomposed Hangul, full-width letters, zero-width characters,
spacing that varies (경사 하강법 / 경사하강법) and particles glued to the word (CNN은, 경사하강법이란?).
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width and invisible characters people paste from chats and web pages.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_DASHES = re.compile(r"[\-\u2010-\u2015\u2212_·•]+")
_SPACES = re.compile(r"\s+")
_EDGE_PUNCT = re.compile(r"^[\s\"'`“”‘’(\[{<]+|[\s\"'`“”‘’)\]}>?!.,:;~…]+$")

# Trailing particles and question endings, longest first. Only stripped when a stem of at least
# MIN_STEM_AFTER_PARTICLE characters remains, so short words (이, 가) survive.
PARTICLES: tuple[str, ...] = tuple(
    sorted(
        {
            "이란무엇인가요", "란무엇인가요", "이란무엇인가", "란무엇인가", "이란뭔가요", "란뭔가요",
            "이란뭐야", "란뭐야", "이뭐야", "가뭐야", "는뭐야", "은뭐야", "이란", "란", "이라는",
            "라는", "이라고", "라고", "에대해", "에대해서", "에대한", "이에요", "예요", "입니다",
            "이다", "은", "는", "이", "가", "을", "를", "의", "에", "에서", "으로", "로", "와",
            "과", "이랑", "랑", "도", "만", "부터", "까지", "에게", "한테", "이나", "나",
        },
        key=len,
        reverse=True,
    )
)
MIN_STEM_AFTER_PARTICLE = 2
_HANGUL_END = re.compile(r"[가-힣]$")


def nfc(text: str) -> str:
    """NFC-normalise and drop invisible characters (BOM, zero-width joiners, soft hyphens)."""
    return unicodedata.normalize("NFC", text).translate(_INVISIBLE)


def fold(text: str) -> str:
    """Case-fold and unify width (NFKC), dashes and spacing; keeps spaces between words."""
    text = unicodedata.normalize("NFKC", nfc(text)).casefold()
    text = _DASHES.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def strip_particle(word: str) -> str:
    """Remove one trailing Korean particle or question ending from ``word`` if a stem remains.

    ``CNN은`` -> ``cnn`` stem ``CNN``; ``경사하강법이란`` -> ``경사하강법``. A particle is only
    removed when the character before it is not itself part of a longer Hangul ending ambiguity:
    the stem must keep at least :data:`MIN_STEM_AFTER_PARTICLE` characters.
    """
    for particle in PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= MIN_STEM_AFTER_PARTICLE:
            return word[: -len(particle)]
    return word


def normalize_query(text: str) -> str:
    """The canonical form of a lookup query or a name: folded, edge punctuation and a trailing
    particle removed, spaces kept (use :func:`compact` to drop them)."""
    text = fold(text)
    text = _EDGE_PUNCT.sub("", text)
    if not text:
        return ""
    head, _, last = text.rpartition(" ")
    last = strip_particle(_EDGE_PUNCT.sub("", last))
    text = f"{head} {last}" if head else last
    return text.strip()


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
    if word[-2:].isupper() or len(word) <= 4 and word.isupper():
        return lower in "lmnr"
    return lower in "lmn"
