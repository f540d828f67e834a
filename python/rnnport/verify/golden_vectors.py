"""Golden vectors: one JSON file per behaviour, read by the NumPy tests and the xunit tests alike.

Each file holds ``inputs`` (weights in NumPy layout, sequences, targets, hyper-parameters) and
``expected`` (what the behaviour produces). ``parity_tests/vectors/generate.py --write`` computes
``expected`` twice, with the NumPy model in exact mode and with the C# model through the bridge,
and writes a file only when the two agree bit for bit; so every expected value was produced by both
sides, and each side can be checked against the files alone (the NumPy tests without .NET, the
xunit tests without Python).

Arrays are ``{"shape": [...], "data": [...]}`` with ``data`` in C (row-major) order of the NumPy
array, numbers written with Python's shortest round-trip ``repr`` so that parsing them back (NumPy, or
.NET's ``double.Parse`` with the invariant culture) restores every bit.

Every cell has its files (:func:`file_name`: ``single_step.json`` for the RNN, ``lstm_single_step.json``
for the LSTM …; :data:`CELL_BEHAVIOURS` lists them). The behaviours are written once for every cell,
over a *side*: a namespace with ``model`` (the constructor, keyword arguments), ``arguments`` (its
argument names), ``states`` (("h",) or ("h", "c")), ``bptt``, ``clip_elementwise``,
``clip_global_norm``, ``SGD``, ``Adagrad`` (and the RNN's ``sample``), taken from either ``rnnport``'s
modules (:func:`numpy_side`) or ``rnnport.dotnet`` (``parity_tests/vectors/generate.py``).
"""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import numpy as np

BEHAVIOURS = ("single_step", "sequence", "loss_and_gradients", "sgd_step", "adagrad_step", "sampling")
GATED_BEHAVIOURS = BEHAVIOURS[:-1]  # sampling is the RNN's character model alone
CELL_BEHAVIOURS: dict[str, tuple[str, ...]] = {"rnn": BEHAVIOURS, "lstm": GATED_BEHAVIOURS, "gru": GATED_BEHAVIOURS}
ARGUMENTS: dict[str, tuple[str, ...]] = {
    "rnn": ("W_xh", "W_hh", "W_hy", "h0", "activation", "b_h", "b_y"),
    "lstm": ("W_ih", "W_hh", "W_hy", "h0", "c0", "b_ih", "b_hh", "b_y"),
    "gru": ("W_ih", "W_hh", "W_hy", "h0", "b_ih", "b_hh", "b_y"),
}
STATES: dict[str, tuple[str, ...]] = {"rnn": ("h",), "lstm": ("h", "c"), "gru": ("h",)}


def file_name(cell: str, behaviour: str) -> str:
    """The vector file of one behaviour of one cell: ``single_step.json`` (RNN), ``lstm_single_step.json``."""
    return f"{behaviour}.json" if cell == "rnn" else f"{cell}_{behaviour}.json"


def encode(value: Any) -> Any:
    """JSON-ready form: arrays become {"shape", "data"}; dicts and lists recurse."""
    if isinstance(value, np.ndarray):
        return {"shape": list(value.shape), "data": [float(v) for v in value.ravel()]}
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def decode(value: Any) -> Any:
    """Inverse of :func:`encode`."""
    if isinstance(value, dict) and set(value) == {"shape", "data"}:
        return np.array(value["data"], dtype=np.float64).reshape(value["shape"])
    if isinstance(value, dict):
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def read(path: str | Path) -> dict[str, Any]:
    """A vector file, decoded: {"behaviour", "cases": [{"name", "inputs", "expected"}, ...]}."""
    return decode(json.loads(Path(path).read_text(encoding="utf-8")))


def write(path: str | Path, content: dict[str, Any]) -> None:
    """Write a vector file (sorted keys, one case per line block) for stable diffs."""
    Path(path).write_text(json.dumps(encode(content), indent=1, sort_keys=True) + "\n", encoding="utf-8")


def numpy_side(kernel: str = "exact", cell: str = "rnn") -> SimpleNamespace:
    """The NumPy implementation of every behaviour of ``cell``, on the given kernels."""
    from functools import partial

    from rnnport.numerics.kernels import kernels
    from rnnport.training.clipping import clip_elementwise, clip_global_norm
    from rnnport.training.optimizers import SGD, Adagrad

    if cell == "rnn":
        from rnnport.cells.rnn import RNN as model
        from rnnport.cells.rnn_bptt import bptt
    elif cell == "lstm":
        from rnnport.cells.lstm import LSTM as model  # type: ignore[assignment]
        from rnnport.cells.lstm_bptt import bptt  # type: ignore[assignment]
    elif cell == "gru":
        from rnnport.cells.gru import GRU as model  # type: ignore[assignment]
        from rnnport.cells.gru_bptt import gru_bptt as bptt  # type: ignore[assignment]
    else:
        raise ValueError(f"no golden vectors for cell {cell!r}")
    from rnnport.training.sampling import sample

    return SimpleNamespace(model=partial(model, kernel=kernel), arguments=ARGUMENTS[cell], states=STATES[cell],
                           bptt=bptt, clip_elementwise=clip_elementwise,
                           clip_global_norm=partial(clip_global_norm, kernels=kernels(kernel)), SGD=SGD,
                           Adagrad=Adagrad, sample=sample)


