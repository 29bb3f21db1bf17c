"""The general glossary: Korean and English names of common interview terms (pure; the packaged
data file is read with :mod:`importlib.resources`, nothing else).

The data is ``glossary.toml`` next to this module, installed with the package: groups of
spellings that name the same thing (``["교착 상태", "데드락", "deadlock"]``), compounds and the
single words inside them (``패턴`` = ``pattern``, ``가상`` = ``virtual``). See the file's header
for how to write it. Notes need no aliases for what the glossary knows:

- **Lookup** indexes every name under its :meth:`Glossary.cross_key`, a language-independent key:
  the name read word by word, each known word (or run of words) replaced by its group.
  ``Singleton 패턴``, ``싱글톤 패턴``, ``singleton pattern`` and ``싱글턴패턴`` share one key;
  so do ``가상 메모리`` and ``Virtual Memory``, ``Context Switching`` and ``문맥 교환``.
- **Lookup** also offers :meth:`Glossary.translations` of a term as extra names to match typos
  against (``singleton pattern`` and ``싱글톤 패턴`` for ``Singleton 패턴``).
- **Grading** counts the spellings of a group as each other (:meth:`Glossary.synonym_groups`),
  so an English answer hits a Korean key point (최적화 = optimization).

How a name is read (:meth:`Glossary.cross_key`):

1. Normalised like any name (:func:`~bot.core.knowledge.text.normalize_name`) and cut into
   words: Hangul runs and Latin/digit runs (``Singleton패턴`` is two words, ``C++`` and ``C#``
   keep their signs, punctuation separates). An English plural the glossary does not list is
   read as its singular when that is a glossary word (``patterns`` -> ``pattern``).
2. From the left, the longest run of words whose letters, joined without spaces, spell a glossary
   entry becomes that entry's group (``가상 메모리``, ``가상메모리`` and ``virtual memory`` all
   spell the group of virtual memory). A Hangul word that spells no entry but is a concatenation
   of entries is split into them, fewest pieces first (``싱글턴패턴`` -> 싱글턴 + 패턴). Any
   other word stays as it is; adjacent unknown words are joined without spaces.
3. A run of groups and words that is how a compound entry reads word by word becomes the
   compound (``Quick 정렬`` reads quick + 정렬, which is how ``quick sort`` reads: the group of
   quick sort), repeated until nothing changes; the same group twice in a row counts once
   (``교착상태 Deadlock``).
4. The key is the groups (``@12``) and the unknown words, space-separated; ``None`` when no word
   was known, since such a key says nothing a plain name does not.

A spelling listed in two groups is ambiguous and never translated (:meth:`Glossary.overlaps`
lists them; the shipped file has none).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from typing import Final, TypeAlias

from bot.core.errors import BadInput
from bot.core.knowledge.text import compact, has_hangul, normalize_name

GLOSSARY_PACKAGE: Final = "bot.core.knowledge"
GLOSSARY_FILE: Final = "glossary.toml"
ERROR_KEY: Final = "glossary_invalid"
GROUPS_KEY: Final = "groups"
# A spelling longer than this is not a term but a pasted sentence.
MAX_SPELLING_CHARS: Final = 60
# How many other names :meth:`Glossary.translations` returns at most.
MAX_TRANSLATIONS: Final = 4
# An English plural is read as its singular only when at least this much is left (keys, not ios).
MIN_PLURAL_STEM: Final = 3
# Names whose reading is remembered (an index build reads each name twice).
READING_CACHE_SIZE: Final = 8192
# How a group is written in a cross key: never part of a word (words have no punctuation).
GROUP_MARK: Final = "@"

# A word: a run of Hangul syllables, or of other letters and digits (+ and # kept at the end).
_WORD = re.compile(r"[가-힣]+|[^\W_가-힣][^\W_가-힣]*[+#]*")
_ONE_SYLLABLE = re.compile(r"[가-힣]")
_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)\s*$")
# English plural endings and what the singular ends in instead, tried in this order.
_PLURALS: Final = (("ies", "y"), ("es", ""), ("s", ""))
_NOT_PLURAL: Final = ("ss", "us", "is")
_UNKNOWN: Final = -1  # no group, or a spelling in two groups
_NO_GROUP: Final = -2  # "exclude no group"

# One piece of a reading: a group index, or unknown words (space-separated, folded).
Item: TypeAlias = int | str


def words_of(text: str) -> list[str]:
    """The words of ``text`` as the glossary compares them: normalised (folded, case and width
    unified), Hangul runs and Latin/digit runs apart, punctuation dropped."""
    return _WORD.findall(normalize_name(text))


def spelling_key(spelling: str) -> str:
    """The form spellings are compared in: their words joined (``Node.js`` == ``nodejs``,
    ``교착 상태`` == ``교착상태``); ``""`` for a spelling without letters or digits."""
    return "".join(words_of(spelling))


def _is_hangul_word(word: str) -> bool:
    return "가" <= word[0] <= "힣"


def _sequence(items: Sequence[Item]) -> tuple[Item, ...]:
    """``items`` in the form compound readings are compared in (unknown words without spaces)."""
    return tuple(item if isinstance(item, int) else compact(item) for item in items)


def _append(items: list[Item], item: Item) -> None:
    """Append ``item``, except a group right after itself (교착상태 Deadlock is one term)."""
    if isinstance(item, int) and items and items[-1] == item:
        return
    items.append(item)


class Glossary:
    """Groups of spellings that name the same term, indexed for reading names word by word.

    Build one with :func:`parse_glossary` (the data file), :func:`default_glossary` (the packaged
    file, cached) or directly from groups. Read-only after construction apart from a bounded cache
    of readings, so one instance may serve several threads.
    """

    def __init__(self, groups: Iterable[Sequence[str]] = ()) -> None:
        self.groups: tuple[tuple[str, ...], ...] = tuple(tuple(group) for group in groups)
        groups = self.groups
        # The words of every spelling, group by group (read once: normalising is the slow part).
        self._spelled = tuple(tuple(words_of(spelling) for spelling in group) for group in groups)
        owners: dict[str, set[int]] = {}
        words: set[str] = set()
        firsts: list[tuple[str, str]] = []
        for index, group in enumerate(self.groups):
            for parts in self._spelled[index]:
                words.update(parts)
                if parts:
                    owners.setdefault("".join(parts), set()).add(index)
            latin = next((s for s in group if not has_hangul(s)), group[0] if group else "")
            hangul = next((s for s in group if has_hangul(s)), group[0] if group else "")
            firsts.append((latin, hangul))
        self._firsts = tuple(firsts)
        self._table: dict[str, int] = {
            key: next(iter(found)) if len(found) == 1 else _UNKNOWN for key, found in owners.items()
        }
        self._hangul = {key: group for key, group in self._table.items() if _is_hangul_word(key)}
        # Every beginning of an entry: a run of words that is none can stop growing.
        self._prefixes = frozenset(key[:end] for key in self._table for end in range(1, len(key)))
        self._words = frozenset(words)
        self._overlaps: dict[str, tuple[int, ...]] = {
            key: tuple(sorted(found)) for key, found in owners.items() if len(found) > 1
        }
        self._sequences: dict[tuple[Item, ...], int] = {}
        self._max_sequence = 0
        self._register_compounds()
        kept = (
            tuple(s for s in group if not _ONE_SYLLABLE.fullmatch(compact(s))) for group in groups
        )
        self._synonym_groups = tuple(group for group in kept if len(group) >= 2)
        self._readings: dict[str, tuple[Item, ...]] = {}

    @classmethod
    def empty(cls) -> Glossary:
        """A glossary that knows no term (every name is only itself)."""
        return cls()

    def __len__(self) -> int:
        """The number of groups."""
        return len(self.groups)

    # --- building -----------------------------------------------------------------------------

    def _register_compounds(self) -> None:
        """Remember how each compound spelling reads word by word without its own group
        (``quick sort`` -> quick + the group of sort), so a mixed spelling (``Quick 정렬``) is read
        as the compound. A second pass reads them with the first pass's compounds (``virtual
        메모리 관리``). A reading two groups claim is ambiguous and left out."""
        claims: dict[tuple[Item, ...], set[int]] = {}
        readings: list[tuple[int, list[Item]]] = []
        for index, spellings in enumerate(self._spelled):
            for parts in spellings:
                items = self._translate(parts, index) if parts else []
                if len(items) >= 2 and any(isinstance(item, int) for item in items):
                    claims.setdefault(_sequence(items), set()).add(index)
                    readings.append((index, items))
        self._use_sequences(claims)
        for index, items in readings:
            merged = self._merge(items, index)
            if len(merged) >= 2 and merged != tuple(items):
                claims.setdefault(_sequence(merged), set()).add(index)
        self._use_sequences(claims)
        for sequence, found in claims.items():
            if len(found) > 1:
                shown = " ".join(
                    f"{GROUP_MARK}{item}" if isinstance(item, int) else item for item in sequence
                )
                self._overlaps[shown] = tuple(sorted(found))

    def _use_sequences(self, claims: dict[tuple[Item, ...], set[int]]) -> None:
        self._sequences = {
            sequence: next(iter(found)) for sequence, found in claims.items() if len(found) == 1
        }
        self._max_sequence = max(map(len, self._sequences), default=0)

    # --- reading names ------------------------------------------------------------------------

    def _singular(self, word: str) -> str:
        """``word`` as its singular when it is an English plural of a glossary word it is not
        itself (``patterns`` -> ``pattern``, ``policies`` -> ``policy``)."""
        if word in self._words or not word.isascii() or not word.isalpha():
            return word
        for ending, replacement in _PLURALS:
            if not word.endswith(ending) or (ending == "s" and word.endswith(_NOT_PLURAL)):
                continue
            stem = word[: -len(ending)] + replacement
            if len(stem) >= MIN_PLURAL_STEM and stem in self._words:
                return stem
        return word

    def _name_words(self, name: str, normalized: bool = False) -> list[str]:
        words = _WORD.findall(name) if normalized else words_of(name)
        return [self._singular(word) for word in words]

    def _longest(self, words: Sequence[str], start: int, exclude: int) -> tuple[int, int]:
        """The group of the longest run of ``words`` from ``start`` that spells an entry (not of
        group ``exclude``) and where the run ends; ``(_UNKNOWN, start)`` when none does."""
        best, end = _UNKNOWN, start
        joined = ""
        for stop in range(start, len(words)):
            joined += words[stop]
            group = self._table.get(joined, _UNKNOWN)
            if group >= 0 and group != exclude:
                best, end = group, stop + 1
            if joined not in self._prefixes:
                break
        return best, end

    def _split(self, word: str, exclude: int) -> tuple[int, ...]:
        """The groups of a Hangul ``word`` that is a concatenation of entries (가상메모리관리 ->
        가상메모리 + 관리), fewest pieces first; ``()`` when it is not one."""
        size = len(word)
        if size < 2 or not _is_hangul_word(word):
            return ()
        best: list[tuple[int, ...] | None] = [None] * (size + 1)
        best[0] = ()
        for start in range(size):
            prefix = best[start]
            if prefix is None:
                continue
            for stop in range(start + 1, size + 1):
                piece = word[start:stop]
                group = self._hangul.get(piece, _UNKNOWN)
                current = best[stop]
                if (
                    group >= 0
                    and group != exclude
                    and (current is None or len(prefix) + 1 < len(current))
                ):
                    best[stop] = (*prefix, group)
                if piece not in self._prefixes:
                    break
        found = best[size]
        return found if found is not None and len(found) >= 2 else ()

    def _translate(self, words: Sequence[str], exclude: int) -> list[Item]:
        """Step 2 of the module docstring: known runs and concatenations to groups."""
        items: list[Item] = []
        unknown: list[str] = []
        position, count = 0, len(words)
        while position < count:
            group, end = self._longest(words, position, exclude)
            pieces = (group,) if group >= 0 else self._split(words[position], exclude)
            if not pieces:
                unknown.append(words[position])
                position += 1
                continue
            if unknown:
                items.append(" ".join(unknown))
                unknown = []
            for piece in pieces:
                _append(items, piece)
            position = end if group >= 0 else position + 1
        if unknown:
            items.append(" ".join(unknown))
        return items

    def _merge(self, items: list[Item], exclude: int) -> tuple[Item, ...]:
        """Step 3 of the module docstring: runs that read like a compound become the compound."""
        current = items
        while len(current) >= 2 and self._max_sequence >= 2:
            merged: list[Item] = []
            changed = False
            position = 0
            while position < len(current):
                longest = min(self._max_sequence, len(current) - position)
                for size in range(longest, 1, -1):
                    found = _sequence(current[position : position + size])
                    group = self._sequences.get(found, _UNKNOWN)
                    if group >= 0 and group != exclude:
                        _append(merged, group)
                        position += size
                        changed = True
                        break
                else:
                    _append(merged, current[position])
                    position += 1
            current = merged
            if not changed:
                break
        return tuple(current)

    def _read(self, words: Sequence[str], exclude: int = _NO_GROUP) -> tuple[Item, ...]:
        return self._merge(self._translate(words, exclude), exclude)

    def _reading(self, name: str, normalized: bool = False) -> tuple[Item, ...]:
        """How ``name`` reads (steps 1-3), remembered for the next call (normalising is
        idempotent, so a name and its normalised form read the same)."""
        found = self._readings.get(name)
        if found is None:
            found = self._read(self._name_words(name, normalized)) if self._table else ()
            if len(self._readings) >= READING_CACHE_SIZE:
                self._readings.clear()
            self._readings[name] = found
        return found

    # --- what the rest of the bot asks ----------------------------------------------------------

    def cross_key(self, name: str, *, normalized: bool = False) -> str | None:
        """A language-independent key for ``name`` (see the module docstring): equal for
        ``Singleton 패턴``, ``싱글톤 패턴``, ``singleton pattern`` and ``싱글턴패턴``. ``None``
        when no word of ``name`` is in the glossary. ``normalized``: ``name`` is already
        :func:`~bot.core.knowledge.text.normalize_name`'d (saves doing it again)."""
        items = self._reading(name, normalized)
        if not any(isinstance(item, int) for item in items):
            return None
        return " ".join(
            f"{GROUP_MARK}{item}" if isinstance(item, int) else compact(item) for item in items
        )

    def translations(
        self, term: str, limit: int = MAX_TRANSLATIONS, *, normalized: bool = False
    ) -> tuple[str, ...]:
        """Readable other names for ``term``, at most ``limit``, other script first: the other
        spellings of its group when the whole term is one (``데드락`` -> ``deadlock``, ``교착
        상태``), else the term written word by word in English and in Korean (``Singleton 패턴``
        -> ``singleton pattern``, ``싱글톤 패턴``). Names equal to ``term`` (as lookup compares
        names) are left out; ``()`` when no word of ``term`` is known. ``normalized`` as for
        :meth:`cross_key`."""
        items = self._reading(term, normalized)
        if limit <= 0 or not any(isinstance(item, int) for item in items):
            return ()
        korean = bool(has_hangul(term))
        first = items[0]
        if len(items) == 1 and isinstance(first, int):
            candidates = sorted(self.groups[first], key=lambda s: bool(has_hangul(s)) == korean)
        else:
            english, hangul = self._render(items, False), self._render(items, True)
            candidates = [english, hangul] if korean else [hangul, english]
        found: list[str] = []
        seen = {compact(normalize_name(term))}
        for candidate in candidates:
            key = compact(normalize_name(candidate))
            if key and key not in seen:
                seen.add(key)
                found.append(candidate)
                if len(found) >= limit:
                    break
        return tuple(found)

    def known_english(self, name: str) -> tuple[str, ...]:
        """The English of each known word or compound of ``name``, in order and once each
        (``머신러닝 (딥러닝 포함) 수학`` -> machine learning, deep learning, math): a gloss for a
        name that has no whole translation."""
        found = (self._firsts[item][False] for item in self._reading(name) if isinstance(item, int))
        return tuple(dict.fromkeys(english for english in found if not has_hangul(english)))

    def _render(self, items: Sequence[Item], hangul: bool) -> str:
        """``items`` written with each group's first Hangul (or Latin) spelling."""
        return " ".join(
            self._firsts[item][hangul] if isinstance(item, int) else item for item in items
        )

    def synonym_groups(self) -> tuple[tuple[str, ...], ...]:
        """The groups as grading synonyms. One-syllable Hangul spellings (힙, 큐, 키, 열) are left
        out: grading finds Korean spellings at the start of answer words, and one syllable starts
        too many unrelated words (키워드, 열심히)."""
        return self._synonym_groups

    def overlaps(self) -> dict[str, tuple[int, ...]]:
        """Spellings (as compared, :func:`spelling_key`) and compound readings claimed by more
        than one group, with the groups' indexes; they are never translated."""
        return dict(self._overlaps)


