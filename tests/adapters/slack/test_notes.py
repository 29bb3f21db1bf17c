"""``/notes`` on Slack as a workspace's admin meets it, through the real slack-bolt AsyncApp
against the fake Slack: the upload modal with its file input, a file shared in a DM with the
bot, the checks made before and after the download, listing and removing a source, and a git
repository (a bare one in tmp_path, real git) added and pulled again."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.adapters.slack.app import SlackFrontEnd
from bot.adapters.slack.listeners.commands import notes_text
from bot.adapters.slack.uploads import NOTES_BLOCK, NOTES_INPUT, may_carry_token
from bot.app.service import Service
from bot.app.sources import limits_params
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.knowledge.decode import too_big_params
from bot.core.messages import Msg, t
from tests.fakes.slack import (
    ADMIN_USER_ID,
    DEFAULT_CHANNEL_ID,
    DEFAULT_USER_ID,
    SECRET_CHANNEL_ID,
    FakeMessage,
    FakeSlack,
    SlackDriver,
    running_socket_mode,
    serve_bolt_http,
)
from tests.gitrepo import Remote, isolate_git
from tests.wording import message_pattern

# Made-up concepts, in none of the shipped notes.
TERM = "블루베리캐시"
DEFINITION = "과일 이름을 붙인 가상의 캐시 계층"
NOTES = f"## 운영체제\n\n- {TERM} - {DEFINITION}\n"
GIT_TERM, GIT_DEFINITION = "라즈베리프로토콜", "가상의 통신 규약이에요"
NEW_TERM, NEW_DEFINITION = "체리라우팅", "가상의 경로 선택 방식이에요"
OTHER_TEAM = "T0000OTHER"


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_git(monkeypatch, tmp_path)


@pytest.fixture
def settings(make_settings: type[Settings], tmp_path: Path, sqlite_url: str) -> Settings:
    """The shipped notes, and repositories a workspace adds may be local (``file://``)."""
    return make_settings(
        database_url=sqlite_url,
        data_dir=tmp_path / "data",
        knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
        knowledge_git_schemes=["file"],
    )


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


def _text(message: FakeMessage | dict[str, Any]) -> str:
    return message.all_text() if isinstance(message, FakeMessage) else str(message)


async def _command(
    fake: FakeSlack, driver: SlackDriver, command: str, text: str = "", **kwargs: Any
) -> dict[str, Any]:
    """Run a slash command; the payload of its (first) response_url post."""
    delivery = await driver.slash_command(command, text, **kwargs)
    assert delivery.acked
    post = await fake.wait_for_response(lambda p: p.url == delivery.response_url)
    assert post.ok, post.error
    return post.payload


async def _ephemeral(fake: FakeSlack, user: str, needle: str) -> FakeMessage:
    return await fake.wait_for_message(lambda m: m.ephemeral_to == user and needle in m.all_text())


def _added(name: str) -> str:
    return t("notes_added_file", "ko", name=name, **limits_params())


async def _open_and_submit(fake: FakeSlack, driver: SlackDriver, file: dict[str, Any]) -> None:
    await _command_no_reply(driver, "/notes", "add", user_id=ADMIN_USER_ID)
    await fake.wait_for_call("views.open", lambda c: c.ok)
    delivery = await driver.view_submission(files={NOTES_INPUT: [file]})
    assert delivery.acked and delivery.ack_error is None
    assert fake.open_views(ADMIN_USER_ID) == [], "the modal closes on submission"


async def _command_no_reply(driver: SlackDriver, command: str, text: str, **kwargs: Any) -> None:
    delivery = await driver.slash_command(command, text, **kwargs)
    assert delivery.acked


async def _defines(fake: FakeSlack, driver: SlackDriver, term: str, **kwargs: Any) -> str:
    return _text(await _command(fake, driver, "/define", term, **kwargs))


# --- parsing and the token's destinations ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("", ("help", "")),
        ("list", ("list", "")),
        ("SYNC", ("sync", "")),
        ("add", ("add", "")),
        ("add git file:///r.git#main:docs", ("git", "file:///r.git#main:docs")),
        ("add git", ("help", "")),
        ("remove 3", ("remove", "3")),
        ("remove", ("help", "")),
        ("frobnicate", ("help", "")),
    ],
)
def test_notes_text(text: str, parsed: tuple[str, str]) -> None:
    assert notes_text(text) == parsed


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://files.slack.com/files-pri/T1-F1/download/a.md", True),
        ("http://files.slack.com/files-pri/T1-F1/download/a.md", False),
        ("https://files.slack.com.evil.example/a.md", False),
        ("https://evil.example/a.md", False),
        ("http://127.0.0.1:9/files-pri/T1-F1/a.md", True),  # the Web API's own host
        ("http://127.0.0.1:10/files-pri/T1-F1/a.md", False),
    ],
)
def test_the_bot_token_goes_only_to_slack(url: str, allowed: bool) -> None:
    assert may_carry_token(url, "http://127.0.0.1:9/api/") is allowed


