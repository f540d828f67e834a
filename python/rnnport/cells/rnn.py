"""The seed article's ``RNN.step``, made whole: constructor, state, sequences.

Column convention, as in the article's NumPy class::

    h = f(W_hh @ h + W_xh @ x)      # (H,)
    y = W_hy @ h                    # (O,)

The C# twin ``RnnPort.RNN`` uses row vectors, so its weights are the transposes of these:
``inputWeights = W_xh.T`` (I×H), ``recurrentWeights = W_hh.T`` (H×H), ``outputWeights = W_hy.T``
(H×O). The article's class had no constructor and never set ``self.h``; here ``h`` starts at ``h0``
(zeros by default).
"""
from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from rnnport.cells.batch import checked_batch, outputs, projected, refuse_non_finite_batch, start_rows
from rnnport.cells.output_layer import OutputLayer
from rnnport.cells.parameter_store import ParameterStore, read_only
from rnnport.cells.state import HiddenState
from rnnport.numerics.checks import as_float64, check_finite, check_shape, unknown_activation
from rnnport.numerics.finite_results import all_finite, refuse_non_finite, refuse_non_finite_steps
from rnnport.numerics.kernels import FAST, KernelName, kernels

ActivationName = Literal["tanh", "relu"]

# The trainable parameters, in the one order every list of them follows: the model's parameters(),
# the gradients, the optimisers' updates and memories, the global gradient norm, and the bridge (C#:
# InputWeights, RecurrentWeights, OutputWeights, HiddenBias, OutputBias). The biases are optional.
PARAMETERS = ("W_xh", "W_hh", "W_hy", "b_h", "b_y")


def _relu(a: np.ndarray) -> np.ndarray:
    # a > 0 ? a : +0.0, written once for both sides (C#: ActivationFunctions.Apply):
    # np.maximum(-0.0, 0.0) would return -0.0, and C#'s Math.Max returns +0.0.
    return np.where(a > 0.0, a, 0.0)


_ACTIVATIONS = ("tanh", "relu")


