"""The key-point stage of an ingest: derive candidates for new or changed definitions with the
tokenizer, rank every concept's candidates by IDF over the whole knowledge base, and let curated
points win.

The stage touches no database: the ingest gives it the concepts as they will be after the
ingest and writes what it returns, so the tokenizer never runs inside a write transaction.

The tokenizer runs in a child process by default (:class:`ChildTokenizer`: ``python -m
bot.app.keypoint_stage``, which imports the tokenizer and nothing of the bot's database or
settings), so the running bot never holds the model; the child starts loading the model as soon
as the ingest knows a notes file changed, and tokenises each file's definitions as soon as the
file is parsed (:meth:`Tokenizer.feed`), while the next ones are still being parsed: names are
joined into the tokens only when every name is known (:func:`derive_key_points`).
:class:`InProcessTokenizer` keeps one model loaded in this process (tests, benchmarks).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, Protocol

from bot.core.grading.keypoints import (
    CANDIDATES_VERSION,
    DEFAULT_WORKERS,
    KeyPointExtractor,
    curated_words,
    rank,
)
from bot.core.models import KeyPoint

#: prctl(2) option: the signal the kernel sends this process when its parent dies.
PR_SET_PDEATHSIG: Final = 1

# Called with (definitions tokenised, definitions to tokenise).
KeyPointProgress = Callable[[int, int], None]
# The child's messages are JSON lines; the result line holds every candidate of a batch.
CHILD_LINE_LIMIT: Final = 1 << 30
# Fed definitions go to the child in batches of about this many characters: the tokenizer
# spreads a batch over its worker threads, and one call per file costs it twice the time.
FEED_BATCH_CHARS: Final = 50_000
# How long closing waits for the child to leave by itself before it is killed.
CHILD_EXIT_WAIT_S: Final = 2.0

# With ``reuse`` (tests, in-process ingests) one tokenizer and its per-definition cache stay
# loaded between ingests; the lock keeps two ingests of one process from using it at once.
_shared: KeyPointExtractor | None = None
_shared_lock = threading.Lock()


def derive_candidates(
    definitions: Sequence[str],
    user_words: Sequence[str],
    *,
    reuse: bool = False,
    progress: KeyPointProgress | None = None,
) -> list[list[str]]:
    """Candidate key words of each definition (loads the tokenizer model; with ``reuse`` one
    model stays loaded in this process for the next call)."""
    global _shared
    if not reuse:
        return KeyPointExtractor(user_words).candidates_of(definitions, progress)
    with _shared_lock:
        if _shared is None:
            _shared = KeyPointExtractor()
        _shared.add_user_words(user_words)
        return _shared.candidates_of(definitions, progress)


class Tokenizer(Protocol):
    """Where candidate key words come from: started early (it may load its model meanwhile),
    fed definitions as they are parsed, asked once or more per ingest, closed at its end."""

    async def start(self) -> None:
        """Begin loading (may do nothing); calling it again does nothing."""

    def feed(self, definitions: Sequence[str]) -> None:
        """Definitions that will probably be asked for: tokenise them meanwhile, if this
        tokenizer can (without waiting for it; may do nothing)."""

    async def derive(
        self,
        definitions: Sequence[str],
        user_words: Sequence[str],
        progress: KeyPointProgress | None = None,
    ) -> list[list[str]]:
        """The candidates of each definition, tokenised with ``user_words`` known."""

    async def close(self) -> None:
        """Release the model (and its process)."""


class InProcessTokenizer:
    """The tokenizer in this process, on a worker thread; its model stays loaded."""

    async def start(self) -> None:
        """Nothing to start: the model loads on first use and stays."""

    def feed(self, definitions: Sequence[str]) -> None:
        """Nothing ahead: this process's own thread tokenises when asked."""

    async def derive(
        self,
        definitions: Sequence[str],
        user_words: Sequence[str],
        progress: KeyPointProgress | None = None,
    ) -> list[list[str]]:
        """Candidates on a worker thread (``progress`` is called on the event loop)."""
        if not definitions:
            return []
        loop = asyncio.get_running_loop()
        report: KeyPointProgress | None = None
        if progress is not None:
            callback = progress

            def report(done: int, total: int) -> None:
                loop.call_soon_threadsafe(callback, done, total)

        return await asyncio.to_thread(
            derive_candidates, list(definitions), list(user_words), reuse=True, progress=report
        )

    async def close(self) -> None:
        """The model stays loaded for the next ingest."""


class TokenizerFailed(RuntimeError):
    """The tokenizer process failed or went away; the ingest writes nothing."""


