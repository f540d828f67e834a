"""Run two implementations of a cell side by side and measure, per timestep, how far apart they are.

Both models only need their cell's API (``h`` (and ``c``), ``reset``, ``step``, ``forward``), so the
same code compares NumPy with NumPy, NumPy with its C# twin, or either with a deliberately broken
model (the negative controls); :func:`compare_cell` takes the cell from
``rnnport.verify.cell_registry``, :func:`compare` is the RNN's.

Two ways to compare, as in the parity suite:

- **teacher-forced**: side B starts every step from side A's previous state, so each step's
  difference is that step's rounding alone;
- **free-running**: each side carries its own state, so differences may accumulate.

Two contracts: ``"bound"`` checks every element against the cell's rigorous bound
(:mod:`rnnport.verify.bounds`, :mod:`rnnport.cells.lstm_bounds`, :mod:`rnnport.verify.gru_bounds`;
fast mode); ``"identical"`` demands the same 64-bit pattern (exact mode,
where any difference at all is a bug). Distances are reported in ULPs either way.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal, Mapping, Protocol

import numpy as np

from rnnport.verify.cell_registry import QUANTITY, RNN_SPEC, CellSpec
from rnnport.verify.ulp import ulp, ulp_distance

Mode = Literal["teacher-forced", "free-running"]
Contract = Literal["bound", "identical"]


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

    def as_dict(self) -> dict:
        """JSON-ready fields."""
        return {"quantity": self.quantity, "step": self.step, "element": self.element, "a": self.a,
                "b": self.b, "ulps": self.ulps, "bound_ulps": self.bound_ulps}


@dataclass(frozen=True)
class Agreement:
    """Per-step agreement of one quantity ("state", "cell" or "output") over T steps.

    Attributes
    ----------
    max_abs : (T,) largest |a − b| at each step.
    max_ulp : (T,) largest ULP distance at each step.
    max_bound_ulp : (T,) the bound, in ULPs, at the element of largest ULP distance.
    worst_ratio : (T,) largest |a − b| / bound at each step (≤ 1 within contract).
    """

    quantity: str
    mode: Mode
    contract: Contract
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
        within = "bit-identical" if self.contract == "identical" else "within bound"
        return f"{self.mode} {self.quantity}: {within}, {worst}"

    def growth_rate(self) -> float | None:
        """Least-squares factor by which max|Δ| grows per step (1.0: flat), over the steps where it is
        non-zero; None when fewer than two such steps exist."""
        steps = np.flatnonzero(self.max_abs > 0)
        if steps.size < 2:
            return None
        slope = np.polyfit(steps.astype(float), np.log(self.max_abs[steps]), 1)[0]
        return float(np.exp(slope))

    def as_dict(self) -> dict:
        """JSON-ready summary (no per-step arrays)."""
        return {"quantity": self.quantity, "mode": self.mode, "contract": self.contract,
                "steps": int(self.max_abs.size), "ok": self.ok,
                "max_abs": float(self.max_abs.max(initial=0.0)), "max_ulp": int(self.max_ulp.max(initial=0)),
                "worst_ratio": float(self.worst_ratio.max(initial=0.0)),
                "first_differing_step": self.first_differing_step, "growth_per_step": self.growth_rate(),
                "violation": None if self.violation is None else self.violation.as_dict()}

    @property
    def first_differing_step(self) -> int | None:
        """The first step whose values are not all bit-identical, or None."""
        steps = np.flatnonzero(self.max_ulp > 0)
        return int(steps[0]) if steps.size else None


def _agreement(quantity: str, mode: Mode, contract: Contract, a: np.ndarray, b: np.ndarray,
               bound: np.ndarray) -> Agreement:
    T = a.shape[0]
    if contract == "identical":
        bound = np.zeros_like(bound)
    diff = np.abs(a - b)
    ulps = ulp_distance(a, b)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        bound_ulp = bound / ulp(np.maximum(np.abs(a), np.abs(b)))  # inf where a = b = 0: any ULP count is fine
        ratio = np.where(diff == 0.0, 0.0, diff / bound)
    if contract == "identical":
        bad = a.view(np.int64) != b.view(np.int64)  # raw bits: -0.0 is not +0.0 here
    else:
        bad = ~(diff <= bound)  # NaN differences are violations too
    violation = None
    if bad.any():
        t, i = (int(v) for v in np.argwhere(bad)[0])
        violation = Violation(quantity, t, i, float(a[t, i]), float(b[t, i]), int(ulps[t, i]), float(bound_ulp[t, i]))
    if a.size == 0:  # T = 0, or a size-0 axis: nothing to disagree about
        zeros = np.zeros(T)
        return Agreement(quantity, mode, contract, zeros, zeros.astype(np.uint64), zeros, zeros, violation)
    worst = ulps.argmax(axis=1)
    return Agreement(quantity, mode, contract, diff.max(axis=1), ulps.max(axis=1), bound_ulp[np.arange(T), worst],
                     ratio.max(axis=1), violation)


def compare_cell(spec: CellSpec, arguments: Mapping[str, Any], a: Any, b: Any, xs: np.ndarray, mode: Mode,
                 contract: Contract = "bound", progress: Callable[[int], None] | None = None) -> list[Agreement]:
    """Run models A and B of one cell from their initial states over xs (T, I) and compare every quantity.

    Parameters
    ----------
    spec : the cell (``rnnport.verify.cell_registry``)
    arguments : the keyword arguments A was built from; they define the bounds
    a, b : the two models, A the reference
    xs : (T, I)
    mode, contract, progress : as :func:`compare`

    Returns
    -------
    One Agreement per quantity, states first: state[, cell], output.
    """
    a.reset()
    b.reset()
    first = {name: getattr(a, name) for name in spec.states}  # the initial states, after reset
    ran_a = spec.forward(a, xs)

    def previous(run: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {n: np.vstack([first[n][None, :], run[n][:-1]]) for n in spec.states}

    prev_a = previous(ran_a)
    if mode == "teacher-forced":
        T = xs.shape[0]
        ran_b = {n: np.empty_like(v) for n, v in ran_a.items()}
        for t in range(T):
            for n in spec.states:
                setattr(b, n, prev_a[n][t])
            ran_b["y"][t] = b.step(xs[t])
            for n in spec.states:
                ran_b[n][t] = getattr(b, n)
            if progress is not None:
                progress(1)
        prev_b = prev_a
    else:
        ran_b = spec.forward(b, xs)
        prev_b = previous(ran_b)
        if progress is not None:
            progress(xs.shape[0])
    bounds = spec.bounds(arguments, xs, prev_a, prev_b, ran_a, ran_b)
    return [_agreement(QUANTITY[n], mode, contract, ran_a[n], ran_b[n], bounds[n]) for n in spec.quantities]


def compare(a: Model, b: Model, xs: np.ndarray, mode: Mode, contract: Contract = "bound",
            progress: Callable[[int], None] | None = None) -> tuple[Agreement, Agreement]:
    """Run RNNs A and B from their initial states over xs (T, I) and compare state and output.

    A is the reference: its weights define the bounds, and in teacher-forced mode B starts each step
    from A's previous state. Both models are reset before and left at the end of the run.
    ``progress(n)`` is called as steps complete (teacher-forced runs go step by step).
    :func:`compare_cell` is the same for any registered cell.

    Returns
    -------
    (state agreement, output agreement)
    """
    state, output = compare_cell(RNN_SPEC, RNN_SPEC.arguments(a), a, b, xs, mode, contract, progress)
    return state, output
