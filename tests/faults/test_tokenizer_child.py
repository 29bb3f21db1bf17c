"""A kill -9 of the bot during the key-point stage must not leave its tokenizer running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

PARENT = """
import asyncio, sys
from bot.app.keypoint_stage import ChildTokenizer

async def main():
    child = ChildTokenizer(num_workers=1)
    await child.start()
    # keep it busy tokenising (as in a big ingest) when the bot is killed
    texts = ["프로세스와 스레드의 차이. " * 4000] * 40
    asyncio.get_running_loop().create_task(child.derive(texts, []))
    await asyncio.sleep(4)
    print(child._process.pid, flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""
GONE_WITHIN_S = 0.5  # well before the child could finish loading its model and see stdin close


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split()[2] == "Z")  # a zombie is gone


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_the_tokenizer_child_dies_with_a_killed_parent() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True, cwd=Path.cwd()
    )
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert _alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + GONE_WITHIN_S
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child), "the tokenizer outlived the bot"
    finally:
        if parent.poll() is None:
            parent.kill()
