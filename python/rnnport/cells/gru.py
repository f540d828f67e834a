"""A gated recurrent unit with torch.nn.GRU's equations and gate order (r, z, n). C# twin: ``RnnPort.GRU``.

Column convention, as ``rnnport.RNN``; the row blocks of the weights are the gates in torch's order::

    gi = W_ih @ x (+ b_ih)           # (3H,) = [gi_r; gi_z; gi_n]
    gh = W_hh @ h (+ b_hh)           # (3H,) = [gh_r; gh_z; gh_n]
    r  = σ(gi_r + gh_r)              # reset gate
    z  = σ(gi_z + gh_z)              # update gate
    n  = tanh(gi_n + r ⊙ gh_n)       # candidate: r multiplies W_hn h + b_hn, not h
    h' = (1 − z) ⊙ n + z ⊙ h
    y  = W_hy @ h' (+ b_y)

``W_ih`` and ``W_hh`` are torch's ``weight_ih_l0`` and ``weight_hh_l0``, ``b_ih``/``b_hh`` its
``bias_ih_l0``/``bias_hh_l0``. σ(a) = 1 / (1 + exp(−a)). docs/exact-mode.md ("GRU") lists the
exact-mode operation order, which the C# side follows bit for bit.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from rnnport.cells.batch import checked_batch, outputs, projected, refuse_non_finite_batch, start_rows
from rnnport.cells.output_layer import OutputLayer
from rnnport.cells.parameter_store import ParameterStore, read_only
from rnnport.cells.sigmoid import logistic
from rnnport.cells.state import HiddenState
from rnnport.numerics.checks import as_float64, check_finite, check_shape
from rnnport.numerics.finite_results import all_finite, refuse_non_finite, refuse_non_finite_steps
from rnnport.numerics.kernels import FAST, KernelName, kernels

PARAMETERS = ("W_ih", "W_hh", "W_hy", "b_ih", "b_hh", "b_y")  # the order of parameters() and of the gradients


def gru_sigmoid(a: np.ndarray, exact: bool) -> np.ndarray:
    """σ(a) = 1.0 / (1.0 + exp(−a)), element-wise; exact: the C library's exp, one element at a time.

    exp(−a) = inf for a ≲ −709.78 makes σ = 0.0 exactly, in both modes and both languages.
    """
    return logistic(a, exact)


def gru_cell(k: Any, gi: np.ndarray, h: np.ndarray, whh_h: np.ndarray, b_hh: np.ndarray | None,
             tape: list | None = None) -> np.ndarray:
    """h' (H,) from gi = W_ih x (+ b_ih) (3H,), the previous state h (H,) and W_hh h (3H,), in the exact-mode order.

    ``tape``, when given, receives (r, z, n, gh_n). The one per-step arithmetic of ``GRU`` and of a GRU
    layer of ``RecurrentStack``. Element-wise NumPy operations round once each, so this order is the C#
    side's bit for bit when gi and W_hh h are; only the kernels' sums, exp and tanh differ between the modes.
    """
    H = h.shape[-1]  # h may also be (B, H), gi and whh_h (B, 3H): B rows at once, each row's arithmetic unchanged
    gh = whh_h if b_hh is None else whh_h + b_hh
    exact = k is not FAST
    r = gru_sigmoid(gi[..., :H] + gh[..., :H], exact)
    z = gru_sigmoid(gi[..., H:2 * H] + gh[..., H:2 * H], exact)
    n = k.tanh(gi[..., 2 * H:] + r * gh[..., 2 * H:])
    if tape is not None:
        tape.append((r, z, n, gh[..., 2 * H:]))
    return (1.0 - z) * n + z * h


class GRU(ParameterStore, HiddenState, OutputLayer):
    """A GRU layer with an output layer, as torch.nn.GRU (one layer, unidirectional) plus ``y = W_hy h``.

    Parameters
    ----------
    W_ih : array_like, shape (3H, I)
        Input weights, gate blocks (r, z, n). C# twin: ``inputWeights`` = ``W_ih.T`` (I×3H).
    W_hh : array_like, shape (3H, H)
        Recurrent weights, gate blocks (r, z, n). C# twin: ``recurrentWeights`` = ``W_hh.T`` (H×3H).
    W_hy : array_like, shape (O, H)
        Output weights. C# twin: ``outputWeights`` = ``W_hy.T`` (H×O).
    h0 : array_like, shape (H,), optional
        Initial state; zeros when omitted.
    b_ih, b_hh : array_like, shape (3H,), optional
        torch's two biases; each is off (adds nothing) when None.
    b_y : array_like, shape (O,), optional
        Output bias.
    kernel : {"fast", "exact"}
        "fast": BLAS and NumPy's SIMD exp/tanh; "exact": the C# side's order and C-library functions.

    Raises
    ------
    TypeError
        An argument is not an array of real numbers.
    ValueError
        Shapes do not fit together, a value is not finite, or the kernel is unknown.

    Notes
    -----
    As ``rnnport.RNN``: weights are copied; the attributes and ``parameters()`` are read-only views,
    ``h`` returns a copy, and ``apply_update`` is the one way the parameters change.
    """

    _check_results: bool = True  # as RNN._check_results

    def __init__(self, W_ih: ArrayLike, W_hh: ArrayLike, W_hy: ArrayLike, h0: ArrayLike | None = None, *,
                 b_ih: ArrayLike | None = None, b_hh: ArrayLike | None = None, b_y: ArrayLike | None = None,
                 kernel: KernelName = "fast") -> None:
        self.kernels = kernels(kernel)
        W_ih, W_hh, W_hy = (as_float64(w, n) for w, n in ((W_ih, "W_ih"), (W_hh, "W_hh"), (W_hy, "W_hy")))
        check_shape(W_hh, (None, None), "W_hh", ("3H", "H"))
        H = W_hh.shape[1]
        check_shape(W_hh, (3 * H, H), "W_hh")
        check_shape(W_ih, (3 * H, None), "W_ih", ("3H", "I"))
        check_shape(W_hy, (None, H), "W_hy", ("O", "H"))
        h0 = np.zeros(H) if h0 is None else as_float64(h0, "h0")
        check_shape(h0, (H,), "h0")
        arrays = {"W_ih": W_ih, "W_hh": W_hh, "W_hy": W_hy}
        for name, value, size in (("b_ih", b_ih, 3 * H), ("b_hh", b_hh, 3 * H), ("b_y", b_y, W_hy.shape[0])):
            if value is not None:
                value = as_float64(value, name)
                check_shape(value, (size,), name)
                arrays[name] = value
        for name, value in (("W_ih", W_ih), ("W_hh", W_hh), ("W_hy", W_hy), ("h0", h0),
                            *((n, arrays[n]) for n in ("b_ih", "b_hh", "b_y") if n in arrays)):
            check_finite(value, name)  # RNN's order: the weights, h0, then the biases
        self._keep_parameters(arrays, PARAMETERS)
        self.h0 = read_only(np.array(h0, dtype=np.float64))
        self._h = self.h0.copy()

    def step(self, x: ArrayLike) -> np.ndarray:
        """Advance one timestep.

        Parameters
        ----------
        x : array_like, shape (I,)

        Returns
        -------
        y : ndarray, shape (O,)

        Raises
        ------
        FloatingPointError
            The new state (checked first) or the output is not finite; ``h`` is unchanged.
        """
        x = self._checked_input(x)
        with np.errstate(all="ignore"):  # refused below, not warned about
            gi = self._input_gates(x)
            h = self.cell(gi, self._h, self.kernels.matvec(self.W_hh, self._h))
            y = self.output(h)
            finite = not self._check_results or math.isfinite(h.dot(h) + y.dot(y))
        if not finite:
            for value, what in ((h, "state"), (y, "output")):
                refuse_non_finite(value, f"step: the {what}")
        self._h = h
        return y

    def forward(self, xs: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Run a sequence from the current state; ``h`` ends at the last step's state.

        Parameters
        ----------
        xs : array_like, shape (T, I)

        Returns
        -------
        ys : ndarray, shape (T, O)
        hs : ndarray, shape (T, H)

        Raises
        ------
        FloatingPointError
            A state or an output is not finite (the message names the first step); ``h`` is unchanged.
        """
        xs = self._checked_sequence(xs)
        with np.errstate(all="ignore"):
            hs = self.states(xs, self._h)
            ys = self.output(hs)
            finite = not self._check_results or all_finite(hs, ys)
        if not finite:
            refuse_non_finite_steps("forward", (("state", hs), ("output", ys)))
        if hs.shape[0]:
            self._h = hs[-1].copy()
        return ys, hs

    def forward_batch(self, xs: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Run B sequences at once, each from the current state, which stays unchanged.

        One matrix-matrix product per step for all B rows. In exact mode sequence b's results are bit
        for bit ``forward(xs[b])``'s from the same state; in fast mode within the fast-mode bound
        (docs/exact-mode.md, "Batches"). C# twin: ``GRU.ForwardBatch``.

        Parameters
        ----------
        xs : array_like, shape (B, T, I)
            B and T may be 0.

        Returns
        -------
        ys : ndarray, shape (B, T, O)
        hs : ndarray, shape (B, T, H)

        Raises
        ------
        TypeError, ValueError
            xs is not a finite real (B, T, I) array.
        FloatingPointError
            A state or an output is not finite: the message names the first such sequence, then its first
            step (``forward``'s rule); nothing changes.
        """
        xs = checked_batch(xs, self.input_size)
        B, T = xs.shape[:2]
        with np.errstate(all="ignore"):
            gis = projected(self.kernels, self.W_ih, xs, self.b_ih)  # (B, T, 3H)
            W_hh = self.kernels.prepare(self.W_hh)
            h = start_rows(self._h, B)
            hs = np.empty((B, T, self.hidden_size))
            for t in range(T):
                h = hs[:, t] = self.cell(gis[:, t], h, self.kernels.matvec_prepared(W_hh, h))
            ys = outputs(self, hs)
            if self._check_results:
                refuse_non_finite_batch([("state", hs), ("output", ys)])
        return ys, hs

    def states(self, xs: np.ndarray, h: np.ndarray, tape: list | None = None) -> np.ndarray:
        """The states (T, H) from ``h`` (H,) over checked inputs ``xs`` (T, I); no checks, no state change.

        ``tape``, when given, receives per step the tuple (r, z, n, gh_n), each (H,), that BPTT needs.
        """
        gis = self._input_gates(xs)  # (T, 3H): every input projection at once, the same bits as per step
        hs = np.empty((xs.shape[0], self.hidden_size))
        W_hh = self.kernels.prepare(self.W_hh)
        for t in range(xs.shape[0]):
            whh_h = self.kernels.matvec_prepared(W_hh, h)
            h = hs[t] = self.cell(gis[t], h, whh_h) if tape is None else self.cell(gis[t], h, whh_h, tape)
        return hs

    def _input_gates(self, x: np.ndarray) -> np.ndarray:
        """W_ih x (+ b_ih) for x (I,) or (T, I)."""
        gi = self.kernels.matvec(self.W_ih, x)
        return gi if self.b_ih is None else gi + self.b_ih

    def cell(self, gi: np.ndarray, h: np.ndarray, whh_h: np.ndarray, tape: list | None = None) -> np.ndarray:
        """h' from gi (3H,), the previous state h (H,) and W_hh h (3H,): :func:`gru_cell` with this cell's b_hh."""
        return gru_cell(self.kernels, gi, h, whh_h, self.b_hh, tape)

    def reset(self) -> None:
        """Put the state back to ``h0``."""
        self._h = self.h0.copy()

