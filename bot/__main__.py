"""The composition root and command line: settings -> engine -> Service -> front end.

``interview-bot`` (or ``python -m bot``) with no command starts the console.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shlex
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.config import Settings, get_settings
from bot.core.errors import BotError, error_text
from bot.core.messages import t
from bot.core.models import OPERATOR_SCOPE, MatchKind, Reply

if TYPE_CHECKING:
    from bot.app.service import Service
    from bot.core.knowledge.library import Knowledge

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="interview-bot",
        description="Interview prep from your notes: lookup, mock interviews, a daily question.",
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("console", help="interactive console (the default)")
    define = commands.add_parser("define", help="look a term up (exit 0 on a confident match)")
    define.add_argument("--json", action="store_true", help="print one JSON object")
    define.add_argument("query", nargs="+")
    ingest = commands.add_parser("ingest", help="load notes files or folders into the database")
    ingest.add_argument(
        "paths", nargs="*", type=Path, help="default: the configured knowledge paths"
    )
    ingest.add_argument(
        "--strict",
        action="store_true",
        help="fail on any bad file (default: skip a folder's unusable notes files and say why)",
    )
    grade = commands.add_parser("grade", help="grade one answer against the concept TERM finds")
    grade.add_argument("--json", action="store_true", help="print one JSON object")
    grade.add_argument("term")
    grade.add_argument("answer", help="the answer text ('-' reads it from stdin)")
    appeal = commands.add_parser(
        "appeal", help="say a grade was wrong: the answer counts as correct (ANSWER_ID from grade)"
    )
    appeal.add_argument("answer_id", help="the stored answer's id that grade printed")
    appeal.add_argument("note", nargs="*", help="an optional comment for whoever fixes the notes")
    commands.add_parser("appeals", help="appeals per concept with their rate, and the latest")
    commands.add_parser("migrate", help="apply database migrations and exit")
    commands.add_parser(
        "health", help="exit 0 when the database answers and its schema is current (no changes)"
    )
    commands.add_parser("discord", help="run the Discord bot (DISCORD_TOKEN)")
    slack = commands.add_parser("slack", help="run the Slack bot (Socket Mode; --http for HTTP)")
    slack.add_argument(
        "--http", action="store_true", help="serve HTTP (SLACK_SIGNING_SECRET) instead"
    )
    commands.add_parser("run", help="run every front end whose credentials are set")
    return parser


async def _service(settings: Settings, *, auto_ingest: bool | None = None) -> Service:
    """Start the Service (imported here: commands that need no database start faster)."""
    from bot.app.service import Service

    return await Service.start(settings, auto_ingest=auto_ingest)


async def cmd_console(settings: Settings, _args: argparse.Namespace) -> int:
    """Run the console REPL."""
    from bot.adapters.console.repl import run_console

    service = await _service(settings)
    try:
        await run_console(service)
    finally:
        await service.close()
    return 0


def quick_knowledge(settings: Settings) -> Knowledge | None:
    """The knowledge from the SQLite database's lookup snapshot when it is current and the notes
    are unchanged: a lookup then starts without the database layer. None: take the full path."""
    from bot.app.notes_files import unchanged
    from bot.core.knowledge.library import Knowledge
    from bot.db import snapshot
    from bot.db.revision import head_revision

    database = snapshot.sqlite_file(settings.resolved_database_url)
    if database is None or not database.exists():
        return None
    found = snapshot.read(database, head_revision())
    if found is None:
        return None
    concepts, stored = found
    if settings.auto_ingest and not unchanged(settings.knowledge_paths, stored):
        return None
    scope = console_caller_for(settings).scope  # what the console sees: no other workspace's
    return Knowledge(c for c in concepts if c.scope in (OPERATOR_SCOPE, scope))


async def cmd_define(settings: Settings, args: argparse.Namespace) -> int:
    """Look one query up; human text or JSON; exit 0 only on a confident match."""
    from bot.adapters.console.render import render
    from bot.core.knowledge.library import check_query
    from bot.core.knowledge.replies import define_reply

    query = " ".join(args.query)
    knowledge = quick_knowledge(settings)
    service = None
    if knowledge is None:
        service = await _service(settings)
        knowledge = service.knowledge.view(console_caller_for(settings).scope)
    try:
        result = knowledge.lookup(check_query(query))
        confident = result.kind is MatchKind.CONFIDENT and result.match is not None
        if args.json:
            match = None
            if confident and result.match is not None:
                concept = knowledge.concept(result.match.concept_id)
                match = {
                    "term": concept.term,
                    "aliases": list(concept.aliases),
                    "category": concept.category,
                    "definition": concept.definition,
                    "source": concept.source,
                    "score": round(result.match.score, 1),
                }
            suggestions = [{"term": s.term, "score": round(s.score, 1)} for s in result.suggestions]
            payload = {"query": query, "match": match, "suggestions": suggestions}
            print(json.dumps(payload, ensure_ascii=False))
        else:
            reply = define_reply(knowledge, query, settings.locale)
            print(render(reply, locale=settings.locale))
        return 0 if confident else 1
    finally:
        if service is not None:
            await service.close()


async def cmd_ingest(settings: Settings, args: argparse.Namespace) -> int:
    """Ingest notes and print the summary and warnings."""
    from bot.adapters.console.progress import progress_bar

    service = await _service(settings, auto_ingest=False)
    try:
        bar = progress_bar(sys.stderr, settings.locale)  # a terminal only; plain otherwise
        paths = args.paths or settings.knowledge_paths
        try:
            report = await service.ingest(paths, progress=bar, strict=args.strict)
            await service.knowledge.meaning_stored()  # before this process ends
        finally:
            if bar is not None:
                bar.close()
        for warning in report.warnings:
            print(
                t(
                    "ingest_warning",
                    settings.locale,
                    path=warning.path,
                    line=warning.line,
                    message=warning.message,
                ),
                file=sys.stderr,
            )
        print(report.summary().render(settings.locale))
        return 0
    finally:
        await service.close()


async def cmd_grade(settings: Settings, args: argparse.Namespace) -> int:
    """Grade one answer; exit 1 when TERM finds no confident concept. When it names several
    (a near miss, or one term in several notes) the candidates are listed, each with the
    ``grade`` command that picks it: a command line cannot "choose below"."""
    answer = sys.stdin.read() if args.answer == "-" else args.answer
    service = await _service(settings)
    try:
        result = await service.lookup(args.term, console_caller_for(settings))
        if result.kind is not MatchKind.CONFIDENT or result.match is None:
            reply = await service.define(console_caller_for(settings), args.term)
            _say_choices(args, settings, reply)
            return 1
        concept = service.concept(result.match.concept_id)
        graded, answer_id = await service.grade(console_caller_for(settings), concept, answer)
        if args.json:
            payload = {
                "answer_id": answer_id,
                "term": concept.term,
                "score": graded.score,
                "band": graded.band.value,
                "hits": [{"point": h.point.label, "matched": h.matched} for h in graded.hits],
                "misses": [p.label for p in graded.misses],
                "reference": graded.reference,
            }
            print(json.dumps(payload, ensure_ascii=False))
        else:
            from bot.adapters.console.render import render
            from bot.core.grading.replies import grade_reply

            print(render(grade_reply(graded, concept, settings.locale, answer_id=answer_id)))
            print(t("appeal_cli_hint", settings.locale, answer_id=answer_id))
        return 0
    finally:
        await service.close()


async def cmd_appeal(settings: Settings, args: argparse.Namespace) -> int:
    """Appeal one stored grade as the console person; exit 0 whether new or already recorded."""
    from bot.adapters.console.render import render

    service = await _service(settings, auto_ingest=False)
    try:
        caller = console_caller_for(settings)
        reply = await service.appeals.appeal(caller, args.answer_id, " ".join(args.note))
        print(render(reply))
        return 0
    finally:
        await service.close()


async def cmd_appeals(settings: Settings, _args: argparse.Namespace) -> int:
    """Print every appealed concept with its appeal rate, and the latest appeals."""
    from bot.adapters.console.render import render

    service = await _service(settings, auto_ingest=False)
    try:
        reply = await service.appeals.report(console_caller_for(settings), everywhere=True)
        print(render(reply))
        return 0
    finally:
        await service.close()


def _say_choices(args: argparse.Namespace, settings: Settings, reply: Reply) -> None:
    """Why ``grade`` found no one concept, on stderr (and as JSON on stdout for ``--json``):
    not found, or the candidate terms, each with the command that grades against it."""
    from bot.core.knowledge.replies import echo

    commands = [
        (choice.label, f"grade {shlex.quote(choice.argument)} ...") for choice in reply.suggestions
    ]
    if commands:
        key = "grade_cli_choose"
        text = t(key, settings.locale, query=echo(args.term))
    else:
        key, text = "not_found_body", reply.body or reply.title
    print(text, file=sys.stderr)
    for label, command in commands:
        print(f"  {label}: {command}", file=sys.stderr)
    if args.json:
        choices = [{"label": choice.label, "term": choice.argument} for choice in reply.suggestions]
        payload = {"error": key, "message": text, "choices": choices}
        print(json.dumps(payload, ensure_ascii=False))


def console_caller_for(settings: Settings) -> Any:
    """The console's caller."""
    from bot.adapters.console.caller import console_caller

    return console_caller(settings.locale)


