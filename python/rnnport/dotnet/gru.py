"""``DotNetGRU``: the C# ``RnnPort.GRU`` behind ``rnnport.cells.gru.GRU``'s API and NumPy layout.

The C# weights are the transposes of NumPy's (``inputWeights`` = ``W_ih.T`` (I×3H) …), written out as ``.T``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from rnnport.cells.gru import PARAMETERS
from rnnport.dotnet.errors import ArgumentNames, constructed, net_errors
from rnnport.dotnet.runtime import load
from rnnport.dotnet.transfer import (float64_argument, from_net, row_to_net, sequence_argument, to_net,
                                     vector_argument, vector_from_net)
from rnnport.numerics.checks import check_shape

# The C# constructor's arguments, as the Python caller named them (see ArgumentNames).
CONSTRUCTOR_ARGUMENTS: ArgumentNames = {
    "inputWeights": ("W_ih", "transposed"), "recurrentWeights": ("W_hh", "transposed"),
    "outputWeights": ("W_hy", "transposed"), "initialState": ("h0", "row"),
    "inputBias": ("b_ih", "row"), "recurrentBias": ("b_hh", "row"), "outputBias": ("b_y", "row"),
}


# The C# property that holds each NumPy parameter, on RnnPort.GRU and RnnPort.GruGradients alike.
CSHARP_NAMES = {"W_ih": "InputWeights", "W_hh": "RecurrentWeights", "W_hy": "OutputWeights",
                "b_ih": "InputBias", "b_hh": "RecurrentBias", "b_y": "OutputBias"}


def gru_parameter(net_object: Any, name: str) -> np.ndarray | None:
    """A copy of parameter ``name`` (or of its gradient) in NumPy layout from a C# ``GRU`` or ``GruGradients``:
    a weight is the transpose of the C# matrix, a bias the 1×n C# row (None when off)."""
    value = getattr(net_object, CSHARP_NAMES[name])
    return from_net(value).T if name.startswith("W_") else vector_from_net(value)


def gru_parameters(net_object: Any) -> dict[str, np.ndarray]:
    """Every parameter (or gradient) that is on, by name in ``PARAMETERS`` order."""
    values = {name: gru_parameter(net_object, name) for name in PARAMETERS}
    return {name: value for name, value in values.items() if value is not None}


class DotNetGRU:
    """The C# GRU behind NumPy's API: weights W_ih (3H, I), W_hh (3H, H), W_hy (O, H), h0 (H,), biases.

    Ranks and dtypes are checked here with NumPy's rules; sizes and non-finite values by C#, whose
    exception arrives as NumPy's ``ValueError``/``TypeError`` with the message in NumPy terms. Every
    getter returns a copy.
    """

    def __init__(self, W_ih: ArrayLike, W_hh: ArrayLike, W_hy: ArrayLike, h0: ArrayLike | None = None, *,
                 b_ih: ArrayLike | None = None, b_hh: ArrayLike | None = None, b_y: ArrayLike | None = None) -> None:
        net = load()
        weights = [float64_argument(w, n) for w, n in ((W_ih, "W_ih"), (W_hh, "W_hh"), (W_hy, "W_hy"))]
        for w, n, labels in zip(weights, ("W_ih", "W_hh", "W_hy"), (("3H", "I"), ("3H", "H"), ("O", "H"))):
            check_shape(w, (None, None), n, labels)  # rank only; sizes are C#'s to check
        rows = [None if v is None else row_to_net(v, n, lambda label=label: label)
                for v, n, label in ((h0, "h0", "H"), (b_ih, "b_ih", "3H"), (b_hh, "b_hh", "3H"), (b_y, "b_y", "O"))]
        self._net = constructed(net.Construct.Gru(*(to_net(w.T, n) for w, n in zip(weights, ("W_ih", "W_hh", "W_hy"))),
                                            *rows), CONSTRUCTOR_ARGUMENTS)

    @classmethod
    def _wrap(cls, net_model: Any) -> DotNetGRU:
        """A DotNetGRU around an existing ``RnnPort.GRU`` (one loaded from a model file)."""
        model = cls.__new__(cls)
        model._net = net_model
        return model

    @property
    def input_size(self) -> int:
        """I."""
        return int(self._net.InputSize)

    @property
    def hidden_size(self) -> int:
        """H."""
        return int(self._net.HiddenSize)

    @property
    def output_size(self) -> int:
        """O."""
        return int(self._net.OutputSize)

    @property
    def h(self) -> np.ndarray:
        """A copy of the state, (H,)."""
        return from_net(self._net.State)[0].copy()

    @h.setter
    def h(self, value: ArrayLike) -> None:
        with net_errors({"State": ("h", "row")}):
            self._net.State = row_to_net(value, "h", lambda: self.hidden_size)

    @property
    def h0(self) -> np.ndarray:
        """A copy of the initial state, (H,)."""
        return from_net(self._net.InitialState)[0].copy()

    W_ih = property(lambda self: gru_parameter(self._net, "W_ih"), doc="(3H, I) = C# InputWeightsᵀ")
    W_hh = property(lambda self: gru_parameter(self._net, "W_hh"), doc="(3H, H) = C# RecurrentWeightsᵀ")
    W_hy = property(lambda self: gru_parameter(self._net, "W_hy"), doc="(O, H) = C# OutputWeightsᵀ")
    b_ih = property(lambda self: gru_parameter(self._net, "b_ih"), doc="(3H,) or None")
    b_hh = property(lambda self: gru_parameter(self._net, "b_hh"), doc="(3H,) or None")
    b_y = property(lambda self: gru_parameter(self._net, "b_y"), doc="(O,) or None")

    def parameters(self) -> dict[str, np.ndarray]:
        """Copies of the trainable arrays by name in ``PARAMETERS`` order, NumPy layout."""
        return gru_parameters(self._net)

    def step(self, x: ArrayLike) -> np.ndarray:
        """``TimeStep`` on x (I,); returns y (O,)."""
        vector = vector_argument(x, "x", lambda: self.input_size)
        with net_errors({"input": ("x", "row")}):
            return from_net(self._net.TimeStep(to_net(vector.reshape(1, -1), "x")))[0].copy()

    def forward(self, xs: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """``Forward`` on xs (T, I); returns ys (T, O) and hs (T, H)."""
        xs = sequence_argument(xs, self.input_size)
        with net_errors({"inputs": ("xs", "same")}):
            result = self._net.Forward(to_net(xs, "xs"))
        return from_net(result.Item1), from_net(result.Item2)

    def reset(self) -> None:
        """``Reset()``."""
        self._net.Reset()

    @property
    def net(self) -> Any:
        """The wrapped ``RnnPort.GRU``."""
        return self._net

