"""``DotNetLSTM``: the C# ``RnnPort.LSTM`` behind the API and NumPy layout of ``rnnport.cells.lstm.LSTM``.

Every weight crosses as its transpose (``inputWeights`` = ``W_ih.T`` …), written out below; ranks and
dtypes are checked here with NumPy's rules, sizes and finiteness by C#, whose exceptions arrive as
``rnnport.dotnet`` translates them, in NumPy terms.
"""
from __future__ import annotations


from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from rnnport.cells.lstm_bptt import LstmBpttResult
from rnnport.dotnet.errors import constructed as _made, net_errors as _net_errors
from rnnport.dotnet.runtime import load
from rnnport.dotnet.transfer import (float64_argument as _float64, from_net, row_to_net as _row,
                                     sequence_argument as _sequence, targets_to_net as _targets, to_net,
                                     vector_argument as _vector_argument, vector_from_net as _vector)
from rnnport.numerics.checks import as_real_scalar, check_shape

# The C# argument names and how each relates to its NumPy twin (see rnnport.dotnet._ARGUMENTS).
ARGUMENTS: dict[str, tuple[str, str]] = {
    "inputWeights": ("W_ih", "transposed"), "recurrentWeights": ("W_hh", "transposed"),
    "outputWeights": ("W_hy", "transposed"), "initialState": ("h0", "row"), "initialCellState": ("c0", "row"),
    "inputBias": ("b_ih", "row"), "recurrentBias": ("b_hh", "row"), "outputBias": ("b_y", "row"),
    "State": ("h", "row"), "CellState": ("c", "row"), "input": ("x", "row"), "inputs": ("xs", "same"),
}


