"""Fixtures for the fake Discord's own tests: a started fake with discord.py pointed at it."""

from tests.fakes.discord.driver import fake_discord as fake_discord
