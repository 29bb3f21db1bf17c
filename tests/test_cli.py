"""The command line as a person or a script uses it: whole processes, a real SQLite file."""

from __future__ import annotations

import json
import os
import pty
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.messages import t
from tests.wording import message_pattern

TIMEOUT_S = 120
STATS = "통계적 개념"  # a category of the shipped notes


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("cli")
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{data / 'cli.sqlite3'}",
        "DATA_DIR": str(data),
        "LOCALE": "ko",
    }
    environment.pop("KNOWLEDGE_PATHS", None)
    return environment


def run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT_S,
        check=False,
    )


def test_define_json_confident_match_exits_0(env: dict[str, str]) -> None:
    done = run(env, "define", "--json", "도커")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["query"] == "도커"
    assert payload["match"]["term"] == "Docker"
    assert payload["match"]["source"] == "knowledge/interview-notes.md:14"
    assert set(payload["match"]) == {"term", "aliases", "category", "definition", "source", "score"}


def test_define_unknown_exits_1_with_null_match(env: dict[str, str]) -> None:
    done = run(env, "define", "--json", "kubernetes")
    assert done.returncode == 1
    assert json.loads(done.stdout)["match"] is None


def test_define_ambiguous_gives_suggestions(env: dict[str, str]) -> None:
    payload = json.loads(run(env, "define", "--json", "회귀").stdout)
    assert payload["match"] is None
    assert {s["term"] for s in payload["suggestions"]} >= {"선형회귀", "로지스틱 회귀"}


def test_define_labels_the_runners_up_of_a_confident_match(env: dict[str, str]) -> None:
    done = run(env, "define", "귀무가설")
    assert done.returncode == 0, done.stderr
    assert f"{t('define_related_title', 'ko')}\n  1. 대립가설" in done.stdout
    english = run({**env, "LOCALE": "en"}, "define", "귀무가설")
    assert f"{t('define_related_title', 'en')}\n  1. 대립가설" in english.stdout


def test_grade_of_an_ambiguous_term_lists_the_terms_to_grade_against(env: dict[str, str]) -> None:
    done = run(env, "grade", "회귀", "선형 관계를 직선으로 나타내요")
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[0] == t("grade_cli_choose", "ko", query="회귀")
    commands = [line.split(": grade ", 1)[1] for line in lines[1:]]
    assert len(commands) == 2 and all(c.endswith(" ...") for c in commands)
    assert {shlex.split(c)[0].split(" §")[0] for c in commands} == {"선형회귀", "로지스틱 회귀"}
    term = shlex.split(commands[0])[0]
    assert run(env, "grade", term, "선형 관계").returncode == 0, "the listed term grades"

    as_json = run(env, "grade", "--json", "회귀", "선형 관계")
    payload = json.loads(as_json.stdout)
    assert payload["error"] == "grade_cli_choose"
    assert [c["term"] for c in payload["choices"]] == [shlex.split(c)[0] for c in commands]


def test_grade_json(env: dict[str, str]) -> None:
    done = run(
        env, "grade", "--json", "cnn", "합성곱 층에서 커널로 특징 맵을 만들고 풀링으로 줄인다"
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) == {"answer_id", "term", "score", "band", "hits", "misses", "reference"}
    assert payload["term"] == "CNN" and payload["score"] > 0
    assert {h["point"] for h in payload["hits"]} >= {"합성곱"}


def test_a_bad_notes_file_is_reported_without_a_traceback(
    env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "bad.md").write_bytes(b"Alpha - ok\n\x00\x00\x00")
    done = run(env, "ingest", "--strict", str(tmp_path))
    assert done.returncode == 2
    assert "bad.md:2" in done.stderr and "Traceback" not in done.stderr
    skipped = run(env, "ingest", str(tmp_path))
    assert skipped.returncode == 0, "in a folder a bad file is skipped, the rest loads"
    assert "bad.md:2" in skipped.stderr and "Traceback" not in skipped.stderr
    assert message_pattern("file_skipped").search(skipped.stderr)