class ChildTokenizer:
    """The tokenizer in a child process started for one ingest: it loads the model as soon as
    it starts, answers batches over pipes (JSON lines, with progress) and exits on close."""

    def __init__(self, *, num_workers: int = DEFAULT_WORKERS) -> None:
        self._num_workers = num_workers
        self._process: asyncio.subprocess.Process | None = None
        self._asked = False
        self._fed: list[str] = []  # fed, not sent yet
        self._fed_chars = 0

    async def start(self) -> None:
        """Start the child (it begins loading the model at once)."""
        if self._process is not None:
            return
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            part for part in (package_root, env.get("PYTHONPATH", "")) if part
        )
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.app.keypoint_stage",
            str(self._num_workers),
            str(os.getpid()),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
            limit=CHILD_LINE_LIMIT,
        )

    def feed(self, definitions: Sequence[str]) -> None:
        """Collect definitions and send them, :data:`FEED_BATCH_CHARS` at a time, for the
        child to tokenise while the parent goes on (the tokenizer works best on a batch). Not
        awaited: the pipe's buffer holds them; a child that went away fails the next
        :meth:`derive`, and what is still collected then is asked for by it anyway."""
        self._fed.extend(definitions)
        self._fed_chars += sum(len(definition) for definition in definitions)
        process = self._process
        if self._fed_chars < FEED_BATCH_CHARS or process is None or process.stdin is None:
            return
        batch, self._fed, self._fed_chars = self._fed, [], 0
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, RuntimeError):
            process.stdin.write(json.dumps({"feed": batch}).encode() + b"\n")

    async def derive(
        self,
        definitions: Sequence[str],
        user_words: Sequence[str],
        progress: KeyPointProgress | None = None,
    ) -> list[list[str]]:
        """Send one batch to the child and wait for its candidates."""
        if not definitions:
            return []
        await self.start()
        process = self._process
        assert process is not None and process.stdin is not None and process.stdout is not None
        request = {"definitions": list(definitions), "user_words": list(user_words)}
        self._fed, self._fed_chars = [], 0  # what was not sent is in the request if needed
        self._asked = True
        try:
            process.stdin.write(json.dumps(request).encode() + b"\n")
            await process.stdin.drain()
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise TokenizerFailed("the tokenizer process went away") from exc
        while True:
            line = await process.stdout.readline()
            if not line:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(process.wait(), CHILD_EXIT_WAIT_S)
                raise TokenizerFailed(f"the tokenizer process exited ({process.returncode})")
            message = json.loads(line)
            if "candidates" in message:
                found: list[list[str]] = message["candidates"]
                if len(found) != len(definitions):
                    raise TokenizerFailed("the tokenizer process answered the wrong batch")
                return found
            if "error" in message:
                raise TokenizerFailed(str(message["error"]))
            if progress is not None:
                progress(int(message["done"]), int(message["total"]))

    async def close(self) -> None:
        """Let the child go: one never asked (still loading the model for nothing) is stopped
        at once, one that answered leaves when its input closes (or is stopped after a
        moment)."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        if self._asked:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), CHILD_EXIT_WAIT_S)
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


@dataclass(frozen=True, slots=True)
class KeyPointItem:
    """One concept as it will be after the ingest: its term, every name (term, the note's and
    curated aliases), its definition, and its stored candidates (None: to be derived)."""

    term: str
    names: tuple[str, ...]
    definition: str
    candidates: list[str] | None


@dataclass(frozen=True, slots=True)
class DerivedKeyPoints:
    """A concept's candidate words and the key points chosen for it."""

    candidates: list[str]
    points: tuple[KeyPoint, ...]


async def derive_key_points(
    items: Sequence[KeyPointItem],
    curated: Mapping[str, tuple[KeyPoint, ...]],
    tokenizer: Tokenizer,
    progress: KeyPointProgress | None = None,
) -> list[DerivedKeyPoints]:
    """Candidates and key points of every item, in order: items without candidates go through
    the tokenizer (with every name and curated word as a user word), then all are ranked by IDF
    over all items; a curated concept keeps its curated points."""
    user_words = sorted(
        {name for item in items for name in item.names} | curated_words(dict(curated))
    )
    missing = [
        index
        for index, item in enumerate(items)
        if not item.candidates or item.candidates[0] != CANDIDATES_VERSION  # none, or stale
    ]
    derived = await tokenizer.derive([items[i].definition for i in missing], user_words, progress)
    per_item: list[list[str]] = [item.candidates or [] for item in items]
    for index, found in zip(missing, derived, strict=True):
        per_item[index] = found
    ranked = await asyncio.to_thread(rank, per_item, [item.names for item in items])
    return [
        DerivedKeyPoints(found, curated.get(item.term) or points)
        for item, found, points in zip(items, per_item, ranked, strict=True)
    ]


# --- the child process ------------------------------------------------------------------------


def _send(out: IO[bytes], message: Mapping[str, Any]) -> None:
    out.write(json.dumps(message).encode() + b"\n")  # ASCII: any text survives the pipe
    out.flush()


def _die_with_parent(parent: int) -> None:
    """Have the kernel end this process when its parent dies (Linux; a kill -9 of the bot must
    not leave a tokenizer holding its memory), and end now if the parent is already gone."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # no prctl here: stdin closing still ends the loop
            pass
    if os.getppid() != parent:
        os._exit(1)


def child_main(num_workers: int = DEFAULT_WORKERS, parent: int | None = None) -> int:
    """The child's loop: load the model, then read request lines on stdin until it closes: a
    ``feed`` (definitions to tokenise now, no answer) or a request (definitions and user
    words), answered with progress lines and one line of candidates."""
    _die_with_parent(os.getppid() if parent is None else parent)
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not break the protocol
    extractor = KeyPointExtractor(num_workers=num_workers)
    extractor.load()  # while the parent is still parsing the notes
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            if "feed" in request:
                extractor.feed(request["feed"])
                continue
            extractor.add_user_words(request["user_words"])

            def progress(done: int, total: int) -> None:
                _send(out, {"done": done, "total": total})

            found = extractor.candidates_of(request["definitions"], progress)
        except Exception as exc:  # reported to the parent, which fails the ingest
            _send(out, {"error": f"{type(exc).__name__}: {exc}"})
        else:
            _send(out, {"candidates": found})
    return 0


if __name__ == "__main__":
    sys.exit(
        child_main(
            int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_WORKERS,
            int(sys.argv[2]) if len(sys.argv) > 2 else None,
        )
    )
