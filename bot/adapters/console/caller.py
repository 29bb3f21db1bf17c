"""Who is at the console."""

from __future__ import annotations

import getpass

from bot.core.models import Caller


def console_caller(locale: str | None = None) -> Caller:
    """The person at the terminal: owner of the machine, so an admin."""
    try:
        user = getpass.getuser()
    except Exception:
        user = "console"
    return Caller("console", user, "console", workspace_id="local", is_admin=True, locale=locale)
