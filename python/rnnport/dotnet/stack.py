"""``DotNetRecurrentStack``: the C# ``RnnPort.RecurrentStack`` behind ``rnnport.cells.stack.RecurrentStack``'s API.

NumPy layout in and out: a weight (``weight_ih_l0`` (G·H, I), ``W_hy`` (O, D·H)) crosses as its transpose, a bias
as the 1×n C# row, the states (L·D, H) as they are. :func:`stack_bptt` is ``RnnPort.StackBptt.Run`` as
``rnnport.cells.stack_bptt.bptt``; its gradients stay in .NET, and ``rnnport.dotnet``'s SGD, Adagrad and clipping
take them as any cell's. Ranks and dtypes are checked here with NumPy's rules; keys, sizes and finiteness by C#,
whose errors arrive as NumPy's (:mod:`rnnport.dotnet.errors`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
from numpy.typing import ArrayLike

from rnnport.dotnet.errors import ArgumentNames, constructed, net_errors, translate
from rnnport.dotnet.runtime import load
from rnnport.dotnet.transfer import (doubles_to_net, float64_argument, from_net, sequence_argument, targets_to_net,
                                     to_net, vector_argument, vector_from_net)
from rnnport.dotnet.twin import net_property
from rnnport.numerics.checks import check_shape, unknown_activation


def _is_weight(name: str) -> bool:
    """Weights cross transposed (C# row convention); biases as 1×n rows."""
    return name.startswith("weight_") or name == "W_hy"


def _layouts(names: list[str]) -> ArgumentNames:
    """How each C# argument is shown in an error: its Python name and layout."""
    layouts: ArgumentNames = {name: (name, "transposed" if _is_weight(name) else "row") for name in names}
    return {**layouts, "W_hy": ("W_hy", "transposed"), "b_y": ("b_y", "row"), "h0": ("h0", "same"), "c0": ("c0", "same"),
            "inputs": ("xs", "same"), "input": ("x", "row"), "State": ("h", "same"), "CellState": ("c", "same")}


def _to_net_parameter(value: ArrayLike, name: str) -> Any:
    """A parameter as C# takes it: a weight (rank 2) transposed, a bias (rank 1) as the 1×n row."""
    array = float64_argument(value, name)
    if _is_weight(name):
        check_shape(array, (None, None), name, ("G·H", "I") if name != "W_hy" else ("O", "D·H"))
        return to_net(array.T, name)
    check_shape(array, (None,), name, ("G·H",) if name != "b_y" else ("O",))
    return to_net(array.reshape(1, -1), name)


def _from_net_parameter(matrix: Any, name: str) -> np.ndarray:
    return from_net(matrix).T.copy() if _is_weight(name) else vector_from_net(matrix)  # type: ignore[return-value]


def _states_to_net(value: ArrayLike | None, name: str, shape: tuple[Any, Any]) -> Any:
    """States (L·D, H) as they are; the rank is checked here, with the expected ``shape`` in the message."""
    if value is None:
        return None
    array = float64_argument(value, name)
    if array.ndim != 2:
        check_shape(array, (None, None), name, tuple(str(size) for size in shape))
    return to_net(array, name)


class DotNetRecurrentStack:
    """The C# stack behind NumPy's API: ``DotNetRecurrentStack(cell, parameters, *, num_layers, bidirectional,
    nonlinearity, W_hy, b_y, h0, c0)`` with the arguments of ``rnnport.cells.stack.RecurrentStack`` (exact
    arithmetic always: C# has one mode). Every getter returns a copy.
    """

    def __init__(self, cell: str, parameters: Mapping[str, ArrayLike], *, num_layers: int, bidirectional: bool = False,
                 nonlinearity: str = "tanh", W_hy: ArrayLike | None = None, b_y: ArrayLike | None = None,
                 h0: ArrayLike | None = None, c0: ArrayLike | None = None) -> None:
        if not isinstance(parameters, Mapping):
            raise TypeError(f"parameters must be a mapping of torch names to arrays, got {type(parameters).__name__}")
        if isinstance(num_layers, (bool, np.bool_)) or not isinstance(num_layers, (int, np.integer)):
            raise TypeError(f"num_layers must be an integer, got {type(num_layers).__name__}")
        if not isinstance(bidirectional, (bool, np.bool_)):
            raise TypeError(f"bidirectional must be True or False, got {type(bidirectional).__name__}")
        if not isinstance(cell, str):  # C# takes strings only: NumPy's words for anything else
            raise ValueError(f"unknown cell {cell!r}: expected 'rnn', 'lstm' or 'gru'")
        if not isinstance(nonlinearity, str):
            raise unknown_activation(nonlinearity)
        net = load()
        hh = parameters.get("weight_hh_l0")
        states = (int(num_layers) * (2 if bidirectional else 1), np.shape(hh)[-1] if np.ndim(hh) == 2 else "H")
        names = [str(name) for name in parameters]
        values = [_to_net_parameter(parameters[name], name) for name in names]
        self._names = _layouts(names)
        self._net = constructed(net.Construct.Stack(
            cell, net.System.Array[net.System.String](names), _matrix_array(values), int(num_layers), bool(bidirectional),
            nonlinearity, None if W_hy is None else _to_net_parameter(W_hy, "W_hy"),
            None if b_y is None else _to_net_parameter(b_y, "b_y"), _states_to_net(h0, "h0", states), _states_to_net(c0, "c0", states)),
            {"initialStates": ("h0", "same"), "initialCellStates": ("c0", "same"), **self._names})

    @classmethod
    def _wrap(cls, net_stack: Any) -> DotNetRecurrentStack:
        """A twin around an existing C# stack (one ``ModelFile.Load`` read from a version 3 file)."""
        model = cls.__new__(cls)
        model._net = net_stack
        model._names = _layouts([str(name) for name in net_stack.ParameterNames])
        return model

    # --- sizes and state ---------------------------------------------------------------------------

    cell = net_property("CellName", str, '"rnn", "lstm" or "gru".')
    num_layers = net_property("NumLayers", int, "L.")
    bidirectional = net_property("Bidirectional", bool, "Whether D = 2.")
    num_directions = net_property("Directions", int, "D.")
    input_size = net_property("InputSize", int, "I.")
    hidden_size = net_property("HiddenSize", int, "H.")
    output_size = net_property("OutputSize", int, "O.")

    @property
    def nonlinearity(self) -> str:
        """The RNN's f ("tanh" for the gated cells)."""
        return str(load().ActivationFunctions.Name(self._net.Nonlinearity))

    bias = net_property("HasBiases", bool, "Whether the layers have torch's biases.")

    @property
    def _states_shape(self) -> tuple[int, int]:
        return self.num_layers * self.num_directions, self.hidden_size

    @property
    def h(self) -> np.ndarray:
        """A copy of the states (L·D, H); assigning checks, then copies."""
        return from_net(self._net.State).copy()

    @h.setter
    def h(self, value: ArrayLike) -> None:
        with net_errors(self._names):
            self._net.State = _states_to_net(value, "h", self._states_shape)

    @property
    def c(self) -> np.ndarray | None:
        """A copy of the LSTM's cell states (L·D, H), None for the other cells."""
        value = self._net.CellState
        return None if value is None else from_net(value).copy()

    @c.setter
    def c(self, value: ArrayLike) -> None:
        if self.cell != "lstm":
            raise ValueError(f"c: only the lstm has a cell state, not the {self.cell}")
        with net_errors(self._names):
            self._net.CellState = _states_to_net(value, "c", self._states_shape)

    @property
    def h0(self) -> np.ndarray:
        """A copy of the initial states (L·D, H)."""
        return from_net(self._net.InitialStates).copy()

    @property
    def c0(self) -> np.ndarray | None:
        """A copy of the initial cell states (L·D, H), or None."""
        value = self._net.InitialCellStates
        return None if value is None else from_net(value).copy()

    def parameters(self) -> dict[str, np.ndarray]:
        """Copies of the parameters by torch's name in torch's order, then W_hy, b_y: NumPy layout."""
        return {str(name): _from_net_parameter(self._net.Parameter(name), str(name)) for name in self._net.ParameterNames}

    def apply_update(self, values: Mapping[str, ArrayLike]) -> None:
        """Write new values over some of the parameters, all or nothing (``ApplyUpdate``; it repacks)."""
        current = self.parameters()
        arrays = {}
        for name, value in values.items():
            if name not in current:
                raise ValueError(f"the model has no parameter {name!r}; it has {', '.join(current)}")
            array = float64_argument(value, name)
            check_shape(array, current[name].shape, name)
            arrays[name] = np.ascontiguousarray(array).reshape(-1)  # NumPy's C order is the C# storage order
        net = load()
        error = net.Construct.StackUpdate(self._net, net.System.Array[net.System.String](list(arrays)),
                                          net.System.Array[net.System.Array[net.System.Double]](
                                              [doubles_to_net(a, n) for n, a in arrays.items()]))
        if error is not None:
            raise translate(error)

    # --- computing -----------------------------------------------------------------------------------

    def forward(self, xs: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """``Forward`` on xs (T, I): ys (T, O), h_n (L·D, H), c_n (L·D, H) or None; the state ends at h_n."""
        xs = sequence_argument(xs, self.input_size)
        with net_errors(self._names):
            result = self._net.Forward(to_net(xs, "xs"))
        c_n = result.FinalCellStates
        return from_net(result.Outputs), from_net(result.FinalStates), None if c_n is None else from_net(c_n)

    def layer_outputs(self, xs: ArrayLike) -> list[np.ndarray]:
        """``LayerOutputs``: the L arrays (T, D·H) each layer passes up; changes nothing."""
        xs = sequence_argument(xs, self.input_size)
        with net_errors(self._names):
            return [from_net(m) for m in self._net.LayerOutputs(to_net(xs, "xs"))]

    def step(self, x: ArrayLike) -> np.ndarray:
        """``TimeStep`` on x (I,) → y (O,); a bidirectional stack refuses with NumPy's ValueError."""
        vector = vector_argument(x, "x", lambda: self.input_size)
        System = load().System
        try:
            return from_net(self._net.TimeStep(to_net(vector.reshape(1, -1), "x")))[0].copy()
        except System.InvalidOperationException as error:  # C#'s refusal of a bidirectional step
            raise ValueError(str(error.Message)) from None
        except System.Exception as error:
            raise translate(error, self._names) from None

    def reset(self) -> None:
        """``Reset()``: h (and c) back to h0 (and c0)."""
        self._net.Reset()

    @property
    def net(self) -> Any:
        """The wrapped ``RnnPort.RecurrentStack``."""
        return self._net


def _matrix_array(values: list[Any]) -> Any:
    net = load()
    import MathNet.Numerics.LinearAlgebra as linear_algebra  # importable once load() has added the assemblies

    return net.System.Array[linear_algebra.Matrix[net.System.Double]](values)


class DotNetStackGradients:
    """``RnnPort.StackGradients`` with ``StackGradients``' attributes (NumPy layout, copies): ``gradients[name]``,
    ``parameters()``, ``h0``, ``c0``. ``rnnport.dotnet``'s SGD, Adagrad and clipping take it."""

    def __init__(self, net_gradients: Any) -> None:
        self._net = net_gradients

    def parameters(self) -> dict[str, np.ndarray]:
        """The parameters' gradients by name, in the stack's order."""
        return {str(name): _from_net_parameter(self._net[name], str(name)) for name in self._net.Names}

    def __getitem__(self, name: str) -> np.ndarray:
        return self.parameters()[name]

    @property
    def h0(self) -> np.ndarray:
        """(L·D, H): the gradient of the start states."""
        return from_net(self._net.InitialStates).copy()

    @property
    def c0(self) -> np.ndarray | None:
        """(L·D, H) for the LSTM, else None."""
        value = self._net.InitialCellStates
        return None if value is None else from_net(value).copy()

    def arrays(self) -> list[np.ndarray]:
        """Every gradient: the parameters' in order, then h0's (and c0's)."""
        c0 = self.c0
        return [*self.parameters().values(), self.h0, *([] if c0 is None else [c0])]


@dataclass
class DotNetStackBpttResult:
    """As ``rnnport.cells.stack_bptt.StackBpttResult``: loss, gradients (in .NET), h_n, c_n."""

    loss: float
    gradients: DotNetStackGradients
    h_n: np.ndarray
    c_n: np.ndarray | None


def stack_bptt(model: DotNetRecurrentStack, xs: ArrayLike, targets: ArrayLike, h0: ArrayLike | None = None,
               c0: ArrayLike | None = None) -> DotNetStackBpttResult:
    """``RnnPort.StackBptt.Run``: as ``rnnport.cells.stack_bptt.bptt``; changes nothing."""
    load()
    import RnnPort  # the namespace, importable once load() has added the assemblies

    xs = sequence_argument(xs, model.input_size)
    net_h0, net_c0 = _states_to_net(h0, "h0", model._states_shape), _states_to_net(c0, "c0", model._states_shape)
    names = {**model._names, "initialStates": ("h0", "same"), "initialCellStates": ("c0", "same")}
    with net_errors(names):
        result = RnnPort.StackBptt.Run(model._net, to_net(xs, "xs"),
                                       targets_to_net(targets, xs.shape[0], model.output_size), net_h0, net_c0)
    c_n = result.FinalCellStates
    return DotNetStackBpttResult(float(result.Loss), DotNetStackGradients(result.Gradients), from_net(result.FinalStates),
                                 None if c_n is None else from_net(c_n))
