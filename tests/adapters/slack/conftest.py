"""Fixtures for driving the real slack-bolt app against the fake Slack on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from .fake_slack import FakeSlack, assert_no_leaked_tasks

PROXY_VARIABLES = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
)


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unset the proxy variables slack_sdk reads, so every request stays on 127.0.0.1."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def task_leak_guard() -> AsyncIterator[None]:
    """Fail the test at teardown if any asyncio task is still running (torn down last)."""
    yield
    await assert_no_leaked_tasks()


@pytest.fixture
async def fake_slack(task_leak_guard: None, no_proxy_env: None) -> AsyncIterator[FakeSlack]:
    """A started fake Slack with the default users and channels."""
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def slack_web_client(fake_slack: FakeSlack) -> AsyncWebClient:
    """A bot-token ``AsyncWebClient`` on the fake, retrying 429s twice."""
    return fake_slack.web_client()
