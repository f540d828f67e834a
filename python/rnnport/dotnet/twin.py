"""What every bridge twin (``DotNetRNN``, ``DotNetLSTM``, ``DotNetGRU``) shares: arguments, parameters, state.

A twin holds its C# cell in ``_net`` and speaks NumPy layout: a weight is the transpose of its C# matrix,
a bias or a state the 1×n C# row. Ranks and dtypes are checked here with NumPy's rules; sizes and
finiteness by C#, whose exceptions arrive translated (:mod:`rnnport.dotnet.errors`).
"""
from __future__ import annotations

import ctypes

from typing import Any, Callable

import numpy as np
from numpy.typing import ArrayLike

from rnnport.cells.batch import checked_batch
from rnnport.dotnet.errors import ArgumentNames, constructed, net_errors
from rnnport.dotnet.runtime import load
from rnnport.dotnet.transfer import (batch_from_net, batch_to_net, float64_argument, from_net, row_to_net, sequence_argument,
                                     targets_to_net, to_net, transposed_from_net, vector_argument, vector_from_net)
from rnnport.numerics.checks import check_shape


def read_parameter(net_object: Any, csharp_names: dict[str, str], name: str) -> np.ndarray | None:
    """A copy of parameter ``name`` (or of its gradient) in NumPy layout, from the C# property
    ``csharp_names[name]`` of a cell or its gradients: a weight (``W_…``) is the transpose of the C# matrix,
    a bias the 1×n C# row (None when off)."""
    value = getattr(net_object, csharp_names[name])
    return transposed_from_net(value) if name.startswith("W_") else vector_from_net(value)


def read_parameters(net_object: Any, csharp_names: dict[str, str]) -> dict[str, np.ndarray]:
    """Every parameter (or gradient) that is on, by name in the order of ``csharp_names`` (the cell's order)."""
    values = {name: read_parameter(net_object, csharp_names, name) for name in csharp_names}
    return {name: value for name, value in values.items() if value is not None}


def parameter_property(csharp_names: dict[str, str], name: str, doc: str) -> property:
    """A read-only attribute: parameter ``name`` of the wrapped ``_net``, read as :func:`read_parameter` does."""
    return property(lambda self: read_parameter(self._net, csharp_names, name), doc=doc)


def net_property(member: str, convert: Callable[[Any], Any], doc: str) -> property:
    """A read-only attribute: the wrapped ``_net``'s property ``member`` as a Python value (``int``, ``str`` …)."""
    return property(lambda self: convert(getattr(self._net, member)), doc=doc)


def construct(factory: Callable[..., Any], weights: list[tuple[ArrayLike, str, tuple[str, str]]],
              rows: list[tuple[ArrayLike | None, str, str]], names: ArgumentNames) -> Any:
    """A C# cell from ``factory`` (a ``RnnPort.Bridge.Construct`` method, which returns the constructor's
    error instead of throwing it: a throwing .NET constructor leaks native memory in pythonnet).

    ``weights`` are (value, NumPy name, NumPy shape labels): each must be a real array of rank 2 and
    crosses as its transpose; ``rows`` are (value or None, NumPy name, length label), each crossing as a
    1×n row; ``names`` translates the constructor's argument names back to NumPy's in an error.
    """
    arrays = [float64_argument(w, n) for w, n, _ in weights]
    for array, (_, name, labels) in zip(arrays, weights):
        check_shape(array, (None, None), name, labels)  # rank only; sizes are C#'s to check
    net_rows = [None if v is None else row_to_net(v, n, lambda label=label: label) for v, n, label in rows]
    return constructed(factory(*(to_net(a.T, n) for a, (_, n, _) in zip(arrays, weights)), *net_rows), names)


def run_bptt(run: Callable[..., Any], model: Any, xs: ArrayLike, targets: ArrayLike,
             starts: list[tuple[ArrayLike | None, str, str]]) -> Any:
    """A C# BPTT ``run`` (``Bptt.Run``, ``LstmBptt.Run``, ``GruBptt.Run``) on a twin's model; returns its result.

    ``starts`` are the start states, each (value or None for the model's own, NumPy name, C# argument name),
    e.g. ``(h_prev, "h_prev", "initialState")``. Ranks and dtypes are checked here (xs, then each start), sizes,
    finiteness and targets by C#, whose errors name xs and the starts as the caller did.
    """
    xs = sequence_argument(xs, model.input_size)
    rows = [None if v is None else row_to_net(v, name, lambda: model.hidden_size) for v, name, _ in starts]
    names = {"inputs": ("xs", "same"), **{csharp: (name, "row") for _, name, csharp in starts}}
    with net_errors(names):
        return run(model._net, to_net(xs, "xs"), targets_to_net(targets, xs.shape[0], model.output_size), *rows)


