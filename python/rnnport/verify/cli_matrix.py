"""The command-line matrix (``parity_tests/cli/bad-invocations.json``): its rows, the scratch files
they name, and the placeholders (``{dir}``, ``{corpus}``, ``{model}``, ``{plain}``, ``{stack}`` a version 3
file, ``{xs}`` float64 inputs (5, 3) for both models, ``{texts}`` the shared text files) that point at them.

Used by the NumPy test (``python/tests/cli/test_cli_matrix.py``) and the parity test that runs both
command lines; the xunit test reads the same file in C#.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from rnnport.cells.stack import RecurrentStack, parameter_names
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
    model_file.save(directory / "stack.npz", _stack())
    rng = np.random.default_rng(3)
    for name, array in (("xs", rng.normal(size=(5, 3))), ("xs4", rng.normal(size=(5, 4))),
                        ("xs32", rng.normal(size=(5, 3)).astype(np.float32)), ("xs1d", rng.normal(size=3)),
                        ("xsnan", np.where(np.arange(15).reshape(5, 3) == 7, np.nan, 0.5))):
        np.save(directory / f"{name}.npy", array)
    return {"{dir}": str(directory), "{corpus}": str(directory / "corpus.txt"),
            "{model}": str(directory / "chars.npz"), "{plain}": str(directory / "plain.npz"),
            "{stack}": str(directory / "stack.npz"), "{xs}": str(directory / "xs.npy"), "{texts}": str(TEXT_FILES)}


def _stack() -> RecurrentStack:
    """A bidirectional 2-layer GRU, I = 3, H = 2, no output layer (O = 4)."""
    rng = np.random.default_rng(2)
    shapes = {"weight_ih_l0": (6, 3), "weight_ih_l0_reverse": (6, 3)}
    parameters = {name: rng.normal(size=shapes.get(name, (6, 4) if name.startswith("weight_ih") else
                                                    (6, 2) if name.startswith("weight_hh") else (6,)))
                  for name in parameter_names(2, True, True)}
    return RecurrentStack("gru", parameters, num_layers=2, bidirectional=True)


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