async def cmd_health(settings: Settings, _args: argparse.Namespace) -> int:
    """Exit 0 when the database answers and its schema is the newest (a container health
    check); 1 with the reason otherwise. Changes nothing."""
    from bot.app.database import schema_current

    if not await schema_current(settings):
        print(t("health_schema", settings.locale), file=sys.stderr)
        return 1
    print(t("health_ok", settings.locale))
    return 0


async def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> int:
    """Apply migrations only."""
    from bot.app.database import open_database

    engine, applied = await open_database(settings)
    await engine.dispose()
    print(t("migrate_done" if applied else "migrate_up_to_date", settings.locale))
    return 0


def missing_credentials(settings: Settings, front_end: str, *, http: bool = False) -> list[str]:
    """The environment variables a front end needs that are not set."""
    needed = {
        "discord": ["discord_token"],
        "slack": ["slack_bot_token", "slack_signing_secret" if http else "slack_app_token"],
    }[front_end]
    return [name.upper() for name in needed if getattr(settings, name) is None]


async def _run_front_ends(settings: Settings, front_ends: list[tuple[str, bool]]) -> int:
    service = await _service(settings)
    service.settle()
    try:
        jobs = []
        for name, http in front_ends:
            if name == "discord":
                from bot.adapters.discord.client import run_discord

                assert settings.discord_token is not None
                jobs.append(run_discord(service, settings.discord_token.get_secret_value()))
            else:
                from bot.adapters.slack.app import run_slack

                jobs.append(run_slack(service, http=http))
        await asyncio.gather(*jobs)
    finally:
        await service.close()
    return 0