class DotNetLSTM:
    """``RnnPort.LSTM`` with the API of :class:`rnnport.cells.lstm.LSTM` (NumPy layout; every getter copies)."""

    def __init__(self, W_ih: ArrayLike, W_hh: ArrayLike, W_hy: ArrayLike,
                 h0: ArrayLike | None = None, c0: ArrayLike | None = None, *,
                 b_ih: ArrayLike | None = None, b_hh: ArrayLike | None = None, b_y: ArrayLike | None = None) -> None:
        net = load()
        weights = [_float64(w, n) for w, n in ((W_ih, "W_ih"), (W_hh, "W_hh"), (W_hy, "W_hy"))]
        for w, n, labels in zip(weights, ("W_ih", "W_hh", "W_hy"), (("4H", "I"), ("4H", "H"), ("O", "H"))):
            check_shape(w, (None, None), n, labels)  # rank only; sizes are C#'s to check
        W_ih, W_hh, W_hy = weights
        rows = [None if v is None else _row(v, n, lambda label=label: label)
                for v, n, label in ((h0, "h0", "H"), (c0, "c0", "H"), (b_ih, "b_ih", "4H"),
                                    (b_hh, "b_hh", "4H"), (b_y, "b_y", "O"))]
        self._net = _made(net.Construct.Lstm(to_net(W_ih.T, "W_ih"), to_net(W_hh.T, "W_hh"), to_net(W_hy.T, "W_hy"),
                                             *rows), ARGUMENTS)

    @classmethod
    def _wrap(cls, net_model: Any) -> DotNetLSTM:
        """A DotNetLSTM around an existing ``RnnPort.LSTM`` (one loaded from a model file)."""
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
        """A copy of the state, (H,) (C#: ``State``, 1×H)."""
        return from_net(self._net.State)[0].copy()

    @h.setter
    def h(self, value: ArrayLike) -> None:
        with _net_errors(ARGUMENTS):
            self._net.State = _row(value, "h", lambda: self.hidden_size)

    @property
    def c(self) -> np.ndarray:
        """A copy of the cell state, (H,) (C#: ``CellState``, 1×H)."""
        return from_net(self._net.CellState)[0].copy()

    @c.setter
    def c(self, value: ArrayLike) -> None:
        with _net_errors(ARGUMENTS):
            self._net.CellState = _row(value, "c", lambda: self.hidden_size)

    h0 = property(lambda self: from_net(self._net.InitialState)[0].copy(), doc="(H,) copy")
    c0 = property(lambda self: from_net(self._net.InitialCellState)[0].copy(), doc="(H,) copy")
    W_ih = property(lambda self: from_net(self._net.InputWeights).T, doc="(4H, I) = C# InputWeightsᵀ")
    W_hh = property(lambda self: from_net(self._net.RecurrentWeights).T, doc="(4H, H) = C# RecurrentWeightsᵀ")
    W_hy = property(lambda self: from_net(self._net.OutputWeights).T, doc="(O, H) = C# OutputWeightsᵀ")
    b_ih = property(lambda self: _vector(self._net.InputBias), doc="(4H,) or None")
    b_hh = property(lambda self: _vector(self._net.RecurrentBias), doc="(4H,) or None")
    b_y = property(lambda self: _vector(self._net.OutputBias), doc="(O,) or None")

    def parameters(self) -> dict[str, np.ndarray]:
        """Copies of the trainable arrays by name, NumPy layout."""
        params = {n: getattr(self, n) for n in ("W_ih", "W_hh", "W_hy", "b_ih", "b_hh", "b_y")}
        return {n: v for n, v in params.items() if v is not None}

    def step(self, x: ArrayLike) -> np.ndarray:
        """``TimeStep`` on x (I,); returns y (O,)."""
        vector = _vector_argument(x, "x", lambda: self.input_size)
        with _net_errors(ARGUMENTS):
            return from_net(self._net.TimeStep(to_net(vector.reshape(1, -1), "x")))[0].copy()

    def forward(self, xs: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``Forward`` on xs (T, I); returns ys (T, O), hs (T, H), cs (T, H)."""
        xs = _sequence(xs, self.input_size)
        with _net_errors(ARGUMENTS):
            result = self._net.Forward(to_net(xs, "xs"))
        return from_net(result.Item1), from_net(result.Item2), from_net(result.Item3)

    def reset(self) -> None:
        """``Reset()``: h and c go back to h0 and c0."""
        self._net.Reset()



# --- BPTT and clipping: the C# twins of rnnport.cells.lstm_bptt; the gradients stay in .NET between calls.
# rnnport.dotnet.SGD and Adagrad take these gradients as they are (pythonnet picks the LSTM overload of Step).

def _lstm_bptt() -> Any:
    load()
    import RnnPort  # loaded by load()

    return RnnPort.LstmBptt


class DotNetLstmGradients:
    """``RnnPort.LstmGradients`` with the attributes of :class:`rnnport.cells.lstm_bptt.LstmGradients` (copies)."""

    def __init__(self, net_gradients: Any) -> None:
        self._net = net_gradients

    W_ih = property(lambda self: from_net(self._net.InputWeights).T, doc="(4H, I)")
    W_hh = property(lambda self: from_net(self._net.RecurrentWeights).T, doc="(4H, H)")
    W_hy = property(lambda self: from_net(self._net.OutputWeights).T, doc="(O, H)")
    b_ih = property(lambda self: _vector(self._net.InputBias), doc="(4H,) or None")
    b_hh = property(lambda self: _vector(self._net.RecurrentBias), doc="(4H,) or None")
    b_y = property(lambda self: _vector(self._net.OutputBias), doc="(O,) or None")
    h0 = property(lambda self: _vector(self._net.InitialState), doc="(H,)")
    c0 = property(lambda self: _vector(self._net.InitialCellState), doc="(H,)")

    def parameters(self) -> dict[str, np.ndarray]:
        """The parameter gradients by name (copies, NumPy layout; no h0, c0)."""
        grads = {n: getattr(self, n) for n in ("W_ih", "W_hh", "W_hy", "b_ih", "b_hh", "b_y")}
        return {n: v for n, v in grads.items() if v is not None}


def bptt(model: DotNetLSTM, xs: ArrayLike, targets: ArrayLike, h_prev: ArrayLike | None = None,
         c_prev: ArrayLike | None = None) -> LstmBpttResult:
    """``RnnPort.LstmBptt.Run``: as :func:`rnnport.cells.lstm_bptt.bptt`; the gradients stay in .NET."""
    xs = _sequence(xs, model.input_size)
    h = None if h_prev is None else _row(h_prev, "h_prev", lambda: model.hidden_size)
    c = None if c_prev is None else _row(c_prev, "c_prev", lambda: model.hidden_size)
    names = dict(ARGUMENTS, initialState=("h_prev", "row"), initialCellState=("c_prev", "row"))
    with _net_errors(names):
        result = _lstm_bptt().Run(model._net, to_net(xs, "xs"), _targets(targets, xs.shape[0], model.output_size), h, c)
    return LstmBpttResult(float(result.Loss), DotNetLstmGradients(result.Gradients),  # type: ignore[arg-type]
                          _vector(result.FinalState), _vector(result.FinalCellState))


def clip_elementwise(gradients: DotNetLstmGradients, limit: float) -> None:
    """``LstmBptt.ClipElementwise``, in .NET."""
    limit = as_real_scalar(limit, "limit")
    with _net_errors():
        _lstm_bptt().ClipElementwise(gradients._net, limit)


def clip_global_norm(gradients: DotNetLstmGradients, max_norm: float) -> float:
    """``LstmBptt.ClipGlobalNorm``, in .NET; returns the norm before clipping."""
    max_norm = as_real_scalar(max_norm, "max_norm")
    with _net_errors():
        return float(_lstm_bptt().ClipGlobalNorm(gradients._net, max_norm))
