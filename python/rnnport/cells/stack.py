"""Stacked and bidirectional RNN/LSTM/GRU with torch's names and semantics. C# twin: ``RnnPort.RecurrentStack``.

docs/stacks.md is the spec: parameters named as torch names them (``weight_ih_l{k}{s}`` …, in torch's
order, then ``W_hy``, ``b_y``), states (L·D, H) in torch's ``h_0`` row order, layer k's input the
output of layer k−1, the reverse direction running t = T−1 … 0, outputs ``[h_forward | h_reverse]``.
Each direction's step is the single cell's (:mod:`rnnport.cells.stack_layers`).
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from numpy.typing import ArrayLike

from rnnport.cells.parameter_store import ParameterStore, read_only
from rnnport.cells.stack_layers import GATES, DirectionRun, DirectionWeights, activation, run_direction
from rnnport.cells.state import checked_sequence, checked_vector
from rnnport.numerics.checks import as_float64, check_finite, check_shape, unknown_activation
from rnnport.numerics.finite_results import all_finite, refuse_non_finite_steps
from rnnport.numerics.kernels import KernelName, kernels

BIDIRECTIONAL_STEP = "step: a bidirectional stack runs whole sequences only; use forward"


def parameter_names(num_layers: int, bidirectional: bool, bias: bool) -> tuple[str, ...]:
    """torch's ``_flat_weights_names``: per layer, per direction, weight_ih, weight_hh (, bias_ih, bias_hh)."""
    kinds = ("weight_ih", "weight_hh", "bias_ih", "bias_hh") if bias else ("weight_ih", "weight_hh")
    suffixes = ("", "_reverse") if bidirectional else ("",)
    return tuple(f"{kind}_l{k}{s}" for k in range(num_layers) for s in suffixes for kind in kinds)


def _describe(cell: str, num_layers: int, bidirectional: bool) -> str:
    return f"a {num_layers}-layer {'bidirectional' if bidirectional else 'unidirectional'} {cell} stack"


