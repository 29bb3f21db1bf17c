"""Fixtures for Discord end-to-end tests: a started fake Discord with discord.py pointed at it."""

from tests.fakes.discord.driver import fake_discord as fake_discord
