"""Spaced repetition with FSRS (the ``fsrs`` library): one card per person and concept, reviewed
by every graded answer.

Decisions:

* **Score to rating**: :data:`EASY_FROM` (90) and up Easy, :data:`GOOD_FROM` (70) Good,
  :data:`HARD_FROM` (40) Hard, below Again. An answer accepted on appeal counts as correct:
  Good at least (its own score when that earns Easy).
* **No learning steps** (``learning_steps=()``, ``relearning_steps=()``): a chat bot asks again
  after days, not minutes, so a new card goes straight to FSRS's day-scale Review state on its
  first answer (with the library's default parameters a first Again or Hard comes back the
  next day, Good in two days, Easy in eight) and a lapse is rescheduled in days too.
* **No fuzzing** (``enable_fuzzing=False``): the same answers give the same due dates on every
  process and in every test.
* **A daily cap**: at most :data:`DAILY_REVIEW_CAP` reviews are offered per person and local day.

Every datetime given here must be timezone-aware; every datetime returned is UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fsrs import Card, Rating, Scheduler, State

from bot.core.models import CardFields
from bot.core.review.progress import day_start, local_day

#: Scores from here up rate Easy.
EASY_FROM = 90
#: Scores from here up (below :data:`EASY_FROM`) rate Good.
GOOD_FROM = 70
#: Scores from here up (below :data:`GOOD_FROM`) rate Hard; anything lower rates Again.
HARD_FROM = 40
#: At most this many reviews are offered per person and local day.
DAILY_REVIEW_CAP = 20
#: FSRS learning and relearning steps: none, the first interval is FSRS's own (whole days).
LEARNING_STEPS: tuple[timedelta, ...] = ()
RELEARNING_STEPS: tuple[timedelta, ...] = ()
#: Deterministic intervals: no random fuzz.
ENABLE_FUZZING = False

SCHEDULER = Scheduler(
    learning_steps=LEARNING_STEPS,
    relearning_steps=RELEARNING_STEPS,
    enable_fuzzing=ENABLE_FUZZING,
)


def rating_for(score: float, *, appealed: bool = False) -> Rating:
    """The FSRS rating of an answer scored ``score`` (0-100); an accepted appeal (``appealed``)
    counts as correct, so Good at least."""
    if score >= EASY_FROM:
        return Rating.Easy
    if score >= GOOD_FROM or appealed:
        return Rating.Good
    if score >= HARD_FROM:
        return Rating.Hard
    return Rating.Again


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime given where a timezone-aware one is needed")
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class CardState:
    """One person's FSRS card of one concept, as stored: when it is due (UTC), FSRS stability,
    difficulty, state (:class:`fsrs.State` value) and step, the last review, how many reviews
    (``reps``) and how many lapses (Again while in the Review state)."""

    concept_id: int
    due: datetime
    stability: float
    difficulty: float
    state: int
    step: int | None
    last_review: datetime | None
    reps: int
    lapses: int

    def __post_init__(self) -> None:
        _utc(self.due)
        if self.last_review is not None:
            _utc(self.last_review)

    @classmethod
    def of(cls, fields: CardFields) -> CardState:
        """A card with the fields of ``fields`` (a stored card)."""
        return cls(
            concept_id=fields.concept_id,
            due=_utc(fields.due),
            stability=fields.stability,
            difficulty=fields.difficulty,
            state=fields.state,
            step=fields.step,
            last_review=_utc(fields.last_review) if fields.last_review is not None else None,
            reps=fields.reps,
            lapses=fields.lapses,
        )

    def to_fsrs(self) -> Card:
        """The library's card (its ``card_id`` is the concept id)."""
        return Card(
            card_id=self.concept_id,
            state=State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=_utc(self.due),
            last_review=_utc(self.last_review) if self.last_review is not None else None,
        )

    @classmethod
    def from_fsrs(
        cls, card: Card, *, concept_id: int | None = None, reps: int = 0, lapses: int = 0
    ) -> CardState:
        """Our card from the library's (``concept_id`` defaults to its ``card_id``; the library
        does not count reviews or lapses, so they are given). A card never reviewed has no
        stability or difficulty and cannot be converted (ValueError)."""
        if card.stability is None or card.difficulty is None:
            raise ValueError("a card never reviewed has no stability or difficulty")
        return cls(
            concept_id=card.card_id if concept_id is None else concept_id,
            due=_utc(card.due),
            stability=float(card.stability),
            difficulty=float(card.difficulty),
            state=int(card.state),
            step=card.step,
            last_review=_utc(card.last_review) if card.last_review is not None else None,
            reps=reps,
            lapses=lapses,
        )


def new_card(concept_id: int, when: datetime) -> Card:
    """The library's fresh card for ``concept_id`` (never reviewed), due at ``when``."""
    return Card(card_id=concept_id, due=_utc(when))


def review(
    card: CardState | None,
    concept_id: int,
    score: float,
    when: datetime,
    *,
    appealed: bool = False,
) -> CardState:
    """``card`` (None: the concept's first review) after an answer scored ``score`` at ``when``
    (rated by :func:`rating_for`)."""
    moment = _utc(when)
    rating = rating_for(score, appealed=appealed)
    before = new_card(concept_id, moment) if card is None else card.to_fsrs()
    after, _log = SCHEDULER.review_card(before, rating, moment)
    lapsed = card is not None and card.state == State.Review and rating == Rating.Again
    return CardState.from_fsrs(
        after,
        concept_id=concept_id,
        reps=(0 if card is None else card.reps) + 1,
        lapses=(0 if card is None else card.lapses) + int(lapsed),
    )


def due_order(cards: Iterable[CardState], now: datetime) -> list[CardState]:
    """The cards due at ``now``, most overdue first (then by concept id)."""
    moment = _utc(now)
    return sorted((c for c in cards if c.due <= moment), key=lambda c: (c.due, c.concept_id))


def todays_due(
    cards: Iterable[CardState],
    now: datetime,
    zone: ZoneInfo,
    reviewed_today: int,
    cap: int = DAILY_REVIEW_CAP,
) -> list[CardState]:
    """The reviews to offer at ``now``: cards due before the person's local day (in ``zone``)
    ends, most overdue first, at most ``cap`` a day less the ``reviewed_today`` already done."""
    end = day_start(local_day(now, zone) + timedelta(days=1), zone)
    room = max(0, cap - reviewed_today)
    due = sorted((c for c in cards if c.due < end), key=lambda c: (c.due, c.concept_id))
    return due[:room]
