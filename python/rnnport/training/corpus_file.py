"""Reading a training text by the rule both languages share (docs/cli.md, "Reading a text").
C# twin: ``RnnPort.CorpusText``; both are checked on the same byte files (``parity_tests/corpus/``).

- The file is UTF-8. One leading byte-order mark (EF BB BF) is removed: it marks the encoding, it is
  not text. A U+FEFF anywhere else is kept as a character.
- Every other character is kept as it is: ``\\r\\n`` stays two characters and a lone ``\\r`` one (no
  newline translation, unlike ``Path.read_text``), so the model learns the file's text.
- Bytes that are not UTF-8 (a stray continuation byte, a truncated or overlong sequence, an encoded
  surrogate, a code point above U+10FFFF) are refused, naming the first such byte and its offset.
"""
from __future__ import annotations

from pathlib import Path

BYTE_ORDER_MARK = b"\xef\xbb\xbf"


def decode_text(data: bytes, what: str) -> str:
    """The text of UTF-8 ``data`` (a leading byte-order mark removed); ValueError naming ``what``, the
    first invalid byte and its offset when ``data`` is not UTF-8."""
    skipped = len(BYTE_ORDER_MARK) if data.startswith(BYTE_ORDER_MARK) else 0
    try:
        return data[skipped:].decode("utf-8", errors="strict")
    except UnicodeDecodeError as error:
        offset = skipped + error.start  # where the first bad sequence starts
        raise ValueError(f"{what} is not UTF-8: invalid byte 0x{data[offset]:02X} at offset {offset}") from None


def read_text(path: str | Path) -> str:
    """The text of the file at ``path`` by the shared rule (module docstring); ValueError when it is not UTF-8."""
    return decode_text(Path(path).read_bytes(), f"text file '{path}'")
