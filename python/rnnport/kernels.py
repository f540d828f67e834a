"""The arithmetic kernels a model computes with: ``FAST`` (NumPy/BLAS) or ``EXACT`` (MathNet's order).

Every reduction and transcendental of the NumPy model, its loss, BPTT and optimisers goes through
one of these two objects, so the choice is made once, per model (``RNN(..., kernel="exact")``).

``EXACT`` reproduces, operation for operation, what the C# side does on MathNet.Numerics 5.0.0's
managed provider (pinned there with ``Control.UseManaged()``):

- a matrix product sums ``acc = acc + a_k·b_k`` for k = 0, 1, … starting from +0.0, one rounding
  per product and one per addition, never fused (RyuJIT emits no FMA for ``a*b+c``);
- ``tanh``, ``exp`` and ``log`` are the C library's, called one element at a time through Python's
  ``math`` module, which is what .NET's ``Math.Tanh``/``Exp``/``Log`` call too;
- sums (softmax denominators, the loss over steps, the global gradient norm) run left to right.

The price is speed: a matrix-vector product becomes n vectorised multiply-adds instead of one BLAS
call. ``docs/exact-mode.md`` lists the contract operation by operation.
"""
from __future__ import annotations

import math
from typing import Literal

import numpy as np

KernelName = Literal["fast", "exact"]


class FastKernels:
    """NumPy as usual: BLAS products (any summation order), SIMD tanh/exp/log, pairwise sums."""

    name: KernelName = "fast"

    @staticmethod
    def matvec(A: np.ndarray, v: np.ndarray) -> np.ndarray:
        """A @ v for A (m, n) and v (n,), or the rows of v (T, n) at once: returns (m,) or (T, m)."""
        return v @ A.T

    tanh = staticmethod(np.tanh)
    exp = staticmethod(np.exp)
    log = staticmethod(np.log)

    @staticmethod
    def sum(values: np.ndarray) -> float:
        """Σ values (NumPy's pairwise summation)."""
        return float(np.sum(values))


class ExactKernels:
    """MathNet's managed order and the C library's transcendentals, bit for bit."""

    name: KernelName = "exact"

    @staticmethod
    def matvec(A: np.ndarray, v: np.ndarray) -> np.ndarray:
        """A @ v as MathNet sums it: ``acc = acc + A[:, k] * v[k]``, k ascending, from +0.0.

        With v of shape (T, n), every row is done at once: ``acc[t] = acc[t] + v[t, k] * A[:, k]``.
        Each product and each addition is one IEEE operation, so the result is independent of how
        NumPy vectorises across rows and columns.
        """
        acc = np.zeros(v.shape[:-1] + (A.shape[0],))
        for k in range(A.shape[1]):
            acc = acc + v[..., k, None] * A[:, k] if v.ndim > 1 else acc + A[:, k] * v[k]
        return acc

    @staticmethod
    def tanh(a: np.ndarray) -> np.ndarray:
        """The C library's tanh, element by element (``math.tanh``, as ``Math.Tanh``)."""
        return _map(math.tanh, a)

    @staticmethod
    def exp(a: np.ndarray) -> np.ndarray:
        """The C library's exp, element by element (``math.exp``, as ``Math.Exp``)."""
        return _map(math.exp, a)

    @staticmethod
    def log(a: np.ndarray) -> np.ndarray:
        """The C library's log, element by element (``math.log``, as ``Math.Log``); log(0) = -inf."""
        return _map(lambda x: math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan), a)

    @staticmethod
    def sum(values: np.ndarray) -> float:
        """Σ values left to right in C order, from +0.0."""
        acc = 0.0
        for x in np.ravel(values).tolist():
            acc += x
        return acc


def _map(function, a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    return np.fromiter(map(function, a.ravel().tolist()), dtype=np.float64, count=a.size).reshape(a.shape)


FAST = FastKernels()
EXACT = ExactKernels()


def kernels(name: str) -> FastKernels | ExactKernels:
    """The kernel set called ``name`` ("fast" or "exact"), or ValueError."""
    if name == "fast":
        return FAST
    if name == "exact":
        return EXACT
    raise ValueError(f"unknown kernel {name!r}: expected 'fast' or 'exact'")
