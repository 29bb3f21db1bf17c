"""SQLAlchemy 2 table definitions. Alembic migrations under ``migrations/`` create them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores it naive: read as UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        if value is not None and dialect.name == "sqlite":
            return value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    """Now, timezone-aware UTC (what every timestamp column stores)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with constraint naming that Alembic batch mode can rely on."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
    }


class NoteFile(Base):
    """A notes file or curation file as last ingested (path as given, content hash)."""

    __tablename__ = "note_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(1000), unique=True)
    # Whose notes: "" the operator's configured notes (every workspace sees them), else one
    # workspace's own ("discord:<guild>", see :func:`bot.core.models.knowledge_scope`).
    scope: Mapped[str] = mapped_column(String(200), default="", server_default="", index=True)
    kind: Mapped[str] = mapped_column(String(20), default="notes")
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)

    concepts: Mapped[list[ConceptRow]] = relationship(
        back_populates="file", cascade="all, delete-orphan", passive_deletes=True
    )


class ConceptRow(Base):
    """One concept of a notes file."""

    __tablename__ = "concepts"
    __table_args__ = (Index("ix_concepts_file_term", "file_id", "term"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("note_files.id", ondelete="CASCADE"))
    term: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(300))
    definition: Mapped[str] = mapped_column(Text)
    line: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    question: Mapped[str | None] = mapped_column(Text, nullable=True)
    note_aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    tokens: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    key_points: Mapped[list[list[Any]] | None] = mapped_column(JSON, nullable=True)

    file: Mapped[NoteFile] = relationship(back_populates="concepts")


