"""What tests use to drive the fake Slack.

:class:`FakeSlack` is the servers plus what Slack sends the app: slash commands, block actions,
view submissions and Events API callbacks, built from what the fake knows (so a test can press
a button the bot posted, or submit a modal it opened) and delivered over HTTP (signed like
Slack, or deliberately badly) or as Socket Mode envelopes. Both return a
:class:`~tests.fakes.slack.server.Delivery`, so one test body runs in both modes through a
:class:`SlackDriver`. Also here: waiting for what the app did, serving or connecting the real
Bolt app, and the fixtures the conftests share.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Literal, TypeVar
from urllib.parse import urlencode

import pytest
from aiohttp import WSCloseCode, web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from tests.fakes.slack.server import (
    APP_ID,
    BOT_USER_ID,
    DEFAULT_CHANNEL_ID,
    DEFAULT_USER_ID,
    HOST,
    TEAM_DOMAIN,
    TEAM_ID,
    VERIFICATION_TOKEN,
    ApiCall,
    Button,
    Delivery,
    EnvelopeKind,
    FakeMessage,
    FakeSlackServer,
    ResponseUrlPost,
    SocketAck,
    SocketConnection,
    Transport,
    opt_str,
    short_id,
)

DEFAULT_TIMEOUT_SECONDS = 20.0  # a safety net on a loaded machine, not a deadline
STALE_SIGNATURE_AGE_SECONDS = 600  # Bolt rejects anything older than 300 s
LEAK_GRACE_SECONDS = 2.0

SignatureMode = Literal["good", "bad", "missing", "stale"]

_T = TypeVar("_T")


def _parse_ack(body: str) -> dict[str, Any] | None:
    if not body.strip():
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return {"text": body}
    return data if isinstance(data, dict) else {"text": body}


def sign_request(body: str, *, signing_secret: str, timestamp: int) -> str:
    """Slack's request signature: ``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------------------------
# The fake, driven
# --------------------------------------------------------------------------------------------


