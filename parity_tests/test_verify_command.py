"""`python -m rnnport verify`: report, JSON, plot and exit status (0 within contract, 1 not, 2 usage)."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

from rnnport import modelfile
from rnnport.cli.main import main
from rnnport.numerics.kernels import ExactKernels
from rnnport.verify.cases import make_case


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


def _npy_header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    """A .npy version 1.0 header declaring ``shape``, padded as NumPy pads it (no data follows)."""
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}".encode()
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header


@pytest.mark.parametrize("name, content, message", [
    ("huge.npy", _npy_header((10**9, 8)), "declares shape (1000000000, 8), more than 268435456 numbers"),
    ("lying.npy", _npy_header((1000, 8)) + b"\0" * 64, "declares shape (1000, 8) (64000 bytes) but holds 64 bytes"),
    ("xs.npz", None, "is not a .npy file"),
    ("ints.npy", np.zeros((4, 8), dtype=np.int64), "must be float64 of shape (T, I), got int64 (4, 8)"),
    ("pickle.npy", np.array([[object()]], dtype=object), "must be float64 of shape (T, I), got object (1, 1)"),
    ("nan.npy", np.full((4, 8), np.nan), "must be finite, but element (0, 0) is nan"),
    ("missing.npy", "absent", "does not exist"),
])
def test_inputs_refuses_anything_but_a_float_npy_with_exit_2(tmp_path, capsys, name, content, message):
    """A 128-byte file declaring (10⁹, 8) is refused from its header (no MemoryError), an .npz is not
    an AttributeError; every refusal is one line and exit 2 (1 means "outside the contract")."""
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, np.ndarray):
        np.save(path, content, allow_pickle=True)
    elif content is None:
        np.savez(path, xs=np.zeros((4, 8)))
    assert main(["verify", "--inputs", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err


@pytest.mark.parametrize("args, message", [
    (["-H", "1000000000"], "expected an integer in [1, 268435456], got '1000000000'"),
    (["-H", "20000"], "W_hh (H, H) would hold 20000 × 20000"),
    (["-T", "10000000", "-H", "64"], "the states (T, H) would hold 10000000 × 64"),
    (["--json", "{tmp}/missing/r.json"], "--json: cannot write"),
    (["--json", "{tmp}"], "it is a directory"),
    (["--plot", "{tmp}/missing/p.png"], "--plot: cannot write"),
    (["--plot", "{tmp}/p.nope"], "cannot write a plot as '.nope'"),
    (["--seed", "-1"], "expected an integer in [0, 268435456], got '-1'"),
])
def test_sizes_and_outputs_are_refused_before_any_work(tmp_path, capsys, args, message):
    """Refused in one line with exit 2 before .NET compares anything: no report is printed."""
    with pytest.raises(SystemExit) as stop:
        raise SystemExit(main(["verify", *[a.replace("{tmp}", str(tmp_path)) for a in args]]))
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert stop.value.code == 2 and len(err) == 1 and message in err[0], err
    assert captured.out == "" and os.listdir(tmp_path) == []


def test_json_dash_writes_the_report_to_stdout(tmp_path, capsys, monkeypatch):
    """`--json -`: stdout is the JSON report alone, the text goes to stderr; no file named '-'."""
    monkeypatch.chdir(tmp_path)
    assert main(["verify", "-H", "8", "-T", "20", "--json", "-"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["passed"] and len(report["comparisons"]) == 4
    assert "PASS: every timestep" in captured.err and os.listdir(tmp_path) == []


# ---- every cell (--cell): the same report, contract and exit codes -------------------------------------

CELL_QUANTITIES = {"rnn": ["state", "output"], "lstm": ["state", "cell", "output"], "gru": ["state", "output"]}


@pytest.mark.parametrize("cell", sorted(CELL_QUANTITIES))
@pytest.mark.parametrize("mode", ["fast", "exact"])
def test_every_cell_passes_in_both_modes_and_reports_every_quantity(cell, mode, tmp_path, capsys):
    """`--cell`: teacher-forced and free-running, every quantity (the LSTM's cell state too) in the table,
    the summary and the JSON; exact mode at 0 ULP everywhere, fast mode within the cell's bound."""
    report, plot = tmp_path / "report.json", tmp_path / "error.png"
    status = main(["verify", "--cell", cell, "--mode", mode, "-I", "3", "-H", "5", "-O", "2", "-T", "60",
                   "--nonzero-h0", "--json", str(report), "--plot", str(plot)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert f"--cell {cell}" in out and out.count("PASS teacher-forced") == len(CELL_QUANTITIES[cell])
    data = json.loads(report.read_text())
    assert data["cell"] == cell and data["passed"]
    assert [(c["mode"], c["quantity"]) for c in data["comparisons"]] == [
        (m, q) for m in ("teacher-forced", "free-running") for q in CELL_QUANTITIES[cell]]
    assert all(c["steps"] == 60 and c["worst_ratio"] <= 1.0 for c in data["comparisons"])
    if mode == "exact":
        assert all(c["max_ulp"] == 0 for c in data["comparisons"])
    else:  # BLAS and SIMD exp/tanh: the two sides do differ, so the bound is what passes them
        assert any(c["max_ulp"] > 0 for c in data["comparisons"])
    header = next(line for line in out.splitlines() if line.strip().startswith("steps"))
    assert [q for q in ("state", "cell", "output") if f"{q} max|Δ|" in header] == CELL_QUANTITIES[cell]
    assert plot.read_bytes()[:4] == b"\x89PNG"


def _perturbed_twin(monkeypatch, cell: str, relative: float) -> None:
    """The C# twin of ``cell`` built with W_hh[0, 0] moved by ``relative``; the NumPy side is untouched."""
    from dataclasses import replace

    from rnnport.verify import cell_registry

    spec = cell_registry.CELLS[cell]

    def perturbed(arguments):
        W_hh = np.array(arguments["W_hh"])
        W_hh[0, 0] *= 1.0 + relative
        return spec.dotnet_model({**arguments, "W_hh": W_hh})

    monkeypatch.setitem(cell_registry.CELLS, cell, replace(spec, dotnet_model=perturbed))


@pytest.mark.parametrize("cell", sorted(CELL_QUANTITIES))
@pytest.mark.parametrize("mode, relative", [("exact", 1e-12), ("fast", 1e-9)])
@pytest.mark.parametrize("compare", ["teacher-forced", "free-running"])
def test_negative_control_one_perturbed_weight_exits_1(monkeypatch, capsys, cell, mode, relative, compare):
    """One recurrent weight moved on the C# side (by a relative 10⁻¹² in exact mode, 10⁻⁹ in fast
    mode; `rtol=1e-7` would accept either) is outside the contract: FAIL, exit 1, the first violation named."""
    _perturbed_twin(monkeypatch, cell, relative)
    status = main(["verify", "--cell", cell, "--mode", mode, "--compare", compare, "-I", "3", "-H", "5",
                   "-O", "2", "-T", "30", "--nonzero-h0"])
    out = capsys.readouterr().out
    assert status == 1, out
    assert "FAIL: every timestep is not" in out and "first violation: state[t=" in out


@pytest.mark.parametrize("args, message", [
    (["--cell", "lstm", "--activation", "relu"], "--activation is the RNN's; the LSTM has none"),
    (["--cell", "transformer"], "invalid choice: 'transformer'"),
    (["--cell", "lstm", "-H", "10000"], "W_hh (4H, H) would hold 40000 × 10000"),
])
def test_bad_cell_arguments_exit_2_with_one_line(args, message, capsys):
    """A cell option that cannot work is refused before any run: one line, exit 2."""
    with pytest.raises(SystemExit) as stop:
        raise SystemExit(main(["verify", *args]))
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert stop.value.code == 2 and message in err[-1] and captured.out == "", err


def test_model_file_of_another_cell_exits_2(tmp_path, capsys):
    """`--cell lstm` with an RNN's model file: one line naming both, exit 2."""
    modelfile.save(tmp_path / "m.npz", make_case(3, 5, 2, 4, seed=2).numpy_model())
    assert main(["verify", "--cell", "lstm", "--model", str(tmp_path / "m.npz")]) == 2
    assert "holds an RNN, not the --cell lstm" in capsys.readouterr().err
