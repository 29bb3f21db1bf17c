"""The learning loop on Slack as a person meets it, through the real slack-bolt AsyncApp against
the fake Slack: ``/review`` (a session in a thread; nothing due: the "review anyway" button),
``/stats`` with its chart uploaded through Slack's three-step upload, ``/leaderboard`` public and
pinging nobody, ``/export`` into the person's DM, the App Home dashboard with its Review button,
``/remind`` and the reminder runner's one DM, and the notifier's DMs (a person the app cannot DM
is as gone as an archived channel). The Service's replies are told apart by their message key
(``Reply.extra["key"]``), recorded as the front end receives them."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.adapters.slack.app import SlackFrontEnd
from bot.adapters.slack.listeners.learning import (
    home_view,
    leaderboard_text,
    member_text,
    review_text,
)
from bot.adapters.slack.notifier import SlackNotifier
from bot.app.service import Service
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.errors import BadInput
from bot.core.messages import t
from bot.core.models import Action, Attachment, Caller, Field, Reply, ReplyKind
from bot.core.ports import ChannelUnavailable
from bot.testing import FakeClock
from tests.fakes.slack import (
    ADMIN_USER_ID,
    BOT_USER_ID,
    DEFAULT_CHANNEL_ID,
    DEFAULT_USER_ID,
    FakeMessage,
    FakeSlack,
    FakeUser,
    SlackDriver,
    running_socket_mode,
    serve_bolt_http,
)
from tests.fakes.slack.server import TEAM_ID

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# From the fake clock's start (midnight UTC): 30 days on, 21:30 in Seoul (UTC+9).
PAST_NINE_PM_A_MONTH_LATER = timedelta(days=30, hours=12, minutes=30)
DM = "D" + DEFAULT_USER_ID[1:]  # the fake's DM channel with the default member


# --- set-up ---------------------------------------------------------------------------------


@pytest.fixture
def settings(make_settings: type[Settings], tmp_path: Path, sqlite_url: str) -> Settings:
    return make_settings(
        database_url=sqlite_url,
        data_dir=tmp_path / "data",
        knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
        knowledge_watch=False,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def service(settings: Settings, clock: FakeClock) -> AsyncIterator[Service]:
    svc = await Service.start(settings, clock=clock)
    yield svc
    await svc.close()


class Keys:
    """The message keys of the replies the front end got from the Service, in order."""

    def __init__(self) -> None:
        self.seen: list[Reply] = []

    def listed(self) -> list[object]:
        return [reply.extra.get("key") for reply in self.seen]

    def last(self, key: str) -> Reply:
        return next(r for r in reversed(self.seen) if r.extra.get("key") == key)

    def has(self, key: str) -> bool | None:
        return key in self.listed() or None

    def has_started(self) -> bool | None:
        return self.has("review_started")

    def graded(self) -> bool | None:
        return any(r.kind is ReplyKind.GRADE for r in self.seen) or None


@pytest.fixture
def keys(service: Service, monkeypatch: pytest.MonkeyPatch) -> Keys:
    """Record every Reply the learning calls hand the front end."""
    recorded = Keys()
    names = (
        "review",
        "review_preview",
        "remind",
        "stats",
        "leaderboard",
        "leaderboard_opt",
        "export",
        "act",
    )
    for name in (*names, "answer_in_thread"):
        original: Callable[..., Awaitable[Any]] = getattr(service, name)

        async def spy(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            result = await _original(*args, **kwargs)
            if result is not None:
                recorded.seen.extend(result if isinstance(result, list) else [result])
            return result

        monkeypatch.setattr(service, name, spy)
    original_dashboard = service.dashboard

    async def dashboard(caller: Caller) -> Reply:
        reply = await original_dashboard(caller)
        recorded.seen.append(reply)
        return reply

    monkeypatch.setattr(service, "dashboard", dashboard)
    return recorded


@pytest.fixture
async def front(fake_slack: FakeSlack, service: Service) -> SlackFrontEnd:
    return SlackFrontEnd(
        service,
        token=fake_slack.bot_token,
        signing_secret=fake_slack.signing_secret,
        client=fake_slack.web_client(),
    )


@pytest.fixture
async def driver(fake_slack: FakeSlack, front: SlackFrontEnd) -> AsyncIterator[SlackDriver]:
    async with serve_bolt_http(front.app) as url:
        yield fake_slack.http(url)


def _caller(user_id: str = DEFAULT_USER_ID, name: str = "member") -> Caller:
    return Caller(
        platform="slack",
        user_id=user_id,
        channel_id=DEFAULT_CHANNEL_ID,
        workspace_id=TEAM_ID,
        display_name=name,
    )


async def _history(service: Service, user_id: str = DEFAULT_USER_ID, count: int = 2) -> str:
    """Answers on record (each makes a card): the first concepts, answered with their
    definitions; returns an answer that fits any of them."""
    caller = _caller(user_id)
    concepts = service.concepts(caller)[:count]
    for concept in concepts:
        await service.grade(caller, concept, concept.definition)
    return " ".join(concept.definition for concept in concepts)


async def _response(fake: FakeSlack, delivery_url: str | None) -> dict[str, Any]:
    post = await fake.wait_for_response(lambda p: p.url == delivery_url)
    assert post.ok, post.error
    return post.payload


def _bot_in(fake: FakeSlack, channel: str) -> list[FakeMessage]:
    return [m for m in fake.channel_messages(channel) if m.from_bot]


# --- reading the command text ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "member"),
    [("", None), ("<@U123ABC|kim>", "U123ABC"), ("<@W0A1B2>", "W0A1B2"), (" U777XYZ ", "U777XYZ")],
)
def test_stats_reads_the_escaped_mention(text: str, member: str | None) -> None:
    assert member_text(text) == member


@pytest.mark.parametrize("text", ["@kim", "<#C123|general>", "<@U1|a> <@U2|b>"])
def test_stats_refuses_anything_else(text: str) -> None:
    with pytest.raises(BadInput) as refused:
        member_text(text)
    assert refused.value.key == "slack_stats_usage"


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("", ("show", "week", 1)),
        ("all", ("show", "all", 1)),
        ("ALL 3", ("show", "all", 3)),
        ("2", ("show", "week", 2)),
        ("optout", ("optout", "", 1)),
        ("optin", ("optin", "", 1)),
    ],
)
def test_leaderboard_text(text: str, parsed: tuple[str, str, int]) -> None:
    assert leaderboard_text(text) == parsed


@pytest.mark.parametrize("text", ["month", "0", "optout now", "week -1"])
def test_leaderboard_text_refuses(text: str) -> None:
    with pytest.raises(BadInput) as refused:
        leaderboard_text(text)
    assert refused.value.key == "slack_leaderboard_usage"


def test_review_text() -> None:
    assert review_text("anyway") and review_text("--anyway") and not review_text("")


def test_the_home_view_keeps_block_kits_limits() -> None:
    reply = Reply(
        "Dashboard",
        "x" * 250_000,
        fields=tuple(Field(f"f{i}", "v" * 3000) for i in range(30)),
        actions=(Action("review.start", "Review"),),
    )
    view = home_view(reply)
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    texts = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section" and "text" in b]
    assert all(len(text) <= 3000 for text in texts)


# --- the notifier's DMs and files -----------------------------------------------------------


async def test_direct_opens_the_dm_and_posts_there_with_the_files(fake_slack: FakeSlack) -> None:
    notifier = SlackNotifier(fake_slack.web_client())
    reply = Reply(
        "Stats", "body", files=(Attachment("stats.png", PNG_SIGNATURE + b"x", "image/png"),)
    )
    posted = await notifier.direct(TEAM_ID, DEFAULT_USER_ID, reply)
    (opened,) = fake_slack.calls_to("conversations.open")
    assert opened.args["users"] == DEFAULT_USER_ID
    message = fake_slack.find_message(DM, posted.message_id)
    assert message is not None and "Stats" in message.all_text()
    (png,) = fake_slack.uploaded_files(DM)
    assert png.content.startswith(PNG_SIGNATURE)


@pytest.mark.parametrize("error", ["cannot_dm_bot", "user_not_found", "user_disabled"])
async def test_a_person_the_app_cannot_dm_is_gone(fake_slack: FakeSlack, error: str) -> None:
    fake_slack.fail_next("conversations.open", error=error)
    notifier = SlackNotifier(fake_slack.web_client())
    with pytest.raises(ChannelUnavailable):
        await notifier.direct(TEAM_ID, DEFAULT_USER_ID, Reply("Due"))
    assert fake_slack.calls_to("chat.postMessage") == []


async def test_the_fake_refuses_a_dm_with_a_bot_or_a_deactivated_person(
    fake_slack: FakeSlack,
) -> None:
    fake_slack.users["U0GONE"] = FakeUser("U0GONE", "gone", deleted=True)
    notifier = SlackNotifier(fake_slack.web_client())
    for user in (BOT_USER_ID, "U0GONE", "U0NOBODY"):
        with pytest.raises(ChannelUnavailable):
            await notifier.direct(TEAM_ID, user, Reply("Due"))


# --- /review --------------------------------------------------------------------------------


async def test_review_anyway_runs_a_session_in_a_thread_answered_there(
    fake_slack: FakeSlack, driver: SlackDriver, service: Service, keys: Keys
) -> None:
    answer = await _history(service)
    delivery = await driver.slash_command("/review", "anyway")
    assert delivery.acked
    started = await fake_slack.wait_until(lambda: keys.has("review_started"), what="the session")
    assert started
    intro = keys.last("review_started")
    head = await fake_slack.wait_for_message(
        lambda m: m.from_bot and t("slack_review_head", "ko", name="member") in m.all_text()
    )
    assert head.thread_ts is None and head.channel == DEFAULT_CHANNEL_ID
    question = await fake_slack.wait_for_message(
        lambda m: m.from_bot and m.thread_ts == head.ts and intro.body in m.all_text()
    )
    assert question.pings == ()
    posted = len(fake_slack.thread(DEFAULT_CHANNEL_ID, head.ts))
    await driver.message_event(answer, thread_ts=head.ts)
    await fake_slack.wait_until(keys.graded, what="the answer graded")
    await fake_slack.wait_until(
        lambda: len(fake_slack.thread(DEFAULT_CHANNEL_ID, head.ts)) > posted + 1 or None,
        what="the grade in the thread",
    )


async def test_review_with_nothing_due_offers_the_anyway_button(
    fake_slack: FakeSlack, driver: SlackDriver, service: Service, keys: Keys
) -> None:
    await _history(service)  # cards, none due yet
    delivery = await driver.slash_command("/review")
    payload = await _response(fake_slack, delivery.response_url)
    assert keys.listed() == ["review_none_due"]
    assert payload["response_type"] == "ephemeral"
    assert _bot_in(fake_slack, DEFAULT_CHANNEL_ID) == [], "nothing is posted in the channel"
    button = fake_slack.find_button(value=json.dumps({"c": "review.anyway", "a": ""}))
    assert button.ephemeral
    await driver.block_action(button)
    await fake_slack.wait_until(lambda: keys.has("review_started"), what="a session")
    intro = keys.last("review_started")
    asked = await fake_slack.wait_for_message(
        lambda m: m.from_bot and m.thread_ts is not None and intro.body in m.all_text()
    )
    assert asked.channel == DEFAULT_CHANNEL_ID


# --- /stats, /leaderboard, /export ----------------------------------------------------------


async def test_stats_uploads_the_chart_privately(
    fake_slack: FakeSlack, driver: SlackDriver, service: Service, keys: Keys
) -> None:
    await _history(service)
    delivery = await driver.slash_command("/stats")
    payload = await _response(fake_slack, delivery.response_url)
    assert keys.listed() == ["stats"] and payload["response_type"] == "ephemeral"
    assert t("slack_files_in_dm", "ko") in json.dumps(payload["blocks"], ensure_ascii=False)
    await fake_slack.wait_for_call("files.completeUploadExternal")
    (step1,) = fake_slack.calls_to("files.getUploadURLExternal")
    assert step1.args["filename"] == "stats.png"
    (chart,) = fake_slack.uploaded_files()
    assert chart.content.startswith(PNG_SIGNATURE) and chart.mimetype == "image/png"
    assert fake_slack.uploaded_files(DM) == [chart], "only in the person's DM"
    assert fake_slack.uploaded_files(DEFAULT_CHANNEL_ID) == []


async def test_stats_of_a_member_is_for_admins(
    fake_slack: FakeSlack, driver: SlackDriver, service: Service
) -> None:
    await _history(service, ADMIN_USER_ID)
    delivery = await driver.slash_command("/stats", f"<@{ADMIN_USER_ID}|admin>")
    payload = await _response(fake_slack, delivery.response_url)
    assert payload["response_type"] == "ephemeral"
    assert t("admin_only", "ko") in json.dumps(payload["blocks"], ensure_ascii=False)
    assert fake_slack.uploaded_files() == []


async def test_an_admin_sees_a_members_stats_in_their_own_dm(
    fake_slack: FakeSlack, driver: SlackDriver, service: Service, keys: Keys
) -> None:
    await _history(service)
    delivery = await driver.slash_command(
        "/stats", f"<@{DEFAULT_USER_ID}|member>", user_id=ADMIN_USER_ID
    )
    await _response(fake_slack, delivery.response_url)
    assert keys.listed() == ["stats"]
    await fake_slack.wait_for_call("files.completeUploadExternal")
    (chart,) = fake_slack.uploaded_files("D" + ADMIN_USER_ID[1:])
    assert chart.content.startswith(PNG_SIGNATURE)
    assert fake_slack.uploaded_files(DM) == []


async def test_stats_over_socket_mode(
    fake_slack: FakeSlack, front: SlackFrontEnd, service: Service
) -> None:
    await _history(service)
    handler = AsyncSocketModeHandler(front.app, fake_slack.app_token)
    async with running_socket_mode(handler, fake_slack):
        delivery = await fake_slack.socket().slash_command("/stats")
        assert delivery.acked
        await fake_slack.wait_for_call("files.completeUploadExternal")
    (chart,) = fake_slack.uploaded_files(DM)
    assert chart.content.startswith(PNG_SIGNATURE)


async def test_leaderboard_is_public_and_pings_nobody(
    fake_slack: FakeSlack, driver: SlackDriver, service: Service, keys: Keys
) -> None:
    await _history(service)
    await _history(service, ADMIN_USER_ID, count=1)
    delivery = await driver.slash_command("/leaderboard")
    payload = await _response(fake_slack, delivery.response_url)
    assert keys.listed() == ["leaderboard"] and payload["response_type"] == "in_channel"
    board = fake_slack.channel_messages()[-1]
    assert "<@" not in board.all_text() and board.pings == ()


async def test_leaderboard_pages_replace_the_board(
    fake_slack: FakeSlack, driver: SlackDriver, service: Service, keys: Keys
) -> None:
    for number in range(12):
        await _history(service, f"U00PERSON{number:02d}", count=1)
    delivery = await driver.slash_command("/leaderboard", "all")
    await _response(fake_slack, delivery.response_url)
    board = fake_slack.channel_messages()[-1]
    page = next(a for a in keys.last("leaderboard").actions if a.command == "leaderboard.page")
    button = fake_slack.find_button(value=json.dumps({"c": page.command, "a": page.argument}))
    await driver.block_action(button)
    await fake_slack.wait_until(lambda: board.edits == 1 or None, what="the board replaced")
    assert keys.listed()[-1] == "leaderboard" and keys.last("leaderboard").extra.get("page") == 2
    assert "<@" not in board.all_text() and board.pings == ()


async def test_leaderboard_optout_is_answered_privately(
    fake_slack: FakeSlack, driver: SlackDriver, keys: Keys
) -> None:
    delivery = await driver.slash_command("/leaderboard", "optout")
    payload = await _response(fake_slack, delivery.response_url)
    assert keys.listed() == ["leaderboard_opt"] and payload["response_type"] == "ephemeral"


async def test_export_sends_the_csv_and_the_anki_deck_to_the_dm(
    fake_slack: FakeSlack, driver: SlackDriver, service: Service, keys: Keys
) -> None:
    await _history(service)
    delivery = await driver.slash_command("/export")
    payload = await _response(fake_slack, delivery.response_url)
    assert keys.listed() == ["export"] and payload["response_type"] == "ephemeral"
    await fake_slack.wait_for_call("files.completeUploadExternal")
    files = {f.name: f for f in fake_slack.uploaded_files(DM)}
    assert set(files) == {"answers.csv", "weakest-anki.txt"}
    rows = list(csv.reader(io.StringIO(files["answers.csv"].content.decode("utf-8-sig"))))
    assert len(rows) >= 3, rows  # a header and the two answers
    deck = files["weakest-anki.txt"].content.decode("utf-8")
    assert all("\t" in line for line in deck.splitlines() if line and not line.startswith("#"))
    assert fake_slack.uploaded_files(DEFAULT_CHANNEL_ID) == []


async def test_export_without_a_dm_still_answers(
    fake_slack: FakeSlack, driver: SlackDriver, service: Service
) -> None:
    await _history(service)
    fake_slack.fail_next("conversations.open", error="cannot_dm_bot")
    delivery = await driver.slash_command("/export")
    payload = await _response(fake_slack, delivery.response_url)
    assert t("slack_files_no_dm", "ko") in json.dumps(payload["blocks"], ensure_ascii=False)
    assert fake_slack.uploaded_files() == []


# --- /remind and the reminder runner --------------------------------------------------------


async def test_remind_answers_privately(
    fake_slack: FakeSlack, driver: SlackDriver, keys: Keys
) -> None:
    delivery = await driver.slash_command("/remind", "on 21:00 Asia/Seoul")
    payload = await _response(fake_slack, delivery.response_url)
    assert payload["response_type"] == "ephemeral"
    delivery = await driver.slash_command("/remind")
    await _response(fake_slack, delivery.response_url)
    delivery = await driver.slash_command("/remind", "off")
    await _response(fake_slack, delivery.response_url)
    assert keys.listed() == ["remind_on", "remind_status", "remind_off"]


async def _run_until_idle(runner: Any, clock: FakeClock) -> asyncio.Task[None]:
    task = asyncio.create_task(runner.run_forever())
    await clock.wait_for_sleepers(1)
    return task


async def _stop(runner: Any, task: asyncio.Task[None]) -> None:
    runner.stop()
    await asyncio.wait_for(task, timeout=5)


async def test_the_reminder_dms_once_when_cards_are_due(
    fake_slack: FakeSlack,
    driver: SlackDriver,
    front: SlackFrontEnd,
    service: Service,
    clock: FakeClock,
    keys: Keys,
) -> None:
    await _history(service)
    delivery = await driver.slash_command("/remind", "on 21:00 Asia/Seoul")
    await _response(fake_slack, delivery.response_url)
    clock.advance(PAST_NINE_PM_A_MONTH_LATER)  # every card due, 21:30 in Seoul
    task = await _run_until_idle(front.reminders, clock)
    try:
        await fake_slack.wait_until(lambda: _bot_in(fake_slack, DM) or None, what="the DM")
        clock.advance(timedelta(minutes=5))  # it looks again: already sent today
        await clock.wait_for_sleepers(1)
    finally:
        await _stop(front.reminders, task)
    assert len(_bot_in(fake_slack, DM)) == 1
    other = service.reminder_runner(SlackNotifier(fake_slack.web_client()))
    task = await _run_until_idle(other, clock)
    await _stop(other, task)
    assert len(_bot_in(fake_slack, DM)) == 1, "a second runner does not send it again"
    button = fake_slack.find_button(value=json.dumps({"c": "review.start", "a": ""}), channel_id=DM)
    await driver.block_action(button)
    await fake_slack.wait_until(keys.has_started, what="the session from the nudge")
    session = [m for m in _bot_in(fake_slack, DM) if m.thread_ts is not None]
    assert session, "the session runs in a thread of the DM"


async def test_a_reminder_to_someone_the_app_cannot_dm_does_not_crash(
    fake_slack: FakeSlack,
    driver: SlackDriver,
    front: SlackFrontEnd,
    service: Service,
    clock: FakeClock,
) -> None:
    await _history(service)
    delivery = await driver.slash_command("/remind", "on 21:00 Asia/Seoul")
    await _response(fake_slack, delivery.response_url)
    fake_slack.fail_next("conversations.open", error="user_not_found", times=5)
    clock.advance(PAST_NINE_PM_A_MONTH_LATER)
    task = await _run_until_idle(front.reminders, clock)
    try:
        await fake_slack.wait_for_call("conversations.open")
        clock.advance(timedelta(minutes=5))
        await clock.wait_for_sleepers(1)
        assert not task.done()
    finally:
        await _stop(front.reminders, task)
    assert _bot_in(fake_slack, DM) == []


# --- the App Home ---------------------------------------------------------------------------


async def test_the_home_tab_shows_the_dashboard_and_its_review_button_runs_in_the_dm(
    fake_slack: FakeSlack, driver: SlackDriver, service: Service, clock: FakeClock, keys: Keys
) -> None:
    answer = await _history(service)
    clock.advance(timedelta(days=30))  # the cards are due
    delivery = await driver.app_home_opened(DEFAULT_USER_ID)
    assert delivery.acked
    await fake_slack.wait_for_call("views.publish", lambda c: c.ok)
    dashboard = keys.last("dashboard")
    assert int(str(dashboard.extra["due"])) >= 1
    view = fake_slack.home_views[DEFAULT_USER_ID]
    assert view.view["type"] == "home"
    shown = json.dumps(view.view["blocks"], ensure_ascii=False)
    assert dashboard.title in shown
    button = fake_slack.find_view_button(view.id, command="review.start")
    await driver.block_action_in_view(view.id, button)
    await fake_slack.wait_until(lambda: keys.has("review_started"), what="a session")
    intro = keys.last("review_started")
    asked = await fake_slack.wait_for_message(
        lambda m: m.from_bot and m.channel == DM and m.thread_ts is not None
    )
    assert any(intro.body in m.all_text() for m in fake_slack.thread(DM, str(asked.thread_ts)))
    await driver.message_event(answer, channel_id=DM, thread_ts=asked.thread_ts)
    await fake_slack.wait_until(keys.graded, what="the answer graded")


async def test_the_messages_tab_publishes_nothing(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    delivery = await driver.app_home_opened(DEFAULT_USER_ID, tab="messages")
    assert delivery.acked
    with pytest.raises(AssertionError):
        await fake_slack.wait_for_call("views.publish", timeout=0.2)


async def test_a_home_tab_button_that_fails_is_reported_in_the_dm(
    fake_slack: FakeSlack, driver: SlackDriver, service: Service, clock: FakeClock
) -> None:
    await _history(service)
    await driver.app_home_opened(DEFAULT_USER_ID)
    await fake_slack.wait_for_call("views.publish", lambda c: c.ok)
    view = fake_slack.home_views[DEFAULT_USER_ID]
    button = fake_slack.find_view_button(view.id, command="review.start")
    fake_slack.fail_next("conversations.open", error="fatal_error")
    await driver.block_action_in_view(view.id, button)
    told = await fake_slack.wait_for_message(
        lambda m: m.from_bot and m.channel == DM and t("error_title", "ko") in m.all_text()
    )
    assert t("internal_error", "ko") in told.all_text()
