"""``RnnPort.GRU`` (C#) with the API and NumPy layout of ``rnnport.cells.gru.GRU``, through the bridge."""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from rnnport._checks import check_shape
from rnnport.bptt import BpttResult
from rnnport.dotnet import (_float64, _made, _net_errors, _row, _sequence, _targets, _vector, _vector_argument,
                            from_net, load, to_net)

# C# argument → (Python name, layout), for messages rebuilt in NumPy terms (rnnport.dotnet._translate).
_NAMES: dict[str, tuple[str, str]] = {
    "inputWeights": ("W_ih", "transposed"), "recurrentWeights": ("W_hh", "transposed"),
    "outputWeights": ("W_hy", "transposed"), "initialState": ("h0", "row"),
    "inputBias": ("b_ih", "row"), "recurrentBias": ("b_hh", "row"), "outputBias": ("b_y", "row"),
}


class DotNetGRU:
    """The C# GRU behind NumPy's API: weights W_ih (3H, I), W_hh (3H, H), W_hy (O, H), h0 (H,), biases.

    Ranks and dtypes are checked here with NumPy's rules; sizes and non-finite values by C#, whose
    exception arrives as NumPy's ``ValueError``/``TypeError`` with the message in NumPy terms. Every
    getter returns a copy.
    """

    def __init__(self, W_ih: ArrayLike, W_hh: ArrayLike, W_hy: ArrayLike, h0: ArrayLike | None = None, *,
                 b_ih: ArrayLike | None = None, b_hh: ArrayLike | None = None, b_y: ArrayLike | None = None) -> None:
        net = load()
        weights = [_float64(w, n) for w, n in ((W_ih, "W_ih"), (W_hh, "W_hh"), (W_hy, "W_hy"))]
        for w, n, labels in zip(weights, ("W_ih", "W_hh", "W_hy"), (("3H", "I"), ("3H", "H"), ("O", "H"))):
            check_shape(w, (None, None), n, labels)  # rank only; sizes are C#'s to check
        rows = [None if v is None else _row(v, n, lambda label=label: label)
                for v, n, label in ((h0, "h0", "H"), (b_ih, "b_ih", "3H"), (b_hh, "b_hh", "3H"), (b_y, "b_y", "O"))]
        self._net = _made(net.Construct.Gru(*(to_net(w.T, n) for w, n in zip(weights, ("W_ih", "W_hh", "W_hy"))),
                                            *rows), _NAMES)

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
        with _net_errors({"State": ("h", "row")}):
            self._net.State = _row(value, "h", lambda: self.hidden_size)

    @property
    def h0(self) -> np.ndarray:
        """A copy of the initial state, (H,)."""
        return from_net(self._net.InitialState)[0].copy()

    W_ih = property(lambda self: from_net(self._net.InputWeights).T, doc="(3H, I) = C# InputWeightsᵀ")
    W_hh = property(lambda self: from_net(self._net.RecurrentWeights).T, doc="(3H, H) = C# RecurrentWeightsᵀ")
    W_hy = property(lambda self: from_net(self._net.OutputWeights).T, doc="(O, H) = C# OutputWeightsᵀ")
    b_ih = property(lambda self: _vector(self._net.InputBias), doc="(3H,) or None")
    b_hh = property(lambda self: _vector(self._net.RecurrentBias), doc="(3H,) or None")
    b_y = property(lambda self: _vector(self._net.OutputBias), doc="(O,) or None")

    def parameters(self) -> dict[str, np.ndarray]:
        """Copies of the trainable arrays by name, NumPy layout (``GRU.parameters`` gives live ones)."""
        params = {n: getattr(self, n) for n in ("W_ih", "W_hh", "W_hy", "b_ih", "b_hh", "b_y")}
        return {name: value for name, value in params.items() if value is not None}

    def step(self, x: ArrayLike) -> np.ndarray:
        """``TimeStep`` on x (I,); returns y (O,)."""
        vector = _vector_argument(x, "x", lambda: self.input_size)
        with _net_errors({"input": ("x", "row")}):
            return from_net(self._net.TimeStep(to_net(vector.reshape(1, -1), "x")))[0].copy()

    def forward(self, xs: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """``Forward`` on xs (T, I); returns ys (T, O) and hs (T, H)."""
        xs = _sequence(xs, self.input_size)
        with _net_errors({"inputs": ("xs", "same")}):
            result = self._net.Forward(to_net(xs, "xs"))
        return from_net(result.Item1), from_net(result.Item2)

    def reset(self) -> None:
        """``Reset()``."""
        self._net.Reset()

    @property
    def net(self) -> Any:
        """The wrapped ``RnnPort.GRU``."""
        return self._net


class DotNetGruGradients:
    """``RnnPort.GruGradients`` with the attributes of ``GruGradients`` (NumPy layout, copies).

    ``rnnport.dotnet``'s SGD, Adagrad and clipping take it as they take the RNN's gradients.
    """

    def __init__(self, net_gradients: Any) -> None:
        self._net = net_gradients

    W_ih = property(lambda self: from_net(self._net.InputWeights).T, doc="(3H, I)")
    W_hh = property(lambda self: from_net(self._net.RecurrentWeights).T, doc="(3H, H)")
    W_hy = property(lambda self: from_net(self._net.OutputWeights).T, doc="(O, H)")
    b_ih = property(lambda self: _vector(self._net.InputBias), doc="(3H,) or None")
    b_hh = property(lambda self: _vector(self._net.RecurrentBias), doc="(3H,) or None")
    b_y = property(lambda self: _vector(self._net.OutputBias), doc="(O,) or None")
    h0 = property(lambda self: _vector(self._net.InitialState), doc="(H,) gradient w.r.t. the initial state")

    def parameters(self) -> dict[str, np.ndarray]:
        """The parameter gradients by name (copies, NumPy layout, no h0)."""
        grads = {n: getattr(self, n) for n in ("W_ih", "W_hh", "W_hy", "b_ih", "b_hh", "b_y")}
        return {name: value for name, value in grads.items() if value is not None}


def gru_bptt(model: DotNetGRU, xs: ArrayLike, targets: ArrayLike, h_prev: ArrayLike | None = None) -> BpttResult:
    """``RnnPort.GruBptt.Run``: as ``rnnport.cells.gru_bptt.gru_bptt``; the gradients stay in .NET."""
    load()
    import RnnPort  # the namespace, importable once load() has added the assemblies

    xs = _sequence(xs, model.input_size)
    start = None if h_prev is None else _row(h_prev, "h_prev", lambda: model.hidden_size)
    with _net_errors({"inputs": ("xs", "same"), "initialState": ("h_prev", "row")}):
        result = RnnPort.GruBptt.Run(model.net, to_net(xs, "xs"), _targets(targets, xs.shape[0], model.output_size),
                                     start)
    return BpttResult(float(result.Loss), DotNetGruGradients(result.Gradients), _vector(result.FinalState))
