"""The running interviews a process knows, in memory, so an answer reads no database.

An entry is filled from the database the first time a person's interview is used in this
process (or made by its start) and kept up to date by this process's own writes. Another
process may move, hint or end the same interview meanwhile; nothing here has to know: every
answer's write is a guarded update (still active, at this question, with these hints), so a
stale entry only makes that write find nothing, and the flow then reads the interview again
(:meth:`LiveInterviews.drop`, then a fill) and decides what the answer was for.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass

from bot.core.models import Caller, InterviewState

# How many running interviews a process keeps in memory (the least recently used go first;
# one dropped is read again from the database on its next command; each holds the person's
# past scores, a few KB for someone who answered hundreds of concepts).
MAX_LIVE_INTERVIEWS = 5_000

Key = tuple[str, str, str, str]


@dataclass(slots=True)
class LiveInterview:
    """A running interview as this process last knew it, the person's past scores per concept
    as read when it was filled (what chooses the next question; the interview's own answers
    never count there, its concepts are asked once), and the answer of this process being
    stored for its current question, if any (another arriving meanwhile is the same question
    answered twice)."""

    state: InterviewState
    past: dict[int, float]
    storing: asyncio.Future[bool] | None = None


def _key_of(state: InterviewState) -> Key:
    return (state.platform, state.workspace_id, state.channel_id, state.user_id)


def _caller_key(caller: Caller) -> Key:
    return (caller.platform, caller.workspace_id, caller.conversation, caller.user_id)


class LiveInterviews:
    """The running interviews of one process, by person and conversation."""

    def __init__(self, limit: int = MAX_LIVE_INTERVIEWS) -> None:
        self._limit = limit
        self._entries: OrderedDict[Key, LiveInterview] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, caller: Caller) -> LiveInterview | None:
        """The caller's running interview in their conversation, if this process knows it."""
        key = _caller_key(caller)
        live = self._entries.get(key)
        if live is not None:
            self._entries.move_to_end(key)
        return live

    def put(self, state: InterviewState, past: dict[int, float]) -> LiveInterview:
        """Know ``state`` (just read or made) with the person's ``past`` scores."""
        key = _key_of(state)
        live = self._entries[key] = LiveInterview(state, past)
        self._entries.move_to_end(key)
        while len(self._entries) > self._limit:
            self._entries.popitem(last=False)
        return live

    def drop(self, state: InterviewState) -> None:
        """Forget ``state``'s interview (it ended, or another process changed it)."""
        key = _key_of(state)
        live = self._entries.get(key)
        if live is not None and live.state.id == state.id:
            del self._entries[key]