class AliasRow(Base):
    """A curated other name of a concept (from an ``aliases.toml``)."""

    __tablename__ = "aliases"
    __table_args__ = (UniqueConstraint("concept_id", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_id: Mapped[int] = mapped_column(
        ForeignKey("concepts.id", ondelete="CASCADE"), index=True
    )
    alias: Mapped[str] = mapped_column(String(300))


class SourceRow(Base):
    """Where notes come from: a folder on disk, a git repository or a workspace's uploads, with
    the files it holds (``root``: the folder its files lie under) and its last sync."""

    __tablename__ = "knowledge_sources"
    __table_args__ = (UniqueConstraint("scope", "kind", "location"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(String(1000))
    root: Mapped[str] = mapped_column(String(1000))
    added_by: Mapped[str] = mapped_column(String(100), default="")
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    commit: Mapped[str | None] = mapped_column(String(64), nullable=True)
    synced_at: Mapped[datetime | None] = mapped_column(nullable=True)
    changed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class MetaRow(Base):
    """Small key/value facts, e.g. the knowledge version other processes watch."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class InterviewRow(Base):
    """A mock interview of one person in one conversation. At most one is active per person and
    conversation (a partial unique index)."""

    __tablename__ = "interviews"
    __table_args__ = (
        Index(
            "uq_interviews_active",
            "platform",
            "workspace_id",
            "channel_id",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_interviews_status_updated", "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    workspace_id: Mapped[str] = mapped_column(String(100), default="")
    channel_id: Mapped[str] = mapped_column(String(100))  # the conversation (thread, if any)
    parent_channel_id: Mapped[str] = mapped_column(String(100), default="")
    user_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="active")
    topic: Mapped[str | None] = mapped_column(String(300), nullable=True)
    rounds: Mapped[int] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(5), default="ko")
    seed: Mapped[int] = mapped_column(Integer, default=0)
    asked: Mapped[list[int]] = mapped_column(JSON, default=list)
    current_concept_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    current_question: Mapped[str | None] = mapped_column(Text, nullable=True)
    question_seq: Mapped[int] = mapped_column(Integer, default=0)
    hints_used: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # A review session's concepts in the order it asks them (None: a free interview).
    plan: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)


class AnswerRow(Base):
    """Every graded answer (interview or daily question): the base for statistics.

    ``(interview_id, question_seq)`` is unique: two answers racing for one question are graded
    once. ``(daily_post_id, user_id)`` likewise for the daily question.
    """

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("interview_id", "question_seq"),
        UniqueConstraint("daily_post_id", "user_id"),
        Index("ix_answers_user", "platform", "workspace_id", "user_id"),
        Index("ix_answers_channel", "platform", "workspace_id", "channel_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), nullable=True
    )
    daily_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("daily_posts.id", ondelete="CASCADE"), nullable=True
    )
    question_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    platform: Mapped[str] = mapped_column(String(20))
    workspace_id: Mapped[str] = mapped_column(String(100), default="")
    channel_id: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[str] = mapped_column(String(100))
    concept_id: Mapped[int | None] = mapped_column(
        ForeignKey("concepts.id", ondelete="SET NULL"), nullable=True
    )
    term: Mapped[str] = mapped_column(String(300))
    score: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(20))
    hits: Mapped[list[str]] = mapped_column(JSON, default=list)
    misses: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(Text, default="")
    skipped: Mapped[bool] = mapped_column(default=False)
    hints_used: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[bool] = mapped_column(default=False)  # appealed: counts as correct
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AppealRow(Base):
    """A person's claim that the grade of one of their answers was wrong ("I was right").

    One per answer (the unique ``answer_id``). The answer's term, score, band and text are copied,
    so the appeal still counts against the concept's term when the concept or the answer row is
    gone (``answer_id`` and ``concept_id`` are then NULL).
    """

    __tablename__ = "appeals"
    __table_args__ = (
        UniqueConstraint("answer_id"),
        Index("ix_appeals_term", "term"),
        Index("ix_appeals_workspace", "platform", "workspace_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answers.id", ondelete="SET NULL"), nullable=True
    )
    concept_id: Mapped[int | None] = mapped_column(
        ForeignKey("concepts.id", ondelete="SET NULL"), nullable=True
    )
    term: Mapped[str] = mapped_column(String(300))
    platform: Mapped[str] = mapped_column(String(20))
    workspace_id: Mapped[str] = mapped_column(String(100), default="")
    user_id: Mapped[str] = mapped_column(String(100))
    score: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(20))
    answer: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DailyScheduleRow(Base):
    """A channel's daily question schedule."""

    __tablename__ = "daily_schedules"
    __table_args__ = (UniqueConstraint("platform", "workspace_id", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    workspace_id: Mapped[str] = mapped_column(String(100), default="")
    channel_id: Mapped[str] = mapped_column(String(100))
    local_time: Mapped[str] = mapped_column(String(5), default="09:00")
    tz: Mapped[str] = mapped_column(String(64), default="Asia/Seoul")
    weekdays: Mapped[str] = mapped_column(String(7), default="0123456")
    topic: Mapped[str | None] = mapped_column(String(300), nullable=True)
    mention: Mapped[str | None] = mapped_column(String(100), nullable=True)
    locale: Mapped[str] = mapped_column(String(5), default="ko")
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    cycle: Mapped[list[int]] = mapped_column(JSON, default=list)
    cycle_no: Mapped[int] = mapped_column(Integer, default=0)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DailyPostRow(Base):
    """One occurrence (schedule, local date): claimed under a unique constraint before posting."""

    __tablename__ = "daily_posts"
    __table_args__ = (
        UniqueConstraint("schedule_id", "local_date"),
        Index("ix_daily_posts_status", "status", "claim_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("daily_schedules.id", ondelete="CASCADE"))
    local_date: Mapped[date | None] = mapped_column(Date, nullable=True)  # None: posted "now"
    due_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="claimed")
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    claim_expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    concept_id: Mapped[int | None] = mapped_column(
        ForeignKey("concepts.id", ondelete="SET NULL"), nullable=True
    )
    message_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    thread_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    posted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revealed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class DeliveryRow(Base):
    """A platform delivery already handled (Slack ``event:<event_id>``, ``command:<trigger>``):
    the database decides, so a retry reaching another process is not processed again."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_seen_at", "seen_at"),)

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewCardRow(Base):
    """One person's spaced-repetition (FSRS) card of one concept, reviewed by every graded
    answer: when it is next due (UTC) and the FSRS memory state (see
    :mod:`bot.core.review.scheduling`). Gone with its concept."""

    __tablename__ = "review_cards"
    __table_args__ = (
        UniqueConstraint("platform", "workspace_id", "user_id", "concept_id"),
        Index("ix_review_cards_due", "platform", "workspace_id", "user_id", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    workspace_id: Mapped[str] = mapped_column(String(100), default="")
    user_id: Mapped[str] = mapped_column(String(100))
    concept_id: Mapped[int] = mapped_column(ForeignKey("concepts.id", ondelete="CASCADE"))
    due: Mapped[datetime] = mapped_column()
    stability: Mapped[float] = mapped_column()
    difficulty: Mapped[float] = mapped_column()
    state: Mapped[int] = mapped_column(Integer)
    step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    last_review: Mapped[datetime | None] = mapped_column(nullable=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReminderRow(Base):
    """A person's opt-in review nudge: the local time (``HH:MM``) in their time zone, and the
    local day it was last sent (claimed once per day, whichever process claims first)."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_enabled", "enabled"),)

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    local_time: Mapped[str] = mapped_column(String(5), default="09:00")
    tz: Mapped[str] = mapped_column(String(64), default="Asia/Seoul")
    enabled: Mapped[bool] = mapped_column(default=True)
    last_sent_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The language the nudge speaks: the person's when they set it ("": the configured one).
    locale: Mapped[str] = mapped_column(String(5), default="", server_default="")


class ProgressPrefsRow(Base):
    """A person's progress preferences: whether they stay off the workspace leaderboard."""

    __tablename__ = "progress_prefs"

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    leaderboard_opt_out: Mapped[bool] = mapped_column(default=False)
    # How the leaderboard names the person (their last display name; never a mention).
    display_name: Mapped[str] = mapped_column(String(100), default="", server_default="")


class ProgressConceptRow(Base):
    """A person's answers to one concept, counted as they are stored (what ``/stats`` groups by
    topic and concept without reading every answer). ``concept_id`` 0: a concept already gone
    when the figures were first counted; a concept removed later is found gone by the join."""

    __tablename__ = "progress_concepts"

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    concept_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term: Mapped[str] = mapped_column(String(300), primary_key=True)
    answers: Mapped[int] = mapped_column(Integer, default=0)
    points: Mapped[int] = mapped_column(Integer, default=0)  # credited scores, summed


class ProgressDayRow(Base):
    """A person's answers of one UTC day: how many, the first and the last (the streak's local
    days come from these exactly)."""

    __tablename__ = "progress_days"

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD, UTC
    answers: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[datetime] = mapped_column()
    last_at: Mapped[datetime] = mapped_column()


class SentenceVectorRow(Base):
    """A reference sentence's vector by the sentence encoder that made it (``model``), keyed by
    the sentence's digest: computed once at ingest, shared by every concept that says it."""

    __tablename__ = "sentence_vectors"

    model: Mapped[str] = mapped_column(String(40), primary_key=True)
    digest: Mapped[str] = mapped_column(String(40), primary_key=True)  # sha1 of the sentence
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float16, little-endian
