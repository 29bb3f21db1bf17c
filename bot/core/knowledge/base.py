"""The loaded knowledge: concepts, their lookup index, and the replies lookup gives (pure).

The Service keeps one :class:`Knowledge` and rebuilds it when the notes change; a process that
only looks something up can build one from a snapshot without the database layer.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from bot.core.errors import BadInput
from bot.core.knowledge.search import IndexEntry, SearchIndex, clip
from bot.core.messages import t
from bot.core.models import (
    Action,
    Concept,
    Field,
    LookupResult,
    MatchKind,
    Reply,
    ReplyKind,
    Suggestion,
)

MAX_QUERY_CHARS = 200
MAX_ECHO_CHARS = 80


_MARKUP = str.maketrans({ch: None for ch in "*_~`|<>[]\\"})
ZERO_WIDTH_SPACE = "\u200b"


def echo(text: str, limit: int = MAX_ECHO_CHARS) -> str:
    """User text made inert to show back on any platform: one line, control characters and
    markup characters dropped, ``@`` defused (no @everyone, no pings), cut to ``limit``."""
    flat = " ".join(text.split()).translate(_MARKUP)
    flat = "".join(ch for ch in flat if unicodedata.category(ch)[0] != "C")
    flat = flat.replace("@", "@" + ZERO_WIDTH_SPACE).replace("#", "#" + ZERO_WIDTH_SPACE)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _other_script_alias(concept: Concept) -> str | None:
    """The first alias written in the other script (Hangul vs Latin), to show both names."""
    term_is_hangul = any("가" <= ch <= "힣" for ch in concept.term)
    for alias in concept.aliases:
        if any("가" <= ch <= "힣" for ch in alias) != term_is_hangul:
            return alias
    return None


def display_name(concept: Concept) -> str:
    """``CNN (합성곱 신경망)``: the term and, where known, its name in the other language."""
    other = _other_script_alias(concept)
    return f"{concept.term} ({other})" if other else concept.term


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

    def lookup(self, query: str) -> LookupResult:
        """The lookup outcome for a (checked) query."""
        return self.index.lookup(query)

    def define(self, query: str, locale: str) -> Reply:
        """The reply to ``/define``: the concept's note, "did you mean" choices, or a plain no."""
        query = check_query(query)
        result = self.lookup(query)
        if not self._concepts:
            return Reply(
                t("not_found_title", locale), t("knowledge_empty", locale), ReplyKind.NOT_FOUND
            )
        if result.kind is MatchKind.CONFIDENT and result.match is not None:
            return self.definition_reply(self.concept(result.match.concept_id), locale, result)
        if result.kind is MatchKind.DID_YOU_MEAN:
            return Reply(
                title=t("did_you_mean_title", locale),
                body=t("did_you_mean_body", locale, query=echo(query)),
                kind=ReplyKind.SUGGESTIONS,
                suggestions=self._suggestion_actions(result.suggestions),
            )
        return Reply(
            title=t("not_found_title", locale),
            body=t("not_found_body", locale, query=echo(query)),
            kind=ReplyKind.NOT_FOUND,
        )

    def _suggestion_actions(self, suggestions: Sequence[Suggestion]) -> tuple[Action, ...]:
        return tuple(
            Action(
                "define", display_name(self.concept(s.concept_id)), self.concept(s.concept_id).term
            )
            for s in suggestions
        )

    def definition_reply(
        self, concept: Concept, locale: str, result: LookupResult | None = None
    ) -> Reply:
        """A concept as a definition Reply (title, note, aliases, category, source)."""
        fields = []
        if concept.aliases:
            fields.append(Field(t("field_aliases", locale), ", ".join(concept.aliases), False))
        fields.append(Field(t("field_category", locale), concept.category))
        fields.append(Field(t("field_source", locale), concept.source))
        runners_up = result.suggestions if result is not None else ()
        return Reply(
            title=display_name(concept),
            body=concept.definition,
            kind=ReplyKind.DEFINITION,
            fields=tuple(fields),
            suggestions=self._suggestion_actions(runners_up),
            extra={
                "concept_id": concept.id,
                "score": result.match.score if result and result.match else 100.0,
            },
        )

    def autocomplete(self, prefix: str) -> list[tuple[str, str]]:
        """Choices for autocomplete: (label, value), at most 25, each at most 100 characters."""
        choices = []
        for suggestion in self.index.autocomplete(prefix[:MAX_QUERY_CHARS]):
            concept = self._concepts.get(suggestion.concept_id)
            label = display_name(concept) if concept else suggestion.term
            value = concept.term if concept else suggestion.term
            choices.append((clip(label), clip(value)))
        return choices
