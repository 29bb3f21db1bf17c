"""``/notes`` on Discord, end to end: the real discord.py client against the fake Discord, an
admin attaching a notes file (served by the fake's CDN) or naming a git repository, and what
the server then sees (and another server does not)."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.discord.client import DiscordBot
from bot.app.service import Service
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.messages import t
from tests.fakes.discord import CALLBACK_DEFERRED_MESSAGE, FLAG_EPHEMERAL, FakeDiscord, FakeGuild
from tests.fakes.discord import running_client as running
from tests.wording import message_pattern

JSON = dict[str, Any]
GUILD_READY_TIMEOUT_S = 0.05
WAIT_S = 15  # an ingest (and a clone) takes a moment
OPTION_ATTACHMENT = 11
# Made-up concepts, not in the shipped notes: whoever finds them sees the upload.
FLUX = "플럭스축전기"
FLUX_NOTES = f"## 운영체제\n- {FLUX} - 시간 여행을 가능하게 하는 가상의 저장 장치\n"
WARP = "워프코일"
WARP_NOTES = f"## 운영체제\n- {WARP} - 공간을 접어 먼 곳으로 옮겨 주는 가상의 부품\n"


@pytest.fixture
def notes_settings(make_settings: type[Settings], tmp_path: Path, sqlite_url: str) -> Settings:
    """The shipped notes; local repositories allowed (``file://``); no watcher, no timer."""
    return make_settings(
        database_url=sqlite_url,
        data_dir=tmp_path / "data",
        knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
        knowledge_git_schemes=["file"],
        knowledge_watch=False,
        knowledge_sync_minutes=0,
    )


@pytest.fixture
async def notes_service(notes_settings: Settings) -> AsyncIterator[Service]:
    service = await Service.start(notes_settings)
    yield service
    await service.close()


@pytest.fixture
def other_guild(fake_discord: FakeDiscord) -> FakeGuild:
    """A second server the same people are in (added before the client connects)."""
    guild = fake_discord.add_guild("Other Guild")
    fake_discord.add_member(fake_discord.user, guild_id=guild.id)
    return guild


@pytest.fixture
async def bot(
    fake_discord: FakeDiscord, notes_service: Service, other_guild: FakeGuild
) -> AsyncIterator[DiscordBot]:
    """The bot with its commands synced globally (so every server has them)."""
    client = DiscordBot(notes_service, guild_ready_timeout=GUILD_READY_TIMEOUT_S)
    async with running(client, fake_discord):
        yield client


def _text(handle: Any) -> str:
    """Everything the bot answered to an interaction (embeds and contents), as one text."""
    parts: list[str] = []
    for request in handle.requests:
        body = request.json if isinstance(request.json, dict) else {}
        data = body.get("data", body) or {}
        parts.append(str(data.get("content") or ""))
        for embed in data.get("embeds") or []:
            parts += [embed.get("title", ""), embed.get("description", "")]
            parts += [f"{f['name']} {f['value']}" for f in embed.get("fields", [])]
            parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(parts)


async def _answered(handle: Any) -> str:
    """The text of the bot's answer once it came (a deferral and its followup, or an error)."""
    await handle.responses(timeout=WAIT_S)
    if handle.requests[0].json.get("type") == CALLBACK_DEFERRED_MESSAGE:
        await handle.followups(timeout=WAIT_S)
    return _text(handle)


async def _notes(fake: FakeDiscord, command: str, options: JSON | None = None, **who: Any) -> Any:
    who.setdefault("user", fake.admin)
    return await fake.send_slash_command(f"notes {command}", options or {}, **who)


async def _upload(fake: FakeDiscord, name: str, data: bytes, **who: Any) -> Any:
    return await _notes(fake, "add", {"file": fake.add_attachment(name, data)}, **who)


async def _define(fake: FakeDiscord, term: str, **where: Any) -> str:
    return await _answered(await fake.send_slash_command("define", {"term": term}, **where))


# --- the commands as Discord shows them ------------------------------------------------------


async def test_notes_is_a_manage_server_group_with_a_file_option(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    notes = fake_discord.synced_command("notes")
    assert notes is not None
    assert {o["name"] for o in notes["options"]} == {"add", "list", "sync", "remove"}
    add = next(o for o in notes["options"] if o["name"] == "add")
    assert {o["name"]: o["type"] for o in add["options"]}["file"] == OPTION_ATTACHMENT
    assert fake_discord.default_permissions_allow("notes", fake_discord.admin)
    assert not fake_discord.default_permissions_allow("notes", fake_discord.user)
    localized = add["description_localizations"]
    assert localized["ko"] == t("cmd_notes_add", "ko")
    assert localized["en-US"] == t("cmd_notes_add", "en")


# --- uploads ---------------------------------------------------------------------------------


async def test_an_uploaded_file_is_this_servers_alone(
    fake_discord: FakeDiscord, bot: DiscordBot, other_guild: FakeGuild
) -> None:
    handle = await _upload(fake_discord, "flux.md", FLUX_NOTES.encode())
    text = await _answered(handle)
    callback = handle.requests[0].json
    assert callback["type"] == CALLBACK_DEFERRED_MESSAGE
    assert callback["data"]["flags"] & FLAG_EPHEMERAL, "only the admin sees /notes"
    (followup,) = await handle.followups()
    assert followup.json["flags"] & FLAG_EPHEMERAL
    assert t("notes_added_file", "ko", name="flux.md") in text
    assert message_pattern("ingest_summary", added=1).search(text)
    assert len(fake_discord.downloads) == 1 and fake_discord.downloads[0].status == 200
    assert fake_discord.downloads[0].header("Authorization") is None, "the CDN needs no token"

    assert "가상의 저장 장치" in await _define(fake_discord, FLUX)
    elsewhere = await _define(fake_discord, FLUX, guild_id=other_guild.id)
    assert t("not_found_title", "ko") in elsewhere, "another server does not see the upload"


async def test_a_member_without_manage_server_is_refused_before_the_download(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    text = await _answered(
        await _upload(fake_discord, "flux.md", FLUX_NOTES.encode(), user=fake_discord.user)
    )
    assert t("admin_only", "ko") in text
    assert fake_discord.downloads == []
    assert t("not_found_title", "ko") in await _define(fake_discord, FLUX)


async def test_a_file_too_big_is_refused_without_downloading_it(
    fake_discord: FakeDiscord, bot: DiscordBot, notes_service: Service
) -> None:
    limit = notes_service.upload_limit
    big = (FLUX_NOTES * (limit // len(FLUX_NOTES.encode()) + 2)).encode()
    assert len(big) > limit
    text = await _answered(await _upload(fake_discord, "big.md", big))
    assert message_pattern("upload_refused", name="big.md").search(text)
    kb = -(-len(big) // 1024)
    assert t("file_too_big", "ko", size_kb=f"{kb:,}", limit_kb=f"{limit // 1024:,}") in text
    assert fake_discord.downloads == [], "refused on the size Discord states"


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "file_binary"), (b"", "file_empty")],
)
async def test_a_binary_or_empty_file_is_refused_and_nothing_changes(
    fake_discord: FakeDiscord, bot: DiscordBot, notes_service: Service, data: bytes, reason: str
) -> None:
    before = notes_service.concept_count
    text = await _answered(await _upload(fake_discord, "notes.md", data))
    assert message_pattern("upload_refused", name="notes.md").search(text)
    assert t(reason, "ko") in text
    assert notes_service.concept_count == before
    listing = await _answered(await _notes(fake_discord, "list"))
    assert t("notes_kind_upload", "ko") not in listing


async def test_a_failed_download_is_said_and_changes_nothing(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    fake_discord.fail_next("GET", r"^/attachments/", 500)
    text = await _answered(await _upload(fake_discord, "flux.md", FLUX_NOTES.encode()))
    assert t("upload_download_failed", "ko", reason="HTTP 500") in text
    assert t("not_found_title", "ko") in await _define(fake_discord, FLUX)


@pytest.mark.parametrize(
    ("given", "key"), [("neither", "upload_missing"), ("both", "notes_add_both")]
)
async def test_add_takes_exactly_one_of_a_file_and_a_repository(
    fake_discord: FakeDiscord, bot: DiscordBot, given: str, key: str
) -> None:
    options: JSON = {}
    if given == "both":
        options = {"file": fake_discord.add_attachment("flux.md", b"x"), "git": "file:///x.git"}
    text = await _answered(await _notes(fake_discord, "add", options))
    assert t(key, "ko") in text
    assert fake_discord.downloads == []


async def test_list_shows_the_upload_and_remove_takes_it_away(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    await _answered(await _upload(fake_discord, "flux.md", FLUX_NOTES.encode()))
    listing = await _answered(await _notes(fake_discord, "list"))
    assert t("notes_list_title", "ko") in listing
    assert message_pattern(
        "notes_source_line",
        kind=t("notes_kind_upload", "ko"),
        label="flux.md",
        owner=t("notes_owner_workspace", "ko"),
        files=1,
        concepts=1,
    ).search(listing)
    assert t("notes_owner_operator", "ko") in listing, "the bot's own notes are listed too"
    assert "{types}" not in listing and "{limit_kb}" not in listing, "the limits are filled in"

    removed = await _answered(await _notes(fake_discord, "remove", {"source": "flux.md"}))
    assert t("notes_removed", "ko", source="flux.md") in removed
    assert t("notes_removed_summary", "ko", removed=1) in removed
    assert t("not_found_title", "ko") in await _define(fake_discord, FLUX)
    assert "flux.md" not in await _answered(await _notes(fake_discord, "list"))


async def test_the_bots_configured_notes_cannot_be_removed_from_a_server(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    text = await _answered(await _notes(fake_discord, "remove", {"source": "#1"}))
    assert message_pattern("notes_source_configured").search(text)


# --- git -------------------------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _commit(work: Path, name: str, text: str) -> None:
    (work / name).write_text(text, encoding="utf-8")
    _git(work, "add", name)
    _git(work, "commit", "-m", f"add {name}")
    _git(work, "push", "origin", "HEAD:main")


@pytest.fixture
def repository(tmp_path: Path) -> tuple[Path, Path]:
    """A bare repository (what the bot clones) and a working copy that pushes to it."""
    bare, work = tmp_path / "notes.git", tmp_path / "work"
    _git(tmp_path, "init", "--bare", "--initial-branch=main", str(bare))
    _git(tmp_path, "clone", str(bare), str(work))
    _commit(work, "flux.md", FLUX_NOTES)
    return bare, work


async def test_a_repository_is_added_and_sync_brings_its_new_commit(
    fake_discord: FakeDiscord,
    bot: DiscordBot,
    other_guild: FakeGuild,
    repository: tuple[Path, Path],
) -> None:
    bare, work = repository
    url = bare.as_uri()
    added = await _answered(await _notes(fake_discord, "add", {"git": url}))
    assert message_pattern("notes_added_git").search(added)
    assert message_pattern("ingest_summary", added=1).search(added)
    assert "가상의 저장 장치" in await _define(fake_discord, FLUX)
    assert t("notes_kind_git", "ko") in await _answered(await _notes(fake_discord, "list"))

    _commit(work, "warp.md", WARP_NOTES)
    synced = await _answered(await _notes(fake_discord, "sync"))
    assert t("notes_sync_title", "ko") in synced
    assert message_pattern("ingest_summary", added=1).search(synced)
    assert "가상의 부품" in await _define(fake_discord, WARP)
    elsewhere = await _define(fake_discord, WARP, guild_id=other_guild.id)
    assert t("not_found_title", "ko") in elsewhere


async def test_a_scheme_the_settings_do_not_allow_is_refused(
    fake_discord: FakeDiscord, bot: DiscordBot
) -> None:
    text = await _answered(await _notes(fake_discord, "add", {"git": "ssh://example.com/n.git"}))
    assert message_pattern("git_scheme_refused").search(text)
