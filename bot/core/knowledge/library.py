"""The loaded knowledge (pure): concepts by id and the index that finds them.

The application keeps one :class:`Knowledge` and rebuilds it when the notes change; a process
that only looks something up builds one from a snapshot without the database layer. How lookup
answers read is :mod:`bot.core.knowledge.replies`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.core.errors import BadInput
from bot.core.knowledge.aliases import name_key
from bot.core.knowledge.search import EXACT_SCORE, IndexEntry, SearchIndex, clip
from bot.core.models import Concept, LookupResult, MatchKind, Suggestion

MAX_QUERY_CHARS = 200
#: ``CORS §12``: one concept chosen from several of the same name (a button, an autocomplete
#: choice). The term comes first so the choice still means something after a re-ingest.
_REFERENCE = re.compile(r"(?P<term>.*?)\s*§(?P<id>\d{1,18})")


def reference(concept: Concept) -> str:
    """How a choice names exactly ``concept``: its term and id (:meth:`Knowledge.lookup` reads
    it back; when the id is gone or names another concept, the term is looked up)."""
    return f"{concept.term} §{concept.id}"


def check_query(query: str) -> str:
    """The query stripped; BadInput when it is empty or longer than :data:`MAX_QUERY_CHARS`."""
    query = query.strip()
    if not query:
        raise BadInput("define_empty_query")
    if len(query) > MAX_QUERY_CHARS:
        raise BadInput("define_query_too_long", length=len(query), limit=MAX_QUERY_CHARS)
    return query


class Knowledge:
    """Concepts by id and the index that finds them."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self._concepts = {c.id: c for c in concepts}
        self.index = SearchIndex(
            IndexEntry(c.id, c.term, c.aliases, c.definition) for c in self._concepts.values()
        )

    def __len__(self) -> int:
        return len(self._concepts)

    def concept(self, concept_id: int) -> Concept:
        """A concept by id."""
        return self._concepts[concept_id]

    def concept_or_none(self, concept_id: int) -> Concept | None:
        """A concept by id, or None."""
        return self._concepts.get(concept_id)

    def concepts(self) -> list[Concept]:
        """Every concept, in note order."""
        return list(self._concepts.values())

    def lookup(self, query: str, *, runners_up: bool = False) -> LookupResult:
        """The lookup outcome for a (checked) query; a :func:`reference` finds its concept.
        ``runners_up``: a name found exactly also gets its close names (see
        :meth:`SearchIndex.lookup`)."""
        chosen = _REFERENCE.fullmatch(query)
        if chosen is not None:
            concept = self._concepts.get(int(chosen["id"]))
            term = chosen["term"]
            if concept is not None and (not term or name_key(term) == name_key(concept.term)):
                match = Suggestion(concept.id, clip(concept.term), EXACT_SCORE)
                return LookupResult(query=query, kind=MatchKind.CONFIDENT, match=match)
            if term:
                return self.index.lookup(term, runners_up=runners_up)
        return self.index.lookup(query, runners_up=runners_up)
