"""Ingest notes into the database: transactional, idempotent, with a summary.

This is an orchestrator (like the Service): it reads files and writes through the repositories;
parsing and decoding stay pure in :mod:`bot.core.knowledge`.

- Files: ``.md``, ``.markdown``, ``.txt`` notes; ``aliases.toml`` / ``keypoints.toml`` /
  ``synonyms.toml`` curation files, found in the given files or folders (recursively).
- Unchanged files (same SHA-256) are skipped; a changed file's concepts are matched by term and
  updated in place; files that vanished from an ingested folder lose their concepts.
- A notes file found in a folder that cannot be used (binary, undecodable, empty, too big,
  unreadable, or without a single concept: a SUMMARY.md, a template, a README of links) is
  skipped and counted, with its path and reason as a warning; the rest of the folder loads.
  A file named explicitly, a bad curation file, or any finding under ``strict`` aborts the whole
  ingest with its path and line; the database is then left exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app.keypoint_stage import update_key_points
from bot.app.notes_files import Found as _Found
from bot.app.notes_files import absolute as _absolute
from bot.app.notes_files import collect
from bot.core.errors import BadInput
from bot.core.grading.keypoints import load_curated
from bot.core.grading.synonyms import SynonymMap
from bot.core.knowledge.aliases import aliases_for_terms, name_key, parse_aliases
from bot.core.knowledge.decode import MAX_NOTE_BYTES, decode_notes
from bot.core.knowledge.parser import parse_notes
from bot.core.messages import Msg
from bot.core.models import KeyPoint, ParsedConcept
from bot.db import knowledge as repo

MAX_CURATION_BYTES = 2 * 1024 * 1024
CURATION_META_PREFIX = "curation:"

Progress = Callable[[int, int], None]
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


def _read(found: _Found, limit: int) -> bytes:
    try:
        size = found.path.stat().st_size
        if size > limit:
            raise _fail(
                found.display,
                1,
                Msg(
                    "file_too_big",
                    {"size_mb": round(size / 1_048_576, 1), "limit_mb": limit // 1_048_576},
                ),
            )
        return found.path.read_bytes()
    except OSError as exc:
        raise _fail(
            found.display, 1, Msg("file_unreadable", {"reason": exc.strerror or exc})
        ) from exc


def _decode(found: _Found, data: bytes, report: IngestReport) -> str:
    try:
        decoded = decode_notes(data)
    except BadInput as exc:
        line = int(str(exc.params.pop("line", 1)))
        raise _fail(found.display, line, Msg(exc.key, dict(exc.params))) from exc
    for key in decoded.warnings:
        report.warnings.append(IngestWarning(found.display, 1, Msg(key)))
    return decoded.text


def _parse(found: _Found, text: str, report: IngestReport) -> list[ParsedConcept]:
    parsed = parse_notes(text)
    if not parsed.concepts:
        raise _fail(found.display, 1, Msg("file_no_concepts"))
    report.skipped += parsed.skipped
    for warning in parsed.warnings:
        report.warnings.append(
            IngestWarning(found.display, warning.line, Msg(warning.message, dict(warning.params)))
        )
    return list(parsed.concepts)


@dataclass(slots=True)
class _Plan:
    notes: list[repo.FileChange] = field(default_factory=list)
    curation: dict[str, tuple[_Found, str, str, int]] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    curation_changed: bool = False


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


async def _plan(
    session: AsyncSession,
    files: list[_Found],
    roots: list[Path],
    report: IngestReport,
    progress: Progress | None,
    strict: bool,
) -> _Plan:
    stored = await repo.stored_files(session)
    plan = _Plan()
    seen = {f.display for f in files}
    for index, found in enumerate(files, 1):
        tolerant = found.kind == "notes" and not (found.explicit or strict)
        limit = MAX_NOTE_BYTES if found.kind == "notes" else MAX_CURATION_BYTES
        try:
            data = _read(found, limit)
        except BadInput as exc:
            if not tolerant:
                raise
            _skip(found, exc, report)  # not stored: the next ingest looks at it again
            continue
        digest = hashlib.sha256(data).hexdigest()
        previous = stored.get(found.display)
        changed = previous is None or previous.sha256 != digest
        if found.kind == "notes":
            if changed:
                try:
                    concepts = _parse(found, _decode(found, data, report), report)
                except BadInput as exc:
                    if not tolerant:
                        raise
                    _skip(found, exc, report)
                    concepts = []  # stored without concepts: unchanged next time, and an
                    # edit that emptied a note removes what it held
                else:
                    report.files += 1
                plan.notes.append(repo.FileChange(found.display, digest, len(data), concepts))
                report.changed += 1
            else:
                report.files += 1
                report.unchanged += 1
        elif changed:
            text = _decode(found, data, report)
            plan.curation[found.display] = (found, text, digest, len(data))
            plan.curation_changed = True
        if progress is not None:
            progress(index, len(files))
    for path, file in stored.items():
        absolute = _absolute(path).resolve()
        under_root = any(absolute.is_relative_to(root) for root in roots)
        if under_root and path not in seen and not absolute.exists():
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


async def _curation(session: AsyncSession, plan: _Plan) -> Curation:
    """Curation files of earlier ingests (kept in the database) overlaid with this run's."""
    texts: dict[str, tuple[str, str]] = {}
    for path, file in (await repo.stored_files(session)).items():
        if file.kind != "notes" and path not in plan.deleted:
            text = await repo.get_meta(session, CURATION_META_PREFIX + path)
            if text is not None:
                texts[path] = (file.kind, text)
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


async def ingest(
    sessionmaker: async_sessionmaker[Any],
    paths: Sequence[Path],
    *,
    progress: Progress | None = None,
    key_points: bool = True,
    isolate_tokenizer: bool = True,
    strict: bool = False,
) -> IngestReport:
    """Ingest ``paths`` (files or folders) in one transaction and return what changed.

    Raises :class:`BadInput` (``ingest_failed`` with path and line) for a bad file named
    explicitly, a bad curation file, or (``strict``) any bad file; nothing is written then. A
    bad notes file found in a folder is otherwise skipped and counted. With ``key_points`` the
    concepts' key points are derived in the same transaction (the tokenizer runs in a child
    process unless ``isolate_tokenizer`` is False).
    """
    files, roots = collect(paths)
    report = IngestReport()
    async with sessionmaker() as session, session.begin():
        plan = await _plan(session, files, roots, report, progress, strict)
        if not (plan.notes or plan.deleted or plan.curation_changed):
            report.total = await repo.count_concepts(session)
            return report
        curation = await _curation(session, plan)
        counts = repo.ApplyCounts()
        counts.removed += await repo.delete_files(session, plan.deleted)
        for change in plan.notes:
            await repo.apply_file(session, change, counts)
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
        report.added, report.updated, report.removed = counts.added, counts.updated, counts.removed
        _warn_duplicates(terms, report)
        _warn_unknown_alias_terms(curation, names, report)
        report.total = len(terms)
        if key_points:
            await update_key_points(session, curation.key_points, isolate=isolate_tokenizer)
        await repo.bump_knowledge_version(session)
    return report


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