class GradientsTwin:
    """A mixin for a bridge twin of a cell's gradients, which stay in .NET (``_net``): ``parameters()`` reads
    them out in NumPy layout, by the class's ``CSHARP_NAMES`` (the cell's parameter order)."""

    CSHARP_NAMES: dict[str, str]

    def __init__(self, net_gradients: Any) -> None:
        self._net = net_gradients

    def parameters(self) -> dict[str, np.ndarray]:
        """The parameter gradients by name in the cell's parameter order (copies, NumPy layout, no start state)."""
        return read_parameters(self._net, self.CSHARP_NAMES)


class CellTwin:
    """A mixin for a bridge twin around ``_net``: the sizes, the state ``h`` and ``h0`` (copies), ``step``
    through ``TimeStep`` and ``reset``."""

    _net: Any

    @classmethod
    def _wrap(cls, net_model: Any) -> Any:
        """A twin around an existing C# cell (one loaded from a model file)."""
        model = cls.__new__(cls)
        model._net = net_model
        return model

    def __repr__(self) -> str:
        from rnnport.cells.parameter_store import cell_repr

        # The RNN's C# kernel is a setting (Kernel.Sequential by default); the gated cells always use the sequential one.
        kernel = str(getattr(self._net, "Kernel", "Sequential"))
        biases = tuple(name for name in ("b_h", "b_ih", "b_hh", "b_y") if getattr(self, name, None) is not None)
        return cell_repr(type(self).__name__, (self.input_size, self.hidden_size, self.output_size),
                         getattr(self, "activation", None), kernel, biases)

    @property
    def input_size(self) -> int:
        """I."""
        return int(self._net.InputSize)

    def forward_batch(self, xs: ArrayLike) -> tuple[np.ndarray, ...]:
        """``ForwardBatch`` on xs (B, T, I): ys (B, T, O), hs (B, T, H) (and cs (B, T, H) for the LSTM).

        xs is checked here with NumPy's rule (``rnnport.cells.batch.checked_batch``, the same messages), then
        crosses as one block copy; the results come back the same way. The state is unchanged.
        """
        xs = checked_batch(xs, self.input_size)
        with net_errors({"inputs": ("xs", "same")}):
            result = self._net.ForwardBatch(batch_to_net(xs, "xs"))
        arrays = (result.Outputs, result.States) + (() if result.CellStates is None else (result.CellStates,))
        return tuple(batch_from_net(a) for a in arrays)

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
        """A copy of the state, shape (H,) (C#: ``State``, 1×H)."""
        return from_net(self._net.State)[0].copy()

    @h.setter
    def h(self, value: ArrayLike) -> None:
        with net_errors({"State": ("h", "row")}):
            self._net.State = row_to_net(value, "h", lambda: self.hidden_size)

    @property
    def h0(self) -> np.ndarray:
        """A copy of the initial state, shape (H,)."""
        return from_net(self._net.InitialState)[0].copy()

    def step(self, x: ArrayLike) -> np.ndarray:
        """``TimeStep`` on x (I,); returns y (O,), a new array.

        A float64 (I,) array takes the fast path: copied into the model's pinned input buffer, one .NET
        call without arguments (``StepBuffers.Step``), the output copied out of its pinned buffer. Anything
        else, and any step C# refuses (the state is then unchanged), goes through ``_checked_step``,
        which checks and converts as before and raises the error in NumPy's terms.
        """
        buffers = self.__dict__.get("_step_buffers") or self._make_step_buffers()
        run, x_in, y_out = buffers[0], buffers[1], buffers[2]
        if type(x) is np.ndarray and x.dtype == np.float64 and x.shape == x_in.shape:
            x_in[...] = x
            try:
                run()
            except Exception:  # a refused step changed nothing: let the checked path raise it, translated
                return self._checked_step(x)
            return y_out.copy()
        return self._checked_step(x)

    def _make_step_buffers(self) -> tuple[Any, np.ndarray, np.ndarray, Any]:
        """(StepBuffers.Step, the input view (I,), the output view (O,), the StepBuffers that owns them), once per twin."""
        buffers = load().StepBuffers(self._net)
        views = [np.ctypeslib.as_array(ctypes.cast(address, ctypes.POINTER(ctypes.c_double)), shape=(size,))
                 for address, size in ((int(buffers.InputAddress), self.input_size),
                                       (int(buffers.OutputAddress), self.output_size))]
        self.__dict__["_step_buffers"] = made = (buffers.Step, views[0], views[1], buffers)
        return made

    def _checked_step(self, x: ArrayLike) -> np.ndarray:
        """``TimeStep`` through the bridge's checked conversions (any input the NumPy twin accepts)."""
        vector = vector_argument(x, "x", lambda: self.input_size)
        with net_errors({"input": ("x", "row")}):
            return from_net(self._net.TimeStep(to_net(vector.reshape(1, -1), "x")))[0].copy()

    def reset(self) -> None:
        """``Reset()``: the state goes back to its initial value."""
        self._net.Reset()
