"""The learning loop in the console, typed line by line over a real Service with a fake clock:
``/review`` (a session answered with plain lines, "nothing due"), ``/remind`` and the reminder
runner printing its nudge, ``/stats`` and ``/export`` saving their files under the data folder
(never over an earlier one), ``/leaderboard`` with its opt-out, and the help."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.adapters.console.caller import console_caller
from bot.adapters.console.files import free_path, safe_name, save_files
from bot.adapters.console.repl import Console
from bot.app.service import Service
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.messages import t
from bot.core.models import Attachment, Caller, Concept
from bot.testing import FakeClock
from tests.wording import message_pattern

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
STATS_TOPIC = "통계적 개념"
# 21:30 in Seoul, nine days after the fake clock's start: a bad answer's card is due by then.
EVENING_IN_SEOUL = datetime(2024, 1, 10, 12, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
async def learning_service(
    make_settings: type[Settings], data_dir: Path, sqlite_url: str, clock: FakeClock
) -> AsyncIterator[Service]:
    settings = make_settings(
        database_url=sqlite_url,
        data_dir=data_dir,
        knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
        knowledge_watch=False,
        knowledge_sync_minutes=0,
    )
    service = await Service.start(settings, clock=clock)
    yield service
    await service.close()


def _me(service: Service) -> Caller:
    return console_caller(service.settings.locale)


def _concepts(service: Service, count: int) -> list[Concept]:
    return [c for c in service.concepts() if c.category == STATS_TOPIC][:count]


async def _graded(service: Service, count: int = 2, *, well: bool = True) -> None:
    for concept in _concepts(service, count):
        await service.grade(_me(service), concept, concept.definition if well else "모르겠어요")


async def _session(service: Service, *lines: str) -> str:
    out = io.StringIO()
    console = Console(service, out)
    await console.run(io.StringIO("".join(f"{line}\n" for line in lines)), interactive=False)
    return out.getvalue()


def _saved(text: str, data_dir: Path) -> list[Path]:
    """The files the console said it saved, in order."""
    pattern = message_pattern("console_file_saved")
    prefix = t("console_file_saved", "ko", path="\0").partition("\0")[0]
    return [
        Path(line.removeprefix(prefix).strip())
        for line in text.splitlines()
        if pattern.fullmatch(line) and line.startswith(prefix)
    ]


# --- /review ---------------------------------------------------------------------------------


async def test_review_with_nothing_due_says_when_and_anyway_runs_a_session(
    learning_service: Service,
) -> None:
    assert t("review_no_cards", "ko") in await _session(learning_service, "/review")
    await _graded(learning_service, 2)
    text = await _session(learning_service, "/review")
    assert message_pattern("review_none_due").search(text)
    assert f"/review anyway ({t('action_review_anyway', 'ko')})" in text, "what to type"

    concept = _concepts(learning_service, 1)[0]
    text = await _session(learning_service, "/review anyway", concept.definition, "/stop")
    assert message_pattern("review_intro_cram", count=2).search(text)
    assert message_pattern("question_title", number=1, total=2).search(text)
    assert t("field_hits", "ko") in text, "a plain line answers the review"
    assert t("summary_title", "ko") in text
    assert t("console_review_usage", "ko") in await _session(learning_service, "/review now")


async def test_due_cards_are_said_on_start_and_reviewed(
    learning_service: Service, clock: FakeClock
) -> None:
    await _graded(learning_service, 2, well=False)
    clock.set(EVENING_IN_SEOUL)
    text = await _session(learning_service, "/review", "귀무가설", "/stop")
    intro = message_pattern("review_intro", count=2).search(text)
    assert intro is not None
    assert t("nudge_title", "ko") in text[: intro.start()], "said on start"
    assert "→ /review (" in text


# --- /remind and the reminder runner ---------------------------------------------------------


async def test_remind_on_status_off_and_the_runner_prints_the_nudge_once(
    learning_service: Service, clock: FakeClock
) -> None:
    text = await _session(learning_service, "/remind on 21:00 Asia/Seoul", "/remind")
    assert t("remind_on", "ko", time="21:00", zone="Asia/Seoul") in text
    assert message_pattern("remind_status_on", time="21:00", zone="Asia/Seoul").search(text)
    assert t("console_remind_usage", "ko") in await _session(learning_service, "/remind later")

    await _graded(learning_service, 1, well=False)
    clock.set(EVENING_IN_SEOUL)
    out = io.StringIO()
    console = Console(learning_service, out)
    assert await console.reminders.tick() == 1
    assert t("nudge_title", "ko") in out.getvalue()
    again = Console(learning_service, io.StringIO())  # a restart: the day's nudge went out
    assert await again.reminders.tick() == 0

    text = await _session(learning_service, "/remind off", "/remind status")
    assert t("remind_off", "ko") in text
    assert message_pattern("remind_status_off").search(text)


# --- /stats and /export: files ---------------------------------------------------------------


async def test_stats_save_the_chart_under_a_new_name_each_time(
    learning_service: Service, data_dir: Path
) -> None:
    await _graded(learning_service, 3)
    text = await _session(learning_service, "/stats", "/stats")
    assert message_pattern("stats_title").search(text)
    first, second = _saved(text, data_dir)
    assert first == data_dir / "files" / "stats.png"
    assert second == data_dir / "files" / "stats-2.png"
    for path in (first, second):
        png = path.read_bytes()
        assert png.startswith(PNG_SIGNATURE) and png[12:16] == b"IHDR"


async def test_export_saves_the_answers_as_csv_and_an_anki_deck(
    learning_service: Service, data_dir: Path
) -> None:
    await _graded(learning_service, 2, well=False)
    text = await _session(learning_service, "/export")
    saved = {path.name: path for path in _saved(text, data_dir)}
    assert set(saved) == {"answers.csv", "weakest-anki.txt"}
    rows = list(csv.reader(io.StringIO(saved["answers.csv"].read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["answered_at", "term", "score"] and len(rows) == 3
    assert {row[1] for row in rows[1:]} == {c.term for c in _concepts(learning_service, 2)}
    deck = saved["weakest-anki.txt"].read_text(encoding="utf-8").splitlines()
    assert deck[0] == "#separator:tab" and any("\t" in line for line in deck[3:])


def test_saved_files_keep_to_the_folder_and_never_overwrite(tmp_path: Path) -> None:
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("..\\x.csv") == "x.csv"
    assert safe_name("...") == "file"
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "a.txt").write_bytes(b"old")
    assert free_path(tmp_path / "files", "a.txt").name == "a-2.txt"
    (path,) = save_files(tmp_path, [Attachment("a.txt", b"new", "text/plain")])
    assert path.name == "a-2.txt" and path.read_bytes() == b"new"
    assert (tmp_path / "files" / "a.txt").read_bytes() == b"old"


# --- /leaderboard ----------------------------------------------------------------------------


async def test_the_leaderboard_and_its_opt_out(learning_service: Service) -> None:
    await _graded(learning_service, 2)
    name = _me(learning_service).display_name or "console"
    text = await _session(learning_service, "/leaderboard")
    assert t("leaderboard_title_week", "ko") in text
    assert t("leaderboard_empty", "ko") not in text
    text = await _session(learning_service, "/leaderboard all 1", "/leaderboard optout")
    assert t("leaderboard_title_all", "ko") in text
    assert t("leaderboard_opted_out", "ko") in text
    after = await _session(learning_service, "/leaderboard all")
    assert t("leaderboard_empty", "ko") in after and name not in after.splitlines()[-3:]
    assert t("leaderboard_opted_in", "ko") in await _session(learning_service, "/leaderboard optin")
    usage = await _session(learning_service, "/leaderboard monthly")
    assert t("console_leaderboard_usage", "ko") in usage


async def test_help_lists_the_learning_commands(learning_service: Service) -> None:
    text = await _session(learning_service, "/help")
    for command in ("/review", "/remind", "/stats", "/leaderboard", "/export"):
        assert command in text
    english = t("help_body", "en")
    assert all(c in english for c in ("/review", "/remind", "/stats", "/leaderboard", "/export"))
