"""Spaced repetition and progress, the pure rules: one FSRS card per person and concept reviewed
by every graded answer (:mod:`.scheduling`), and streaks, statistics, time zones and local
reminder times (:mod:`.progress`)."""
