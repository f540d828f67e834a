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
"""
from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator

import numpy as np
from numpy.typing import ArrayLike

from rnnport._checks import as_float64, check_shape, shape_str
from rnnport.atomic import AtomicWriteError
from rnnport.bptt import BpttResult
from rnnport.charlm import Vocabulary
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
    from RnnPort.Bridge import ArrayTransfer, StepTiming

    _net = SimpleNamespace(System=System, JsonNode=JsonNode, ArrayTransfer=ArrayTransfer, StepTiming=StepTiming,
                           **{name: getattr(RnnPort, name) for name in (
                               "RNN", "ActivationFunctions", "Bptt", "Sgd", "Adagrad", "Sampler",
                               "Vocabulary", "ModelFile", "AtomicWriteException")})
    return _net


def to_net(array: np.ndarray) -> Any:
    """Copy a 2-D float64 array of shape (r, c) into a new r×c MathNet matrix (one block copy)."""
    net = load()
    block = np.asfortranarray(array, dtype=np.float64)  # no copy when already F-ordered float64
    return net.ArrayTransfer.ToMatrix(block.ctypes.data, block.shape[0], block.shape[1])


def from_net(matrix: Any) -> np.ndarray:
    """Copy an r×c MathNet matrix into a new F-contiguous float64 array of shape (r, c)."""
    out = np.empty((matrix.ColumnCount, matrix.RowCount))  # C order (c, r) is F order (r, c) of .T
    load().ArrayTransfer.CopyTo(matrix, out.ctypes.data)
    return out.T


def _vector(row: Any) -> np.ndarray | None:
    """A 1×n C# row as an (n,) array; None stays None."""
    return None if row is None else from_net(row)[0].copy()


def _vector_argument(value: ArrayLike, name: str) -> np.ndarray:
    """A C-contiguous float64 (n,) vector, or ValueError.

    The rank is the bridge's to check (the NumPy API takes vectors; a (1, n) array must not slip
    through as C#'s 1×n row); the length is left to the C# model, which names both shapes.
    """
    vector = as_float64(value, name)
    if vector.ndim != 1:
        raise ValueError(f"{name} has shape {shape_str(vector.shape)}, expected a vector (n,)")
    return vector


def _row(value: ArrayLike, name: str) -> Any:
    """A (n,) vector as the 1×n C# row matrix (see ``_vector_argument``)."""
    return to_net(_vector_argument(value, name).reshape(1, -1))