def _refuse(settings: Settings, missing: list[str]) -> int:
    print(t("missing_credentials", settings.locale, names=", ".join(missing)), file=sys.stderr)
    return 2


async def cmd_discord(settings: Settings, _args: argparse.Namespace) -> int:
    """Run the Discord front end."""
    missing = missing_credentials(settings, "discord")
    if missing:
        return _refuse(settings, missing)
    return await _run_front_ends(settings, [("discord", False)])


async def cmd_slack(settings: Settings, args: argparse.Namespace) -> int:
    """Run the Slack front end (Socket Mode, or HTTP with --http)."""
    missing = missing_credentials(settings, "slack", http=args.http)
    if missing:
        return _refuse(settings, missing)
    return await _run_front_ends(settings, [("slack", args.http)])


async def cmd_run(settings: Settings, _args: argparse.Namespace) -> int:
    """Run every front end whose credentials are set, over one Service."""
    front_ends: list[tuple[str, bool]] = []
    if not missing_credentials(settings, "discord"):
        front_ends.append(("discord", False))
    if not missing_credentials(settings, "slack"):
        front_ends.append(("slack", False))
    elif not missing_credentials(settings, "slack", http=True):
        front_ends.append(("slack", True))
    if not front_ends:
        return _refuse(
            settings,
            ["DISCORD_TOKEN", "SLACK_BOT_TOKEN + SLACK_APP_TOKEN (SLACK_SIGNING_SECRET)"],
        )
    return await _run_front_ends(settings, front_ends)


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]] = {
    "console": cmd_console,
    "define": cmd_define,
    "ingest": cmd_ingest,
    "grade": cmd_grade,
    "appeal": cmd_appeal,
    "appeals": cmd_appeals,
    "migrate": cmd_migrate,
    "health": cmd_health,
    "discord": cmd_discord,
    "slack": cmd_slack,
    "run": cmd_run,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``interview-bot`` command."""
    args = _parser().parse_args(argv)
    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    command = COMMANDS[args.command or "console"]
    try:
        return asyncio.run(command(settings, args))
    except BotError as exc:
        _say_refused(args, exc.key, error_text(exc, settings.locale))
        return 2
    except BrokenPipeError:  # define ... | head -1: the reader has gone, nothing to say
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130
    except (OSError, DBAPIError) as exc:  # the database cannot be reached or opened
        log.debug("database unreachable", exc_info=True)
        where = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
        text = t("database_unreachable", settings.locale, url=where, reason=_reason(exc))
        _say_refused(args, "database_unreachable", text)
        return 2


def _reason(exc: BaseException) -> str:
    """The first line of what went wrong, without a traceback."""
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0][:300]


def _say_refused(args: argparse.Namespace, key: str, text: str) -> None:
    """Say why a command was refused: on stderr, and as JSON on stdout for ``--json``."""
    print(text, file=sys.stderr)
    if getattr(args, "json", False):
        print(json.dumps({"error": key, "message": text}, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
