"""The key-point stage of an ingest: derive candidates for new or changed definitions with the
tokenizer (in a child process, so the running bot never holds the model), rank every concept's
candidates by IDF over the whole knowledge base, and let curated points win.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.interview.keypoints import (
    KeyPointExtractor,
    candidates,
    curated_words,
    fold_for_tokenizer,
    rank,
)
from bot.core.models import KeyPoint
from bot.db import knowledge as repo

# Candidates already derived in this process, by (definition, user words) digest: re-ingesting
# the same notes (tests, a second database) needs no tokenizer.
_CACHE: dict[str, list[str]] = {}
CACHE_MAX = 50_000


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
    texts = [fold_for_tokenizer(d) for d in definitions]
    return [
        candidates(tokens, text)
        for tokens, text in zip(extractor.tokenize(texts), texts, strict=True)
    ]


def _digest(definition: str, words_digest: str) -> str:
    return hashlib.sha256(f"{words_digest}\0{definition}".encode()).hexdigest()


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
    words_digest = hashlib.sha256("\n".join(user_words).encode()).hexdigest()
    missing = [item for item in inputs if item.candidates is None]
    keys = [_digest(item.definition, words_digest) for item in missing]
    todo = [(item, key) for item, key in zip(missing, keys, strict=True) if key not in _CACHE]
    derived = await _derive([item.definition for item, _ in todo], user_words, isolate)
    if len(_CACHE) + len(derived) > CACHE_MAX:
        _CACHE.clear()
    for (_, key), found in zip(todo, derived, strict=True):
        _CACHE[key] = found
    by_id = {item.id: _CACHE[key] for item, key in zip(missing, keys, strict=True)}
    per_item = [
        item.candidates if item.candidates is not None else by_id[item.id] for item in inputs
    ]
    ranked = rank(per_item, [item.names for item in inputs])
    values: dict[int, tuple[list[str], list[list[Any]]]] = {}
    for item, found, points in zip(inputs, per_item, ranked, strict=True):
        chosen = curated.get(item.term) or points
        values[item.id] = (found, repo.key_points_to_json(chosen))
    await repo.save_key_points(session, values)
    return len(todo)
