"""The bridge to the C# model: ``DotNetRNN`` is ``RnnPort.RNN`` behind ``rnnport.RNN``'s API.

This is the only module that talks to .NET. Its .NET half is the ``RnnPort.Bridge`` project.

Bootstrap (:func:`load`): inside the .NET host (``dotnet/pyhost``), ``clr`` is already loaded and is
used as it is. Elsewhere, a user who installed pythonnet from PyPI gets ``pythonnet.load("coreclr")``.
The assemblies are looked up on ``sys.path``, then in ``$RNNPORT_DOTNET_DIR``, then in this source
tree's Release build of the host.

Layout: callers pass NumPy-layout weights (column convention, ``W_xh`` (H, I) …); the C# model wants
their transposes (``inputWeights`` = ``W_xh.T`` (I×H) …). Every transpose is written out below as
``.T``; nothing is guessed from shapes.

Transfer: a MathNet dense matrix is column-major, so an (r, c) matrix is block-copied from an
F-contiguous (r, c) NumPy array by ``ArrayTransfer.ToMatrix`` and back by ``ArrayTransfer.CopyTo``:
one ``Marshal.Copy`` per array, never pythonnet's element-by-element conversion.

Errors: the C# library decides what it refuses; :func:`_translate` turns its exception into the
documented Python type with a one-line message in NumPy terms (docs/bad-input.md). What C# cannot be
asked (ranks, dtypes, Python types, sizes past a .NET ``int``) is checked here first with the shared
rules of :mod:`rnnport._checks`. Two pythonnet hazards are kept off the boundary: constructors are
called through ``RnnPort.Bridge.Construct``, which returns their error (a constructor throwing into
Python leaks native memory), and no string holding a lone surrogate is passed (pythonnet aborts the
process converting one).
"""
from __future__ import annotations

import json
import math
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterator

import numpy as np
from numpy.typing import ArrayLike

from rnnport._checks import (as_float64, as_int_array, as_int_scalar, as_real_scalar, check_index, check_shape,
                             shape_str, unknown_activation)
from rnnport.atomic import AtomicWriteError
from rnnport.bptt import BpttResult
from rnnport.charlm import Vocabulary
from rnnport.model_metadata import check_hyperparameters
from rnnport.modelfile import ModelFile, ModelFileError
from rnnport.rnn import ActivationName

_ASSEMBLIES = ("RnnPort", "RnnPort.Bridge")
_net: SimpleNamespace | None = None


def _assembly_dirs() -> list[str]:
    repo = Path(__file__).resolve().parents[2]
    candidates = [os.environ.get("RNNPORT_DOTNET_DIR", ""),
                  str(repo / "dotnet/src/RnnPort.PythonHost/bin/Release/net10.0")]
    return [d for d in candidates if d and Path(d, "RnnPort.Bridge.dll").is_file()]


def load() -> SimpleNamespace:
    """Load .NET and the RnnPort assemblies once; return the .NET names the bridge uses.

    Raises
    ------
    ImportError
        pythonnet is neither loaded (the host) nor installed, or the assemblies are not built.
    """
    global _net  # a per-process cache of the loaded runtime, which is itself per-process
    if _net is not None:
        return _net
    if "clr" not in sys.modules:  # not inside the .NET host: start CoreCLR through PyPI's pythonnet
        try:
            import pythonnet
        except ImportError as error:
            raise ImportError("rnnport.dotnet needs pythonnet: run inside the .NET host (dotnet/pyhost) "
                              "or `pip install pythonnet`") from error
        pythonnet.load("coreclr")
    import clr

    for directory in _assembly_dirs():
        if directory not in sys.path:
            sys.path.append(directory)
    try:
        for name in _ASSEMBLIES:
            clr.AddReference(name)
        clr.AddReference("System.Text.Json")  # JsonNode, for the model file's hyper-parameters
    except Exception as error:  # System.IO.FileNotFoundException
        raise ImportError(f"cannot load {name}.dll: build it with `make build` or set RNNPORT_DOTNET_DIR "
                          f"({error})") from None

    import System
    import System.IO
    from System.Text.Json.Nodes import JsonNode
    import RnnPort
    from RnnPort.Bridge import ArrayTransfer, Construct, StepTiming

    _net = SimpleNamespace(System=System, JsonNode=JsonNode, ArrayTransfer=ArrayTransfer, StepTiming=StepTiming,
                           Construct=Construct,
                           **{name: getattr(RnnPort, name) for name in (
                               "RNN", "ActivationFunctions", "Bptt", "Sgd", "Adagrad", "Sampler",
                               "Vocabulary", "ModelFile", "ShapeMismatchException", "NonFiniteValueException",
                               "ModelFileException", "AtomicWriteException")})
    return _net


