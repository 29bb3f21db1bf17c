"""The daily question, pure: schedules and when they are due, which concept an occurrence
asks, and how the post and its reveal read."""
