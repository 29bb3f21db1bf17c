"""A loanword and synonym map used by grading in both directions (kernel = 커널 = 필터 ...).

The map is data: the notes' own groups (``knowledge/synonyms.toml``) and, for grading, the general
glossary's (:meth:`SynonymMap.with_glossary`): groups of spellings that mean the same thing in an
interview answer. A word may sit in several groups; :meth:`SynonymMap.variants` returns the union
of its groups (not the transitive closure), so ``경사`` (gradient) does not drag in everything
``기울기`` (slope) is equal to.

File format::

    # One group per line: every spelling in a group counts as the others.
    groups = [
      ["kernel", "커널"],
      ["layer", "층", "레이어"],
    ]
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from bot.core.errors import BadInput
from bot.core.knowledge.glossary import Glossary, default_glossary
from bot.core.knowledge.text import compact, fold

# A spelling longer than this is not a word but a pasted paragraph.
MAX_SPELLING_CHARS: Final = 60
_TOML_LINE = re.compile(r"at line (\d+)")
_ALLOWED_KEYS: Final = frozenset({"groups"})


def synonym_key(word: str) -> str:
    """The form a spelling is indexed under: folded, without spaces or dots (``Feature-Map``,
    ``feature map`` and ``featuremap`` share one key)."""
    return compact(fold(word)).replace(".", "")


def _normal(word: str) -> str:
    """The form a spelling is returned in: folded, spaces between words kept."""
    return fold(word)


@dataclass(frozen=True, eq=False)
class SynonymMap:
    """Groups of equivalent spellings, looked up by any member.

    Instances compare and hash by identity so graders can cache work per map.
    """

    groups: tuple[frozenset[str], ...] = ()
    _index: Mapping[str, frozenset[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_groups(cls, groups: Iterable[Iterable[str]]) -> SynonymMap:
        """Build a map from groups of spellings (normalised here; blank spellings dropped)."""
        normal_groups: list[frozenset[str]] = []
        index: dict[str, set[str]] = {}
        for group in groups:
            members = frozenset(_normal(word) for word in group if word.strip())
            if len(members) < 2:
                continue
            normal_groups.append(members)
            for member in members:
                index.setdefault(synonym_key(member), set()).update(members)
        frozen = {key: frozenset(values) for key, values in index.items()}
        return cls(tuple(normal_groups), frozen)

    @classmethod
    def with_glossary(
        cls, groups: Iterable[Iterable[str]], glossary: Glossary | None = None
    ) -> SynonymMap:
        """The map grading uses: the general glossary's groups (default: the packaged one,
        :func:`~bot.core.knowledge.glossary.default_glossary`) and the notes' own ``groups``
        (their ``synonyms.toml``), so an English answer hits a Korean key point in any notes."""
        chosen = default_glossary() if glossary is None else glossary
        return cls.from_groups([*chosen.synonym_groups(), *groups])

    @classmethod
    def empty(cls) -> SynonymMap:
        """A map without any synonyms (every word is only itself)."""
        return cls()

    @classmethod
    def parse(cls, text: str, source: str) -> SynonymMap:
        """Parse the TOML text of a synonyms file; ``source`` names it in errors.

        Raises :class:`BadInput` ``synonyms_invalid`` with ``path``, ``line`` and ``detail``.
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            found = _TOML_LINE.search(str(exc))
            line = int(found.group(1)) if found else 0
            raise BadInput("synonyms_invalid", path=source, line=line, detail=str(exc)) from None
        unknown = sorted(set(data) - _ALLOWED_KEYS)
        if unknown:
            raise BadInput(
                "synonyms_invalid",
                path=source,
                line=_line_of(text, unknown[0]),
                detail=f"unknown key {unknown[0]!r}",
            )
        raw_groups = data.get("groups", [])
        if not isinstance(raw_groups, list):
            raise BadInput(
                "synonyms_invalid",
                path=source,
                line=_line_of(text, "groups"),
                detail="'groups' must be a list of lists of strings",
            )
        groups: list[list[str]] = []
        for number, group in enumerate(raw_groups, start=1):
            problem = _group_problem(group)
            if problem:
                first = group[0] if isinstance(group, list) and group else ""
                raise BadInput(
                    "synonyms_invalid",
                    path=source,
                    line=_line_of(text, f'"{first}"' if isinstance(first, str) else "[["),
                    detail=f"group {number}: {problem}",
                )
            groups.append(group)
        return cls.from_groups(groups)

    def variants(self, word: str) -> frozenset[str]:
        """Every normalised spelling equivalent to ``word``, ``word`` itself included."""
        own = _normal(word)
        found = self._index.get(synonym_key(word))
        if not own:
            return frozenset()
        return found | {own} if found else frozenset({own})

    def __len__(self) -> int:
        return len(self.groups)


def _group_problem(group: object) -> str:
    """Why ``group`` is not a usable group, or ``""``."""
    if not isinstance(group, list) or len(group) < 2:
        return "a group lists at least two spellings"
    for word in group:
        if not isinstance(word, str) or not word.strip():
            return "spellings must be non-empty strings"
        if len(word) > MAX_SPELLING_CHARS:
            return f"spelling longer than {MAX_SPELLING_CHARS} characters"
    if len({synonym_key(word) for word in group}) < 2:
        return "a group needs two different spellings"
    return ""


def _line_of(text: str, needle: str) -> int:
    """The 1-based line of the first occurrence of ``needle`` in ``text`` (0 when absent)."""
    if not needle:
        return 0
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 0
