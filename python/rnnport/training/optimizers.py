"""Optimisers that update a model's parameters. C# twins: ``RnnPort.Sgd``, ``RnnPort.Adagrad``.

An optimiser computes every new value, refuses a non-finite one, and only then hands them all to
the model's ``apply_update``: the one way a model's parameters change.
"""
from __future__ import annotations

import math
from typing import Protocol

import numpy as np

from rnnport.numerics.checks import as_real_scalar
from rnnport.numerics.finite_results import refuse_non_finite
from rnnport.training.clipping import CellGradients


class Trainable(Protocol):
    """What an optimiser needs of a model: its parameters, and the one method that changes them."""

    def parameters(self) -> dict[str, np.ndarray]: ...
    def apply_update(self, values: dict[str, np.ndarray]) -> None: ...


def _check_rate(learning_rate: float) -> float:
    rate = as_real_scalar(learning_rate, "learning_rate")  # TypeError for bool, str, None, arrays
    if not (math.isfinite(rate) and rate > 0):
        raise ValueError(f"learning_rate must be finite and > 0, got {rate}")
    return rate


def _pairs(model: Trainable, gradients: CellGradients) -> list[tuple[np.ndarray, np.ndarray]]:
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

    # Whether step refuses a non-finite update (docs/bad-input.md). Off only in the tests that show
    # the check is needed.
    _check_results: bool = True

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = _check_rate(learning_rate)

    def step(self, model: Trainable, gradients: CellGradients) -> None:
        """Apply one update to every parameter of ``model``.

        Raises
        ------
        FloatingPointError
            Some updated parameter is not finite (checked in the order of ``model.parameters()``);
            nothing is written.
        """
        new = {}
        with np.errstate(all="ignore"):  # an overflow is refused below, not warned about
            for name, (param, g) in zip(model.parameters(), _pairs(model, gradients)):
                new[name] = param - self.learning_rate * g  # the bits of param -= lr * g
        if self._check_results:
            for name, value in new.items():
                refuse_non_finite(value, f"sgd: the update of {name}")
        model.apply_update(new)


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

    _check_results: bool = True  # as SGD's

    def step(self, model: Trainable, gradients: CellGradients) -> None:
        """Apply one update to every parameter of ``model``.

        Raises
        ------
        FloatingPointError
            Some new memory (g² overflows) or updated parameter is not finite, checked parameter by
            parameter in the order of ``model.parameters()``, memory first; neither the parameters
            nor the memory change.
        """
        pairs = _pairs(model, gradients)
        for name, (param, _) in zip(model.parameters(), pairs):
            old = self.memory.get(name)
            if old is not None and old.shape != param.shape:  # it would broadcast, then fail half-way through
                raise ValueError(f"the Adagrad memory of {name} has shape {old.shape} but the parameter "
                                 f"{param.shape}: this optimiser was used with a different model")
        memory, params = {}, {}
        with np.errstate(all="ignore"):  # an overflow is refused below, not warned about
            for name, (param, g) in zip(model.parameters(), pairs):
                m = self.memory.get(name, np.zeros_like(param)) + g * g
                memory[name] = m
                params[name] = param - self.learning_rate * g / np.sqrt(m + self.eps)
        if self._check_results:
            for name in params:
                refuse_non_finite(memory[name], f"adagrad: the memory of {name}")
                refuse_non_finite(params[name], f"adagrad: the update of {name}")
        model.apply_update(params)  # first: it may still refuse, and then the memory stays as it was
        for name, m in memory.items():
            self.memory.setdefault(name, np.empty_like(m))[...] = m  # in place, as m += g * g was
