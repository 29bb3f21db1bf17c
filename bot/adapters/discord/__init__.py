"""The Discord front end (discord.py app commands): command groups, buttons and the answer
modal, the caller built in one place, one error reporter, the notifier, and the renderer."""
