"""A git repository as a notes source, against the real git program: a bare repository in
tmp_path (fed by a work repository that commits and pushes), a ``git daemon`` on 127.0.0.1 for
``git://``, closed and silent ports for the failures. No network, no global git config."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app.git_source import (
    GitSpec,
    GitSync,
    check_allowed,
    parse_git_spec,
    redact,
    sync_checkout,
    url_scheme,
)
from bot.core.errors import BadInput, error_text
from tests.gitrepo import Remote, git, isolate_git


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Neither the tests' git nor the bot's reads the machine's or the user's git config."""
    isolate_git(monkeypatch, tmp_path)


@pytest.fixture
def remote(tmp_path: Path) -> Remote:
    origin = Remote(tmp_path / "origin")
    origin.commit({"os.md": "# OS\n- Process - v1\n", "docs/os/a.md": "# A\n"})
    origin.push()
    return origin


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def failure(error: pytest.ExceptionInfo[BadInput], key: str = "git_sync_failed") -> str:
    assert error.value.key == key, error.value.params
    return str(error.value.params.get("reason", ""))


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (outside .git) with its text."""
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(folder).parts
    }


# --- the setting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "url", "branch", "subdir"),
    [
        ("https://github.com/o/r", "https://github.com/o/r", None, ""),
        ("https://github.com/o/r.git", "https://github.com/o/r.git", None, ""),
        ("  https://github.com/o/r.git  ", "https://github.com/o/r.git", None, ""),
        ("https://h/o/r.git:docs/os", "https://h/o/r.git", None, "docs/os"),
        ("https://h/o/r.git:docs/os/", "https://h/o/r.git", None, "docs/os"),
        ("https://h/o/r.git:./docs//os", "https://h/o/r.git", None, "docs/os"),
        ("https://h/o/r#main", "https://h/o/r", "main", ""),
        ("https://h/o/r#feature/x:notes", "https://h/o/r", "feature/x", "notes"),
        ("https://h/o/r.git#:notes", "https://h/o/r.git", None, "notes"),
        ("https://h:8443/o/r.git", "https://h:8443/o/r.git", None, ""),
        ("http://h/o/r.git:a", "http://h/o/r.git", None, "a"),
        ("git://127.0.0.1:9418/r.git", "git://127.0.0.1:9418/r.git", None, ""),
        ("git://127.0.0.1:9418/r.git:a", "git://127.0.0.1:9418/r.git", None, "a"),
        ("ssh://git@h:22/o/r.git#dev:a/b", "ssh://git@h:22/o/r.git", "dev", "a/b"),
        ("ssh://h.git:22/o/r", "ssh://h.git:22/o/r", None, ""),
        ("git@github.com:o/r.git", "git@github.com:o/r.git", None, ""),
        ("git@github.com:o/r.git:notes", "git@github.com:o/r.git", None, "notes"),
        ("git@host.git:o/r", "git@host.git:o/r", None, ""),
        ("git@github.com:o/r#main:notes", "git@github.com:o/r", "main", "notes"),
        ("file:///srv/notes.git", "file:///srv/notes.git", None, ""),
        ("file:///srv/notes.git:os", "file:///srv/notes.git", None, "os"),
        ("/srv/notes", "/srv/notes", None, ""),
        ("/srv/notes.git:os", "/srv/notes.git", None, "os"),
        ("./notes.git:os", "./notes.git", None, "os"),
        ("../notes#main", "../notes", "main", ""),
        ("https://h/o/r.git:a..b", "https://h/o/r.git", None, "a..b"),
    ],
)
def test_a_spec_is_read_into_url_branch_and_subdir(
    text: str, url: str, branch: str | None, subdir: str
) -> None:
    assert parse_git_spec(text) == GitSpec(url=url, branch=branch, subdir=subdir)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "#main",
        "https://h/o/r.git:/etc",
        "https://h/o/r.git:../x",
        "https://h/o/r.git:a/../../x",
        "https://h/o/r#main:/abs",
        "https://h/o/r#main:docs/../..",
        "https://h/o/r#-upload-pack=x",
        "https://h/o/r#a..b",
        "https://h/o/r#a b",
        "--upload-pack=touch /tmp/x",
        "https://h/o r",
    ],
)
def test_an_unusable_spec_is_refused(text: str) -> None:
    with pytest.raises(BadInput) as error:
        parse_git_spec(text)
    assert error.value.key == "git_spec_invalid"
    assert error.value.params == {"spec": text}


def test_a_refused_spec_never_shows_its_password() -> None:
    with pytest.raises(BadInput) as error:
        parse_git_spec("https://me:s3cret@h/o/r.git:../x")
    assert "s3cret" not in str(error.value.params)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("https://github.com/owner/repo.git", "owner/repo"),
        ("https://tok3n@github.com/owner/repo", "owner/repo"),
        ("https://gitlab.com/group/sub/repo.git#dev:notes", "sub/repo#dev"),
        ("git@github.com:owner/repo.git", "owner/repo"),
        ("ssh://git@h:22/owner/repo.git", "owner/repo"),
        ("git://127.0.0.1:9418/notes.git", "notes"),
        ("file:///srv/git/notes.git", "notes"),
        ("/srv/notes/", "notes"),
        ("/srv/notes/.git", "notes"),
        ("./notes#main", "notes#main"),
    ],
)
def test_a_spec_has_a_short_label(text: str, label: str) -> None:
    assert parse_git_spec(text).label == label


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("https://h/o/r", "https"),
        ("HTTPS://h/o/r", "https"),
        ("http://h/o/r", "http"),
        ("git://h/r", "git"),
        ("ssh://h/r", "ssh"),
        ("git+ssh://h/r", "ssh"),
        ("git@h:o/r.git", "ssh"),
        ("h:o/r.git", "ssh"),
        ("file:///srv/r", "file"),
        ("/srv/r", "file"),
        ("./r", "file"),
        ("r", "file"),
        ("ext::sh -c touch% /tmp/x", "ext"),
        ("fd::3", "fd"),
    ],
)
def test_the_transport_of_each_url_shape(url: str, scheme: str) -> None:
    assert url_scheme(url) == scheme


@pytest.mark.parametrize(
    "url", ["file:///srv/r.git", "/srv/r", "./r", "ext::sh -c x", "git@h:o/r", "http://h/r"]
)
def test_only_the_allowed_schemes_pass(url: str) -> None:
    with pytest.raises(BadInput) as error:
        check_allowed(GitSpec(url), {"https"})
    assert error.value.key == "git_scheme_refused"
    assert error.value.params["allowed"] == "https"
    check_allowed(GitSpec("https://h/o/r.git"), {"https"})
    check_allowed(GitSpec(url), {"https", "http", "ssh", "file", "ext", "git"})


def test_a_refused_scheme_names_the_url_without_credentials() -> None:
    with pytest.raises(BadInput) as error:
        check_allowed(GitSpec("http://me:s3cret@h/o/r.git"), {"ssh", "https"})
    assert error.value.params == {"url": "http://h/o/r.git", "allowed": "https, ssh"}
    assert "s3cret" not in error_text(error.value, "en")


def test_redact_removes_every_userinfo() -> None:
    text = "fatal: unable to access 'https://u:p@h/x/': see also ssh://git@h2/y and http://t@h3"
    assert (
        redact(text) == "fatal: unable to access 'https://h/x/': see also ssh://h2/y and http://h3"
    )


# --- syncing over file:// -------------------------------------------------------------------


async def test_a_first_sync_clones_shallowly(remote: Remote, tmp_path: Path) -> None:
    dest = tmp_path / "data" / "checkouts" / "notes"
    synced = await sync_checkout(GitSpec(remote.url), dest)
    assert synced == GitSync(commit=remote.head(), previous=None, path=dest)
    assert synced.changed
    assert (dest / "os.md").read_text(encoding="utf-8") == "# OS\n- Process - v1\n"
    assert git(dest, "rev-parse", "--is-shallow-repository") == "true"
    assert os.listdir(dest.parent) == ["notes"]  # no staging folder left behind


async def test_an_empty_folder_is_cloned_into(remote: Remote, tmp_path: Path) -> None:
    dest = tmp_path / "notes"
    dest.mkdir()
    synced = await sync_checkout(GitSpec(remote.url), dest)
    assert synced.commit == remote.head() and (dest / "os.md").exists()


async def test_a_new_commit_shows_up_on_the_next_sync(remote: Remote, tmp_path: Path) -> None:
    dest = tmp_path / "notes"
    first = await sync_checkout(GitSpec(remote.url), dest)
    again = await sync_checkout(GitSpec(remote.url), dest)
    assert again == GitSync(commit=first.commit, previous=first.commit, path=dest)
    assert not again.changed

    (dest / "stray.md").write_text("left by hand", encoding="utf-8")
    (dest / "os.md").write_text("edited by hand", encoding="utf-8")
    second = remote.commit({"os.md": "# OS\n- Process - v2\n", "docs/os/a.md": None})
    remote.push()
    synced = await sync_checkout(GitSpec(remote.url), dest)
    assert synced == GitSync(commit=second, previous=first.commit, path=dest)
    assert synced.changed
    assert snapshot(dest) == {"os.md": "# OS\n- Process - v2\n"}


async def test_a_force_push_lands(remote: Remote, tmp_path: Path) -> None:
    dest = tmp_path / "notes"
    remote.commit({"os.md": "# OS\n- Process - wrong\n"})
    remote.push()
    before = await sync_checkout(GitSpec(remote.url), dest)

    (remote.work / "os.md").write_text("# OS\n- Process - rewritten\n", encoding="utf-8")
    git(remote.work, "commit", "-q", "-a", "--amend", "-m", "rewritten")
    remote.push("--force")
    after = await sync_checkout(GitSpec(remote.url), dest)
    assert after.changed and after.previous == before.commit
    assert after.commit == remote.head() != before.commit
    assert (dest / "os.md").read_text(encoding="utf-8") == "# OS\n- Process - rewritten\n"
    assert git(dest, "rev-parse", "HEAD") == remote.head()


async def test_a_named_branch_is_followed(remote: Remote, tmp_path: Path) -> None:
    git(remote.work, "switch", "-q", "-c", "drafts")
    drafts = remote.commit({"draft.md": "# Draft\n"})
    remote.push(branch="drafts")
    git(remote.work, "switch", "-q", "main")
    dest = tmp_path / "drafts"
    synced = await sync_checkout(parse_git_spec(f"{remote.url}#drafts"), dest)
    assert synced.commit == drafts and (dest / "draft.md").exists()

    git(remote.work, "switch", "-q", "drafts")
    newer = remote.commit({"draft.md": "# Draft 2\n"})
    remote.push(branch="drafts")
    synced = await sync_checkout(parse_git_spec(f"{remote.url}#drafts"), dest)
    assert synced.commit == newer and synced.previous == drafts
    assert (dest / "draft.md").read_text(encoding="utf-8") == "# Draft 2\n"

    main = await sync_checkout(GitSpec(remote.url), tmp_path / "main")
    assert main.commit == remote.head("main") and not (tmp_path / "main" / "draft.md").exists()


async def test_an_unknown_branch_fails_cleanly(remote: Remote, tmp_path: Path) -> None:
    dest = tmp_path / "notes"
    with pytest.raises(BadInput) as error:
        await sync_checkout(GitSpec(remote.url, branch="nope"), dest)
    assert "nope" in failure(error)
    assert os.listdir(tmp_path) == ["origin"]  # neither dest nor a staging folder

    synced = await sync_checkout(GitSpec(remote.url), dest)
    with pytest.raises(BadInput) as error:
        await sync_checkout(GitSpec(remote.url, branch="nope"), dest)
    assert "nope" in failure(error)
    assert git(dest, "rev-parse", "HEAD") == synced.commit


async def test_the_subdir_is_joined_and_must_exist(remote: Remote, tmp_path: Path) -> None:
    dest = tmp_path / "notes"
    synced = await sync_checkout(parse_git_spec(f"{remote.url}:docs/os"), dest)
    assert synced.path == dest / "docs" / "os" and (synced.path / "a.md").is_file()

    with pytest.raises(BadInput) as error:
        await sync_checkout(parse_git_spec(f"{remote.url}:nowhere"), tmp_path / "other")
    failure(error, "git_subdir_missing")
    assert error.value.params == {"subdir": "nowhere", "url": remote.url}
    assert not (tmp_path / "other").exists()
    assert sorted(os.listdir(tmp_path)) == ["notes", "origin"]

    # A commit that drops the folder is not checked out: the old notes stay readable.
    remote.commit({"docs/os/a.md": None, "os.md": "moved"})
    remote.push()
    with pytest.raises(BadInput) as error:
        await sync_checkout(parse_git_spec(f"{remote.url}:docs/os"), dest)
    failure(error, "git_subdir_missing")
    assert git(dest, "rev-parse", "HEAD") == synced.commit
    assert (dest / "docs" / "os" / "a.md").is_file()


async def test_a_symlink_is_not_a_subdir(remote: Remote, tmp_path: Path) -> None:
    (remote.work / "outside").symlink_to("/etc")
    remote.commit({})
    remote.push()
    with pytest.raises(BadInput) as error:
        await sync_checkout(parse_git_spec(f"{remote.url}:outside"), tmp_path / "notes")
    failure(error, "git_subdir_missing")


# --- failures -------------------------------------------------------------------------------


@pytest.fixture
async def checkout(remote: Remote, tmp_path: Path) -> tuple[Path, str, dict[str, str]]:
    """An existing checkout: its folder, HEAD and files, to compare after a failure."""
    dest = tmp_path / "notes"
    synced = await sync_checkout(GitSpec(remote.url), dest)
    return dest, synced.commit, snapshot(dest)


def unchanged(checkout: tuple[Path, str, dict[str, str]]) -> bool:
    dest, commit, files = checkout
    return git(dest, "rev-parse", "HEAD") == commit and snapshot(dest) == files


async def test_a_missing_repository_fails_and_changes_nothing(
    checkout: tuple[Path, str, dict[str, str]], tmp_path: Path
) -> None:
    missing = (tmp_path / "no-such.git").as_uri()
    with pytest.raises(BadInput) as error:
        await sync_checkout(GitSpec(missing), tmp_path / "fresh")
    assert "does not appear to be a git repository" in failure(error)
    assert not (tmp_path / "fresh").exists()

    dest = checkout[0]
    origin_before = git(dest, "remote", "get-url", "origin")
    with pytest.raises(BadInput) as error:
        await sync_checkout(GitSpec(missing), dest)
    assert "does not appear to be a git repository" in failure(error)
    assert unchanged(checkout)
    assert git(dest, "remote", "get-url", "origin") == origin_before


async def test_a_closed_port_fails_and_changes_nothing(
    checkout: tuple[Path, str, dict[str, str]],
) -> None:
    url = f"git://127.0.0.1:{free_port()}/x"
    with pytest.raises(BadInput) as error:
        await sync_checkout(GitSpec(url), checkout[0])
    assert "Connection refused" in failure(error)
    assert error.value.params["url"] == url
    assert unchanged(checkout)


async def test_ssh_never_prompts(checkout: tuple[Path, str, dict[str, str]]) -> None:
    started = time.monotonic()
    with pytest.raises(BadInput) as error:
        await sync_checkout(GitSpec(f"ssh://git@127.0.0.1:{free_port()}/r.git"), checkout[0])
    assert failure(error)  # "connection refused" (or no ssh program): either way, at once
    assert time.monotonic() - started < 10
    assert unchanged(checkout)


@pytest.mark.parametrize(
    "template",
    [
        "http://me:s3cret@127.0.0.1:{port}/o/r.git",
        # git's complaint names this host without its scheme: "unable to look up me:s3cret@..."
        "git://me:s3cret@127.0.0.1:{port}/r.git",
    ],
)
async def test_credentials_never_reach_the_error(template: str, tmp_path: Path) -> None:
    url = template.format(port=free_port())
    with pytest.raises(BadInput) as error:
        await sync_checkout(GitSpec(url), tmp_path / "notes")
    reason = failure(error)
    assert reason and "127.0.0.1" in reason
    for locale in ("ko", "en"):
        text = error_text(error.value, locale)
        assert "s3cret" not in text and "me:" not in text, text


async def test_a_folder_that_is_no_checkout_is_left_alone(remote: Remote, tmp_path: Path) -> None:
    dest = tmp_path / "notes"
    dest.mkdir()
    (dest / "mine.md").write_text("mine", encoding="utf-8")
    with pytest.raises(BadInput) as error:
        await sync_checkout(GitSpec(remote.url), dest)
    assert "not a git checkout" in failure(error)
    assert snapshot(dest) == {"mine.md": "mine"}


async def test_a_broken_checkout_fails(remote: Remote, tmp_path: Path) -> None:
    dest = tmp_path / "notes"
    (dest / ".git").mkdir(parents=True)
    with pytest.raises(BadInput) as error:
        await sync_checkout(GitSpec(remote.url), dest)
    assert failure(error)


async def test_no_git_program(
    remote: Remote, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(BadInput) as error:
        await sync_checkout(GitSpec(remote.url), tmp_path / "notes")
    assert error.value.key == "git_missing" and error.value.params == {}
    assert sorted(os.listdir(tmp_path)) == ["empty-path", "origin"]


async def test_a_silent_server_times_out(tmp_path: Path) -> None:
    with socket.socket() as server:  # accepts connections (backlog) and never answers
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        port = server.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(BadInput) as error:
            await sync_checkout(GitSpec(f"git://127.0.0.1:{port}/x"), tmp_path / "n", timeout=0.5)
        assert time.monotonic() - started < 5
    assert "longer than 0.5 s" in failure(error)
    assert os.listdir(tmp_path) == []


# --- restricted transports ------------------------------------------------------------------


async def test_git_itself_refuses_a_transport_outside_the_schemes(
    checkout: tuple[Path, str, dict[str, str]], remote: Remote, tmp_path: Path
) -> None:
    for url in (remote.url, str(remote.bare)):
        with pytest.raises(BadInput) as error:
            check_allowed(GitSpec(url), {"https"})
        assert error.value.key == "git_scheme_refused"
        with pytest.raises(BadInput) as error:
            await sync_checkout(GitSpec(url), tmp_path / "fresh", schemes={"https"})
        assert failure(error) == "transport 'file' not allowed"
        assert not (tmp_path / "fresh").exists()

    remote.commit({"os.md": "newer"})
    remote.push()
    with pytest.raises(BadInput) as error:
        await sync_checkout(GitSpec(remote.url), checkout[0], schemes={"https"})
    assert failure(error) == "transport 'file' not allowed"
    assert unchanged(checkout)
    synced = await sync_checkout(GitSpec(remote.url), checkout[0], schemes={"file"})
    assert synced.commit == remote.head()


async def test_ext_is_refused_by_git(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    spec = GitSpec(f"ext::sh -c touch% {marker}")
    with pytest.raises(BadInput) as error:
        await sync_checkout(spec, tmp_path / "notes", schemes={"https"})
    assert failure(error) == "transport 'ext' not allowed"
    with pytest.raises(BadInput):
        await sync_checkout(spec, tmp_path / "notes")  # git's own default: ext never
    assert not marker.exists()


@pytest.fixture
def daemon(remote: Remote) -> Iterator[str]:
    """``git daemon`` on 127.0.0.1 serving the remote's folder; yields its base URL."""
    port = free_port()
    base = remote.bare.parent
    process = subprocess.Popen(
        [
            "git",
            "daemon",
            "--reuseaddr",
            f"--base-path={base}",
            "--export-all",
            f"--port={port}",
            "--listen=127.0.0.1",
            str(base),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            assert process.poll() is None, "git daemon exited"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "git daemon never listened"
                time.sleep(0.02)
        yield f"git://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the daemon and the children it forked
        process.wait()


async def test_a_git_daemon_serves_over_git_protocol(
    daemon: str, remote: Remote, tmp_path: Path
) -> None:
    spec = parse_git_spec(f"{daemon}/{remote.bare.name}:docs/os")
    check_allowed(spec, {"git"})
    dest = tmp_path / "notes"
    synced = await sync_checkout(spec, dest, schemes={"git"})
    assert synced.commit == remote.head() and synced.path == dest / "docs" / "os"
    assert (synced.path / "a.md").is_file()

    newer = remote.commit({"docs/os/b.md": "# B\n"})
    remote.push()
    synced = await sync_checkout(spec, dest, schemes={"git"})
    assert synced.changed and synced.commit == newer and (synced.path / "b.md").is_file()

    with pytest.raises(BadInput) as error:
        await sync_checkout(spec, tmp_path / "refused", schemes={"https"})
    assert failure(error) == "transport 'git' not allowed"


async def test_two_thousand_files_clone_and_resync(tmp_path: Path) -> None:
    remote = Remote(tmp_path / "big")
    for i in range(2000):
        path = remote.work / f"topic{i % 20:02d}" / f"note{i:04d}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"# Note {i}\n- Term {i} - Definition {i}\n", encoding="utf-8")
    remote.commit({})
    remote.push()
    dest = tmp_path / "notes"
    synced = await sync_checkout(GitSpec(remote.url), dest)
    assert synced.commit == remote.head()
    assert len(list(dest.rglob("*.md"))) == 2000

    newer = remote.commit({"topic00/note0000.md": "# Note 0\n- Term 0 - Changed\n"})
    remote.push()
    synced = await sync_checkout(GitSpec(remote.url), dest)
    assert synced.commit == newer and synced.changed
    assert "Changed" in (dest / "topic00" / "note0000.md").read_text(encoding="utf-8")
    assert len(list(dest.rglob("*.md"))) == 2000
