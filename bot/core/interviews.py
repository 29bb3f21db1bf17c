"""Mock interviews through the Service: start, answer, hint, skip, stop, expire.

State lives in the database (a restart continues where it was); the rules are pure functions in
:mod:`bot.core.interview.session`; grading is :func:`bot.core.interview.grader.grade`.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.errors import BadInput, Conflict, NotFound
from bot.core.interview.grader import fallback_points, grade
from bot.core.interview.questions import question_for
from bot.core.interview.session import (
    MAX_ROUNDS,
    choose_next,
    clamp_rounds,
    mask_hint,
    next_hint,
    resolve_topic,
    session_rng,
    summarize,
)
from bot.core.messages import t
from bot.core.models import (
    Action,
    AnswerRecord,
    Band,
    Caller,
    Concept,
    Field,
    Grade,
    InterviewState,
    KeyPoint,
    Reply,
    ReplyKind,
)
from bot.db import interviews as repo

if TYPE_CHECKING:
    from bot.core.service import Service

MAX_ANSWER_CHARS = 20_000
MAX_STORED_ANSWER_CHARS = 4_000
SEED_BITS = 31


@dataclass(frozen=True, slots=True)
class _Running:
    """A running interview as a command sees it: its state, the concept asked now, and (for
    answer and skip) the person's past scores per concept."""

    state: InterviewState
    concept: Concept
    past: Mapping[int, float]


def grade_reply(
    grade_: Grade, concept: Concept, locale: str, *, hide_reference: bool = False
) -> Reply:
    """A graded answer: score and band, key points hit (with the words that hit) and missed, and
    the reference answer with the hit points marked (hidden as a spoiler when asked)."""
    hits = ", ".join(
        t("hit_with_word", locale, point=h.point.label, word=h.matched) for h in grade_.hits
    )
    misses = ", ".join(p.label for p in grade_.misses)
    fields = (
        Field(t("field_hits", locale), hits or t("nothing", locale), False),
        Field(t("field_misses", locale), misses or t("nothing", locale), False),
    )
    reference = grade_.reference_marked or concept.definition
    return Reply(
        title=t(
            "grade_title", locale, score=grade_.score, band=t(f"band_{grade_.band.value}", locale)
        ),
        body=""
        if hide_reference
        else f"**{t('field_reference', locale)}** — {concept.term}\n{reference}",
        kind=ReplyKind.GRADE,
        fields=fields,
        spoiler=reference if hide_reference else "",
        extra={"score": grade_.score, "band": grade_.band.value, "concept_id": concept.id},
    )


async def grade_answer(
    service: Service, concept: Concept, text: str, *, hints_used: int = 0
) -> tuple[Grade, AnswerRecord]:
    """Grade ``text`` off the event loop and the history record to store for it (interview and
    daily answers alike)."""
    answer = text[:MAX_ANSWER_CHARS]
    result = await asyncio.to_thread(grade, concept, answer, service.synonyms)
    record = AnswerRecord(
        concept_id=concept.id,
        term=concept.term,
        score=result.score,
        band=result.band.value,
        hits=tuple(h.point.label for h in result.hits),
        misses=tuple(p.label for p in result.misses),
        answer=answer[:MAX_STORED_ANSWER_CHARS],
        hints_used=hints_used,
    )
    return result, record


