"""The house rules, enforced: dependencies point one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"
PLATFORM = ("discord", "slack_bolt", "slack_sdk", "aiohttp", "prompt_toolkit")
ORCHESTRATORS = {
    "service.py",
    "ingest.py",
    "keypoint_stage.py",
    "interviews.py",
    "daily_service.py",
    "daily_runner.py",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


@pytest.mark.parametrize("path", _files(BOT / "core"), ids=lambda p: str(p.relative_to(BOT)))
def test_core_never_imports_a_platform(path: Path) -> None:
    bad = {n for n in _imports(path) if n.split(".")[0] in PLATFORM or n.startswith("bot.adapters")}
    assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize("path", _files(BOT / "core"), ids=lambda p: str(p.relative_to(BOT)))
def test_pure_core_does_no_database_work(path: Path) -> None:
    if path.name in ORCHESTRATORS:
        return
    bad = {n for n in _imports(path) if n.split(".")[0] == "sqlalchemy" or n.startswith("bot.db")}
    assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize("path", _files(BOT / "adapters"), ids=lambda p: str(p.relative_to(BOT)))
def test_front_ends_never_touch_the_database(path: Path) -> None:
    bad = {n for n in _imports(path) if n.split(".")[0] == "sqlalchemy" or n.startswith("bot.db")}
    assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize("path", _files(BOT / "db"), ids=lambda p: str(p.relative_to(BOT)))
def test_database_layer_knows_no_front_end(path: Path) -> None:
    bad = {n for n in _imports(path) if n.startswith(("bot.adapters", "bot.core.service"))}
    assert not bad, f"{path} imports {bad}"
