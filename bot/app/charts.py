"""The ``/stats`` picture: a PNG with the person's score over time and their average by topic,
drawn with matplotlib (imported here only, when a chart is drawn: a bot that never draws one
never loads it). Korean labels draw in NanumGothic, whose files ship with the
``koreanize-matplotlib`` package (only the font files are used)."""

from __future__ import annotations

import importlib.util
import io
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final

# The picture's size in inches and resolution: about 1000 x 440 pixels, sharp in a chat.
FIGURE_INCHES: Final = (10.0, 4.4)
DPI: Final = 100
# Topics shown in the bar chart (the rest are left out; the text lists them all).
MAX_TOPICS: Final = 8
TOPIC_LABEL_CHARS: Final = 14
FONT_PACKAGE: Final = "koreanize_matplotlib"
FONT_FILE: Final = "NanumGothic.ttf"
_LOCK = threading.Lock()  # matplotlib's state is global: one drawing at a time
_FONT: list[str] = []


def _font_family(font_manager: Any) -> str:
    """The family that draws Hangul: NanumGothic from koreanize-matplotlib, else the default."""
    if _FONT:
        return _FONT[0]
    family = "DejaVu Sans"
    try:  # found, not imported: importing it would change matplotlib's settings
        spec = importlib.util.find_spec(FONT_PACKAGE)
        places = list(spec.submodule_search_locations or []) if spec is not None else []
        for place in places:
            regular = Path(place) / "fonts" / FONT_FILE
            if regular.exists():
                font_manager.fontManager.addfont(str(regular))
                family = font_manager.FontProperties(fname=str(regular)).get_name()
                break
    except (ImportError, OSError, RuntimeError, ValueError):
        pass
    _FONT.append(family)
    return family


def stats_chart(
    points: Sequence[tuple[datetime, float]],
    topics: Sequence[tuple[str, float]],
    *,
    title: str,
    over_time: str,
    by_topic: str,
) -> bytes | None:
    """The PNG of ``points`` (answer time, score: each a faint dot, each day's average a line)
    and ``topics`` (topic, average) as bars, under ``title``; None when there is nothing to
    draw (no answers). One point draws a single marker; a topic's name is shortened to fit."""
    if not points and not topics:
        return None
    with _LOCK:
        import matplotlib

        matplotlib.use("Agg", force=True)
        from matplotlib import font_manager
        from matplotlib.figure import Figure

        family = _font_family(font_manager)
        figure = Figure(figsize=FIGURE_INCHES, dpi=DPI)
        figure.suptitle(title, fontfamily=family)
        line, bars = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
        line.set_title(over_time, fontfamily=family, fontsize=10)
        line.set_ylim(0, 100)
        if points:
            times = [when for when, _ in points]
            scores = [score for _, score in points]
            days = _daily_averages(points)
            line.scatter(times, scores, s=8, alpha=0.3)  # type: ignore[arg-type]
            line.plot(  # type: ignore[call-arg]
                [day for day, _ in days],
                [average for _, average in days],
                marker="o",
                markersize=4,
                linewidth=1.5,
            )
            for label in line.get_xticklabels():
                label.set_rotation(30)
                label.set_horizontalalignment("right")
        bars.set_title(by_topic, fontfamily=family, fontsize=10)
        bars.set_xlim(0, 100)
        shown = list(topics)[:MAX_TOPICS]
        if shown:
            labels = [_short(topic) for topic, _ in shown]
            bars.barh(labels, [average for _, average in shown])
            for label in bars.get_yticklabels():
                label.set_fontfamily(family)
            bars.invert_yaxis()
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png")
        return out.getvalue()


def _daily_averages(points: Sequence[tuple[datetime, float]]) -> list[tuple[datetime, float]]:
    """Each UTC day's average score, at noon of that day (the line through the answers)."""
    days: dict[datetime, list[float]] = {}
    for when, score in points:
        noon = when.replace(hour=12, minute=0, second=0, microsecond=0)
        days.setdefault(noon, []).append(score)
    return sorted((day, sum(scores) / len(scores)) for day, scores in days.items())


def _short(topic: str) -> str:
    return topic if len(topic) <= TOPIC_LABEL_CHARS else topic[: TOPIC_LABEL_CHARS - 1] + "…"
