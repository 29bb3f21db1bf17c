"""The Service: the one API every front end calls. Each call gets its own database session.

Front ends turn a platform event into a :class:`Caller` plus plain arguments, await one Service
call and render the returned :class:`Reply`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import unicodedata
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.config import Settings
from bot.core.daily.clock import Clock, SystemClock
from bot.core.errors import BadInput, Forbidden
from bot.core.interview.synonyms import SynonymMap
from bot.core.knowledge.search import IndexEntry, SearchIndex
from bot.core.messages import t
from bot.core.models import (
    Action,
    Caller,
    Concept,
    Field,
    LookupResult,
    MatchKind,
    Reply,
    ReplyKind,
    Suggestion,
)
from bot.core.notes_files import unchanged
from bot.db import knowledge as repo
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.knowledge import SYNONYMS_KEY
from bot.db.migrate import upgrade_to_head

if TYPE_CHECKING:
    from bot.core.daily_service import Daily
    from bot.core.ingest import IngestReport, Progress
    from bot.core.interviews import Interviews

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200
MAX_ECHO_CHARS = 80
AUTOCOMPLETE_LIMIT = 25


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


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Service:
    """Everything the bot does, independent of any platform."""

    def __init__(self, settings: Settings, engine: AsyncEngine, clock: Clock | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.sessions: async_sessionmaker[Any] = make_sessionmaker(engine)
        self.reads: async_sessionmaker[Any] = make_sessionmaker(engine, read_only=True)
        self._index = SearchIndex(())
        self._concepts: dict[int, Concept] = {}
        self._version = -1
        self._reload_lock = asyncio.Lock()
        self.synonyms = SynonymMap.empty()
        self.clock: Clock = clock or SystemClock()

    @cached_property
    def interviews(self) -> Interviews:
        """Mock interviews (loaded on first use)."""
        from bot.core.interviews import Interviews

        return Interviews(self)

    @cached_property
    def daily(self) -> Daily:
        """The daily question (loaded on first use)."""
        from bot.core.daily_service import Daily

        return Daily(self)

    # --- life cycle ----------------------------------------------------------------------

    @classmethod
    async def start(
        cls, settings: Settings, *, auto_ingest: bool | None = None, clock: Clock | None = None
    ) -> Service:
        """Connect, migrate, ingest the configured notes if they changed, and load the index."""
        engine = make_engine(settings.resolved_database_url)
        await upgrade_to_head(engine)
        service = cls(settings, engine, clock)
        if settings.auto_ingest if auto_ingest is None else auto_ingest:
            try:
                if not await service.knowledge_unchanged(settings.knowledge_paths):
                    await service.ingest(settings.knowledge_paths)
            except BadInput as exc:
                log.warning("auto-ingest failed: %s", t(exc.key, settings.locale, **exc.params))
        await service.refresh()
        return service

    async def close(self) -> None:
        """Release the database connections."""
        await self.engine.dispose()

    def locale(self, caller: Caller | None) -> str:
        """The caller's locale, else the configured one."""
        if caller is not None and caller.locale in ("ko", "en"):
            return caller.locale
        return self.settings.locale

    # --- knowledge -----------------------------------------------------------------------

    async def knowledge_unchanged(self, paths: Sequence[Path]) -> bool:
        """Whether the notes under ``paths`` are exactly what was last ingested (cheap)."""
        async with self.reads() as session:
            stored = await repo.stored_files(session)
        return unchanged(paths, {path: file.sha256 for path, file in stored.items()})

    async def ingest(
        self, paths: Sequence[Path], *, progress: Progress | None = None
    ) -> IngestReport:
        """Ingest notes (files or folders) and reload the lookup index when anything changed."""
        from bot.core.ingest import ingest

        report = await ingest(
            self.sessions,
            paths,
            progress=progress,
            isolate_tokenizer=self.settings.tokenizer_process,
        )
        if report.knowledge_changed:
            await self.refresh(force=True)
        return report

    async def reload(self, caller: Caller, paths: Sequence[Path] | None = None) -> IngestReport:
        """Admin command: ingest the configured notes again."""
        if not caller.is_admin:
            raise Forbidden("admin_only")
        return await self.ingest(paths or self.settings.knowledge_paths)

    async def refresh(self, *, force: bool = False) -> None:
        """Rebuild the lookup index if the knowledge changed (here or in another process)."""
        async with self._reload_lock:
            async with self.reads() as session:
                version = await repo.knowledge_version(session)
                if version == self._version and not force:
                    return
                concepts = await repo.load_concepts(session)
                synonyms_text = await repo.get_meta(session, SYNONYMS_KEY)
            groups = json.loads(synonyms_text) if synonyms_text else []
            self.synonyms = SynonymMap.from_groups(groups)
            self._concepts = {c.id: c for c in concepts}
            self._index = SearchIndex(
                IndexEntry(c.id, c.term, c.aliases, c.definition) for c in concepts
            )
            self._version = version

    @property
    def concept_count(self) -> int:
        """How many concepts the index holds."""
        return len(self._concepts)

    def concept(self, concept_id: int) -> Concept:
        """A loaded concept by id."""
        return self._concepts[concept_id]

    def concept_or_none(self, concept_id: int) -> Concept | None:
        """A loaded concept by id, or None when it is gone (notes edited)."""
        return self._concepts.get(concept_id)

    def concepts(self) -> list[Concept]:
        """Every loaded concept, in note order."""
        return list(self._concepts.values())

    def search(self, query: str) -> LookupResult:
        """Look up in the loaded index without refreshing (internal use)."""
        return self._index.lookup(query)

    async def lookup(self, query: str) -> LookupResult:
        """Look ``query`` up; raises BadInput for an empty or overlong query."""
        query = query.strip()
        if not query:
            raise BadInput("define_empty_query")
        if len(query) > MAX_QUERY_CHARS:
            raise BadInput("define_query_too_long", length=len(query), limit=MAX_QUERY_CHARS)
        await self.refresh()
        return self._index.lookup(query)

    async def define(self, caller: Caller, query: str) -> Reply:
        """Answer ``/define``: the concept's note, "did you mean" choices, or a plain no."""
        locale = self.locale(caller)
        result = await self.lookup(query)
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
        """A concept rendered as a definition Reply (title, note, aliases, category, source)."""
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

    async def autocomplete(self, caller: Caller, prefix: str) -> list[tuple[str, str]]:
        """Choices for a front end's autocomplete: (label, value), at most 25, each <= 100 chars."""
        await self.refresh()
        choices = []
        for suggestion in self._index.autocomplete(prefix[:MAX_QUERY_CHARS], AUTOCOMPLETE_LIMIT):
            concept = self._concepts.get(suggestion.concept_id)
            label = display_name(concept) if concept else suggestion.term
            value = concept.term if concept else suggestion.term
            choices.append((_cut(label, 100), _cut(value, 100)))
        return choices

    def help(self, caller: Caller | None = None) -> Reply:
        """The command list."""
        locale = self.locale(caller)
        return Reply(t("help_title", locale), t("help_body", locale))