def test_ingest_prints_a_summary(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "mine.md").write_text("Kubernetes - 컨테이너 오케스트레이션\n", encoding="utf-8")
    done = run(env, "ingest", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert message_pattern("ingest_summary", added=1).search(done.stdout)
    assert run(env, "define", "kubernetes").returncode == 0


def test_ingest_draws_a_progress_bar_on_a_terminal_only(
    env: dict[str, str], tmp_path: Path
) -> None:
    for number in range(3):
        (tmp_path / f"n{number}.md").write_text(
            f"개념{number} - 진행 표시 확인용 설명 {number}\n", encoding="utf-8"
        )
    piped = run(env, "ingest", str(tmp_path))
    assert piped.returncode == 0, piped.stderr
    assert "\r" not in piped.stderr and t("ingest_progress_files", "ko") not in piped.stderr
    (tmp_path / "n0.md").write_text("개념0 - 바뀐 설명\n", encoding="utf-8")
    terminal, stderr = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "ingest", str(tmp_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
        )
        os.close(stderr)
        drawn = b""
        while chunk := _read_pty(terminal):  # read as it comes: a full terminal would block it
            drawn += chunk
        out, _ = process.communicate(timeout=TIMEOUT_S)
    finally:
        os.close(terminal)
    done = subprocess.CompletedProcess(process.args, process.returncode, out.decode(), "")
    assert done.returncode == 0
    text = drawn.decode("utf-8", errors="replace")
    assert t("ingest_progress_files", "ko") in text and "3/3" in text
    assert t("ingest_progress_key_points", "ko") in text and "1/1" in text
    assert message_pattern("ingest_summary", changed=1).search(done.stdout)


def _read_pty(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # the other end closed
        return b""


def test_piped_console_answers_and_exits_at_end_of_input(env: dict[str, str]) -> None:
    done = run(env, "console", stdin="/define cnn\n/help\n")
    assert done.returncode == 0, done.stderr
    assert "CNN (합성곱 신경망)" in done.stdout and t("help_body", "ko") in done.stdout
    assert "\x1b[" not in done.stdout, "no colour codes when piped"


def test_an_interview_survives_a_restart(env: dict[str, str]) -> None:
    first = run(env, "console", stdin="/interview 통계 2\n")
    assert t("question_title", "ko", number=1, total=2, category=STATS) in first.stdout
    second = run(env, "console", stdin="귀무가설은 차이가 없다는 전제의 가설\n/stop\n")
    assert t("interview_resumed", "ko") in second.stdout
    question = t("question_title", "ko", number=1, total=2, category=STATS)
    assert second.stdout.index(t("interview_resumed", "ko")) < second.stdout.index(question)
    assert t("field_hits", "ko") in second.stdout and t("summary_title", "ko") in second.stdout


def test_run_without_credentials_names_the_missing_variables(env: dict[str, str]) -> None:
    clean = {k: v for k, v in env.items() if not k.startswith(("DISCORD_", "SLACK_"))}
    done = run(clean, "run")
    assert done.returncode == 2
    assert "DISCORD_TOKEN" in done.stderr and "SLACK_BOT_TOKEN" in done.stderr


def test_grade_names_the_choices_when_several_notes_have_the_term(
    env: dict[str, str], tmp_path: Path
) -> None:
    own = {**env, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'same.sqlite3'}"}
    for folder, text in (("net", "출처가 다른 요청을 허용하는 정책."), ("web", "교차 출처 공유.")):
        (tmp_path / "notes" / folder).mkdir(parents=True)
        (tmp_path / "notes" / folder / "cors.md").write_text(f"## CORS\n{text}\n")
    assert run(own, "ingest", str(tmp_path / "notes")).returncode == 0
    done = run(own, "grade", "--json", "CORS", "다른 출처의 요청을 허용")
    assert done.returncode == 1
    assert t("grade_cli_choose", "ko", query="CORS") in done.stderr
    assert json.loads(done.stdout)["error"] == "grade_cli_choose"
    lines = [line for line in done.stderr.splitlines() if "grade " in line]
    assert len(lines) == 2
    assert {"net/cors.md" in line for line in lines} == {True, False}
    argument = lines[0].split("grade ", 1)[1].removesuffix(" ...").strip("'")
    graded = run(own, "grade", "--json", argument, "다른 출처의 요청을 허용")
    assert graded.returncode == 0, graded.stderr
    assert json.loads(graded.stdout)["term"] == "CORS"


def test_a_grade_is_appealed_and_the_appeals_show_the_concept_with_its_rate(
    env: dict[str, str], tmp_path: Path
) -> None:
    own = {**env, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'appeals.sqlite3'}"}
    graded = run(own, "grade", "--json", "docker", "가상화 기술")
    assert graded.returncode == 0, graded.stderr
    answer_id = json.loads(graded.stdout)["answer_id"]
    shown = run(own, "grade", "docker", "컨테이너로 격리해요")
    assert shown.returncode == 0, shown.stderr
    assert message_pattern("appeal_cli_hint").search(shown.stdout), "says how to appeal"

    appealed = run(own, "appeal", str(answer_id), "컨테이너", "기술이라고", "했어요")
    assert appealed.returncode == 0, appealed.stderr
    assert t("appeal_recorded_title", "ko") in appealed.stdout
    again = run(own, "appeal", str(answer_id))
    assert again.returncode == 0 and t("appeal_already_title", "ko") in again.stdout
    missing = run(own, "appeal", "999999")
    assert missing.returncode == 2 and t("appeal_no_answer", "ko") in missing.stderr

    listed = run(own, "appeals")
    assert listed.returncode == 0, listed.stderr
    line = t("appeals_concept_line", "ko", term="Docker", appeals=1, graded=2, rate=50)
    assert line in listed.stdout
    assert t("appeals_note_line", "ko", note="컨테이너 기술이라고 했어요") in listed.stdout


def test_a_closed_pipe_ends_quietly(env: dict[str, str]) -> None:
    done = subprocess.run(
        f"{shlex.quote(sys.executable)} -m bot define --json 도커 | head -c 1",
        shell=True,
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def test_an_unreachable_database_is_one_clear_line(env: dict[str, str]) -> None:
    unreachable = {**env, "DATABASE_URL": "postgresql+asyncpg://bot:secret@127.0.0.1:9/none"}
    done = run(unreachable, "define", "--json", "도커")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "secret" not in done.stderr
    assert message_pattern("database_unreachable").search(done.stderr)
    assert json.loads(done.stdout)["error"] == "database_unreachable"


def test_refusals_print_json_with_json(env: dict[str, str]) -> None:
    done = run(env, "define", "--json", " ")
    assert done.returncode == 2
    assert json.loads(done.stdout)["error"] == "define_empty_query"


def test_migrate_speaks_the_configured_language(env: dict[str, str]) -> None:
    done = run({**env, "LOCALE": "en"}, "migrate")
    assert done.returncode == 0
    assert done.stdout.strip() in {t("migrate_done", "en"), t("migrate_up_to_date", "en")}
