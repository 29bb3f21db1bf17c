"""The kill -9 harness itself: a tiny version of each loop on SQLite finds nothing lost,
nothing duplicated and no orphaned process (so the harness is exercised in CI)."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from benchmarks import faults

TINY = faults.Size(
    runs=1,
    callers=2,
    channels=5,
    concepts=200,
    seed=7,
    orphan_wait_s=0.5,
    tokenizer_process=False,
    kill_window_s=(0.3, 0.8),
    ingest_kill_window_s=(0.3, 1.0),
)


@pytest.mark.parametrize("loop", faults.LOOPS)
def test_a_tiny_loop_loses_and_doubles_nothing(loop: str) -> None:
    size = replace(TINY, runs=2) if loop == "daily" else TINY
    result = faults.run_loop(loop, "sqlite", size)
    assert not result.note, result.note
    assert result.kills >= 1
    assert result.acknowledged > 0
    assert (result.lost, result.duplicated, result.orphaned) == (0, 0, 0), result.as_dict()
    assert result.worker_errors == 0
    if loop == "ingest":
        assert result.details["count_matches"] is True
        assert result.details["integrity_check"] == "ok"


def test_answers_killed_on_postgresql_lose_and_double_nothing() -> None:
    """The answer loop on PostgreSQL too: a killed worker loses no answer it replied to (its
    group-commit writer answered only after the group was committed)."""
    if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip(reason="PostgreSQL tests need TEST_DATABASE_URL (set by .ci/run)")
    result = faults.run_loop("answers", "postgresql", replace(TINY, callers=6, runs=2))
    assert not result.note, result.note
    assert result.kills >= 1 and result.acknowledged > 0
    assert (result.lost, result.duplicated) == (0, 0), result.as_dict()
    assert result.worker_errors == 0
