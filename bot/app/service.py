"""The Service: the one API every front end calls. Each call gets its own database session.

Front ends turn a platform event into a :class:`Caller` plus plain arguments, await one Service
call and render the returned :class:`Reply`. The Service only composes: the flows below it take
a :class:`Context` and never call back up.

Text people type (queries, answers, topics, appeal notes, schedule fields) is cleaned once,
where it enters those flows (:func:`bot.core.sanitize.clean_text`), so every front end, and a
front end calling a flow directly, gets the same: no lone surrogate or NUL reaches the database.
"""

from __future__ import annotations

import gc
import logging
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.app.appeals import Appeals
from bot.app.clock import SystemClock
from bot.app.context import Context
from bot.app.daily import DailyQuestions
from bot.app.daily_runner import DailyRunner
from bot.app.database import open_database
from bot.app.expiry import InterviewExpiry
from bot.app.grading import grade_and_record
from bot.app.interview import MockInterviews
from bot.app.keeper import NotesKeeper
from bot.app.knowledge import KnowledgeBase
from bot.app.reminders import ReminderRunner
from bot.app.reviews import Reviews
from bot.app.sources import MAX_UPLOAD_BYTES, NotesSources, check_upload, limits_params
from bot.config import Settings
from bot.core.errors import BadInput, error_text
from bot.core.grading.appeal_replies import APPEAL_ACTION
from bot.core.grading.grader import KeywordGrader
from bot.core.grading.synonyms import SynonymMap
from bot.core.interview.replies import topics_reply
from bot.core.interview.rules import resolve_topic, topic_label
from bot.core.messages import t
from bot.core.models import (
    OPERATOR_SCOPE,
    AnswerBy,
    Caller,
    Concept,
    Grade,
    LookupResult,
    Reply,
    ReplyKind,
)
from bot.core.ports import Clock, Grader, Notifier
from bot.core.review.replies import LEADERBOARD_PAGE, REVIEW_ANYWAY, REVIEW_START
from bot.core.sanitize import clean_text
from bot.db import deliveries
from bot.db.engine import make_sessionmaker
from bot.db.writer import GroupWriter

if TYPE_CHECKING:
    from bot.app.ingest import IngestReport, Progress

log = logging.getLogger(__name__)

# Actions whose replies only the person who chose them should see (hints; a daily grade with
# the hidden reference), and the ones that take typed text (a modal or text box first).
PRIVATE_ACTIONS = frozenset({"interview.hint", "daily.answer", "daily.mine", APPEAL_ACTION})
TEXT_ACTIONS = frozenset({"interview.answer", "daily.answer"})


