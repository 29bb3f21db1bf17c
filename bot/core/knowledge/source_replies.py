"""How ``/notes`` reads: the sources with what they hold, and what an upload, a sync or a
removal changed (added / updated / removed / skipped with reasons)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.messages import Msg, t
from bot.core.models import OPERATOR_SCOPE, Reply, ReplyKind, SourceInfo, SourceKind

# Findings (skipped files with their reasons) shown under a summary; the rest are counted.
MAX_FINDINGS_SHOWN = 8
# How many characters of a commit id a source shows.
COMMIT_CHARS = 8
KIND_KEYS = {
    SourceKind.FOLDER: "notes_kind_folder",
    SourceKind.GIT: "notes_kind_git",
    SourceKind.UPLOAD: "notes_kind_upload",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """A file an ingest skipped or warned about: where, and why."""

    path: str
    line: int
    message: Msg


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    """What a sync did to one source: its ingest summary, or the failure that left its notes
    as they were."""

    label: str
    summary: Msg | None = None
    error: Msg | None = None


def stored_msg(key: str, params: dict[str, object]) -> Msg:
    """A message as a source's last error stores it, nested messages restored."""

    def value(item: object) -> object:
        if isinstance(item, dict) and set(item) == {"key", "params"}:
            return stored_msg(str(item["key"]), dict(item["params"]))
        return item

    return Msg(key, {k: value(v) for k, v in params.items()})


def _when(moment: datetime | None, locale: str) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else t("notes_never", locale)


def _source_line(info: SourceInfo, locale: str) -> str:
    owner = "notes_owner_operator" if info.scope == OPERATOR_SCOPE else "notes_owner_workspace"
    line = t(
        "notes_source_line",
        locale,
        id=info.id,
        kind=t(KIND_KEYS[info.kind], locale),
        label=info.label,
        owner=t(owner, locale),
        files=info.files,
        concepts=info.concepts,
        changed=_when(info.changed_at, locale),
    )
    if info.commit:
        line += " · " + t("notes_source_commit", locale, commit=info.commit[:COMMIT_CHARS])
    if info.error is not None:
        key, params = info.error
        line += "\n  " + t("notes_source_error", locale, error=stored_msg(key, params))
    return line


# How to add notes, where the caller is (each front end takes files its own way).
HOW_KEYS = {
    "discord": "notes_how_discord",
    "slack": "notes_how_slack",
    "console": "notes_how_console",
}


def sources_reply(
    infos: Sequence[SourceInfo], locale: str, platform: str, limits: Mapping[str, object]
) -> Reply:
    """``/notes list``: every source the workspace sees, with its files, concepts, last change
    and last error, then how to add notes on ``platform`` within ``limits`` (types, size)."""
    if not infos:
        body = t("notes_list_empty", locale)
    else:
        body = "\n".join(_source_line(info, locale) for info in infos)
    how = HOW_KEYS.get(platform, "notes_how_console")
    body += "\n\n" + t(how, locale, **limits)
    return Reply(t("notes_list_title", locale), body, kind=ReplyKind.INFO, extra={"key": "list"})


def _findings(findings: Sequence[Finding], locale: str) -> list[str]:
    lines = [
        t("notes_finding", locale, path=f.path, line=f.line, message=f.message)
        for f in findings[:MAX_FINDINGS_SHOWN]
    ]
    if len(findings) > MAX_FINDINGS_SHOWN:
        lines.append(t("notes_findings_more", locale, count=len(findings) - MAX_FINDINGS_SHOWN))
    return lines


def changed_reply(
    headline: Msg, summary: Msg, findings: Sequence[Finding], locale: str, *, key: str
) -> Reply:
    """What an upload, an added repository or a removal changed: a headline, the ingest
    summary and the files skipped with their reasons."""
    body = "\n".join([summary.render(locale), *_findings(findings, locale)])
    return Reply(headline.render(locale), body, kind=ReplyKind.INFO, extra={"key": key})


def sync_reply(outcomes: Sequence[SourceOutcome], locale: str) -> Reply:
    """``/notes sync``: one line per source pulled and ingested again, failures with why (their
    notes left as they were)."""
    if not outcomes:
        return Reply(
            t("notes_sync_title", locale), t("notes_sync_nothing", locale), extra={"key": "sync"}
        )
    lines = []
    for outcome in outcomes:
        if outcome.error is not None:
            lines.append(
                t("notes_sync_failed_line", locale, label=outcome.label, error=outcome.error)
            )
        else:
            lines.append(
                t("notes_sync_line", locale, label=outcome.label, summary=outcome.summary or "")
            )
    failed = any(o.error is not None for o in outcomes)
    return Reply(
        t("notes_sync_title", locale),
        "\n".join(lines),
        kind=ReplyKind.ERROR if failed else ReplyKind.INFO,
        extra={"key": "sync", "failed": failed},
    )