# --- the data file ------------------------------------------------------------------------------


def _error(source: str, line: int, detail: str) -> BadInput:
    return BadInput(ERROR_KEY, path=source, line=line, detail=detail)


def _toml_error_line(text: str, exc: tomllib.TOMLDecodeError) -> tuple[int, str]:
    message = str(exc)
    match = _TOML_POSITION.search(message)
    if match and match.group(1):
        line = int(match.group(1))
    elif match:  # "at end of document": the last line
        line = max(1, len(text.splitlines()))
    else:
        line = getattr(exc, "lineno", None) or 1
    return line, _TOML_POSITION.sub("", message) or "invalid TOML"


def _key_line(text: str, key: str) -> int:
    """The 1-based line where the top-level ``key`` is set (1 when it cannot be found)."""
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=|^\s*\[\s*{re.escape(key)}\s*\]")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return 1


def _group_lines(text: str, groups: list[object]) -> list[int]:
    """The line of each group: the lines after ``groups =`` that open a group (``[``), when
    there is one per group as the format asks; else the line naming each group's first spelling."""
    lines = text.splitlines()
    start = _key_line(text, GROUPS_KEY)
    opening = [
        number
        for number, line in enumerate(lines[start:], start=start + 1)
        if line.lstrip().startswith("[")
    ]
    if len(opening) == len(groups):
        return opening
    found: list[int] = []
    for group in groups:
        first = group[0] if isinstance(group, list) and group else None
        line = start
        if isinstance(first, str):
            quoted = (f'"{first}"', f"'{first}'")
            line = next(
                (n for n, text_line in enumerate(lines, 1) if any(q in text_line for q in quoted)),
                start,
            )
        found.append(line)
    return found


