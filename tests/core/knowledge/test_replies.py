"""How a definition reads: where it comes from is shown without the server's full path."""

from __future__ import annotations

import pytest

from bot.core.knowledge.library import Knowledge
from bot.core.knowledge.replies import define_reply, shown_source
from bot.core.messages import t
from bot.core.models import Concept


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("knowledge/interview-notes.md", "knowledge/interview-notes.md:12"),
        ("/srv/bot/notes/os/process.md", "os/process.md:12"),
        ("C:\\notes\\os.md", "notes/os.md:12"),
    ],
)
def test_the_source_is_the_notes_own_place(path: str, shown: str) -> None:
    concept = Concept(1, "Process", "OS", "A program in execution.", path, 12)
    assert shown_source(concept) == shown


def test_a_definition_shows_the_short_source() -> None:
    concept = Concept(1, "Process", "OS", "A program in execution.", "/srv/bot/notes/os.md", 3)
    reply = define_reply(Knowledge([concept]), "process", "en")
    (source,) = [f.value for f in reply.fields if f.name == t("field_source", "en")]
    assert source == "notes/os.md:3" and "/srv" not in str(reply)
