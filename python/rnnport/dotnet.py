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

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator

import numpy as np
from numpy.typing import ArrayLike

from rnnport._checks import as_float64, check_shape
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
    except Exception as error:  # System.IO.FileNotFoundException
        raise ImportError(f"cannot load {name}.dll: build it with `make build` or set RNNPORT_DOTNET_DIR "
                          f"({error})") from None

    import System
    from RnnPort import RNN as NetRNN, ActivationFunctions
    from RnnPort.Bridge import ArrayTransfer

    _net = SimpleNamespace(System=System, RNN=NetRNN, ActivationFunctions=ActivationFunctions,
                           ArrayTransfer=ArrayTransfer)
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


def _row(vector: np.ndarray) -> np.ndarray:
    """A (n,) vector as the (1, n) row the C# model takes; 0-d and >1-d pass through to be rejected there."""
    return vector.reshape(1, -1) if vector.ndim == 1 else vector


class DotNetRNN:
    """``RnnPort.RNN`` (C#, MathNet.Numerics) with the API and NumPy layout of ``rnnport.RNN``.

    Parameters and errors are those of :class:`rnnport.RNN`: weights ``W_xh`` (H, I), ``W_hh`` (H, H),
    ``W_hy`` (O, H), ``h0`` (H,). Dtype problems raise ``TypeError`` here; shapes and non-finite
    values are checked by the C# model and its ``ArgumentException`` arrives as ``ValueError``
    carrying the .NET message (shapes in C#'s row layout, e.g. ``1×3``).
    """

    def __init__(self, W_xh: ArrayLike, W_hh: ArrayLike, W_hy: ArrayLike,
                 h0: ArrayLike | None = None, activation: ActivationName = "tanh") -> None:
        net = load()
        weights = [as_float64(w, n) for w, n in ((W_xh, "W_xh"), (W_hh, "W_hh"), (W_hy, "W_hy"))]
        for w, n in zip(weights, ("W_xh", "W_hh", "W_hy")):
            check_shape(w, (None, None), n, ("?", "?"))  # rank only; sizes are C#'s to check
        W_xh, W_hh, W_hy = weights
        h0_row = None if h0 is None else to_net(_row(as_float64(h0, "h0")))
        with _net_errors():
            self._net = net.RNN(to_net(W_xh.T), to_net(W_hh.T), to_net(W_hy.T), h0_row,
                                net.ActivationFunctions.Parse(activation))
        self.activation: ActivationName = activation

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
        """A copy of the state, shape (H,) (C#: ``State``, 1×H)."""
        return from_net(self._net.State)[0].copy()

    @h.setter
    def h(self, value: ArrayLike) -> None:
        with _net_errors():
            self._net.State = to_net(_row(as_float64(value, "h")))

    @property
    def h0(self) -> np.ndarray:
        """A copy of the initial state, shape (H,)."""
        return from_net(self._net.InitialState)[0].copy()

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
        """``TimeStep`` on x of shape (I,); returns y of shape (O,)."""
        x = as_float64(x, "x")
        with _net_errors():
            y = self._net.TimeStep(to_net(_row(x)))
        return from_net(y)[0].copy()

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
    ``ArgumentNullException`` → ``TypeError``, any other ``ArgumentException`` → ``ValueError``."""
    System = load().System
    try:
        yield
    except System.ArgumentNullException as error:
        raise TypeError(f"{error.Message} [{error.GetType().Name}]") from None
    except System.ArgumentException as error:
        raise ValueError(f"{error.Message} [{error.GetType().Name}]") from None
