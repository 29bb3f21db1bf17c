"""Ingest notes into the database: transactional, idempotent, with a summary.

This is an orchestrator (like the Service): it reads files and writes through the repositories;
parsing and decoding stay pure in :mod:`bot.core.knowledge`.

- Files: ``.md``, ``.markdown``, ``.txt`` notes; ``aliases.toml`` / ``keypoints.toml`` /
  ``synonyms.toml`` curation files, found in the given files or folders (recursively).
- Unchanged files (same SHA-256) are skipped; a changed file's concepts are matched by term and
  updated in place; files that vanished from an ingested folder lose their concepts.
- A notes file found in a folder that cannot be used (binary, undecodable, empty, too big,
  unreadable, changing while it is read, or without a single concept: a SUMMARY.md, a
  template, a README of links) is skipped and counted, with its path and reason as a warning;
  the rest of the folder loads. A file named explicitly, a bad curation file, or any finding
  under ``strict`` aborts the whole ingest with its path and line; the database is then left
  exactly as it was.
- Each file is read once: its size is checked before reading (:data:`MAX_NOTE_BYTES`), and
  its size, mtime and identity again after; a file that changed meanwhile (still being saved)
  is read once more, then given up on this time. The bytes hashed are the bytes parsed.

How it runs (so other writers, answers and ``/reload`` are not held up by the tokenizer):

1. *Read*: what is stored (knowledge version, file hashes, curation texts), in a short read
   transaction.
2. *Prepare*, holding no lock: hash the files, parse the changed ones (the tokenizer process
   starts loading meanwhile and tokenises each parsed file's definitions while the next is
   parsed), then read the stored concepts and derive every concept's key points for the
   knowledge as it will be after this ingest.
3. *Write*: one write transaction that first checks the knowledge version and file hashes are
   still what step 1 read, then applies the prepared result (a few statements; well under a
   second for a notes folder). If another process changed the knowledge in between, nothing is
   written and the ingest starts again from step 1 (parsed files and tokenised definitions are
   reused); after :data:`MAX_ATTEMPTS` - 1 such races the last attempt holds the write lock
   from its read to its write. The write transaction is all or nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import stat
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Final, TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app.database import refused_write
from bot.app.keypoint_stage import (
    ChildTokenizer,
    InProcessTokenizer,
    KeyPointItem,
    Tokenizer,
    derive_key_points,
)
from bot.app.notes_files import Found as _Found
from bot.app.notes_files import absolute as _absolute
from bot.app.notes_files import canonical as _canonical
from bot.app.notes_files import collect
from bot.core.errors import BadInput
from bot.core.grading.keypoints import load_curated
from bot.core.grading.synonyms import SynonymMap
from bot.core.knowledge.aliases import aliases_for_terms, name_key, parse_aliases
from bot.core.knowledge.decode import MAX_NOTE_BYTES, decode_notes, too_big_params
from bot.core.knowledge.parser import parse_notes
from bot.core.messages import Msg
from bot.core.models import OPERATOR_SCOPE, KeyPoint, ParsedConcept
from bot.db import knowledge as repo
from bot.db.engine import make_sessionmaker

MAX_CURATION_BYTES = 2 * 1024 * 1024
# Reads of a file that keeps changing while it is read before it is given up on (this time).
READ_TRIES: Final = 2
CURATION_META_PREFIX = "curation:"
# Optimistic attempts (prepare without a lock, then check and write) before the last one, which
# holds the write lock throughout.
MAX_ATTEMPTS: Final = 4

# The stages an ingest reports progress in, in order.
STAGE_FILES: Final = "files"
STAGE_KEY_POINTS: Final = "key_points"
STAGE_SAVING: Final = "saving"


@dataclass(frozen=True, slots=True)
class IngestProgress:
    """How far an ingest is: ``done`` of ``total`` in ``stage`` (files read and parsed,
    definitions tokenised for key points, the write)."""

    stage: str
    done: int
    total: int


Progress = Callable[[IngestProgress], None]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class IngestWarning:
    """A non-fatal finding, with where it was found."""

    path: str
    line: int
    message: Msg


@dataclass(slots=True)
class IngestReport:
    """What an ingest did, for the summary line."""

    files: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    skipped: int = 0
    files_skipped: int = 0
    total: int = 0
    warnings: list[IngestWarning] = field(default_factory=list)
    # How many attempts it took (another process changed the knowledge meanwhile: more than
    # one) and how long the write transaction was open, in seconds.
    attempts: int = 1
    write_seconds: float = 0.0

    @property
    def knowledge_changed(self) -> bool:
        """Whether anything in the database changed."""
        return bool(self.changed or self.deleted)

    def summary(self) -> Msg:
        """The one-line summary message."""
        return Msg(
            "ingest_summary",
            {k: getattr(self, k) for k in ("files", "changed", "unchanged", "deleted", "added")}
            | {k: getattr(self, k) for k in ("updated", "removed", "skipped", "total")}
            | {"files_skipped": self.files_skipped},
        )


def _fail(path: str, line: int, detail: Msg) -> BadInput:
    return BadInput("ingest_failed", path=path, line=line, detail=detail)


def _identity(status: os.stat_result) -> tuple[int, int, int, int]:
    """What tells one version of a file from another: which file, its size and mtime."""
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


def _read_bytes(handle: BinaryIO, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of an open file (one more than allowed shows it grew)."""
    return handle.read(limit + 1)