class RNN(ParameterStore, HiddenState, OutputLayer):
    """A vanilla RNN, ``h = f(W_hh @ h + W_xh @ x)``, ``y = W_hy @ h``.

    Parameters
    ----------
    W_xh : array_like, shape (H, I)
        Input-to-hidden weights. C# twin: ``inputWeights`` = ``W_xh.T``.
    W_hh : array_like, shape (H, H)
        Hidden-to-hidden (recurrent) weights. C# twin: ``recurrentWeights`` = ``W_hh.T``.
    W_hy : array_like, shape (O, H)
        Hidden-to-output weights. C# twin: ``outputWeights`` = ``W_hy.T``.
    h0 : array_like, shape (H,), optional
        Initial state; zeros when omitted.
    activation : {"tanh", "relu"}
        The nonlinearity f.
    b_h : array_like, shape (H,), optional
        Hidden bias, added as ``(W_hh @ h + W_xh @ x) + b_h``. Off (None) by default, so that the
        article's equations stay the default. C# twin: ``hiddenBias`` (1×H).
    b_y : array_like, shape (O,), optional
        Output bias, ``y = W_hy @ h + b_y``. Off by default. C# twin: ``outputBias`` (1×O).
    kernel : {"fast", "exact"}
        "fast" (default) computes with BLAS and NumPy's SIMD functions; "exact" reproduces the C#
        side's operation order and C-library functions bit for bit (``rnnport.numerics.kernels``), slower.

    Raises
    ------
    TypeError
        An argument is not an array of real numbers (complex, object, str, None).
    ValueError
        Shapes do not fit together (the message names expected and actual shapes), a weight or
        ``h0`` is not finite, or ``activation`` is unknown.

    Notes
    -----
    Weights are copied to C-contiguous float64 arrays. The attributes ``W_xh``, ``W_hh``, ``W_hy``,
    ``b_h``, ``b_y`` and ``h0`` are read-only views (free to read; writing into them raises
    ``ValueError``), ``h`` returns a copy, and ``parameters()`` gives read-only views too: the one way to
    change a parameter is ``apply_update``, which the optimisers and the gradient check call.
    One instance is not thread-safe.
    """

    # Whether step/forward refuse a non-finite result (docs/bad-input.md). Off only in the benchmark
    # that prices the check and in the tests that show it is needed; never in use.
    _check_results: bool = True

    def __init__(self, W_xh: ArrayLike, W_hh: ArrayLike, W_hy: ArrayLike,
                 h0: ArrayLike | None = None, activation: ActivationName = "tanh", *,
                 b_h: ArrayLike | None = None, b_y: ArrayLike | None = None, kernel: KernelName = "fast") -> None:
        self.kernels = kernels(kernel)  # raises ValueError for an unknown name
        if not isinstance(activation, str) or activation not in _ACTIVATIONS:
            raise unknown_activation(activation)
        W_xh, W_hh, W_hy = (as_float64(w, n) for w, n in ((W_xh, "W_xh"), (W_hh, "W_hh"), (W_hy, "W_hy")))
        check_shape(W_hh, (None, None), "W_hh", ("H", "H"))
        H = W_hh.shape[0]
        check_shape(W_hh, (H, H), "W_hh")
        check_shape(W_xh, (H, None), "W_xh", ("H", "I"))
        check_shape(W_hy, (None, H), "W_hy", ("O", "H"))
        h0 = np.zeros(H) if h0 is None else as_float64(h0, "h0")
        check_shape(h0, (H,), "h0")
        given = {"W_xh": W_xh, "W_hh": W_hh, "W_hy": W_hy}
        for name, value, length in (("b_h", b_h, H), ("b_y", b_y, W_hy.shape[0])):
            if value is not None:  # a bias is optional, each on its own
                given[name] = as_float64(value, name)
                check_shape(given[name], (length,), name)
        for name, array in {**given, "h0": h0}.items():
            check_finite(array, name)

        # The parameters live in _live, in PARAMETERS order, written only by apply_update; the
        # attributes are read-only views of the same memory (ParameterStore).
        self._keep_parameters(given, PARAMETERS)  # W_xh (H, I), W_hh (H, H), W_hy (O, H), b_h (H,), b_y (O,) or None
        self.h0 = read_only(np.array(h0, dtype=np.float64))     # (H,); reset copies it into h
        self._h = self.h0.copy()                                 # (H,) the state the article never set
        self.activation: ActivationName = activation
        self._f = self.kernels.tanh if activation == "tanh" else _relu

    def step(self, x: ArrayLike) -> np.ndarray:
        """Advance one timestep, as the article's ``step``.

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
        k = self.kernels
        with np.errstate(all="ignore"):  # an overflow is refused below, as FloatingPointError, not warned about
            a = k.matvec(self.W_hh, self._h) + k.matvec(self.W_xh, x)  # (H,) pre-activation
            h = self._f(a if self.b_h is None else a + self.b_h)
            y = self.output(h)  # compute the output
            # h·h + y·y is finite exactly when every element is, but for a false alarm when a square
            # overflows, which the search below then clears: two BLAS dots, far cheaper than isfinite().all().
            finite = not self._check_results or math.isfinite(h.dot(h) + y.dot(y))
        if not finite:
            for what, value in (("state", h), ("output", y)):
                refuse_non_finite(value, f"step: the {what}")
        self._h = h  # update the state, only once the step is known to be finite
        return y

    def forward(self, xs: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Run a whole sequence from the current state; ``h`` ends at the last step's state.

        Parameters
        ----------
        xs : array_like, shape (T, I)
            One input per row; T may be 0.

        Returns
        -------
        ys : ndarray, shape (T, O)
            ``ys[t]`` is what the t-th ``step`` would return.
        hs : ndarray, shape (T, H)
            ``hs[t]`` is the state after timestep t.

        Raises
        ------
        FloatingPointError
            A state or an output is not finite: the message names the first such step; ``h`` is unchanged.
        """
        ys, hs = self._run(self._h, self._checked_sequence(xs))
        if hs.shape[0]:
            self._h = hs[-1].copy()  # a copy: the caller owns hs; only now, once the sequence is finite
        return ys, hs  # (T, O), (T, H)

    def forward_batch(self, xs: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Run B sequences at once, each from the current state, which stays unchanged.

        One matrix-matrix product per step for all B rows (``W_hh`` read once per step). In exact mode
        ``ys[b], hs[b]`` are bit for bit ``forward(xs[b])`` from the same state; in fast mode within
        the fast-mode bound of it (docs/exact-mode.md, "Batches"). C# twin: ``RNN.ForwardBatch``.

        Parameters
        ----------
        xs : array_like, shape (B, T, I)
            B sequences of T inputs; B and T may be 0.

        Returns
        -------
        ys : ndarray, shape (B, T, O)
        hs : ndarray, shape (B, T, H)
            ``hs[b, t]`` is sequence b's state after timestep t.

        Raises
        ------
        TypeError, ValueError
            xs is not a finite real (B, T, I) array.
        FloatingPointError
            A state or an output is not finite: the message names the first such sequence, then its
            first such step (``forward``'s rule); nothing changes.
        """
        xs = checked_batch(xs, self.input_size)
        k = self.kernels
        with np.errstate(all="ignore"):  # an overflow is refused below, not warned about
            hs = projected(k, self.W_xh, xs, None)  # (B, T, H); column t is overwritten by the states
            h = start_rows(self._h, xs.shape[0])     # (B, H)
            W_hh = k.prepare(self.W_hh)              # once per batch
            for t in range(xs.shape[1]):
                a = k.matvec_prepared(W_hh, h) + hs[:, t]  # one product for the B rows
                h = hs[:, t] = self._f(a if self.b_h is None else a + self.b_h)
            ys = outputs(self, hs)
            if self._check_results:
                refuse_non_finite_batch([("state", hs), ("output", ys)])
        return ys, hs

    def forward_from(self, h: ArrayLike, xs: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """``forward`` from the state h (H,) instead of ``self.h``, which it leaves as it is (BPTT's path):
        returns ys (T, O) and hs (T, H); raises as ``forward`` for xs and as the ``h`` setter for h."""
        xs = self._checked_sequence(xs)
        return self._run(self._checked_state(h, "h"), xs)

    def _run(self, h: np.ndarray, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The recurrence over checked xs (T, I) from the state h (H,), which it does not write."""
        # (T, H): every input projection in one matrix product. Row t is then overwritten, in place,
        # by the state after step t, so the loop allocates nothing per step in fast mode.
        with np.errstate(all="ignore"):  # an overflow is refused below, as FloatingPointError, not warned about
            hs = np.ascontiguousarray(self.kernels.matvec(self.W_xh, xs))
            if self.kernels is FAST:
                self._recur_fast(h, hs)
            else:
                W_hh = self.kernels.prepare(self.W_hh)  # once per sequence, not once per step
                for t in range(hs.shape[0]):
                    a = self.kernels.matvec_prepared(W_hh, h) + hs[t]
                    h = hs[t] = self._f(a if self.b_h is None else a + self.b_h)  # bias added last, as in step
            ys = self.output(hs)
            finite = not self._check_results or all_finite(hs, ys)  # one cheap screen per sequence
        if not finite:
            refuse_non_finite_steps("forward", (("state", hs), ("output", ys)))
        return ys, hs  # (T, O), (T, H)

    def _recur_fast(self, h: np.ndarray, hs: np.ndarray) -> None:
        """The recurrence from h (H,) over (T, H) projections, in place, with BLAS and preallocated buffers."""
        a = np.empty(self.hidden_size)
        for t in range(hs.shape[0]):
            np.dot(self.W_hh, h, out=a)  # (H,) = W_hh @ h
            a += hs[t]
            if self.b_h is not None:
                a += self.b_h  # bias added last, as in step
            h = hs[t]
            if self.activation == "tanh":
                np.tanh(a, out=h)
            else:  # relu as _relu: a > 0 ? a : +0.0, so -0.0 and NaN become +0.0
                h.fill(0.0)
                np.copyto(h, a, where=a > 0.0)

    def reset(self) -> None:
        """Put the state back to ``h0``."""
        self._h = self.h0.copy()
