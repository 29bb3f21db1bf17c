"""``/notes`` and the notes sources through the Service: uploads and git repositories belong to
the workspace that added them, the operator's notes to every workspace; bad input is refused
with its reason and changes nothing; a sync picks up a new commit or a force-push and keeps the
notes when the remote is unreachable. Real SQLite (and PostgreSQL where it matters), real git."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app.service import Service
from bot.config import DEFAULT_KNOWLEDGE_DIR, Settings
from bot.core.errors import BadInput, Forbidden, NotFound
from bot.core.models import Caller, MatchKind, knowledge_scope
from tests.gitrepo import Remote, isolate_git

NOTES = "## 분산 시스템\n\n- 플럼버스 - 노드 사이의 합의를 세 번 확인하는 가상의 프로토콜\n"
OTHER = "## 분산 시스템\n\n- 글리브 - 두 노드가 번갈아 쓰는 가상의 잠금\n"


def admin(workspace: str = "G1", platform: str = "discord") -> Caller:
    return Caller(platform, "u-admin", "c1", workspace_id=workspace, is_admin=True, locale="en")


def member(workspace: str = "G1") -> Caller:
    return Caller("discord", "u-member", "c1", workspace_id=workspace, locale="en")


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_git(monkeypatch, tmp_path)


@pytest.fixture
def sources_settings(make_settings: type[Settings], tmp_path: Path, db_url: str) -> Settings:
    return make_settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
        knowledge_git_schemes=["file"],
        knowledge_watch=False,
    )


@pytest.fixture
async def svc(sources_settings: Settings) -> AsyncIterator[Service]:
    service = await Service.start(sources_settings)
    yield service
    await service.close()


async def confident(service: Service, query: str, caller: Caller) -> str | None:
    result = await service.lookup(query, caller)
    if result.kind is not MatchKind.CONFIDENT or result.match is None:
        return None
    return service.concept(result.match.concept_id).term


# --- uploads --------------------------------------------------------------------------------


async def test_an_upload_belongs_to_its_workspace(svc: Service) -> None:
    reply = await svc.notes_add_file(admin(), "분산.md", NOTES.encode())
    assert reply.extra["key"] == "added"
    assert await confident(svc, "플럼버스", admin()) == "플럼버스"
    assert await confident(svc, "플럼버스", admin("G2")) is None  # another server
    assert await confident(svc, "플럼버스", admin(platform="slack")) is None  # same id, Slack
    assert await confident(svc, "GAN", admin()) is not None  # the operator's notes stay
    assert await confident(svc, "플럼버스", admin("G2")) is None
    # its concept is asked in interviews and daily questions there and nowhere else
    scope = knowledge_scope("discord", "G1")
    assert any(c.term == "플럼버스" for c in svc.knowledge.concepts(scope))
    assert not any(c.term == "플럼버스" for c in svc.knowledge.concepts())
    assert "분산 시스템" in svc.topic_counts(admin())
    assert "분산 시스템" not in svc.topic_counts(admin("G2"))


async def test_an_interview_in_the_workspace_can_ask_its_own_notes(svc: Service) -> None:
    await svc.notes_add_file(admin(), "분산.md", NOTES.encode() + OTHER.encode())
    await svc.interviews.start(admin(), "분산 시스템", 2)
    state = await svc.interviews.current(admin())
    assert state is not None
    asked = {svc.concept(cid).term for cid in state.asked}
    assert asked <= {"플럼버스", "글리브"}
    with pytest.raises(BadInput) as unknown:
        await svc.interviews.start(admin("G2"), "분산 시스템", 2)
    assert unknown.value.key == "interview_unknown_topic"


async def test_uploading_the_same_name_again_updates_in_place(svc: Service) -> None:
    await svc.notes_add_file(admin(), "분산.md", NOTES.encode())
    first = await svc.lookup("플럼버스", admin())
    assert first.match is not None
    edited = NOTES.replace("세 번", "네 번")
    await svc.notes_add_file(admin(), "분산.md", edited.encode())
    again = await svc.lookup("플럼버스", admin())
    assert again.match is not None and again.match.concept_id == first.match.concept_id
    assert "네 번" in svc.concept(again.match.concept_id).definition


async def test_a_colliding_upload_is_scoped_not_merged(svc: Service) -> None:
    """An upload defining a term the operator's notes have keeps both: the operator's concept
    is unchanged for everyone, the workspace sees both."""
    operator = await svc.lookup("GAN")
    assert operator.match is not None
    before = svc.concept(operator.match.concept_id)
    await svc.notes_add_file(
        admin(), "mine.md", "## 운영체제\n\n- GAN - 우리 서버만의 설명\n".encode()
    )
    assert svc.concept(before.id) == before
    mine = [c for c in svc.concepts(admin()) if c.term == "GAN"]
    assert len(mine) >= 2
    assert [c for c in svc.concepts(admin("G2")) if c.term == "GAN"] == [
        c for c in svc.concepts() if c.term == "GAN"
    ]


@pytest.mark.parametrize(
    ("name", "data", "key", "detail"),
    [
        ("notes.pdf", b"%PDF-1.4", "upload_type", None),
        ("notes", b"- a - b\n", "upload_type", None),
        (".md", b"- a - b\n", "upload_type", None),
        ("notes.md", b"", "upload_refused", "file_empty"),
        ("notes.md", b"\x00\x01\x02PNG\x00\x00" * 50, "upload_refused", "file_binary"),
        ("notes.md", "- 말 - 뜻\n".encode("utf-16-le") + b"\xff\xfe\x00", "upload_refused", None),
        ("notes.md", b"# Links\n\n- https://example.com\n", "upload_refused", "file_no_concepts"),
        ("notes.md", b"- a - b\n" * 200_000, "upload_refused", "file_too_big"),
    ],
)
async def test_a_bad_upload_is_refused_and_changes_nothing(
    svc: Service, name: str, data: bytes, key: str, detail: str | None
) -> None:
    before = svc.concepts(admin())
    with pytest.raises(BadInput) as refused:
        await svc.notes_add_file(admin(), name, data)
    assert refused.value.key == key
    if detail is not None:
        assert refused.value.params["detail"].key == detail  # type: ignore[attr-defined]
    assert svc.concepts(admin()) == before
    uploads = svc.sources.root
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*.md"))


async def test_upload_names_cannot_escape_the_folder(svc: Service) -> None:
    await svc.notes_add_file(admin(), "../../etc/분산.md", NOTES.encode())
    stored = [p for p in svc.sources.root.rglob("*.md")]
    assert [p.name for p in stored] == ["분산.md"]
    assert all(p.is_relative_to(svc.sources.root) for p in stored)


async def test_only_admins_and_only_in_a_workspace(svc: Service) -> None:
    with pytest.raises(Forbidden) as refused:
        await svc.notes_add_file(member(), "a.md", NOTES.encode())
    assert refused.value.key == "admin_only"
    for call in (svc.notes_list(member()), svc.notes_sync(member())):
        with pytest.raises(Forbidden):
            await call
    dm = Caller("discord", "u", "c", workspace_id="dm", is_admin=True)
    with pytest.raises(BadInput) as outside:
        await svc.notes_add_file(dm, "a.md", NOTES.encode())
    assert outside.value.key == "notes_need_workspace"


async def test_two_admins_uploading_at_once_both_land(svc: Service) -> None:
    one = admin()
    two = Caller("discord", "u-two", "c2", workspace_id="G1", is_admin=True)
    await asyncio.gather(
        svc.notes_add_file(one, "a.md", NOTES.encode()),
        svc.notes_add_file(two, "b.md", OTHER.encode()),
    )
    assert await confident(svc, "플럼버스", one) == "플럼버스"
    assert await confident(svc, "글리브", one) == "글리브"


# --- list and remove ------------------------------------------------------------------------


async def test_list_shows_every_source_with_counts(svc: Service) -> None:
    await svc.notes_add_file(admin(), "분산.md", NOTES.encode())
    listing = await svc.notes_list(admin())
    assert listing.extra["key"] == "list"
    assert "분산.md" in listing.body and "knowledge" in listing.body
    other = await svc.notes_list(admin("G2"))
    assert "분산.md" not in other.body  # never another workspace's


async def test_remove_takes_a_workspace_source_away(svc: Service) -> None:
    await svc.notes_add_file(admin(), "분산.md", NOTES.encode())
    reply = await svc.notes_remove(admin(), "분산.md")
    assert reply.extra["key"] == "removed"
    assert await confident(svc, "플럼버스", admin()) is None
    assert not any(svc.sources.root.rglob("분산.md"))
    with pytest.raises(NotFound) as gone:
        await svc.notes_remove(admin(), "분산.md")
    assert gone.value.key == "notes_source_unknown"


async def test_the_operator_notes_cannot_be_removed_from_chat(svc: Service) -> None:
    listing = await svc.sources.listing(admin())
    assert "#1" in listing.body
    with pytest.raises(Forbidden) as refused:
        await svc.notes_remove(admin(), "1")
    assert refused.value.key == "notes_source_configured"
    assert await confident(svc, "GAN", admin()) is not None


# --- git repositories -----------------------------------------------------------------------


@pytest.fixture
def remote(tmp_path: Path) -> Remote:
    origin = Remote(tmp_path / "origin")
    origin.commit({"notes/분산.md": NOTES, "README.md": "# Links\n\n- https://example.com\n"})
    origin.push()
    return origin


async def test_a_workspace_repository_syncs_new_commits_and_force_pushes(
    svc: Service, remote: Remote
) -> None:
    added = await svc.notes_add_git(admin(), remote.url + "#main:notes")
    assert added.extra["key"] == "added"
    assert await confident(svc, "플럼버스", admin()) == "플럼버스"
    assert await confident(svc, "플럼버스", admin("G2")) is None
    remote.commit({"notes/잠금.md": OTHER})
    remote.push()
    synced = await svc.notes_sync(admin())
    assert synced.extra["failed"] is False
    assert await confident(svc, "글리브", admin()) == "글리브"
    # history rewritten: the second file is gone again
    from tests.gitrepo import git

    git(remote.work, "reset", "-q", "--hard", "HEAD~1")
    remote.commit({"notes/분산.md": NOTES.replace("세 번", "다섯 번")}, "rewrite")
    remote.push("--force")
    await svc.notes_sync(admin())
    assert await confident(svc, "글리브", admin()) is None
    found = await svc.lookup("플럼버스", admin())
    assert found.match is not None
    assert "다섯 번" in svc.concept(found.match.concept_id).definition


async def test_an_unreachable_repository_keeps_the_notes_and_says_why(
    svc: Service, remote: Remote
) -> None:
    await svc.notes_add_git(admin(), remote.url + "#main:notes")
    remote.bare.rename(remote.bare.with_name("moved.git"))
    synced = await svc.notes_sync(admin())
    assert synced.extra["failed"] is True
    assert await confident(svc, "플럼버스", admin()) == "플럼버스"
    listing = await svc.notes_list(admin())
    assert "git" in listing.body and "⚠" in listing.body  # the last error, listed


async def test_a_refused_or_unreachable_repository_adds_nothing(
    make_settings: type[Settings], tmp_path: Path, sqlite_url: str, remote: Remote
) -> None:
    settings = make_settings(
        database_url=sqlite_url, data_dir=tmp_path / "data", knowledge_watch=False
    )  # the default: https only
    service = await Service.start(settings)
    try:
        with pytest.raises(BadInput) as refused:
            await service.notes_add_git(admin(), remote.url)
        assert refused.value.key == "git_scheme_refused"
        with pytest.raises(BadInput) as unreachable:
            await service.notes_add_git(admin(), "https://127.0.0.1:9/none.git")
        assert unreachable.value.key == "git_sync_failed"
        listing = await service.notes_list(admin())
        assert "[git]" not in listing.body
        assert not (service.sources.root / "discord").exists()
    finally:
        await service.close()


async def test_configured_repositories_are_pulled_on_start(
    make_settings: type[Settings], tmp_path: Path, sqlite_url: str, remote: Remote
) -> None:
    settings = make_settings(
        database_url=sqlite_url,
        data_dir=tmp_path / "data",
        knowledge_paths=[DEFAULT_KNOWLEDGE_DIR],
        knowledge_git=[remote.url + ":notes"],
        knowledge_watch=False,
    )
    service = await Service.start(settings)
    try:  # the operator's repository: every workspace sees it
        assert await confident(service, "플럼버스", admin("G2")) == "플럼버스"
        assert await confident(service, "플럼버스", None) == "플럼버스"  # type: ignore[arg-type]
    finally:
        await service.close()
    remote.commit({"notes/잠금.md": OTHER})
    remote.push()
    again = await Service.start(settings)
    try:
        assert await confident(again, "글리브", admin()) == "글리브"
    finally:
        await again.close()


async def test_a_large_repository_reingests_only_what_changed(svc: Service, tmp_path: Path) -> None:
    """2,000 files: the first sync ingests them all, the next only the one that changed."""
    big = Remote(tmp_path / "big")
    files: dict[str, str | None] = {
        f"topic{i // 100:02d}/note{i:04d}.md": f"## 주제 {i // 100}\n\n- 개념{i:04d} - 설명 {i}\n"
        for i in range(2_000)
    }
    big.commit(files)
    big.push()
    added = await svc.notes_add_git(admin(), big.url)
    assert "2000" in added.body.replace(",", "")
    big.commit({"topic00/note0007.md": "## 주제 0\n\n- 개념0007 - 바뀐 설명\n"})
    big.push()
    outcomes = await svc.sources.sync_everything()
    [outcome] = outcomes  # the workspace's one repository (the operator has only a folder)
    assert outcome.summary is not None and outcome.error is None
    assert outcome.summary.params["changed"] == 1
    assert outcome.summary.params["unchanged"] == 1_999
    found = await svc.lookup("개념0007", admin())
    assert found.match is not None
    assert "바뀐" in svc.concept(found.match.concept_id).definition
