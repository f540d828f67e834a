"""The NumPy side of the consumer's check (dotnet/tests/Consumer/Checks/AgainstNumPy.cs): the same three
character models in exact mode, the same request, the same report, computed by the source tree."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

from rnnport.cells import GRU, LSTM, RNN  # noqa: E402
from rnnport.cells import gru_bptt, lstm_bptt, rnn_bptt  # noqa: E402
from rnnport.training import clipping, sampling  # noqa: E402
from rnnport.training.optimizers import Adagrad  # noqa: E402
from rnnport.training.vocabulary import Vocabulary, one_hot  # noqa: E402

TEXT = "the cat sat on the mat; the dog sat on the log. "
REQUEST = {"text": TEXT, "uniforms": list(np.random.default_rng(3).random(40)), "steps": 2, "length": 12,
           "learning_rate": 0.1, "clip": 5.0}
H = 6


def models(seed: int = 0) -> dict[str, Any]:
    """A small exact-mode model of each cell over TEXT's characters, with every bias and a nonzero h0."""
    V = len(Vocabulary.of(TEXT))
    rng = np.random.default_rng(seed)

    def w(*shape: int) -> np.ndarray:
        return rng.normal(size=shape) * 0.3

    return {
        "rnn": RNN(w(H, V), w(H, H), w(V, H), w(H), b_h=w(H), b_y=w(V), kernel="exact"),
        "lstm": LSTM(w(4 * H, V), w(4 * H, H), w(V, H), w(H), w(H), b_ih=w(4 * H), b_hh=w(4 * H), b_y=w(V),
                     kernel="exact"),
        "gru": GRU(w(3 * H, V), w(3 * H, H), w(V, H), w(H), b_ih=w(3 * H), b_hh=w(3 * H), b_y=w(V), kernel="exact"),
    }


def _train(cell: str, model: Any, data: np.ndarray, V: int) -> list[float]:
    optimizer, losses = Adagrad(REQUEST["learning_rate"]), []
    h, c = model.h0.copy(), getattr(model, "c0", None)
    L = REQUEST["length"]
    for step in range(REQUEST["steps"]):
        p = step * L
        xs, targets = one_hot(data[p:p + L], V), data[p + 1:p + L + 1]
        if cell == "lstm":
            result = lstm_bptt.bptt(model, xs, targets, h, c)
            c = result.c_last
        else:
            result = (rnn_bptt.bptt if cell == "rnn" else gru_bptt.gru_bptt)(model, xs, targets, h)
        h = result.h_last
        clipping.clip_elementwise(result.gradients, REQUEST["clip"])
        optimizer.step(model, result.gradients)
        losses.append(float(result.loss))
    return losses


def report(cell: str, model: Any) -> dict[str, Any]:
    """What AgainstNumPy prints for one cell; changes ``model`` (it trains it)."""
    vocabulary = Vocabulary.of(TEXT)
    V, data = len(vocabulary), vocabulary.encode(TEXT)
    xs = one_hot(data[:-1], V)
    model.reset()
    forward = model.forward(xs)[0]
    model.reset()
    steps = np.array([model.step(x) for x in xs])
    model.reset()
    samples = sampling.sample(model, int(data[0]), np.array(REQUEST["uniforms"]))
    losses = _train(cell, model, data, V)
    model.reset()
    return {"cell": cell, "forward": forward.tolist(), "steps": steps.tolist(), "samples": [int(i) for i in samples],
            "losses": losses, "trained_forward": model.forward(xs)[0].tolist()}