class Interviews:
    """The interview part of the Service."""

    def __init__(self, service: Service) -> None:
        self.service = service

    @property
    def idle_limit(self) -> timedelta:
        """How long an interview may sit without activity before it expires."""
        return timedelta(minutes=self.service.settings.interview_idle_minutes)

    def _actions(self, locale: str) -> tuple[Action, ...]:
        return (
            Action("interview.answer", t("action_answer", locale)),
            Action("interview.hint", t("action_hint", locale)),
            Action("interview.skip", t("action_skip", locale)),
            Action("interview.stop", t("action_stop", locale)),
        )

    def _question_reply(self, state: InterviewState, number: int, concept: Concept) -> Reply:
        return Reply(
            title=t(
                "question_title",
                state.locale,
                number=number,
                total=state.rounds,
                category=concept.category,
            ),
            body=state.current_question or question_for(concept, state.locale),
            kind=ReplyKind.QUESTION,
            actions=self._actions(state.locale),
            extra={
                "interview_id": state.id,
                "question_seq": state.question_seq,
                "concept_id": concept.id,
            },
        )

    def _candidates(self, topic: str | None) -> tuple[list[Concept], str | None]:
        concepts = list(self.service.concepts())
        if not topic:
            return concepts, None
        category = resolve_topic(topic, {c.category for c in concepts})
        if category is None:
            result = self.service.search(topic)
            if result.match is not None and result.kind.value == "confident":
                category = self.service.concept(result.match.concept_id).category
        if category is None:
            categories = ", ".join(sorted({c.category for c in concepts}))
            raise BadInput("interview_unknown_topic", topic=topic[:60], categories=categories)
        return [c for c in concepts if c.category == category], category

    def _pool(self, category: str | None) -> list[int]:
        """The concept ids a running interview may still ask: its category (as stored at the
        start; empty when the notes no longer have it) or everything."""
        return [c.id for c in self.service.concepts() if category is None or c.category == category]

    def _is_idle(self, state: InterviewState, now: datetime) -> bool:
        return now - state.updated_at > self.idle_limit

    async def _end(self, state: InterviewState, status: str, headline: str) -> Reply | None:
        """End ``state`` now with ``status`` and return its summary; None when it had already
        ended (another call or process got there first)."""
        async with self.service.sessions() as session, session.begin():
            ended = await repo.finish(session, state.id, status, self.service.clock.now())
            scores = await repo.scores_of(session, state.id)
        return self._summary(state.locale, scores, headline) if ended else None

    async def _expire(self, state: InterviewState) -> Reply | None:
        minutes = self.service.settings.interview_idle_minutes
        return await self._end(
            state, "expired", t("summary_expired", state.locale, minutes=minutes)
        )

    async def current(self, caller: Caller) -> InterviewState | None:
        """The caller's running interview here (expired ones are ended on the way)."""
        async with self.service.reads() as session:
            state = await repo.get_active(session, caller)
        if state is not None and self._is_idle(state, self.service.clock.now()):
            await self._expire(state)
            return None
        return state

    async def resume(self, caller: Caller) -> Reply | None:
        """The current question of a running interview, e.g. after a restart; None if none."""
        state = await self.current(caller)
        if state is None or state.current_concept_id is None:
            return None
        concept = await self._concept(state.current_concept_id)
        if concept is None:
            return None
        reply = self._question_reply(state, len(state.asked), concept)
        return replace(reply, footer=t("interview_resumed", state.locale))

    async def start(
        self, caller: Caller, topic: str | None = None, rounds: int | str | None = None
    ) -> list[Reply]:
        """Start an interview: optional topic (category or fuzzy name) and rounds (default 5)."""
        await self.service.refresh()
        locale = self.service.locale(caller)
        count = _parse_rounds(rounds, self.service.settings.interview_rounds)
        async with self.service.reads() as session:
            running = await repo.get_active(session, caller)
            past = await repo.past_scores(session, caller)
        if running is not None and not (
            self._is_idle(running, self.service.clock.now()) and await self._expire(running)
        ):
            raise Conflict(
                "interview_already_running", number=len(running.asked), total=running.rounds
            )
        candidates, category = self._candidates(topic)
        if not candidates:
            raise NotFound("knowledge_empty")
        count = min(count, len(candidates))
        seed = secrets.randbits(SEED_BITS)
        first = choose_next([c.id for c in candidates], (), past, session_rng(seed, 1))
        assert first is not None
        concept = self.service.concept(first)
        async with self.service.sessions() as session, session.begin():
            state = await repo.create(
                session,
                caller,
                topic=category,
                rounds=count,
                locale=locale,
                seed=seed,
                concept_id=first,
                question=question_for(concept, locale, variant=seed % 2),
                now=self.service.clock.now(),
            )
        if state is None:
            raise Conflict("interview_already_running", number=1, total=count)
        intro = Reply(
            t("interview_started", locale, topic=category or t("topic_all", locale), rounds=count),
            kind=ReplyKind.INFO,
        )
        return [intro, self._question_reply(state, 1, concept)]

    async def _concept(self, concept_id: int) -> Concept | None:
        """A concept by id, reloading the knowledge once if another process changed it."""
        concept = self.service.concept_or_none(concept_id)
        if concept is None:
            await self.service.refresh()
            concept = self.service.concept_or_none(concept_id)
        return concept

    async def _require(self, caller: Caller, *, moving_on: bool = False) -> _Running | Reply:
        """The caller's running interview and its current concept, or the summary that ended it
        now: idle past the limit (expired), or its current concept gone from the notes (stopped).
        Raises NotFound when nothing is running. ``moving_on`` (answer, skip) also reads the
        person's past scores for choosing the next question, in the same read."""
        past: dict[int, float] = {}
        async with self.service.reads() as session:
            state = await repo.get_active(session, caller)
            if moving_on and state is not None and len(state.asked) < state.rounds:
                past = await repo.past_scores(session, caller)
        if state is None:
            raise NotFound("interview_none")
        ended: Reply | None
        if self._is_idle(state, self.service.clock.now()):
            ended = await self._expire(state)
        else:
            concept = await self._concept(state.current_concept_id or -1)
            if concept is not None:
                return _Running(state, concept, past)
            ended = await self._end(state, "stopped", t("summary_stopped", state.locale))
        if ended is None:
            raise NotFound("interview_none")
        return ended

    async def answer(self, caller: Caller, text: str) -> list[Reply]:
        """Grade an answer to the current question, then the next question or the summary.

        Two answers racing for one question are graded once: the later gets
        Conflict("interview_already_graded") and nothing of it is stored."""
        running = await self._require(caller, moving_on=True)
        if isinstance(running, Reply):
            return [running]
        state, concept = running.state, running.concept
        hints = state.hints_used
        result, record = await grade_answer(self.service, concept, text, hints_used=hints)
        return [grade_reply(result, concept, state.locale), *await self._advance(running, record)]

    async def skip(self, caller: Caller) -> list[Reply]:
        """Skip the current question: scored 0, the reference shown, then the next question."""
        running = await self._require(caller, moving_on=True)
        if isinstance(running, Reply):
            return [running]
        state, concept = running.state, running.concept
        record = AnswerRecord(
            concept_id=concept.id,
            term=concept.term,
            score=0,
            band=Band.OFF_TOPIC.value,
            hits=(),
            misses=tuple(p.label for p in _key_points(concept)),
            answer="",
            skipped=True,
            hints_used=state.hints_used,
        )
        shown = Reply(
            t("skipped_title", state.locale),
            f"**{t('field_reference', state.locale)}** — {concept.term}\n{concept.definition}",
            ReplyKind.GRADE,
            extra={"score": 0, "concept_id": concept.id},
        )
        return [shown, *await self._advance(running, record)]

    async def hint(self, caller: Caller) -> Reply:
        """Reveal one key point of the current question, partly masked (heaviest first); after
        the last one, say there are no more."""
        running = await self._require(caller)
        if isinstance(running, Reply):
            return running
        state, concept = running.state, running.concept
        point = next_hint(_key_points(concept), state.hints_used)
        if point is None:
            return Reply(
                t("hint_title", state.locale), t("hint_none_left", state.locale), ephemeral=True
            )
        async with self.service.sessions() as session, session.begin():
            await repo.use_hint(session, state, self.service.clock.now())
        return Reply(
            t("hint_title", state.locale),
            t("hint_body", state.locale, hint=mask_hint(point)),
            ephemeral=True,
        )

    async def stop(self, caller: Caller) -> Reply:
        """End the interview now and show its summary."""
        async with self.service.reads() as session:
            state = await repo.get_active(session, caller)
        if state is None:
            raise NotFound("interview_none")
        if self._is_idle(state, self.service.clock.now()):
            ended = await self._expire(state)
        else:
            ended = await self._end(state, "stopped", t("summary_stopped", state.locale))
        if ended is None:
            raise NotFound("interview_none")
        return ended

    async def expire_idle(self, platform: str | None = None) -> list[tuple[InterviewState, Reply]]:
        """End every interview (of ``platform``) idle past the limit; returns each with its
        summary to post."""
        cutoff = self.service.clock.now() - self.idle_limit
        async with self.service.reads() as session:
            idle = await repo.idle_since(session, cutoff, platform)
        ended = []
        for state in idle:
            reply = await self._expire(state)
            if reply is not None:
                ended.append((state, reply))
        return ended

    async def _advance(self, running: _Running, record: AnswerRecord) -> list[Reply]:
        """Store ``record`` as the answer to the current question and move on to the next
        question (chosen before the write, from the past scores read with the state) or the
        summary; Conflict when another answer to this question was stored first."""
        state = running.state
        asked_count = len(state.asked)
        next_concept: Concept | None = None
        if asked_count < state.rounds:
            rng = session_rng(state.seed, state.question_seq + 1)
            chosen = choose_next(self._pool(state.topic), state.asked, running.past, rng)
            next_concept = self.service.concept(chosen) if chosen is not None else None
        question = (
            question_for(next_concept, state.locale, variant=state.seed + asked_count)
            if next_concept
            else None
        )
        now = self.service.clock.now()
        async with self.service.sessions() as session, session.begin():
            moved = await repo.record_answer(
                session,
                state,
                record,
                next_concept_id=next_concept.id if next_concept else None,
                next_question=question,
                now=now,
            )
            if not moved:
                await session.rollback()
                raise Conflict("interview_already_graded")
            scores = await repo.scores_of(session, state.id) if next_concept is None else []
        if next_concept is None:
            return [self._summary(state.locale, scores, t("summary_finished", state.locale))]
        moved_on = replace(
            state,
            asked=(*state.asked, next_concept.id),
            current_concept_id=next_concept.id,
            current_question=question,
            question_seq=state.question_seq + 1,
            hints_used=0,
            updated_at=now,
        )
        return [self._question_reply(moved_on, asked_count + 1, next_concept)]

    def _summary(self, locale: str, scores: Sequence[tuple[str, int]], headline: str) -> Reply:
        summary = summarize(scores)
        lines = [headline, ""]
        if not scores:
            lines.append(t("summary_no_answers", locale))
        for number, (term, score) in enumerate(summary.scores, 1):
            lines.append(t("summary_line", locale, number=number, term=term, score=score))
        if scores:
            lines.append("")
            lines.append(t("summary_average", locale, average=summary.average, count=len(scores)))
        if summary.weakest:
            lines.append(t("summary_weakest", locale, terms=", ".join(summary.weakest)))
        return Reply(
            t("summary_title", locale),
            "\n".join(lines),
            ReplyKind.SUMMARY,
            suggestions=tuple(Action("define", term, term) for term in summary.weakest),
            extra={"average": summary.average, "count": len(scores)},
        )


def _parse_rounds(rounds: int | str | None, default: int) -> int:
    if rounds is None or rounds == "":
        return clamp_rounds(None, default)
    try:
        value = int(rounds)
    except (TypeError, ValueError):
        raise BadInput("interview_bad_rounds", limit=MAX_ROUNDS) from None
    if not 1 <= value <= MAX_ROUNDS:
        raise BadInput("interview_bad_rounds", limit=MAX_ROUNDS)
    return value


def _key_points(concept: Concept) -> tuple[KeyPoint, ...]:
    """The key points an answer is graded by: the stored ones, else those the grader derives."""
    return concept.key_points or fallback_points(concept)
