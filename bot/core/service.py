"""The Service: the one API every front end calls. Each call gets its own database session.

Front ends turn a platform event into a :class:`Caller` plus plain arguments, await one Service
call and render the returned :class:`Reply`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.config import Settings
from bot.core.daily.clock import Clock, SystemClock
from bot.core.errors import BadInput, Forbidden
from bot.core.interview.synonyms import SynonymMap
from bot.core.knowledge.base import (
    Knowledge,
    check_query,
)
from bot.core.messages import t
from bot.core.models import (
    Caller,
    Concept,
    LookupResult,
    Reply,
)
from bot.core.notes_files import unchanged
from bot.db import knowledge as repo
from bot.db import snapshot
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.knowledge import SYNONYMS_KEY
from bot.db.migrate import upgrade_to_head
from bot.db.revision import head_revision

if TYPE_CHECKING:
    from bot.core.daily_service import Daily
    from bot.core.ingest import IngestReport, Progress
    from bot.core.interviews import Interviews

log = logging.getLogger(__name__)

# Actions whose replies only the person who chose them should see (hints; a daily grade with
# the hidden reference), and the ones that take typed text (a modal or text box first).
PRIVATE_ACTIONS = frozenset({"interview.hint", "daily.answer"})
TEXT_ACTIONS = frozenset({"interview.answer", "daily.answer"})


class Service:
    """Everything the bot does, independent of any platform."""

    def __init__(self, settings: Settings, engine: AsyncEngine, clock: Clock | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.sessions: async_sessionmaker[Any] = make_sessionmaker(engine)
        self.reads: async_sessionmaker[Any] = make_sessionmaker(engine, read_only=True)
        self.knowledge = Knowledge(())
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
            self.knowledge = Knowledge(concepts)
            self._version = version
            database = snapshot.sqlite_file(self.settings.resolved_database_url)
            if database is not None:
                try:
                    await asyncio.to_thread(
                        snapshot.write, database, head_revision(), version, concepts
                    )
                except OSError:
                    log.warning("could not write the lookup snapshot", exc_info=True)

    @property
    def concept_count(self) -> int:
        """How many concepts the index holds."""
        return len(self.knowledge)

    def concept(self, concept_id: int) -> Concept:
        """A loaded concept by id."""
        return self.knowledge.concept(concept_id)

    def concept_or_none(self, concept_id: int) -> Concept | None:
        """A loaded concept by id, or None when it is gone (notes edited)."""
        return self.knowledge.concept_or_none(concept_id)

    def concepts(self) -> list[Concept]:
        """Every loaded concept, in note order."""
        return self.knowledge.concepts()

    def search(self, query: str) -> LookupResult:
        """Look up in the loaded index without refreshing (internal use)."""
        return self.knowledge.index.lookup(query)

    async def lookup(self, query: str) -> LookupResult:
        """Look ``query`` up; raises BadInput for an empty or overlong query."""
        checked = check_query(query)
        await self.refresh()
        return self.knowledge.lookup(checked)

    async def define(self, caller: Caller, query: str) -> Reply:
        """Answer ``/define``: the concept's note, "did you mean" choices, or a plain no."""
        await self.refresh()
        return self.knowledge.define(query, self.locale(caller))

    async def autocomplete(self, caller: Caller, prefix: str) -> list[tuple[str, str]]:
        """Choices for a front end's autocomplete: (label, value), at most 25, each <= 100 chars."""
        await self.refresh()
        return self.knowledge.autocomplete(prefix)

    async def act(
        self, caller: Caller, command: str, argument: str = "", text: str = ""
    ) -> list[Reply]:
        """Carry out an :class:`Action` a person chose (a button): ``define``, ``interview.hint``,
        ``interview.skip``, ``interview.stop``; ``interview.answer`` and ``daily.answer`` take the
        typed ``text``. Front ends answer privately what :data:`PRIVATE_ACTIONS` names."""
        if command == "define":
            return [await self.define(caller, argument)]
        if command == "interview.hint":
            return [await self.interviews.hint(caller)]
        if command == "interview.skip":
            return await self.interviews.skip(caller)
        if command == "interview.stop":
            return [await self.interviews.stop(caller)]
        if command == "interview.answer":
            return await self.interviews.answer(caller, text)
        if command == "daily.answer":
            return [await self.daily.answer(caller, argument, text)]
        raise BadInput("unknown_action")

    async def answer_in_thread(self, caller: Caller, text: str) -> list[Reply]:
        """A plain message in a thread: the answer to the interview running there for this person,
        or to the daily question the thread belongs to; nothing when neither runs there."""
        if await self.interviews.current(caller) is not None:
            return await self.interviews.answer(caller, text)
        thread = caller.conversation
        if await self.daily.find_post(thread) is not None:
            return [await self.daily.answer(caller, thread, text)]
        return []

    def help(self, caller: Caller | None = None) -> Reply:
        """The command list."""
        locale = self.locale(caller)
        return Reply(t("help_title", locale), t("help_body", locale))
