"""Grading answers: key points (curated or derived at ingest), synonyms, the keyword grader
behind the :class:`bot.core.ports.Grader` protocol, and how a grade reads."""