def _read_once(found: _Found, limit: int) -> bytes | None:
    """The file's bytes, or None when it changed while being read (another size, mtime or file
    after the read than before it: a note still being saved). A pipe named explicitly
    (``<(cat notes.md)``) has no size to check: it is read up to the limit."""
    with found.path.open("rb") as handle:
        before = os.fstat(handle.fileno())
        if before.st_size > limit:  # refused on its size: a huge file is never read
            raise _fail(
                found.display, 1, Msg("file_too_big", too_big_params(before.st_size, limit))
            )
        data = _read_bytes(handle, limit)
    if not stat.S_ISREG(before.st_mode):
        if len(data) > limit:
            raise _fail(found.display, 1, Msg("file_too_big", too_big_params(len(data), limit)))
        return data
    after = found.path.stat()
    if len(data) != before.st_size or _identity(after) != _identity(before):
        return None
    return data


def _read(found: _Found, limit: int) -> bytes:
    """Read a file once, refusing it on its size (before reading) and, when it changed while
    being read, once more; still changing, it fails with ``file_changed_while_reading``. The
    bytes returned are exactly the ones hashed and parsed."""
    try:
        for _ in range(READ_TRIES):
            data = _read_once(found, limit)
            if data is not None:
                return data
    except OSError as exc:
        raise _fail(
            found.display, 1, Msg("file_unreadable", {"reason": exc.strerror or exc})
        ) from exc
    raise _fail(found.display, 1, Msg("file_changed_while_reading"))


def _decode(found: _Found, data: bytes, report: IngestReport) -> str:
    try:
        decoded = decode_notes(data)
    except BadInput as exc:
        line = int(str(exc.params.pop("line", 1)))
        raise _fail(found.display, line, Msg(exc.key, dict(exc.params))) from exc
    for key in decoded.warnings:
        report.warnings.append(IngestWarning(found.display, 1, Msg(key)))
    return decoded.text


@dataclass(slots=True)
class _Parsed:
    """One notes file's parse, kept by (path, hash) for a repeated attempt: its concepts,
    skipped count and warnings, or the error that made it unusable."""

    concepts: list[ParsedConcept]
    skipped: int
    warnings: list[IngestWarning]
    error: BadInput | None = None


def _parse(found: _Found, data: bytes) -> _Parsed:
    sink = IngestReport()
    try:
        text = _decode(found, data, sink)
        parsed = parse_notes(text)
        if not parsed.concepts:
            raise _fail(found.display, 1, Msg("file_no_concepts"))
    except BadInput as exc:
        return _Parsed([], 0, sink.warnings, exc)
    for warning in parsed.warnings:
        sink.warnings.append(
            IngestWarning(found.display, warning.line, Msg(warning.message, dict(warning.params)))
        )
    return _Parsed(list(parsed.concepts), parsed.skipped, sink.warnings)


@dataclass(slots=True)
class _Plan:
    notes: list[repo.FileChange] = field(default_factory=list)
    curation: dict[str, tuple[_Found, str, str, int]] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    curation_changed: bool = False

    @property
    def empty(self) -> bool:
        """Whether there is nothing to write."""
        return not (self.notes or self.deleted or self.curation_changed)


