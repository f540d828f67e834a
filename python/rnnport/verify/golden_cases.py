"""The seeded inputs of the LSTM's and the GRU's golden vectors (``rnnport.verify.golden_vectors``).

Two cases per behaviour: ``biases`` (both bias vectors and the output bias on) and ``no-biases``
(none: the other branch of every bias addition). I = O = 7, H = 8, T = 16; the initial states are
non-zero. Loss, gradients and training run on one-hot inputs with targets, as the character model
does, from given h_prev (and c_prev); training is 3 × (BPTT → element-wise clip 0.5 → global-norm
clip 2.0 → the optimiser at 0.1), carrying the states from one update to the next.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from rnnport.verify.cell_registry import CELLS

V, H, T = 7, 8, 16
CELL_SEEDS = {"lstm": 1, "gru": 2}  # one seed stream per cell, apart from the RNN's


def gated_cases(cell: str, behaviour: str, seed: int) -> list[dict[str, Any]]:
    """The inputs of every case of ``behaviour`` for the gated ``cell`` ("lstm" or "gru").

    Returns
    -------
    [{"name": "biases" | "no-biases", "inputs": {...}}], arrays in NumPy layout.
    """
    from rnnport.verify.golden_vectors import CELL_BEHAVIOURS, STATES

    if cell not in CELL_SEEDS or behaviour not in CELL_BEHAVIOURS[cell]:
        raise ValueError(f"no golden vectors for {cell} {behaviour}")
    spec, states = CELLS[cell], STATES[cell]
    out = []
    for n, name in enumerate(("biases", "no-biases")):
        rng = np.random.default_rng([seed, CELL_SEEDS[cell], CELL_BEHAVIOURS[cell].index(behaviour), n])
        arguments, xs = spec.case(V, H, V, T, int(rng.integers(2**31)), True)
        inputs: dict[str, Any] = {k: v for k, v in arguments.items() if v is not None}
        if name == "no-biases":
            inputs = {k: v for k, v in inputs.items() if not k.startswith("b_")}
        if behaviour == "single_step":
            inputs["x"] = xs[0]
        elif behaviour == "sequence":
            inputs["xs"] = xs
        else:
            indices = rng.integers(0, V, T + 1)
            inputs.update(xs=np.eye(V)[indices[:-1]], targets=[int(i) for i in indices[1:]])
            inputs.update({f"{s}_prev": rng.uniform(-0.5, 0.5, H) for s in states})
            if behaviour in ("sgd_step", "adagrad_step"):
                inputs.update(updates=3, clip=0.5, clip_norm=2.0, learning_rate=0.1)
        out.append({"name": name, "inputs": inputs})
    return out