def _group_problem(group: object) -> str:
    """Why ``group`` is not a list of usable strings, or ``""`` (spellings checked later)."""
    if not isinstance(group, list) or len(group) < 2:
        return "a group is a list of at least two spellings"
    for spelling in group:
        if not isinstance(spelling, str) or not spelling.strip():
            return "spellings must be non-empty strings"
        if len(spelling) > MAX_SPELLING_CHARS:
            return f"spelling {spelling[:20]!r}… is longer than {MAX_SPELLING_CHARS} characters"
    return ""


def _spelling_problem(group: Sequence[str], spelled: Sequence[Sequence[str]]) -> str:
    """Why the spellings of ``group`` (with their words ``spelled``) are not usable, or ``""``:
    one without letters, or two spelled the same (:func:`spelling_key`)."""
    seen: dict[str, str] = {}
    for spelling, parts in zip(group, spelled, strict=True):
        key = "".join(parts)
        if not key:
            return f"spelling {spelling!r} has no letters"
        if key in seen:
            return f"{spelling!r} is spelled like {seen[key]!r}"
        seen[key] = spelling
    return ""


def parse_glossary(text: str, source: str) -> Glossary:
    """Parse the glossary file ``text`` (``source`` names it in errors).

    Raises :class:`~bot.core.errors.BadInput` ``glossary_invalid`` with ``path``, ``line`` and
    ``detail`` when the TOML is malformed, a top-level key other than ``groups`` appears,
    ``groups`` is missing or not a list, or a group is not a list of at least two non-empty
    strings with letters, at most :data:`MAX_SPELLING_CHARS` long, each spelled differently
    (:func:`spelling_key`). A spelling in two groups is allowed (see :meth:`Glossary.overlaps`).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, detail = _toml_error_line(text, exc)
        raise _error(source, line, detail) from exc
    for key in data:
        if key != GROUPS_KEY:
            raise _error(source, _key_line(text, key), f"unexpected top-level key {key!r}")
    raw = data.get(GROUPS_KEY)
    if raw is None:
        raise _error(source, 1, f"missing {GROUPS_KEY!r}")
    if not isinstance(raw, list):
        raise _error(source, _key_line(text, GROUPS_KEY), f"{GROUPS_KEY!r} must be a list")
    lines = _group_lines(text, raw)
    groups: list[list[str]] = []
    for number, group in enumerate(raw):
        problem = _group_problem(group)
        if problem:
            raise _error(source, lines[number], f"group {number + 1}: {problem}")
        groups.append([spelling.strip() for spelling in group])
    glossary = Glossary(groups)
    for number, (group, spelled) in enumerate(zip(glossary.groups, glossary._spelled, strict=True)):
        problem = _spelling_problem(group, spelled)
        if problem:
            raise _error(source, lines[number], f"group {number + 1}: {problem}")
    return glossary


@cache
def default_glossary() -> Glossary:
    """The glossary shipped in the package (``glossary.toml``), parsed once per process."""
    text = resources.files(GLOSSARY_PACKAGE).joinpath(GLOSSARY_FILE).read_text(encoding="utf-8")
    return parse_glossary(text, GLOSSARY_FILE)


def cross_key(name: str) -> str | None:
    """:meth:`Glossary.cross_key` of the packaged glossary."""
    return default_glossary().cross_key(name)


def translations(term: str, limit: int = MAX_TRANSLATIONS) -> tuple[str, ...]:
    """:meth:`Glossary.translations` of the packaged glossary."""
    return default_glossary().translations(term, limit)


def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """:meth:`Glossary.synonym_groups` of the packaged glossary."""
    return default_glossary().synonym_groups()
