"""A C# ``RnnPort.RecurrentStack`` (as ``ModelFile.Load`` returns it for a version 3 file) seen from Python
in NumPy layout: what the model-file parity tests compare with :class:`rnnport.cells.stack.RecurrentStack`.

Reads only what a file holds (parameters, initial states, sizes) and runs ``Forward``; the C# stack
stays the one that computes.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from rnnport.dotnet.errors import net_errors
from rnnport.dotnet.transfer import from_net, sequence_argument, to_net, vector_from_net


class DotNetStackView:
    """NumPy-layout view of a C# ``RecurrentStack`` (attribute names as the NumPy twin's).

    Parameters
    ----------
    net : RnnPort.RecurrentStack
        The C# stack.
    """

    def __init__(self, net: Any) -> None:
        self._net = net

    @property
    def cell(self) -> str:
        """"rnn", "lstm" or "gru"."""
        return str(self._net.CellName)

    @property
    def num_layers(self) -> int:
        """L."""
        return int(self._net.NumLayers)

    @property
    def bidirectional(self) -> bool:
        """Whether D = 2."""
        return bool(self._net.Bidirectional)

    @property
    def nonlinearity(self) -> str:
        """The RNN's "tanh" or "relu" ("tanh" for the gated cells)."""
        return str(self._net.Nonlinearity).lower()

    @property
    def input_size(self) -> int:
        """I."""
        return int(self._net.InputSize)

    @property
    def output_size(self) -> int:
        """O."""
        return int(self._net.OutputSize)

    def parameters(self) -> dict[str, np.ndarray]:
        """Every parameter by torch name in the C# order, NumPy layout: weights (G·H, I_k) and W_hy (O, D·H)
        are the transposes of the C# matrices, the biases the 1×n rows as (n,)."""
        out = {}
        for name in self._net.ParameterNames:
            name = str(name)
            value = self._net.Parameter(name)
            out[name] = vector_from_net(value) if name.startswith(("bias_", "b_")) else from_net(value).T.copy()
        return out

    @property
    def h0(self) -> np.ndarray:
        """(L·D, H), as C# holds it (not transposed)."""
        return np.ascontiguousarray(from_net(self._net.InitialStates))

    @property
    def c0(self) -> np.ndarray | None:
        """(L·D, H) for the LSTM, else None."""
        value = self._net.InitialCellStates
        return None if value is None else np.ascontiguousarray(from_net(value))

    def forward(self, xs: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """C# ``Forward``: xs (T, I) → (ys (T, O), h_n (L·D, H), c_n or None); the C# state advances."""
        array = sequence_argument(xs, self.input_size)
        with net_errors():
            result = self._net.Forward(to_net(array, "xs"))
        cells = result.FinalCellStates
        return (np.ascontiguousarray(from_net(result.Outputs)), np.ascontiguousarray(from_net(result.FinalStates)),
                None if cells is None else np.ascontiguousarray(from_net(cells)))
