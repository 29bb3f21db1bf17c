"""A local git remote for tests: a bare repository and a work repository that pushes to it,
driven by the real git program with the machine's and the user's configuration shut out."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

AUTHOR = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
}


def isolate_git(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Neither the tests' git nor the bot's reads the machine's or the user's git config."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("HOME", str(home))
    for name, value in AUTHOR.items():
        monkeypatch.setenv(name, value)


def git(cwd: Path, *args: str) -> str:
    """Run git for the test's own setup; fail loudly."""
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C"},
    )
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout.strip()


class Remote:
    """A bare repository and a work repository that pushes to it (branch ``main``)."""

    def __init__(self, root: Path, name: str = "notes.git") -> None:
        self.root = root
        self.bare = root / name
        self.work = root / "work"
        self.work.mkdir(parents=True)
        git(root, "init", "-q", "--bare", "-b", "main", str(self.bare))
        git(self.work, "init", "-q", "-b", "main")
        git(self.work, "remote", "add", "origin", str(self.bare))

    @property
    def url(self) -> str:
        return self.bare.as_uri()

    def commit(self, files: dict[str, str | None], message: str = "notes") -> str:
        """Write (or with None delete) files, commit them all and return the commit."""
        for name, text in files.items():
            path = self.work / name
            if text is None:
                path.unlink()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "-m", message)
        return git(self.work, "rev-parse", "HEAD")

    def push(self, *extra: str, branch: str = "main") -> None:
        git(self.work, "push", "-q", *extra, "origin", f"HEAD:refs/heads/{branch}")

    def head(self, branch: str = "main") -> str:
        return git(self.bare, "rev-parse", f"refs/heads/{branch}")
