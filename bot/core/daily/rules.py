"""A daily schedule's rules beyond timing: where its posts go, how a post is recognised on the
platform, which concepts it may ask, and which one an occurrence asks (deterministic, no I/O)."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Final

from bot.core.daily.picker import pick_next
from bot.core.daily.schedule import ScheduleSpec, parse_time
from bot.core.models import Concept, ScheduleState
from bot.core.ports import Target

SEED_RANGE: Final = 1 << 30
MARKER_FORMAT: Final = "Q#{post_id}"
MAX_POST_ID: Final = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL
SEED_STRIDE: Final = 1_000_003  # schedule seed * stride + day number seeds each occurrence's draw


def spec_of(schedule: ScheduleState) -> ScheduleSpec:
    """The timing rules of a stored schedule."""
    return ScheduleSpec(
        parse_time(schedule.local_time), schedule.tz, frozenset(int(d) for d in schedule.weekdays)
    )


def target_of(schedule: ScheduleState, thread_id: str | None = None) -> Target:
    """Where a schedule's posts go."""
    return Target(
        schedule.platform, schedule.workspace_id, schedule.channel_id, thread_id, schedule.mention
    )


def marker(post_id: int) -> str:
    """The text that identifies a daily post on the platform (used to find it after a crash)."""
    return MARKER_FORMAT.format(post_id=post_id)


def carries_marker(text: str, wanted: str) -> bool:
    """Whether ``text`` carries the marker ``wanted`` as a whole (``Q#1`` is not in ``Q#13``)."""
    return re.search(rf"{re.escape(wanted)}(?!\d)", text) is not None


def post_number(reference: str) -> int | None:
    """The post id a ``Q#id`` or bare id names, if it can be one."""
    number = reference.removeprefix("Q#")
    if number.isascii() and number.isdigit() and int(number) <= MAX_POST_ID:
        return int(number)
    return None


def eligible(schedule: ScheduleState, concepts: Sequence[Concept]) -> list[Concept]:
    """The concepts a schedule may ask: its topic's, or every one (also when the topic is gone)."""
    if schedule.topic:
        chosen = [c for c in concepts if c.category == schedule.topic]
        return chosen or list(concepts)
    return list(concepts)


def pick(
    schedule: ScheduleState,
    concepts: Sequence[Concept],
    scores: Mapping[int, float],
    local_date: date | None,
    post_id: int | None = None,
) -> tuple[int, list[int], int]:
    """The concept an occurrence asks, with the schedule's new cycle and cycle number
    (``schedule`` must be freshly read). Deterministic: the schedule's seed and the local date
    (``post_id`` for a ``/daily now`` post) fix the draw. Raises
    ``BadInput("daily_no_concepts")`` when nothing is eligible."""
    ids = [c.id for c in eligible(schedule, concepts)]
    day = local_date.toordinal() if local_date else (post_id or 0)
    rng = random.Random(schedule.seed * SEED_STRIDE + day)
    last = schedule.cycle[-1] if schedule.cycle else None
    asked = set(schedule.cycle) & set(ids)
    concept_id, new_cycle = pick_next(ids, asked, scores, rng, last_asked=last)
    cycle = [concept_id] if new_cycle else [*schedule.cycle, concept_id]
    return concept_id, cycle, schedule.cycle_no + int(new_cycle)
