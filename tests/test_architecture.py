"""The house rules, enforced by folder: dependencies point one way and the import graph of
``bot/`` has no cycle (imports inside functions and under TYPE_CHECKING included)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"
PLATFORM = ("discord", "slack_bolt", "slack_sdk", "aiohttp", "prompt_toolkit")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(BOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(BOT.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in the file; ``from bot.x import y`` names the
    module ``bot.x.y`` when that is a module of ours, else ``bot.x``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path.parent)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                names.add(candidate if candidate in MODULES else base)
    return names


def _in(folder: str) -> list[Path]:
    return sorted((BOT / folder).rglob("*.py"))


def _ids(path: Path) -> str:
    return str(path.relative_to(BOT))


def _bad(path: Path, *forbidden: str) -> set[str]:
    return {
        name
        for name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    }


@pytest.mark.parametrize("path", _in("core"), ids=_ids)
def test_the_core_is_pure(path: Path) -> None:
    bad = _bad(
        path, "sqlalchemy", "bot.db", "bot.config", "bot.app", "bot.adapters", "bot.testing"
    ) | _bad(path, *PLATFORM)
    assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize("path", _in("app"), ids=_ids)
def test_the_application_knows_no_front_end(path: Path) -> None:
    bad = _bad(path, "bot.adapters", "bot.testing", *PLATFORM)
    assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize("path", _in("db"), ids=_ids)
def test_the_database_layer_knows_only_the_models(path: Path) -> None:
    bot_imports = {n for n in _imports(path) if n.startswith("bot.")}
    allowed = {n for n in bot_imports if n.startswith("bot.db") or n == "bot.config"}
    bad = bot_imports - allowed - {"bot.core.models"}
    assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize("path", _in("adapters"), ids=_ids)
def test_front_ends_never_touch_the_database(path: Path) -> None:
    bad = _bad(path, "sqlalchemy", "bot.db", "bot.testing")
    assert not bad, f"{path} imports {bad}"


def test_only_tests_and_benchmarks_use_the_test_doubles() -> None:
    users = [m for m, path in MODULES.items() if "bot.testing" in _imports(path)]
    assert users == [], users


def _cycle() -> list[str] | None:
    graph = {
        module: sorted(n for n in _imports(path) if n in MODULES and n != module)
        for module, path in MODULES.items()
    }
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in graph[module]:
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in graph:
        if module not in state and (found := visit(module)):
            return found
    return None


def test_the_import_graph_has_no_cycle() -> None:
    cycle = _cycle()
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_check_sees_a_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    real = _imports

    def with_a_cycle(path: Path) -> set[str]:
        names = real(path)
        if _module_name(path) == "bot.core.models":
            names.add("bot.core.messages")
        if _module_name(path) == "bot.core.messages":
            names.add("bot.core.models")
        return names

    monkeypatch.setitem(globals(), "_imports", with_a_cycle)
    assert _cycle() is not None


@pytest.mark.parametrize(
    "path", [p for p in sorted(BOT.rglob("__init__.py"))], ids=lambda p: _ids(p.parent)
)
def test_every_package_says_what_it_owns(path: Path) -> None:
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert docstring, f"{path} has no docstring"
