"""``DotNetRNN``: the C# ``RnnPort.RNN`` behind ``rnnport.RNN``'s API and NumPy layout.

Callers pass NumPy-layout weights (column convention, ``W_xh`` (H, I) …); the C# model wants their
transposes (``inputWeights`` = ``W_xh.T`` (I×H) …). Every transpose is written out below as ``.T``
(:func:`parameter` reads them back the same way); nothing is guessed from shapes.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from rnnport.cells.rnn import PARAMETERS, ActivationName
from rnnport.dotnet.errors import ArgumentNames, constructed, net_errors
from rnnport.dotnet.runtime import load
from rnnport.dotnet.transfer import (float64_argument, from_net, is_unicode, row_to_net, sequence_argument, to_net,
                                     to_net_reusing,
                                     vector_argument)
from rnnport.dotnet.twin import CellTwin, parameter_property, read_parameters
from rnnport.numerics.checks import check_shape, unknown_activation
from rnnport.numerics.kernels import KernelName, kernels

# The C# constructor's arguments, as the Python caller named them (see ArgumentNames).
CONSTRUCTOR_ARGUMENTS: ArgumentNames = {
    "initialInputWeights": ("W_xh", "transposed"), "initialRecurrentWeights": ("W_hh", "transposed"),
    "initialOutputWeights": ("W_hy", "transposed"), "initialState": ("h0", "row"),
    "hiddenBias": ("b_h", "row"), "outputBias": ("b_y", "row"),
}

# The C# property that holds each NumPy parameter, on RnnPort.RNN and RnnPort.Gradients alike, in PARAMETERS order.
# NumPy's kernel names and the C# Kernel each selects.
CSHARP_KERNELS: dict[str, Any] = {"exact": lambda k: k.Sequential, "fast": lambda k: k.Simd}

CSHARP_NAMES = dict(zip(PARAMETERS, ("InputWeights", "RecurrentWeights", "OutputWeights", "HiddenBias", "OutputBias")))


class DotNetRNN(CellTwin):
    """``RnnPort.RNN`` (C#, MathNet.Numerics) with the API and NumPy layout of ``rnnport.RNN``.

    Parameters and errors are those of :class:`rnnport.RNN`: weights ``W_xh`` (H, I), ``W_hh`` (H, H),
    ``W_hy`` (O, H), ``h0`` (H,). Dtypes, ranks and the activation's type are checked here with the
    rules of :mod:`rnnport.numerics.checks` that ``RNN`` uses; sizes and non-finite values are checked by the
    C# model, and its exception arrives as ``ValueError`` with the message rebuilt in NumPy terms:
    the Python argument's name, its NumPy shape and NumPy coordinates (see :func:`translate`).
    Every getter returns a copy.
    """

    def __init__(self, W_xh: ArrayLike, W_hh: ArrayLike, W_hy: ArrayLike,
                 h0: ArrayLike | None = None, activation: ActivationName = "tanh", *,
                 b_h: ArrayLike | None = None, b_y: ArrayLike | None = None, kernel: KernelName = "exact") -> None:
        net = load()
        kernels(kernel)  # NumPy's ValueError for an unknown name, before anything is built
        if not isinstance(activation, str) or not is_unicode(activation):  # NumPy's ValueError: C# takes
            raise unknown_activation(activation)  # a name, and no lone surrogate can cross (see is_unicode)
        weights = [float64_argument(w, n) for w, n in ((W_xh, "W_xh"), (W_hh, "W_hh"), (W_hy, "W_hy"))]
        for w, n, labels in zip(weights, ("W_xh", "W_hh", "W_hy"), (("H", "I"), ("H", "H"), ("O", "H"))):
            check_shape(w, (None, None), n, labels)  # rank only; sizes are C#'s to check
        W_xh, W_hh, W_hy = weights
        h0, b_h, b_y = (None if v is None else row_to_net(v, n, lambda label=label: label)
                        for v, n, label in ((h0, "h0", "H"), (b_h, "b_h", "H"), (b_y, "b_y", "O")))
        # A factory returning the error, not the constructor: a .NET constructor that throws into
        # Python leaks native memory in pythonnet (see RnnPort.Bridge.Outcome).
        self._net = constructed(net.Construct.Rnn(to_net(W_xh.T, "W_xh"), to_net(W_hh.T, "W_hh"), to_net(W_hy.T, "W_hy"),
                                                  h0, activation, b_h, b_y), CONSTRUCTOR_ARGUMENTS)
        self.activation: ActivationName = activation
        self._output_size = int(self._net.OutputSize)  # asked once: step allocates y without a .NET call
        self.kernel = kernel

    @classmethod
    def _wrap(cls, net_model: Any) -> DotNetRNN:
        """A DotNetRNN around an existing ``RnnPort.RNN`` (one loaded from a model file)."""
        model = cls.__new__(cls)
        model._net = net_model
        model.activation = str(load().ActivationFunctions.Name(net_model.Activation))
        model._output_size = int(net_model.OutputSize)
        return model

    @property
    def kernel(self) -> KernelName:
        """``"exact"`` (C#'s default ``Kernel.Sequential``: bit-identical to NumPy's exact mode) or ``"fast"``
        (``Kernel.Simd``: fused multiply-adds and a vectorised tanh, within the bound of
        ``rnnport.verify.bounds`` with ``VECTOR_TANH_ABSOLUTE``). Unlike ``rnnport.RNN``, whose default is
        NumPy's fast BLAS path, the C# model defaults to the exact kernel."""
        return "fast" if str(self._net.Kernel) == "Simd" else "exact"

    @kernel.setter
    def kernel(self, name: KernelName) -> None:
        kernels(name)  # NumPy's ValueError for an unknown name; the model is unchanged
        from RnnPort import Kernel  # the assembly is loaded by now

        self._net.Kernel = CSHARP_KERNELS[name](Kernel)

    @property
    def output_size(self) -> int:
        """O."""
        return self._output_size

    W_xh = parameter_property(CSHARP_NAMES, "W_xh", "(H, I), the transpose of C#'s ``InputWeights``.")
    W_hh = parameter_property(CSHARP_NAMES, "W_hh", "(H, H), the transpose of C#'s ``RecurrentWeights``.")
    W_hy = parameter_property(CSHARP_NAMES, "W_hy", "(O, H), the transpose of C#'s ``OutputWeights``.")
    b_h = parameter_property(CSHARP_NAMES, "b_h", "(H,) hidden bias, or None (C#: ``HiddenBias``, 1×H).")
    b_y = parameter_property(CSHARP_NAMES, "b_y", "(O,) output bias, or None (C#: ``OutputBias``, 1×O).")

    def parameters(self) -> dict[str, np.ndarray]:
        """Copies of the trainable arrays by name, in NumPy layout and ``PARAMETERS`` order."""
        return read_parameters(self._net, CSHARP_NAMES)

    def _checked_step(self, x: ArrayLike) -> np.ndarray:
        """``TimeStep`` on x of shape (I,); returns y of shape (O,). ``step`` (``CellTwin.step``) takes a
        float64 (I,) array through pinned buffers instead, and comes here for anything else.

        One .NET call per step (``ArrayTransfer.Step``), straight between the NumPy buffers: the rank
        is checked here, the length and finiteness by C#, with ``TimeStep``'s messages. ``x`` and ``y``
        stay referenced here while .NET reads and writes their memory.
        """
        vector = vector_argument(x, "x", lambda: self.input_size)
        y = np.empty(self._output_size)
        with net_errors({"input": ("x", "row")}):
            load().ArrayTransfer.Step(self._net, vector.ctypes.data, vector.size, y.ctypes.data, y.size)
        return y

    def forward(self, xs: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """``Forward`` on xs of shape (T, I); returns ys (T, O) and hs (T, H). One crossing per array."""
        xs = sequence_argument(xs, self.input_size)
        with net_errors({"inputs": ("xs", "same")}):
            result = self._net.Forward(to_net_reusing(xs, self, "xs"))
        return from_net(result.Item1), from_net(result.Item2)
