"""Interview expiry: idle interviews end and their summary is posted where they ran, once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.app.service import Service
from bot.config import Settings
from bot.core.models import Caller
from bot.testing import FakeClock, RecordingNotifier

PLATFORM = "test"
WORKSPACE = "w1"


@pytest.fixture
def clock() -> FakeClock:
    """The test's clock."""
    return FakeClock(datetime(2024, 3, 1, tzinfo=UTC))


@pytest.fixture
async def service(settings: Settings, clock: FakeClock) -> AsyncIterator[Service]:
    """A started Service on the test's clock."""
    started = await Service.start(settings, clock=clock)
    yield started
    await started.close()


async def test_the_expiry_job_ends_idle_interviews_and_posts_the_summary_in_their_thread(
    service: Service, clock: FakeClock
) -> None:
    notifier = RecordingNotifier(clock, platform=PLATFORM)
    runner = service.interview_expiry(notifier)
    person = Caller(PLATFORM, "someone", "chan-1", WORKSPACE, thread_id="thread-9")
    other = Caller("elsewhere", "someone", "chan-1", WORKSPACE)
    await service.interviews.start(person, None, 2)
    await service.interviews.start(other, None, 2)

    await runner.tick()
    assert not [s for s in notifier.sent if s.reply.kind.value == "summary"]

    clock.advance(timedelta(minutes=service.settings.interview_idle_minutes + 1))
    await runner.tick()
    (summary,) = [s for s in notifier.sent if s.reply.kind.value == "summary"]
    assert (summary.target.channel_id, summary.target.thread_id) == ("chan-1", "thread-9")
    assert await service.interviews.current(person) is None
    # another platform's interview is not this job's: it is ended by its own platform's job,
    # or by the person's next command there, which gets its summary
    assert await service.interviews.current(other) is not None
    (late,) = await service.interviews.answer(other, "늦은 답변")
    assert late.kind.value == "summary"
    assert len([s for s in notifier.sent if s.reply.kind.value == "summary"]) == 1


async def test_two_expiry_jobs_post_one_summary(service: Service, clock: FakeClock) -> None:
    notifier = RecordingNotifier(clock, platform=PLATFORM)
    jobs = [service.interview_expiry(notifier), service.interview_expiry(notifier)]
    person = Caller(PLATFORM, "someone", "chan-1", WORKSPACE, thread_id="thread-9")
    await service.interviews.start(person, None, 2)
    clock.advance(timedelta(minutes=service.settings.interview_idle_minutes + 1))
    assert sorted(await asyncio.gather(*(job.tick() for job in jobs))) == [0, 1]
    assert len([s for s in notifier.sent if s.reply.kind.value == "summary"]) == 1


async def test_the_job_checks_every_minute_until_stopped(
    service: Service, clock: FakeClock
) -> None:
    notifier = RecordingNotifier(clock, platform=PLATFORM)
    job = service.interview_expiry(notifier)
    person = Caller(PLATFORM, "someone", "chan-1", WORKSPACE, thread_id="thread-9")
    await service.interviews.start(person, None, 2)
    task = asyncio.create_task(job.run_forever())
    await clock.wait_for_sleepers(1)
    assert notifier.sent == []
    clock.advance(timedelta(minutes=service.settings.interview_idle_minutes + 1))
    await clock.wait_for_sleepers(1)
    assert [s.reply.kind.value for s in notifier.sent] == ["summary"]
    job.stop()
    await asyncio.wait_for(task, timeout=5)
