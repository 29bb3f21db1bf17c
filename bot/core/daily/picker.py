"""Which concept a channel's daily question asks about (pure; randomness comes from the caller).

Policy:

- **Cycles.** A channel goes through all of its eligible concepts without repeats; when every
  eligible concept has been asked in the current cycle, a new cycle starts. Concepts that are no
  longer eligible (notes changed, topic filter changed) are ignored in ``asked_in_cycle``; new
  eligible concepts join the current cycle.
- **Weakest first, on average.** Within a cycle the next concept is a weighted random choice
  among those not yet asked. The weight falls linearly with the channel's average score on the
  concept: :data:`WORST_WEIGHT` at score 0 down to :data:`BEST_WEIGHT` at score 100, so a concept
  the channel scored 0 on is four times as likely to come next as one it scored 100 on. A concept
  nobody in the channel answered yet is weighted as if scored :data:`UNANSWERED_SCORE` (the
  middle weight).
- **Deterministic.** Candidates are ordered by id before drawing and the only randomness is one
  draw from the given :class:`random.Random`, so a seed fixes the sequence whatever order the
  caller lists the concepts in.
- At a cycle boundary the concept asked last (``last_asked``) is not drawn first again when there
  is any other choice, so a cycle change never asks the same question twice in a row.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Final

from bot.core.errors import BadInput

SCORE_MIN: Final[float] = 0.0
SCORE_MAX: Final[float] = 100.0
WORST_WEIGHT: Final[float] = 4.0  # weight of a concept the channel averaged 0 on
BEST_WEIGHT: Final[float] = 1.0  # weight of a concept the channel averaged 100 on
UNANSWERED_SCORE: Final[float] = 50.0  # never answered: weighted as this score (middle weight)


def concept_weight(score: float | None) -> float:
    """Draw weight of a concept given the channel's average score on it (``None``: never answered).

    Linear from :data:`WORST_WEIGHT` (score 0) to :data:`BEST_WEIGHT` (score 100); scores outside
    0-100 are clamped, NaN counts as never answered.
    """
    if score is None or math.isnan(score):
        score = UNANSWERED_SCORE
    clamped = min(max(score, SCORE_MIN), SCORE_MAX)
    badness = (SCORE_MAX - clamped) / (SCORE_MAX - SCORE_MIN)
    return BEST_WEIGHT + (WORST_WEIGHT - BEST_WEIGHT) * badness


def remaining_in_cycle(eligible: Sequence[int], asked_in_cycle: AbstractSet[int]) -> int:
    """How many eligible concepts the current cycle has not asked yet (for ``/daily status``)."""
    return len(set(eligible) - set(asked_in_cycle))


def pick_next(
    eligible: Sequence[int],
    asked_in_cycle: AbstractSet[int],
    channel_scores: Mapping[int, float],
    rng: random.Random,
    *,
    last_asked: int | None = None,
) -> tuple[int, bool]:
    """Pick the next concept for a channel: ``(concept_id, starts_new_cycle)``.

    ``eligible`` are the concept ids the channel may be asked (duplicates ignored),
    ``asked_in_cycle`` those already asked in its current cycle, ``channel_scores`` the channel's
    average score (0-100) per concept (missing: never answered), ``last_asked`` the concept of the
    previous post if known. When ``starts_new_cycle`` is true the caller opens a new cycle whose
    first asked concept is the one returned. Raises ``BadInput("daily_no_concepts")`` when nothing
    is eligible. See the module docstring for the policy.
    """
    pool = sorted(set(eligible))
    if not pool:
        raise BadInput("daily_no_concepts")
    candidates = [concept for concept in pool if concept not in asked_in_cycle]
    starts_new_cycle = not candidates
    if starts_new_cycle:
        candidates = [concept for concept in pool if concept != last_asked] or pool
    weights = [concept_weight(channel_scores.get(concept)) for concept in candidates]
    return rng.choices(candidates, weights=weights, k=1)[0], starts_new_cycle
