"""``DotNetGRU``: the C# ``RnnPort.GRU`` behind ``rnnport.cells.gru.GRU``'s API and NumPy layout.

The C# weights are the transposes of NumPy's (``inputWeights`` = ``W_ih.T`` (I×3H) …), written out as ``.T``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from rnnport.cells.gru import PARAMETERS
from rnnport.dotnet.errors import ArgumentNames, net_errors
from rnnport.dotnet.runtime import load
from rnnport.dotnet.transfer import from_net, sequence_argument, to_net
from rnnport.dotnet.twin import CellTwin, construct, parameter_property, read_parameters

# The C# constructor's arguments, as the Python caller named them (see ArgumentNames).
CONSTRUCTOR_ARGUMENTS: ArgumentNames = {
    "inputWeights": ("W_ih", "transposed"), "recurrentWeights": ("W_hh", "transposed"),
    "outputWeights": ("W_hy", "transposed"), "initialState": ("h0", "row"),
    "inputBias": ("b_ih", "row"), "recurrentBias": ("b_hh", "row"), "outputBias": ("b_y", "row"),
}


# The C# property that holds each NumPy parameter, on RnnPort.GRU and RnnPort.GruGradients alike, in PARAMETERS order.
CSHARP_NAMES = dict(zip(PARAMETERS, ("InputWeights", "RecurrentWeights", "OutputWeights",
                                     "InputBias", "RecurrentBias", "OutputBias")))


class DotNetGRU(CellTwin):
    """The C# GRU behind NumPy's API: weights W_ih (3H, I), W_hh (3H, H), W_hy (O, H), h0 (H,), biases.

    Ranks and dtypes are checked here with NumPy's rules; sizes and non-finite values by C#, whose
    exception arrives as NumPy's ``ValueError``/``TypeError`` with the message in NumPy terms. Every
    getter returns a copy.
    """

    def __init__(self, W_ih: ArrayLike, W_hh: ArrayLike, W_hy: ArrayLike, h0: ArrayLike | None = None, *,
                 b_ih: ArrayLike | None = None, b_hh: ArrayLike | None = None, b_y: ArrayLike | None = None) -> None:
        self._net = construct(load().Construct.Gru,
                              [(W_ih, "W_ih", ("3H", "I")), (W_hh, "W_hh", ("3H", "H")), (W_hy, "W_hy", ("O", "H"))],
                              [(h0, "h0", "H"), (b_ih, "b_ih", "3H"), (b_hh, "b_hh", "3H"), (b_y, "b_y", "O")],
                              CONSTRUCTOR_ARGUMENTS)

    W_ih = parameter_property(CSHARP_NAMES, "W_ih", "(3H, I) = C# InputWeightsᵀ")
    W_hh = parameter_property(CSHARP_NAMES, "W_hh", "(3H, H) = C# RecurrentWeightsᵀ")
    W_hy = parameter_property(CSHARP_NAMES, "W_hy", "(O, H) = C# OutputWeightsᵀ")
    b_ih = parameter_property(CSHARP_NAMES, "b_ih", "(3H,) or None")
    b_hh = parameter_property(CSHARP_NAMES, "b_hh", "(3H,) or None")
    b_y = parameter_property(CSHARP_NAMES, "b_y", "(O,) or None")

    def parameters(self) -> dict[str, np.ndarray]:
        """Copies of the trainable arrays by name in ``PARAMETERS`` order, NumPy layout."""
        return read_parameters(self._net, CSHARP_NAMES)

    def forward(self, xs: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """``Forward`` on xs (T, I); returns ys (T, O) and hs (T, H)."""
        xs = sequence_argument(xs, self.input_size)
        with net_errors({"inputs": ("xs", "same")}):
            result = self._net.Forward(to_net(xs, "xs"))
        return from_net(result.Item1), from_net(result.Item2)

    @property
    def net(self) -> Any:
        """The wrapped ``RnnPort.GRU``."""
        return self._net

