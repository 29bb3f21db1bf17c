"""Mock interviews: start, answer, hint, skip, stop, and ending idle ones.

State lives in the database (a restart continues where it was); the rules are pure functions in
:mod:`bot.core.interview.rules`, the replies :mod:`bot.core.interview.replies`; grading is the
context's :class:`bot.core.ports.Grader` (:mod:`bot.app.grading`).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app.cards import keep_name, next_reviews, review_steps, unkept_name
from bot.app.context import Context
from bot.app.grading import grade_answer
from bot.app.live import LiveInterview, LiveInterviews
from bot.core.errors import BadInput, BotError, Conflict, Forbidden, NotFound
from bot.core.grading.grader import key_points_of
from bot.core.grading.replies import grade_reply
from bot.core.interview.questions import question_for
from bot.core.interview.replies import (
    hint_reply,
    intro_reply,
    question_reply,
    skipped_reply,
    summary_reply,
)
from bot.core.interview.rules import (
    choose_next,
    next_hint,
    parse_rounds,
    resolve_topic,
    session_rng,
)
from bot.core.messages import t
from bot.core.models import (
    AnswerRecord,
    Band,
    Caller,
    Concept,
    InterviewState,
    Reply,
    ReplyKind,
    knowledge_scope,
)
from bot.core.sanitize import clean_optional
from bot.db import interviews as repo
from bot.db.steps import Steps

SEED_BITS = 31


# How many times an answer is graded again when its interview changed in another process
# before it was stored (a hint taken there, or the question answered there before this answer
# arrived): each time against the interview as it is now.
MAX_ANSWER_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class _Running:
    """A running interview as a command sees it: what this process knows of it, its state in
    the caller's language, and the concept asked now."""

    live: LiveInterview
    state: InterviewState
    concept: Concept

    @property
    def past(self) -> Mapping[int, float]:
        """The person's past scores per concept (what chooses the next question)."""
        return self.live.past


class _Lost(Exception):
    """The guarded write found the interview no longer as this answer saw it."""


def _not_running(other: InterviewState | None) -> BotError:
    """Why the caller has no interview here: someone else's runs here (a button of theirs, their
    thread), or none at all."""
    return Forbidden("interview_not_yours") if other is not None else NotFound("interview_none")