class FakeSlack(FakeSlackServer):
    """A fake Slack workspace served on 127.0.0.1 (use ``async with FakeSlack() as fake``)."""

    # ---- queries -----------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        """Every recorded call to ``method``, in order (failed ones included)."""
        return [call for call in self.calls if call.method == method]

    def last_message(
        self, predicate: Callable[[FakeMessage], bool] | None = None
    ) -> FakeMessage | None:
        """The newest live message (any channel, ephemeral included) matching ``predicate``."""
        for message in reversed(self.messages):
            if not message.deleted and (predicate is None or predicate(message)):
                return message
        return None

    def find_button(
        self,
        action_id: str | None = None,
        *,
        value: str | None = None,
        text: str | None = None,
        channel_id: str | None = None,
        message_ts: str | None = None,
    ) -> Button:
        """The newest button matching every given criterion, from any live message.

        Raises ``LookupError`` (listing the buttons seen) when there is none.
        """
        seen: list[str] = []
        for message in reversed(self.messages):
            if message.deleted:
                continue
            if channel_id is not None and message.channel != channel_id:
                continue
            if message_ts is not None and message.ts != message_ts:
                continue
            for button in message.buttons():
                seen.append(f"{button.action_id}={button.value!r} ({button.text!r})")
                if (
                    (action_id is None or button.action_id == action_id)
                    and (value is None or button.value == value)
                    and (text is None or button.text == text)
                ):
                    return button
        raise LookupError(
            f"no button action_id={action_id!r} value={value!r} text={text!r}; seen: {seen}"
        )

    def find_view_button(
        self, view_id: str, *, text: str | None = None, command: str | None = None
    ) -> Button:
        """A button in a view (a modal or a Home tab) with that label, or whose value names that
        Service ``command`` (the bot's ``{"c": command, ...}``); ``LookupError`` when none."""
        fake_view = self.views.get(view_id)
        if fake_view is None:
            raise LookupError(f"unknown view {view_id!r}")
        holder = FakeMessage(
            channel="", ts="", user="", origin="view", blocks=fake_view.view.get("blocks") or []
        )
        for button in holder.buttons():
            named = json.loads(button.value or "{}").get("c") if button.value else None
            if (text is None or button.text == text) and (command is None or named == command):
                return button
        raise LookupError(f"no button text={text!r} command={command!r} in view {view_id}")

    # ---- waiting -----------------------------------------------------------------------

    async def wait_until(
        self,
        check: Callable[[], _T | None],
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        what: str = "condition",
    ) -> _T:
        """Wait until ``check()`` returns something other than None (or False) and return it.

        Re-checked whenever the fake records something. Raises ``AssertionError`` after
        ``timeout`` seconds (a safety net, not a measured deadline).
        """
        try:
            async with asyncio.timeout(timeout), self._changed:
                while True:
                    result = check()
                    if result is not None and result is not False:
                        return result
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(
                f"timed out after {timeout}s waiting for {what}; "
                f"calls so far: {[(c.method, c.status, c.error) for c in self.calls]}"
            ) from None

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> ApiCall:
        """The first recorded call to ``method`` matching ``predicate`` (waiting for it).

        Calls already recorded count, so there is no race with the app's background work.
        """

        def check() -> ApiCall | None:
            for call in self.calls:
                if call.method == method and (predicate is None or predicate(call)):
                    return call
            return None

        return await self.wait_until(check, timeout=timeout, what=f"a {method} call")

    async def wait_for_response(
        self,
        predicate: Callable[[ResponseUrlPost], bool] | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> ResponseUrlPost:
        """The first recorded ``response_url`` post matching ``predicate``."""

        def check() -> ResponseUrlPost | None:
            for post in self.response_posts:
                if predicate is None or predicate(post):
                    return post
            return None

        return await self.wait_until(check, timeout=timeout, what="a response_url post")

    async def wait_for_message(
        self,
        predicate: Callable[[FakeMessage], bool],
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> FakeMessage:
        """The first live message (any route, any channel) matching ``predicate``."""

        def check() -> FakeMessage | None:
            for message in self.messages:
                if not message.deleted and predicate(message):
                    return message
            return None

        return await self.wait_until(check, timeout=timeout, what="a matching message")

    async def wait_for_socket_connection(
        self, count: int = 1, timeout: float = DEFAULT_TIMEOUT_SECONDS
    ) -> SocketConnection:
        """Wait until ``count`` connections have been made and the newest is open and greeted."""

        def check() -> SocketConnection | None:
            if len(self.socket_connections) < count:
                return None
            newest = self.socket_connections[-1]
            return newest if newest.hello_sent and not newest.closed else None

        return await self.wait_until(
            check, timeout=timeout, what=f"Socket Mode connection #{count}"
        )

    # ---- Socket Mode, from Slack's side ------------------------------------------------

    async def socket_send_envelope(
        self,
        kind: EnvelopeKind,
        payload: Mapping[str, Any],
        *,
        accepts_response_payload: bool,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> SocketAck:
        """Send one envelope on the newest connection and wait for the app's ack."""
        connection = await self.wait_for_socket_connection(timeout=timeout)
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": dict(payload),
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope["retry_attempt"] = 0
            envelope["retry_reason"] = ""
        future: asyncio.Future[SocketAck] = asyncio.get_running_loop().create_future()
        self._pending_acks[envelope_id] = future
        try:
            await connection.ws.send_str(json.dumps(envelope))
            async with asyncio.timeout(timeout):
                return await future
        except TimeoutError:
            raise AssertionError(
                f"the app did not ack {kind} envelope {envelope_id} within {timeout}s"
            ) from None
        finally:
            self._pending_acks.pop(envelope_id, None)

    async def socket_disconnect(
        self,
        reason: str = "refresh_requested",
        *,
        wait_for_reconnect: bool = True,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        """Send Slack's ``disconnect`` message; by default wait until the app reconnects."""
        connection = await self.wait_for_socket_connection(timeout=timeout)
        await connection.ws.send_str(
            json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": "fake"}})
        )
        if wait_for_reconnect:
            await self.wait_for_socket_connection(count=connection.number + 1, timeout=timeout)

    async def socket_close(
        self, *, wait_for_reconnect: bool = True, timeout: float = DEFAULT_TIMEOUT_SECONDS
    ) -> None:
        """Close the newest websocket from the server side (as on a Slack restart)."""
        connection = await self.wait_for_socket_connection(timeout=timeout)
        await connection.ws.close(code=WSCloseCode.GOING_AWAY, message=b"server restart")
        if wait_for_reconnect:
            await self.wait_for_socket_connection(count=connection.number + 1, timeout=timeout)

    # ---- building requests into the app ------------------------------------------------

    def _user_name(self, user_id: str) -> str:
        user = self.users.get(user_id)
        return user.name if user is not None else user_id.lower()

    def _channel_name(self, channel_id: str) -> str:
        channel = self.channels.get(channel_id)
        return channel.name if channel is not None else channel_id.lower()

    def _user_object(self, user_id: str) -> dict[str, Any]:
        name = self._user_name(user_id)
        return {"id": user_id, "username": name, "name": name, "team_id": TEAM_ID}

    def build_slash_command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = DEFAULT_CHANNEL_ID,
        team_id: str = TEAM_ID,
    ) -> dict[str, str]:
        """A slash-command payload with a fresh ``response_url`` and ``trigger_id`` (from
        another workspace than the fake's own with ``team_id``)."""
        return {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": self._channel_name(channel_id),
            "user_id": user_id,
            "user_name": self._user_name(user_id),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self._new_response_url(
                channel=channel_id, user_id=user_id, source=None
            ),
            "trigger_id": self._new_trigger(user_id),
        }

    def build_block_action(
        self,
        button: Button | None = None,
        *,
        action_id: str | None = None,
        value: str | None = None,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str | None = None,
        message_ts: str | None = None,
        view_id: str | None = None,
    ) -> dict[str, Any]:
        """A ``block_actions`` payload for pressing a button.

        Give the :class:`Button` (see :meth:`find_button`), or criteria to find one in the
        known messages (``action_id``, ``value``, ``channel_id``, ``message_ts``), or
        ``view_id`` plus ``action_id`` for a button inside a modal.
        """
        base: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user_object(user_id),
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._new_trigger(user_id),
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
            "enterprise": None,
            "is_enterprise_install": False,
            "state": {"values": {}},
        }
        action_ts = f"{time.time():.6f}"
        if view_id is not None:
            fake_view = self.views.get(view_id)
            if fake_view is None or action_id is None:
                raise ValueError(f"unknown view {view_id!r} or no action_id")
            base["container"] = {"type": "view", "view_id": view_id}
            base["view"] = fake_view.to_api()
            base["actions"] = [
                {
                    "action_id": action_id,
                    "block_id": "",
                    "value": value,
                    "type": "button",
                    "action_ts": action_ts,
                }
            ]
            return base
        if button is None:
            button = self.find_button(
                action_id, value=value, channel_id=channel_id, message_ts=message_ts
            )
        source = self.find_message(button.channel, button.message_ts)
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": button.message_ts,
            "channel_id": button.channel,
            "is_ephemeral": button.ephemeral,
        }
        if button.thread_ts is not None:
            container["thread_ts"] = button.thread_ts
        base["container"] = container
        base["channel"] = {"id": button.channel, "name": self._channel_name(button.channel)}
        if source is not None and not source.is_ephemeral:
            base["message"] = source.to_api()
        base["response_url"] = self._new_response_url(
            channel=button.channel, user_id=user_id, source=source
        )
        action: dict[str, Any] = {
            "action_id": button.action_id,
            "block_id": button.block_id,
            "text": button.element.get("text"),
            "type": "button",
            "action_ts": action_ts,
        }
        if button.value is not None:
            action["value"] = button.value
        base["actions"] = [action]
        return base

    def build_view_submission(
        self,
        view_id: str | None = None,
        *,
        values: Mapping[str, str] | None = None,
        user_id: str | None = None,
        state_values: Mapping[str, Any] | None = None,
        files: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    ) -> dict[str, Any]:
        """A ``view_submission`` payload for the given (default: newest open) modal.

        ``values`` maps input ``action_id`` -> typed text (plain-text style inputs); ``files``
        maps a ``file_input``'s ``action_id`` -> the file objects uploaded to it (see
        :meth:`FakeSlackServer.add_file`); inputs not given are submitted empty.
        ``state_values`` replaces ``view.state.values`` verbatim.
        """
        if view_id is None:
            open_views = self.open_views(user_id)
            if not open_views:
                raise LookupError("no open modal to submit")
            fake_view = open_views[-1]
        else:
            if view_id not in self.views:
                raise LookupError(f"unknown view {view_id!r}")
            fake_view = self.views[view_id]
        if state_values is None:
            inputs = fake_view.input_elements()
            unknown = (set(values or {}) | set(files or {})) - set(inputs)
            if unknown:
                raise LookupError(f"no input with action_id {sorted(unknown)} in the modal")
            built: dict[str, dict[str, Any]] = {}
            for action_id, (block_id, element) in inputs.items():
                if element.get("type") == "file_input":
                    uploaded = [dict(f) for f in (files or {}).get(action_id, ())]
                    built.setdefault(block_id, {})[action_id] = {
                        "type": "file_input",
                        "files": uploaded,
                    }
                    continue
                typed = (values or {}).get(action_id)
                built.setdefault(block_id, {})[action_id] = {
                    "type": element.get("type"),
                    "value": typed,
                }
            state_values = built
        submitter = user_id or fake_view.user_id
        return {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
            "user": self._user_object(submitter),
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._new_trigger(submitter),
            "view": fake_view.to_api(state_values),
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def build_event_callback(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """An Events API ``event_callback`` body around ``event``."""
        return {
            "token": VERIFICATION_TOKEN,
            "team_id": TEAM_ID,
            "context_team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": dict(event),
            "type": "event_callback",
            "event_id": short_id("Ev"),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }

    def build_app_home_opened(
        self, user_id: str = DEFAULT_USER_ID, *, tab: str = "home"
    ) -> dict[str, Any]:
        """A person opens the app's Home (or Messages) tab: ``app_home_opened``, with the view
        they last saw published, as Slack sends it."""
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self._dm_channel(user_id).id,
            "tab": tab,
            "event_ts": f"{time.time():.6f}",
        }
        published = self.home_views.get(user_id)
        if tab == "home" and published is not None:
            event["view"] = published.to_api()
        return self.build_event_callback(event)

    def build_message_event(
        self,
        text: str,
        *,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = DEFAULT_CHANNEL_ID,
        thread_ts: str | None = None,
    ) -> dict[str, Any]:
        """A user's ``message`` event (optionally a thread reply), stored as a user message."""
        message = self._store_message(
            channel=channel_id,
            user=user_id,
            origin="user",
            payload={"text": text, "thread_ts": thread_ts},
        )
        channel = self.channels.get(channel_id)
        event: dict[str, Any] = {
            "type": "message",
            "channel": channel_id,
            "user": user_id,
            "text": text,
            "ts": message.ts,
            "event_ts": message.ts,
            "team": TEAM_ID,
            "client_msg_id": str(uuid.uuid4()),
            "channel_type": "im" if channel is not None and channel.is_im else "channel",
        }
        if thread_ts is not None:
            event["thread_ts"] = thread_ts
            parent = self.find_message(channel_id, thread_ts)
            if parent is not None:
                event["parent_user_id"] = parent.user
        return self.build_event_callback(event)

    def build_file_share_event(
        self,
        files: Sequence[Mapping[str, Any]],
        *,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str | None = None,
        text: str = "",
    ) -> dict[str, Any]:
        """A user's message sharing ``files`` (``subtype: file_share``), by default in their DM
        with the bot; stored as a user message."""
        channel = self.channels[channel_id] if channel_id else self._dm_channel(user_id)
        message = self._store_message(
            channel=channel.id, user=user_id, origin="user", payload={"text": text}
        )
        event: dict[str, Any] = {
            "type": "message",
            "subtype": "file_share",
            "channel": channel.id,
            "user": user_id,
            "text": text,
            "files": [dict(f) for f in files],
            "upload": False,
            "display_as_bot": False,
            "ts": message.ts,
            "event_ts": message.ts,
            "team": TEAM_ID,
            "channel_type": "im" if channel.is_im else "channel",
        }
        return self.build_event_callback(event)

    # ---- delivering requests -----------------------------------------------------------

    def sign(
        self,
        body: str,
        *,
        signature: SignatureMode = "good",
        signing_secret: str | None = None,
    ) -> dict[str, str]:
        """Slack's signature headers for ``body``: good, bad (wrong secret), missing or stale."""
        secret = signing_secret if signing_secret is not None else self.signing_secret
        if signature == "missing":
            return {}
        now = int(time.time())
        if signature == "stale":
            now -= STALE_SIGNATURE_AGE_SECONDS
        if signature == "bad":
            secret += "-wrong"
        return {
            "X-Slack-Request-Timestamp": str(now),
            "X-Slack-Signature": sign_request(body, signing_secret=secret, timestamp=now),
        }

    async def deliver_http(
        self,
        app_url: str,
        kind: EnvelopeKind,
        payload: Mapping[str, Any],
        *,
        signature: SignatureMode = "good",
        signing_secret: str | None = None,
    ) -> Delivery:
        """POST a request to the app as Slack does (form, ``payload=`` form, or JSON)."""
        if self._session is None:
            raise RuntimeError("FakeSlack is not started")
        if kind == "slash_commands":
            body = urlencode({key: str(value) for key, value in payload.items()})
            content_type = "application/x-www-form-urlencoded"
        elif kind == "interactive":
            body = urlencode({"payload": json.dumps(payload)})
            content_type = "application/x-www-form-urlencoded"
        else:
            body = json.dumps(payload)
            content_type = "application/json"
        headers = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **self.sign(body, signature=signature, signing_secret=signing_secret),
        }
        async with self._session.post(app_url, data=body.encode(), headers=headers) as response:
            status = response.status
            text = await response.text()
        ack = _parse_ack(text) if status == web.HTTPOk.status_code else None
        ack_error = (
            self._apply_ack(kind, payload, ack) if status == web.HTTPOk.status_code else None
        )
        return await self._record_delivery(
            Delivery(
                transport="http",
                kind=kind,
                status=status,
                body=text,
                ack=ack,
                ack_error=ack_error,
                request=dict(payload),
                response_url=opt_str(payload.get("response_url")),
                trigger_id=opt_str(payload.get("trigger_id")),
            )
        )

    async def deliver_socket(
        self,
        kind: EnvelopeKind,
        payload: Mapping[str, Any],
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> Delivery:
        """Send a request to the app as a Socket Mode envelope and wait for its ack."""
        accepts = kind == "slash_commands" or (
            kind == "interactive" and payload.get("type") == "view_submission"
        )
        ack = await self.socket_send_envelope(
            kind, payload, accepts_response_payload=accepts, timeout=timeout
        )
        return await self._record_delivery(
            Delivery(
                transport="socket",
                kind=kind,
                status=web.HTTPOk.status_code,
                body=json.dumps(ack.payload) if ack.payload is not None else "",
                ack=ack.payload,
                ack_error=self._apply_ack(kind, payload, ack.payload),
                request=dict(payload),
                response_url=opt_str(payload.get("response_url")),
                trigger_id=opt_str(payload.get("trigger_id")),
                envelope_id=ack.envelope_id,
            )
        )

    async def _record_delivery(self, delivery: Delivery) -> Delivery:
        self.deliveries.append(delivery)
        await self._notify()
        return delivery

    # ---- drivers and shortcuts ---------------------------------------------------------

    def http(
        self,
        app_url: str,
        *,
        signature: SignatureMode = "good",
        signing_secret: str | None = None,
    ) -> SlackDriver:
        """A driver delivering over HTTP to ``app_url`` (e.g. ``http://127.0.0.1:P/slack/events``)."""
        return SlackDriver(
            self, app_url=app_url, signature=signature, signing_secret=signing_secret
        )

    def socket(self, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> SlackDriver:
        """A driver delivering Socket Mode envelopes on the newest connection."""
        return SlackDriver(self, app_url=None, timeout=timeout)

    async def post_slash_command(
        self,
        app_url: str,
        *,
        command: str,
        text: str = "",
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = DEFAULT_CHANNEL_ID,
        signing_secret: str | None = None,
        signature: SignatureMode = "good",
    ) -> Delivery:
        """POST a (signed, or deliberately badly signed) slash command to the app."""
        driver = self.http(app_url, signature=signature, signing_secret=signing_secret)
        return await driver.slash_command(command, text, user_id=user_id, channel_id=channel_id)

    async def socket_send_slash_command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = DEFAULT_CHANNEL_ID,
    ) -> Delivery:
        """Send a ``slash_commands`` envelope and return the ack."""
        return await self.socket().slash_command(
            command, text, user_id=user_id, channel_id=channel_id
        )


class SlackDriver:
    """Sends users' actions to the app over one transport, so a flow can be written once.

    Build it with :meth:`FakeSlack.http` or :meth:`FakeSlack.socket`; every method returns
    a :class:`Delivery`.
    """

    def __init__(
        self,
        fake: FakeSlack,
        *,
        app_url: str | None,
        signature: SignatureMode = "good",
        signing_secret: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.fake = fake
        self.app_url = app_url
        self.signature: SignatureMode = signature
        self.signing_secret = signing_secret
        self.timeout = timeout

    @property
    def transport(self) -> Transport:
        """``http`` or ``socket``."""
        return "socket" if self.app_url is None else "http"

    async def deliver(self, kind: EnvelopeKind, payload: Mapping[str, Any]) -> Delivery:
        """Deliver a prebuilt payload over this driver's transport."""
        if self.app_url is None:
            return await self.fake.deliver_socket(kind, payload, timeout=self.timeout)
        return await self.fake.deliver_http(
            self.app_url,
            kind,
            payload,
            signature=self.signature,
            signing_secret=self.signing_secret,
        )

    async def slash_command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = DEFAULT_CHANNEL_ID,
        team_id: str = TEAM_ID,
    ) -> Delivery:
        """A user runs ``command text`` in ``channel_id`` (of workspace ``team_id``)."""
        payload = self.fake.build_slash_command(
            command, text, user_id=user_id, channel_id=channel_id, team_id=team_id
        )
        return await self.deliver("slash_commands", payload)

    async def block_action(
        self,
        button: Button | None = None,
        *,
        action_id: str | None = None,
        value: str | None = None,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str | None = None,
        message_ts: str | None = None,
        view_id: str | None = None,
    ) -> Delivery:
        """A user presses a button (see :meth:`FakeSlack.build_block_action`)."""
        payload = self.fake.build_block_action(
            button,
            action_id=action_id,
            value=value,
            user_id=user_id,
            channel_id=channel_id,
            message_ts=message_ts,
            view_id=view_id,
        )
        return await self.deliver("interactive", payload)

    async def view_submission(
        self,
        view_id: str | None = None,
        *,
        values: Mapping[str, str] | None = None,
        user_id: str | None = None,
        state_values: Mapping[str, Any] | None = None,
        files: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    ) -> Delivery:
        """A user submits a modal (see :meth:`FakeSlack.build_view_submission`)."""
        payload = self.fake.build_view_submission(
            view_id, values=values, user_id=user_id, state_values=state_values, files=files
        )
        return await self.deliver("interactive", payload)

    async def message_event(
        self,
        text: str,
        *,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = DEFAULT_CHANNEL_ID,
        thread_ts: str | None = None,
    ) -> Delivery:
        """A user posts ``text`` (in a thread when ``thread_ts`` is given)."""
        payload = self.fake.build_message_event(
            text, user_id=user_id, channel_id=channel_id, thread_ts=thread_ts
        )
        return await self.deliver("events_api", payload)

    async def file_share(
        self,
        files: Sequence[Mapping[str, Any]],
        *,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str | None = None,
        text: str = "",
    ) -> Delivery:
        """A user shares ``files`` in a message (by default in their DM with the bot)."""
        payload = self.fake.build_file_share_event(
            files, user_id=user_id, channel_id=channel_id, text=text
        )
        return await self.deliver("events_api", payload)

    async def app_home_opened(
        self, user_id: str = DEFAULT_USER_ID, *, tab: str = "home"
    ) -> Delivery:
        """A user opens the app's Home tab (see :meth:`FakeSlack.build_app_home_opened`)."""
        return await self.deliver("events_api", self.fake.build_app_home_opened(user_id, tab=tab))

    async def block_action_in_view(
        self, view_id: str, button: Button, *, user_id: str = DEFAULT_USER_ID
    ) -> Delivery:
        """A user presses ``button`` of a view (a Home tab or a modal)."""
        payload = self.fake.build_block_action(
            action_id=button.action_id, value=button.value, user_id=user_id, view_id=view_id
        )
        return await self.deliver("interactive", payload)

    async def event(self, event: Mapping[str, Any]) -> Delivery:
        """Any Events API event."""
        return await self.deliver("events_api", self.fake.build_event_callback(event))


# --------------------------------------------------------------------------------------------
# Running the app under test
# --------------------------------------------------------------------------------------------


@asynccontextmanager
async def serve_web_app(web_app: web.Application) -> AsyncIterator[str]:
    """Serve an aiohttp application on 127.0.0.1, port 0; yields ``http://127.0.0.1:PORT``."""
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, HOST, 0)
        await site.start()
        yield f"http://{HOST}:{int(runner.addresses[0][1])}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def serve_bolt_http(app: AsyncApp, *, path: str = "/slack/events") -> AsyncIterator[str]:
    """Serve ``app.web_app(path=path)``; yields the full request URL for the fake to POST to."""
    async with serve_web_app(app.web_app(path=path)) as base_url:
        yield base_url + path


async def close_socket_mode_handler(handler: AsyncSocketModeHandler) -> None:
    """Close the handler and wait for its client's background tasks to finish."""
    await handler.close_async()  # type: ignore[no-untyped-call]
    client = handler.client
    tasks = [
        task
        for task in (
            client.message_processor,
            client.current_session_monitor,
            client.message_receiver,
        )
        if task is not None
    ]
    await asyncio.gather(*tasks, return_exceptions=True)


@asynccontextmanager
async def running_socket_mode(
    handler: AsyncSocketModeHandler,
    fake: FakeSlack,
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> AsyncIterator[AsyncSocketModeHandler]:
    """Connect ``handler`` to the fake, wait for the greeting, and close it on exit."""
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]
        await fake.wait_for_socket_connection(timeout=timeout)
        yield handler
    finally:
        await close_socket_mode_handler(handler)


async def assert_no_leaked_tasks(grace_seconds: float = LEAK_GRACE_SECONDS) -> None:
    """Fail if tasks other than the current one are still pending after a short grace period.

    Leftover tasks are cancelled (so the loop closes cleanly) before the assertion is raised.
    """
    current = asyncio.current_task()
    others = {task for task in asyncio.all_tasks() if task is not current and not task.done()}
    if not others:
        return
    _, pending = await asyncio.wait(others, timeout=grace_seconds)
    if not pending:
        return
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    raise AssertionError(f"tasks left running after the test: {sorted(map(repr, pending))}")


# --------------------------------------------------------------------------------------------
# Fixtures (shared by the conftests)
# --------------------------------------------------------------------------------------------

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
