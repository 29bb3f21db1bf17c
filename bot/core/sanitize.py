"""Text as people type it, made safe to store and send (pure, no I/O).

Every front end hands the application text that may hold code points no database or platform
can encode: a lone UTF-16 surrogate (half of an emoji, from a client that split a pair or a
paste that cut one) raises UnicodeEncodeError at the first ``encode("utf-8")``, and a NUL is
refused by PostgreSQL. :func:`clean_text` is applied once, where such text enters the
application (queries, answers, topics, appeal notes, schedule fields).
"""

from __future__ import annotations

from typing import Final

REPLACEMENT: Final = "\ufffd"


def clean_text(text: str) -> str:
    """``text`` with surrogate pairs written as two code points joined into their character,
    every other (lone) surrogate replaced by U+FFFD and NUL characters removed; text that was
    already fine comes back unchanged (the same object)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text.replace("\x00", "") if "\x00" in text else text


def clean_optional(text: str | None) -> str | None:
    """:func:`clean_text` for an optional argument (None stays None)."""
    return None if text is None else clean_text(text)
