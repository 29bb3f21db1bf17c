"""How lookup answers read (pure): a concept's note, "did you mean" choices, a plain no, and
autocomplete choices; user text echoed back is made inert first."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from bot.core.knowledge.aliases import name_key
from bot.core.knowledge.library import MAX_QUERY_CHARS, Knowledge, check_query, reference
from bot.core.knowledge.search import EXACT_SCORE, clip
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


def define_reply(knowledge: Knowledge, query: str, locale: str) -> Reply:
    """The reply to ``/define``: the concept's note, "did you mean" choices, or a plain no."""
    query = check_query(query)
    result = knowledge.lookup(query, runners_up=True)  # a definition shows similar concepts
    if not len(knowledge):
        return Reply(
            t("not_found_title", locale), t("knowledge_empty", locale), ReplyKind.NOT_FOUND
        )
    if result.kind is MatchKind.CONFIDENT and result.match is not None:
        concept = knowledge.concept(result.match.concept_id)
        return definition_reply(knowledge, concept, locale, result)
    if result.kind is MatchKind.DID_YOU_MEAN:
        same = sum(s.score >= EXACT_SCORE for s in result.suggestions) > 1
        title, body = (
            ("same_name_title", "same_name_body")
            if same
            else ("did_you_mean_title", "did_you_mean_body")
        )
        return Reply(
            title=t(title, locale),
            body=t(body, locale, query=echo(query)),
            kind=ReplyKind.SUGGESTIONS,
            suggestions=_suggestion_actions(knowledge, result.suggestions),
        )
    return Reply(
        title=t("not_found_title", locale),
        body=t("not_found_body", locale, query=echo(query)),
        kind=ReplyKind.NOT_FOUND,
    )


def shown_source(concept: Concept) -> str:
    """``path:line`` as people see it: a note inside the project as stored (``knowledge/...``),
    one elsewhere by its last folder and name (``notes/os.md:12``), never the server's full
    path."""
    path = concept.source_path.replace("\\", "/")
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        path = "/".join(path.rstrip("/").split("/")[-2:])
    return f"{path}:{concept.source_line}"


def source_label(concept: Concept) -> str:
    """Where a concept comes from, short: its category and the last folders of its file
    (``네트워크 · network/cors.md``), to tell concepts of the same name apart."""
    parts = concept.source_path.replace("\\", "/").rstrip("/").split("/")
    place = "/".join(parts[-2:])
    return f"{concept.category} · {place}" if concept.category else place


def choice_labels(concepts: Sequence[Concept]) -> list[str]:
    """A label per concept: its display name, with its source where another has the same name."""
    names = [display_name(concept) for concept in concepts]
    keys = [name_key(concept.term) for concept in concepts]
    return [
        f"{name} — {source_label(concept)}" if keys.count(key) > 1 else name
        for name, key, concept in zip(names, keys, concepts, strict=True)
    ]


def _suggestion_actions(
    knowledge: Knowledge, suggestions: Sequence[Suggestion]
) -> tuple[Action, ...]:
    concepts = [knowledge.concept(s.concept_id) for s in suggestions]
    return tuple(
        Action("define", clip(label), reference(concept))
        for label, concept in zip(choice_labels(concepts), concepts, strict=True)
    )


def definition_reply(
    knowledge: Knowledge, concept: Concept, locale: str, result: LookupResult | None = None
) -> Reply:
    """A concept as a definition Reply (title, note, aliases, category, source, runners-up)."""
    fields = []
    if concept.aliases:
        fields.append(Field(t("field_aliases", locale), ", ".join(concept.aliases), False))
    fields.append(Field(t("field_category", locale), concept.category))
    fields.append(Field(t("field_source", locale), shown_source(concept)))
    runners_up = result.suggestions if result is not None else ()
    return Reply(
        title=display_name(concept),
        body=concept.definition,
        kind=ReplyKind.DEFINITION,
        fields=tuple(fields),
        suggestions=_suggestion_actions(knowledge, runners_up),
        extra={
            "concept_id": concept.id,
            "score": result.match.score if result and result.match else 100.0,
        },
    )


def autocomplete_choices(knowledge: Knowledge, prefix: str) -> list[tuple[str, str]]:
    """Choices for autocomplete: (label, value), at most 25, each at most 100 characters."""
    found = knowledge.index.autocomplete(prefix[:MAX_QUERY_CHARS])
    concepts = [knowledge.concept_or_none(s.concept_id) for s in found]
    known = [concept for concept in concepts if concept is not None]
    labels = iter(choice_labels(known))
    keys = [name_key(concept.term) for concept in known]
    choices = []
    for suggestion, concept in zip(found, concepts, strict=True):
        if concept is None:
            choices.append((clip(suggestion.term), clip(suggestion.term)))
            continue
        label = next(labels)
        # the plain term, unless another choice has the same name (then exactly this one)
        shared = keys.count(name_key(concept.term)) > 1 and len(reference(concept)) <= 100
        choices.append((clip(label), reference(concept) if shared else clip(concept.term)))
    return choices