# --- uploads ----------------------------------------------------------------------------------


async def test_an_admin_uploads_notes_through_the_modal_for_this_workspace_only(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    await _command_no_reply(driver, "/notes", "add", user_id=ADMIN_USER_ID)
    opened = await fake_slack.wait_for_call("views.open")
    assert opened.ok, opened.response
    (view,) = fake_slack.open_views(ADMIN_USER_ID)
    (block_id, element) = view.input_elements()[NOTES_INPUT]
    assert block_id == NOTES_BLOCK
    assert element["type"] == "file_input" and element["max_files"] == 1
    assert set(element["filetypes"]) == {"md", "markdown", "txt"}

    file = fake_slack.add_file("blueberry.md", NOTES.encode(), user_id=ADMIN_USER_ID)
    await driver.view_submission(files={NOTES_INPUT: [file]})
    reply = await _ephemeral(fake_slack, ADMIN_USER_ID, _added("blueberry.md"))
    assert reply.channel == DEFAULT_CHANNEL_ID, "where /notes add was typed"
    (download,) = fake_slack.downloads
    assert download.served and download.token == fake_slack.bot_token
    assert download.path.endswith("/download/blueberry.md")

    assert DEFINITION in await _defines(fake_slack, driver, TERM)
    assert DEFINITION not in await _defines(fake_slack, driver, TERM, team_id=OTHER_TEAM)


@pytest.mark.parametrize(
    ("name", "content", "key"),
    [("blueberry.md", NOTES.encode(), "notes_added_file"), ("empty.md", b"", "upload_refused")],
)
async def test_an_upload_from_a_private_channel_the_bot_is_not_in_is_answered_there(
    fake_slack: FakeSlack, driver: SlackDriver, name: str, content: bytes, key: str
) -> None:
    """An ephemeral message needs the bot in the channel: the modal answers through the
    command's response_url instead (success and refusal alike)."""
    await _command_no_reply(
        driver, "/notes", "add", user_id=ADMIN_USER_ID, channel_id=SECRET_CHANNEL_ID
    )
    await fake_slack.wait_for_call("views.open", lambda c: c.ok)
    file = fake_slack.add_file(name, content, user_id=ADMIN_USER_ID)
    await driver.view_submission(files={NOTES_INPUT: [file]})
    pattern = message_pattern(key, name=name)
    shown = await fake_slack.wait_for_message(
        lambda m: m.origin == "response_url" and pattern.search(m.all_text()) is not None
    )
    assert shown.channel == SECRET_CHANNEL_ID and shown.ephemeral_to == ADMIN_USER_ID
    assert fake_slack.calls_to("chat.postEphemeral") == []


async def test_a_modal_submitted_after_the_response_url_expired_answers_ephemerally(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    await _command_no_reply(driver, "/notes", "add", user_id=ADMIN_USER_ID)
    await fake_slack.wait_for_call("views.open", lambda c: c.ok)
    fake_slack.expire_response_urls()
    file = fake_slack.add_file("blueberry.md", NOTES.encode(), user_id=ADMIN_USER_ID)
    await driver.view_submission(files={NOTES_INPUT: [file]})
    shown = await _ephemeral(fake_slack, ADMIN_USER_ID, _added("blueberry.md"))
    assert shown.origin == "chat.postEphemeral" and shown.channel == DEFAULT_CHANNEL_ID


async def test_a_png_shared_in_a_dm_is_refused_without_a_download(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    file = fake_slack.add_file("diagram.png", b"\x89PNG\r\n", user_id=ADMIN_USER_ID)
    await driver.file_share([file], user_id=ADMIN_USER_ID)
    await fake_slack.wait_for_message(
        lambda m: (
            m.ephemeral_to == ADMIN_USER_ID
            and message_pattern("upload_type", name="diagram.png").search(m.all_text()) is not None
        )
    )
    assert fake_slack.downloads == []


async def test_a_member_may_not_add_notes(fake_slack: FakeSlack, driver: SlackDriver) -> None:
    payload = await _command(fake_slack, driver, "/notes", "add", user_id=DEFAULT_USER_ID)
    assert t("admin_only", "ko") in _text(payload)
    assert fake_slack.calls_to("views.open") == []
    listing = await _command(fake_slack, driver, "/notes", "list", user_id=DEFAULT_USER_ID)
    assert t("admin_only", "ko") in _text(listing)
    assert listing["response_type"] == "ephemeral"

    file = fake_slack.add_file("blueberry.md", NOTES.encode(), user_id=DEFAULT_USER_ID)
    await driver.file_share([file], user_id=DEFAULT_USER_ID)
    await _ephemeral(fake_slack, DEFAULT_USER_ID, t("admin_only", "ko"))
    assert fake_slack.downloads == [], "nothing is downloaded for a member"


async def test_a_file_over_the_limit_is_refused_before_it_is_downloaded(
    fake_slack: FakeSlack, driver: SlackDriver, service: Service
) -> None:
    size = service.upload_limit + 1
    file = fake_slack.add_file("big.md", NOTES.encode(), user_id=ADMIN_USER_ID, stated_size=size)
    await _open_and_submit(fake_slack, driver, file)
    detail = Msg("file_too_big", too_big_params(size, service.upload_limit))
    await _ephemeral(
        fake_slack, ADMIN_USER_ID, t("upload_refused", "ko", name="big.md", detail=detail)
    )
    assert fake_slack.downloads == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("binary.md", b"\x00\x01\x02PNG\x00" * 20),
        ("empty.md", b""),
        ("nothing.md", b"just words\n"),
    ],
)
async def test_a_file_that_is_not_notes_changes_nothing(
    fake_slack: FakeSlack, driver: SlackDriver, name: str, content: bytes
) -> None:
    file = fake_slack.add_file(name, content, user_id=ADMIN_USER_ID)
    await _open_and_submit(fake_slack, driver, file)
    refused = await fake_slack.wait_for_message(
        lambda m: (
            m.ephemeral_to == ADMIN_USER_ID
            and message_pattern("upload_refused", name=name).search(m.all_text()) is not None
        )
    )
    assert refused.channel == DEFAULT_CHANNEL_ID
    listing = _text(await _command(fake_slack, driver, "/notes", "list", user_id=ADMIN_USER_ID))
    assert name not in listing and t("notes_kind_upload", "ko") not in listing


async def test_a_login_page_instead_of_the_file_is_a_failed_download(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    """Without files:read Slack answers the download with its HTML login page (status 200)."""
    fake_slack.files_readable = False
    file = fake_slack.add_file("blueberry.md", NOTES.encode(), user_id=ADMIN_USER_ID)
    await _open_and_submit(fake_slack, driver, file)
    reason = t("slack_download_login_page", "ko")
    await _ephemeral(fake_slack, ADMIN_USER_ID, t("upload_download_failed", "ko", reason=reason))
    assert [d.served for d in fake_slack.downloads] == [False]
    assert DEFINITION not in await _defines(fake_slack, driver, TERM)


async def test_an_upload_is_listed_and_removed_by_its_number(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    file = fake_slack.add_file("blueberry.md", NOTES.encode(), user_id=ADMIN_USER_ID)
    await _open_and_submit(fake_slack, driver, file)
    await _ephemeral(fake_slack, ADMIN_USER_ID, _added("blueberry.md"))

    listing = await _command(fake_slack, driver, "/notes", "list", user_id=ADMIN_USER_ID)
    assert listing["response_type"] == "ephemeral"
    shown = _text(listing)
    kind = re.escape(t("notes_kind_upload", "ko"))
    found = re.search(rf"#(\d+) {kind} blueberry\.md", shown)
    assert found, shown

    removed = await _command(
        fake_slack, driver, "/notes", f"remove {found[1]}", user_id=ADMIN_USER_ID
    )
    assert t("notes_removed", "ko", source="blueberry.md") in _text(removed)
    assert DEFINITION not in await _defines(fake_slack, driver, TERM)
    after = _text(await _command(fake_slack, driver, "/notes", "list", user_id=ADMIN_USER_ID))
    assert "blueberry.md" not in after


async def test_notes_alone_shows_how_to_use_it(fake_slack: FakeSlack, driver: SlackDriver) -> None:
    payload = await _command(fake_slack, driver, "/notes", "", user_id=ADMIN_USER_ID)
    assert payload["response_type"] == "ephemeral"
    assert t("slack_notes_help_title", "ko") in _text(payload)


# --- a file shared in a DM --------------------------------------------------------------------


@pytest.fixture
async def socket_driver(fake_slack: FakeSlack, front: SlackFrontEnd) -> AsyncIterator[SlackDriver]:
    handler = AsyncSocketModeHandler(front.app, fake_slack.app_token)
    async with running_socket_mode(handler, fake_slack):
        yield fake_slack.socket()


async def test_a_file_an_admin_shares_in_a_dm_with_the_bot_is_added(
    fake_slack: FakeSlack, socket_driver: SlackDriver
) -> None:
    file = fake_slack.add_file("blueberry.md", NOTES.encode(), user_id=ADMIN_USER_ID)
    delivery = await socket_driver.file_share([file], user_id=ADMIN_USER_ID)
    assert delivery.acked
    dm = delivery.request["event"]["channel"]
    reply = await fake_slack.wait_for_message(
        lambda m: m.from_bot and _added("blueberry.md") in m.all_text()
    )
    assert reply.channel == dm and not reply.is_ephemeral
    assert len(fake_slack.served_downloads()) == 1
    assert DEFINITION in await _defines(fake_slack, socket_driver, TERM)


async def test_a_shared_file_with_only_its_id_is_described_by_files_info(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    file = fake_slack.add_file("blueberry.md", NOTES.encode(), user_id=ADMIN_USER_ID)
    await driver.file_share(
        [{"id": file["id"], "file_access": "check_file_info"}], user_id=ADMIN_USER_ID
    )
    await fake_slack.wait_for_message(
        lambda m: m.from_bot and _added("blueberry.md") in m.all_text()
    )
    assert [c.args.get("file") for c in fake_slack.calls_to("files.info")] == [file["id"]]


async def test_files_shared_in_a_channel_are_not_notes(
    fake_slack: FakeSlack, driver: SlackDriver
) -> None:
    file = fake_slack.add_file("blueberry.md", NOTES.encode(), user_id=ADMIN_USER_ID)
    delivery = await driver.file_share([file], user_id=ADMIN_USER_ID, channel_id=DEFAULT_CHANNEL_ID)
    assert delivery.acked
    assert DEFINITION not in await _defines(fake_slack, driver, TERM)
    assert fake_slack.downloads == []


# --- a git repository -------------------------------------------------------------------------


async def test_a_git_repository_is_added_and_pulled_again(
    fake_slack: FakeSlack, driver: SlackDriver, tmp_path: Path
) -> None:
    remote = Remote(tmp_path / "origin")
    remote.commit({"net.md": f"## 네트워크\n\n- {GIT_TERM} - {GIT_DEFINITION}\n"})
    remote.push()
    added = await _command(
        fake_slack, driver, "/notes", f"add git {remote.url}", user_id=ADMIN_USER_ID
    )
    assert added["response_type"] == "ephemeral"
    assert message_pattern("notes_added_git").search(_text(added)), _text(added)
    assert GIT_DEFINITION in await _defines(fake_slack, driver, GIT_TERM)
    assert GIT_DEFINITION not in await _defines(fake_slack, driver, GIT_TERM, team_id=OTHER_TEAM)

    remote.commit({"more.md": f"## 네트워크\n\n- {NEW_TERM} - {NEW_DEFINITION}\n"})
    remote.push()
    synced = await _command(fake_slack, driver, "/notes", "sync", user_id=ADMIN_USER_ID)
    assert t("notes_sync_title", "ko") in _text(synced)
    assert NEW_DEFINITION in await _defines(fake_slack, driver, NEW_TERM)


async def test_a_file_bigger_than_it_said_is_cut_off_and_refused(
    fake_slack: FakeSlack, driver: SlackDriver, service: Service
) -> None:
    limit = service.upload_limit
    content = NOTES.encode() + b"a" * limit
    file = fake_slack.add_file("liar.md", content, user_id=ADMIN_USER_ID, stated_size=len(NOTES))
    await _open_and_submit(fake_slack, driver, file)
    detail = Msg("file_too_big", too_big_params(limit + 1, limit))
    await _ephemeral(
        fake_slack, ADMIN_USER_ID, t("upload_refused", "ko", name="liar.md", detail=detail)
    )
    assert DEFINITION not in await _defines(fake_slack, driver, TERM)
