"""Turn a notes file's bytes into text, or say clearly (with the line) why it cannot be read."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from bot.core.errors import BadInput

# The largest notes file read (checked on the file's size before it is read). Parsing and
# key-point derivation grow with the file: an 8 MB note took two minutes and 761 MB; 1 MB,
# several times the largest interview-notes file seen, takes seconds.
MAX_NOTE_BYTES = 1024 * 1024
BINARY_SNIFF_BYTES = 8192
# Share of control characters (other than tab/CR/LF/FF) above which a file is taken as binary.
BINARY_CONTROL_RATIO = 0.10
_CONTROL = frozenset(range(32)) - {9, 10, 12, 13, 27}


@dataclass(frozen=True, slots=True)
class DecodedNotes:
    """A decoded notes file and the warning keys its decoding raised (e.g. read as CP949)."""

    text: str
    warnings: tuple[str, ...] = ()


def too_big_params(size: int, limit: int) -> dict[str, object]:
    """The parameters of ``file_too_big`` for a file of ``size`` bytes over ``limit``: both in
    KB, rounded so that a file just over the limit never shows the limit's own figure."""
    return {"size_kb": f"{-(-size // 1024):,}", "limit_kb": f"{limit // 1024:,}"}


def line_of(data: bytes, offset: int) -> int:
    """1-based line number of byte ``offset`` in ``data``."""
    return data.count(b"\n", 0, offset) + 1


def _looks_binary(data: bytes) -> int | None:
    """The offset of the first NUL byte anywhere in the file (no text file holds one; a NUL
    past the sniffed block would otherwise reach the parser and the database), or of the
    sniffed block when it is mostly control bytes. UTF-16 (with BOM) is checked once decoded."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    nul = data.find(b"\x00")
    if nul >= 0:
        return nul
    head = data[:BINARY_SNIFF_BYTES]
    controls = sum(1 for byte in head if byte in _CONTROL)
    if head and controls / len(head) > BINARY_CONTROL_RATIO:
        return 0
    return None


def decode_notes(data: bytes) -> DecodedNotes:
    """Decode a notes file: UTF-8 (with or without BOM), UTF-16 with BOM, or CP949 with a warning.

    Raises :class:`BadInput` with ``line`` for binary data, undecodable bytes, an empty file or one
    larger than :data:`MAX_NOTE_BYTES`.
    """
    if len(data) > MAX_NOTE_BYTES:
        raise BadInput("file_too_big", line=1, **too_big_params(len(data), MAX_NOTE_BYTES))
    if not data.strip():
        raise BadInput("file_empty", line=1)
    binary_at = _looks_binary(data)
    if binary_at is not None:
        raise BadInput("file_binary", line=line_of(data, binary_at))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            wide = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise BadInput("file_encoding", line=line_of(data, exc.start)) from exc
        if (nul := wide.find("\x00")) >= 0:
            raise BadInput("file_binary", line=wide.count("\n", 0, nul) + 1)
        return DecodedNotes(wide)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            return DecodedNotes(data.decode("cp949"), ("file_decoded_cp949",))
        except UnicodeDecodeError:
            raise BadInput("file_encoding", line=line_of(data, exc.start)) from exc
    if not text.strip():
        raise BadInput("file_empty", line=1)
    return DecodedNotes(text)