class DotNetRNN:
    """``RnnPort.RNN`` (C#, MathNet.Numerics) with the API and NumPy layout of ``rnnport.RNN``.

    Parameters and errors are those of :class:`rnnport.RNN`: weights ``W_xh`` (H, I), ``W_hh`` (H, H),
    ``W_hy`` (O, H), ``h0`` (H,). Dtype problems raise ``TypeError`` here; shapes and non-finite
    values are checked by the C# model and its ``ArgumentException`` arrives as ``ValueError``
    carrying the .NET message (shapes in C#'s row layout, e.g. ``1×3``).
    """

    def __init__(self, W_xh: ArrayLike, W_hh: ArrayLike, W_hy: ArrayLike,
                 h0: ArrayLike | None = None, activation: ActivationName = "tanh", *,
                 b_h: ArrayLike | None = None, b_y: ArrayLike | None = None) -> None:
        net = load()
        weights = [as_float64(w, n) for w, n in ((W_xh, "W_xh"), (W_hh, "W_hh"), (W_hy, "W_hy"))]
        for w, n in zip(weights, ("W_xh", "W_hh", "W_hy")):
            check_shape(w, (None, None), n, ("?", "?"))  # rank only; sizes are C#'s to check
        W_xh, W_hh, W_hy = weights
        h0, b_h, b_y = (None if v is None else _row(v, n)
                        for v, n in ((h0, "h0"), (b_h, "b_h"), (b_y, "b_y")))
        with _net_errors():
            self._net = net.RNN(to_net(W_xh.T), to_net(W_hh.T), to_net(W_hy.T), h0,
                                net.ActivationFunctions.Parse(activation), b_h, b_y)
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
        with _net_errors():
            self._net.State = _row(value, "h")

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
        vector = _vector_argument(x, "x")
        y = np.empty(self._output_size)
        with _net_errors():
            load().ArrayTransfer.Step(self._net, vector.ctypes.data, vector.size, y.ctypes.data, y.size)
        return y

    def forward(self, xs: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """``Forward`` on xs of shape (T, I); returns ys (T, O) and hs (T, H). One crossing per array."""
        xs = as_float64(xs, "xs")
        if xs.ndim != 2:
            check_shape(xs, (None, self.input_size), "xs", ("T", "I"))
        with _net_errors():
            result = self._net.Forward(to_net(xs))
        return from_net(result.Item1), from_net(result.Item2)

    def reset(self) -> None:
        """``Reset()``: the state goes back to ``h0``."""
        self._net.Reset()


@contextmanager
def _net_errors() -> Iterator[None]:
    """Re-raise .NET argument errors as Python's, keeping the .NET message and type name:
    ``ArgumentNullException`` → ``TypeError``, any other ``ArgumentException`` → ``ValueError``,
    ``AtomicWriteException`` (a failed save) → ``AtomicWriteError``, another ``IOException``
    (``RnnPort.ModelFileException``, a bad model file) → ``ModelFileError``, ``FileNotFoundException`` →
    ``FileNotFoundError``."""
    System = load().System
    try:
        yield
    except System.IO.FileNotFoundException as error:
        raise FileNotFoundError(f"{error.Message} [{error.GetType().Name}]") from None
    except load().AtomicWriteException as error:  # a failed save: the old file is intact
        raise AtomicWriteError(f"{error.Message} [{error.GetType().Name}]") from None
    except System.IO.IOException as error:  # RnnPort.ModelFileException
        raise ModelFileError(f"{error.Message} [{error.GetType().Name}]") from None
    except System.ArgumentNullException as error:
        raise TypeError(f"{error.Message} [{error.GetType().Name}]") from None
    except System.ArgumentException as error:
        raise ValueError(f"{error.Message} [{error.GetType().Name}]") from None


# --- Training, sampling and the model file: the C# twins of rnnport.bptt, .optim, .sampling and
# .modelfile, operating on DotNetRNN and on gradients that stay in .NET between calls.


def _int_array(values: ArrayLike, name: str) -> Any:
    """A .NET int[] from integer values (targets are short: element-wise conversion is fine)."""
    array = np.asarray(values)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must be integers, got dtype {array.dtype}")
    if array.size and (array.min() < -2**31 or array.max() >= 2**31):
        raise ValueError(f"{name} must fit in 32 bits")
    return load().System.Array[load().System.Int32]([int(v) for v in array.ravel()])


def _double_array(values: ArrayLike, name: str) -> Any:
    """A .NET double[] from a 1-D array: one block copy into a 1×n matrix, whose storage is the row."""
    array = as_float64(values, name)
    check_shape(array, (None,), name, ("N",))
    return to_net(array.reshape(1, -1)).ToColumnMajorArray()


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
    xs = as_float64(xs, "xs")
    check_shape(xs, (None, None), "xs", ("T", "I"))
    start = None if h_prev is None else _row(h_prev, "h_prev")
    with _net_errors():
        result = load().Bptt.Run(model._net, to_net(xs), _int_array(targets, "targets"), start)
    return BpttResult(float(result.Loss), DotNetGradients(result.Gradients), _vector(result.FinalState))


def clip_elementwise(gradients: DotNetGradients, limit: float) -> None:
    """``Bptt.ClipElementwise``: clip every gradient element to [−limit, limit], in .NET."""
    with _net_errors():
        load().Bptt.ClipElementwise(gradients._net, float(limit))


def clip_global_norm(gradients: DotNetGradients, max_norm: float) -> float:
    """``Bptt.ClipGlobalNorm``: scale the parameter gradients to norm ≤ max_norm; returns the norm before."""
    with _net_errors():
        return float(load().Bptt.ClipGlobalNorm(gradients._net, float(max_norm)))


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
        with _net_errors():
            self._net = load().Sgd(float(learning_rate))


class Adagrad(_Optimizer):
    """``RnnPort.Adagrad``: ``m += g²; p -= learning_rate * g / sqrt(m + eps)``."""

    def __init__(self, learning_rate: float, eps: float = 1e-8) -> None:
        with _net_errors():
            self._net = load().Adagrad(float(learning_rate), float(eps))


def sample(model: DotNetRNN, seed_index: int, uniforms: ArrayLike, temperature: float = 1.0,
           h: ArrayLike | None = None) -> list[int]:
    """``RnnPort.Sampler.Sample``: as :func:`rnnport.sampling.sample`."""
    start = None if h is None else _row(h, "h")
    with _net_errors():
        picks = load().Sampler.Sample(model._net, int(seed_index), _double_array(uniforms, "uniforms"),
                                      float(temperature), start)
    return [int(i) for i in picks]


def save(path: str | os.PathLike[str], model: DotNetRNN, vocabulary: Vocabulary | None = None,
         hyperparameters: dict[str, Any] | None = None) -> None:
    """``RnnPort.ModelFile.Save``: writes the format of :mod:`rnnport.modelfile` from C#."""
    net = load()
    vocab = None
    if vocabulary is not None:  # in the given order: Vocabulary.Of would sort the characters
        from System.Collections.Generic import List
        from System.Text import Rune

        runes = List[Rune]()
        for c in vocabulary.chars:
            runes.Add(Rune(ord(c)))
        vocab = net.Vocabulary(runes)
    hyper = net.JsonNode.Parse(json.dumps(hyperparameters or {})).AsObject()
    with _net_errors():
        net.ModelFile.Save(os.fspath(path), model._net, vocab, hyper)


def load_model(path: str | os.PathLike[str]) -> ModelFile:
    """``RnnPort.ModelFile.Load``: a model file read by C#, as a :class:`ModelFile` holding a DotNetRNN."""
    with _net_errors():
        contents = load().ModelFile.Load(os.fspath(path))
    vocabulary = None if contents.Vocabulary is None else Vocabulary(str(contents.Vocabulary.Chars))
    hyper = json.loads(contents.Hyperparameters.ToJsonString())
    return ModelFile(DotNetRNN._wrap(contents.Model), vocabulary, hyper)
