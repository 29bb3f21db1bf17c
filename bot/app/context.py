"""What every flow of the application needs, handed down so nothing climbs back up: settings,
database sessions, the clock, the grader and the loaded knowledge."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.app.knowledge import KnowledgeBase
from bot.config import Settings
from bot.core.models import AnswerBy, Caller, ScheduleState
from bot.core.ports import Clock, Grader
from bot.db.writer import GroupWriter

if TYPE_CHECKING:
    from bot.app.meaning import StoredSentenceEncoder


@dataclass(frozen=True, slots=True)
class Context:
    """The shared dependencies of the flows (knowledge, interviews, daily, jobs).

    ``sessions`` opens a read-write session, ``reads`` a read-only one; each Service call uses
    its own session (``expire_on_commit=False``); an answer's writes go through ``writer``.
    """

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[Any]
    reads: async_sessionmaker[Any]
    clock: Clock
    grader: Grader
    knowledge: KnowledgeBase
    # The process's group-commit writer (the answer path's writes).
    writer: GroupWriter
    # The meaning signal's encoder (reference vectors to prepare before a grade), if enabled.
    meaning: StoredSentenceEncoder | None = None
    answer_modes: dict[str, AnswerBy] = field(default_factory=dict)
    # The display names this process last kept per person (platform, workspace, user).
    names: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def answer_by(self, platform: str) -> AnswerBy:
        """How people answer in threads on ``platform`` (any message unless its front end said
        otherwise)."""
        return self.answer_modes.get(platform, AnswerBy.TEXT)

    def spoken(self, schedule: ScheduleState) -> ScheduleState:
        """``schedule`` in the language its posts speak: the one it was set in by a person whose
        language is known (a Discord client), else the configured one as it is now."""
        if schedule.locale in ("ko", "en"):
            return schedule
        return replace(schedule, locale=self.settings.locale)

    def locale(self, caller: Caller | None) -> str:
        """The caller's locale, else the configured one."""
        if caller is not None and caller.locale in ("ko", "en"):
            return caller.locale
        return self.settings.locale
