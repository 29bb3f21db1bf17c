"""The bot's real command tree, buttons and answer modal driven through SimCord, a simulated
Discord in-process (no network, no token): members run slash commands, type into autocomplete,
press buttons and submit modals, and the tests read back the messages SimCord's backend holds.

Unlike :mod:`tests.fakes.discord` (our own fake, over a socket), SimCord patches discord.py's
HTTP and gateway seams and settles the event loop after every action, so no test polls.

Two concessions, both about what SimCord cannot be told:

- It settles only on waits it recognises, and the daily runner's and the interview expiry's
  ``asyncio.timeout(...)`` around ``Event.wait()`` is not one of them (it reports "unknown wait"
  and times out). The Service here gets :class:`SimcordClock`, real time whose sleeps are plain
  ``asyncio.sleep`` calls SimCord parks. For the same reason the notes keeper does not watch
  the notes folders here (the watcher waits in a thread); its timer runs on that clock.
- Every interaction it makes says ``locale: en-US``, with no option to change it, and the bot
  answers in the person's Discord language. The members here use a Korean client
  (:func:`korean_clients`), the bot's default audience.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

import discord
import pytest
import simcord
from discord import app_commands

from bot.adapters.discord.client import DiscordBot
from bot.app.clock import SystemClock
from bot.app.service import Service
from bot.config import Settings
from bot.core.messages import t
from tests.wording import message_pattern

GUILD_ID = 1_100_000_000_000_000_001  # the development guild the bot syncs its commands to
STATS = "통계적 개념"  # a category of the shipped notes
ANSWER = "귀무가설은 차이가 없다는 전제이고 p값이 유의수준보다 작으면 기각합니다"
SLEEP_CHUNK_S = 3600.0  # longer than SimCord's settle timeout, so a background sleep is parked

StartService = Callable[[], Awaitable[Service]]


class SimcordClock(SystemClock):
    """Wall-clock time like :class:`SystemClock`, but waiting in plain ``asyncio.sleep`` chunks
    (a set ``wake`` is noticed at the end of a chunk, or when the sleeper is cancelled)."""

    async def sleep_until(self, when: datetime, wake: asyncio.Event) -> bool:
        while True:
            remaining = (when - self.now()).total_seconds()
            if remaining <= 0:
                return False
            if wake.is_set():
                return True
            await asyncio.sleep(min(remaining, SLEEP_CHUNK_S))


@pytest.fixture(autouse=True)
def korean_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every SimCord interaction comes from a Korean Discord client (``locale: ko``)."""
    original = simcord.interactions.base_payload

    def korean(*args: Any, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        record, payload = original(*args, **kwargs)
        payload["locale"] = discord.Locale.korean.value
        if "guild_locale" in payload:
            payload["guild_locale"] = discord.Locale.korean.value
        return record, payload

    monkeypatch.setattr(simcord.interactions, "base_payload", korean)


@pytest.fixture
async def start_service(settings: Settings) -> AsyncIterator[StartService]:
    """Starts Services on one SQLite file and the shipped notes (closed after SimCord stops);
    the notes folders are not watched (see the module's concessions)."""
    started: list[Service] = []
    unwatched = settings.model_copy(update={"knowledge_watch": False})

    async def start() -> Service:
        service = await Service.start(unwatched, clock=SimcordClock())
        started.append(service)
        return service

    yield start
    for service in reversed(started):
        await service.close()


def _bot(service: Service) -> DiscordBot:
    return DiscordBot(service, guild_id=GUILD_ID, shard_count=1)


@pytest.fixture
async def simcord_bot(start_service: StartService) -> DiscordBot:
    """The bot SimCord's ``simcord_env`` fixture logs in (its pytest plugin asks for this)."""
    return _bot(await start_service())


class World:
    """The guild the bot syncs to, a text channel and two plain members."""

    def __init__(self, env: simcord.Env) -> None:
        self.env = env
        self.guild = env.create_guild("Interview prep", id=GUILD_ID)
        self.channel = self.guild.create_text_channel("general")
        self.alice = self.guild.add_member(env.create_user("alice"))
        self.bob = self.guild.add_member(env.create_user("bob"))


@pytest.fixture
def world(simcord_env: simcord.Env) -> World:
    return World(simcord_env)


def _embed(result: simcord.InteractionResult, needle: str) -> discord.Embed:
    """The one embed among the interaction's messages that mentions ``needle``."""
    messages = [m for m in [result.response, *result.followups] if m is not None]
    found = [e for m in messages for e in m.embeds if needle in _text(e)]
    assert len(found) == 1, [_text(e) for m in messages for e in m.embeds]
    return found[0]


def _text(embed: discord.Embed) -> str:
    parts = [embed.title or "", embed.description or ""]
    parts += [f"{field.name} {field.value}" for field in embed.fields]
    parts.append(embed.footer.text or "")
    return "\n".join(parts)


def _said(channel: simcord.ChannelHandle, needle: str) -> list[discord.Message]:
    return [m for m in channel.history() if any(needle in _text(e) for e in m.embeds)]


def _labels(message: discord.Message) -> list[str]:
    return [
        child.label or ""
        for row in message.components
        if isinstance(row, discord.ActionRow)
        for child in row.children
        if isinstance(child, discord.Button)
    ]


def _question_title(number: int) -> str:
    return t("question_title", "ko", number=number, total=2, category=STATS)


async def _start_interview(
    world: World, actor: simcord.MemberActor | None = None
) -> tuple[simcord.ChannelHandle, discord.Message]:
    """``/interview start topic:통계 rounds:2`` in the channel: the thread and its question 1."""
    started = await (actor or world.alice).slash(
        world.channel, "interview start", topic="통계", rounds=2
    )
    (thread,) = world.channel.threads
    assert started.response is not None and thread.mention in started.response.content
    (question,) = _said(thread, _question_title(1))
    return thread, question


async def test_the_command_tree_is_synced_to_the_guild_and_daily_is_for_managers(
    world: World,
) -> None:
    offered = set(world.alice.available_commands(world.channel))
    assert {"define", "interview start", "interview hint", "interview skip", "interview stop"} <= (
        offered
    )
    assert not any(name.startswith("daily") for name in offered), "Manage Server only"
    managers = world.guild.create_role(
        "Managers", permissions=discord.Permissions(manage_guild=True)
    )
    admin = world.guild.add_member(world.env.create_user("admin"), roles=[managers])
    assert {"daily set", "daily status", "daily off", "daily now"} <= set(
        admin.available_commands(world.channel)
    )
    status = await admin.slash(world.channel, "daily status")
    assert status.ephemeral and status.response is not None and status.response.embeds


async def test_define_answers_everyone_with_the_notes_definition(world: World) -> None:
    result = await world.alice.slash(world.channel, "define", term="도커")
    assert result.acknowledged and not result.deferred, "the 'thinking…' reply was filled in"
    assert not result.ephemeral
    embed = _embed(result, "Docker")
    assert embed.title is not None and embed.title.startswith("Docker")
    assert "interview-notes.md:" in _text(embed), "the definition cites its note"
    (shown,) = [m for m in world.channel.history(viewer=world.bob) if m.embeds]
    assert shown.embeds[0].title == embed.title, "bob sees it too"


async def test_define_private_is_seen_only_by_the_caller(world: World) -> None:
    result = await world.alice.slash(world.channel, "define", term="Docker", private=True)
    assert result.ephemeral
    assert result.response is not None and result.response.ephemeral
    assert _embed(result, "Docker").title
    assert not world.channel.history(viewer=world.bob), "nobody else sees a private answer"
    assert world.channel.history(viewer=world.alice)


async def test_define_autocomplete_offers_the_notes_concepts(world: World) -> None:
    choices = await world.alice.autocomplete(world.channel, "define", "term", "도커")
    assert {"name": "Docker (도커)", "value": "Docker"} in choices
    assert 0 < len(choices) <= 25


async def test_interview_topic_autocomplete_offers_a_topic_that_starts_an_interview(
    world: World, simcord_bot: DiscordBot
) -> None:
    group = simcord_bot.tree.get_command("interview", guild=discord.Object(GUILD_ID))
    start = group.get_command("start") if isinstance(group, app_commands.Group) else None
    assert isinstance(start, app_commands.Command)
    assert any(p.name == "topic" and p.autocomplete for p in start.parameters)
    choices = await world.alice.autocomplete(world.channel, "interview start", "topic", "통계")
    assert 0 < len(choices) <= 25
    (stats,) = [c for c in choices if STATS in c["name"] or STATS in c["value"]]
    await world.alice.slash(world.channel, "interview start", topic=stats["value"], rounds=2)
    (thread,) = world.channel.threads
    assert _said(thread, _question_title(1)), "the offered value is a topic /interview knows"


async def test_interview_start_opens_a_thread_with_the_first_question(world: World) -> None:
    thread, question = await _start_interview(world)
    assert thread.is_thread and thread.name == t("interview_thread_name", "ko", name="alice")
    assert _said(thread, t("interview_started", "ko", topic=STATS, rounds=2))
    assert _labels(question) == [
        t("action_answer", "ko"),
        t("action_hint", "ko"),
        t("action_skip", "ko"),
        t("action_stop", "ko"),
    ]


async def test_the_answer_button_opens_the_modal_and_the_answer_is_graded(world: World) -> None:
    thread, question = await _start_interview(world)
    shown = await world.alice.click(question, label=t("action_answer", "ko"))
    title = t("question_title", "ko", number=1, total=2, category=STATS)
    assert shown.modal is not None and shown.modal["title"] == title, "it names its question"

    submitted = await world.alice.submit_modal(shown, {"answer": ANSWER})
    graded = _embed(submitted, t("field_hits", "ko"))
    assert message_pattern("grade_title").search(graded.title or "")
    assert t("field_misses", "ko") in _text(graded) and t("field_reference", "ko") in _text(graded)
    assert all(m.channel.id == thread.id for m in thread.history()), "all in the thread"
    assert _said(thread, _question_title(2)), "the next question follows the grade"
    assert not _said(world.channel, t("field_hits", "ko")), "nothing lands in the channel"


async def test_hint_skip_and_stop_buttons(world: World) -> None:
    thread, question = await _start_interview(world)

    hint = await world.alice.click(question, label=t("action_hint", "ko"))
    assert hint.ephemeral and _embed(hint, t("hint_title", "ko"))
    assert not [m for m in thread.history(viewer=world.bob) if m.flags.ephemeral]

    skipped = await world.alice.click(question, label=t("action_skip", "ko"))
    assert _embed(skipped, t("skipped_title", "ko"))
    (second,) = _said(thread, _question_title(2))

    stopped = await world.alice.click(second, label=t("action_stop", "ko"))
    summary = _embed(stopped, t("summary_title", "ko"))
    assert summary.description is not None


async def test_stop_pressed_by_someone_else_is_refused(world: World) -> None:
    _thread, question = await _start_interview(world)
    refused = await world.bob.click(question, label=t("action_stop", "ko"))
    assert _embed(refused, t("interview_not_yours", "ko"))


async def test_the_old_question_still_works_after_a_restart(
    world: World, simcord_bot: DiscordBot, start_service: StartService
) -> None:
    thread, question = await _start_interview(world)

    await simcord_bot.close()  # what stopping the process does: background jobs, then discord.py
    await simcord_bot.service.close()
    restarted = _bot(await start_service())  # a new process: new Service on the same database
    await world.env.restart_bot(restarted)
    assert restarted.is_ready() and restarted.get_channel(thread.id) is not None

    old = next(m for m in thread.history() if m.id == question.id)
    shown = await world.alice.click(old, label=t("action_answer", "ko"))
    assert shown.modal is not None, "the old message's answer button opens the modal"
    submitted = await world.alice.submit_modal(shown, {"answer": ANSWER})
    assert _embed(submitted, t("field_hits", "ko"))
    (second,) = _said(thread, _question_title(2))

    hint = await world.alice.click(old, label=t("action_hint", "ko"))
    assert hint.ephemeral
    stopped = await world.alice.click(second, label=t("action_stop", "ko"))
    assert message_pattern("summary_average", count=1).search(
        _embed(stopped, t("summary_title", "ko")).description or ""
    )
