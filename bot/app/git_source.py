"""A git repository as a notes source: the ``<url>[#branch][:subdir]`` setting, which transports
a setting may use, and keeping a local shallow checkout of it up to date.

This module owns talking to the ``git`` program (run with :func:`asyncio.create_subprocess_exec`,
never a shell): a first sync clones shallowly into a temporary sibling folder and renames it into
place, so a failed clone leaves nothing half-made; later syncs fetch the one wanted commit and
reset the checkout hard to it, so fast-forwards and force-pushes land alike, and a failed fetch
leaves the checkout exactly as it was. Git never waits for a password or a terminal, runs in the
C locale, and is killed when it takes too long. Every failure becomes a
:class:`~bot.core.errors.BadInput` whose parameters never carry credentials.

Which transports are acceptable is the caller's policy: an operator's own configured repositories
may use any; a repository a chat workspace admin adds is checked with :func:`check_allowed`
(https only by default) and synced with the same ``schemes``, which git itself then enforces, so
a redirect or a submodule cannot bring in another transport. Callers serialise syncs of one
checkout folder; reading the notes (and refusing symlinks that point outside) is the ingest's job.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import sys
import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

from bot.core.errors import BadInput

GIT_TIMEOUT: Final = 120.0
"""Seconds one whole sync (clone, or fetch + reset + clean) may take before git is killed."""

REASON_LIMIT: Final = 300
"""At most this many characters of git's complaint reach a message."""

GIT_PROGRAM: Final = "git"

# Environment variables that point git at another repository than the one we name explicitly
# (``git rev-parse --local-env-vars``); an inherited one (say, from a git hook) must not leak in.
_LOCAL_GIT_VARS: Final = frozenset(
    {
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_CONFIG",
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
        "GIT_DIR",
        "GIT_GRAFT_FILE",
        "GIT_IMPLICIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_INTERNAL_SUPER_PREFIX",
        "GIT_NAMESPACE",
        "GIT_NO_REPLACE_OBJECTS",
        "GIT_OBJECT_DIRECTORY",
        "GIT_PREFIX",
        "GIT_REPLACE_REF_BASE",
        "GIT_SHALLOW_FILE",
        "GIT_WORK_TREE",
    }
)

# ``<transport>::<address>`` (``ext::``, ``fd::``, a remote helper), and ``<scheme>://``.
_TRANSPORT_PREFIX: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)::")
_SCHEME: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# ``user:password@`` or ``token@`` right after a scheme, anywhere in a text.
_USERINFO: Final = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]*@")
_SSH_ALIASES: Final = frozenset({"ssh", "git+ssh", "ssh+git"})
# Characters git refuses in a ref name (``git check-ref-format``), plus whitespace.
_BAD_REF_CHARS: Final = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")
# Lines git prints after a real complaint that say nothing more about it.
_BOILERPLATE: Final = (
    "fatal: could not read from remote repository.",
    "please make sure you have the correct access rights",
    "and the repository exists.",
)


@dataclass(frozen=True, slots=True)
class GitSpec:
    """Which repository to read notes from: its URL, a branch (None: the remote's default
    branch) and a folder inside it (``""``: the whole checkout; relative, ``/``-separated)."""

    url: str
    branch: str | None = None
    subdir: str = ""

    @property
    def label(self) -> str:
        """A short human name: ``owner/repo`` for a hosted repository, the last path part for a
        local one, plus ``#branch`` when one is set; never credentials."""
        name = _short_name(self.url)
        return f"{name}#{self.branch}" if self.branch else name


@dataclass(frozen=True, slots=True)
class GitSync:
    """The outcome of a sync: the commit checked out, the one before it (None after a fresh
    clone) and the folder to read notes from (the checkout joined with the spec's subdir)."""

    commit: str
    previous: str | None
    path: Path

    @property
    def changed(self) -> bool:
        """Whether the sync brought a different commit (always True after a fresh clone)."""
        return self.commit != self.previous


# --- the setting ----------------------------------------------------------------------------


def parse_git_spec(text: str) -> GitSpec:
    """Read the setting syntax ``<url>[#branch][:subdir]``.

    Everything after the first ``#`` is ``branch[:subdir]``. Without a ``#``, a ``:subdir``
    suffix is recognised only right after ``.git`` (``https://h/o/r.git:docs/os``), so scp-style
    URLs (``git@host:o/r.git``) and ports keep their colons; write ``./repo.git:docs`` for a
    local repository named relative to the working directory (``repo.git:docs`` alone is, to
    git, the host ``repo.git``). The URL may be ``https://``, ``http://``, ``git://``,
    ``ssh://``, ``file://``, scp-style or a local path.

    Raises BadInput ``git_spec_invalid`` for empty text, an empty or option-like URL, a branch
    git would not accept, or a subdir that is absolute or climbs out with ``..``.
    """
    whole = text.strip()
    if "#" in whole:
        url, _, rest = whole.partition("#")
        branch_text, _, subdir_text = rest.partition(":")
    else:
        url, subdir_text = _split_subdir(whole)
        branch_text = ""
    url = url.strip()
    branch = branch_text.strip() or None
    if not url or url.startswith("-") or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise BadInput("git_spec_invalid", spec=redact(text))
    if branch is not None and not _valid_branch(branch):
        raise BadInput("git_spec_invalid", spec=redact(text))
    subdir = _clean_subdir(subdir_text.strip())
    if subdir is None:
        raise BadInput("git_spec_invalid", spec=redact(text))
    return GitSpec(url=url, branch=branch, subdir=subdir)


