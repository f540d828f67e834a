"""The LSTM cell with ``torch.nn.LSTM``'s equations and gate order (i, f, g, o), plus the article's output layer.

Column convention, as ``rnnport.RNN``::

    a  = (W_ih @ x (+ b_ih)) + (W_hh @ h (+ b_hh))     # (4H,) rows [i | f | g | o]
    i, f, o = σ(a_i), σ(a_f), σ(a_o);  g = tanh(a_g)
    c' = (f·c) + (i·g);  h' = o·tanh(c')               # (H,) each
    y  = W_hy @ h' (+ b_y)                            # (O,)

W_ih and W_hh are torch's ``weight_ih_l0`` (4H, I) and ``weight_hh_l0`` (4H, H), b_ih and b_hh its
``bias_ih_l0`` and ``bias_hh_l0``. The C# twin ``RnnPort.LSTM`` takes the transposes (row convention).
σ(z) = 1 / (1 + exp(−z)); in exact mode with the C library's exp, one element at a time
(docs/exact-mode.md, "LSTM").
"""
from __future__ import annotations

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
from rnnport.numerics.kernels import EXACT, KernelName, kernels

PARAMETER_NAMES = ("W_ih", "W_hh", "W_hy", "b_ih", "b_hh", "b_y")


def sigmoid(a: np.ndarray, kernel: Any) -> np.ndarray:
    """σ(a) = 1 / (1 + exp(−a)) element-wise: NumPy's exp in fast mode, the C library's in exact mode.

    For a → −∞ exp overflows to +inf and σ is +0.0 exactly, on both sides and in both modes.
    """
    return logistic(a, kernel is EXACT)


