"""The C# optimisers ``RnnPort.Sgd`` and ``RnnPort.Adagrad`` with :mod:`rnnport.training.optimizers`' API."""
from __future__ import annotations

from typing import Any

from rnnport.dotnet.errors import constructed, net_errors
from rnnport.dotnet.rnn import DotNetRNN
from rnnport.dotnet.rnn_bptt import DotNetGradients
from rnnport.dotnet.runtime import load
from rnnport.numerics.checks import as_real_scalar


class _Optimizer:
    """A C# optimiser with ``rnnport.training.optimizers``'s ``step(model, gradients)``."""

    _net: Any

    def step(self, model: DotNetRNN, gradients: DotNetGradients) -> None:
        """Apply one update to the C# model's parameters."""
        with net_errors():
            self._net.Step(model._net, gradients._net)


class SGD(_Optimizer):
    """``RnnPort.Sgd``: ``p -= learning_rate * g``."""

    def __init__(self, learning_rate: float) -> None:
        # NumPy's type rule here, C#'s range rule in the factory (which returns, not throws, its error)
        self._net = constructed(load().Construct.Sgd(as_real_scalar(learning_rate, "learning_rate")))


class Adagrad(_Optimizer):
    """``RnnPort.Adagrad``: ``m += g²; p -= learning_rate * g / sqrt(m + eps)``."""

    def __init__(self, learning_rate: float, eps: float = 1e-8) -> None:
        self._net = constructed(load().Construct.Adagrad(as_real_scalar(learning_rate, "learning_rate"),
                                                   as_real_scalar(eps, "eps")))
