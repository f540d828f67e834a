"""``DotNetLSTM``: the C# ``RnnPort.LSTM`` behind the API and NumPy layout of ``rnnport.cells.lstm.LSTM``.

Every weight crosses as its transpose (``inputWeights`` = ``W_ih.T`` …), written out below; ranks and
dtypes are checked here with NumPy's rules, sizes and finiteness by C#, whose exceptions arrive as
``rnnport.dotnet`` translates them, in NumPy terms.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from rnnport.cells.lstm_bptt import LstmBpttResult
from rnnport.dotnet.clipping import clip_elementwise, clip_global_norm  # noqa: F401  (any cell's gradients)
from rnnport.dotnet.errors import net_errors
from rnnport.dotnet.runtime import load
from rnnport.dotnet.transfer import from_net, row_to_net, sequence_argument, to_net, vector_from_net
from rnnport.dotnet.twin import (CellTwin, GradientsTwin, construct, parameter_property, read_parameters,
                                 run_bptt)

# The C# argument names and how each relates to its NumPy twin (as rnnport.dotnet.rnn.CONSTRUCTOR_ARGUMENTS).
ARGUMENTS: dict[str, tuple[str, str]] = {
    "inputWeights": ("W_ih", "transposed"), "recurrentWeights": ("W_hh", "transposed"),
    "outputWeights": ("W_hy", "transposed"), "initialState": ("h0", "row"), "initialCellState": ("c0", "row"),
    "inputBias": ("b_ih", "row"), "recurrentBias": ("b_hh", "row"), "outputBias": ("b_y", "row"),
    "State": ("h", "row"), "CellState": ("c", "row"), "input": ("x", "row"), "inputs": ("xs", "same"),
}

# The C# property that holds each NumPy parameter, on RnnPort.LSTM and RnnPort.LstmGradients alike, in
# rnnport.cells.lstm.PARAMETER_NAMES order.
CSHARP_NAMES = {"W_ih": "InputWeights", "W_hh": "RecurrentWeights", "W_hy": "OutputWeights",
                "b_ih": "InputBias", "b_hh": "RecurrentBias", "b_y": "OutputBias"}


class DotNetLSTM(CellTwin):
    """``RnnPort.LSTM`` with the API of :class:`rnnport.cells.lstm.LSTM` (NumPy layout; every getter copies)."""

    def __init__(self, W_ih: ArrayLike, W_hh: ArrayLike, W_hy: ArrayLike,
                 h0: ArrayLike | None = None, c0: ArrayLike | None = None, *,
                 b_ih: ArrayLike | None = None, b_hh: ArrayLike | None = None, b_y: ArrayLike | None = None) -> None:
        self._net = construct(load().Construct.Lstm,
                              [(W_ih, "W_ih", ("4H", "I")), (W_hh, "W_hh", ("4H", "H")), (W_hy, "W_hy", ("O", "H"))],
                              [(h0, "h0", "H"), (c0, "c0", "H"), (b_ih, "b_ih", "4H"), (b_hh, "b_hh", "4H"),
                               (b_y, "b_y", "O")],
                              ARGUMENTS)

    @property
    def c(self) -> np.ndarray:
        """A copy of the cell state, (H,) (C#: ``CellState``, 1×H)."""
        return from_net(self._net.CellState)[0].copy()

    @c.setter
    def c(self, value: ArrayLike) -> None:
        with net_errors({"CellState": ("c", "row")}):
            self._net.CellState = row_to_net(value, "c", lambda: self.hidden_size)

    c0 = property(lambda self: from_net(self._net.InitialCellState)[0].copy(), doc="(H,) copy")
    W_ih = parameter_property(CSHARP_NAMES, "W_ih", "(4H, I) = C# InputWeightsᵀ")
    W_hh = parameter_property(CSHARP_NAMES, "W_hh", "(4H, H) = C# RecurrentWeightsᵀ")
    W_hy = parameter_property(CSHARP_NAMES, "W_hy", "(O, H) = C# OutputWeightsᵀ")
    b_ih = parameter_property(CSHARP_NAMES, "b_ih", "(4H,) or None")
    b_hh = parameter_property(CSHARP_NAMES, "b_hh", "(4H,) or None")
    b_y = parameter_property(CSHARP_NAMES, "b_y", "(O,) or None")

    def parameters(self) -> dict[str, np.ndarray]:
        """Copies of the trainable arrays by name, NumPy layout."""
        return read_parameters(self._net, CSHARP_NAMES)

    def forward(self, xs: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``Forward`` on xs (T, I); returns ys (T, O), hs (T, H), cs (T, H)."""
        xs = sequence_argument(xs, self.input_size)
        with net_errors(ARGUMENTS):
            result = self._net.Forward(to_net(xs, "xs"))
        return from_net(result.Item1), from_net(result.Item2), from_net(result.Item3)

    def reset(self) -> None:
        """``Reset()``: h and c go back to h0 and c0."""
        self._net.Reset()


# --- BPTT: the C# twin of rnnport.cells.lstm_bptt; the gradients stay in .NET between calls. rnnport.dotnet's
# SGD, Adagrad and clipping (clip_elementwise, clip_global_norm, imported above) take them as they are.

class DotNetLstmGradients(GradientsTwin):
    """``RnnPort.LstmGradients`` with the attributes of :class:`rnnport.cells.lstm_bptt.LstmGradients` (copies)."""

    CSHARP_NAMES = CSHARP_NAMES

    W_ih = parameter_property(CSHARP_NAMES, "W_ih", "(4H, I)")
    W_hh = parameter_property(CSHARP_NAMES, "W_hh", "(4H, H)")
    W_hy = parameter_property(CSHARP_NAMES, "W_hy", "(O, H)")
    b_ih = parameter_property(CSHARP_NAMES, "b_ih", "(4H,) or None")
    b_hh = parameter_property(CSHARP_NAMES, "b_hh", "(4H,) or None")
    b_y = parameter_property(CSHARP_NAMES, "b_y", "(O,) or None")
    h0 = property(lambda self: vector_from_net(self._net.InitialState), doc="(H,)")
    c0 = property(lambda self: vector_from_net(self._net.InitialCellState), doc="(H,)")


def bptt(model: DotNetLSTM, xs: ArrayLike, targets: ArrayLike, h_prev: ArrayLike | None = None,
         c_prev: ArrayLike | None = None) -> LstmBpttResult:
    """``RnnPort.LstmBptt.Run``: as :func:`rnnport.cells.lstm_bptt.bptt`; the gradients stay in .NET."""
    load()
    import RnnPort  # the namespace, importable once load() has added the assemblies

    result = run_bptt(RnnPort.LstmBptt.Run, model, xs, targets,
                      [(h_prev, "h_prev", "initialState"), (c_prev, "c_prev", "initialCellState")])
    return LstmBpttResult(float(result.Loss), DotNetLstmGradients(result.Gradients),  # type: ignore[arg-type]
                          vector_from_net(result.FinalState), vector_from_net(result.FinalCellState))
