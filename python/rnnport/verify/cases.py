"""Seeded test cases shared by the unit tests, the parity suite and ``rnnport verify``.

One generator, so that every consumer that names the same seed and sizes gets the same numbers.
Weights are normal with variance 1/fan_in (so states neither vanish nor saturate at once);
inputs are standard normal.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnport.cells.rnn import RNN, ActivationName


@dataclass(frozen=True)
class Case:
    """NumPy-layout weights and an input sequence.

    Attributes
    ----------
    W_xh : (H, I)
    W_hh : (H, H)
    W_hy : (O, H)
    h0 : (H,) or None
    xs : (T, I)
    activation : {"tanh", "relu"}
    """

    W_xh: np.ndarray
    W_hh: np.ndarray
    W_hy: np.ndarray
    h0: np.ndarray | None
    xs: np.ndarray
    activation: ActivationName

    def weights(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """(W_xh, W_hh, W_hy, h0): the positional arguments of ``RNN`` and ``DotNetRNN``."""
        return self.W_xh, self.W_hh, self.W_hy, self.h0

    def numpy_model(self) -> RNN:
        """The NumPy model for this case."""
        return RNN(*self.weights(), activation=self.activation)


def make_case(I: int, H: int, O: int, T: int, seed: int, activation: ActivationName = "tanh",
              nonzero_h0: bool = False) -> Case:
    """A seeded case with I inputs, H hidden units, O outputs and T timesteps."""
    rng = np.random.default_rng(seed)
    W_xh = rng.normal(size=(H, I)) / np.sqrt(I)
    W_hh = rng.normal(size=(H, H)) / np.sqrt(H)
    W_hy = rng.normal(size=(O, H)) / np.sqrt(H)
    h0 = rng.uniform(-0.9, 0.9, size=H) if nonzero_h0 else None
    xs = rng.normal(size=(T, I))
    return Case(W_xh, W_hh, W_hy, h0, xs, activation)


#: Gate blocks per cell: the factor of H in a stack's weight rows.
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def stack_parameters(cell: str, num_layers: int, bidirectional: bool, I: int, H: int,
                     rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A stack's parameters under torch's names, drawn as torch initialises them (uniform in ±1/√H, both
    biases on), in torch's order: per layer, per direction, weight_ih (G·H, I_k), weight_hh (G·H, H),
    bias_ih, bias_hh (G·H,)."""
    D, G, scale = (2 if bidirectional else 1), GATES[cell], 1.0 / np.sqrt(H)
    parameters = {}
    for k in range(num_layers):
        for suffix in ("", "_reverse")[:D]:
            parameters[f"weight_ih_l{k}{suffix}"] = rng.uniform(-scale, scale, (G * H, I if k == 0 else D * H))
            parameters[f"weight_hh_l{k}{suffix}"] = rng.uniform(-scale, scale, (G * H, H))
            parameters[f"bias_ih_l{k}{suffix}"] = rng.uniform(-scale, scale, G * H)
            parameters[f"bias_hh_l{k}{suffix}"] = rng.uniform(-scale, scale, G * H)
    return parameters
