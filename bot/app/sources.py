"""Where notes come from and ``/notes``: the operator's folders and git repositories (every
workspace sees them), and what a workspace's admins add for that workspace alone (uploaded
files, git repositories). Listing, adding, syncing and removing them; the ingest itself is
:mod:`bot.app.ingest`, git is :mod:`bot.app.git_source`.

Files a source brings live under the data folder (``sources/<workspace>/...``): an upload is
written there before it is ingested, a repository is cloned there. The database keeps what they
hold (concepts of that workspace's scope) and each source's last sync and error, so every
process lists the same and sees a change through the knowledge version.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
import re
import shutil
import unicodedata
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.app.context import Context
from bot.app.git_source import GitSpec, check_allowed, parse_git_spec, sync_checkout
from bot.app.ingest import IngestReport, remove_files
from bot.app.notes_files import NOTE_SUFFIXES, display_path
from bot.core.errors import BadInput, BotError, Forbidden, NotFound
from bot.core.knowledge.decode import MAX_NOTE_BYTES, decode_notes, too_big_params
from bot.core.knowledge.parser import parse_notes
from bot.core.knowledge.source_replies import (
    Finding,
    SourceOutcome,
    changed_reply,
    sources_reply,
    sync_reply,
)
from bot.core.messages import Msg
from bot.core.models import OPERATOR_SCOPE, Caller, Reply, SourceKind
from bot.db import sources as repo

log = logging.getLogger(__name__)

# The largest file an admin may upload in chat (the same as any notes file), and its types.
MAX_UPLOAD_BYTES: Final = MAX_NOTE_BYTES
UPLOAD_SUFFIXES: Final = tuple(sorted(NOTE_SUFFIXES))
# Characters an uploaded file's stored name keeps (letters of any script, digits, a few marks).
_UNSAFE_NAME = re.compile(r"[^\w.\- ()\[\]]+")
MAX_NAME_CHARS: Final = 120
SOURCES_FOLDER: Final = "sources"
LOCKS_FOLDER: Final = ".locks"  # one lock file per clone or upload, shared by processes


def limits_params() -> dict[str, object]:
    """The upload limits as message parameters (types and size), for replies and help."""
    return {"types": ", ".join(UPLOAD_SUFFIXES), "limit_kb": f"{MAX_UPLOAD_BYTES // 1024:,}"}


def upload_name(filename: str) -> str:
    """The name an upload is stored under: its base name with path parts and unsafe characters
    gone (Korean names stay); BadInput ``upload_type`` when it is not a notes file type."""
    base = unicodedata.normalize("NFC", filename.replace("\\", "/").rsplit("/", 1)[-1])
    name = _UNSAFE_NAME.sub("_", base).strip(" ._")[:MAX_NAME_CHARS]
    suffix = Path(name).suffix.lower()
    if not name or suffix not in NOTE_SUFFIXES or Path(name).stem.strip(" ._") == "":
        raise BadInput("upload_type", name=base[:MAX_NAME_CHARS], **limits_params())
    return name


def check_upload(filename: str, size: int | None) -> str:
    """The stored name of an upload of ``size`` bytes (None: not known yet), or BadInput
    (``upload_type``, ``upload_refused`` for a file too big): a front end calls this before it
    downloads anything."""
    name = upload_name(filename)
    if size is not None and size > MAX_UPLOAD_BYTES:
        params = too_big_params(size, MAX_UPLOAD_BYTES)
        raise BadInput("upload_refused", name=name, detail=Msg("file_too_big", params))
    return name


def _slug(scope: str) -> str:
    """A folder name for a scope: readable and unique."""
    if scope == OPERATOR_SCOPE:
        return "operator"
    readable = re.sub(r"[^A-Za-z0-9_-]+", "_", scope)[:60]
    return f"{readable}-{hashlib.sha1(scope.encode()).hexdigest()[:8]}"


def _git_folder(spec: GitSpec) -> str:
    key = f"{spec.url}#{spec.branch or ''}"
    readable = re.sub(r"[^A-Za-z0-9_-]+", "_", spec.label)[:60].strip("_") or "repo"
    return f"{readable}-{hashlib.sha1(key.encode()).hexdigest()[:10]}"


def _findings(report: IngestReport, root: Path) -> list[Finding]:
    """The ingest's findings, each file named inside its source (``algorithm/mst.md``), not by
    where the bot keeps it on its disk."""
    prefix = display_path(root).rstrip("/") + "/"
    return [Finding(w.path.removeprefix(prefix), w.line, w.message) for w in report.warnings]


def _error_of(exc: BotError) -> Msg:
    return Msg(exc.key, dict(exc.params))


def _plain(value: object) -> object:
    """A message parameter as stored: a nested message as ``{"key", "params"}``."""
    if isinstance(value, Msg):
        return {"key": value.key, "params": {k: _plain(v) for k, v in value.params.items()}}
    return value if isinstance(value, (int, float, bool)) or value is None else str(value)


@dataclass(frozen=True, slots=True)
class _Checkout:
    spec: GitSpec
    dest: Path  # the clone
    notes: Path  # the folder its notes are read from (the clone or its subdir)


class NotesSources:
    """The sources of notes and the ``/notes`` flows (admins only, checked here)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.knowledge = ctx.knowledge
        self._locks: dict[str, asyncio.Lock] = {}

    # --- places --------------------------------------------------------------------------

    @property
    def root(self) -> Path:
        """The folder sources' files live in (inside the data folder)."""
        return self.ctx.settings.data_dir / SOURCES_FOLDER

    def _checkout(self, scope: str, text: str) -> _Checkout:
        spec = parse_git_spec(text)
        dest = self.root / _slug(scope) / "git" / _git_folder(spec)
        return _Checkout(spec, dest, dest / spec.subdir if spec.subdir else dest)

    def _uploads(self, scope: str) -> Path:
        return self.root / _slug(scope) / "uploads"

    @contextlib.asynccontextmanager
    async def _exclusive(self, place: Path) -> AsyncIterator[None]:
        """Hold ``place`` alone: against this process's other tasks and, through a lock file,
        other processes sharing the data folder (a second sync waits, then finds it current)."""
        lock = self._locks.setdefault(str(place), asyncio.Lock())
        async with lock:
            place.parent.mkdir(parents=True, exist_ok=True)
            locks = self.root / LOCKS_FOLDER
            locks.mkdir(parents=True, exist_ok=True)
            name = hashlib.sha1(str(place).encode()).hexdigest()
            fd = os.open(locks / name, os.O_CREAT | os.O_RDWR, 0o600)
            try:
                await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # closing releases the lock

    # --- the operator's configured sources -----------------------------------------------

    async def configure(self) -> None:
        """Record the configured folders and repositories as the operator's sources (and forget
        repositories no longer configured, with their notes)."""
        settings = self.ctx.settings
        wanted: list[tuple[SourceKind, str, str]] = [
            (SourceKind.FOLDER, display_path(p), display_path(p)) for p in settings.knowledge_paths
        ]
        for text in settings.knowledge_git:
            try:
                checkout = self._checkout(OPERATOR_SCOPE, text)
            except BadInput:
                log.warning("KNOWLEDGE_GIT entry is not a repository: %r", text)
                continue
            wanted.append((SourceKind.GIT, text, display_path(checkout.notes)))
        async with self.ctx.sessions() as session, session.begin():
            stored = await repo.of_scopes(session, [OPERATOR_SCOPE])
            for kind, location, root in wanted:
                await repo.upsert(session, OPERATOR_SCOPE, kind, location, root, "config")
        keys = {(kind, location) for kind, location, _ in wanted}
        for source in stored:
            if (source.kind, source.location) not in keys:
                await self._forget(source)

    async def sync_configured(self) -> list[SourceOutcome]:
        """Pull the operator's repositories and ingest what changed (on start, on a timer)."""
        return await self._sync_scope(OPERATOR_SCOPE, folders=False)

    async def sync_folders(self) -> SourceOutcome | None:
        """Ingest the configured folders again (a notes file in them changed); None when none
        is configured."""
        async with self.ctx.reads() as session:
            sources = await repo.of_scopes(session, [OPERATOR_SCOPE])
        folders = [s for s in sources if s.kind is SourceKind.FOLDER]
        return await self._sync_folders(folders) if folders else None

    async def sync_everything(self) -> list[SourceOutcome]:
        """Pull every repository of every workspace, the operator's first (the periodic sync)."""
        async with self.ctx.reads() as session:
            scopes = await repo.scopes_with(session, SourceKind.GIT)
        outcomes: list[SourceOutcome] = []
        for scope in scopes:
            outcomes.extend(await self._sync_scope(scope, folders=False))
        return outcomes

    # --- /notes --------------------------------------------------------------------------

    def _admin_of_workspace(self, caller: Caller) -> str:
        if not caller.is_admin:
            raise Forbidden("admin_only")
        return caller.scope

    async def listing(self, caller: Caller) -> Reply:
        """``/notes list``: the operator's sources and the workspace's own."""
        scope = self._admin_of_workspace(caller)
        scopes = [OPERATOR_SCOPE] if scope == OPERATOR_SCOPE else [OPERATOR_SCOPE, scope]
        async with self.ctx.reads() as session:
            infos = await repo.infos(session, scopes)
        return sources_reply(infos, self.ctx.locale(caller), caller.platform, limits_params())

    async def add_upload(self, caller: Caller, filename: str, data: bytes) -> Reply:
        """``/notes add`` with a file: checked (type, size, text, at least one concept), stored
        in the workspace's uploads and ingested as the workspace's own notes. A file of the
        same name is replaced (its concepts keep their ids); anything refused changes nothing."""
        scope = self.workspace_admin(caller)
        name = check_upload(filename, len(data))
        try:
            text = decode_notes(data).text
        except BadInput as exc:
            params = {k: v for k, v in exc.params.items() if k != "line"}
            raise BadInput("upload_refused", name=name, detail=Msg(exc.key, params)) from exc
        if not parse_notes(text).concepts:
            raise BadInput("upload_refused", name=name, detail=Msg("file_no_concepts"))
        target = self._uploads(scope) / name
        async with self._exclusive(target):
            previous = target.read_bytes() if target.exists() else None
            partial = target.with_name(f".{name}.part")
            partial.write_bytes(data)
            os.replace(partial, target)
            try:
                report = await self.knowledge.ingest([target], scope=scope)
            except BaseException:
                if previous is None:
                    target.unlink(missing_ok=True)
                else:
                    target.write_bytes(previous)
                raise
            async with self.ctx.sessions() as session, session.begin():
                source = await repo.upsert(
                    session, scope, SourceKind.UPLOAD, name, display_path(target), caller.user_id
                )
                await repo.record_sync(
                    session, source.id, self.ctx.clock.now(), changed=report.knowledge_changed
                )
        headline = Msg("notes_added_file", {"name": name, **limits_params()})
        findings = _findings(report, target.parent)
        return changed_reply(
            headline, report.summary(), findings, self.ctx.locale(caller), key="added"
        )

    def workspace_admin(self, caller: Caller) -> str:
        """The caller's workspace scope when they are an admin there; Forbidden / BadInput
        (``notes_need_workspace``: a direct message has no workspace to add notes to)."""
        scope = self._admin_of_workspace(caller)
        if scope == OPERATOR_SCOPE:
            raise BadInput("notes_need_workspace")
        return scope

    async def add_git(self, caller: Caller, text: str) -> Reply:
        """``/notes add git <url>``: clone the repository for this workspace and ingest its notes
        as the workspace's own; an unreachable or refused repository changes nothing."""
        scope = self.workspace_admin(caller)
        checkout = self._checkout(scope, text.strip())
        check_allowed(checkout.spec, self.ctx.settings.knowledge_git_schemes)
        async with self._exclusive(checkout.dest):
            existed = checkout.dest.exists()
            try:
                synced = await sync_checkout(
                    checkout.spec, checkout.dest, schemes=self.ctx.settings.knowledge_git_schemes
                )
                report = await self.knowledge.ingest([checkout.notes], scope=scope)
            except BaseException:
                if not existed:
                    shutil.rmtree(checkout.dest, ignore_errors=True)
                raise
            async with self.ctx.sessions() as session, session.begin():
                source = await repo.upsert(
                    session,
                    scope,
                    SourceKind.GIT,
                    text.strip(),
                    display_path(checkout.notes),
                    caller.user_id,
                )
                await repo.record_sync(
                    session,
                    source.id,
                    self.ctx.clock.now(),
                    commit=synced.commit,
                    changed=report.knowledge_changed,
                )
        headline = Msg("notes_added_git", {"label": checkout.spec.label})
        findings = _findings(report, checkout.notes)
        return changed_reply(
            headline, report.summary(), findings, self.ctx.locale(caller), key="added"
        )

    async def sync(self, caller: Caller) -> Reply:
        """``/notes sync``: pull and ingest again the operator's sources and the workspace's."""
        scope = self._admin_of_workspace(caller)
        outcomes = await self._sync_scope(OPERATOR_SCOPE, folders=True)
        if scope != OPERATOR_SCOPE:
            outcomes.extend(await self._sync_scope(scope, folders=False))
        return sync_reply(outcomes, self.ctx.locale(caller))

    async def remove(self, caller: Caller, which: str) -> Reply:
        """``/notes remove <source>`` (its number or name): the workspace's own source and its
        notes go; the operator's configured ones cannot be removed from chat."""
        scope = self._admin_of_workspace(caller)
        wanted = which.strip().lstrip("#")
        async with self.ctx.reads() as session:
            sources = await repo.of_scopes(session, [OPERATOR_SCOPE, scope])
        found = [s for s in sources if str(s.id) == wanted] or [
            s for s in sources if wanted and wanted in (s.location, Path(s.location).name)
        ]
        if not found:
            raise NotFound("notes_source_unknown", source=which.strip()[:100])
        source = found[0]
        if source.scope != scope or scope == OPERATOR_SCOPE:
            raise Forbidden("notes_source_configured", source=source.location)
        removed = await self._forget(source)
        headline = Msg("notes_removed", {"source": source.location})
        summary = Msg("notes_removed_summary", {"removed": removed})
        return changed_reply(headline, summary, [], self.ctx.locale(caller), key="removed")

    # --- work ----------------------------------------------------------------------------

    async def _forget(self, source: repo.StoredSource) -> int:
        """Remove a source: its notes from the knowledge, its row, and files the bot keeps for
        it (a clone, an upload); a folder on disk is never touched. Returns concepts removed."""
        async with self.ctx.reads() as session:
            paths = await repo.files_under(session, source.scope, source.root)
        removed = await remove_files(self.ctx.sessions, paths)
        async with self.ctx.sessions() as session, session.begin():
            await repo.remove(session, source.id)
        if source.kind is SourceKind.GIT:
            checkout = self._checkout(source.scope, source.location)
            shutil.rmtree(checkout.dest, ignore_errors=True)
        elif source.kind is SourceKind.UPLOAD:
            (self._uploads(source.scope) / source.location).unlink(missing_ok=True)
        if removed or paths:
            await self.knowledge.refresh(force=True)
        return removed

    async def _sync_scope(self, scope: str, *, folders: bool) -> list[SourceOutcome]:
        async with self.ctx.reads() as session:
            sources = await repo.of_scopes(session, [scope])
        outcomes: list[SourceOutcome] = []
        folder_sources = [s for s in sources if s.kind is SourceKind.FOLDER]
        if folders and folder_sources:
            outcomes.append(await self._sync_folders(folder_sources))
        for source in sources:
            if source.kind is SourceKind.GIT:
                outcomes.append(await self._sync_git(source))
        return outcomes

    async def _sync_folders(self, sources: Sequence[repo.StoredSource]) -> SourceOutcome:
        label = ", ".join(Path(s.location).name or s.location for s in sources)
        error: Msg | None = None
        report: IngestReport | None = None
        try:
            report = await self.knowledge.ingest(self.ctx.settings.knowledge_paths)
        except BotError as exc:
            error = _error_of(exc)
        await self._record(sources, None, report, error)
        return SourceOutcome(label, report.summary() if report else None, error)

    async def _sync_git(self, source: repo.StoredSource) -> SourceOutcome:
        checkout = self._checkout(source.scope, source.location)
        schemes = (
            None if source.scope == OPERATOR_SCOPE else self.ctx.settings.knowledge_git_schemes
        )
        error: Msg | None = None
        report: IngestReport | None = None
        commit: str | None = None
        async with self._exclusive(checkout.dest):
            try:
                synced = await sync_checkout(checkout.spec, checkout.dest, schemes=schemes)
                commit = synced.commit
                report = await self.knowledge.ingest([checkout.notes], scope=source.scope)
            except BotError as exc:
                error = _error_of(exc)
                log.warning("syncing %s failed: %s", checkout.spec.label, exc.key)
        await self._record([source], commit, report, error)
        return SourceOutcome(checkout.spec.label, report.summary() if report else None, error)

    async def _record(
        self,
        sources: Sequence[repo.StoredSource],
        commit: str | None,
        report: IngestReport | None,
        error: Msg | None,
    ) -> None:
        failure = (
            (error.key, {k: _plain(v) for k, v in error.params.items()})
            if error is not None
            else None
        )
        changed = report is not None and report.knowledge_changed
        async with self.ctx.sessions() as session, session.begin():
            for source in sources:
                await repo.record_sync(
                    session,
                    source.id,
                    self.ctx.clock.now(),
                    commit=commit,
                    changed=changed,
                    error=failure,
                )
