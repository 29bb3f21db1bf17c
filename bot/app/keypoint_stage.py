"""The key-point stage of an ingest: derive candidates for new or changed definitions with the
tokenizer (in a child process, so the running bot never holds the model), rank every concept's
candidates by IDF over the whole knowledge base, and let curated points win.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.grading.keypoints import (
    KeyPointExtractor,
    curated_words,
    rank,
)
from bot.core.models import KeyPoint
from bot.db import knowledge as repo

# With ``reuse`` (tests, in-process ingests) one tokenizer and its per-definition cache stay
# loaded between ingests.
_shared: KeyPointExtractor | None = None


def derive_candidates(
    definitions: Sequence[str], user_words: Sequence[str], *, reuse: bool = False
) -> list[list[str]]:
    """Candidate key words of each definition (loads the tokenizer model; with ``reuse`` one
    model stays loaded in this process for the next call)."""
    global _shared
    if reuse:
        if _shared is None:
            _shared = KeyPointExtractor()
        extractor = _shared
        extractor.add_user_words(user_words)
    else:
        extractor = KeyPointExtractor(user_words)
    return extractor.candidates_of(definitions)


async def _derive(definitions: list[str], user_words: list[str], isolate: bool) -> list[list[str]]:
    if not definitions:
        return []
    if not isolate:
        return await asyncio.to_thread(derive_candidates, definitions, user_words, reuse=True)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, derive_candidates, definitions, user_words)


async def update_key_points(
    session: AsyncSession, curated: Mapping[str, tuple[KeyPoint, ...]], *, isolate: bool = True
) -> int:
    """Derive and store key points for every concept; returns how many needed the tokenizer."""
    inputs = await repo.key_point_inputs(session)
    user_words = sorted(
        {name for item in inputs for name in item.names} | curated_words(dict(curated))
    )
    missing = [item for item in inputs if item.candidates is None]
    derived = await _derive([item.definition for item in missing], user_words, isolate)
    by_id = {item.id: found for item, found in zip(missing, derived, strict=True)}
    per_item = [
        item.candidates if item.candidates is not None else by_id[item.id] for item in inputs
    ]
    ranked = rank(per_item, [item.names for item in inputs])
    values: dict[int, tuple[list[str], list[list[Any]]]] = {}
    for item, found, points in zip(inputs, per_item, ranked, strict=True):
        chosen = curated.get(item.term) or points
        values[item.id] = (found, repo.key_points_to_json(chosen))
    await repo.save_key_points(session, values)
    return len(missing)
