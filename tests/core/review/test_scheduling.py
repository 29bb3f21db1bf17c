"""Spaced repetition: the score-to-rating table, FSRS intervals equal to the library's own with
the same settings, the first review, appeals, due ordering and the daily cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from fsrs import Card, Rating, Scheduler, State

from bot.core.review.scheduling import (
    DAILY_REVIEW_CAP,
    EASY_FROM,
    GOOD_FROM,
    HARD_FROM,
    CardState,
    due_order,
    rating_for,
    review,
    todays_due,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.parametrize(
    ("score", "appealed", "rating"),
    [
        (100, False, Rating.Easy),
        (EASY_FROM, False, Rating.Easy),
        (EASY_FROM - 0.5, False, Rating.Good),
        (GOOD_FROM, False, Rating.Good),
        (GOOD_FROM - 1, False, Rating.Hard),
        (HARD_FROM, False, Rating.Hard),
        (HARD_FROM - 1, False, Rating.Again),
        (0, False, Rating.Again),
        (0, True, Rating.Good),
        (HARD_FROM, True, Rating.Good),
        (GOOD_FROM, True, Rating.Good),
        (95, True, Rating.Easy),
    ],
)
def test_scores_map_to_ratings(score: float, appealed: bool, rating: Rating) -> None:
    assert rating_for(score, appealed=appealed) is rating


def _library() -> Scheduler:
    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


SCORES = [80, 95, 30, 55, 72, 91, 10, 85, 100, 65]


def test_due_dates_equal_the_librarys_own_over_a_sequence_of_ratings() -> None:
    scheduler = _library()
    theirs = Card(card_id=7, due=T0)
    ours: CardState | None = None
    when = T0
    for score in SCORES:
        theirs, _ = scheduler.review_card(theirs, rating_for(score), when)
        ours = review(ours, 7, score, when)
        assert ours.due == theirs.due
        assert ours.stability == pytest.approx(theirs.stability)
        assert ours.difficulty == pytest.approx(theirs.difficulty)
        assert ours.state == theirs.state
        when = theirs.due + timedelta(hours=3)  # answered a little after it fell due
    assert ours is not None
    assert ours.reps == len(SCORES)


def test_intervals_are_whole_days_and_deterministic() -> None:
    first = [review(None, 1, s, T0) for s in (0, 50, 80, 95)]
    again = [review(None, 1, s, T0) for s in (0, 50, 80, 95)]
    assert first == again, "no fuzzing: the same answers give the same due dates"
    for card in first:
        delta = card.due - T0
        assert delta >= timedelta(days=1)
        assert delta % timedelta(days=1) == timedelta(0)
    assert [c.due for c in first] == sorted(c.due for c in first), "better answers wait longer"


def test_first_review_creates_a_review_card() -> None:
    card = review(None, 42, 80, T0)
    assert card.concept_id == 42
    assert card.state == State.Review
    assert card.step is None
    assert card.reps == 1
    assert card.lapses == 0
    assert card.last_review == T0
    assert card.due > T0
    assert card.due.tzinfo is not None


def test_an_accepted_appeal_counts_as_correct() -> None:
    assert review(None, 1, 10, T0, appealed=True).due == review(None, 1, 75, T0).due
    assert review(None, 1, 10, T0, appealed=True).due > review(None, 1, 10, T0).due


def test_forgetting_a_review_card_is_a_lapse() -> None:
    card = review(None, 1, 80, T0)
    forgot = review(card, 1, 0, card.due)
    assert forgot.lapses == 1
    assert forgot.reps == 2
    assert forgot.stability < card.stability
    assert review(forgot, 1, 100, forgot.due).lapses == 1


def test_a_card_round_trips_through_the_library() -> None:
    card = review(review(None, 3, 80, T0), 3, 60, T0 + timedelta(days=2))
    again = CardState.from_fsrs(card.to_fsrs(), reps=card.reps, lapses=card.lapses)
    assert again == card
    assert CardState.of(card) == card


def test_other_time_zones_are_read_as_utc() -> None:
    seoul_morning = T0.astimezone(timezone(timedelta(hours=9)))
    assert review(None, 1, 80, seoul_morning) == review(None, 1, 80, T0)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        review(None, 1, 80, datetime(2026, 12, 1, 9, 0))


def test_never_reviewed_library_cards_cannot_be_converted() -> None:
    with pytest.raises(ValueError, match="never reviewed"):
        CardState.from_fsrs(Card(card_id=1, due=T0))


def _card(concept_id: int, due: datetime) -> CardState:
    return CardState(concept_id, due, 2.0, 5.0, int(State.Review), None, T0, 1, 0)


def test_due_order_is_most_overdue_first() -> None:
    now = T0 + timedelta(days=10)
    cards = [
        _card(1, now - timedelta(days=1)),
        _card(2, now + timedelta(hours=1)),  # not yet due
        _card(3, now - timedelta(days=5)),
        _card(4, now),
        _card(5, now - timedelta(days=5)),
    ]
    assert [c.concept_id for c in due_order(cards, now)] == [3, 5, 1, 4]


def test_todays_due_takes_the_rest_of_the_local_day_and_the_cap() -> None:
    now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 10:00 in Seoul; the day ends at 15:00 UTC
    cards = [_card(n, now - timedelta(days=n)) for n in range(1, 31)]
    cards.append(_card(100, datetime(2026, 12, 1, 14, 59, tzinfo=UTC)))  # 23:59 Seoul: today
    cards.append(_card(101, datetime(2026, 12, 1, 15, 0, tzinfo=UTC)))  # tomorrow in Seoul
    due = todays_due(cards, now, SEOUL, reviewed_today=0)
    assert len(due) == DAILY_REVIEW_CAP
    assert [c.concept_id for c in due] == list(range(30, 10, -1))
    assert [c.concept_id for c in todays_due(cards, now, SEOUL, 0, cap=100)][-1] == 100
    assert len(todays_due(cards, now, SEOUL, reviewed_today=15)) == DAILY_REVIEW_CAP - 15
    assert todays_due(cards, now, SEOUL, reviewed_today=DAILY_REVIEW_CAP + 3) == []
