"""The key-point stage: the tokenizer's child process and ranking over the knowledge as it will
be after an ingest."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from bot.app.keypoint_stage import (
    ChildTokenizer,
    InProcessTokenizer,
    KeyPointItem,
    KeyPointProgress,
    TokenizerFailed,
    derive_candidates,
    derive_key_points,
)
from bot.core.grading.keypoints import CANDIDATES_VERSION
from bot.core.models import KeyPoint

DEFINITIONS = [
    "합성곱 층은 커널로 특징 맵을 만들고 풀링으로 줄인다.",
    "역전파는 연쇄 법칙으로 가중치의 기울기를 구한다.",
    "합성곱 층은 커널로 특징 맵을 만들고 풀링으로 줄인다.",  # the same text twice
]
USER_WORDS = ["합성곱", "역전파"]
WAIT_S = 120.0


async def test_the_child_process_derives_what_the_tokenizer_derives_here() -> None:
    expected = derive_candidates(DEFINITIONS, USER_WORDS)
    child = ChildTokenizer(num_workers=1)
    seen: list[tuple[int, int]] = []
    try:
        await child.start()
        found = await asyncio.wait_for(
            child.derive(DEFINITIONS, USER_WORDS, lambda done, total: seen.append((done, total))),
            WAIT_S,
        )
        again = await asyncio.wait_for(child.derive(DEFINITIONS[:1], USER_WORDS), WAIT_S)
    finally:
        await child.close()
    assert found == expected
    assert again == expected[:1], "one child answers several batches"
    assert seen and seen[-1] == (3, 3)
    assert found[0][0] == CANDIDATES_VERSION
    assert "\x02합성곱" in found[0] and "\x02역전파" in found[1]


async def test_definitions_fed_while_notes_are_parsed_come_back_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import bot.app.keypoint_stage as stage

    monkeypatch.setattr(stage, "FEED_BATCH_CHARS", 1)  # every feed is sent at once
    expected = derive_candidates(DEFINITIONS, USER_WORDS)
    child = ChildTokenizer(num_workers=1)
    try:
        child.feed(DEFINITIONS[:1])  # before the child runs: kept, asked for by derive
        await child.start()
        child.feed(DEFINITIONS[1:])
        found = await asyncio.wait_for(child.derive(DEFINITIONS, USER_WORDS), WAIT_S)
    finally:
        await child.close()
    assert found == expected, "names are joined into fed tokens when they are known"


@pytest.mark.parametrize("fed", [False, True], ids=["asked", "fed then asked"])
async def test_a_child_that_died_fails_the_batch_and_a_feed_to_it_is_no_error(fed: bool) -> None:
    import bot.app.keypoint_stage as stage

    child = ChildTokenizer(num_workers=1)
    await child.start()
    process = child._process
    assert process is not None
    process.kill()
    await process.wait()
    if fed:
        child.feed(["가" * stage.FEED_BATCH_CHARS])  # written to a closed pipe: no error here
    with pytest.raises(TokenizerFailed):
        await asyncio.wait_for(child.derive(DEFINITIONS, USER_WORDS), WAIT_S)
    await child.close()


async def test_nothing_to_derive_starts_no_model() -> None:
    child = ChildTokenizer()
    assert await child.derive([], USER_WORDS) == []
    assert child._process is None
    await child.close()


async def test_stored_candidates_are_reused_and_curated_points_win() -> None:
    asked: list[list[str]] = []

    class Recording(InProcessTokenizer):
        async def derive(
            self,
            definitions: Sequence[str],
            user_words: Sequence[str],
            progress: KeyPointProgress | None = None,
        ) -> list[list[str]]:
            asked.append(list(definitions))
            return await super().derive(definitions, user_words, progress)

    curated = {"CNN": (KeyPoint(("합성곱", "convolution"), 2.0),)}
    items = [
        KeyPointItem("CNN", ("CNN",), DEFINITIONS[0], [CANDIDATES_VERSION, "합성곱", "커널"]),
        KeyPointItem("역전파", ("역전파", "backprop"), DEFINITIONS[1], None),
    ]
    derived = await derive_key_points(items, curated, Recording())
    assert asked == [[DEFINITIONS[1]]], "stored candidates are not tokenised again"
    assert derived[0].candidates == [CANDIDATES_VERSION, "합성곱", "커널"]
    assert derived[0].points == curated["CNN"]
    labels = [point.label for point in derived[1].points]
    assert labels and "역전파" not in labels, "a concept's own name is never its key point"