def _skip(found: _Found, error: BadInput, report: IngestReport) -> None:
    """Count a folder's unusable notes file and say why, as a warning."""
    report.files_skipped += 1
    report.warnings.append(
        IngestWarning(
            found.display,
            int(str(error.params.get("line", 1))),
            Msg("file_skipped", {"detail": error.params.get("detail", "")}),
        )
    )


@dataclass(frozen=True, slots=True)
class _Stored:
    """What the database held when an attempt began: checked again before writing."""

    version: int
    files: dict[str, repo.StoredFile]
    curation: dict[str, tuple[str, str]]  # stored curation file path -> (kind, text)
    concepts: int


async def _read_stored(session: AsyncSession) -> _Stored:
    version = await repo.knowledge_version(session)  # first: anything newer changes it
    files = await repo.stored_files(session)
    curation: dict[str, tuple[str, str]] = {}
    for path, file in files.items():
        if file.kind != "notes":
            text = await repo.get_meta(session, CURATION_META_PREFIX + path)
            if text is not None:
                curation[path] = (file.kind, text)
    return _Stored(version, files, curation, await repo.count_concepts(session))


async def _still(session: AsyncSession, stored: _Stored) -> bool:
    """Whether the knowledge is still what ``stored`` saw (inside the write transaction)."""
    if await repo.knowledge_version(session) != stored.version:
        return False
    return await repo.stored_files(session) == stored.files


@dataclass(slots=True)
class _Attempt:
    """What one attempt needs besides the stored state: the files, options and the caches that
    survive into a repeated attempt."""

    files: list[_Found]
    roots: list[Path]
    strict: bool
    progress: Progress | None
    scope: str = OPERATOR_SCOPE
    parsed: dict[tuple[str, str], _Parsed] = field(default_factory=dict)

    def tell(self, stage: str, done: int, total: int) -> None:
        """Report progress, if anyone listens."""
        if self.progress is not None:
            self.progress(IngestProgress(stage, done, total))


async def _plan(
    attempt: _Attempt,
    stored: _Stored,
    report: IngestReport,
    on_notes_changed: Callable[[], Awaitable[None]],
    on_parsed: Callable[[Sequence[str]], None],
) -> _Plan:
    files, strict = attempt.files, attempt.strict
    plan = _Plan()
    seen = {f.display for f in files}
    read: list[tuple[_Found, bytes, str, bool, BadInput | None]] = []
    for found in files:
        tolerant = found.kind == "notes" and not (found.explicit or strict)
        limit = MAX_NOTE_BYTES if found.kind == "notes" else MAX_CURATION_BYTES
        try:
            data = _read(found, limit)
        except BadInput as exc:
            if not tolerant:
                raise
            read.append((found, b"", "", False, exc))
            continue
        digest = hashlib.sha256(data).hexdigest()
        previous = stored.files.get(found.display)
        changed = previous is None or previous.sha256 != digest
        read.append((found, data if changed else b"", digest, changed, None))
    if any(changed and found.kind == "notes" for found, _, _, changed, _ in read):
        await on_notes_changed()  # the tokenizer loads its model while the files are parsed
    for index, (found, data, digest, changed, unreadable) in enumerate(read, 1):
        if unreadable is not None:
            _skip(found, unreadable, report)  # not stored: the next ingest looks at it again
        elif found.kind == "notes":
            if changed:
                parsed = attempt.parsed.get((found.display, digest))
                if parsed is None:  # on a worker thread: the event loop keeps answering
                    parsed = await asyncio.to_thread(_parse, found, data)
                    attempt.parsed[found.display, digest] = parsed
                report.warnings.extend(parsed.warnings)
                concepts = parsed.concepts
                if parsed.error is not None:
                    if found.explicit or strict:
                        raise parsed.error
                    _skip(found, parsed.error, report)  # stored without concepts: unchanged
                    # next time, and an edit that emptied a note removes what it held
                else:
                    report.files += 1
                    report.skipped += parsed.skipped
                    on_parsed([concept.definition for concept in concepts])
                plan.notes.append(
                    repo.FileChange(found.display, digest, len(data), concepts, scope=attempt.scope)
                )
                report.changed += 1
            else:
                report.files += 1
                report.unchanged += 1
        elif changed:
            text = _decode(found, data, report)
            plan.curation[found.display] = (found, text, digest, len(data))
            plan.curation_changed = True
        attempt.tell(STAGE_FILES, index, len(read))
    for path, file in stored.files.items():
        absolute = _canonical(_absolute(path))
        under_root = any(absolute.is_relative_to(root) for root in attempt.roots)
        mine = file.scope == attempt.scope
        if mine and under_root and path not in seen and not absolute.exists():
            plan.deleted.append(path)
            report.deleted += file.kind == "notes"
            plan.curation_changed |= file.kind != "notes"
    return plan


