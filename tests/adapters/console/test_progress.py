"""The ingest progress bar: drawn on a terminal, absent when the output is piped."""

from __future__ import annotations

import io

from bot.adapters.console.progress import ProgressBar, progress_bar
from bot.app.ingest import STAGE_FILES, STAGE_KEY_POINTS, STAGE_SAVING, IngestProgress
from bot.core.messages import t


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_piped_output_gets_no_bar() -> None:
    assert progress_bar(io.StringIO(), "ko") is None
    assert isinstance(progress_bar(Terminal(), "ko"), ProgressBar)


def test_each_stage_gets_its_own_line_redrawn_in_place() -> None:
    out = Terminal()
    bar = ProgressBar(out, "ko", width=10)
    for done in range(1, 5):
        bar(IngestProgress(STAGE_FILES, done, 4))
    bar(IngestProgress(STAGE_KEY_POINTS, 0, 20))
    bar(IngestProgress(STAGE_KEY_POINTS, 20, 20))
    bar(IngestProgress(STAGE_SAVING, 0, 1))
    bar(IngestProgress(STAGE_SAVING, 1, 1))
    bar.close()
    lines = out.getvalue().split("\n")
    assert len(lines) == 4 and lines[-1] == "", "three stages, each ended by a newline"
    files, key_points, saving = (line.rsplit("\r", 1)[-1] for line in lines[:3])
    assert files.startswith(t("ingest_progress_files", "ko"))
    assert files.endswith("[##########] 4/4")
    assert key_points.startswith(t("ingest_progress_key_points", "ko"))
    assert key_points.endswith("20/20")
    assert saving.startswith(t("ingest_progress_saving", "ko"))
    assert "\r" in lines[1], "a stage's line is redrawn in place"


def test_the_bar_speaks_the_locale_and_aligns_the_bars() -> None:
    bar = ProgressBar(Terminal(), "en", width=4)
    files = bar.line(IngestProgress(STAGE_FILES, 1, 2))
    saving = bar.line(IngestProgress(STAGE_SAVING, 0, 1))
    assert files.startswith(t("ingest_progress_files", "en"))
    assert files.index("[") == saving.index("["), "labels are padded to one width"
    assert files.endswith("[##..] 1/2")
