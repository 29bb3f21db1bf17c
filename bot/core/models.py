"""Platform-neutral value types shared by the core, the database layer and every front end.

Everything here is a frozen dataclass: front ends receive these, render them, and never mutate them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Final, Protocol


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling and from where, as a front end sees it.

    ``channel_id`` is the conversation (Discord channel or thread, Slack channel, console).
    ``thread_id`` is set when the call comes from inside a thread. ``is_admin`` is decided by the
    front end from platform permissions; the core only enforces it.
    """

    platform: str
    user_id: str
    channel_id: str
    workspace_id: str = ""
    thread_id: str | None = None
    display_name: str = ""
    is_admin: bool = False
    locale: str | None = None

    @property
    def conversation(self) -> str:
        """The id of the conversation an interview or a reply belongs to (thread if any)."""
        return self.thread_id or self.channel_id

    @property
    def scope(self) -> str:
        """The knowledge scope of the caller's workspace (see :func:`knowledge_scope`)."""
        return knowledge_scope(self.platform, self.workspace_id)


# A workspace with no notes of its own to hold (a Discord direct message: no server).
NO_WORKSPACES: Final = frozenset({"", "dm"})
# The operator's configured notes, which every workspace sees.
OPERATOR_SCOPE: Final = ""


def knowledge_scope(platform: str, workspace_id: str) -> str:
    """Whose uploaded notes a workspace sees besides the operator's: ``platform:workspace``
    (``discord:<guild>``, ``slack:<team>``, ``console:local``); a conversation outside any
    workspace (a Discord DM) sees the operator's notes only (:data:`OPERATOR_SCOPE`)."""
    if workspace_id in NO_WORKSPACES:
        return OPERATOR_SCOPE
    return f"{platform}:{workspace_id}"


# --- notes as parsed (pure parser output) ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedConcept:
    """One concept as the notes parser found it in a file."""

    term: str
    definition: str
    category: str
    line: int
    question: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """Something worth telling the person who ingests the file; never fatal.

    ``message`` is a key in :mod:`bot.core.messages`, ``params`` fills it in."""

    line: int
    message: str
    params: dict[str, object] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class ParsedNotes:
    """The parser's result for one file."""

    concepts: tuple[ParsedConcept, ...]
    skipped: int = 0
    warnings: tuple[ParseWarning, ...] = ()


# --- stored knowledge -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyPoint:
    """A weighted key point of a concept; ``alternatives`` are equivalent spellings (필터|커널)."""

    alternatives: tuple[str, ...]
    weight: float = 1.0

    @property
    def label(self) -> str:
        """The key point as shown to a person: its first spelling."""
        return self.alternatives[0]


@dataclass(frozen=True, slots=True)
class Concept:
    """A concept as stored: what lookup, grading and rendering need."""

    id: int
    term: str
    category: str
    definition: str
    source_path: str
    source_line: int
    question: str | None = None
    aliases: tuple[str, ...] = ()
    key_points: tuple[KeyPoint, ...] = ()
    scope: str = ""  # whose notes: "" the operator's, else a workspace's (knowledge_scope)

    @property
    def source(self) -> str:
        """``path:line`` of the note this concept came from."""
        return f"{self.source_path}:{self.source_line}"


class SourceKind(StrEnum):
    """Where notes come from."""

    FOLDER = "folder"  # a folder (or file) on the machine the bot runs on: the operator's
    GIT = "git"  # a git repository, cloned into the data folder and pulled
    UPLOAD = "upload"  # one file uploaded in chat by a workspace admin


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """A notes source as ``/notes list`` shows it: what it is, what it holds, its last sync.

    ``error`` is the last sync's failure as a message key and parameters (rendered in the
    reader's language), None when it worked."""

    id: int
    scope: str
    kind: SourceKind
    label: str
    files: int = 0
    concepts: int = 0
    commit: str | None = None
    synced_at: datetime | None = None
    changed_at: datetime | None = None
    error: tuple[str, dict[str, object]] | None = None


# --- lookup ---------------------------------------------------------------------------------


class MatchKind(StrEnum):
    """How a lookup ended."""

    CONFIDENT = "confident"
    DID_YOU_MEAN = "did_you_mean"
    NOTHING = "nothing"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A candidate concept with a score of 0-100."""

    concept_id: int
    term: str
    score: float


@dataclass(frozen=True, slots=True)
class LookupResult:
    """The outcome of a lookup: a confident match, suggestions, or nothing close."""

    query: str
    kind: MatchKind
    match: Suggestion | None = None
    suggestions: tuple[Suggestion, ...] = ()


# --- replies --------------------------------------------------------------------------------


class AnswerBy(StrEnum):
    """How a person answers in a thread on a platform: any message (``text``), or only a message
    that mentions the bot (``mention``: Discord without the message-content intent, where the
    bot sees nothing else); the answer button works on both."""

    TEXT = "text"
    MENTION = "mention"


class ReplyKind(StrEnum):
    """What a reply is, so a front end can pick colours or icons."""

    INFO = "info"
    DEFINITION = "definition"
    SUGGESTIONS = "suggestions"
    NOT_FOUND = "not_found"
    QUESTION = "question"
    GRADE = "grade"
    SUMMARY = "summary"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Field:
    """A labelled piece of a reply (aliases, category, source, score ...)."""

    name: str
    value: str
    inline: bool = True


@dataclass(frozen=True, slots=True)
class Action:
    """Something the person can do next: a button on chat platforms, a command in the console.

    ``command`` is a Service command name (``define``, ``interview.hint`` ...), ``argument`` its
    text argument (for ``define``: the term), ``label`` what is shown.
    """

    command: str
    label: str
    argument: str = ""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file a reply carries (a chart, an export): its name, bytes and media type."""

    filename: str
    data: bytes = field(repr=False)
    mime: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Reply:
    """A platform-neutral answer. Every front end renders the same Reply its own way.

    ``body`` is plain text with at most ``**bold**`` marks; ``spoiler`` is text to hide until
    the reader chooses to see it (rendered openly where a platform has no spoilers).
    """

    title: str
    body: str = ""
    kind: ReplyKind = ReplyKind.INFO
    fields: tuple[Field, ...] = ()
    suggestions: tuple[Action, ...] = ()
    actions: tuple[Action, ...] = ()
    footer: str = ""
    spoiler: str = ""
    ephemeral: bool = False
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    files: tuple[Attachment, ...] = ()  # sent with the message (Discord, Slack), saved (console)