class RecurrentStack(ParameterStore):
    """torch's ``nn.RNN``/``nn.LSTM``/``nn.GRU`` (``num_layers`` L, ``bidirectional``) plus an optional output layer.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    parameters : mapping of str to array_like
        torch's names (docs/stacks.md): ``weight_ih_l{k}{s}`` (G·H, I_k), ``weight_hh_l{k}{s}`` (G·H, H),
        and all or none of ``bias_ih_l{k}{s}``, ``bias_hh_l{k}{s}`` (G·H,); I_0 = I, I_k = D·H.
    num_layers : int
        L ≥ 1.
    bidirectional : bool
        D = 2 directions when True.
    nonlinearity : {"tanh", "relu"}
        The RNN's; a gated cell accepts "tanh" only.
    W_hy : array_like, shape (O, D·H), optional
        Output layer; without it y_t is the top layer's output (O = D·H).
    b_y : array_like, shape (O,), optional
        Output bias, only with ``W_hy``.
    h0, c0 : array_like, shape (L·D, H), optional
        Start states (c0: LSTM only), row k·D + d for layer k, direction d; zeros when omitted.
    kernel : {"fast", "exact"}

    Raises
    ------
    TypeError
        An array is not of real numbers, or ``parameters`` is not a mapping.
    ValueError
        One line naming the key: a missing or extra key, some biases without the others, a shape that
        does not fit, ``b_y`` without ``W_hy``, a non-finite value, L < 1, an unknown cell, nonlinearity
        or kernel. Nothing is kept.
    """

    _check_results: bool = True

    def __init__(self, cell: str, parameters: Mapping[str, ArrayLike], *, num_layers: int, bidirectional: bool = False,
                 nonlinearity: str = "tanh", W_hy: ArrayLike | None = None, b_y: ArrayLike | None = None,
                 h0: ArrayLike | None = None, c0: ArrayLike | None = None, kernel: KernelName = "fast") -> None:
        k = kernels(kernel)
        if not isinstance(cell, str) or cell not in GATES:
            raise ValueError(f"unknown cell {cell!r}: expected 'rnn', 'lstm' or 'gru'")
        if not isinstance(nonlinearity, str) or nonlinearity not in ("tanh", "relu"):
            raise unknown_activation(nonlinearity)
        if cell != "rnn" and nonlinearity != "tanh":
            raise ValueError(f"nonlinearity {nonlinearity!r}: only the rnn cell has one to choose ('tanh' for {cell})")
        if isinstance(num_layers, (bool, np.bool_)) or not isinstance(num_layers, (int, np.integer)):
            raise TypeError(f"num_layers must be an integer, got {type(num_layers).__name__}")
        if num_layers < 1:
            raise ValueError(f"num_layers must be at least 1, got {num_layers}")
        if not isinstance(bidirectional, (bool, np.bool_)):
            raise TypeError(f"bidirectional must be True or False, got {type(bidirectional).__name__}")
        if not isinstance(parameters, Mapping):
            raise TypeError(f"parameters must be a mapping of torch names to arrays, got {type(parameters).__name__}")
        L, D, G = int(num_layers), 2 if bidirectional else 1, GATES[cell]
        what = _describe(cell, L, bool(bidirectional))
        names = parameter_names(L, bool(bidirectional), True)
        for key in parameters:
            if key not in names:
                why = ("proj_size > 0 (LSTM projections) is not supported" if isinstance(key, str)
                       and key.startswith("weight_hr_") else f"not a parameter of {what}")
                raise ValueError(f"{key if isinstance(key, str) else repr(key)}: {why}")
        for key in parameter_names(L, bool(bidirectional), False):
            if key not in parameters:
                raise ValueError(f"{key}: missing ({what} needs it)")
        bias_names = [n for n in names if n.startswith("bias_")]
        given_biases = [n for n in bias_names if n in parameters]
        if given_biases and len(given_biases) != len(bias_names):
            missing = next(n for n in bias_names if n not in parameters)
            raise ValueError(f"{missing}: missing (the biases are all present or all absent)")
        arrays = {name: as_float64(parameters[name], name) for name in names if name in parameters}
        check_shape(arrays["weight_hh_l0"], (None, None), "weight_hh_l0", ("G·H", "H"))
        H = arrays["weight_hh_l0"].shape[1]
        check_shape(arrays["weight_ih_l0"], (G * H, None), "weight_ih_l0", (f"{G * H}", "I"))
        I = arrays["weight_ih_l0"].shape[1]
        for name, array in arrays.items():
            layer = int(name.split("_l")[1].split("_")[0])
            columns = H if name.startswith("weight_hh") else (I if layer == 0 else D * H)
            check_shape(array, (G * H, columns) if name.startswith("weight") else (G * H,), name)
        if b_y is not None and W_hy is None:
            raise ValueError("b_y: given without W_hy (the output bias belongs to the output layer)")
        if W_hy is not None:
            arrays["W_hy"] = as_float64(W_hy, "W_hy")
            check_shape(arrays["W_hy"], (None, D * H), "W_hy", ("O", f"{D * H}"))
            if b_y is not None:
                arrays["b_y"] = as_float64(b_y, "b_y")
                check_shape(arrays["b_y"], (arrays["W_hy"].shape[0],), "b_y")
        if c0 is not None and cell != "lstm":
            raise ValueError(f"c0: only the lstm has a cell state, not the {cell}")
        states = {}
        for name, value in (("h0", h0), ("c0", c0)):
            if value is not None:
                states[name] = as_float64(value, name)
                check_shape(states[name], (L * D, H), name)
        for name, array in {**arrays, **states}.items():
            check_finite(array, name)

        self.kernels = k
        self.cell, self.num_layers, self.bidirectional, self.nonlinearity = cell, L, bool(bidirectional), nonlinearity
        self.num_directions = D
        self._keep_parameters(arrays, (*names, "W_hy", "b_y"))
        zeros = np.zeros((L * D, H))
        self.h0 = read_only(np.array(states.get("h0", zeros), dtype=np.float64))
        self.c0 = read_only(np.array(states.get("c0", zeros), dtype=np.float64)) if cell == "lstm" else None
        self.reset()

    # --- sizes and state ---------------------------------------------------------------------------

    @property
    def hidden_size(self) -> int:
        """H, the length of each direction's state (``weight_hh_l0``'s columns)."""
        return self._live["weight_hh_l0"].shape[1]

    @property
    def output_size(self) -> int:
        """O: ``W_hy``'s rows, or D·H without an output layer."""
        return self._live["W_hy"].shape[0] if "W_hy" in self._live else self.num_directions * self.hidden_size

    @property
    def bias(self) -> bool:
        """Whether the stack has torch's biases (all of them)."""
        return "bias_ih_l0" in self._live

    @property
    def h(self) -> np.ndarray:
        """A copy of the current states (L·D, H); assigning checks shape and finiteness, then copies."""
        return self._h.copy()

    @h.setter
    def h(self, value: ArrayLike) -> None:
        self._h = self._checked_states(value, "h")

    @property
    def c(self) -> np.ndarray | None:
        """A copy of the LSTM's cell states (L·D, H), None for the other cells; assigning checks, then copies."""
        return None if self._c is None else self._c.copy()

    @c.setter
    def c(self, value: ArrayLike) -> None:
        if self.cell != "lstm":
            raise ValueError(f"c: only the lstm has a cell state, not the {self.cell}")
        self._c = self._checked_states(value, "c")

    def _checked_states(self, value: ArrayLike, name: str) -> np.ndarray:
        array = as_float64(value, name)
        check_shape(array, (self.num_layers * self.num_directions, self.hidden_size), name)
        check_finite(array, name)
        return np.array(array, dtype=np.float64)

    def reset(self) -> None:
        """Put ``h`` (and ``c``) back to ``h0`` (and ``c0``)."""
        self._h = self.h0.copy()
        self._c = None if self.c0 is None else self.c0.copy()

    def direction_weights(self, layer: int, direction: int) -> DirectionWeights:
        """The read-only weights of layer ``layer``, direction ``direction`` (0 forward, 1 reverse)."""
        s = f"_l{layer}{'_reverse' if direction else ''}"
        p = self._live
        return DirectionWeights(p["weight_ih" + s], p["weight_hh" + s], p.get("bias_ih" + s), p.get("bias_hh" + s))

    # --- computing -----------------------------------------------------------------------------------

    def output(self, out: np.ndarray) -> np.ndarray:
        """y = W_hy @ out (+ b_y) for out (D·H,) or (T, D·H), or a copy of out without ``W_hy``."""
        if "W_hy" not in self._live:
            return np.array(out, dtype=np.float64)
        y = self.kernels.matvec(self._live["W_hy"], out)
        return y if "b_y" not in self._live else y + self._live["b_y"]

    def run(self, xs: np.ndarray, h: np.ndarray, c: np.ndarray | None
            ) -> tuple[list[np.ndarray], list[list[DirectionRun]]]:
        """The layers over checked xs (T, I) from states h (and c) (L·D, H), no checks, nothing written.

        Returns the L layer outputs (T, D·H) and, per layer, per direction, its ``DirectionRun`` (BPTT's tape).
        """
        k, H, D = self.kernels, self.hidden_size, self.num_directions
        f = activation(self.nonlinearity, k) if self.cell == "rnn" else None
        outputs, runs, inputs = [], [], xs
        for layer in range(self.num_layers):
            out = np.empty((xs.shape[0], D * H))
            layer_runs = []
            for d in range(D):
                row = layer * D + d
                run = run_direction(self.cell, k, f, self.direction_weights(layer, d), inputs, h[row],
                                    None if c is None else c[row], reverse=d == 1)
                out[:, d * H:(d + 1) * H] = run.hs  # copied, no arithmetic
                layer_runs.append(run)
            outputs.append(out)
            runs.append(layer_runs)
            inputs = out
        return outputs, runs

    def _forward_from(self, xs: np.ndarray, h: np.ndarray, c: np.ndarray | None, operation: str
                      ) -> tuple[np.ndarray, list[np.ndarray], list[list[DirectionRun]]]:
        """run + output + the non-finite rule (FloatingPointError naming the first step, then the first of:
        layer 0's state, its cell state, layer 1's …, the output)."""
        with np.errstate(all="ignore"):
            outputs, runs = self.run(xs, h, c)
            ys = self.output(outputs[-1])
            sequences = []
            for layer, (out, layer_runs) in enumerate(zip(outputs, runs)):
                sequences.append((f"state of layer {layer}", out))
                if self.cell == "lstm":
                    sequences.append((f"cell state of layer {layer}", np.hstack([r.cs for r in layer_runs])))
            sequences.append(("output", ys))
            finite = not self._check_results or all_finite(*(values for _, values in sequences))
        if not finite:
            refuse_non_finite_steps(operation, sequences)
        return ys, outputs, runs

    def _final_states(self, runs: list[list[DirectionRun]]) -> tuple[np.ndarray, np.ndarray | None]:
        h_n = np.array([run.h_last for layer in runs for run in layer]).reshape(self._h.shape)
        c_n = None if self.cell != "lstm" else np.array([run.c_last for layer in runs for run in layer]).reshape(self._h.shape)
        return h_n, c_n

    def forward(self, xs: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Run a sequence from the current state, which ends at h_n (and c_n), as ``out, h = rnn(x, h)``.

        Parameters
        ----------
        xs : array_like, shape (T, I), T ≥ 0

        Returns
        -------
        ys : ndarray, shape (T, O)
        h_n : ndarray, shape (L·D, H)
        c_n : ndarray, shape (L·D, H), or None (not an LSTM)

        Raises
        ------
        TypeError, ValueError
            xs is not a finite real (T, I) array.
        FloatingPointError
            A state or output is not finite; the message names the first step; the state is unchanged.
        """
        xs = checked_sequence(xs, self.input_size)
        ys, _, runs = self._forward_from(xs, self._h, self._c, "forward")
        h_n, c_n = self._final_states(runs)
        self._h, self._c = h_n.copy(), None if c_n is None else c_n.copy()
        return ys, h_n, c_n

    def layer_outputs(self, xs: ArrayLike) -> list[np.ndarray]:
        """The L arrays (T, D·H) each layer passes up, from the current state; changes nothing."""
        xs = checked_sequence(xs, self.input_size)
        return self._forward_from(xs, self._h, self._c, "layer_outputs")[1]

    def step(self, x: ArrayLike) -> np.ndarray:
        """One timestep of a unidirectional stack: x (I,) → y (O,); the state advances.

        Raises
        ------
        ValueError
            The stack is bidirectional (``BIDIRECTIONAL_STEP``), or x is not a finite (I,) array.
        FloatingPointError
            A state or the output is not finite; the state is unchanged.
        """
        if self.bidirectional:
            raise ValueError(BIDIRECTIONAL_STEP)
        x = checked_vector(x, self.input_size, "x")
        ys, _, runs = self._forward_from(x[None, :], self._h, self._c, "step")
        h_n, c_n = self._final_states(runs)
        self._h, self._c = h_n, c_n
        return ys[0]

    def __repr__(self) -> str:
        return (f"RecurrentStack({self.cell!r}, num_layers={self.num_layers}, bidirectional={self.bidirectional}, "
                f"I={self.input_size}, H={self.hidden_size}, O={self.output_size}, kernel={self.kernels.name!r})")
