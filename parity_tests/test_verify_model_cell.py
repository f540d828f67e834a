"""``verify --model`` with a model file of every cell: the file's cell is verified; naming another is exit 2."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from rnnport import modelfile
from rnnport.cells.gru import GRU
from rnnport.cells.lstm import LSTM


def saved(tmp_path, cell: str) -> str:
    """A small LSTM or GRU (I = 3, H = 2, O = 3, both biases) saved by NumPy's writer."""
    rng = np.random.default_rng(0)
    gates = {"lstm": 4, "gru": 3}[cell]
    make = {"lstm": LSTM, "gru": GRU}[cell]
    model = make(rng.normal(size=(gates * 2, 3)) / 2, rng.normal(size=(gates * 2, 2)) / 2, rng.normal(size=(3, 2)),
                 b_ih=rng.normal(size=gates * 2) / 4, b_hh=rng.normal(size=gates * 2) / 4)
    path = tmp_path / f"{cell}.npz"
    modelfile.save(path, model)
    return str(path)


def verify(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rnnport", "verify", *args], capture_output=True, text=True)


@pytest.mark.parametrize("mode", ["exact", "fast"])
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_cell_file_is_verified_as_its_cell(tmp_path, cell, mode):
    """The file's cell is compared, NumPy against C#, within the contract (0 ULP exact, the bound fast)."""
    run = verify("--model", saved(tmp_path, cell), "-T", "50", "--mode", mode, "--json", "-")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["cell"] == cell


def test_naming_another_cell_is_refused_in_one_line(tmp_path):
    """Negative control: --cell gru for an LSTM file is a usage error, exit 2, one line."""
    run = verify("--model", saved(tmp_path, "lstm"), "--cell", "gru")
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "LSTM" in run.stderr