def url_scheme(url: str) -> str:
    """The transport git would use for ``url``: the scheme of ``scheme://`` (lowercase), the
    helper of ``helper::address`` (``ext``), ``ssh`` for scp-style ``[user@]host:path`` (and
    ``git+ssh``), ``file`` for ``file://`` and for a local path."""
    if match := _TRANSPORT_PREFIX.match(url):
        return match.group(1).lower()
    if match := _SCHEME.match(url):
        scheme = match.group(1).lower()
        return "ssh" if scheme in _SSH_ALIASES else scheme
    return "ssh" if _is_scp_style(url) else "file"


def check_allowed(spec: GitSpec, schemes: Collection[str]) -> None:
    """Refuse a repository whose transport is not one of ``schemes`` (say, ``{"https"}`` for a
    repository a chat workspace admin adds: no ``file://``, local paths or ``ext::``).

    Raises BadInput ``git_scheme_refused`` with the URL (without credentials) and the allowed
    schemes, comma-separated.
    """
    allowed = {scheme.lower() for scheme in schemes}
    if url_scheme(spec.url) not in allowed:
        raise BadInput(
            "git_scheme_refused",
            url=redact(spec.url),
            allowed=", ".join(sorted(schemes)),
        )


def _userinfo(url: str) -> str:
    """The ``user:password@`` of a ``scheme://`` URL, ``""`` when it has none."""
    match = _SCHEME.match(url)
    if not match:
        return ""
    authority = url[match.end() :].partition("/")[0]
    return authority.rpartition("@")[0] + "@" if "@" in authority else ""


def redact(text: str) -> str:
    """``text`` with the ``user:password@`` (or ``token@``) part of every URL in it removed."""
    return _USERINFO.sub(r"\1", text)


# --- syncing --------------------------------------------------------------------------------


