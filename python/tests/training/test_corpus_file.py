"""The text-reading rule both languages share (docs/cli.md, "Reading a text"), on the byte files of
parity_tests/text_files/ whose texts and vocabularies are written by hand in expected.json; the C#
reader is checked on the same files (CorpusTextTests) and against this one (parity_tests)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest

from rnnport.training.corpus_file import read_text
from rnnport.training.vocabulary import Vocabulary

FILES = Path(__file__).resolve().parents[3] / "parity_tests" / "text_files"
ROWS = json.loads((FILES / "expected.json").read_text(encoding="utf-8"))["files"]


def mismatches(reader: Callable[[Path], str]) -> list[str]:
    """The rows ``reader`` gets wrong: another text or vocabulary, an error where none is due, another error."""
    wrong = []
    for row in ROWS:
        path = FILES / row["file"]
        try:
            text = reader(path)
        except ValueError as error:
            message = str(error)
            if "error" not in row or not message.endswith(row["error"]) or "\n" in message \
                    or not message.startswith(f"text file '{path}'"):
                wrong.append(f"{row['file']}: {message}")
            continue
        if "error" in row:
            wrong.append(f"{row['file']}: read {text!r}, expected the error {row['error']!r}")
        elif text != row["text"] or (text and Vocabulary.of(text).chars != row["vocabulary"]):
            wrong.append(f"{row['file']}: read {text!r}")
    return wrong


def test_every_file_reads_as_written_by_hand():
    assert len(ROWS) == len(list(FILES.glob("*.txt")))  # every byte file has its row
    assert mismatches(read_text) == []


def test_indices_follow_the_vocabulary():
    for row in ROWS:
        if row.get("text"):
            indices = Vocabulary.of(row["text"]).encode(read_text(FILES / row["file"]))
            assert [row["vocabulary"][i] for i in indices] == list(row["text"])


@pytest.mark.parametrize("reader", [
    lambda path: path.read_text(encoding="utf-8"),  # the old reader: \r\n → \n, the BOM kept as a character
    lambda path: path.read_bytes().decode("utf-8-sig", errors="replace"),  # invalid bytes replaced, not refused
], ids=["read_text", "replace"])
def test_negative_control_other_readers_are_caught(reader):
    assert mismatches(reader) != []
