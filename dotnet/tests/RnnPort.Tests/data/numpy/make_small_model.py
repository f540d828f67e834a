"""Writes small-model.npz (format version 2) with the NumPy side's rnnport.modelfile.save, and the values it holds.

Run from the repository root with Debian's Python (see README.md next to this file):

    PYTHONPATH=python /usr/bin/python3 dotnet/tests/RnnPort.Tests/data/numpy/make_small_model.py

small-model.expected.txt lists every array in NumPy layout and C order, one per line:
``name dtype ndim shape... values...``, float64 values as the 16 hex digits of their bit pattern
(so the C# test compares bits, not decimal renderings), int32 values in decimal.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from rnnport import RNN, modelfile
from rnnport.training.vocabulary import Vocabulary

HERE = Path(__file__).resolve().parent
# Five characters, one of them beyond the BMP (two UTF-16 units in C#, one code point in Python).
TEXT = "abé\U0001D11E ab"
HYPERPARAMETERS = {"hidden_size": 3, "seq_length": 25, "learning_rate": 0.1, "steps": 2000, "clip": 5.0,
                   "seed": 7, "note": "tiny fixture \u00fc\U0001D11E"}


def main() -> None:
    rng = np.random.default_rng(20240601)
    vocabulary = Vocabulary.of(TEXT)
    I = O = len(vocabulary)
    H = 3
    model = RNN(rng.normal(size=(H, I)), rng.normal(size=(H, H)), rng.normal(size=(O, H)),
                h0=rng.normal(size=H), activation="tanh", b_h=rng.normal(size=H), b_y=rng.normal(size=O))
    modelfile.save(HERE / "small-model.npz", model, vocabulary, HYPERPARAMETERS)

    arrays = {"W_xh": model.W_xh, "W_hh": model.W_hh, "W_hy": model.W_hy, "h0": model.h0,
              "b_h": model.b_h, "b_y": model.b_y}
    lines = []
    for name, array in arrays.items():
        bits = [f"{v:016x}" for v in np.ascontiguousarray(array, dtype="<f8").view("<u8").ravel()]
        lines.append(" ".join([name, "<f8", str(array.ndim), *map(str, array.shape), *bits]))
    codes = [ord(c) for c in vocabulary.chars]
    lines.append(" ".join(["vocabulary", "<i4", "1", str(len(codes)), *map(str, codes)]))
    lines.append("metadata " + json.dumps({"format": modelfile.FORMAT, "version": modelfile.VERSION, "cell": "rnn",
                                           "activation": model.activation, "hyperparameters": HYPERPARAMETERS},
                                          sort_keys=True))
    (HERE / "small-model.expected.txt").write_text("\n".join(lines) + "\n", encoding="ascii")


if __name__ == "__main__":
    main()