_INT32_MAX = 2**31 - 1  # .NET's int: the largest row or column count, and the largest element count


def fits_net(shape: tuple[int, ...], name: str) -> None:
    """Raise ``OverflowError`` unless an array of ``shape`` fits a .NET matrix (every size, and the
    element count, at most 2**31 - 1); checked before any copy, so a huge view is never copied."""
    if max(shape, default=0) > _INT32_MAX or math.prod(shape) > _INT32_MAX:
        raise OverflowError(f"{name} has shape {shape_str(shape)}: a .NET matrix holds at most 2**31 - 1 "
                            f"elements and rows or columns")


def to_net(array: np.ndarray, name: str = "array") -> Any:
    """Copy a 2-D float64 array of shape (r, c) into a new r×c MathNet matrix (one block copy)."""
    net = load()
    fits_net(array.shape, name)
    block = np.asfortranarray(array, dtype=np.float64)  # no copy when already F-ordered float64
    return net.ArrayTransfer.ToMatrix(block.ctypes.data, block.shape[0], block.shape[1])


def _float64(value: ArrayLike, name: str) -> np.ndarray:
    """``as_float64`` after checking that the shape fits .NET (before the conversion copies anything)."""
    if isinstance(value, np.ndarray):
        fits_net(value.shape, name)
    return as_float64(value, name)


def from_net(matrix: Any) -> np.ndarray:
    """Copy an r×c MathNet matrix into a new F-contiguous float64 array of shape (r, c)."""
    out = np.empty((matrix.ColumnCount, matrix.RowCount))  # C order (c, r) is F order (r, c) of .T
    load().ArrayTransfer.CopyTo(matrix, out.ctypes.data)
    return out.T


def _vector(row: Any) -> np.ndarray | None:
    """A 1×n C# row as an (n,) array; None stays None."""
    return None if row is None else from_net(row)[0].copy()


def _vector_argument(value: ArrayLike, name: str, length: Callable[[], int | str]) -> np.ndarray:
    """A C-contiguous float64 (n,) vector, or ValueError.

    The rank is the bridge's to check (the NumPy API takes vectors; a (1, n) array must not slip
    through as C#'s 1×n row), with NumPy's message: ``length()`` gives the expected length (asked
    only on failure); the length itself is left to the C# model, which names both shapes.
    """
    vector = _float64(value, name)
    if vector.ndim != 1:
        check_shape(vector, (None,), name, (str(length()),))
    return vector


def _row(value: ArrayLike, name: str, length: Callable[[], int | str]) -> Any:
    """A (n,) vector as the 1×n C# row matrix (see ``_vector_argument``)."""
    return to_net(_vector_argument(value, name, length).reshape(1, -1), name)