def _load_curation(path: str, text: str, load: Callable[[str, str], T]) -> T:
    """Load one curation file with ``load(text, path)``; a bad one fails the ingest."""
    try:
        return load(text, path)
    except BadInput as exc:
        params = dict(exc.params)
        line = int(str(params.get("line", 1)))
        raise _fail(path, line, Msg(exc.key, params)) from exc


@dataclass(slots=True)
class Curation:
    """Every curation file known after this ingest, merged: aliases and synonym groups."""

    texts: dict[str, tuple[str, str]]  # path -> (kind, text)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    synonym_groups: list[list[str]] = field(default_factory=list)
    key_points: dict[str, tuple[KeyPoint, ...]] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[tuple[str, str]]:
        """(path, text) of the files of ``kind``, by path."""
        return sorted((p, text) for p, (k, text) in self.texts.items() if k == kind)


def _curation(stored: _Stored, plan: _Plan) -> Curation:
    """Curation files of earlier ingests (kept in the database) overlaid with this run's."""
    texts = {path: value for path, value in stored.curation.items() if path not in plan.deleted}
    for path, (found, text, _, _) in plan.curation.items():
        texts[path] = (found.kind, text)
    curation = Curation(texts)
    for path, text in curation.of_kind("aliases"):
        for term, names in _load_curation(path, text, parse_aliases).items():
            curation.aliases[term] = tuple(dict.fromkeys([*curation.aliases.get(term, ()), *names]))
    for path, text in curation.of_kind("keypoints"):
        curation.key_points.update(_load_curation(path, text, load_curated))
    for path, text in curation.of_kind("synonyms"):
        groups = _load_curation(path, text, SynonymMap.parse).groups
        curation.synonym_groups.extend(sorted(group) for group in groups)
    return curation


@dataclass(slots=True)
class _Work:
    """A prepared attempt: what to write, and the key points of concepts in files that did not
    change whose stored values changed (IDF is over every concept)."""

    plan: _Plan
    curation: Curation
    key_points: dict[int, repo.Derived] = field(default_factory=dict)


async def _derive_key_points(
    work: _Work,
    concepts: list[repo.StoredConcept],
    tokenizer: Tokenizer,
    attempt: _Attempt,
) -> None:
    """Derive the key points of every concept as it will be after this ingest: the stored
    concepts of untouched files and the parsed concepts of changed ones. The results go into
    each :class:`~bot.db.knowledge.FileChange` (aligned with its concepts, so the write matches
    them to rows by term exactly as it matches the concepts) and, by id, into ``work``."""
    plan = work.plan
    rewritten = {change.path for change in plan.notes} | set(plan.deleted)
    kept = [concept for concept in concepts if concept.path not in rewritten]
    matched: dict[str, dict[str, repo.StoredConcept]] = {}
    for concept in sorted(concepts, key=lambda c: c.id):  # the row apply_file matches: last
        if concept.path in rewritten:
            matched.setdefault(concept.path, {})[concept.term] = concept
    terms = [c.term for c in kept] + [p.term for change in plan.notes for p in change.concepts]
    curated_aliases = aliases_for_terms(work.curation.aliases, terms)

    def names(term: str, note_aliases: Sequence[str]) -> tuple[str, ...]:
        extra = [a for a in dict.fromkeys(curated_aliases.get(term, ())) if a != term]
        return (term, *note_aliases, *extra)

    items = [
        KeyPointItem(c.term, names(c.term, c.note_aliases), c.definition, c.tokens) for c in kept
    ]
    for change in plan.notes:
        rows = matched.get(change.path, {})
        for parsed in change.concepts:
            row = rows.get(parsed.term)
            reused = row.tokens if row is not None and row.definition == parsed.definition else None
            items.append(
                KeyPointItem(
                    parsed.term, names(parsed.term, parsed.aliases), parsed.definition, reused
                )
            )

    def progress(done: int, total: int) -> None:
        attempt.tell(STAGE_KEY_POINTS, done, total)

    derived = await derive_key_points(items, work.curation.key_points, tokenizer, progress)
    values = [(d.candidates, repo.key_points_to_json(d.points)) for d in derived]
    for concept, value in zip(kept, values, strict=False):
        if (concept.tokens, concept.key_points) != value:
            work.key_points[concept.id] = value
    at = len(kept)
    for change in plan.notes:
        change.derived = values[at : at + len(change.concepts)]
        at += len(change.concepts)


