"""An English-only notes folder and the check that a text has no Hangul: with these notes and
``LOCALE=en`` every Korean character a front end shows is the bot's own UI text leaking."""

from __future__ import annotations

import re
from pathlib import Path

NOTES = """# Operating Systems

- Process - A program in execution. Each process has its own address space, a program counter \
and its own resources; the operating system schedules processes on the CPU.
- Deadlock - Two or more processes wait forever for resources held by each other. It needs \
mutual exclusion, hold and wait, no preemption and circular wait.
- Context switch - Saving the state of the running process and loading the state of the next \
one, so the CPU can be shared; it costs time because caches and registers are reloaded.

# Networking

- TCP - A connection-oriented transport protocol with a three-way handshake, reliable ordered \
delivery, retransmission, flow control and congestion control.
- DNS - The system that translates domain names into IP addresses through a hierarchy of \
resolvers, root servers and authoritative name servers, with caching by TTL.
"""
TOPIC = "Networking"
ANSWER = "TCP is a connection oriented protocol with a handshake and retransmission"
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


def write_notes(folder: Path) -> Path:
    """The English notes as ``folder/notes`` (created); returns the folder of notes."""
    notes = folder / "notes"
    notes.mkdir(parents=True, exist_ok=True)
    (notes / "english.md").write_text(NOTES, encoding="utf-8")
    return notes


def korean_in(text: str) -> list[str]:
    """The Hangul runs in ``text`` with some context, for an assertion message."""
    return [text[max(0, m.start() - 30) : m.end() + 30] for m in _HANGUL.finditer(text)]
