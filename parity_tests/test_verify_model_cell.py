"""``verify --model`` with a model file of another cell: one line, exit 2, until verify compares that cell."""
from __future__ import annotations

import subprocess
import sys

import numpy as np

from rnnport import modelfile
from rnnport.cells.lstm import LSTM


def test_an_lstm_file_is_refused_in_one_line(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "lstm.npz"
    modelfile.save(path, LSTM(rng.normal(size=(8, 3)), rng.normal(size=(8, 2)), rng.normal(size=(3, 2))))
    run = subprocess.run([sys.executable, "-m", "rnnport", "verify", "--model", str(path)], capture_output=True, text=True)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "holds cell 'lstm'" in run.stderr
