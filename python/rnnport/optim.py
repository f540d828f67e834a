"""Optimisers that update an ``RNN``'s parameters in place. C# twins: ``RnnPort.Sgd``, ``RnnPort.Adagrad``."""
from __future__ import annotations

import math

import numpy as np

from rnnport._checks import as_real_scalar
from rnnport.bptt import Gradients
from rnnport.rnn import RNN


def _check_rate(learning_rate: float) -> float:
    rate = as_real_scalar(learning_rate, "learning_rate")  # TypeError for bool, str, None, arrays
    if not (math.isfinite(rate) and rate > 0):
        raise ValueError(f"learning_rate must be finite and > 0, got {rate}")
    return rate


def _pairs(model: RNN, gradients: Gradients) -> list[tuple[np.ndarray, np.ndarray]]:
    """(parameter, gradient) pairs, checked before any update so that a mismatch changes nothing."""
    params, grads = model.parameters(), gradients.parameters()
    if params.keys() != grads.keys():
        raise ValueError(f"gradients are for {sorted(grads)}, the model has {sorted(params)}")
    for name, param in params.items():
        if grads[name].shape != param.shape:
            raise ValueError(f"gradient {name} has shape {grads[name].shape}, expected {param.shape}")
    return [(params[name], grads[name]) for name in params]


class SGD:
    """Plain gradient descent: ``p -= learning_rate * g``."""

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = _check_rate(learning_rate)

    def step(self, model: RNN, gradients: Gradients) -> None:
        """Apply one update to every parameter of ``model``."""
        for param, g in _pairs(model, gradients):
            param -= self.learning_rate * g


class Adagrad:
    """Adagrad as in min-char-rnn: ``m += g²; p -= learning_rate * g / sqrt(m + eps)``.

    ``memory`` holds one array per parameter, created at the first step (zeros).
    """

    def __init__(self, learning_rate: float, eps: float = 1e-8) -> None:
        self.learning_rate = _check_rate(learning_rate)
        eps = as_real_scalar(eps, "eps")
        if not (math.isfinite(eps) and eps > 0):
            raise ValueError(f"eps must be finite and > 0, got {eps}")
        self.eps = eps
        self.memory: dict[str, np.ndarray] = {}

    def step(self, model: RNN, gradients: Gradients) -> None:
        """Apply one update to every parameter of ``model``."""
        pairs = _pairs(model, gradients)
        for name, (param, g) in zip(model.parameters(), pairs):
            m = self.memory.setdefault(name, np.zeros_like(param))
            m += g * g
            param -= self.learning_rate * g / np.sqrt(m + self.eps)
