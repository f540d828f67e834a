"""README, "From PyTorch: a worked example": parity_tests/examples/from_pytorch.sh, run as it is.

The README quotes the script (python/tests/test_docs.py checks the quote) and the figures below it; this
test checks what the README says the steps give: the model file's description, the C# outputs' shape,
the same bytes from the shell and from Python, and a PASS of all three pairs.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch", reason="the example starts from a torch module (python3-torch)")
ROOT = Path(__file__).resolve().parents[1]


def test_the_worked_example_runs_as_the_readme_says(tmp_path):
    run = subprocess.run(["sh", "parity_tests/examples/from_pytorch.sh"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600, env={**os.environ, "WORK": str(tmp_path)})
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    out = run.stdout
    assert "lstm, num_layers = 2, bidirectional, I = 8, H = 32" in out
    assert f"wrote {tmp_path}/ys.npy: outputs (200, 64)" in out
    assert "DotNetRecurrentStack (200, 64) (4, 32) same as rnnport-cli: True" in out
    for pair in ("NumPy–C#", "NumPy–torch", "C#–torch"):
        assert re.search(rf"^PASS {pair} +\(within the derived bound\)", out, re.MULTILINE), out
    assert "B=4" in out and "l1 reverse" in out
    assert np.load(tmp_path / "ys.npy").shape == (200, 64)
    assert (tmp_path / "verify.png").read_bytes()[:4] == b"\x89PNG"
    assert "Traceback" not in run.stderr
