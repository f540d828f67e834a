"""The command-line matrix (``parity_tests/cli/bad-invocations.json``): its rows, the scratch files
they name, and the placeholders (``{dir}``, ``{corpus}``, ``{model}``, ``{plain}``, ``{texts}``) that point at them.

Used by the NumPy test (``python/tests/cli/test_cli_matrix.py``) and the parity test that runs both
command lines; the xunit test reads the same file in C#.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rnnport.io import model_file
from rnnport.training.vocabulary import Vocabulary
from rnnport.verify.cases import make_case

MATRIX_FILE = Path(__file__).resolve().parents[3] / "parity_tests" / "cli" / "bad-invocations.json"
TEXT_FILES = MATRIX_FILE.parents[1] / "text_files"  # the byte files of the text-reading rule (docs/cli.md)


def rows() -> list[dict[str, Any]]:
    """The matrix's rows: id, args, and the expected status, message, files."""
    return json.loads(MATRIX_FILE.read_text(encoding="utf-8"))["rows"]


def scratch(directory: Path) -> dict[str, str]:
    """Write the files the rows name into ``directory``; return the placeholders that point at them."""
    (directory / "corpus.txt").write_text("the cat sat on the mat. " * 20, encoding="utf-8")
    (directory / "latin1.txt").write_bytes(b"caf\xe9 au lait " * 20)
    model = make_case(3, 4, 3, 1, seed=1).numpy_model()
    model_file.save(directory / "chars.npz", model, Vocabulary("abc"))
    model_file.save(directory / "plain.npz", model)
    return {"{dir}": str(directory), "{corpus}": str(directory / "corpus.txt"),
            "{model}": str(directory / "chars.npz"), "{plain}": str(directory / "plain.npz"), "{texts}": str(TEXT_FILES)}


def written_vocabulary(row: dict[str, Any], places: dict[str, str]) -> list[str]:
    """What is wrong with the model an accepted row must write (its 'model' and 'vocabulary'): empty when right."""
    if "vocabulary" not in row:
        return []
    path = fill(row["model"], places)
    try:
        vocabulary = model_file.load(path).vocabulary
    except (OSError, ValueError) as error:
        return [f"cannot read {path}: {error}"]
    chars = None if vocabulary is None else vocabulary.chars
    return [] if chars == row["vocabulary"] else [f"{path} has the vocabulary {chars!r}, expected {row['vocabulary']!r}"]


def fill(text: str, places: dict[str, str]) -> str:
    """``text`` with every placeholder replaced by its path."""
    for key, value in places.items():
        text = text.replace(key, value)
    return text