class MockInterviews:
    """Mock interviews, one per person and conversation."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.knowledge = ctx.knowledge
        self.live = LiveInterviews()

    @property
    def idle_limit(self) -> timedelta:
        """How long an interview may sit without activity before it expires."""
        return timedelta(minutes=self.ctx.settings.interview_idle_minutes)

    def _candidates(self, topic: str | None, scope: str) -> tuple[list[Concept], str | None]:
        concepts = list(self.knowledge.concepts(scope))
        if not topic:
            return concepts, None
        category = resolve_topic(topic, {c.category for c in concepts})
        if category is None:
            result = self.knowledge.search(topic, scope)
            if result.match is not None and result.kind.value == "confident":
                category = self.knowledge.concept(result.match.concept_id).category
        if category is None:
            categories = ", ".join(sorted({c.category for c in concepts}))
            raise BadInput("interview_unknown_topic", topic=topic[:60], categories=categories)
        return [c for c in concepts if c.category == category], category

    def _pool(self, state: InterviewState) -> list[int]:
        """The concept ids a running interview may still ask: of what its workspace sees, its
        category (as stored at the start; empty when the notes no longer have it) or all; a
        review session's plan, in its order."""
        category = state.topic
        concepts = self.knowledge.concepts(knowledge_scope(state.platform, state.workspace_id))
        if state.plan:
            seen = {c.id for c in concepts}
            return [cid for cid in state.plan if cid in seen]
        return [c.id for c in concepts if category is None or c.category == category]

    def _next(self, state: InterviewState, past: Mapping[int, float], seq: int) -> int | None:
        """The next concept to ask: a review session's next planned one, else the interview's
        choice (low past scores first, :func:`choose_next`)."""
        pool = self._pool(state)
        if state.plan:
            return next((cid for cid in pool if cid not in state.asked), None)
        return choose_next(pool, state.asked, past, session_rng(state.seed, seq))

    def _is_idle(self, state: InterviewState, now: datetime) -> bool:
        return now - state.updated_at > self.idle_limit

    async def _end(self, state: InterviewState, status: str, headline: str) -> Reply | None:
        """End ``state`` now with ``status`` and return its summary; None when it had already
        ended (another call or process got there first)."""
        self.live.drop(state)
        async with self.ctx.sessions() as session, session.begin():
            ended = await repo.finish(session, state.id, status, self.ctx.clock.now())
            scores = await repo.scores_of(session, state.id)
            return await self._summary(session, state, scores, headline) if ended else None

    async def _summary(
        self,
        session: AsyncSession,
        state: InterviewState,
        scores: Sequence[tuple[str, int]],
        headline: str,
    ) -> Reply:
        """The summary of ``state``; a review session's also says when each concept it asked
        comes back."""
        reply = summary_reply(state.locale, scores, headline)
        if not state.plan:
            return reply
        terms = {
            cid: concept.term
            for cid in state.plan
            if (concept := self.knowledge.concept_or_none(cid)) is not None
        }
        text = await next_reviews(session, state, terms, self.ctx.settings.daily_default_tz)
        return replace(reply, body=f"{reply.body}\n\n{text}".strip()) if text else reply

    async def _summary_of(
        self, state: InterviewState, scores: Sequence[tuple[str, int]], headline: str
    ) -> Reply:
        """:meth:`_summary` of an interview whose last answer was just stored (a review
        session's reads when its concepts come back)."""
        if not state.plan:
            return summary_reply(state.locale, scores, headline)
        async with self.ctx.reads() as session:
            return await self._summary(session, state, scores, headline)

    async def _expire(self, state: InterviewState) -> Reply | None:
        minutes = self.ctx.settings.interview_idle_minutes
        return await self._end(
            state, "expired", t("summary_expired", state.locale, minutes=minutes)
        )

    def _spoken(self, state: InterviewState | None, caller: Caller) -> InterviewState | None:
        """``state`` as this caller hears it: in their language now (a Discord client's, else
        the configured one), not the one the interview was started in."""
        if state is None:
            return None
        locale = self.ctx.locale(caller)
        return state if state.locale == locale else replace(state, locale=locale)

    async def current(self, caller: Caller) -> InterviewState | None:
        """The caller's interview here that has not ended yet, idle or not. An idle one is not
        ended here: the person's next command on it (answer, hint, skip, stop) ends it and
        returns its summary, so a summary is never dropped on the way (the expiry job posts
        it otherwise). One this process knows is not read again (an answer's guarded write
        finds out if another process ended it)."""
        live = await self._known(caller)
        return live.state if live is not None else None

    async def _known(self, caller: Caller) -> LiveInterview | None:
        """The caller's running interview here as this process knows it, read (with the
        person's past scores) when it does not yet; None when none runs."""
        live = self.live.get(caller)
        if live is not None:
            return live
        async with self.ctx.reads() as session:
            state = await repo.get_active(session, caller)
            if state is None:
                return None
            past = await repo.past_scores(session, caller)
        return self.live.put(state, past)

    async def _read_again(self, caller: Caller, seen: InterviewState) -> LiveInterview | None:
        """The caller's running interview read again from the database (``seen``, what this
        process knew, may be out of date)."""
        self.live.drop(seen)
        return await self._known(caller)

    async def where_running(self, caller: Caller) -> Caller:
        """The caller moved to where their running interview is: unchanged when one runs in
        their conversation (or none runs in the channel), else in the thread of the one they
        used last in this channel (a Slack slash command knows the channel, not the thread)."""
        async with self.ctx.reads() as session:
            if await repo.get_active(session, caller) is not None:
                return caller
            state = await repo.latest_active_in_channel(session, caller)
        if state is None:
            return caller
        thread = None if state.channel_id == caller.channel_id else state.channel_id
        return replace(caller, thread_id=thread)

    async def resume(self, caller: Caller) -> list[Reply]:
        """What the caller sees of their interview here when a front end starts again: the
        resume notice, then the current question; the summary when it went idle meanwhile (the
        bot was down: it is ended now); nothing when none runs (or its question left the notes:
        the next command ends it)."""
        async with self.ctx.reads() as session:
            state = self._spoken(await repo.get_active(session, caller), caller)
        if state is None:
            return []
        if self._is_idle(state, self.ctx.clock.now()):
            ended = await self._expire(state)
            return [ended] if ended is not None else []
        if state.current_concept_id is None:
            return []
        concept = await self.knowledge.concept_fresh(state.current_concept_id)
        if concept is None:
            return []
        notice = Reply(t("interview_resumed", state.locale), kind=ReplyKind.INFO)
        return [notice, question_reply(state, len(state.asked), concept)]

    async def start(
        self,
        caller: Caller,
        topic: str | None = None,
        rounds: int | str | None = None,
        *,
        plan: Sequence[int] = (),
        intro: Reply | None = None,
    ) -> list[Reply]:
        """Start an interview: optional topic (category or fuzzy name) and rounds (default 5).
        Returns the intro and the first question, after the summary of an interview left idle
        here that this start ends (its summary is never dropped). A review session gives its
        ``plan`` (the concepts to ask, in order; those gone from the notes are left out) and its
        own ``intro``."""
        await self.knowledge.refresh()
        locale = self.ctx.locale(caller)
        count = parse_rounds(rounds, self.ctx.settings.interview_rounds)
        async with self.ctx.reads() as session:
            running = await repo.get_active(session, caller)
            past = await repo.past_scores(session, caller)
        ended: Reply | None = None  # the summary of an idle interview this start ends
        if running is not None:
            if self._is_idle(running, self.ctx.clock.now()):
                ended = await self._expire(running)
            if ended is None:
                raise Conflict(
                    "interview_already_running", number=len(running.asked), total=running.rounds
                )
        seed = secrets.randbits(SEED_BITS)
        if plan:
            seen = {c.id for c in self.knowledge.concepts(caller.scope)}
            planned = [cid for cid in dict.fromkeys(plan) if cid in seen]
            if not planned:
                raise NotFound("review_nothing_left")
            category, count, first = None, len(planned), planned[0]
        else:
            candidates, category = self._candidates(clean_optional(topic), caller.scope)
            if not candidates:
                raise NotFound("knowledge_empty")
            count = min(count, len(candidates))
            first_choice = choose_next([c.id for c in candidates], (), past, session_rng(seed, 1))
            assert first_choice is not None
            first = first_choice
        concept = self.knowledge.concept(first)
        async with self.ctx.sessions() as session, session.begin():
            state = await repo.create(
                session,
                caller,
                topic=category,
                rounds=count,
                locale=locale,
                seed=seed,
                concept_id=first,
                question=question_for(concept, locale, variant=seed % 2),
                now=self.ctx.clock.now(),
                plan=planned if plan else None,
            )
        if state is None:
            raise Conflict("interview_already_running", number=1, total=count)
        self.live.put(state, past)
        if intro is None:
            intro = intro_reply(locale, category, count, self.ctx.answer_by(caller.platform))
        first_question = question_reply(state, 1, concept)
        return [ended, intro, first_question] if ended is not None else [intro, first_question]

    async def _require(self, caller: Caller) -> _Running | Reply:
        """The caller's running interview and its current concept, or the summary that ended it
        now: idle past the limit (expired), or its current concept gone from the notes (stopped).
        Raises NotFound when nothing is running. What this process knows is used; one that looks
        idle is read again first (another process may have kept it going)."""
        live = await self._known(caller)
        if live is not None and self._is_idle(live.state, self.ctx.clock.now()):
            live = await self._read_again(caller, live.state)
        if live is None:
            async with self.ctx.reads() as session:
                other = await repo.active_in_conversation(session, caller)
            raise _not_running(other)
        state = self._spoken(live.state, caller)
        assert state is not None
        ended: Reply | None
        if self._is_idle(state, self.ctx.clock.now()):
            ended = await self._expire(state)
        else:
            concept = await self.knowledge.concept_fresh(state.current_concept_id or -1)
            if concept is not None:
                return _Running(live, state, concept)
            ended = await self._end(state, "stopped", t("summary_stopped", state.locale))
        if ended is None:
            raise NotFound("interview_none")
        return ended

    async def _answered_here(self, running: _Running) -> bool:
        """Whether an answer of this process to the same question is being stored and got it
        (this one then arrived before its reply: the same question answered twice)."""
        storing = running.live.storing
        return storing is not None and await asyncio.shield(storing)

    async def _after_lost(
        self, caller: Caller, seen: InterviewState, arrived: datetime
    ) -> LiveInterview | None:
        """After an answer's guarded write found nothing: the interview as it is now when the
        answer is for it (same question with other hints, or moved on in another process before
        the answer arrived: the person saw the new question), else None (the question was
        answered first, or the interview ended, while this answer was on its way). NotFound when
        it had ended (in another process) before the answer arrived."""
        known = self.live.get(caller)
        here = known.state if known is not None else None
        if here is not None and here.id == seen.id and here.question_seq > seen.question_seq:
            return None  # this process stored another answer to that question first
        fresh = await self._read_again(caller, seen)
        if fresh is None:
            async with self.ctx.reads() as session:
                ended = await repo.ended_at(session, seen.id)
            if ended is not None and ended < arrived:  # it had ended before this answer came
                raise NotFound("interview_none")
            return None
        now = fresh.state
        same_question = now.id == seen.id and now.question_seq == seen.question_seq
        return fresh if same_question or now.updated_at < arrived else None

    async def _moving_on(
        self, caller: Caller, act: Callable[[_Running], Awaitable[list[Reply]]]
    ) -> list[Reply]:
        """Run ``act`` (an answer or a skip: it stores and moves on, or raises :class:`_Lost`)
        on the caller's running interview; when the interview changed in another process
        before it was stored, again on the interview as it is now (see :meth:`_after_lost`).
        Conflict("interview_already_graded") when the question was answered first."""
        arrived = self.ctx.clock.now()
        for _ in range(MAX_ANSWER_ATTEMPTS):
            running = await self._require(caller)
            if isinstance(running, Reply):
                return [running]
            if await self._answered_here(running):
                break
            # Claimed here from the grade on: another answer arriving meanwhile waits for it.
            storing: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            running.live.storing = storing
            moved = False
            try:
                replies = await act(running)
                moved = True
                return replies
            except _Lost:
                pass
            finally:
                storing.set_result(moved)
                if running.live.storing is storing:
                    running.live.storing = None
            if await self._after_lost(caller, running.state, arrived) is None:
                break
        raise Conflict("interview_already_graded")

    async def answer(self, caller: Caller, text: str) -> list[Reply]:
        """Grade an answer to the current question, then the next question or the summary.

        Two answers racing for one question are graded once: the later gets
        Conflict("interview_already_graded") and nothing of it is stored. An interview that
        another process changed before this answer arrived (a hint, the question answered
        there) is graded as it is now."""

        async def graded(running: _Running) -> list[Reply]:
            state, concept = running.state, running.concept
            hints = state.hints_used
            result, record = await grade_answer(self.ctx, concept, text, hints_used=hints)
            answer_id, after = await self._advance(running, record, caller.display_name)
            return [grade_reply(result, concept, state.locale, answer_id=answer_id), *after]

        return await self._moving_on(caller, graded)

    async def skip(self, caller: Caller) -> list[Reply]:
        """Skip the current question: scored 0, the reference shown, then the next question."""
        return await self._moving_on(caller, lambda running: self._skip(running, caller))

    async def _skip(self, running: _Running, caller: Caller) -> list[Reply]:
        """Store a skip of the current question (:class:`_Lost` as :meth:`_advance`)."""
        state, concept = running.state, running.concept
        record = AnswerRecord(
            concept_id=concept.id,
            term=concept.term,
            score=0,
            band=Band.OFF_TOPIC.value,
            hits=(),
            misses=tuple(p.label for p in key_points_of(concept)),
            answer="",
            skipped=True,
            hints_used=state.hints_used,
        )
        _, after = await self._advance(running, record, caller.display_name)
        return [skipped_reply(concept, state.locale), *after]

    async def hint(self, caller: Caller) -> Reply:
        """Reveal one key point of the current question, partly masked (heaviest first); after
        the last one, say there are no more. The count is the stored one (hints another process
        gave count too)."""
        for _ in range(MAX_ANSWER_ATTEMPTS):
            running = await self._require(caller)
            if isinstance(running, Reply):
                return running
            state, points = running.state, key_points_of(running.concept)
            if next_hint(points, state.hints_used) is None:
                return hint_reply(None, state.locale)
            now = self.ctx.clock.now()
            async with self.ctx.sessions() as session, session.begin():
                used = await repo.use_hint(session, state, now, limit=len(points))
            if used is not None:
                live = running.live
                if live.state.id == state.id and live.state.question_seq == state.question_seq:
                    live.state = replace(live.state, hints_used=used + 1, updated_at=now)
                return hint_reply(next_hint(points, used), state.locale)
            await self._read_again(caller, state)  # moved, ended or hinted elsewhere: look again
        raise Conflict("interview_already_graded")

    async def stop(self, caller: Caller) -> Reply:
        """End the interview now and show its summary."""
        async with self.ctx.reads() as session:
            state = await repo.get_active(session, caller)
            other = None if state else await repo.active_in_conversation(session, caller)
        if state is None:
            raise _not_running(other)
        if self._is_idle(state, self.ctx.clock.now()):
            ended = await self._expire(state)
        else:
            ended = await self._end(state, "stopped", t("summary_stopped", state.locale))
        if ended is None:
            raise NotFound("interview_none")
        return ended

    async def expire_idle(self, platform: str | None = None) -> list[tuple[InterviewState, Reply]]:
        """End every interview (of ``platform``) idle past the limit; returns each with its
        summary to post."""
        cutoff = self.ctx.clock.now() - self.idle_limit
        async with self.ctx.reads() as session:
            idle = await repo.idle_since(session, cutoff, platform)
        ended = []
        for state in idle:
            reply = await self._expire(state)
            if reply is not None:
                ended.append((state, reply))
        return ended

    async def _advance(
        self, running: _Running, record: AnswerRecord, name: str = ""
    ) -> tuple[int, list[Reply]]:
        """Store ``record`` as the answer to the current question and move on to the next
        question (chosen before the write, from the person's past scores) or the summary;
        returns the stored answer's id with those replies. The write goes through the process's
        group-commit writer and is committed before this returns. :class:`_Lost` when the
        guarded write found the interview no longer as ``running`` saw it (nothing stored)."""
        state, live = running.state, running.live
        asked_count = len(state.asked)
        next_concept: Concept | None = None
        if asked_count < state.rounds:
            chosen = self._next(state, running.past, state.question_seq + 1)
            next_concept = self.knowledge.concept(chosen) if chosen is not None else None
        question = (
            question_for(next_concept, state.locale, variant=state.seed + asked_count)
            if next_concept
            else None
        )
        now = self.ctx.clock.now()
        person = (state.platform, state.workspace_id, state.user_id)
        keep = unkept_name(person, name, self.ctx.names)

        def write() -> Steps[tuple[int, list[tuple[str, int]]] | None]:
            stored = yield from repo.record_answer(
                state,
                record,
                next_concept_id=next_concept.id if next_concept else None,
                next_question=question,
                now=now,
            )
            if stored is None:
                return None
            yield from review_steps(
                *person, record.concept_id, record.score, now, term=record.term, name=keep
            )
            scores = (yield from repo.scores_steps(state.id)) if next_concept is None else []
            return stored, scores

        outcome = await self.ctx.writer.run(write)
        if outcome is None:
            raise _Lost
        keep_name(person, keep, self.ctx.names)
        answer_id, scores = outcome
        if next_concept is None:
            self.live.drop(state)
            headline = t("summary_finished", state.locale)
            return answer_id, [await self._summary_of(state, scores, headline)]
        moved_on = replace(
            state,
            asked=(*state.asked, next_concept.id),
            current_concept_id=next_concept.id,
            current_question=question,
            question_seq=state.question_seq + 1,
            hints_used=0,
            updated_at=now,
        )
        if live.state.id == state.id and live.state.question_seq == state.question_seq:
            live.state = replace(moved_on, locale=live.state.locale)
        return answer_id, [question_reply(moved_on, asked_count + 1, next_concept)]