# --- grading --------------------------------------------------------------------------------


class Band(StrEnum):
    """A grade's band, from best to worst."""

    EXCELLENT = "excellent"
    GOOD = "good"
    PARTIAL = "partial"
    OFF_TOPIC = "off_topic"


@dataclass(frozen=True, slots=True)
class PointHit:
    """A key point the answer hit, and the word of the answer that hit it."""

    point: KeyPoint
    matched: str


@dataclass(frozen=True, slots=True)
class Grade:
    """The grade of one answer: score 0-100, band, hit and missed key points, the reference.

    ``reference_marked`` is the reference answer with the hit points wrapped in ``**``.
    ``close`` are points the answer said in other words (each with the answer's sentence that
    came close, :mod:`bot.core.grading.meaning`); ``meaning`` is how near the whole answer is
    to the reference in meaning, 0-100 (None: not measured).
    """

    score: int
    band: Band
    hits: tuple[PointHit, ...]
    misses: tuple[KeyPoint, ...]
    reference: str
    reference_marked: str
    hints_used: int = 0
    penalty: int = 0  # points taken off the key points' score for the hints used
    close: tuple[PointHit, ...] = ()
    meaning: int | None = None


# --- interviews -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InterviewState:
    """A stored interview as the Service sees it."""

    id: int
    platform: str
    workspace_id: str
    channel_id: str
    user_id: str
    status: str
    topic: str | None
    rounds: int
    locale: str
    seed: int
    asked: tuple[int, ...]
    current_concept_id: int | None
    current_question: str | None
    question_seq: int
    hints_used: int
    updated_at: datetime
    parent_channel_id: str = ""
    plan: tuple[int, ...] = ()  # a review session's concepts, in order (empty: an interview)


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """One graded answer to store in the history."""

    concept_id: int | None
    term: str
    score: int
    band: str
    hits: tuple[str, ...]
    misses: tuple[str, ...]
    answer: str
    skipped: bool = False
    hints_used: int = 0


# --- daily question -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleState:
    """A channel's stored daily-question schedule."""

    id: int
    platform: str
    workspace_id: str
    channel_id: str
    local_time: str
    tz: str
    weekdays: str
    topic: str | None
    mention: str | None
    locale: str
    enabled: bool
    disabled_reason: str | None
    cycle: tuple[int, ...]
    cycle_no: int
    seed: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DailyPost:
    """One occurrence of a schedule: claimed, posted, skipped or failed."""

    id: int
    schedule_id: int
    local_date: date | None
    due_at: datetime
    status: str
    concept_id: int | None
    message_id: str | None
    thread_id: str | None
    posted_at: datetime | None
    revealed_at: datetime | None
    attempts: int
    error: str | None


# --- appeals --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """A graded answer as the history holds it: whose it is, and what it got."""

    id: int
    platform: str
    workspace_id: str
    user_id: str
    concept_id: int | None
    term: str
    score: int
    band: str
    answer: str
    skipped: bool
    accepted: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Appeal:
    """A person's claim that a grade was wrong ("I was right"), as recorded: who, when, which
    answer (None once its row is gone), the original score and band, the answer and a note."""

    id: int
    answer_id: int | None
    concept_id: int | None
    term: str
    platform: str
    workspace_id: str
    user_id: str
    score: int
    band: str
    answer: str
    note: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AppealCount:
    """How often a concept's grades were appealed: appeals against its graded answers."""

    term: str
    appeals: int
    graded: int

    @property
    def rate(self) -> float:
        """Appeals per graded answer, 0-1 (never above 1, even when answers were deleted)."""
        return self.appeals / max(self.graded, self.appeals, 1)


# --- spaced repetition ----------------------------------------------------------------------


class CardFields(Protocol):
    """Anything with a spaced-repetition card's fields: the core's card
    (``bot.core.review.scheduling.CardState``) and the database layer's stored one."""

    @property
    def concept_id(self) -> int:
        """The concept the card is for."""
        ...

    @property
    def due(self) -> datetime:
        """When it is next due."""
        ...

    @property
    def stability(self) -> float:
        """FSRS stability (days)."""
        ...

    @property
    def difficulty(self) -> float:
        """FSRS difficulty (1-10)."""
        ...

    @property
    def state(self) -> int:
        """FSRS state (:class:`fsrs.State` value)."""
        ...

    @property
    def step(self) -> int | None:
        """FSRS (re)learning step; None in the Review state."""
        ...

    @property
    def last_review(self) -> datetime | None:
        """When it was last reviewed."""
        ...

    @property
    def reps(self) -> int:
        """How many times it was reviewed."""
        ...

    @property
    def lapses(self) -> int:
        """How many times it was forgotten (Again in the Review state)."""
        ...
