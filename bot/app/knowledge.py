"""The knowledge the bot serves: loaded from the database, rebuilt when the notes change (here
or in another process), and what lookup answers. Ingest itself is :mod:`bot.app.ingest`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.app.notes_files import unchanged
from bot.config import Settings
from bot.core.errors import Forbidden
from bot.core.grading.synonyms import SynonymMap
from bot.core.knowledge.library import Knowledge, check_query
from bot.core.knowledge.replies import autocomplete_choices, define_reply
from bot.core.models import OPERATOR_SCOPE, Caller, Concept, LookupResult, Reply
from bot.core.sanitize import clean_text
from bot.db import knowledge as repo
from bot.db import snapshot
from bot.db.knowledge import SYNONYMS_KEY
from bot.db.revision import head_revision

if TYPE_CHECKING:
    from bot.app.ingest import IngestReport, Progress
    from bot.app.meaning import StoredSentenceEncoder

log = logging.getLogger(__name__)


class KnowledgeBase:
    """The loaded concepts, their index and synonyms, kept current with the database.

    The synonyms grading uses are the notes' own groups and the packaged glossary's; the index reads
    names through the same glossary (see :mod:`bot.core.knowledge.glossary`).
    """

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[Any],
        reads: async_sessionmaker[Any],
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.reads = reads
        self.current = Knowledge(())  # the operator's notes: what every workspace sees
        # The meaning signal's encoder: stores the reference vectors after each ingest.
        self.meaning: StoredSentenceEncoder | None = None
        self._meaning_task: asyncio.Task[None] | None = None
        self._meaning_again = False
        self._all: dict[int, Concept] = {}
        self._own: dict[str, list[Concept]] = {}  # a workspace's own concepts, by scope
        self._views: dict[str, Knowledge] = {}
        self.synonyms = SynonymMap.empty()
        self._version = -1
        self._reload_lock = asyncio.Lock()
        # One ingest at a time in a process (each may start a tokenizer of a few hundred MB);
        # other processes are kept consistent by the ingest's own checks.
        self._ingest_lock = asyncio.Lock()

    # --- keeping current -------------------------------------------------------------------

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
            self.synonyms = SynonymMap.with_glossary(groups)
            self._all = {c.id: c for c in concepts}
            own: dict[str, list[Concept]] = {}
            for concept in concepts:
                own.setdefault(concept.scope, []).append(concept)
            self.current = Knowledge(own.pop(OPERATOR_SCOPE, []))
            self._own, self._views = own, {}
            self._version = version
            database = snapshot.sqlite_file(self.settings.resolved_database_url)
            if database is not None:
                try:
                    await asyncio.to_thread(
                        snapshot.write, database, head_revision(), version, concepts
                    )
                except OSError:
                    log.warning("could not write the lookup snapshot", exc_info=True)

    async def unchanged(self, paths: Sequence[Path]) -> bool:
        """Whether the notes under ``paths`` are exactly what was last ingested (cheap)."""
        async with self.reads() as session:
            stored = await repo.stored_files(session)
        return unchanged(paths, {path: file.sha256 for path, file in stored.items()})

    async def ingest(
        self,
        paths: Sequence[Path],
        *,
        progress: Progress | None = None,
        strict: bool = False,
        scope: str = OPERATOR_SCOPE,
    ) -> IngestReport:
        """Ingest notes (files or folders) as ``scope``'s and reload the index when anything
        changed; ``strict`` makes any bad file fatal (else a folder's bad notes files are
        skipped)."""
        from bot.app.ingest import ingest

        async with self._ingest_lock:
            report = await ingest(
                self.sessions,
                paths,
                progress=progress,
                isolate_tokenizer=self.settings.tokenizer_process,
                strict=strict,
                scope=scope,
            )
        if report.knowledge_changed:
            await self.refresh(force=True)
            self.schedule_meaning()
        return report

    # --- the meaning signal's vectors --------------------------------------------------

    def schedule_meaning(self) -> None:
        """Encode and store the reference vectors the notes lack, in the background (after an
        ingest, and on start for notes ingested without them): the ingest and the bot answer
        at once, and a concept graded meanwhile gets its vectors when it is graded."""
        if self.meaning is None:
            return
        if self._meaning_task is not None and not self._meaning_task.done():
            self._meaning_again = True  # once more when the running pass ends
            return
        self._meaning_task = asyncio.create_task(self._store_meaning())

    async def _store_meaning(self) -> None:
        assert self.meaning is not None
        while True:
            self._meaning_again = False
            try:
                stored = await self.meaning.store(list(self._all.values()), self.synonyms)
                log.info("stored %d reference sentence vectors", stored)
            except Exception:  # a grade makes what is missing; nothing is lost
                log.warning("could not store the meaning signal's vectors", exc_info=True)
            if not self._meaning_again:
                return

    async def meaning_stored(self) -> None:
        """Wait until the scheduled vectors are stored (the command line's ingest)."""
        while self._meaning_task is not None and not self._meaning_task.done():
            await asyncio.shield(self._meaning_task)

    async def close(self) -> None:
        """Stop storing vectors (what is stored stays; the rest is made when graded)."""
        task, self._meaning_task = self._meaning_task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def reload(self, caller: Caller, paths: Sequence[Path] | None = None) -> IngestReport:
        """Admin command: ingest the configured notes again."""
        if not caller.is_admin:
            raise Forbidden("admin_only")
        return await self.ingest(paths or self.settings.knowledge_paths)

    # --- reading -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.current)

    def view(self, scope: str = OPERATOR_SCOPE) -> Knowledge:
        """What ``scope`` sees: the operator's notes plus the workspace's own (an index built
        on first use and kept until the knowledge changes); never another workspace's."""
        own = self._own.get(scope)
        if not own:
            return self.current
        view = self._views.get(scope)
        if view is None:
            view = self._views[scope] = Knowledge([*self.current.concepts(), *own])
        return view

    def scopes(self) -> list[str]:
        """The workspaces that hold notes of their own."""
        return sorted(self._own)

    def concept(self, concept_id: int) -> Concept:
        """A loaded concept by id (ids are unique across workspaces)."""
        return self._all[concept_id]

    def concept_or_none(self, concept_id: int) -> Concept | None:
        """A loaded concept by id, or None when it is gone (notes edited)."""
        return self._all.get(concept_id)

    async def concept_fresh(self, concept_id: int) -> Concept | None:
        """A concept by id, reloading the knowledge once if another process changed it."""
        concept = self.concept_or_none(concept_id)
        if concept is None:
            await self.refresh()
            concept = self.concept_or_none(concept_id)
        return concept

    def concepts(self, scope: str = OPERATOR_SCOPE) -> list[Concept]:
        """Every concept ``scope`` sees, in note order (the operator's first)."""
        return self.view(scope).concepts()

    def search(self, query: str, scope: str = OPERATOR_SCOPE) -> LookupResult:
        """Look up in what ``scope`` sees without refreshing (internal use)."""
        return self.view(scope).lookup(query)

    async def lookup(self, query: str, scope: str = OPERATOR_SCOPE) -> LookupResult:
        """Look ``query`` up in what ``scope`` sees; BadInput for an empty or overlong query."""
        checked = check_query(clean_text(query))
        await self.refresh()
        return self.view(scope).lookup(checked)

    async def define(self, query: str, locale: str, scope: str = OPERATOR_SCOPE) -> Reply:
        """Answer ``/define``: the concept's note, "did you mean" choices, or a plain no."""
        await self.refresh()
        return define_reply(self.view(scope), clean_text(query), locale)

    async def autocomplete(self, prefix: str, scope: str = OPERATOR_SCOPE) -> list[tuple[str, str]]:
        """Choices for a front end's autocomplete: (label, value), at most 25, each <= 100."""
        await self.refresh()
        return autocomplete_choices(self.view(scope), clean_text(prefix))