class Service:
    """Everything the bot does, independent of any platform."""

    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        clock: Clock | None = None,
        grader: Grader | None = None,
    ) -> None:
        sessions: async_sessionmaker[Any] = make_sessionmaker(engine)
        reads: async_sessionmaker[Any] = make_sessionmaker(engine, read_only=True)
        knowledge = KnowledgeBase(settings, sessions, reads)
        meaning = None
        if grader is None and settings.grading_meaning:
            from bot.app.meaning import StoredSentenceEncoder, shared_model
            from bot.core.grading.meaning import MeaningGrader

            model = shared_model(settings.resolved_models_dir)
            meaning = StoredSentenceEncoder(model, sessions, reads)
            grader = MeaningGrader(meaning)
            knowledge.meaning = meaning
        self.context = Context(
            settings=settings,
            engine=engine,
            sessions=sessions,
            reads=reads,
            clock=clock or SystemClock(),
            grader=grader or KeywordGrader(),
            knowledge=knowledge,
            writer=GroupWriter(engine),
            meaning=meaning,
        )
        self.settings = settings
        self.engine = engine
        self.sessions = sessions
        self.clock = self.context.clock
        self.knowledge = self.context.knowledge
        self.interviews = MockInterviews(self.context)
        self.daily = DailyQuestions(self.context)
        self.appeals = Appeals(self.context)
        self.sources = NotesSources(self.context)
        self.reviews = Reviews(self.context, self.interviews)
        self._keeper: NotesKeeper | None = None

    # --- life cycle ----------------------------------------------------------------------

    @classmethod
    async def start(
        cls, settings: Settings, *, auto_ingest: bool | None = None, clock: Clock | None = None
    ) -> Service:
        """Connect, migrate, ingest the configured notes if they changed, and load the index.

        Raises :class:`BadInput` when the data folder or the SQLite file cannot be created or
        written (``data_dir_unusable``, ``database_unusable``); nothing is changed then."""
        engine, _ = await open_database(settings)
        service = cls(settings, engine, clock)
        await service.sources.configure()
        if settings.auto_ingest if auto_ingest is None else auto_ingest:
            try:
                if not await service.knowledge.unchanged(settings.knowledge_paths):
                    outcome = await service.sources.sync_folders()
                    if outcome is not None and outcome.error is not None:
                        log.warning("auto-ingest failed: %s", outcome.error.render(settings.locale))
            except BadInput as exc:
                log.warning("auto-ingest failed: %s", error_text(exc, settings.locale))
            await service.sources.sync_configured()  # failures are kept and listed by /notes
        await service.knowledge.refresh()
        service.knowledge.schedule_meaning()  # vectors of notes ingested without them
        return service

    @staticmethod
    def settle() -> None:
        """Once a long-running bot has started: what it loaded (notes, index, tokenizer and
        model tables) lives as long as the process, so the garbage collector stops walking it
        (``gc.freeze``): a collection in a burst of answers then costs what the burst made, not
        the whole heap. What a later reload replaces is still freed by reference counting."""
        gc.collect()
        gc.freeze()

    async def close(self) -> None:
        """Stop the background work and release the database connections."""
        await self.knowledge.close()
        await self.context.writer.close()
        await self.engine.dispose()

    def daily_runner(self, notifier: Notifier, **options: Any) -> DailyRunner:
        """The job that posts this platform's daily questions (one per front end and process)."""
        return DailyRunner(self.context, self.daily, notifier, **options)

    def notes_keeper(self) -> NotesKeeper:
        """The job that watches the configured folders and pulls the repositories (one per
        process, however many front ends run it)."""
        if self._keeper is None:
            self._keeper = NotesKeeper(self.context, self.sources)
        return self._keeper

    def reminder_runner(self, notifier: Notifier) -> ReminderRunner:
        """The job that sends this platform's due-review nudges (one per front end and
        process; each nudge is claimed in the database, so it goes out once)."""
        return ReminderRunner(self.context, notifier)

    def interview_expiry(self, notifier: Notifier) -> InterviewExpiry:
        """The job that ends this platform's idle interviews and posts their summaries."""
        return InterviewExpiry(self.context, self.interviews, notifier)

    def locale(self, caller: Caller | None) -> str:
        """The caller's locale, else the configured one."""
        return self.context.locale(caller)

    # --- knowledge -----------------------------------------------------------------------

    @property
    def synonyms(self) -> SynonymMap:
        """The notes' synonyms, as loaded."""
        return self.knowledge.synonyms

    @property
    def concept_count(self) -> int:
        """How many concepts the index holds."""
        return len(self.knowledge)

    async def knowledge_unchanged(self, paths: Sequence[Path]) -> bool:
        """Whether the notes under ``paths`` are exactly what was last ingested (cheap)."""
        return await self.knowledge.unchanged(paths)

    async def ingest(
        self, paths: Sequence[Path], *, progress: Progress | None = None, strict: bool = False
    ) -> IngestReport:
        """Ingest notes (files or folders) and reload the lookup index when anything changed
        (``strict``: any bad file is fatal)."""
        return await self.knowledge.ingest(paths, progress=progress, strict=strict)

    async def reload(self, caller: Caller, paths: Sequence[Path] | None = None) -> IngestReport:
        """Admin command: ingest the configured notes again."""
        return await self.knowledge.reload(caller, paths)

    # --- the learning loop ------------------------------------------------------------------

    async def review(self, caller: Caller, anyway: bool = False) -> list[Reply]:
        """``/review``: a session over the caller's due cards (an interview with a plan), or
        when the next review is, with a button to review anyway (``anyway``: the soonest
        cards, due or not)."""
        return await self.reviews.review(caller, anyway=anyway)

    async def review_preview(self, caller: Caller, anyway: bool = False) -> Reply | None:
        """The reply ``review`` would give without starting anything (nothing due), else None:
        ask before opening a thread for the session."""
        return await self.reviews.preview(caller, anyway)

    async def remind(self, caller: Caller, argument: str = "") -> Reply:
        """``/remind on HH:MM [zone]`` | ``off`` | ``status``: the caller's daily nudge."""
        return await self.reviews.remind(caller, argument)

    async def stats(self, caller: Caller, member_id: str | None = None) -> Reply:
        """``/stats [member]``: progress with a chart (another member's: admins)."""
        return await self.reviews.stats(caller, member_id)

    async def leaderboard(self, caller: Caller, period: str = "week", page: int = 1) -> Reply:
        """``/leaderboard [week|all] [page]``: the workspace's, nobody mentioned."""
        return await self.reviews.leaderboard(caller, period, page)

    async def leaderboard_opt(self, caller: Caller, out: bool) -> Reply:
        """``/leaderboard optout|optin``."""
        return await self.reviews.opt(caller, out)

    async def export(self, caller: Caller) -> Reply:
        """``/export``: the caller's history as CSV and an Anki deck of their weakest concepts."""
        return await self.reviews.export(caller)

    async def dashboard(self, caller: Caller) -> Reply:
        """The caller's dashboard (Slack App Home): due cards with a Review button, streak,
        weakest topics."""
        return await self.reviews.dashboard(caller)

    async def due_notice(self, caller: Caller) -> Reply | None:
        """The "N concepts are due" notice when any are (the console says it on start)."""
        return await self.reviews.due_notice(caller)

    # --- /notes: where notes come from ----------------------------------------------------

    @property
    def upload_limit(self) -> int:
        """The largest file ``/notes add`` takes, in bytes (a front end checks a platform's
        stated size before downloading)."""
        return MAX_UPLOAD_BYTES

    def check_upload(self, caller: Caller, filename: str, size: int | None) -> str:
        """Before a front end downloads a file for ``/notes add``: the caller is an admin in a
        workspace and the file's name and stated size are acceptable; returns the name it will
        be stored under, else raises (``admin_only``, ``upload_type``, ``upload_refused``)."""
        self.sources.workspace_admin(caller)
        return check_upload(clean_text(filename), size)

    @staticmethod
    def upload_limits() -> dict[str, object]:
        """The upload limits (types, size in KB) as message parameters, for a front end's
        usage text."""
        return limits_params()

    async def notes_list(self, caller: Caller) -> Reply:
        """``/notes list``: the sources the caller's workspace sees (admins)."""
        return await self.sources.listing(caller)

    async def notes_add_file(self, caller: Caller, filename: str, data: bytes) -> Reply:
        """``/notes add`` with a file: the workspace's own notes (admins)."""
        return await self.sources.add_upload(caller, clean_text(filename), data)

    async def notes_add_git(self, caller: Caller, spec: str) -> Reply:
        """``/notes add git <url>[#branch][:subdir]``: a repository for this workspace (admins)."""
        return await self.sources.add_git(caller, clean_text(spec))

    async def notes_sync(self, caller: Caller) -> Reply:
        """``/notes sync``: pull and ingest the sources again (admins)."""
        return await self.sources.sync(caller)

    async def notes_remove(self, caller: Caller, source: str) -> Reply:
        """``/notes remove <source>``: one of the workspace's own sources (admins)."""
        return await self.sources.remove(caller, clean_text(source))

    async def refresh(self, *, force: bool = False) -> None:
        """Rebuild the lookup index if the knowledge changed (here or in another process)."""
        await self.knowledge.refresh(force=force)

    def concept(self, concept_id: int) -> Concept:
        """A loaded concept by id."""
        return self.knowledge.concept(concept_id)

    def concept_or_none(self, concept_id: int) -> Concept | None:
        """A loaded concept by id, or None when it is gone (notes edited)."""
        return self.knowledge.concept_or_none(concept_id)

    def concepts(self, caller: Caller | None = None) -> list[Concept]:
        """Every concept the caller's workspace sees (the operator's notes without a caller),
        in note order."""
        return self.knowledge.concepts(_scope(caller))

    async def first_delivery(self, platform: str, key: str) -> bool:
        """Whether this is the first time a platform delivery (``event:<id>``,
        ``command:<trigger>``) reaches the bot, in any process: a retry or a replay answers False
        and is ignored."""
        async with self.context.sessions() as session, session.begin():
            return await deliveries.claim(session, platform, key, self.context.clock.now())

    async def lookup(self, query: str, caller: Caller | None = None) -> LookupResult:
        """Look ``query`` up in what the caller's workspace sees; raises BadInput for an empty
        or overlong query."""
        return await self.knowledge.lookup(query, _scope(caller))

    async def define(self, caller: Caller, query: str) -> Reply:
        """Answer ``/define``: the concept's note, "did you mean" choices, or a plain no."""
        return await self.knowledge.define(query, self.locale(caller), caller.scope)

    async def autocomplete(self, caller: Caller, prefix: str) -> list[tuple[str, str]]:
        """Choices for a front end's autocomplete: (label, value), at most 25, each <= 100 chars."""
        return await self.knowledge.autocomplete(prefix, caller.scope)

    # --- what people do ------------------------------------------------------------------

    async def act(
        self, caller: Caller, command: str, argument: str = "", text: str = ""
    ) -> list[Reply]:
        """Carry out an :class:`Action` a person chose (a button): ``define``, ``interview.hint``,
        ``interview.skip``, ``interview.stop``; ``interview.answer`` and ``daily.answer`` take the
        typed ``text``; ``appeal`` (the button under a grade: its argument the stored answer's
        id) takes an optional note as ``text``. Front ends answer privately what
        :data:`PRIVATE_ACTIONS` names."""
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
        if command == "daily.mine":
            return [await self.daily.mine(caller, argument)]
        if command == APPEAL_ACTION:
            return [await self.appeals.appeal(caller, argument, text)]
        if command in (REVIEW_START, REVIEW_ANYWAY):
            return await self.review(caller, anyway=command == REVIEW_ANYWAY)
        if command == LEADERBOARD_PAGE:
            return [await self.reviews.leaderboard_page(caller, argument)]
        raise BadInput("unknown_action")

    async def answer_in_thread(self, caller: Caller, text: str) -> list[Reply]:
        """A plain message in a thread: the answer to the interview running there for this person,
        or to the daily question the thread belongs to; nothing when neither runs there."""
        if await self.interviews.current(caller) is not None:
            return await self.interviews.answer(caller, text)
        thread = caller.conversation
        if await self.daily.find_post(thread) is not None:
            # the grade (or "already answered") only for them; the thread sees that they answered
            graded = await self.daily.answer(caller, thread, text)
            return [graded, self.daily.acknowledge(caller, thread, self.locale(caller))]
        return []

    def answer_by(self, platform: str, mode: AnswerBy) -> None:
        """A front end says how people can answer in its threads (Discord without the
        message-content intent: only by mentioning the bot); posts and intros then say so."""
        self.context.answer_modes[platform] = mode

    async def unread_answer(self, caller: Caller) -> Reply | None:
        """A message in a thread the bot could not read (no message-content intent, no mention):
        how to answer, when it was likely meant as one — the caller's interview runs there, or
        it is a daily question's thread they have not answered; else None (people chat)."""
        if await self.interviews.current(caller) is None and not await self.daily.unanswered(
            caller, caller.conversation
        ):
            return None
        return Reply(t("answer_needs_mention", self.locale(caller)), kind=ReplyKind.INFO)

    async def grade(self, caller: Caller, concept: Concept, text: str) -> tuple[Grade, int]:
        """Grade one answer given on its own (the command line's ``grade``) and store it in the
        caller's history so it can be appealed; returns the grade and the stored answer's id."""
        return await grade_and_record(self.context, caller, concept, text)

    def topic_counts(self, caller: Caller | None = None) -> dict[str, int]:
        """The categories (interview topics) of the notes the caller's workspace sees and how
        many concepts each has."""
        concepts = self.knowledge.concepts(_scope(caller))
        return dict(Counter(concept.category for concept in concepts))

    def topic_choices(self, caller: Caller | None, current: str) -> list[tuple[str, str]]:
        """Topics for an autocomplete as (label, value), those ``current`` names first (by
        containment, typos or the glossary: ``stat`` and ``통계`` find 통계적 개념)."""
        locale = self.locale(caller)
        counts = self.topic_counts(caller)
        named = resolve_topic(current, counts) if current.strip() else None
        wanted = current.strip().casefold()
        ordered = sorted(
            counts,
            key=lambda c: (c != named, wanted not in topic_label(c, locale).casefold(), c),
        )
        if wanted:
            ordered = [
                c for c in ordered if c == named or wanted in topic_label(c, locale).casefold()
            ]
        return [(topic_label(c, locale), c) for c in ordered]

    def topics(self, caller: Caller | None = None) -> Reply:
        """The interview topics with their concept counts (``/topics``)."""
        return topics_reply(self.topic_counts(caller), self.locale(caller))

    def help(self, caller: Caller | None = None) -> Reply:
        """The command list."""
        locale = self.locale(caller)
        return Reply(t("help_title", locale), t("help_body", locale))


def _scope(caller: Caller | None) -> str:
    """The knowledge scope of ``caller`` (the operator's notes without one)."""
    return caller.scope if caller is not None else OPERATOR_SCOPE
