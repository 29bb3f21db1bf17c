"""Tests for the grading-quality benchmark: the labelled set, the figures, and a run on the
shipped notes (no fetched corpus needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import grade_quality
from benchmarks.grade_quality import (
    LABELS,
    SET_FILE,
    SHIPPED,
    GradingSetError,
    Spread,
    beats,
    folders_for,
    is_ordered,
    label_spread,
    load_set,
    ordered_share,
    pad_to,
    paired_medians,
    share,
    spread,
    why_unordered,
)

NOTES = Path(__file__).resolve().parents[2] / "knowledge" / "interview-notes.md"
COPY_LIMIT = 40  # longest run of characters an answer may share with a line of the notes

ROWS = [
    {"good": 80, "partial": 40, "wrong": 10, "english": 60, "name_only": 0, "negated": 85},
    {"good": 50, "partial": 50, "wrong": 0, "english": 20, "name_only": 10},
    {"good": 90, "partial": 30, "wrong": 30, "english": 90, "name_only": 95, "negated": 20},
    {"good": 70, "partial": 20, "wrong": 0, "english": 40, "name_only": 0},
]


def _entry(**fields: str) -> str:
    base = {"repo": "a+b", "term": "TCP"} | {label: f"{label} 답" for label in LABELS}
    base |= fields
    body = "\n".join(f'{key} = "{value}"' for key, value in base.items())
    return f"[[concept]]\n{body}\n"


# --- the set -------------------------------------------------------------------------------------


def test_the_set_parses_and_has_the_spread_asked_for() -> None:
    entries = load_set(SET_FILE.read_text(encoding="utf-8"), str(SET_FILE))
    fetched = [e for e in entries if e.repo != SHIPPED]
    assert len(entries) >= 40
    assert len(fetched) >= 30
    assert len({e.repo for e in fetched}) >= 3
    assert sum(e.repo == SHIPPED for e in entries) == 10
    for entry in entries:
        assert entry.repo and entry.term
        for label in LABELS:
            assert entry.answers[label].strip(), (entry.name, label)
    assert sum("negated" in e.answers for e in entries) >= 10
    assert sum("paraphrase" in e.answers for e in entries) >= 10
    assert {"os", "network", "db", "ds", "java", "web"} <= {e.topic for e in entries}


def test_no_answer_copies_the_shipped_notes() -> None:
    size = COPY_LIMIT + 1
    runs = {
        line[start : start + size]
        for line in NOTES.read_text(encoding="utf-8").splitlines()
        for start in range(len(line) - size + 1)
    }
    copied = [
        (entry.name, label)
        for entry in load_set(SET_FILE.read_text(encoding="utf-8"))
        for label, answer in entry.answers.items()
        if any(answer[i : i + size] in runs for i in range(len(answer) - size + 1))
    ]
    assert copied == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[concept]]\nrepo = 'x'\n", "term is missing"),
        (_entry(good=" "), "good must be a non-empty string"),
        (_entry(colour="red"), "unknown keys"),
        (_entry() + _entry(term="tcp"), "appears twice"),
        ("title = 'x'\n", "unknown top-level keys"),
        ("[[concept]\n", "grading set"),
        ("", "no [[concept]] tables"),
    ],
)
def test_a_bad_set_is_refused(text: str, message: str) -> None:
    with pytest.raises(GradingSetError, match=message.replace("[", r"\[")):
        load_set(text)


def test_an_entry_keeps_its_optional_fields() -> None:
    (entry,) = load_set(_entry(source="net/tcp.md", topic="network", paraphrase="다른 말"))
    assert (entry.source, entry.topic, entry.answers["paraphrase"]) == (
        "net/tcp.md",
        "network",
        "다른 말",
    )
    assert not entry.shipped


# --- the figures ---------------------------------------------------------------------------------


def test_ordering_is_strict() -> None:
    assert [is_ordered(row) for row in ROWS] == [True, False, False, True]
    assert ordered_share(ROWS) == 50.0
    assert ordered_share([]) is None
    assert why_unordered(ROWS[1]) == "good <= partial"
    assert why_unordered(ROWS[2]) == "partial <= wrong"
    assert why_unordered({"good": 1, "partial": 1, "wrong": 1}) == (
        "good <= partial, partial <= wrong"
    )
    assert why_unordered(ROWS[0]) == ""


def test_shares_and_comparisons() -> None:
    assert share(ROWS, lambda row: row["english"] >= 60) == 50.0
    assert beats(ROWS, "good", "name_only") == 75.0
    assert beats(ROWS, "good", "negated") == 50.0  # only the two rows that have it
    assert beats(ROWS, "good", "paraphrase") is None
    assert paired_medians(ROWS, "negated", "good") == (52.5, 85)
    assert paired_medians(ROWS, "paraphrase", "good") is None


def test_medians_and_quartiles() -> None:
    assert label_spread(ROWS, "good") == Spread(4, 70, 75.0, 80)
    assert label_spread(ROWS, "negated") == Spread(2, 20, 52.5, 85)
    assert label_spread(ROWS, "paraphrase") is None
    assert spread([5]) == Spread(1, 5, 5, 5)


def test_answers_are_padded_or_cut_to_size() -> None:
    assert pad_to("가나다", 10) == "가나다 가나다 가나"
    assert pad_to("x" * 20, 5) == "xxxxx"
    assert len(pad_to("", 4)) == 4


def test_missing_repo_folders_are_counted(tmp_path: Path) -> None:
    (tmp_path / "here+repo").mkdir()
    entries = load_set(
        _entry(repo="here+repo")
        + _entry(repo="gone+repo")
        + _entry(repo="gone+repo", term="UDP")
        + _entry(repo=SHIPPED)
    )
    folders, missing = folders_for(entries, tmp_path)
    assert folders == {"here+repo": tmp_path / "here+repo", SHIPPED: grade_quality.KNOWLEDGE}
    assert missing == {"gone+repo": 2}


# --- a run on the shipped notes ------------------------------------------------------------------


def test_the_shipped_part_runs_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = load_set(SET_FILE.read_text(encoding="utf-8"))
    fetched = sum(e.repo != SHIPPED for e in entries)
    result = grade_quality.run(tmp_path, rounds=1)  # an empty corpus: only the shipped notes
    out = capsys.readouterr().out
    assert result["bench"] == "grade_quality"
    assert result["not_found"] == []
    assert result["concepts"] == result["shipped"] == 10
    assert result["skipped_no_folder"] == fetched
    assert f"skipped {fetched} concepts" in out
    assert 0 <= result["ordered_shipped"] <= 10
    assert set(result["median"]) >= set(LABELS)
    assert result["p50_ms_500"] is not None
    assert "good > partial > wrong" in out
