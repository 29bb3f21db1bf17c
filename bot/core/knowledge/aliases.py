"""The aliases data file: other names for the concepts in the notes (pure, no I/O).

The file is TOML with one table, ``[aliases]``, mapping a concept term as written in the notes to
a list of other names::

    [aliases]
    "CNN" = ["합성곱 신경망", "Convolutional Neural Network", "씨엔엔"]

:func:`parse_aliases` turns the text into a mapping (or raises ``BadInput("aliases_invalid")``
naming the file and line); :func:`aliases_for_terms` attaches aliases to terms the way lookup
compares names.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from typing import Final

from bot.core.errors import BadInput
from bot.core.knowledge.text import compact, normalize_name

ALIASES_TABLE: Final = "aliases"
ERROR_KEY: Final = "aliases_invalid"
_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)\s*$")


def name_key(name: str) -> str:
    """The form two names are compared in: normalised, without spaces (TypeORM == typeorm,
    경사 하강법 == 경사하강법)."""
    return compact(normalize_name(name))


def _error(source: str, line: int, detail: str) -> BadInput:
    return BadInput(ERROR_KEY, path=source, line=line, detail=detail)


def _line_of(text: str, key: str) -> int:
    """The 1-based line where ``key`` is defined in ``text`` (1 when it cannot be found)."""
    quoted = (f'"{key}"', f"'{key}'")
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip()
        if stripped.startswith(quoted) or re.match(rf"\[?\s*{re.escape(key)}\s*[=\]]", stripped):
            return number
    return 1


def parse_aliases(text: str, source: str) -> dict[str, tuple[str, ...]]:
    """Parse the aliases file ``text`` (``source`` names it in errors).

    Returns term -> aliases in file order, stripped, without duplicates (compared the way lookup
    compares names). Raises :class:`~bot.core.errors.BadInput` ``aliases_invalid`` with ``path``,
    ``line`` and ``detail`` when the TOML is malformed, the ``[aliases]`` table is missing or
    another top-level key appears, or a value is not a list of non-empty strings.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POSITION.search(message)
        if match and match.group(1):
            line = int(match.group(1))
        elif match:  # "at end of document": the last line
            line = max(1, len(text.splitlines()))
        else:
            line = getattr(exc, "lineno", None) or 1
        raise _error(source, line, _TOML_POSITION.sub("", message) or "invalid TOML") from exc
    for key in data:
        if key != ALIASES_TABLE:
            raise _error(source, _line_of(text, key), f"unexpected top-level key {key!r}")
    table = data.get(ALIASES_TABLE)
    if table is None:
        raise _error(source, 1, f"missing [{ALIASES_TABLE}] table")
    if not isinstance(table, dict):
        raise _error(source, _line_of(text, ALIASES_TABLE), f"{ALIASES_TABLE} must be a table")
    result: dict[str, tuple[str, ...]] = {}
    for term, value in table.items():
        line = _line_of(text, term)
        if not term.strip():
            raise _error(source, line, "empty concept term")
        if not isinstance(value, list):
            raise _error(source, line, f"aliases of {term!r} must be a list of strings")
        names: list[str] = []
        seen: set[str] = set()
        for item in value:
            if not isinstance(item, str) or not item.strip():
                raise _error(source, line, f"aliases of {term!r} must be non-empty strings")
            key = name_key(item)
            if not key:
                raise _error(source, line, f"alias {item!r} of {term!r} has no letters")
            if key not in seen:
                seen.add(key)
                names.append(item.strip())
        result[term.strip()] = tuple(names)
    return result


def aliases_for_terms(
    aliases: Mapping[str, Iterable[str]], terms: Iterable[str]
) -> dict[str, tuple[str, ...]]:
    """For each of ``terms`` that has aliases, its aliases (keys matched by :func:`name_key`, so
    ``"docker"`` in the file serves the note's ``Docker``); names equal to the term are dropped."""
    by_key: dict[str, list[str]] = {}
    for key_term, names in aliases.items():
        by_key.setdefault(name_key(key_term), []).extend(names)
    result: dict[str, tuple[str, ...]] = {}
    for term in terms:
        own = name_key(term)
        found = by_key.get(own)
        if not found:
            continue
        kept: list[str] = []
        seen = {own}
        for name in found:
            key = name_key(name)
            if key not in seen:
                seen.add(key)
                kept.append(name)
        result[term] = tuple(kept)
    return result
