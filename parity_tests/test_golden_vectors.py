"""``parity_tests/vectors/generate.py``: the stored vectors of every cell are what NumPy (exact) and C# both
compute today, and a disagreement writes nothing (negative control)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from rnnport.verify import golden_vectors as golden

VECTORS = Path(__file__).resolve().parent / "vectors"
_spec = importlib.util.spec_from_file_location("generate_vectors", VECTORS / "generate.py")
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)


def test_stored_vectors_are_fresh_and_both_sides_agree(capsys):
    """Without --write: every file equals what both sides compute now, bit for bit; nothing written."""
    assert generate.main([]) == 0, capsys.readouterr().err


def test_negative_control_a_disagreeing_side_is_not_written(tmp_path, monkeypatch, capsys):
    """The NumPy LSTM's W_hh moved by a relative 1e-12: the LSTM files are refused (exit 1), the others written."""
    numpy_side = golden.numpy_side

    def broken(kernel="exact", cell="rnn"):
        side = numpy_side(kernel, cell)
        if cell == "lstm":
            model = side.model
            side.model = lambda **kw: model(**dict(kw, W_hh=np.asarray(kw["W_hh"]) * (1.0 + 1e-12)))
        return side

    monkeypatch.setattr(golden, "numpy_side", broken)
    monkeypatch.setattr(generate, "HERE", tmp_path)
    assert generate.main(["--write"]) == 1
    err = capsys.readouterr().err
    assert "lstm single_step/biases: NumPy (exact) and C# disagree; not written" in err
    written = sorted(p.name for p in tmp_path.glob("*.json"))
    assert not any(name.startswith("lstm_") for name in written)
    assert "gru_sequence.json" in written and "single_step.json" in written