def _model(side: SimpleNamespace, inputs: dict[str, Any]) -> Any:
    return side.model(**{name: inputs[name] for name in side.arguments if name in inputs})


def _targets(inputs: dict[str, Any]) -> np.ndarray:
    return np.array(inputs["targets"], dtype=np.int64)


def _starts(side: SimpleNamespace, inputs: dict[str, Any]) -> list[np.ndarray]:
    """BPTT's starting states from the inputs: h_prev (and c_prev)."""
    return [inputs[f"{state}_prev"] for state in side.states]


def single_step(side, inputs):
    model = _model(side, inputs)
    y = model.step(inputs["x"])
    return {"y": y, **{state: getattr(model, state) for state in side.states}}


def sequence(side, inputs):
    ys, *states = _model(side, inputs).forward(inputs["xs"])
    return {"ys": ys, **{f"{state}s": value for state, value in zip(side.states, states)}}


def loss_and_gradients(side, inputs):
    result = side.bptt(_model(side, inputs), inputs["xs"], _targets(inputs), *_starts(side, inputs))
    grads = result.gradients.parameters()
    return {"loss": result.loss, **{f"{s}_last": getattr(result, f"{s}_last") for s in side.states},
            **{f"d{s}0": getattr(result.gradients, f"{s}0") for s in side.states},
            **{f"d{name}": g for name, g in grads.items()}}


def _train(side, inputs, optimizer):
    model = _model(side, inputs)
    losses, starts = [], _starts(side, inputs)
    for _ in range(inputs["updates"]):
        result = side.bptt(model, inputs["xs"], _targets(inputs), *starts)
        side.clip_elementwise(result.gradients, inputs["clip"])
        side.clip_global_norm(result.gradients, inputs["clip_norm"])
        optimizer.step(model, result.gradients)
        losses.append(result.loss)
        starts = [getattr(result, f"{s}_last") for s in side.states]
    return {"losses": np.array(losses), **model.parameters()}


def sgd_step(side, inputs):
    return _train(side, inputs, side.SGD(inputs["learning_rate"]))


def adagrad_step(side, inputs):
    return _train(side, inputs, side.Adagrad(inputs["learning_rate"]))


def sampling(side, inputs):
    picks = side.sample(_model(side, inputs), inputs["seed_index"], inputs["uniforms"], inputs["temperature"])
    return {"picks": [int(i) for i in picks]}


RUNNERS: dict[str, Callable[[SimpleNamespace, dict[str, Any]], dict[str, Any]]] = {
    name: globals()[name] for name in BEHAVIOURS}


def mismatches(got: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """The names whose values are not the expected 64-bit patterns (or that are missing or extra)."""
    from rnnport.verify.ulp import bit_identical

    names = sorted(set(got) | set(expected))
    return [n for n in names if n not in got or n not in expected
            or not bit_identical(np.asarray(got[n], dtype=float), np.asarray(expected[n], dtype=float))]


def cases(behaviour: str, seed: int = 20261127, cell: str = "rnn") -> list[dict[str, Any]]:
    """The seeded inputs of every case of ``behaviour`` of ``cell`` (what ``generate.py`` feeds both sides)."""
    if cell != "rnn":
        from rnnport.verify.golden_cases import gated_cases

        return gated_cases(cell, behaviour, seed)
    from rnnport.verify.cases import make_case

    out = []
    for n, activation in enumerate(("tanh", "relu")):
        rng = np.random.default_rng([seed, BEHAVIOURS.index(behaviour), n])
        V, H = 7, 12
        case = make_case(V, H, V, 16, int(rng.integers(2**31)), activation, nonzero_h0=True)
        inputs: dict[str, Any] = {"activation": activation, "W_xh": case.W_xh, "W_hh": case.W_hh,
                                  "W_hy": case.W_hy, "h0": case.h0}
        if behaviour == "single_step":
            inputs["x"] = case.xs[0]
        elif behaviour == "sequence":
            inputs["xs"] = case.xs
        else:
            inputs.update(b_h=rng.normal(size=H) * 0.1, b_y=rng.normal(size=V) * 0.1)
            indices = rng.integers(0, V, 17)
            inputs.update(xs=np.eye(V)[indices[:-1]], targets=[int(i) for i in indices[1:]],
                          h_prev=rng.uniform(-0.5, 0.5, H))
            if behaviour in ("sgd_step", "adagrad_step"):
                inputs.update(updates=3, clip=0.5, clip_norm=2.0, learning_rate=0.1)
            if behaviour == "sampling":
                inputs = {k: inputs[k] for k in ("activation", "W_xh", "W_hh", "W_hy", "h0", "b_h", "b_y")}
                inputs.update(seed_index=int(rng.integers(V)), uniforms=rng.random(64), temperature=0.8)
        out.append({"name": activation, "inputs": inputs})
    return out
