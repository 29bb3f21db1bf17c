"""The loaded knowledge: notes people bring, without aliases, answer in both languages."""

from __future__ import annotations

from pathlib import Path

from bot.app.service import Service
from bot.config import Settings
from bot.core.models import MatchKind

NOTES = """# 운영체제
## Context Switching
CPU가 실행 중인 프로세스를 바꾸면서 상태를 저장하고 복원하는 것.

## 교착상태(Deadlock)
두 프로세스가 서로의 자원을 기다리며 멈춘 상태.

# 설계
## Singleton 패턴
인스턴스를 하나만 만들어 전역에서 공유하는 패턴.
"""


async def test_the_glossary_serves_lookup_and_grading_for_any_notes(
    make_settings: type[Settings], tmp_path: Path, sqlite_url: str
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "cs.md").write_text(NOTES, encoding="utf-8")
    (notes / "synonyms.toml").write_text('groups = [["foo", "푸"]]\n', encoding="utf-8")
    settings = make_settings(
        database_url=sqlite_url, data_dir=tmp_path / "data", knowledge_paths=[notes]
    )
    service = await Service.start(settings)
    try:
        for query, term in (
            ("컨텍스트 스위칭", "Context Switching"),
            ("문맥 교환이 뭐야?", "Context Switching"),
            ("데드락", "교착상태"),
            ("singleton pattern", "Singleton 패턴"),
            ("싱글턴 패턴", "Singleton 패턴"),
        ):
            result = await service.lookup(query)
            assert result.kind is MatchKind.CONFIDENT, (query, result)
            assert result.match is not None and result.match.term == term
        # grading: the notes' own synonyms and the glossary's, together
        assert "푸" in service.synonyms.variants("foo")
        assert "optimization" in service.synonyms.variants("최적화")
    finally:
        await service.close()
