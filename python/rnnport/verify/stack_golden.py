"""Golden vectors of ``RecurrentStack``: ``stack_sequence.json`` and ``stack_loss_and_gradients.json``.

Produced by the NumPy stack in exact mode (``python -m rnnport.verify.stack_golden --write``; without
``--write`` it checks the stored files and writes nothing, exit 1 when one is stale). The C# twin
``RnnPort.RecurrentStack`` checks the same files from xunit, to the bit. Format of
:mod:`rnnport.verify.golden_vectors` (arrays ``{"shape", "data"}`` in C order, NumPy layout, shortest
round-trip repr): ``{"behaviour", "cases": [{"name", "inputs", "expected"}]}`` with

- inputs: ``cell``, ``num_layers``, ``bidirectional``, ``nonlinearity``, ``parameters`` (torch names), optional
  ``W_hy``, ``b_y``, ``h0`` (L·D, H), ``c0`` (LSTM), ``xs`` (T, I), ``targets`` (the loss file only);
- expected, sequence: ``ys``, ``h_n``, ``c_n`` (LSTM), ``layer_outputs`` (L arrays (T, D·H));
- expected, loss: ``loss``, ``gradients`` {name: array}, ``h0``, ``c0`` (LSTM: the start states'
  gradients), ``h_n``, ``c_n`` (LSTM).

Cases: rnn-tanh, rnn-relu, lstm, gru, each at (L = 2, bidirectional, biases, W_hy and b_y) and
(L = 3, unidirectional, no biases, no W_hy); I = 5, H = 4, T = 6, seeded.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from rnnport.cells.stack import RecurrentStack, parameter_names
from rnnport.cells.stack_bptt import bptt
from rnnport.cells.stack_layers import GATES
from rnnport.verify import golden_vectors as golden

FILES = {"stack_sequence": "stack_sequence.json", "stack_loss_and_gradients": "stack_loss_and_gradients.json"}
VECTORS = Path(__file__).resolve().parents[3] / "parity_tests" / "vectors"
CELLS = (("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh"))
SHAPES = ((2, True, True), (3, False, False))  # (num_layers, bidirectional, biases and W_hy/b_y)


def cases(seed: int = 20261128, I: int = 5, H: int = 4, T: int = 6, O: int = 3) -> list[dict[str, Any]]:
    """The eight seeded cases' inputs (with targets; the sequence file leaves them out)."""
    rng = np.random.default_rng(seed)
    out = []
    for cell, nonlinearity in CELLS:
        for L, bidirectional, extras in SHAPES:
            D, G = 2 if bidirectional else 1, GATES[cell]
            parameters = {}
            for name in parameter_names(L, bidirectional, extras):
                columns = H if "hh" in name else (I if "_l0" in name else D * H)
                shape = (G * H, columns) if name.startswith("weight") else (G * H,)
                parameters[name] = rng.uniform(-1.0, 1.0, shape) / math.sqrt(H)
            inputs: dict[str, Any] = {"cell": cell, "num_layers": L, "bidirectional": bidirectional,
                                      "nonlinearity": nonlinearity, "parameters": parameters}
            if extras:
                inputs["W_hy"] = rng.normal(size=(O, D * H)) / math.sqrt(D * H)
                inputs["b_y"] = rng.normal(size=O) * 0.3
            inputs["h0"] = rng.uniform(-0.8, 0.8, (L * D, H))
            if cell == "lstm":
                inputs["c0"] = rng.uniform(-0.8, 0.8, (L * D, H))
            inputs["xs"] = rng.normal(size=(T, I))
            classes = O if extras else D * H
            inputs["targets"] = [int(t) for t in rng.integers(0, classes, T)]
            name = f"{cell if cell != 'rnn' else 'rnn-' + nonlinearity}-L{L}-{'bi' if bidirectional else 'uni'}"
            out.append({"name": name + ("-biases-W_hy" if extras else "-no-biases"), "inputs": inputs})
    return out


def stack_of(inputs: dict[str, Any], kernel: str = "exact") -> RecurrentStack:
    """The stack a case's inputs describe."""
    return RecurrentStack(inputs["cell"], inputs["parameters"], num_layers=int(inputs["num_layers"]),
                          bidirectional=bool(inputs["bidirectional"]), nonlinearity=inputs["nonlinearity"],
                          W_hy=inputs.get("W_hy"), b_y=inputs.get("b_y"), h0=inputs.get("h0"), c0=inputs.get("c0"),
                          kernel=kernel)  # type: ignore[arg-type]


def stack_sequence(inputs: dict[str, Any], kernel: str = "exact") -> dict[str, Any]:
    """forward's ys, h_n, (c_n) and the layer outputs, from h0 (c0)."""
    stack = stack_of(inputs, kernel)
    layers = stack.layer_outputs(inputs["xs"])
    ys, h_n, c_n = stack.forward(inputs["xs"])
    expected = {"ys": ys, "h_n": h_n, "layer_outputs": layers}
    if c_n is not None:
        expected["c_n"] = c_n
    return expected


def stack_loss_and_gradients(inputs: dict[str, Any], kernel: str = "exact") -> dict[str, Any]:
    """bptt's loss, gradients by name, start-state gradients and final states."""
    result = bptt(stack_of(inputs, kernel), inputs["xs"], np.array(inputs["targets"], dtype=np.int64))
    g = result.gradients
    expected: dict[str, Any] = {"loss": result.loss, "gradients": g.parameters(), "h0": g.h0, "h_n": result.h_n}
    if g.c0 is not None:
        expected.update(c0=g.c0, c_n=result.c_n)
    return expected


RUNNERS = {"stack_sequence": stack_sequence, "stack_loss_and_gradients": stack_loss_and_gradients}


def content(behaviour: str) -> dict[str, Any]:
    """A whole file's content, freshly computed."""
    entries = []
    for case in cases():
        inputs = dict(case["inputs"])
        if behaviour == "stack_sequence":
            del inputs["targets"]
        entries.append({"name": case["name"], "inputs": inputs, "expected": RUNNERS[behaviour](inputs)})
    return {"behaviour": behaviour, "cases": entries}


def mismatches(got: Any, want: Any, path: str = "") -> list[str]:
    """The paths at which got and want differ in any bit (dicts, lists, arrays and numbers)."""
    if isinstance(want, dict):
        if not isinstance(got, dict) or got.keys() != want.keys():
            return [path or "."]
        return [m for k in want for m in mismatches(got[k], want[k], f"{path}/{k}")]
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return [path]
        return [m for i, (a, b) in enumerate(zip(got, want)) for m in mismatches(a, b, f"{path}[{i}]")]
    if isinstance(want, (str, bool)) or want is None:
        return [] if type(got) is type(want) and got == want else [path]
    a, b = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    same = a.shape == b.shape and np.array_equal(a.view(np.int64), b.view(np.int64))
    return [] if same else [path]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="write or check the stack golden vectors")
    parser.add_argument("--write", action="store_true", help="rewrite the files")
    args = parser.parse_args(argv)
    status = 0
    for behaviour, file in FILES.items():
        fresh = content(behaviour)
        path = VECTORS / file
        if args.write:
            golden.write(path, fresh)
            print(f"wrote {file} ({len(fresh['cases'])} cases)")
            continue
        stored = golden.read(path) if path.exists() else None
        bad = ["missing"] if stored is None else mismatches(golden.decode(json.loads(json.dumps(golden.encode(fresh)))), stored)
        print(f"{file}: {'ok' if not bad else 'stale: ' + ', '.join(bad[:5])}")
        status |= bool(bad)
    return status


if __name__ == "__main__":
    sys.exit(main())
