"""The review benchmark itself: a tiny run on SQLite measures every query and reports each
figure (so the benchmark is exercised in CI)."""

from __future__ import annotations

from benchmarks import review


def test_a_tiny_run_reports_every_figure() -> None:
    figures = review.measure(review.Size(answers=200, cards=50, others=2, calls=5))
    assert figures["bench"] == "review"
    for name in ("baseline", "due", "stats_groups", "day_spans", "answer_times", "stats_all"):
        assert isinstance(figures[f"{name}_p50_ms"], float)
        assert figures[f"{name}_p99_ms"] >= figures[f"{name}_p50_ms"]  # type: ignore[operator]
    assert figures["due_vs_baseline"] is not None
    assert isinstance(figures["due_ok"], bool) and isinstance(figures["stats_ok"], bool)
