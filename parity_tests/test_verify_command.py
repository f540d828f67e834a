"""`python -m rnnport verify`: report, JSON, plot and exit status (0 within contract, 1 not, 2 usage)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from rnnport import modelfile
from rnnport.__main__ import main
from rnnport.cases import make_case
from rnnport.kernels import ExactKernels


@pytest.mark.parametrize("mode", ["fast", "exact"])
def test_default_run_passes_and_reports(mode, tmp_path, capsys):
    """Both modes pass on a seeded case; the JSON report and the PNG are written."""
    report, plot = tmp_path / "report.json", tmp_path / "error.png"
    status = main(["verify", "--mode", mode, "-H", "16", "-T", "300", "--json", str(report), "--plot", str(plot)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "PASS: every timestep is" in out and "first differing step" in out
    data = json.loads(report.read_text())
    assert data["passed"] and len(data["comparisons"]) == 4
    assert all(c["steps"] == 300 for c in data["comparisons"])
    if mode == "exact":
        assert all(c["max_ulp"] == 0 and c["first_differing_step"] is None for c in data["comparisons"])
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_model_and_inputs_files(tmp_path, capsys):
    """A model file and an inputs file replace the generated case."""
    case = make_case(3, 5, 2, 40, seed=2)
    modelfile.save(tmp_path / "m.npz", case.numpy_model())
    np.save(tmp_path / "xs.npy", case.xs)
    status = main(["verify", "--model", str(tmp_path / "m.npz"), "--inputs", str(tmp_path / "xs.npy"),
                   "--mode", "exact", "--compare", "free-running"])
    assert status == 0
    assert "T=40" in capsys.readouterr().out


def test_broken_exact_order_exits_1(monkeypatch, capsys):
    """With the NumPy side summing in reverse, exact mode reports FAIL and exits 1."""
    monkeypatch.setattr(ExactKernels, "matvec_prepared", staticmethod(
        lambda A_T, v, _f=ExactKernels.matvec_prepared: _f(np.ascontiguousarray(A_T[::-1]), v[..., ::-1])))
    assert main(["verify", "--mode", "exact", "-H", "16", "-T", "20"]) == 1
    assert "FAIL" in capsys.readouterr().out


@pytest.mark.parametrize("args", [
    ["-H", "0"],
    ["--mode", "fastest"],
    ["--model", "/nonexistent/model.npz"],
    ["--inputs", "/nonexistent/xs.npy"],
])
def test_bad_arguments_exit_2_with_one_line(args, capsys):
    """Bad arguments and unreadable files: one line on stderr, status 2, no traceback."""
    with pytest.raises(SystemExit) as stop:
        status = main(["verify", *args])
        raise SystemExit(status)
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]


def test_mismatched_inputs_exit_2(tmp_path, capsys):
    """An inputs file with the wrong width is a usage error naming both shapes."""
    np.save(tmp_path / "xs.npy", np.zeros((10, 3)))
    assert main(["verify", "-I", "4", "--inputs", str(tmp_path / "xs.npy")]) == 2
    assert "must be float64 of shape (T, 4), got float64 (10, 3)" in capsys.readouterr().err
