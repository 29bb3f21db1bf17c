"""Appeals: a person says the grader was wrong ("I was right") about one of their graded answers.

The appeal is recorded once per answer (who, when, the original score and band, the answer and
an optional note) and the answer is marked accepted, so the history counts it as correct. Admins
read the appeals per concept (by term, with the appeal rate) to fix bad key points. The replies
are :mod:`bot.core.grading.appeal_replies`; the queries :mod:`bot.db.appeals`.
"""

from __future__ import annotations

from bot.app.cards import rebuild_card
from bot.app.context import Context
from bot.core.errors import BadInput, Forbidden, NotFound
from bot.core.grading.appeal_replies import (
    MAX_NOTE_CHARS,
    already_reply,
    answer_number,
    recorded_reply,
    report_reply,
)
from bot.core.models import Caller, Reply, StoredAnswer
from bot.core.sanitize import clean_text
from bot.db import appeals as repo

LATEST_SHOWN = 10


def _owns(caller: Caller, answer: StoredAnswer) -> bool:
    return (answer.platform, answer.workspace_id, answer.user_id) == (
        caller.platform,
        caller.workspace_id,
        caller.user_id,
    )


class Appeals:
    """Appeals of grades, and the admins' view of them."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def appeal(self, caller: Caller, reference: str, note: str = "") -> Reply:
        """Appeal the grade of the stored answer ``reference`` names (its id) with an optional
        note. Idempotent: a second appeal of the same answer records nothing and says so. Only
        the person who got the grade may appeal it (Forbidden ``appeal_not_yours``); NotFound
        ``appeal_no_answer`` when there is no such answer; a skipped question is no grade."""
        locale = self.ctx.locale(caller)
        answer_id = answer_number(clean_text(reference))
        if answer_id is None:
            raise NotFound("appeal_no_answer")
        async with self.ctx.sessions() as session, session.begin():
            answer = await repo.get_answer(session, answer_id)
            if answer is None:
                raise NotFound("appeal_no_answer")
            if not _owns(caller, answer):
                raise Forbidden("appeal_not_yours")
            if answer.skipped:
                raise BadInput("appeal_skipped")
            clean_note = " ".join(clean_text(note).split())[:MAX_NOTE_CHARS]
            now = self.ctx.clock.now()
            appeal = await repo.record(session, answer, clean_note, now)
            if appeal is not None:  # it counts as correct: its card is reviewed so
                await rebuild_card(
                    session,
                    answer.platform,
                    answer.workspace_id,
                    answer.user_id,
                    answer.concept_id,
                    now,
                )
                return recorded_reply(appeal, locale)
            existing = await repo.of_answer(session, answer_id)
        assert existing is not None, "an appealed answer that exists has its appeal"
        return already_reply(existing, locale)

    async def report(
        self, caller: Caller, *, everywhere: bool = False, limit: int = LATEST_SHOWN
    ) -> Reply:
        """Admins only: every appealed concept with its appeal count and rate (appeals / graded
        answers of that concept), most appealed first, then the latest appeals with score, an
        answer excerpt and the note. The caller's workspace unless ``everywhere`` (the machine's
        owner: console and command line)."""
        if not caller.is_admin:
            raise Forbidden("admin_only")
        scope = None if everywhere else (caller.platform, caller.workspace_id)
        async with self.ctx.reads() as session:
            counts = await repo.counts(session, scope)
            latest = await repo.latest(session, scope, limit) if counts else []
        return report_reply(counts, latest, self.ctx.locale(caller))
