"""The console front end's REPL: typed lines become Service calls and Replies are printed.

In a terminal it uses prompt_toolkit (line editing, history, colour), and what the bot sends on
its own (a daily question, an idle interview's summary) is printed above the prompt, which then
comes back; with piped stdin it reads plain lines, prints as it goes and exits at end of input.

A plain line (no command) is, in this order: an answer to the running interview; an answer to
the daily question last posted here (until the person types a command); a number picking one of
the suggestions last shown; a lookup.

``/notes`` manages where the notes come from, for the console's own workspace: ``add <path>``
reads a local notes file, ``add git <spec>`` clones a repository, ``list``, ``sync`` and
``remove <source>``; ``/reload`` is ``/notes sync``. The notes keeper (watched folders, pulled
repositories) runs next to the daily runner and the interview expiry.

The learning loop: ``/review [anyway]`` is an interview over the person's due cards (answered
like any interview), ``/remind on HH:MM [zone] | off | status`` the daily reminder (printed here
by the reminder runner, which runs with the other jobs), ``/stats``, ``/leaderboard [week|all]
[page] | optout | optin`` and ``/export``. A reply's files (the stats chart, the export) are
saved under ``<data dir>/files/`` and their paths printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.adapters.console.caller import console_caller
from bot.adapters.console.files import save_files
from bot.adapters.console.notifier import ConsoleNotifier
from bot.adapters.console.render import render
from bot.adapters.text_commands import daily_command, start_arguments
from bot.app.service import Service
from bot.core.errors import BadInput, BotError, NotFound, error_text
from bot.core.grading.appeal_replies import APPEAL_ACTION, answer_number
from bot.core.knowledge.decode import too_big_params
from bot.core.messages import Msg, t
from bot.core.models import Action, Reply, ReplyKind

log = logging.getLogger(__name__)

PROMPT = "> "
# What to type for a reply's buttons that have a console command (shown under the reply).
TYPED_ACTIONS = {
    "review.anyway": "/review anyway",
    "review.start": "/review",
    "leaderboard.page": "/leaderboard {argument}",
}
HISTORY_FILE = "console-history"
# How long the jobs may take to finish what they were doing (a post) when the console ends.
JOBS_STOP_TIMEOUT_S = 5.0
Handler = Callable[[str], Awaitable[list[Reply]]]


class Console:
    """Turns typed lines into Service calls and prints the Replies."""

    def __init__(self, service: Service, out: TextIO, *, colour: bool = False) -> None:
        self.service = service
        self.out = out
        self.colour = colour
        self.caller = console_caller(service.settings.locale)
        self.locale = service.locale(self.caller)
        self._last_suggestions: tuple[Action, ...] = ()
        self._last_graded: str | None = None  # the answer id of the last grade shown
        self.commands: dict[str, Handler] = {
            "/define": self._define,
            "/d": self._define,
            "/help": self._help,
            "/?": self._help,
            "/interview": self._interview,
            "/hint": self._hint,
            "/skip": self._skip,
            "/stop": self._stop,
            "/daily": self._daily,
            "/appeal": self._appeal,
            "/appeals": self._appeals,
            "/reload": self._reload,
            "/topics": self._topics,
            "/notes": self._notes,
            "/review": self._review,
            "/remind": self._remind,
            "/stats": self._stats,
            "/leaderboard": self._leaderboard,
            "/export": self._export,
        }
        self.notifier = ConsoleNotifier(self)
        self.runner = service.daily_runner(self.notifier)
        self.expiry = service.interview_expiry(self.notifier)
        self.keeper = service.notes_keeper()
        self.reminders = service.reminder_runner(self.notifier)
        self._daily_thread: str | None = None
        self._terminal = False  # prompting with prompt_toolkit (pushed posts go above the prompt)

    def show(self, reply: Reply) -> None:
        """Print a reply and remember its suggestions (a number picks one) and the answer a
        grade's appeal would name (``/appeal``)."""
        if reply.suggestions:
            self._last_suggestions = reply.suggestions
        for action in reply.actions:
            if action.command == APPEAL_ACTION:
                self._last_graded = action.argument
        text = render(reply, colour=self.colour, locale=self.locale)
        for action in reply.actions:
            typed = TYPED_ACTIONS.get(action.command)
            if typed is not None:
                command = typed.format(argument=action.argument.replace(":", " "))
                text += f"\n  → {command} ({action.label})"
        for line in self._saved(reply):
            text += "\n" + line
        self.out.write(text + "\n\n")
        self.out.flush()

    def _saved(self, reply: Reply) -> list[str]:
        """Save the reply's files; a line for each saying where it went (or why it did not)."""
        data_dir: Path = self.service.settings.data_dir
        try:
            paths = save_files(data_dir, reply.files)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            return [t("data_dir_unusable", self.locale, path=str(data_dir), reason=reason)]
        return [t("console_file_saved", self.locale, path=str(path)) for path in paths]

    async def push(self, reply: Reply) -> None:
        """Show what the bot sends on its own (a daily question, an idle interview's summary).
        In a terminal the prompt is taken away, the reply printed, and the prompt drawn again
        below it (with what was typed so far); piped, it is printed as it comes."""
        if not self._terminal:
            self.show(reply)
            return
        from prompt_toolkit.application import in_terminal

        async with in_terminal():  # no prompt showing right now: prints at once
            self.show(reply)

    async def handle(self, line: str) -> bool:
        """Handle one line; returns False when the person wants to leave."""
        line = line.strip()
        if not line:
            return True
        command, _, argument = line.partition(" ")
        if command.lower() in ("/quit", "/exit", "/q"):
            return False
        if command.startswith("/"):
            self._daily_thread = None  # a command: the person has moved on from the daily question
        try:
            replies = await self._dispatch(command.lower(), argument.strip(), line)
        except BotError as exc:
            replies = [self._error(error_text(exc, self.locale))]
        except Exception:
            log.exception("console command failed: %s", command)
            replies = [self._error(t("internal_error", self.locale))]
        for reply in replies:
            self.show(reply)
        return True

    def _error(self, text: str) -> Reply:
        return Reply(t("error_title", self.locale), text, ReplyKind.ERROR)

    async def _dispatch(self, command: str, argument: str, line: str) -> list[Reply]:
        if command.startswith("/"):
            handler = self.commands.get(command)
            if handler is None:
                return [
                    self._error(t("console_unknown_command", self.locale, command=command[:40]))
                ]
            return await handler(argument)
        return await self.plain_text(line)

    async def plain_text(self, line: str) -> list[Reply]:
        """A line without a command: an answer while an interview runs (an idle one then ends
        with its summary); else an answer to the daily question posted here, until a command is
        typed (a second answer hears it was already answered); else a number picks a
        suggestion (one out of range is refused and the suggestions are kept); anything else is
        looked up."""
        if await self.service.interviews.current(self.caller) is not None:
            return await self.service.interviews.answer(self.caller, line)
        if self._daily_thread is not None:
            answered = await self.service.daily.answer(self.caller, self._daily_thread, line)
            if answered.kind is not ReplyKind.GRADE:  # already answered: said once is enough
                return [answered]
            still = Reply(t("console_daily_still_answering", self.locale), kind=ReplyKind.INFO)
            return [answered, still]
        if line.isdecimal() and self._last_suggestions:
            number, count = int(line), len(self._last_suggestions)
            if 1 <= number <= count:
                return await self._define(self._last_suggestions[number - 1].argument)
            text = t("console_pick_out_of_range", self.locale, number=line[:12], count=count)
            return [replace(self._error(text), suggestions=self._last_suggestions)]
        return await self._define(line)

    async def _define(self, argument: str) -> list[Reply]:
        return [await self.service.define(self.caller, argument)]

    async def _help(self, _argument: str) -> list[Reply]:
        return [self.service.help(self.caller)]

    async def _interview(self, argument: str) -> list[Reply]:
        topic, rounds = start_arguments(argument)
        return await self.service.interviews.start(self.caller, topic, rounds)

    async def _hint(self, _argument: str) -> list[Reply]:
        return [await self.service.interviews.hint(self.caller)]

    async def _skip(self, _argument: str) -> list[Reply]:
        return await self.service.interviews.skip(self.caller)

    async def _stop(self, _argument: str) -> list[Reply]:
        return [await self.service.interviews.stop(self.caller)]

    async def _topics(self, _argument: str) -> list[Reply]:
        return [self.service.topics(self.caller)]

    async def _reload(self, _argument: str) -> list[Reply]:
        return [await self.service.notes_sync(self.caller)]

    async def _notes(self, argument: str) -> list[Reply]:
        """``/notes [list] | add <path> | add git <spec> | sync | remove <source>``."""
        sub, _, rest = argument.partition(" ")
        sub, rest = sub.lower(), rest.strip()
        if sub in ("", "list") and not rest:
            return [await self.service.notes_list(self.caller)]
        if sub == "sync" and not rest:
            return [await self.service.notes_sync(self.caller)]
        if sub == "remove" and rest:
            return [await self.service.notes_remove(self.caller, rest)]
        if sub == "add" and rest:
            kind, _, spec = rest.partition(" ")
            if kind.lower() == "git" and spec.strip():
                return [await self.service.notes_add_git(self.caller, spec.strip())]
            path = Path(_unquoted(rest)).expanduser()
            data = read_notes_file(path, self.service.upload_limit)
            return [await self.service.notes_add_file(self.caller, path.name, data)]
        raise BadInput("console_notes_usage")

    async def _review(self, argument: str) -> list[Reply]:
        """``/review [anyway]``: an interview over the due cards (``anyway``: even if none is
        due); nothing due says when the next review is."""
        anyway = argument.strip().lower()
        if anyway not in ("", "anyway"):
            raise BadInput("console_review_usage")
        return await self.service.review(self.caller, anyway=bool(anyway))

    async def _remind(self, argument: str) -> list[Reply]:
        """``/remind on HH:MM [zone] | off | status`` (nothing: the status)."""
        sub = argument.partition(" ")[0].lower()
        if sub not in ("", "on", "off", "status"):
            raise BadInput("console_remind_usage")
        if sub == "status":
            argument = ""
        return [await self.service.remind(self.caller, argument)]

    async def _stats(self, _argument: str) -> list[Reply]:
        return [await self.service.stats(self.caller)]

    async def _leaderboard(self, argument: str) -> list[Reply]:
        """``/leaderboard [week|all] [page] | optout | optin``."""
        words = argument.lower().split()
        if words in (["optout"], ["optin"]):
            return [await self.service.leaderboard_opt(self.caller, out=words[0] == "optout")]
        period, page = "week", 1
        for word in words:
            if word in ("week", "all"):
                period = word
            elif word.isdecimal() and len(word) <= 6:
                page = int(word)
            else:
                raise BadInput("console_leaderboard_usage")
        return [await self.service.leaderboard(self.caller, period, page)]

    async def _export(self, _argument: str) -> list[Reply]:
        return [await self.service.export(self.caller)]

    async def _appeal(self, argument: str) -> list[Reply]:
        """``/appeal [answer id] [note]``: the grader was wrong about the last grade shown in
        this session, or about the answer named by its id."""
        first, _, rest = argument.partition(" ")
        if answer_number(first) is not None:
            reference, note = first, rest
        elif self._last_graded is not None:
            reference, note = self._last_graded, argument
        else:
            raise NotFound("appeal_nothing_yet")
        return [await self.service.appeals.appeal(self.caller, reference, note)]

    async def _appeals(self, _argument: str) -> list[Reply]:
        return [await self.service.appeals.report(self.caller, everywhere=True)]

    async def _daily(self, argument: str) -> list[Reply]:
        return [await daily_command(self.service, self.caller, argument, self.runner)]

    def daily_posted(self, thread_id: str) -> None:
        """A daily question was shown: the next plain line answers it."""
        self._daily_thread = thread_id

    async def resume(self) -> None:
        """After a restart: the resume notice and the running interview's question, or the
        summary of one that expired while the console was closed; then how many concepts are
        due for review, when any are."""
        for reply in await self.service.interviews.resume(self.caller):
            self.show(reply)
        notice = await self.service.due_notice(self.caller)
        if notice is not None:
            self.show(notice)

    async def run(self, stdin: TextIO, *, interactive: bool) -> None:
        """Read lines until /quit or end of input; the daily runner and the interview expiry
        post here meanwhile. The person's own interview is resumed (or its summary shown)
        before the jobs start, so its summary is shown here, once."""
        if interactive:
            self.out.write(
                t("console_welcome", self.locale, count=self.service.concept_count) + "\n\n"
            )
        await self.resume()
        jobs = (self.runner, self.expiry, self.keeper, self.reminders)
        tasks = [asyncio.create_task(job.run_forever()) for job in jobs]
        try:
            if interactive:
                await self._run_terminal()
            else:
                while True:
                    line = await asyncio.to_thread(stdin.readline)
                    if not line or not await self.handle(line):
                        break
        finally:
            for job in jobs:
                job.stop()
            # a job in the middle of a post finishes it (an expired interview's summary is not
            # lost on the way out); one that takes too long is cancelled
            _, late = await asyncio.wait(tasks, timeout=JOBS_STOP_TIMEOUT_S)
            for task in late:
                task.cancel()
            for task in late:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if interactive:
            self.out.write(t("console_bye", self.locale) + "\n")

    async def _run_terminal(self) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory

        data_dir: Path = self.service.settings.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        session: PromptSession[str] = PromptSession(
            history=FileHistory(str(data_dir / HISTORY_FILE))
        )
        self._terminal = True
        try:
            while True:
                try:
                    line = await session.prompt_async(self.prompt())
                except (EOFError, KeyboardInterrupt):
                    return
                if not await self.handle(line):
                    return
        finally:
            self._terminal = False

    def prompt(self) -> str:
        """The prompt shown before each line."""
        return PROMPT


def _unquoted(text: str) -> str:
    """A path as typed, without the quotes around it (a path with spaces may be quoted)."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def read_notes_file(path: Path, limit: int) -> bytes:
    """The bytes of a local notes file for ``/notes add``: a missing path, a folder or a file
    that cannot be read is said as such, and one bigger than ``limit`` is refused unread (as
    the Service would refuse it)."""
    try:
        size = path.stat().st_size
        if size > limit:
            detail = Msg("file_too_big", too_big_params(size, limit))
            raise BadInput("upload_refused", name=path.name, detail=detail)
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise BadInput("ingest_not_found", path=str(path)) from exc
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise BadInput("console_file_unreadable", path=str(path), reason=reason) from exc


async def run_console(
    service: Service, *, stdin: TextIO | None = None, out: TextIO | None = None
) -> None:
    """Start the console on the process's stdin/stdout (terminal or pipe)."""
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    interactive = stdin.isatty() and out.isatty()
    await Console(service, out, colour=interactive).run(stdin, interactive=interactive)
