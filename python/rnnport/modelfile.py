"""The model file both languages read and write. C# twin: ``RnnPort.ModelFile``.

A ``.npz`` (NumPy's zip of ``.npy`` files, uncompressed as ``np.savez`` writes it) holding:

=================  ========  ==========  ==========================================
entry              dtype     shape       meaning
=================  ========  ==========  ==========================================
``W_xh``           ``<f8``   (H, I)      NumPy layout; C# reads it as its transpose
``W_hh``           ``<f8``   (H, H)
``W_hy``           ``<f8``   (O, H)
``h0``             ``<f8``   (H,)
``b_h``, ``b_y``   ``<f8``   (H,), (O,)  present only when the model has biases
``vocabulary``     ``<i4``   (V,)        Unicode code points, index order; V = 0 if none
``metadata``       ``|u1``   (N,)        UTF-8 JSON: format, version, activation, hyper-parameters
=================  ========  ==========  ==========================================

Loading uses ``allow_pickle=False``: a pickled object array is refused, never executed. Every
problem (not a zip, a missing entry, a wrong dtype or shape, a non-finite weight, bad JSON) raises
:class:`ModelFileError`, a ``ValueError``.
"""
from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rnnport.charlm import Vocabulary
from rnnport.rnn import RNN

FORMAT = "rnnport-model"
VERSION = 1
_WEIGHTS = ("W_xh", "W_hh", "W_hy", "h0")
_BIASES = ("b_h", "b_y")


class ModelFileError(ValueError):
    """The file is not a valid rnnport model file; the message says why."""


@dataclass
class ModelFile:
    """A model with its vocabulary (None when V = 0) and hyper-parameters."""

    model: RNN
    vocabulary: Vocabulary | None = None
    hyperparameters: dict[str, Any] = field(default_factory=dict)


def save(path: str | os.PathLike[str], model: RNN, vocabulary: Vocabulary | None = None,
         hyperparameters: dict[str, Any] | None = None) -> None:
    """Write ``model`` to ``path`` (NumPy appends nothing: pass the full name, e.g. ``model.npz``)."""
    metadata = {"format": FORMAT, "version": VERSION, "activation": model.activation,
                "hyperparameters": hyperparameters or {}}
    arrays = {name: getattr(model, name) for name in _WEIGHTS}
    arrays.update({name: getattr(model, name) for name in _BIASES if getattr(model, name) is not None})
    codes = [ord(c) for c in vocabulary.chars] if vocabulary is not None else []
    arrays["vocabulary"] = np.array(codes, dtype="<i4")
    arrays["metadata"] = np.frombuffer(json.dumps(metadata, sort_keys=True).encode(), dtype=np.uint8)
    with open(path, "wb") as stream:  # a file object stops np.savez from appending ".npz"
        np.savez(stream, **arrays)


def _entry(archive: Any, name: str, dtype: str, ndim: int) -> np.ndarray:
    if name not in archive.files:
        raise ModelFileError(f"missing entry {name!r}")
    array = archive[name]
    if array.dtype != np.dtype(dtype) or array.ndim != ndim:
        raise ModelFileError(f"entry {name!r} has dtype {array.dtype.str} and {array.ndim} dimensions, "
                             f"expected {dtype} with {ndim}")
    return array


def load(path: str | os.PathLike[str]) -> ModelFile:
    """Read a model file written by either language.

    Raises
    ------
    ModelFileError
        Anything wrong with the file's contents. (A missing file raises ``FileNotFoundError``.)
    """
    try:
        with np.load(path, allow_pickle=False) as archive:
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise ModelFileError("not an .npz archive")
            weights = {name: _entry(archive, name, "<f8", 1 if name == "h0" else 2) for name in _WEIGHTS}
            biases = {name: _entry(archive, name, "<f8", 1) for name in _BIASES if name in archive.files}
            codes = _entry(archive, "vocabulary", "<i4", 1)
            raw = _entry(archive, "metadata", "|u1", 1)
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise ModelFileError(f"cannot read {os.fspath(path)!r} as an .npz archive: {error}") from None
    except ValueError as error:  # a pickled entry, or a malformed .npy header
        if isinstance(error, ModelFileError):
            raise
        raise ModelFileError(f"cannot read {os.fspath(path)!r}: {error}") from None
    try:
        metadata = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(f"metadata is not UTF-8 JSON: {error}") from None
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT or metadata.get("version") != VERSION:
        raise ModelFileError(f"metadata does not describe an {FORMAT} version {VERSION} file")
    try:
        model = RNN(weights["W_xh"], weights["W_hh"], weights["W_hy"], weights["h0"],
                    metadata.get("activation", "tanh"), **biases)
    except (TypeError, ValueError) as error:
        raise ModelFileError(f"the arrays do not form a model: {error}") from None
    try:
        vocabulary = Vocabulary("".join(chr(c) for c in codes)) if codes.size else None
    except (ValueError, OverflowError) as error:
        raise ModelFileError(f"vocabulary holds an invalid code point: {error}") from None
    if vocabulary is not None and len(vocabulary) != model.input_size:
        raise ModelFileError(f"vocabulary has {len(vocabulary)} characters, the model takes {model.input_size} inputs")
    hyper = metadata.get("hyperparameters", {})
    return ModelFile(model, vocabulary, hyper if isinstance(hyper, dict) else {})
