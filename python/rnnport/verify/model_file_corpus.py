"""The model-file conformance corpus (``parity_tests/model_files/``): its manifest, the cases git
cannot hold (made at test time), and what a reader's verdict on a file is.

Used by the NumPy test (``python/tests/test_model_file_corpus.py``), the parity test and the fuzz;
the xunit test reads the same manifest in C#.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Callable

import numpy as np

from rnnport.io.model_cells import ENTRY_NAMES
from rnnport.io.model_file_error import ModelFileError

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "parity_tests" / "model_files"
SPEC = ROOT / "docs" / "model-file.md"
READER_SECTIONS = "FZNMVD"


def cases() -> list[dict[str, Any]]:
    """The manifest's cases: name, rule, verdict, why, and ``file`` or ``make``."""
    return json.loads((CORPUS / "manifest.json").read_text())["cases"]


def spec_rules() -> list[str]:
    """Every reader rule id the specification defines (``**Z7**``), in order."""
    ids = re.findall(r"\*\*([A-Z]\d+)\*\*", SPEC.read_text(encoding="utf-8"))
    return [i for i in dict.fromkeys(ids) if i[0] in READER_SECTIONS]


def materialize(case: dict[str, Any], workdir: Path) -> Path:
    """The path a reader is given for ``case``: the corpus file, or what its recipe makes in ``workdir``."""
    if "file" in case:
        return CORPUS / "files" / case["file"]
    make = case["make"]
    path = workdir / case["name"]
    kind = make["kind"]
    if kind == "missing":
        return path
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "path":
        return Path(make["path"])
    elif kind == "symlink":
        target = make["target"]
        path.symlink_to(target if target.startswith("/") else CORPUS / "files" / target)
    elif kind == "symlink-fifo":
        os.mkfifo(workdir / (case["name"] + ".fifo"))
        path.symlink_to(workdir / (case["name"] + ".fifo"))
    elif kind == "sparse":
        with open(path, "wb") as stream:
            stream.truncate(make["size"])
    else:
        raise ValueError(f"unknown recipe {kind!r}")
    return path


def fingerprint(loaded: Any) -> dict[str, Any]:
    """What a reader returned, comparable bit for bit: weights as raw 64-bit patterns (in the model's order),
    the vocabulary's characters, the cell, the activation (an RNN's), a stack's layers and directions, and
    the hyper-parameters (JSON text with sorted keys)."""
    model = loaded.model
    stack = getattr(model, "num_layers", None) is not None  # a RecurrentStack (version 3), NumPy's or the C# view
    if stack:  # its parameters in torch's order, then the states
        values = {**model.parameters(), "h0": model.h0, "c0": model.c0}
        shape = {"num_layers": model.num_layers, "bidirectional": model.bidirectional, "activation": model.nonlinearity}
    else:  # every cell's arrays; those a cell has not are None on both sides
        values = {name: getattr(model, name, None) for name in ENTRY_NAMES}
        shape = {"activation": getattr(model, "activation", None)}
    arrays = {name: None if value is None else (tuple(np.shape(value)), np.ascontiguousarray(value, dtype="<f8").view("<u8").tolist())
              for name, value in values.items()}
    vocabulary = None if loaded.vocabulary is None else [ord(c) for c in loaded.vocabulary.chars]
    return {"cell": loaded.cell, "arrays": arrays, "names": list(arrays), "vocabulary": vocabulary, **shape,
            "hyperparameters": json.dumps(loaded.hyperparameters, sort_keys=True)}


def verdict(load: Callable[[Path], Any], path: Path) -> tuple[str, Any]:
    """``("accept", fingerprint)`` or ``("refuse", message)``; any other exception propagates."""
    try:
        loaded = load(path)
    except ModelFileError as error:
        return "refuse", str(error)
    return "accept", fingerprint(loaded)
