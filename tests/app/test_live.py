"""The interviews a process keeps in memory: found by person and conversation, the least
recently used forgotten past the limit, and a drop that forgets only the interview it names."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.app.live import LiveInterviews
from bot.core.models import Caller, InterviewState

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def state(user: str, interview_id: int = 1, thread: str | None = None) -> InterviewState:
    return InterviewState(
        id=interview_id,
        platform="discord",
        workspace_id="g1",
        channel_id=thread or "c1",
        user_id=user,
        status="active",
        topic=None,
        rounds=3,
        locale="ko",
        seed=1,
        asked=(5,),
        current_concept_id=5,
        current_question="q",
        question_seq=1,
        hints_used=0,
        updated_at=NOW,
    )


def caller(user: str, thread: str | None = None) -> Caller:
    return Caller("discord", user, "c1", workspace_id="g1", thread_id=thread)


def test_an_interview_is_found_by_person_and_conversation_only() -> None:
    live = LiveInterviews()
    live.put(state("u1"), {5: 40.0})
    live.put(state("u1", 2, thread="t1"), {})
    found = live.get(caller("u1"))
    assert found is not None and found.state.id == 1 and found.past == {5: 40.0}
    in_thread = live.get(caller("u1", thread="t1"))
    assert in_thread is not None and in_thread.state.id == 2
    assert live.get(caller("u2")) is None


def test_past_the_limit_the_least_recently_used_is_forgotten() -> None:
    live = LiveInterviews(limit=2)
    live.put(state("u1", 1), {})
    live.put(state("u2", 2), {})
    assert live.get(caller("u1")) is not None  # used: u2 is now the oldest
    live.put(state("u3", 3), {})
    assert len(live) == 2
    assert live.get(caller("u2")) is None
    assert live.get(caller("u1")) is not None and live.get(caller("u3")) is not None


def test_a_drop_forgets_only_the_interview_it_names() -> None:
    live = LiveInterviews()
    live.put(state("u1", 7), {})
    live.drop(replace(state("u1", 6)))  # an older interview of the same conversation
    assert live.get(caller("u1")) is not None
    live.drop(state("u1", 7))
    assert live.get(caller("u1")) is None