async def _prepare(
    attempt: _Attempt,
    stored: _Stored,
    report: IngestReport,
    tokenizer: Tokenizer | None,
    read_concepts: Callable[[], Awaitable[list[repo.StoredConcept]]],
) -> _Work | None:
    """Plan, parse and (with a tokenizer) derive key points; None when nothing changed."""

    async def notes_changed() -> None:
        if tokenizer is not None:
            await tokenizer.start()

    def parsed(definitions: Sequence[str]) -> None:
        if tokenizer is not None:
            tokenizer.feed(definitions)  # tokenised while the next files are parsed

    plan = await _plan(attempt, stored, report, notes_changed, parsed)
    if plan.empty:
        report.total = stored.concepts
        return None
    work = _Work(plan, _curation(stored, plan))
    if tokenizer is not None:
        await _derive_key_points(work, await read_concepts(), tokenizer, attempt)
    return work


async def _apply(session: AsyncSession, work: _Work, report: IngestReport) -> None:
    """Write a prepared attempt (inside the write transaction, after the check)."""
    plan, curation = work.plan, work.curation
    counts = repo.ApplyCounts()
    counts.removed += await repo.delete_files(session, plan.deleted)
    await repo.apply_files(session, plan.notes, counts)
    for path, (found, text, digest, size) in plan.curation.items():
        await repo.record_file(session, path, found.kind, digest, size)
        await repo.set_meta(session, CURATION_META_PREFIX + path, text)
    for path in plan.deleted:
        await repo.set_meta(session, CURATION_META_PREFIX + path, None)
    terms = await repo.concept_terms(session)
    names = [term for _, term, _ in terms]
    await repo.replace_aliases(session, aliases_for_terms(curation.aliases, names))
    synonyms = json.dumps(curation.synonym_groups, ensure_ascii=False)
    await repo.set_meta(session, repo.SYNONYMS_KEY, synonyms)
    await repo.save_key_points(session, work.key_points)
    report.added, report.updated, report.removed = counts.added, counts.updated, counts.removed
    _warn_duplicates(terms, report)
    _warn_unknown_alias_terms(curation, names, report)
    report.total = len(terms)
    await repo.bump_knowledge_version(session)


def _read_only(sessionmaker: async_sessionmaker[Any]) -> async_sessionmaker[Any]:
    """A read-only session factory on the same engine (on SQLite its transactions take no
    write lock)."""
    bind = sessionmaker.kw.get("bind")
    return (
        make_sessionmaker(bind, read_only=True) if isinstance(bind, AsyncEngine) else sessionmaker
    )


