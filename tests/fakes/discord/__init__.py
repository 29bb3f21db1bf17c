"""A fake Discord (REST API v10 and gateway websocket) on 127.0.0.1 for end-to-end tests.

The real discord.py client logs in to it, syncs its application commands, receives interactions
and messages over the gateway and answers them over REST. The package owns the protocol
(:mod:`.payloads`: constants, limits, validation, error bodies), the world it serves
(:mod:`.scene`), the gateway (:mod:`.gateway`), the REST server with its recorded requests and
injected failures (:mod:`.server`), and what tests drive it with (:mod:`.driver`:
:class:`FakeDiscord`, :class:`InteractionHandle`, :func:`running_client`, the fixture).
"""

from tests.fakes.discord.driver import FakeDiscord, InteractionHandle, pointed_at, running_client
from tests.fakes.discord.gateway import GatewayFrame
from tests.fakes.discord.payloads import (
    CALLBACK_AUTOCOMPLETE,
    CALLBACK_DEFERRED_MESSAGE,
    CALLBACK_DEFERRED_UPDATE,
    CALLBACK_MESSAGE,
    CALLBACK_MODAL,
    CALLBACK_UPDATE_MESSAGE,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    JSON,
    MAX_AUTOCOMPLETE_CHOICES,
    MAX_CONTENT,
    MAX_EMBED_DESCRIPTION,
    DiscordError,
    FormErrors,
)
from tests.fakes.discord.scene import FakeGuild
from tests.fakes.discord.server import (
    FakeDiscordServer,
    InjectedFailure,
    RecordedRequest,
    Upload,
)

__all__ = [
    "CALLBACK_AUTOCOMPLETE",
    "CALLBACK_DEFERRED_MESSAGE",
    "CALLBACK_DEFERRED_UPDATE",
    "CALLBACK_MESSAGE",
    "CALLBACK_MODAL",
    "CALLBACK_UPDATE_MESSAGE",
    "FLAG_EPHEMERAL",
    "FLAG_LOADING",
    "JSON",
    "MAX_AUTOCOMPLETE_CHOICES",
    "MAX_CONTENT",
    "MAX_EMBED_DESCRIPTION",
    "DiscordError",
    "FakeDiscord",
    "FakeDiscordServer",
    "FakeGuild",
    "FormErrors",
    "GatewayFrame",
    "InjectedFailure",
    "InteractionHandle",
    "RecordedRequest",
    "Upload",
    "pointed_at",
    "running_client",
]
