"""The permissions the bot needs in a server, computed once: the invite URL's ``permissions``
integer (the README's is checked against :data:`REQUIRED_PERMISSIONS` by a test).

Each flag and why: *View Channel* (see the channel at all), *Send Messages* (daily posts, thread
openers), *Send Messages in Threads* (questions and grades in interview and daily threads),
*Create Public Threads* (an interview's thread, a daily question's thread), *Embed Links* (every
reply is an embed), *Read Message History* (the daily runner's recovery finds its own post in the
channel's recent messages). Nothing else, no administrator: the files the bot sends (a
``/stats`` chart, an ``/export``) go out as replies to the person's own command or in a direct
message, which need no permission in the server.
"""

from __future__ import annotations

from urllib.parse import urlencode

import discord

REQUIRED_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    embed_links=True,
    read_message_history=True,
)
INVITE_SCOPES = ("bot", "applications.commands")


def invite_url(application_id: int | str) -> str:
    """The OAuth2 URL that invites the bot with its scopes and :data:`REQUIRED_PERMISSIONS`."""
    query = urlencode(
        {
            "client_id": str(application_id),
            "scope": " ".join(INVITE_SCOPES),
            "permissions": str(REQUIRED_PERMISSIONS.value),
        }
    )
    return f"https://discord.com/oauth2/authorize?{query}"
