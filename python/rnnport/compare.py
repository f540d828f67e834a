"""Run two RNN implementations side by side and measure, per timestep, how far apart they are.

Both models only need ``rnnport.RNN``'s API (``h``, ``reset``, ``step``, ``forward`` and the NumPy
layout weights), so the same code compares NumPy with NumPy, NumPy with ``DotNetRNN``, or either
with a deliberately broken model (the negative controls).

Two ways to compare, as in the parity suite:

- **teacher-forced**: side B starts every step from side A's previous state, so each step's
  difference is that step's rounding alone;
- **free-running**: each side carries its own state, so differences may accumulate.

Every element is checked against the rigorous bound of :mod:`rnnport.bounds`; distances are also
reported in ULPs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from rnnport.bounds import output_bound, state_bound
from rnnport.ulp import ulp, ulp_distance

Mode = Literal["teacher-forced", "free-running"]


class Model(Protocol):
    """What :func:`compare` needs of a model: ``rnnport.RNN``'s API."""

    W_xh: np.ndarray
    W_hh: np.ndarray
    W_hy: np.ndarray
    h0: np.ndarray
    h: np.ndarray
    activation: str

    def step(self, x: np.ndarray) -> np.ndarray: ...
    def forward(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...
    def reset(self) -> None: ...


@dataclass(frozen=True)
class Violation:
    """The first element, in time order, whose difference exceeds its bound."""

    quantity: str
    step: int
    element: int
    a: float
    b: float
    ulps: int
    bound_ulps: float

    def __str__(self) -> str:
        return (f"{self.quantity}[t={self.step}, i={self.element}]: A={self.a!r} B={self.b!r} "
                f"differ by {self.ulps} ULP (|Δ|={abs(self.a - self.b):.3e}), bound {self.bound_ulps:.1f} ULP")


@dataclass(frozen=True)
class Agreement:
    """Per-step agreement of one quantity ("state" or "output") over T steps.

    Attributes
    ----------
    max_abs : (T,) largest |a − b| at each step.
    max_ulp : (T,) largest ULP distance at each step.
    max_bound_ulp : (T,) the bound, in ULPs, at the element of largest ULP distance.
    worst_ratio : (T,) largest |a − b| / bound at each step (≤ 1 within contract).
    """

    quantity: str
    mode: Mode
    max_abs: np.ndarray
    max_ulp: np.ndarray
    max_bound_ulp: np.ndarray
    worst_ratio: np.ndarray
    violation: Violation | None

    @property
    def ok(self) -> bool:
        """True when every element of every step is within its bound."""
        return self.violation is None

    def describe(self) -> str:
        """One line: the mode, the quantity, and the first violation or the worst step."""
        if self.violation is not None:
            return f"{self.mode} {self.violation}"
        worst = f"max {int(self.max_ulp.max())} ULP" if self.max_ulp.size else "no steps"
        return f"{self.mode} {self.quantity}: within bound, {worst}"

    @property
    def first_differing_step(self) -> int | None:
        """The first step whose values are not all bit-identical, or None."""
        steps = np.flatnonzero(self.max_ulp > 0)
        return int(steps[0]) if steps.size else None


def _agreement(quantity: str, mode: Mode, a: np.ndarray, b: np.ndarray, bound: np.ndarray) -> Agreement:
    T = a.shape[0]
    diff = np.abs(a - b)
    ulps = ulp_distance(a, b)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        bound_ulp = bound / ulp(np.maximum(np.abs(a), np.abs(b)))  # inf where a = b = 0: any ULP count is fine
        ratio = np.where(diff == 0.0, 0.0, diff / bound)
    bad = ~(diff <= bound)  # NaN differences are violations too
    violation = None
    if bad.any():
        t, i = (int(v) for v in np.argwhere(bad)[0])
        violation = Violation(quantity, t, i, float(a[t, i]), float(b[t, i]), int(ulps[t, i]), float(bound_ulp[t, i]))
    if a.size == 0:  # T = 0, or a size-0 axis: nothing to disagree about
        zeros = np.zeros(T)
        return Agreement(quantity, mode, zeros, zeros.astype(np.uint64), zeros, zeros, violation)
    worst = ulps.argmax(axis=1)
    return Agreement(quantity, mode, diff.max(axis=1), ulps.max(axis=1), bound_ulp[np.arange(T), worst],
                     ratio.max(axis=1), violation)


def compare(a: Model, b: Model, xs: np.ndarray, mode: Mode) -> tuple[Agreement, Agreement]:
    """Run models A and B from their initial states over xs (T, I) and compare state and output.

    A is the reference: its weights define the bounds, and in teacher-forced mode B starts each step
    from A's previous state. Both models are reset before and left at the end of the run.

    Returns
    -------
    (state agreement, output agreement)
    """
    a.reset()
    b.reset()
    ys_a, hs_a = a.forward(xs)
    h0 = a.h0
    prev_a = np.vstack([h0[None, :], hs_a[:-1]])  # (T, H): the state each step started from
    if mode == "teacher-forced":
        T = xs.shape[0]
        hs_b = np.empty_like(hs_a)
        ys_b = np.empty_like(ys_a)
        for t in range(T):
            b.h = prev_a[t]
            ys_b[t] = b.step(xs[t])
            hs_b[t] = b.h
        prev_b = prev_a
    else:
        ys_b, hs_b = b.forward(xs)
        prev_b = np.vstack([h0[None, :], hs_b[:-1]])
    h_bound = state_bound(a.W_xh, a.W_hh, xs, prev_a, prev_b, hs_a, hs_b, a.activation)
    y_bound = output_bound(a.W_hy, hs_a, hs_b)
    return (_agreement("state", mode, hs_a, hs_b, h_bound),
            _agreement("output", mode, ys_a, ys_b, y_bound))
