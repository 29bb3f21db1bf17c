"""The job that keeps the notes current while the bot runs: the configured folders are watched
(an edited notes file is ingested again within seconds, no restart), and every git repository,
the operator's and the workspaces', is pulled when the job starts and every
``knowledge_sync_minutes``.

Other processes on the same database see the change through the knowledge version (their next
lookup reloads), so only the processes that watch or pull do the work; two that both do find
the second ingest has nothing left to change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Final

from bot.app.context import Context
from bot.app.notes_files import CURATION_FILES, NOTE_SUFFIXES
from bot.app.sources import NotesSources
from bot.core.errors import BotError

log = logging.getLogger(__name__)

# How long the watcher waits for a burst of saves to settle before it ingests (milliseconds).
WATCH_DEBOUNCE_MS: Final = 800
# After a failed watch (the folder vanished), how long before watching again.
WATCH_RETRY: Final = timedelta(seconds=30)


def notes_change(path: str) -> bool:
    """Whether a changed file is one an ingest reads (notes or curation, not hidden)."""
    name = Path(path).name
    if any(part.startswith(".") for part in Path(path).parts[-4:]):
        return False
    return name in CURATION_FILES or Path(name).suffix.lower() in NOTE_SUFFIXES


class NotesKeeper:
    """Watch the configured folders and pull the repositories on a timer, until stopped."""

    def __init__(self, ctx: Context, sources: NotesSources) -> None:
        self.ctx = ctx
        self.sources = sources
        self._stopping = asyncio.Event()
        self._running = asyncio.Lock()
        self.ingests = 0  # how many times a change on disk was ingested (for tests and logs)

    def stop(self) -> None:
        """Ask both loops to end."""
        self._stopping.set()

    async def run_forever(self) -> None:
        """Watch and pull until stopped; a second caller (another front end in the same
        process) waits for the first instead of doing the work twice."""
        if self._running.locked():
            await self._stopping.wait()
            return
        async with self._running:
            self._stopping.clear()  # run again after an earlier stop (a front end restarted)
            loops = [self._pull_loop()]
            watched = self.watched()
            if self.ctx.settings.knowledge_watch and watched:
                loops.append(self._watch_loop(watched))
            await asyncio.gather(*loops)

    def watched(self) -> list[Path]:
        """The configured notes folders and files that exist (what the watcher follows)."""
        return [p for p in self.ctx.settings.knowledge_paths if p.exists()]

    async def _pull_loop(self) -> None:
        await self._pull()  # the workspaces' repositories on start (the operator's are current)
        minutes = self.ctx.settings.knowledge_sync_minutes
        if minutes <= 0:
            await self._stopping.wait()
            return
        clock = self.ctx.clock
        while not self._stopping.is_set():
            await clock.sleep_until(clock.now() + timedelta(minutes=minutes), self._stopping)
            if self._stopping.is_set():
                return
            await self._pull()

    async def _pull(self) -> None:
        try:
            await self.sources.sync_everything()
        except Exception:  # the job must survive anything
            log.exception("pulling the notes repositories failed")

    async def _watch_loop(self, paths: Sequence[Path]) -> None:
        from watchfiles import awatch  # only a running bot that watches needs it

        while not self._stopping.is_set():
            try:
                async for changes in awatch(
                    *paths,
                    stop_event=self._stopping,
                    debounce=WATCH_DEBOUNCE_MS,
                    watch_filter=lambda _change, path: notes_change(path),
                    recursive=True,
                ):
                    if changes:
                        await self._ingest_changes()
            except Exception:  # a folder that vanished: watch again later
                log.warning("watching the notes folders failed", exc_info=True)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), WATCH_RETRY.total_seconds())

    async def _ingest_changes(self) -> None:
        try:
            await self.sources.sync_folders()
            self.ingests += 1
        except BotError as exc:  # a notes file named explicitly went bad: said in the log
            log.warning("reingesting the changed notes failed: %s", exc.key)
        except Exception:
            log.exception("reingesting the changed notes failed")
