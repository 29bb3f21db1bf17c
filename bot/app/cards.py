"""Every graded answer reviews its spaced-repetition card: one card per person (platform,
workspace, user) and concept, scheduled by FSRS (:mod:`bot.core.review.scheduling`). Called
inside the transaction that stores the answer (interview, daily question, a grade on its own)
or accepts its appeal, so a card never disagrees with the history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.errors import BadInput
from bot.core.models import InterviewState
from bot.core.review.progress import zone_of
from bot.core.review.replies import next_due_lines
from bot.core.review.scheduling import CardState, review
from bot.db import reviews as repo
from bot.db.steps import Steps, run_steps

# How many people's last kept names a process remembers (so an answer does not rewrite an
# unchanged name); ``kept`` is the Context's :attr:`~bot.app.context.Context.names`.
MAX_NAMES_KEPT = 10_000


def review_steps(
    platform: str,
    workspace_id: str,
    user_id: str,
    concept_id: int | None,
    score: int,
    when: datetime,
    *,
    term: str = "",
    name: str = "",
) -> Steps[CardState | None]:
    """The writes of :func:`review_answer` as steps (the group-commit writer runs them in the
    batch that stores the answer): the display name when one is given, the person's figures,
    then their card of ``concept_id`` read, reviewed and stored."""
    yield from repo.name_steps(platform, workspace_id, user_id, name)
    yield from repo.progress_steps(platform, workspace_id, user_id, concept_id, term, score, when)
    if concept_id is None:
        return None
    stored = yield from repo.card_steps(platform, workspace_id, user_id, concept_id)
    card = review(CardState.of(stored) if stored is not None else None, concept_id, score, when)
    yield from repo.save_card_steps(platform, workspace_id, user_id, card, when)
    return card


Kept = dict[tuple[str, str, str], str]


def unkept_name(person: tuple[str, str, str], name: str, kept: Kept | None) -> str:
    """``name`` when it must be stored for ``person`` (the front end knows it and this process
    has not stored it since), else empty (``kept``: the Context's
    :attr:`~bot.app.context.Context.names`)."""
    return name if name and (kept is None or kept.get(person) != name) else ""


def keep_name(person: tuple[str, str, str], name: str, kept: Kept | None) -> None:
    """Remember that ``name`` is stored for ``person`` (once its write is committed)."""
    if kept is None or not name:
        return
    if len(kept) >= MAX_NAMES_KEPT:
        kept.clear()
    kept[person] = name


async def review_answer(
    session: AsyncSession,
    platform: str,
    workspace_id: str,
    user_id: str,
    concept_id: int | None,
    score: int,
    when: datetime,
    *,
    term: str = "",
    name: str = "",
    kept: Kept | None = None,
) -> CardState | None:
    """Review the person's card of ``concept_id`` with an answer scored ``score`` at ``when``
    (a first answer makes the card) and count the answer in their figures (``term``: the
    concept as asked); None for an answer without a concept. ``name`` (the person's display
    name, when the front end knows it) is kept for the leaderboard, once per name."""
    person = (platform, workspace_id, user_id)
    name = unkept_name(person, name, kept)
    card = await run_steps(
        session, review_steps(*person, concept_id, score, when, term=term, name=name)
    )
    keep_name(person, name, kept)
    return card


async def rebuild_card(
    session: AsyncSession,
    platform: str,
    workspace_id: str,
    user_id: str,
    concept_id: int | None,
    now: datetime,
) -> CardState | None:
    """The person's card of ``concept_id`` scheduled again from their whole history of it, an
    appealed answer counting as correct (an accepted appeal: the wrong review is replaced, not
    followed by another)."""
    if concept_id is None:
        return None
    await repo.recount_progress(session, platform, workspace_id, user_id, concept_id)
    history = await repo.concept_answers(session, platform, workspace_id, user_id, concept_id)
    card: CardState | None = None
    for when, score, accepted in history:
        card = review(card, concept_id, score, when, appealed=accepted)
    if card is not None:
        await repo.save_card(session, platform, workspace_id, user_id, card, now)
    return card


async def next_reviews(
    session: AsyncSession, state: InterviewState, terms: dict[int, str], default_zone: str
) -> str:
    """Under a finished review session: when each of its concepts comes back (the person's
    time zone: their reminder's, else ``default_zone``); empty for an ordinary interview."""
    if not state.plan:
        return ""
    person = (state.platform, state.workspace_id, state.user_id)
    cards = await repo.cards_of(session, *person, list(state.plan))
    reminder = await repo.get_reminder(session, *person)
    try:
        zone = zone_of(reminder.tz if reminder is not None else default_zone)
    except BadInput:
        zone = zone_of(default_zone)
    items = [(terms.get(cid, "?"), card.due) for cid, card in cards.items() if cid in state.asked]
    return next_due_lines(items, state.locale, zone) if items else ""
