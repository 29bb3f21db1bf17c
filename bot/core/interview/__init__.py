"""Mock interviews, pure: the rules (which concept comes next, hints, topics, rounds, the
summary), the questions asked, and how an interview reads."""
