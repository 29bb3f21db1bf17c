"""Interview questions from concepts: the note's own question, or a template per locale.

Korean templates pick the particle the term's last syllable needs (CNN이란, Docker란, 동기와,
합성곱과) via :func:`bot.core.knowledge.text.has_final_consonant`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from bot.core.knowledge.glossary import default_glossary
from bot.core.knowledge.text import has_final_consonant, has_hangul
from bot.core.models import Concept

DEFAULT_LOCALE: Final = "ko"

# ``{term}``; ``{iran}`` is 이란/란, ``{eun}`` 은/는 — chosen for the term.
QUESTION_TEMPLATES: Final[dict[str, tuple[str, ...]]] = {
    "ko": ("{term}에 대해 설명해 주세요.", "{term}{iran} 무엇인가요?"),
    "en": ("What is {term}?", "Explain {term}."),
}
# Particle pairs: (after a final consonant, after a vowel).
_PARTICLES: Final[dict[str, tuple[str, str]]] = {
    "iran": ("이란", "란"),
    "eun": ("은", "는"),
    "i": ("이", "가"),
    "eul": ("을", "를"),
    "wa": ("과", "와"),
}


def particle(word: str, kind: str) -> str:
    """The particle of ``kind`` (``iran``, ``eun``, ``i``, ``eul``, ``wa``) that follows ``word``:
    ``particle("CNN", "iran") == "이란"``, ``particle("Docker", "iran") == "란"``."""
    with_final, without_final = _PARTICLES[kind]
    return with_final if has_final_consonant(word) else without_final


def locale_of(locale: str | None) -> str:
    """The template locale for ``locale`` (``en-US`` -> ``en``); unknown ones get Korean."""
    base = (locale or "").replace("_", "-").split("-")[0].casefold()
    return base if base in QUESTION_TEMPLATES else DEFAULT_LOCALE


@lru_cache(maxsize=4096)
def _particles(word: str) -> dict[str, str]:
    return {kind: particle(word, kind) for kind in _PARTICLES}


def term_in(concept: Concept, locale: str = DEFAULT_LOCALE) -> str:
    """How to name ``concept`` in ``locale``'s questions: in English a Korean term is named by
    its first alias written without Hangul (``로지스틱 회귀`` -> ``Logistic Regression``), else
    by the glossary's English (``대립가설`` -> ``alternative hypothesis``), else as written."""
    term = concept.term.strip()
    if locale_of(locale) != "en" or not has_hangul(term):
        return term
    for alias in concept.aliases:
        if alias.strip() and not has_hangul(alias):
            return alias.strip()
    for translation in default_glossary().translations(term):
        if not has_hangul(translation):
            return translation
    return term


def question_for(concept: Concept, locale: str = DEFAULT_LOCALE, *, variant: int = 0) -> str:
    """The question to ask about ``concept``.

    A note written as a question (``concept.question``) is asked as it is; otherwise template
    ``variant`` (cycled) of ``locale`` is filled with the concept's term.
    """
    own = (concept.question or "").strip()
    if own:
        return own
    term = term_in(concept, locale)
    templates = QUESTION_TEMPLATES[locale_of(locale)]
    template = templates[variant % len(templates)]
    return template.format(term=term, **_particles(term))
