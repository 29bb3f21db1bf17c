"""Loopback fakes of the chat platforms the front ends talk to.

They stand for what cannot be reached here (Discord's and Slack's servers) and speak the
platforms' real protocols on 127.0.0.1, so the real discord.py and slack-bolt clients run
against them unchanged.
"""
