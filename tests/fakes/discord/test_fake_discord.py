"""The fake Discord against the real discord.py client: every flow the front end relies on."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.http import Route

from tests.fakes.discord import (
    CALLBACK_AUTOCOMPLETE,
    CALLBACK_DEFERRED_MESSAGE,
    CALLBACK_MESSAGE,
    CALLBACK_MODAL,
    CALLBACK_UPDATE_MESSAGE,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    MAX_AUTOCOMPLETE_CHOICES,
    MAX_CONTENT,
    MAX_EMBED_DESCRIPTION,
    FakeDiscord,
    running_client,
)
from tests.fakes.discord.payloads import PERM_MANAGE_THREADS

GUILD_READY_TIMEOUT_S = 0.05
LATE_DEADLINE_S = 0.05
LATE_REPLY_DELAY_S = 0.3
TERMS = [f"term-{n:02d}" for n in range(40)]
NO_PINGS = discord.AllowedMentions.none()


class AnswerModal(discord.ui.Modal, title="Your answer"):
    """A modal with one paragraph text box; echoes what was typed."""

    answer: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
        label="Answer", custom_id="answer", style=discord.TextStyle.paragraph, max_length=1000
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Echoes the answer without pinging anyone."""
        await interaction.response.send_message(
            f"got: {self.answer.value}", allowed_mentions=NO_PINGS
        )