async def sync_checkout(
    spec: GitSpec,
    dest: Path,
    *,
    schemes: Collection[str] | None = None,
    timeout: float = GIT_TIMEOUT,
) -> GitSync:
    """Bring the checkout at ``dest`` to the newest commit of ``spec``'s branch.

    ``dest`` absent or empty: a shallow clone into a temporary sibling folder, renamed into place
    once complete. ``dest`` a checkout: a shallow fetch of the branch (the remote's HEAD when none
    is set), then ``reset --hard`` to it and ``clean -ffdx`` (so history rewritten by a
    force-push lands as well as a fast-forward, and stray files go). ``schemes``, when given,
    are the only transports git may use, on every call (redirects and submodules included);
    None: git's own defaults. ``timeout`` bounds the whole sync in seconds.

    Raises BadInput ``git_sync_failed`` (unreachable remote, unknown branch, not a checkout,
    timeout, refused transport ...), ``git_missing`` when there is no git program and
    ``git_subdir_missing`` when the commit has no such folder; in each case an existing checkout
    is left exactly as it was and a clone leaves nothing behind.
    """
    git = _Git(spec, schemes, asyncio.get_running_loop().time() + timeout, timeout)
    if dest.is_dir() and (dest / ".git").exists():
        return await _update(git, spec, dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BadInput(
            "git_sync_failed", url=redact(spec.url), reason=f"{dest} is not a git checkout"
        )
    return await _clone(git, spec, dest)


async def _clone(git: _Git, spec: GitSpec, dest: Path) -> GitSync:
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.clone-", dir=dest.parent))
    try:
        branch = ["--branch", spec.branch] if spec.branch else []
        await git.run(
            None,
            "clone",
            "--depth",
            "1",
            "--single-branch",
            "--no-recurse-submodules",
            *branch,
            "--",
            _remote_url(spec.url),
            str(staging),
        )
        commit = await git.head(staging)
        await _require_subdir(git, spec, staging, "HEAD")
        if dest.is_dir():
            dest.rmdir()  # empty, checked by the caller: a rename cannot replace it everywhere
        staging.rename(dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return GitSync(commit=commit, previous=None, path=_join(dest, spec.subdir))


async def _update(git: _Git, spec: GitSpec, dest: Path) -> GitSync:
    previous = await git.head(dest)
    url = _remote_url(spec.url)
    # When the setting now names another URL, fetch from it directly and record it as origin
    # only once the checkout has moved: a failed fetch changes nothing, not even the config.
    origin = await _origin(git, dest)
    moved = origin != url
    await git.run(
        dest,
        "fetch",
        "--depth",
        "1",
        "--no-tags",
        "--no-recurse-submodules",
        "--",
        url if moved else "origin",
        spec.branch or "HEAD",
    )
    await _require_subdir(git, spec, dest, "FETCH_HEAD")
    await git.run(dest, "reset", "--quiet", "--hard", "FETCH_HEAD", local=True)
    await git.run(dest, "clean", "-ffdxq", local=True)
    if moved:
        verb = "add" if origin is None else "set-url"
        await git.run(dest, "remote", verb, "origin", url, local=True)
    commit = await git.head(dest)
    return GitSync(commit=commit, previous=previous, path=_join(dest, spec.subdir))


async def _origin(git: _Git, dest: Path) -> str | None:
    """The checkout's ``origin`` URL, None when it has none."""
    try:
        return (await git.run(dest, "config", "--get", "remote.origin.url", local=True)).strip()
    except BadInput as error:
        if error.key != "git_sync_failed":
            raise
        return None


async def _require_subdir(git: _Git, spec: GitSpec, repo: Path, commit: str) -> None:
    """Raise ``git_subdir_missing`` unless ``commit`` has the spec's subdir as a real folder
    (a symlink named like it does not count: it could point anywhere)."""
    if not spec.subdir:
        return
    try:
        kind = await git.run(repo, "cat-file", "-t", f"{commit}:{spec.subdir}", local=True)
    except BadInput as error:
        if error.key != "git_sync_failed":
            raise
        kind = ""
    if kind.strip() != "tree":
        raise BadInput("git_subdir_missing", subdir=spec.subdir, url=redact(spec.url))


class _Git:
    """Runs git for one sync: same environment, transport restriction and deadline each time."""

    def __init__(
        self, spec: GitSpec, schemes: Collection[str] | None, deadline: float, timeout: float
    ) -> None:
        self.spec = spec
        self.deadline = deadline
        self.timeout = timeout
        self.config: list[str] = ["-c", "core.askPass=", "-c", "credential.interactive=never"]
        if schemes is not None:
            self.config += ["-c", "protocol.allow=never"]
            for scheme in sorted({s.lower() for s in schemes}):
                self.config += ["-c", f"protocol.{scheme}.allow=always"]

    def _failed(self, reason: str) -> BadInput:
        # git names a host without its scheme at times (``unable to look up me:pw@host``): the
        # spec's own userinfo goes wherever it appears.
        secret = _userinfo(self.spec.url)
        if secret:
            reason = reason.replace(secret, "")
        return BadInput("git_sync_failed", url=redact(self.spec.url), reason=reason)

    async def head(self, repo: Path) -> str:
        """The commit ``repo`` has checked out."""
        return (await self.run(repo, "rev-parse", "--verify", "HEAD^{commit}", local=True)).strip()

    async def run(self, repo: Path | None, *args: str, local: bool = False) -> str:
        """Run ``git args`` (on the checkout ``repo`` when given) and return its output; raise
        ``git_sync_failed`` with git's complaint when it fails or runs out of time.

        Talking to the remote shares the sync's deadline; a ``local`` step gets the whole
        timeout of its own, so a slow fetch never gets a reset killed halfway.
        """
        where: list[str] = []
        if repo is not None:
            where = [f"--git-dir={repo / '.git'}", f"--work-tree={repo}"]
        now = asyncio.get_running_loop().time()
        remaining = self.timeout if local else self.deadline - now
        if remaining <= 0:
            raise self._failed(_timed_out(self.timeout))
        try:
            process = await asyncio.create_subprocess_exec(
                GIT_PROGRAM,
                *where,
                *self.config,
                *args,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=_environment(),
                cwd=repo if repo is not None else None,
                start_new_session=True,  # no controlling terminal: ssh cannot prompt either
            )
        except FileNotFoundError:
            raise BadInput("git_missing") from None
        try:
            out, err = await asyncio.wait_for(process.communicate(), remaining)
        except (TimeoutError, asyncio.CancelledError) as error:
            await _kill(process)
            if isinstance(error, asyncio.CancelledError):
                raise
            raise self._failed(_timed_out(self.timeout)) from None
        if process.returncode != 0:
            raise self._failed(_reason(err.decode("utf-8", "replace")))
        return out.decode("utf-8", "replace")


async def _kill(process: asyncio.subprocess.Process) -> None:
    """Kill git and whatever it started (its session's process group), then reap it."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            if sys.platform != "win32":
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
    await process.wait()


def _environment() -> dict[str, str]:
    """This process's environment, minus anything naming another repository, plus: never
    prompt (no terminal, no askpass program), the C locale (git's messages in English), and ssh
    in batch mode unless the operator configured ssh for git themselves."""
    env = {k: v for k, v in os.environ.items() if k not in _LOCAL_GIT_VARS}
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GIT_ASKPASS="",
        SSH_ASKPASS="",
        SSH_ASKPASS_REQUIRE="never",
        LC_ALL="C",
        LANGUAGE="C",
    )
    if "GIT_SSH_COMMAND" not in env and "GIT_SSH" not in env:
        env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
    return env


def _reason(stderr: str) -> str:
    """The gist of git's complaint: from its last ``fatal:``/``error:`` line on (boilerplate
    about access rights dropped), on one line, credentials removed, trimmed."""
    lines = [line.strip() for line in stderr.splitlines()]
    lines = [line for line in lines if line and not line.lower().startswith(_BOILERPLATE)]
    if not lines:
        return "git failed"
    starts = [i for i, line in enumerate(lines) if line.startswith(("fatal:", "error:"))]
    picked = lines[starts[-1] :] if starts else lines[-1:]
    picked[0] = picked[0].removeprefix("fatal:").removeprefix("error:").strip()
    text = redact(" ".join(picked))
    return text if len(text) <= REASON_LIMIT else text[: REASON_LIMIT - 1] + "…"


def _timed_out(timeout: float) -> str:
    return f"git took longer than {timeout:g} s and was stopped"


# --- helpers --------------------------------------------------------------------------------


def _split_subdir(text: str) -> tuple[str, str]:
    """``(url, subdir)`` of a spec without ``#``: split at the last ``.git:`` that ends a URL
    with a path (not a bare host like ``git@host.git:o/r``)."""
    index = text.rfind(".git:")
    while index >= 0:
        url = text[: index + 4]
        if _has_path(url):
            return url, text[index + 5 :]
        index = text.rfind(".git:", 0, index)
    return text, ""


def _has_path(url: str) -> bool:
    if _TRANSPORT_PREFIX.match(url):
        return True
    if match := _SCHEME.match(url):
        return "/" in url[match.end() :]
    return "/" in url or ":" in url


def _is_scp_style(url: str) -> bool:
    """``[user@]host:path`` as git reads it: a colon before any slash (not a drive letter)."""
    colon = url.find(":")
    if colon <= 0:
        return False
    slash = url.find("/")
    if 0 <= slash < colon:
        return False
    return not (colon == 1 and url[0].isalpha() and sys.platform == "win32")


def _valid_branch(branch: str) -> bool:
    """Whether git could have a branch (or tag) of this name (``git check-ref-format``)."""
    return not (
        branch.startswith(("-", "/", "."))
        or branch.endswith(("/", ".", ".lock"))
        or ".." in branch
        or "//" in branch
        or "@{" in branch
        or branch == "@"
        or _BAD_REF_CHARS.search(branch)
        or any(part.startswith(".") for part in branch.split("/"))
    )


def _clean_subdir(text: str) -> str | None:
    """The subdir as ``a/b`` (``./``, doubled and trailing slashes dropped), None when it is
    absolute or has a ``..`` part."""
    if not text:
        return ""
    if text.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", text):
        return None
    parts = [part for part in PurePosixPath(text.replace("\\", "/")).parts if part != "."]
    if ".." in parts:
        return None
    return "/".join(parts)


def _remote_url(url: str) -> str:
    """``url`` as given to git: a local path made absolute (git runs in the checkout)."""
    if url_scheme(url) == "file" and not _SCHEME.match(url):
        return os.path.abspath(url)
    return url


def _join(root: Path, subdir: str) -> Path:
    return root.joinpath(*subdir.split("/")) if subdir else root


def _short_name(url: str) -> str:
    """``owner/repo`` for a hosted repository, the last path part for a local one."""
    address = redact(url)
    if match := _TRANSPORT_PREFIX.match(address):
        address = address[match.end() :]
    scheme = url_scheme(url)
    if match := _SCHEME.match(address):
        rest = address[match.end() :]
        path = rest.partition("/")[2] if scheme != "file" else rest
    elif scheme == "ssh":
        path = address.partition(":")[2]
    else:
        path = address
    parts = _path_parts(path)
    if not parts:
        return address
    keep = 2 if scheme not in ("file", "ext") and len(parts) >= 2 else 1
    return "/".join(parts[-keep:])


def _path_parts(path: str) -> Sequence[str]:
    parts = [p for p in path.replace("\\", "/").split("/") if p and p not in (".", "..")]
    if parts:
        last = parts[-1].removesuffix(".git")
        parts[-1] = last or parts[-1]
        if parts[-1] == ".git" and len(parts) > 1:  # ``/srv/notes/.git``: the folder's name
            parts.pop()
    return parts