async def ingest(
    sessionmaker: async_sessionmaker[Any],
    paths: Sequence[Path],
    *,
    progress: Progress | None = None,
    key_points: bool = True,
    isolate_tokenizer: bool = True,
    strict: bool = False,
    tokenizer: Tokenizer | None = None,
    scope: str = OPERATOR_SCOPE,
) -> IngestReport:
    """Ingest ``paths`` (files or folders) and return what changed; all or nothing.

    Raises :class:`BadInput` (``ingest_failed`` with path and line) for a bad file named
    explicitly, a bad curation file, or (``strict``) any bad file; nothing is written then. A
    bad notes file found in a folder is otherwise skipped and counted. A SQLite database that
    refuses the write (read-only, a full disk) raises ``database_unusable``, nothing written.
    With ``key_points`` every concept's key points are derived before the write transaction,
    the new or changed definitions by ``tokenizer`` (default: a child process per ingest, or with
    ``isolate_tokenizer`` False one kept in this process; a given tokenizer is not closed).
    ``progress`` hears each stage's advance (see :class:`IngestProgress`). ``scope`` is whose
    notes these are (:func:`bot.core.models.knowledge_scope`; the operator's by default); a
    workspace's notes take no curation files (they would rename other workspaces' concepts):
    any found are left out with a warning.
    """
    files, roots = collect(paths)
    ignored: list[IngestWarning] = []
    if scope != OPERATOR_SCOPE:
        ignored = [
            IngestWarning(f.display, 1, Msg("curation_not_in_workspace"))
            for f in files
            if f.kind != "notes"
        ]
        files = [f for f in files if f.kind == "notes"]
    attempt = _Attempt(files, roots, strict, progress, scope)
    reads = _read_only(sessionmaker)
    owned = tokenizer is None and key_points
    if not key_points:
        tokenizer = None
    elif tokenizer is None:
        tokenizer = ChildTokenizer() if isolate_tokenizer else InProcessTokenizer()
    try:
        for number in range(1, MAX_ATTEMPTS + 1):
            report = IngestReport(attempts=number, warnings=list(ignored))
            if number == MAX_ATTEMPTS:
                await _locked_attempt(sessionmaker, attempt, report, tokenizer)
                return report
            async with reads() as session, session.begin():
                stored = await _read_stored(session)
            work = await _prepare(
                attempt, stored, report, tokenizer, lambda: _stored_concepts(reads)
            )
            if work is None:
                return report
            attempt.tell(STAGE_SAVING, 0, 1)
            started = time.perf_counter()
            async with sessionmaker() as session, session.begin():
                await repo.lock_knowledge(session)
                applied = await _still(session, stored)
                if applied:
                    await _apply(session, work, report)
            report.write_seconds = time.perf_counter() - started
            if applied:
                attempt.tell(STAGE_SAVING, 1, 1)
                return report
        raise AssertionError("unreachable: the last attempt holds the lock")
    except OperationalError as exc:  # a read-only database file or a full disk: rolled back
        bind = sessionmaker.kw.get("bind")
        refused = refused_write(bind, exc) if isinstance(bind, AsyncEngine) else None
        if refused is None:
            raise
        raise refused from exc
    finally:
        if owned and tokenizer is not None:
            await tokenizer.close()


async def _stored_concepts(reads: async_sessionmaker[Any]) -> list[repo.StoredConcept]:
    async with reads() as session, session.begin():
        return await repo.stored_concepts(session)


async def _locked_attempt(
    sessionmaker: async_sessionmaker[Any],
    attempt: _Attempt,
    report: IngestReport,
    tokenizer: Tokenizer | None,
) -> None:
    """The last attempt, after others kept changing the knowledge: read, prepare and write
    inside one write transaction (the old way; it always succeeds)."""
    started = time.perf_counter()
    async with sessionmaker() as session, session.begin():
        await repo.lock_knowledge(session)
        stored = await _read_stored(session)

        async def concepts() -> list[repo.StoredConcept]:
            return await repo.stored_concepts(session)

        work = await _prepare(attempt, stored, report, tokenizer, concepts)
        if work is not None:
            attempt.tell(STAGE_SAVING, 0, 1)
            await _apply(session, work, report)
    report.write_seconds = time.perf_counter() - started
    if work is not None:
        attempt.tell(STAGE_SAVING, 1, 1)


def _warn_duplicates(terms: list[tuple[int, str, str]], report: IngestReport) -> None:
    first: dict[str, str] = {}
    for _, term, path in terms:
        key = term.casefold().replace(" ", "")
        if key in first:
            report.warnings.append(
                IngestWarning(
                    path, 0, Msg("warn_duplicate_term", {"term": term, "other": first[key]})
                )
            )
        else:
            first[key] = path


def _warn_unknown_alias_terms(curation: Curation, terms: list[str], report: IngestReport) -> None:
    known = {name_key(term) for term in terms}
    for path, text in curation.of_kind("aliases"):
        for term in parse_aliases(text, path):
            if name_key(term) not in known:
                report.warnings.append(
                    IngestWarning(path, 0, Msg("warn_unknown_alias_term", {"term": term}))
                )


async def remove_files(sessionmaker: async_sessionmaker[Any], paths: Sequence[str]) -> int:
    """Remove stored notes files and their concepts (a source taken away) in one write
    transaction that moves the knowledge version on; returns the concepts removed."""
    if not paths:
        return 0
    async with sessionmaker() as session, session.begin():
        await repo.lock_knowledge(session)
        removed = await repo.delete_files(session, paths)
        await repo.bump_knowledge_version(session)
    return removed
