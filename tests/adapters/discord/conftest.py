"""Fixtures for Discord end-to-end tests: a started fake Discord with discord.py pointed at it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.adapters.discord.fake_discord import FakeDiscord, pointed_at

PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "WS_PROXY",
    "WSS_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "ws_proxy",
    "wss_proxy",
)
TASK_SETTLE_ROUNDS = 50
TASK_SETTLE_STEP_S = 0.01


LIBRARY_LEFTOVERS = ("__timeout_task_impl",)


def _is_library_leftover(task: asyncio.Task[object]) -> bool:
    """discord.py leaves a ``View``'s timeout task running after ``Client.close()``."""
    name = getattr(task.get_coro(), "__qualname__", "")
    return name.endswith(LIBRARY_LEFTOVERS)


async def _other_tasks_settled() -> list[asyncio.Task[object]]:
    """Gives closing tasks a moment to finish, cancels discord.py's view timeouts, and
    returns the tasks still pending."""
    current = asyncio.current_task()
    pending: list[asyncio.Task[object]] = []
    for _ in range(TASK_SETTLE_ROUNDS):
        pending = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
        for task in [t for t in pending if _is_library_leftover(t)]:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            pending.remove(task)
        if not pending:
            break
        await asyncio.sleep(TASK_SETTLE_STEP_S)
    return pending


@pytest.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """A running :class:`FakeDiscord` with ``discord.http.Route.BASE`` and the default gateway
    pointed at it (both restored afterwards) and proxy variables cleared.

    Configure it (``shard_count``, ``privileged_intents``, ``add_guild`` ...) before starting a
    client, e.g. with :func:`tests.adapters.discord.fake_discord.running_client`. At teardown the
    server stops and the test fails if asyncio tasks are still pending (a client left running).
    """
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    fake = FakeDiscord()
    await fake.start()
    try:
        with pointed_at(fake):
            yield fake
    finally:
        await fake.close()
    pending = await _other_tasks_settled()
    if pending:
        names = ", ".join(sorted(f"{t.get_name()} ({t.get_coro()!r})" for t in pending))
        pytest.fail(f"tasks still pending after the fake Discord closed: {names}")
