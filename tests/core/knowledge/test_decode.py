"""Decoding notes files: encodings, binary, empty and oversized input, with line numbers."""

from __future__ import annotations

import codecs

import pytest

from bot.core.errors import BadInput
from bot.core.knowledge.decode import MAX_NOTE_BYTES, decode_notes


def test_utf8_with_and_without_bom() -> None:
    assert decode_notes("CNN - 신경망".encode()).text == "CNN - 신경망"
    assert decode_notes(codecs.BOM_UTF8 + "CNN - 신경망".encode()).text == "CNN - 신경망"


def test_utf16_with_bom() -> None:
    assert decode_notes("RNN - 순환".encode("utf-16")).text == "RNN - 순환"


def test_cp949_is_read_with_a_warning() -> None:
    decoded = decode_notes("도커 - 컨테이너 플랫폼".encode("cp949"))
    assert decoded.text == "도커 - 컨테이너 플랫폼"
    assert decoded.warnings == ("file_decoded_cp949",)


def test_undecodable_bytes_name_their_line() -> None:
    data = "첫 줄\n둘째 줄\n".encode() + b"\xff\xfe\xfa broken \x80\n"
    with pytest.raises(BadInput) as err:
        decode_notes(data)
    assert err.value.key == "file_encoding"
    assert err.value.params["line"] == 3


def test_binary_names_the_line_of_the_first_nul() -> None:
    with pytest.raises(BadInput) as err:
        decode_notes(b"line one\nline two\n\x00\x01\x02PNG")
    assert err.value.key == "file_binary"
    assert err.value.params["line"] == 3


@pytest.mark.parametrize("data", [b"", b"   \n\n\t  \n", "\ufeff".encode()])
def test_empty(data: bytes) -> None:
    with pytest.raises(BadInput) as err:
        decode_notes(data)
    assert err.value.key == "file_empty"


def test_too_big() -> None:
    with pytest.raises(BadInput) as err:
        decode_notes(b"a - b\n" * (MAX_NOTE_BYTES // 6 + 1))
    assert err.value.key == "file_too_big"