def lstm_cell(k: Any, gi: np.ndarray, W_hh_prepared: np.ndarray, b_hh: np.ndarray | None, h: np.ndarray,
              c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One LSTM step from (h, c) (H,) given the input projection gi = W_ih x (+ b_ih) (4H,): (h', c', gates).

    ``W_hh_prepared`` is ``k.prepare(W_hh)`` (4H, H); ``gates`` (4H,) holds [i | f | g | o] after their
    nonlinearities (what BPTT needs). The one per-step arithmetic of ``LSTM`` and of an LSTM layer of
    ``RecurrentStack`` (docs/exact-mode.md, "LSTM").
    """
    H = h.shape[-1]  # h may also be (B, H), gi (B, 4H): B rows at once, each row's arithmetic unchanged
    gh = k.matvec_prepared(W_hh_prepared, h)
    if b_hh is not None:
        gh = gh + b_hh
    a = gi + gh  # (4H,) or (B, 4H)
    gates = np.empty(a.shape)
    gates[..., :2 * H] = sigmoid(a[..., :2 * H], k)             # i, f
    gates[..., 2 * H:3 * H] = k.tanh(a[..., 2 * H:3 * H])       # g
    gates[..., 3 * H:] = sigmoid(a[..., 3 * H:], k)             # o
    i, f, g, o = gates[..., :H], gates[..., H:2 * H], gates[..., 2 * H:3 * H], gates[..., 3 * H:]
    c_next = (f * c) + (i * g)
    h_next = o * k.tanh(c_next)
    return h_next, c_next, gates


class LSTM(ParameterStore, HiddenState, OutputLayer):
    """An LSTM cell (torch.nn.LSTM, one layer) with an output layer ``y = W_hy @ h (+ b_y)``.

    Parameters
    ----------
    W_ih : array_like, shape (4H, I)
        Input weights, row blocks [i | f | g | o] (torch's ``weight_ih_l0``). C#: ``inputWeights`` = ``W_ih.T``.
    W_hh : array_like, shape (4H, H)
        Recurrent weights, same blocks (``weight_hh_l0``). C#: ``recurrentWeights`` = ``W_hh.T``.
    W_hy : array_like, shape (O, H)
        Output weights. C#: ``outputWeights`` = ``W_hy.T``.
    h0, c0 : array_like, shape (H,), optional
        Initial state and cell state; zeros when omitted.
    b_ih, b_hh : array_like, shape (4H,), optional
        torch's ``bias_ih_l0`` and ``bias_hh_l0``; off (None) by default. An absent bias adds nothing.
    b_y : array_like, shape (O,), optional
        Output bias; off by default.
    kernel : {"fast", "exact"}
        "fast" uses BLAS and NumPy's exp/tanh; "exact" reproduces the C# order bit for bit.

    Raises
    ------
    TypeError
        An argument is not an array of real numbers.
    ValueError
        Shapes do not fit together, an array is not finite, or ``kernel`` is unknown.

    Notes
    -----
    As ``rnnport.RNN``: weights are copied; the attributes and ``parameters()`` are read-only views, ``h``
    and ``c`` return copies; ``apply_update`` changes the weights. One instance is not thread-safe.
    """

    _check_results: bool = True

    def __init__(self, W_ih: ArrayLike, W_hh: ArrayLike, W_hy: ArrayLike,
                 h0: ArrayLike | None = None, c0: ArrayLike | None = None, *,
                 b_ih: ArrayLike | None = None, b_hh: ArrayLike | None = None, b_y: ArrayLike | None = None,
                 kernel: KernelName = "fast") -> None:
        self.kernels = kernels(kernel)
        W_ih, W_hh, W_hy = (as_float64(w, n) for w, n in ((W_ih, "W_ih"), (W_hh, "W_hh"), (W_hy, "W_hy")))
        check_shape(W_hh, (None, None), "W_hh", ("4H", "H"))
        H = W_hh.shape[1]  # H is read off W_hh's columns; its rows must then be 4H
        check_shape(W_hh, (4 * H, H), "W_hh")
        check_shape(W_ih, (4 * H, None), "W_ih", ("4H", "I"))
        check_shape(W_hy, (None, H), "W_hy", ("O", "H"))
        arrays = {"W_ih": W_ih, "W_hh": W_hh, "W_hy": W_hy}
        for name, value, shape in (("h0", h0, (H,)), ("c0", c0, (H,)), ("b_ih", b_ih, (4 * H,)),
                                   ("b_hh", b_hh, (4 * H,)), ("b_y", b_y, (W_hy.shape[0],))):
            if value is not None:
                arrays[name] = as_float64(value, name)
                check_shape(arrays[name], shape, name)
        for name, array in arrays.items():
            check_finite(array, name)

        self._keep_parameters(arrays, PARAMETER_NAMES)
        self.h0 = read_only(np.array(arrays["h0"], dtype=np.float64) if "h0" in arrays else np.zeros(H))
        self.c0 = read_only(np.array(arrays["c0"], dtype=np.float64) if "c0" in arrays else np.zeros(H))
        self._h, self._c = self.h0.copy(), self.c0.copy()

    # --- state (h, the sizes, parameters() and apply_update: HiddenState, ParameterStore) -----------------

    @property
    def c(self) -> np.ndarray:
        """A copy of the cell state, shape (H,); assigning checks shape and finiteness, then copies."""
        return self._c.copy()

    @c.setter
    def c(self, value: ArrayLike) -> None:
        self._c = self._checked_state(value, "c")

    def reset(self) -> None:
        """Put ``h`` and ``c`` back to ``h0`` and ``c0``."""
        self._h, self._c = self.h0.copy(), self.c0.copy()

    # --- computing ------------------------------------------------------------------------------------

    def input_projection(self, xs: np.ndarray) -> np.ndarray:
        """``W_ih @ x (+ b_ih)`` for x (I,) or the rows of xs (T, I): (4H,) or (T, 4H)."""
        gi = self.kernels.matvec(self.W_ih, xs)
        return gi if self.b_ih is None else gi + self.b_ih

    def cell(self, gi: np.ndarray, W_hh_prepared: np.ndarray, h: np.ndarray, c: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One step from (h, c) given the input projection gi (4H,): :func:`lstm_cell` with this cell's b_hh."""
        return lstm_cell(self.kernels, gi, W_hh_prepared, self.b_hh, h, c)

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
            The new state, cell state or output (checked in that order) is not finite; ``h``, ``c`` unchanged.
        """
        x = self._checked_input(x)
        with np.errstate(all="ignore"):
            h, c, _ = self.cell(self.input_projection(x), self.kernels.prepare(self.W_hh), self._h, self._c)
            y = self.output(h)
        if self._check_results:
            for value, what in ((h, "state"), (c, "cell state"), (y, "output")):
                refuse_non_finite(value, f"step: the {what}")
        self._h, self._c = h, c
        return y

    def forward(self, xs: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Run a sequence from the current (h, c); both end at the last step's.

        Parameters
        ----------
        xs : array_like, shape (T, I)

        Returns
        -------
        ys : ndarray, shape (T, O)
        hs : ndarray, shape (T, H)
            State after each step.
        cs : ndarray, shape (T, H)
            Cell state after each step.

        Raises
        ------
        FloatingPointError
            A state, cell state or output is not finite: the message names the first such step; ``h``, ``c``
            unchanged.
        """
        xs = self._checked_sequence(xs)
        with np.errstate(all="ignore"):
            ys, hs, cs = self.forward_from(xs, self._h, self._c)[:3]
            finite = not self._check_results or all_finite(hs, cs, ys)
        if not finite:
            _refuse_sequence(hs, cs, ys)
        if hs.shape[0]:
            self._h, self._c = hs[-1].copy(), cs[-1].copy()
        return ys, hs, cs

    def forward_batch(self, xs: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Run B sequences at once, each from the current (h, c), which stay unchanged.

        One matrix-matrix product per step for all B rows. In exact mode sequence b's results are bit
        for bit ``forward(xs[b])``'s from the same state; in fast mode within the fast-mode bound
        (docs/exact-mode.md, "Batches"). C# twin: ``LSTM.ForwardBatch``.

        Parameters
        ----------
        xs : array_like, shape (B, T, I)
            B and T may be 0.

        Returns
        -------
        ys : ndarray, shape (B, T, O)
        hs : ndarray, shape (B, T, H)
        cs : ndarray, shape (B, T, H)
            States and cell states after each step of each sequence.

        Raises
        ------
        TypeError, ValueError
            xs is not a finite real (B, T, I) array.
        FloatingPointError
            A state, cell state or output is not finite: the message names the first such sequence, then
            its first step (``forward``'s rule); nothing changes.
        """
        xs = checked_batch(xs, self.input_size)
        B, T = xs.shape[:2]
        with np.errstate(all="ignore"):
            gis = projected(self.kernels, self.W_ih, xs, self.b_ih)  # (B, T, 4H)
            W_hh = self.kernels.prepare(self.W_hh)
            h, c = start_rows(self._h, B), start_rows(self._c, B)
            hs, cs = np.empty((B, T, self.hidden_size)), np.empty((B, T, self.hidden_size))
            for t in range(T):
                h, c, _ = self.cell(gis[:, t], W_hh, h, c)
                hs[:, t], cs[:, t] = h, c
            ys = outputs(self, hs)
            if self._check_results:
                refuse_non_finite_batch([("state", hs), ("cell state", cs), ("output", ys)])
        return ys, hs, cs

    def forward_from(self, xs: np.ndarray, h: np.ndarray, c: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The forward pass from (h, c) without checks and without touching the model's state.

        Returns ys (T, O), hs (T, H), cs (T, H) and the gates (T, 4H) [i | f | g | o] after their
        nonlinearities; BPTT uses the last.
        """
        T, H = xs.shape[0], self.hidden_size
        gis = self.input_projection(xs) if T else np.zeros((0, 4 * H))  # (T, 4H), all at once
        W_hh = self.kernels.prepare(self.W_hh)  # once per sequence
        hs, cs, gates = np.empty((T, H)), np.empty((T, H)), np.empty((T, 4 * H))
        for t in range(T):
            h, c, gates[t] = self.cell(gis[t], W_hh, h, c)
            hs[t], cs[t] = h, c
        return self.output(hs), hs, cs, gates


def _refuse_sequence(hs: np.ndarray, cs: np.ndarray, ys: np.ndarray) -> None:
    """FloatingPointError naming the first step whose state, cell state or output (in that order) is not finite."""
    refuse_non_finite_steps("forward", [("state", hs), ("cell state", cs), ("output", ys)])
