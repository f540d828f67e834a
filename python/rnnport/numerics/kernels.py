"""The arithmetic kernels a model computes with: ``FAST`` (NumPy/BLAS) or ``EXACT`` (MathNet's order).

Every reduction and transcendental of the NumPy model, its loss, BPTT and optimisers goes through
one of these two objects, so the choice is made once, per model (``RNN(..., kernel="exact")``).

``EXACT`` reproduces, operation for operation, what the C# side does on MathNet.Numerics 5.0.0's
managed provider (pinned there with ``Control.UseManaged()``):

- a matrix product sums ``acc = acc + a_k·b_k`` for k = 0, 1, … starting from +0.0, one rounding
  per product and one per addition, never fused (RyuJIT emits no FMA for ``a*b+c``); NumPy does
  it with element-wise products and ``np.add.reduce`` along a slow axis, which adds in order;
- ``tanh``, ``exp`` and ``log`` are the C library's, called one element at a time through Python's
  ``math`` module, which is what .NET's ``Math.Tanh``/``Exp``/``Log`` call too;
- sums (softmax denominators, the loss over steps, the global gradient norm) run left to right.

The price is speed: a matrix-vector product becomes an element-wise product and a reduction, with
an m×n temporary, instead of one BLAS call. ``docs/exact-mode.md`` lists the contract operation by operation.
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
    def prepare(A: np.ndarray) -> np.ndarray:
        """What ``matvec_prepared`` takes for A: A itself (BLAS reads any layout)."""
        return A

    @staticmethod
    def matvec_prepared(A: np.ndarray, v: np.ndarray) -> np.ndarray:
        """A @ v for A (m, n) and v (n,), or the rows of v (T, n) at once: returns (m,) or (T, m)."""
        return v @ A.T

    def matvec(self, A: np.ndarray, v: np.ndarray) -> np.ndarray:
        """A @ v; see ``matvec_prepared``."""
        return self.matvec_prepared(self.prepare(A), v)

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
    def prepare(A: np.ndarray) -> np.ndarray:
        """A's transpose, C-contiguous (n, m): row k holds column k of A. A model prepares each weight
        once per sequence, so the copy is paid once, not once per step."""
        return np.ascontiguousarray(A.T)

    @staticmethod
    def matvec_prepared(A_T: np.ndarray, v: np.ndarray) -> np.ndarray:
        """A @ v as MathNet sums it, ``acc = acc + A[j, k] * v[k]`` for k ascending from +0.0, given
        ``A_T = prepare(A)``; v is (n,) or (T, n) rows.

        The products are formed element-wise (one rounding each) with k as the *slow* axis, then
        ``np.add.reduce`` over that axis adds them row after row: NumPy sums pairwise only along
        the fast (contiguous) axis, and along any other axis adds each row to the running result in
        turn, so every output element sees its products in k order. The reduction starts from the
        first product, not from +0.0; the two differ only while every product so far is -0.0, and
        then only in the sign of zero, so adding +0.0 at the end gives MathNet's bits exactly.
        ``tests/test_kernels.py`` checks all of this against a plain Python loop, and the exact
        parity suite against C#.
        """
        n, m = A_T.shape
        if n == 0:
            return np.zeros(v.shape[:-1] + (m,))
        if m == 1:  # an (n, 1) array's k axis *is* its contiguous axis, which NumPy sums pairwise:
            padded = np.concatenate([A_T, np.zeros_like(A_T)], axis=1)  # a zero column moves it
            return ExactKernels.matvec_prepared(padded, v)[..., :1]
        if v.ndim == 1:
            return np.add.reduce(A_T * v[:, None], axis=0) + 0.0
        out = np.empty((v.shape[0], m))
        block = max(1, (1 << 20) // (m * n))  # rows per block: (rows, n, m) products near 8 MB
        for start in range(0, v.shape[0], block):
            rows = v[start:start + block]
            out[start:start + block] = np.add.reduce(rows[:, :, None] * A_T[None, :, :], axis=1) + 0.0
        return out

    def matvec(self, A: np.ndarray, v: np.ndarray) -> np.ndarray:
        """A @ v in MathNet's order; prepares A on every call (see ``prepare``)."""
        return self.matvec_prepared(self.prepare(A), v)

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
Kernels = FastKernels | ExactKernels  # either set: what a model, the loss and the clipping compute with


def kernels(name: str) -> Kernels:
    """The kernel set called ``name`` ("fast" or "exact"), or ValueError."""
    if name == "fast":
        return FAST
    if name == "exact":
        return EXACT
    raise ValueError(f"unknown kernel {name!r}: expected 'fast' or 'exact'")