class PressView(discord.ui.View):
    """A button that edits its message, and a button that opens the modal."""

    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.button(label="Press me", custom_id="press", style=discord.ButtonStyle.primary)
    async def press(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        """Disables itself and updates the message (callback type 7)."""
        button.disabled = True
        await interaction.response.edit_message(content="pressed", view=self)

    @discord.ui.button(label="Answer", custom_id="open-modal")
    async def open_modal(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        """Opens the answer modal (callback type 9)."""
        await interaction.response.send_modal(AnswerModal())


class PickView(discord.ui.View):
    """A string select that answers with the picked values."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.select(
        custom_id="pick",
        options=[discord.SelectOption(label=t, value=t) for t in ("os", "db", "net")],
        max_values=2,
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[Any]) -> None:
        """Answers with the chosen values."""
        await interaction.response.send_message(",".join(select.values))


class RecordingTree(app_commands.CommandTree[discord.Client]):
    """A command tree that keeps the errors its commands raised."""

    def __init__(self, client: discord.Client) -> None:
        super().__init__(client)
        self.errors: list[app_commands.AppCommandError] = []

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Records the error and tells the user briefly."""
        self.errors.append(error)
        if not interaction.response.is_done():
            await interaction.response.send_message("failed", ephemeral=True)


class SmallBot(discord.Client):
    """A tiny bot defined here (not the product's) to prove the fake against discord.py."""

    def __init__(self, fake: FakeDiscord, *, intents: discord.Intents, sync_guild: bool) -> None:
        super().__init__(
            intents=intents,
            guild_ready_timeout=GUILD_READY_TIMEOUT_S,
            chunk_guilds_at_startup=False,
        )
        self.tree = RecordingTree(self)
        self.synced: list[app_commands.AppCommand] = []
        self.received: asyncio.Queue[discord.Message] = asyncio.Queue()
        self._sync_guild = discord.Object(fake.guild_id) if sync_guild else None
        add_commands(self.tree)

    async def setup_hook(self) -> None:
        """Syncs the commands (to the test guild, or globally)."""
        if self._sync_guild is not None:
            self.tree.copy_global_to(guild=self._sync_guild)
        self.synced = await self.tree.sync(guild=self._sync_guild)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No 5 s pause before a re-IDENTIFY."""

    async def on_message(self, message: discord.Message) -> None:
        """Queues messages from people (the fake also echoes the bot's own)."""
        if self.user is not None and message.author.id != self.user.id:
            await self.received.put(message)


class ShardedBot(discord.AutoShardedClient):
    """An auto-sharded client with one command; identifies shards without the 5 s pause."""

    def __init__(self) -> None:
        super().__init__(
            intents=discord.Intents.default(),
            guild_ready_timeout=GUILD_READY_TIMEOUT_S,
            chunk_guilds_at_startup=False,
        )
        self.tree = RecordingTree(self)
        add_commands(self.tree)

    async def setup_hook(self) -> None:
        """Syncs the commands globally."""
        await self.tree.sync()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No pause between shard IDENTIFYs (Discord allows one per 5 s; the fake does not care)."""


def add_commands(tree: app_commands.CommandTree[Any]) -> None:
    """The test bot's commands."""

    @tree.command(name="echo", description="Echo text in an embed")
    async def echo(interaction: discord.Interaction, text: str) -> None:
        embed = discord.Embed(title="Echo", description=text)
        await interaction.response.send_message(text, embed=embed, allowed_mentions=NO_PINGS)

    @tree.command(name="secret", description="Answer privately")
    async def secret(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("shh", ephemeral=True)

    @tree.command(name="slow", description="Defer, then follow up")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        await interaction.followup.send("done", allowed_mentions=NO_PINGS)
        await interaction.followup.send("and more", allowed_mentions=NO_PINGS)

    @tree.command(name="late", description="Answers after a pause")
    async def late(interaction: discord.Interaction) -> None:
        await asyncio.sleep(LATE_REPLY_DELAY_S)
        await interaction.response.send_message("too late")

    @tree.command(name="lookup", description="Look a term up")
    async def lookup(interaction: discord.Interaction, term: str) -> None:
        await interaction.response.send_message(f"looked up {term}")

    @lookup.autocomplete("term")
    async def lookup_terms(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        found = [t for t in TERMS if current in t][:MAX_AUTOCOMPLETE_CHOICES]
        return [app_commands.Choice(name=t, value=t) for t in found]

    @tree.command(name="toomany", description="Autocomplete with too many choices")
    async def toomany(interaction: discord.Interaction, term: str) -> None:
        await interaction.response.send_message(term)

    @toomany.autocomplete("term")
    async def toomany_terms(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t, value=t) for t in TERMS]

    @tree.command(name="buttons", description="A message with buttons")
    async def buttons(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pick", view=PressView())

    @tree.command(name="pick", description="A select menu")
    async def pick(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("choose", view=PickView())

    @tree.command(name="ask", description="Open a modal")
    async def ask(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(AnswerModal())

    @tree.command(name="badmodal", description="Open a modal over Discord's limits")
    async def badmodal(interaction: discord.Interaction) -> None:
        modal = discord.ui.Modal(title="t" * 46)
        modal.add_item(discord.ui.TextInput(label="l" * 46, custom_id="x", max_length=4001))
        await interaction.response.send_modal(modal)

    @tree.command(name="admin", description="Admins only")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def admin(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("admin ok")

    @tree.command(name="upload", description="Read an attached file")
    async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
        data = await file.read()
        text = f"{file.filename} {file.size} {file.content_type} {data.decode()}"
        await interaction.response.send_message(text, ephemeral=True)

    interview = app_commands.Group(name="interview", description="Mock interviews")

    @interview.command(name="start", description="Start an interview")
    async def start(interaction: discord.Interaction, topic: str, rounds: int = 3) -> None:
        await interaction.response.send_message(f"start {topic} x{rounds}")

    tree.add_command(interview)


@pytest.fixture
def no_discord_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fails the test if discord.py logged an error (a payload it could not parse, say)."""
    caplog.set_level(logging.WARNING, logger="discord")
    yield
    errors = [
        r for r in caplog.records if r.name.startswith("discord") and r.levelno >= logging.ERROR
    ]
    assert not errors, [r.getMessage() for r in errors]


@asynccontextmanager
async def small_bot(
    fake: FakeDiscord, *, message_content: bool = False, sync_guild: bool = True
) -> AsyncIterator[SmallBot]:
    """Runs a :class:`SmallBot` against the fake until the block ends."""
    intents = discord.Intents.default()
    intents.message_content = message_content
    bot = SmallBot(fake, intents=intents, sync_guild=sync_guild)
    async with running_client(bot, fake):
        yield bot


# ------------------------------------------------------------------------------ login and sync
@pytest.mark.usefixtures("no_discord_errors")
async def test_login_identify_and_guild_sync(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord) as bot:
        assert bot.user is not None and bot.user.id == fake_discord.application_id
        assert bot.application_id == fake_discord.application_id
        guild = bot.get_guild(fake_discord.guild_id)
        assert guild is not None and guild.get_channel(fake_discord.channel_id) is not None
        assert [r.path for r in fake_discord.requests[:2]] == [
            "/users/@me",
            "/oauth2/applications/@me",
        ]
        assert fake_discord.requests[0].header("authorization") == f"Bot {fake_discord.token}"
        identify = fake_discord.identifies[0]
        assert identify.data["intents"] == discord.Intents.default().value
        assert "shard" not in identify.data

    synced = fake_discord.synced_commands[fake_discord.guild_id]
    names = {c["name"] for c in synced}
    assert {"echo", "slow", "lookup", "buttons", "ask", "admin", "interview"} <= names
    assert {c.name: c.id for c in bot.synced} == {c["name"]: int(c["id"]) for c in synced}
    admin = fake_discord.synced_command("admin", fake_discord.guild_id)
    assert admin is not None and admin["default_member_permissions"] == str(1 << 5)
    assert not fake_discord.default_permissions_allow("admin", fake_discord.user)
    assert fake_discord.default_permissions_allow("admin", fake_discord.admin)


async def test_global_sync_keeps_command_ids(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord, sync_guild=False) as bot:
        first = {c["name"]: c["id"] for c in fake_discord.synced_commands[None]}
        await bot.tree.sync()
        second = {c["name"]: c["id"] for c in fake_discord.synced_commands[None]}
    assert first == second
    assert fake_discord.synced_command("echo") is not None
    assert fake_discord.synced_command("echo", fake_discord.guild_id) is None


async def test_wrong_token_fails_login(fake_discord: FakeDiscord) -> None:
    bot = SmallBot(fake_discord, intents=discord.Intents.default(), sync_guild=True)
    with pytest.raises(discord.LoginFailure):
        async with running_client(bot, fake_discord, token="not-the-token"):
            pass


async def test_disallowed_privileged_intent_is_refused(fake_discord: FakeDiscord) -> None:
    fake_discord.privileged_intents = 0
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with small_bot(fake_discord, message_content=True):
            pass


# ------------------------------------------------------------------------------ interactions
@pytest.mark.usefixtures("no_discord_errors")
async def test_slash_command_embed_reply_pings_nobody(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord):
        handle = await fake_discord.send_slash_command("echo", {"text": "@everyone hello"})
        callback = await handle.callback()
    assert callback.json["type"] == CALLBACK_MESSAGE
    assert callback.data["allowed_mentions"] == {"parse": []}
    assert callback.data["embeds"][0]["description"] == "@everyone hello"
    message = handle.original_message
    assert message is not None
    assert message["mention_everyone"] is False and message["mentions"] == []
    assert message in fake_discord.channel_messages(fake_discord.channel_id)


async def test_default_allowed_mentions_would_ping(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord) as bot:
        channel = bot.get_channel(fake_discord.channel_id)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send(f"@everyone <@{fake_discord.user['id']}>")
    stored = fake_discord.messages[sent.id]
    assert stored["mention_everyone"] is True
    assert [u["id"] for u in stored["mentions"]] == [fake_discord.user["id"]]


async def test_ephemeral_reply_stays_out_of_the_channel(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord):
        handle = await fake_discord.send_slash_command("secret")
        await handle.callback()
    message = handle.original_message
    assert message is not None and message["flags"] & FLAG_EPHEMERAL
    assert message not in fake_discord.channel_messages(fake_discord.channel_id)


@pytest.mark.usefixtures("no_discord_errors")
async def test_defer_then_followups(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord):
        handle = await fake_discord.send_slash_command("slow")
        responses = await handle.responses(count=3)
    assert responses[0].json["type"] == CALLBACK_DEFERRED_MESSAGE
    assert [r.method for r in responses[1:]] == ["POST", "POST"]
    original, extra = handle.messages
    assert original["content"] == "done" and not original["flags"] & FLAG_LOADING
    assert original["flags"] & FLAG_EPHEMERAL
    assert await handle.followups(count=2) == responses[1:]
    assert extra["content"] == "and more"
    assert extra["interaction_metadata"]["original_response_message_id"] == original["id"]


async def test_reply_after_deadline_is_unknown_interaction(fake_discord: FakeDiscord) -> None:
    fake_discord.interaction_deadline = LATE_DEADLINE_S
    async with small_bot(fake_discord) as bot:
        handle = await fake_discord.send_slash_command("late")
        rejected = await handle.wait_for(lambda r: r.path.endswith("/callback"))
        await fake_discord.wait_until(lambda: bot.tree.errors or None)
    assert rejected.status == 404 and rejected.response["code"] == 10062
    assert not handle.acknowledged
    error = bot.tree.errors[0]
    assert isinstance(error, app_commands.CommandInvokeError)
    assert isinstance(error.original, discord.NotFound)


@pytest.mark.usefixtures("no_discord_errors")
async def test_subcommand_with_options(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord):
        handle = await fake_discord.send_slash_command("interview start", {"topic": "os"})
        callback = await handle.callback()
        with pytest.raises(ValueError, match="required option"):
            await fake_discord.send_slash_command("interview start", {"rounds": 2})
        with pytest.raises(LookupError):
            await fake_discord.send_slash_command("nosuchcommand")
    assert callback.data["content"] == "start os x3"
    option = handle.payload["data"]["options"][0]
    assert option["type"] == 1 and option["options"] == [
        {"name": "topic", "type": 3, "value": "os"}
    ]


async def test_admin_check_uses_member_permissions(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord) as bot:
        refused = await fake_discord.send_slash_command("admin", user=fake_discord.user)
        refused_reply = await refused.callback()
        allowed = await fake_discord.send_slash_command("admin", user=fake_discord.admin)
        allowed_reply = await allowed.callback()
        forced = await fake_discord.send_slash_command("admin", permissions="8")
        forced_reply = await forced.callback()
    assert refused_reply.data["content"] == "failed"
    assert isinstance(bot.tree.errors[0], app_commands.MissingPermissions)
    assert allowed_reply.data["content"] == "admin ok"
    assert forced_reply.data["content"] == "admin ok"


@pytest.mark.usefixtures("no_discord_errors")
async def test_an_attachment_option_is_resolved_and_served_by_the_cdn(
    fake_discord: FakeDiscord,
) -> None:
    async with small_bot(fake_discord):
        attachment = fake_discord.add_attachment("노트.md", b"# hi")
        handle = await fake_discord.send_slash_command("upload", {"file": attachment})
        reply = await handle.callback()
        with pytest.raises(ValueError, match="never added"):
            await fake_discord.send_slash_command("upload", {"file": 12345})
        async with (
            aiohttp.ClientSession() as session,
            session.get(attachment["url"].replace("hm=", "hm=0")) as unsigned,
        ):
            refused = unsigned.status
    assert reply.data["content"] == "노트.md 4 text/markdown; charset=utf-8 # hi"
    resolved = handle.payload["data"]["resolved"]["attachments"]
    assert resolved == {attachment["id"]: attachment}
    assert refused == 403
    assert [d.status for d in fake_discord.downloads] == [200, 403]
    assert fake_discord.downloads[0].header("Authorization") is None


@pytest.mark.usefixtures("no_discord_errors")
async def test_autocomplete_answered(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord):
        handle = await fake_discord.send_autocomplete("lookup", {"term": "term-1"}, "term")
        callback = await handle.callback()
    assert callback.json["type"] == CALLBACK_AUTOCOMPLETE
    names = [c["name"] for c in callback.data["choices"]]
    assert names == [f"term-{n}" for n in range(10, 20)]


async def test_autocomplete_over_25_choices_rejected(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord):
        handle = await fake_discord.send_autocomplete("toomany", {"term": ""}, "term")
        rejected = await handle.wait_for(lambda r: r.path.endswith("/callback"))
    assert rejected.status == 400
    assert rejected.response["errors"]["data"]["choices"]["_errors"][0]["code"] == (
        "BASE_TYPE_MAX_LENGTH"
    )


@pytest.mark.usefixtures("no_discord_errors")
async def test_button_press_updates_the_message(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord):
        command = await fake_discord.send_slash_command("buttons")
        await command.callback()
        press = await fake_discord.press_button(label="Press me")
        update = await press.callback()
        with pytest.raises(ValueError, match="disabled"):
            await fake_discord.press_button(custom_id="press")
    assert command.original_message is not None
    assert press.payload["message"]["id"] == command.original_message["id"]
    assert press.payload["data"] == {"custom_id": "press", "component_type": 2}
    assert update.json["type"] == CALLBACK_UPDATE_MESSAGE
    message = command.original_message
    assert message is not None and message["content"] == "pressed"
    assert message["components"][0]["components"][0]["disabled"] is True


@pytest.mark.usefixtures("no_discord_errors")
async def test_modal_opened_from_button_and_submitted(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord):
        command = await fake_discord.send_slash_command("buttons")
        await command.callback()
        opener = await fake_discord.press_button(label="Answer")
        opened = await opener.callback()
        submit = await fake_discord.submit_modal(
            opened.data["custom_id"], {"answer": "my @everyone answer"}
        )
        reply = await submit.callback()
    assert opened.json["type"] == CALLBACK_MODAL and opened.data["title"] == "Your answer"
    assert submit.payload["type"] == 5
    assert submit.payload["message"]["id"] == str(command.original_message["id"])  # type: ignore[index]
    assert reply.data["content"] == "got: my @everyone answer"
    assert submit.original_message is not None
    assert submit.original_message["mention_everyone"] is False


@pytest.mark.usefixtures("no_discord_errors")
async def test_modal_from_slash_command_validates_input(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord):
        command = await fake_discord.send_slash_command("ask")
        await command.callback()
        with pytest.raises(ValueError, match="1000"):
            await fake_discord.submit_modal(None, {"Answer": "x" * 1001})
        with pytest.raises(ValueError, match="no inputs"):
            await fake_discord.submit_modal(None, {"Answer": "ok", "nonexistent": "x"})
        submit = await fake_discord.submit_modal(None, {"Answer": "by label"})
        with pytest.raises(ValueError, match="no open modal"):
            await fake_discord.submit_modal(None, {"Answer": "twice"})
        reply = await submit.callback()
    assert reply.data["content"] == "got: by label"


async def test_modal_over_limits_rejected(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord) as bot:
        handle = await fake_discord.send_slash_command("badmodal")
        await fake_discord.wait_until(lambda: bot.tree.errors or None)
    rejected = handle.requests[0]
    assert rejected.status == 400
    errors = rejected.response["errors"]["data"]
    assert "title" in errors
    text_input = errors["components"]["0"]["components"]["0"]
    assert {"label", "max_length"} <= set(text_input)
    error = bot.tree.errors[0]
    assert isinstance(error, app_commands.CommandInvokeError)
    assert isinstance(error.original, discord.HTTPException) and error.original.code == 50035


# ------------------------------------------------------------------------------ channels
@pytest.mark.usefixtures("no_discord_errors")
async def test_channel_message_threads_and_members(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord) as bot:
        channel = bot.get_channel(fake_discord.channel_id)
        assert isinstance(channel, discord.TextChannel)
        post = await channel.send("daily question", allowed_mentions=NO_PINGS)
        public = await post.create_thread(name="Daily answers")
        in_thread = await public.send("answer here")
        private = await channel.create_thread(
            name="Interview", type=discord.ChannelType.private_thread
        )
        with pytest.raises(ValueError, match="private thread"):
            await fake_discord.send_message_create(private.id, "hi", author=fake_discord.user)
        await private.add_user(discord.Object(int(fake_discord.user["id"])))
        edited = await in_thread.edit(content="answer here (edited)")
        fetched = await bot.fetch_channel(private.id)
        await fake_discord.wait_until(lambda: bot.get_channel(private.id))
    assert public.id == post.id and public.type is discord.ChannelType.public_thread
    assert private.type is discord.ChannelType.private_thread
    assert isinstance(fetched, discord.Thread) and fetched.parent_id == fake_discord.channel_id
    assert fake_discord.channel_messages(public.id)[0]["content"] == "answer here (edited)"
    assert edited.content == "answer here (edited)"
    assert int(fake_discord.user["id"]) in fake_discord.thread_members[private.id]
    assert {t["id"] for t in fake_discord.threads(fake_discord.channel_id)} == {
        str(public.id),
        str(private.id),
    }
    post_request = fake_discord.requests_to("POST", r"^/channels/\d+/messages$")[0]
    assert post_request.json["allowed_mentions"] == {"parse": []}


@pytest.mark.usefixtures("no_discord_errors")
async def test_message_create_with_message_content_intent(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord, message_content=True) as bot:
        sent = await fake_discord.send_message_create(fake_discord.channel_id, "my answer")
        received = await asyncio.wait_for(bot.received.get(), 5)
    assert received.id == int(sent["id"]) and received.content == "my answer"
    assert received.author.id == int(fake_discord.user["id"])
    assert isinstance(received.author, discord.Member)


async def test_message_content_blank_without_the_intent(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord, message_content=False) as bot:
        await fake_discord.send_message_create(fake_discord.channel_id, "hidden")
        hidden = await asyncio.wait_for(bot.received.get(), 5)
        mention = f"<@{fake_discord.application_id}> visible"
        await fake_discord.send_message_create(fake_discord.channel_id, mention)
        visible = await asyncio.wait_for(bot.received.get(), 5)
    assert hidden.content == ""
    assert visible.content == mention


def _embed(**overrides: Any) -> dict[str, Any]:
    return {"title": "t", "description": "d", **overrides}


def _field(name: str = "n", value: str = "v") -> dict[str, Any]:
    return {"name": name, "value": value, "inline": False}


def _row(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(buttons)}


def _button(n: int = 0, label: str = "b", custom_id: str | None = None) -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": label, "custom_id": custom_id or f"id-{n}"}


OVER_LIMIT_PAYLOADS: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "content": ({"content": "x" * (MAX_CONTENT + 1)}, ("content",)),
    "title": ({"embeds": [_embed(title="x" * 257)]}, ("embeds", "0", "title")),
    "description": (
        {"embeds": [_embed(description="x" * (MAX_EMBED_DESCRIPTION + 1))]},
        ("embeds", "0", "description"),
    ),
    "field name": ({"embeds": [_embed(fields=[_field(name="x" * 257)])]}, ("embeds", "0")),
    "field value": ({"embeds": [_embed(fields=[_field(value="x" * 1025)])]}, ("embeds", "0")),
    "empty field value": ({"embeds": [_embed(fields=[_field(value="")])]}, ("embeds", "0")),
    "26 fields": ({"embeds": [_embed(fields=[_field()] * 26)]}, ("embeds", "0", "fields")),
    "footer": ({"embeds": [_embed(footer={"text": "x" * 2049})]}, ("embeds", "0", "footer")),
    "total": (
        {
            "embeds": [
                _embed(
                    title="x" * 256, description="x" * 4096, fields=[_field(value="x" * 1024)] * 2
                )
            ]
        },
        ("embeds",),
    ),
    "11 embeds": ({"embeds": [_embed()] * 11}, ("embeds",)),
    "6 rows": ({"components": [_row(_button(n)) for n in range(6)]}, ("components",)),
    "6 buttons": ({"components": [_row(*(_button(n) for n in range(6)))]}, ("components", "0")),
    "label": ({"components": [_row(_button(label="x" * 81))]}, ("components", "0")),
    "custom_id": ({"components": [_row(_button(custom_id="x" * 101))]}, ("components", "0")),
    "duplicate custom_id": (
        {"components": [_row(_button(custom_id="same"), _button(custom_id="same"))]},
        ("components", "0"),
    ),
}


@pytest.mark.parametrize("case", sorted(OVER_LIMIT_PAYLOADS))
async def test_over_limit_message_rejected(fake_discord: FakeDiscord, case: str) -> None:
    payload, error_path = OVER_LIMIT_PAYLOADS[case]
    async with small_bot(fake_discord) as bot:
        route = Route("POST", "/channels/{channel_id}/messages", channel_id=fake_discord.channel_id)
        with pytest.raises(discord.HTTPException) as raised:
            await bot.http.request(route, json=payload)
    assert raised.value.status == 400 and raised.value.code == 50035
    errors = fake_discord.requests[-1].response["errors"]
    for key in error_path:
        errors = errors[key]
    assert fake_discord.channel_messages(fake_discord.channel_id) == []


async def test_messages_at_the_limits_accepted(fake_discord: FakeDiscord) -> None:
    fields = [_field(name="n" * 10, value="v" * 10)] * 25
    payload = {
        "content": "x" * MAX_CONTENT,
        "embeds": [_embed(title="x" * 256, description="x" * 4096, fields=fields)],
        "components": [_row(*(_button(5 * r + n, "l" * 80) for n in range(5))) for r in range(5)],
    }
    async with small_bot(fake_discord) as bot:
        route = Route("POST", "/channels/{channel_id}/messages", channel_id=fake_discord.channel_id)
        answer = await bot.http.request(route, json=payload)
        with pytest.raises(discord.HTTPException) as empty:
            await bot.http.request(route, json={"content": "   "})
    assert answer["content"] == "x" * MAX_CONTENT
    assert empty.value.code == 50006


async def test_embed_over_limit_raised_by_library_send(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord) as bot:
        channel = bot.get_channel(fake_discord.channel_id)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as raised:
            await channel.send(embed=discord.Embed(description="x" * (MAX_EMBED_DESCRIPTION + 1)))
    assert raised.value.status == 400
    assert "embeds.0.description" in raised.value.text


# ------------------------------------------------------------------------------ failures
@pytest.mark.usefixtures("no_discord_errors")
async def test_rate_limit_honoured_then_succeeds(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord) as bot:
        channel = bot.get_channel(fake_discord.channel_id)
        assert isinstance(channel, discord.TextChannel)
        failure = fake_discord.fail_next("POST", r"^/channels/\d+/messages$", 429, retry_after=0.05)
        sent = await channel.send("after the limit")
        callback_failure = fake_discord.fail_next("POST", r"/callback$", 429, retry_after=0.05)
        handle = await fake_discord.send_slash_command("echo", {"text": "hi"})
        await handle.callback()
    posts = fake_discord.requests_to("POST", r"^/channels/\d+/messages$")
    assert [r.status for r in posts] == [429, 200]
    assert posts[0].json == posts[1].json
    assert sent.id == int(posts[1].response["id"])
    assert failure.hits == 1 and callback_failure.hits == 1
    assert [r.status for r in handle.requests] == [429, 200]


async def test_forbidden_and_unknown_raise(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord) as bot:
        channel = bot.get_channel(fake_discord.channel_id)
        assert isinstance(channel, discord.TextChannel)
        fake_discord.fail_next("POST", r"/messages$", 403)
        with pytest.raises(discord.Forbidden) as forbidden:
            await channel.send("nope")
        with pytest.raises(discord.NotFound) as unknown_channel:
            await bot.fetch_channel(1234)
        with pytest.raises(discord.NotFound) as unknown_route:
            await bot.http.request(Route("GET", "/no/such/route"))
    assert forbidden.value.code == 50001
    assert unknown_channel.value.code == 10003
    assert unknown_route.value.code == 0


# ------------------------------------------------------------------------------ gateway
@pytest.mark.usefixtures("no_discord_errors")
async def test_reconnect_resumes_and_keeps_working(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord):
        await fake_discord.request_reconnect()
        await fake_discord.wait_until(lambda: fake_discord.resumes or None)
        await fake_discord.wait_for_session(0)
        handle = await fake_discord.send_slash_command("echo", {"text": "still here"})
        callback = await handle.callback()
    assert len(fake_discord.identifies) == 1
    assert callback.data["content"] == "still here"


@pytest.mark.usefixtures("no_discord_errors")
async def test_auto_sharded_client(fake_discord: FakeDiscord) -> None:
    fake_discord.shard_count = 2
    other = fake_discord.add_guild("Second Guild", shard=(1, 2))
    bot = ShardedBot()
    async with running_client(bot, fake_discord):
        assert {g.id for g in bot.guilds} == {fake_discord.guild_id, other.id}
        fake_discord.add_member(fake_discord.user, guild_id=other.id)
        handle = await fake_discord.send_slash_command(
            "echo", {"text": "from shard 1"}, channel_id=other.channel_ids[0]
        )
        callback = await handle.callback()
    assert fake_discord.requests_to("GET", r"^/gateway/bot$")
    assert sorted(tuple(f.data["shard"]) for f in fake_discord.identifies) == [(0, 2), (1, 2)]
    dispatched = [f for f in fake_discord.gateway_frames if f.event == "INTERACTION_CREATE"]
    assert [f.shard_id for f in dispatched] == [1]
    assert callback.data["content"] == "from shard 1"


@pytest.mark.usefixtures("no_discord_errors")
async def test_select_menu(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord):
        command = await fake_discord.send_slash_command("pick")
        await command.callback()
        with pytest.raises(ValueError, match="not all in"):
            await fake_discord.choose_select(["nope"])
        chosen = await fake_discord.choose_select(["db", "os"], custom_id="pick")
        reply = await chosen.callback()
    assert chosen.payload["data"]["values"] == ["db", "os"]
    assert reply.data["content"] == "db,os"


@pytest.mark.usefixtures("no_discord_errors")
async def test_direct_messages(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord, sync_guild=False) as bot:
        handle = await fake_discord.send_slash_command("echo", {"text": "in a DM"}, dm=True)
        callback = await handle.callback()
        user = await bot.fetch_user(int(fake_discord.user["id"]))
        sent = await user.send("daily question")
    assert "guild_id" not in handle.payload and handle.payload["user"] == fake_discord.user
    assert callback.data["content"] == "in a DM"
    dm = fake_discord.dm_channel(fake_discord.user)
    assert [m["id"] for m in fake_discord.channel_messages(int(dm["id"]))] == [
        handle.original_message["id"] if handle.original_message else None,
        str(sent.id),
    ]


@pytest.mark.usefixtures("no_discord_errors")
async def test_a_thread_is_deleted_only_with_manage_threads(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord) as bot:
        channel = bot.get_channel(fake_discord.channel_id)
        assert isinstance(channel, discord.TextChannel)
        first = await channel.create_thread(name="gone", type=discord.ChannelType.public_thread)
        await first.send("in the thread")
        await first.delete()
        role = next(
            r for r in fake_discord.guilds[fake_discord.guild_id].roles.values() if r["managed"]
        )
        role["permissions"] = str(int(role["permissions"]) & ~PERM_MANAGE_THREADS)
        kept = await channel.create_thread(name="kept", type=discord.ChannelType.public_thread)
        with pytest.raises(discord.Forbidden) as refused:
            await kept.delete()
    assert refused.value.code == 50013
    assert [th["name"] for th in fake_discord.threads(fake_discord.channel_id)] == ["kept"]
    assert fake_discord.channel_messages(first.id) == []


async def test_a_user_with_closed_dms_refuses_with_50007(fake_discord: FakeDiscord) -> None:
    fake_discord.close_dms(fake_discord.user)
    async with small_bot(fake_discord, sync_guild=False) as bot:
        user = await bot.fetch_user(int(fake_discord.user["id"]))
        with pytest.raises(discord.Forbidden) as refused:
            await user.send("a reminder")
        admin = await bot.fetch_user(int(fake_discord.admin["id"]))
        await admin.send("a reminder", file=discord.File(io.BytesIO(b"\x89PNG"), "s.png"))
    assert refused.value.code == 50007 and refused.value.status == 403
    assert fake_discord.direct_messages(fake_discord.user) == []
    (sent,) = fake_discord.direct_messages(fake_discord.admin)
    assert sent["attachments"][0]["filename"] == "s.png"


@pytest.mark.usefixtures("no_discord_errors")
async def test_files_history_reactions_and_locked_threads(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord) as bot:
        channel = bot.get_channel(fake_discord.channel_id)
        assert isinstance(channel, discord.TextChannel)
        with_file = await channel.send("full text", file=discord.File(io.BytesIO(b"# x"), "x.md"))
        await with_file.add_reaction("\N{WHITE HEAVY CHECK MARK}")
        history = [m.id async for m in channel.history(limit=5)]
        thread = await with_file.create_thread(name="Answers")
        await fake_discord.send_message_create(thread.id, "first answer")
        await thread.edit(archived=True, locked=True)
        with pytest.raises(discord.HTTPException) as locked:
            await thread.send("closed")
        with pytest.raises(ValueError, match="locked"):
            await fake_discord.send_message_create(thread.id, "late answer")
    upload = fake_discord.requests_to("POST", r"^/channels/\d+/messages$")[0]
    assert upload.files == ["x.md"] and upload.json["content"] == "full text"
    assert upload.upload("x.md") == b"# x", "the file's bytes are recorded"
    assert with_file.attachments[0].filename == "x.md"
    assert history == [with_file.id]
    assert fake_discord.requests_to("PUT", r"/reactions/")
    assert locked.value.code == 50083
    assert [m["content"] for m in fake_discord.channel_messages(thread.id)] == ["first answer"]


async def test_server_error_retried(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord) as bot:
        channel = bot.get_channel(fake_discord.channel_id)
        assert isinstance(channel, discord.TextChannel)
        failure = fake_discord.fail_next("POST", r"/messages$", 500)
        sent = await channel.send("eventually")
    assert failure.hits == 1
    assert [r.status for r in fake_discord.requests_to("POST", r"/messages$")] == [500, 200]
    assert fake_discord.messages[sent.id]["content"] == "eventually"


@pytest.mark.usefixtures("no_discord_errors")
async def test_invalidated_session_identifies_again(fake_discord: FakeDiscord) -> None:
    async with small_bot(fake_discord):
        await fake_discord.invalidate_sessions()
        await fake_discord.wait_until(lambda: len(fake_discord.identifies) == 2 or None)
        await fake_discord.wait_for_session(0)
        handle = await fake_discord.send_slash_command("echo", {"text": "new session"})
        callback = await handle.callback()
    assert callback.data["content"] == "new session"
