"""The real-notes ingest benchmark skips cleanly without a notes folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import ingest_real


def test_skipped_without_a_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ingest_real.ENV, raising=False)
    result = ingest_real.run()
    assert result["bench"] == "ingest_real"
    assert "not set" in str(result["skipped"])


def test_skipped_when_the_folder_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(ingest_real.ENV, str(tmp_path / "absent"))
    assert "is not a folder" in str(ingest_real.run()["skipped"])
