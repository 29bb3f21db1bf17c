"""interview-bot: interview prep from a study group's own notes, on Discord, Slack and a console.

Floors, top down: ``adapters`` (front ends) -> ``app`` (orchestration) -> ``core`` (pure rules
and replies) and ``db`` (SQL). ``__main__`` is the composition root and the command line.
"""
