"""The deployment files say what the README says: the compose file mounts your notes and points
``KNOWLEDGE_PATHS`` at them, ``.env`` is optional, and the image and the compose service check
health with ``interview-bot health``, which answers 0 only on a current schema."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from bot.config import PROJECT_ROOT

TIMEOUT_S = 120


def _bot_service() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text("utf-8"))
    service: dict[str, Any] = compose["services"]["bot"]
    return service


def test_compose_mounts_the_notes_where_knowledge_paths_points() -> None:
    bot = _bot_service()
    mounts = {volume.split(":")[1]: volume for volume in bot["volumes"]}
    notes = bot["environment"]["KNOWLEDGE_PATHS"]
    assert notes in mounts and mounts[notes].endswith(":ro")
    assert "/data" in mounts, "the bot's own files survive a new container"


def test_env_file_is_optional_and_health_is_checked() -> None:
    bot = _bot_service()
    assert bot["env_file"] == [{"path": ".env", "required": False}]
    assert bot["healthcheck"]["test"] == ["CMD", "interview-bot", "health"]
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text("utf-8")
    assert 'CMD ["interview-bot", "health"]' in dockerfile


def _health(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=TIMEOUT_S,
        check=False,
    )


def test_health_is_zero_only_on_a_current_schema(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    assert _health(tmp_path, "health").returncode == 1, "an empty database is not healthy"
    assert _health(tmp_path, "migrate").returncode == 0
    healthy = _health(tmp_path, "health")
    assert healthy.returncode == 0, healthy.stderr
    assert "Traceback" not in healthy.stderr
