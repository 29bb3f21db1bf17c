"""An already-ingested note that cannot be read any more (permissions changed, a disk error) once
stopped every front end from starting with a traceback from the "notes unchanged" check. Each
front end starts, serves what it has, and names the file it could not read.

Root reads through permission bits, so a note whose link now points at ``/proc/self/mem`` (reading
it fails with an I/O error for anyone) stands in for the unreadable file; the permission case
itself runs when not root.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.adapters.slack.app import SlackFrontEnd
from bot.app.service import Service
from bot.config import Settings
from tests.fakes.slack import FakeSlack, serve_bolt_http
from tests.fakes.slack.driver import fake_slack as fake_slack
from tests.fakes.slack.driver import no_proxy_env as no_proxy_env
from tests.fakes.slack.driver import task_leak_guard as task_leak_guard

TIMEOUT_S = 120
NOTES = "# 운영체제\n\n## 프로세스\n- 프로세스 - 실행 중인 프로그램으로 메모리를 할당받는다.\n"
LINKED = "# 네트워크\n\n## TCP\n- TCP - 연결 지향 전송 프로토콜로 신뢰성을 보장한다.\n"


def _env(tmp_path: Path, paths: list[Path]) -> dict[str, str]:
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path / "data"),
        "KNOWLEDGE_PATHS": ",".join(map(str, paths)),
        "TOKENIZER_PROCESS": "false",
    }
    env.pop("DATABASE_URL", None)
    return env


def _run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=env["DATA_DIR"].rsplit("/", 1)[0],
        timeout=TIMEOUT_S,
        check=False,
    )


@pytest.fixture
def broken_link(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A folder note and a linked note, both ingested; then the link's target fails every read."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "os.md").write_text(NOTES, encoding="utf-8")
    (tmp_path / "network.md").write_text(LINKED, encoding="utf-8")
    link = tmp_path / "linked.md"
    link.symlink_to(tmp_path / "network.md")
    env = _env(tmp_path, [folder, link])
    assert _run(env, "ingest").returncode == 0
    link.unlink()
    link.symlink_to("/proc/self/mem")
    with pytest.raises(OSError):
        link.read_bytes()
    return env, link


def test_define_starts_serves_the_stored_note_and_names_the_file(
    broken_link: tuple[dict[str, str], Path],
) -> None:
    env, link = broken_link
    done = _run(env, "define", "TCP")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "신뢰성을 보장" in done.stdout, "the unreadable note's stored concept is still served"
    assert str(link) in done.stderr


def test_the_console_starts_and_serves_both_notes(
    broken_link: tuple[dict[str, str], Path],
) -> None:
    env, link = broken_link
    done = _run(env, "console", stdin="/define TCP\n/define 프로세스\n")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "신뢰성을 보장" in done.stdout
    assert "메모리를 할당" in done.stdout
    assert str(link) in done.stderr


async def test_the_slack_front_end_starts_and_answers(
    make_settings: type[Settings],
    broken_link: tuple[dict[str, str], Path],
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    env, link = broken_link
    settings = make_settings(
        database_url="",
        data_dir=Path(env["DATA_DIR"]),
        knowledge_paths=[Path(p) for p in env["KNOWLEDGE_PATHS"].split(",")],
    )
    service = await Service.start(settings)
    try:
        assert service.concept_count == 2
        assert str(link) in caplog.text
        front = SlackFrontEnd(
            service,
            token=fake_slack.bot_token,
            signing_secret=fake_slack.signing_secret,
            client=fake_slack.web_client(),
        )
        async with serve_bolt_http(front.app) as url:
            await fake_slack.http(url).slash_command("/define", "TCP")
            reply = await fake_slack.wait_for_message(lambda m: "신뢰성을 보장" in m.all_text())
        assert reply.from_bot
    finally:
        await service.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permission bits")
def test_a_note_without_read_permission_in_a_folder_is_skipped_and_kept(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "os.md").write_text(NOTES, encoding="utf-8")
    locked = folder / "network.md"
    locked.write_text(LINKED, encoding="utf-8")
    env = _env(tmp_path, [folder])
    assert _run(env, "ingest").returncode == 0
    locked.chmod(0)
    try:
        done = _run(env, "define", "TCP")
    finally:
        locked.chmod(0o600)
    assert done.returncode == 0, done.stderr
    assert "신뢰성을 보장" in done.stdout
    assert str(locked) in done.stderr