class DotNetRNN:
    """``RnnPort.RNN`` (C#, MathNet.Numerics) with the API and NumPy layout of ``rnnport.RNN``.

    Parameters and errors are those of :class:`rnnport.RNN`: weights ``W_xh`` (H, I), ``W_hh`` (H, H),
    ``W_hy`` (O, H), ``h0`` (H,). Dtypes, ranks and the activation's type are checked here with the
    rules of :mod:`rnnport._checks` that ``RNN`` uses; sizes and non-finite values are checked by the
    C# model, and its exception arrives as ``ValueError`` with the message rebuilt in NumPy terms:
    the Python argument's name, its NumPy shape and NumPy coordinates (see :func:`_translate`).
    Every getter returns a copy.
    """

    def __init__(self, W_xh: ArrayLike, W_hh: ArrayLike, W_hy: ArrayLike,
                 h0: ArrayLike | None = None, activation: ActivationName = "tanh", *,
                 b_h: ArrayLike | None = None, b_y: ArrayLike | None = None) -> None:
        net = load()
        if not isinstance(activation, str) or not _is_unicode(activation):  # NumPy's ValueError: C# takes
            raise unknown_activation(activation)  # a name, and no lone surrogate can cross (see _is_unicode)
        weights = [_float64(w, n) for w, n in ((W_xh, "W_xh"), (W_hh, "W_hh"), (W_hy, "W_hy"))]
        for w, n, labels in zip(weights, ("W_xh", "W_hh", "W_hy"), (("H", "I"), ("H", "H"), ("O", "H"))):
            check_shape(w, (None, None), n, labels)  # rank only; sizes are C#'s to check
        W_xh, W_hh, W_hy = weights
        h0, b_h, b_y = (None if v is None else _row(v, n, lambda label=label: label)
                        for v, n, label in ((h0, "h0", "H"), (b_h, "b_h", "H"), (b_y, "b_y", "O")))
        # A factory returning the error, not the constructor: a .NET constructor that throws into
        # Python leaks native memory in pythonnet (see RnnPort.Bridge.Outcome).
        self._net = _made(net.Construct.Rnn(to_net(W_xh.T, "W_xh"), to_net(W_hh.T, "W_hh"), to_net(W_hy.T, "W_hy"),
                                            h0, activation, b_h, b_y))
        self.activation: ActivationName = activation
        self._output_size = int(self._net.OutputSize)  # asked once: step allocates y without a .NET call

    @classmethod
    def _wrap(cls, net_model: Any) -> DotNetRNN:
        """A DotNetRNN around an existing ``RnnPort.RNN`` (one loaded from a model file)."""
        model = cls.__new__(cls)
        model._net = net_model
        model.activation = str(load().ActivationFunctions.Name(net_model.Activation))
        model._output_size = int(net_model.OutputSize)
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
        return self._output_size

    @property
    def h(self) -> np.ndarray:
        """A copy of the state, shape (H,) (C#: ``State``, 1×H)."""
        return from_net(self._net.State)[0].copy()

    @h.setter
    def h(self, value: ArrayLike) -> None:
        with _net_errors({"State": ("h", "row")}):
            self._net.State = _row(value, "h", lambda: self.hidden_size)

    @property
    def h0(self) -> np.ndarray:
        """A copy of the initial state, shape (H,)."""
        return from_net(self._net.InitialState)[0].copy()

    @property
    def b_h(self) -> np.ndarray | None:
        """(H,) hidden bias, or None (C#: ``HiddenBias``, 1×H)."""
        return _vector(self._net.HiddenBias)

    @property
    def b_y(self) -> np.ndarray | None:
        """(O,) output bias, or None (C#: ``OutputBias``, 1×O)."""
        return _vector(self._net.OutputBias)

    def parameters(self) -> dict[str, np.ndarray]:
        """Copies of the trainable arrays by name, in NumPy layout (``RNN.parameters`` gives live ones)."""
        params = {"W_xh": self.W_xh, "W_hh": self.W_hh, "W_hy": self.W_hy, "b_h": self.b_h, "b_y": self.b_y}
        return {name: value for name, value in params.items() if value is not None}

    @property
    def W_xh(self) -> np.ndarray:
        """(H, I), the transpose of C#'s ``InputWeights``."""
        return from_net(self._net.InputWeights).T

    @property
    def W_hh(self) -> np.ndarray:
        """(H, H), the transpose of C#'s ``RecurrentWeights``."""
        return from_net(self._net.RecurrentWeights).T

    @property
    def W_hy(self) -> np.ndarray:
        """(O, H), the transpose of C#'s ``OutputWeights``."""
        return from_net(self._net.OutputWeights).T

    def step(self, x: ArrayLike) -> np.ndarray:
        """``TimeStep`` on x of shape (I,); returns y of shape (O,).

        One .NET call per step (``ArrayTransfer.Step``), straight between the NumPy buffers: the rank
        is checked here, the length and finiteness by C#, with ``TimeStep``'s messages. ``x`` and ``y``
        stay referenced here while .NET reads and writes their memory.
        """
        vector = _vector_argument(x, "x", lambda: self.input_size)
        y = np.empty(self._output_size)
        with _net_errors({"input": ("x", "row")}):
            load().ArrayTransfer.Step(self._net, vector.ctypes.data, vector.size, y.ctypes.data, y.size)
        return y

    def forward(self, xs: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """``Forward`` on xs of shape (T, I); returns ys (T, O) and hs (T, H). One crossing per array."""
        xs = _sequence(xs, self.input_size)
        with _net_errors({"inputs": ("xs", "same")}):
            result = self._net.Forward(to_net(xs, "xs"))
        return from_net(result.Item1), from_net(result.Item2)

    def reset(self) -> None:
        """``Reset()``: the state goes back to ``h0``."""
        self._net.Reset()


def _is_unicode(text: str) -> bool:
    """True unless ``text`` holds a lone surrogate: pythonnet aborts the whole process (an unhandled
    .NET exception) when it converts such a string, so none may reach a .NET call."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _net_path(path: str | os.PathLike[str], error: type[Exception]) -> str:
    """A path as a .NET string, or ``error``: a file name that is not valid UTF-8 (Python keeps its bytes
    as lone surrogates) has no .NET spelling."""
    text = os.fspath(path)
    if not _is_unicode(text):
        raise error(f"{text!r} is not a valid Unicode path: .NET cannot name this file")
    return text


def _sequence(xs: ArrayLike, input_size: int) -> np.ndarray:
    """xs as a (T, I') float64 array for C#: the rank is checked here; I' = I is C#'s to check, except
    when a size cannot be a .NET int at all: then NumPy's rule answers, since C# cannot be asked."""
    array = np.asarray(xs) if isinstance(xs, np.ndarray) else None
    if array is not None and array.ndim == 2 and array.size == 0 and max(array.shape) > _INT32_MAX:
        check_shape(array, (None, input_size), "xs", ("T", "I"))
    xs = _float64(xs, "xs")
    if xs.ndim != 2:
        check_shape(xs, (None, input_size), "xs", ("T", "I"))
    return xs


# How a C# argument is shown to the Python caller: its Python name and how its C# matrix relates to
# the NumPy array that was passed: "transposed" (a weight, C# I×H for NumPy (H, I)), "row" (a 1×n C#
# row for a NumPy (n,) vector) or "same" (xs: T×I in both). Calls whose C# names mean something
# else pass their own entries (Bptt's initialState is h_prev, Sampler's state is h).
_ARGUMENTS: dict[str, tuple[str, str]] = {
    "initialInputWeights": ("W_xh", "transposed"), "initialRecurrentWeights": ("W_hh", "transposed"),
    "initialOutputWeights": ("W_hy", "transposed"), "initialState": ("h0", "row"),
    "hiddenBias": ("b_h", "row"), "outputBias": ("b_y", "row"),
}


def _numpy_shape(rows: int | str, columns: int | str, layout: str) -> tuple[int | str, ...]:
    """The NumPy shape of a C# rows×columns matrix in ``layout`` (see ``_ARGUMENTS``)."""
    return {"transposed": (columns, rows), "row": (columns,), "same": (rows, columns)}[layout]


def _message(error: Any) -> str:
    """The .NET message on one line: without ArgumentException's " (Parameter 'x')" and
    ArgumentOutOfRangeException's "Actual value was …" line, which only repeat what the message says."""
    text = str(error.Message)
    name = getattr(error, "ParamName", None)
    if name is not None:
        text = text.split(f" (Parameter '{name}')")[0]
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def _rebuilt(error: Any, names: dict[str, tuple[str, str]]) -> str | None:
    """A ShapeMismatchException's or NonFiniteValueException's message in NumPy terms, or None when
    the argument has no known Python twin (the .NET message is used as it is)."""
    net = load()
    python = names.get(str(error.ParamName)) if error.ParamName is not None else None
    if python is None:
        return None
    name, layout = python
    if isinstance(error, net.ShapeMismatchException):
        if error.ActualRows is None:
            return None
        expected_rows = str(error.FreeRowsLabel) if error.ExpectedRows is None else int(error.ExpectedRows)
        actual = _numpy_shape(int(error.ActualRows), int(error.ActualColumns), layout)
        expected = _numpy_shape(expected_rows, int(error.ExpectedColumns), layout)
        return f"{name} has shape {shape_str(actual)}, expected {shape_str(expected)}"
    if isinstance(error, net.NonFiniteValueException):
        index = _numpy_shape(int(error.Row), int(error.Column), layout)
        return f"{name} must be finite, but element {tuple(index)} is {np.float64(float(error.Value))!r}"
    return None


def _translate(error: Any, names: dict[str, tuple[str, str]] | None = None, reading: bool = False) -> Exception:
    """The Python exception for a .NET one (thrown, or returned by a ``Construct`` factory).

    ``ModelFileException`` (and, with ``reading``, anything else but memory) → ``ModelFileError``;
    ``ArgumentNullException`` → ``TypeError``; any other ``ArgumentException`` → ``ValueError``;
    ``OverflowException`` → ``OverflowError``; any other ``ArithmeticException`` (the non-finite
    result) → ``FloatingPointError``; ``OutOfMemoryException`` → ``MemoryError``; ``AtomicWriteException``
    (a failed save, the old file intact) → ``AtomicWriteError`` (an ``OSError``); another ``IOException``
    while writing → ``OSError``; anything else → ``RuntimeError`` (a bug: no documented call raises it).
    The message is one line, names the Python argument with its NumPy shape and coordinates when the
    .NET exception says which argument, and ends with the .NET type's name in brackets.
    """
    net = load()
    System = net.System
    arguments = dict(_ARGUMENTS, **(names or {}))
    text = (_rebuilt(error, arguments) if isinstance(error, System.ArgumentException) else None) or _message(error)
    message = f"{text} [{error.GetType().Name}]"
    kinds: list[tuple[Any, type[Exception]]] = [
        (System.OutOfMemoryException, MemoryError),
        (net.ModelFileException, ModelFileError),
    ]
    if reading:
        kinds.append((System.Exception, ModelFileError))  # every reader problem is the model-file error
    kinds += [
        (System.ArgumentNullException, TypeError),
        (System.ArgumentException, ValueError),
        (System.OverflowException, OverflowError),
        (System.ArithmeticException, FloatingPointError),
        (net.AtomicWriteException, AtomicWriteError),
        (System.IO.IOException, OSError),
        (System.UnauthorizedAccessException, PermissionError),
    ]
    for kind, python_type in kinds:
        if isinstance(error, kind):
            return python_type(message)
    return RuntimeError(message)


@contextmanager
def _net_errors(names: dict[str, tuple[str, str]] | None = None, reading: bool = False) -> Iterator[None]:
    """Re-raise any .NET exception as its Python twin (:func:`_translate`)."""
    System = load().System
    try:
        yield
    except System.Exception as error:
        raise _translate(error, names, reading) from None


def _made(outcome: Any, names: dict[str, tuple[str, str]] | None = None) -> Any:
    """The object a ``Construct`` factory made, or its error raised as the Python twin."""
    if outcome.Error is not None:
        raise _translate(outcome.Error, names)
    return outcome.Value


# --- Training, sampling and the model file: the C# twins of rnnport.bptt, .optim, .sampling and
# .modelfile, operating on DotNetRNN and on gradients that stay in .NET between calls.


def _targets(values: ArrayLike, steps: int, classes: int) -> Any:
    """Targets as a .NET int[] (short: element-wise conversion is fine).

    The dtype and the rank are checked here with NumPy's rules (``as_int_array``, then a (T,)
    vector: a (6, 1), (2, 3) or 0-d array is refused, not flattened); the length and the range are
    C#'s. A target that is no 32-bit integer is out of every vocabulary, and NumPy's message says so.
    """
    array = as_int_array(values, "targets")
    if array.ndim != 1:
        check_shape(array, (steps,), "targets")
    if array.size and (array.min() < -2**31 or array.max() >= 2**31):
        t = int(np.flatnonzero((array < -2**31) | (array >= 2**31))[0])
        raise ValueError(f"targets[{t}] = {int(array[t])} is outside the vocabulary [0, {classes})")
    net = load()
    return net.System.Array[net.System.Int32]([int(v) for v in array])


def _double_array(values: ArrayLike, name: str) -> Any:
    """A .NET double[] from a 1-D array: one block copy into a 1×n matrix, whose storage is the row."""
    array = _float64(values, name)
    check_shape(array, (None,), name, ("N",))
    return to_net(array.reshape(1, -1), name).ToColumnMajorArray()


class DotNetGradients:
    """``RnnPort.Gradients`` with the attributes of :class:`rnnport.bptt.Gradients` (NumPy layout, copies)."""

    def __init__(self, net_gradients: Any) -> None:
        self._net = net_gradients

    W_xh = property(lambda self: from_net(self._net.InputWeights).T, doc="(H, I) = C# InputWeightsᵀ")
    W_hh = property(lambda self: from_net(self._net.RecurrentWeights).T, doc="(H, H) = C# RecurrentWeightsᵀ")
    W_hy = property(lambda self: from_net(self._net.OutputWeights).T, doc="(O, H) = C# OutputWeightsᵀ")
    b_h = property(lambda self: _vector(self._net.HiddenBias), doc="(H,) or None")
    b_y = property(lambda self: _vector(self._net.OutputBias), doc="(O,) or None")
    h0 = property(lambda self: _vector(self._net.InitialState), doc="(H,) gradient w.r.t. the initial state")

    def parameters(self) -> dict[str, np.ndarray]:
        """The parameter gradients by name (copies, NumPy layout, no h0)."""
        grads = {"W_xh": self.W_xh, "W_hh": self.W_hh, "W_hy": self.W_hy, "b_h": self.b_h, "b_y": self.b_y}
        return {name: value for name, value in grads.items() if value is not None}


def bptt(model: DotNetRNN, xs: ArrayLike, targets: ArrayLike, h_prev: ArrayLike | None = None) -> BpttResult:
    """``RnnPort.Bptt.Run``: as :func:`rnnport.bptt.bptt`; the gradients stay in .NET."""
    xs = _sequence(xs, model.input_size)
    start = None if h_prev is None else _row(h_prev, "h_prev", lambda: model.hidden_size)
    with _net_errors({"inputs": ("xs", "same"), "initialState": ("h_prev", "row")}):
        result = load().Bptt.Run(model._net, to_net(xs, "xs"), _targets(targets, xs.shape[0], model.output_size), start)
    return BpttResult(float(result.Loss), DotNetGradients(result.Gradients), _vector(result.FinalState))


def clip_elementwise(gradients: DotNetGradients, limit: float) -> None:
    """``Bptt.ClipElementwise``: clip every gradient element to [−limit, limit], in .NET."""
    limit = as_real_scalar(limit, "limit")  # NumPy's rule: TypeError for "5", True, None
    with _net_errors():
        load().Bptt.ClipElementwise(gradients._net, limit)


def clip_global_norm(gradients: DotNetGradients, max_norm: float) -> float:
    """``Bptt.ClipGlobalNorm``: scale the parameter gradients to norm ≤ max_norm; returns the norm before."""
    max_norm = as_real_scalar(max_norm, "max_norm")
    with _net_errors():
        return float(load().Bptt.ClipGlobalNorm(gradients._net, max_norm))


class _Optimizer:
    """A C# optimiser with ``rnnport.optim``'s ``step(model, gradients)``."""

    _net: Any

    def step(self, model: DotNetRNN, gradients: DotNetGradients) -> None:
        """Apply one update to the C# model's parameters."""
        with _net_errors():
            self._net.Step(model._net, gradients._net)


class SGD(_Optimizer):
    """``RnnPort.Sgd``: ``p -= learning_rate * g``."""

    def __init__(self, learning_rate: float) -> None:
        # NumPy's type rule here, C#'s range rule in the factory (which returns, not throws, its error)
        self._net = _made(load().Construct.Sgd(as_real_scalar(learning_rate, "learning_rate")))


class Adagrad(_Optimizer):
    """``RnnPort.Adagrad``: ``m += g²; p -= learning_rate * g / sqrt(m + eps)``."""

    def __init__(self, learning_rate: float, eps: float = 1e-8) -> None:
        self._net = _made(load().Construct.Adagrad(as_real_scalar(learning_rate, "learning_rate"),
                                                   as_real_scalar(eps, "eps")))


def sample(model: DotNetRNN, seed_index: int, uniforms: ArrayLike, temperature: float = 1.0,
           h: ArrayLike | None = None) -> list[int]:
    """``RnnPort.Sampler.Sample``: as :func:`rnnport.sampling.sample`."""
    seed_index = as_int_scalar(seed_index, "seed_index")  # NumPy's rules: TypeError for True, 1.5
    temperature = as_real_scalar(temperature, "temperature")
    if not -2**31 <= seed_index < 2**31:  # no .NET int can carry it, so it is outside every vocabulary
        check_index(seed_index, model.input_size, "seed index")
    start = None if h is None else _row(h, "h", lambda: model.hidden_size)
    with _net_errors({"state": ("h", "row")}):
        picks = load().Sampler.Sample(model._net, seed_index, _double_array(uniforms, "uniforms"), temperature, start)
    return [int(i) for i in picks]


def save(path: str | os.PathLike[str], model: DotNetRNN, vocabulary: Vocabulary | None = None,
         hyperparameters: dict[str, Any] | None = None) -> None:
    """``RnnPort.ModelFile.Save``: writes the format of :mod:`rnnport.modelfile` from C#."""
    net = load()
    vocab = None
    if vocabulary is not None:  # in the given order (Vocabulary.Of would sort); C# refuses repeats
        codes = net.System.Array[net.System.Int32]([ord(c) for c in vocabulary.chars])  # see Construct.Vocabulary
        vocab = _made(net.Construct.Vocabulary(codes))
    # The hyper-parameters cross as JSON text, which has no NaN or Infinity: the model file's own
    # writer rule (D4, docs/model-file.md) is checked here, with NumPy's message, before they cross.
    check_hyperparameters(hyperparameters or {})
    text = json.dumps(hyperparameters or {}, allow_nan=False)
    hyper = net.JsonNode.Parse(text).AsObject()
    with _net_errors():
        net.ModelFile.Save(_net_path(path, ValueError), model._net, vocab, hyper)


def load_model(path: str | os.PathLike[str]) -> ModelFile:
    """``RnnPort.ModelFile.Load``: a model file read by C#, as a :class:`ModelFile` holding a DotNetRNN."""
    with _net_errors(reading=True):  # a missing file included: every reader problem is ModelFileError
        contents = load().ModelFile.Load(_net_path(path, ModelFileError))
        vocabulary = None if contents.Vocabulary is None else Vocabulary(str(contents.Vocabulary.Chars))
        hyper = json.loads(str(contents.Hyperparameters.ToJsonString()))
    return ModelFile(DotNetRNN._wrap(contents.Model), vocabulary, hyper)
