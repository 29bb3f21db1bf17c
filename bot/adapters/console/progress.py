"""An ingest's progress bar on a terminal: one line per stage (reading notes, key points,
saving), redrawn in place. Only on a terminal: piped or redirected output stays plain (the
summary alone)."""

from __future__ import annotations

import time
import unicodedata
from typing import TYPE_CHECKING, Final, TextIO

from bot.core.messages import t

if TYPE_CHECKING:
    from bot.app.ingest import IngestProgress

BAR_WIDTH: Final = 30
# Redraw at most this often (the last step of a stage is always drawn).
REDRAW_EVERY_S: Final = 0.05
STAGE_MESSAGES: Final = {
    "files": "ingest_progress_files",
    "key_points": "ingest_progress_key_points",
    "saving": "ingest_progress_saving",
}


def _display_width(text: str) -> int:
    """Terminal columns of ``text`` (Hangul takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class ProgressBar:
    """Draws :class:`~bot.app.ingest.IngestProgress` steps on ``stream``; :meth:`close` ends
    the last line. Call it as an ingest's ``progress``."""

    def __init__(self, stream: TextIO, locale: str, *, width: int = BAR_WIDTH) -> None:
        self.stream = stream
        self.width = width
        self.labels = {stage: t(key, locale) for stage, key in STAGE_MESSAGES.items()}
        self._label_width = max(_display_width(label) for label in self.labels.values())
        self._stage: str | None = None
        self._drawn_at = 0.0

    def __call__(self, step: IngestProgress) -> None:
        """Show one step (a new stage starts a new line)."""
        now = time.monotonic()
        new_stage = step.stage != self._stage
        if new_stage and self._stage is not None:
            self.stream.write("\n")
        last = step.done >= step.total
        if not (new_stage or last or now - self._drawn_at >= REDRAW_EVERY_S):
            return
        self._stage, self._drawn_at = step.stage, now
        self.stream.write("\r" + self.line(step))
        self.stream.flush()

    def line(self, step: IngestProgress) -> str:
        """The text of one step: label, bar, done/total."""
        label = self.labels.get(step.stage, step.stage)
        padding = " " * (self._label_width - _display_width(label))
        total = max(step.total, 1)
        filled = self.width * min(step.done, total) // total
        bar = "#" * filled + "." * (self.width - filled)
        return f"{label}{padding} [{bar}] {step.done}/{step.total}"

    def close(self) -> None:
        """End the bar's last line."""
        if self._stage is not None:
            self.stream.write("\n")
            self.stream.flush()
        self._stage = None


def progress_bar(stream: TextIO, locale: str) -> ProgressBar | None:
    """A progress bar on ``stream`` when it is a terminal, else None (plain output)."""
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real stream
        interactive = False
    return ProgressBar(stream, locale) if interactive else None
