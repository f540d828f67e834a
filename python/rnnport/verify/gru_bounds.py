"""A rigorous per-element bound on how far two correct GRU implementations can differ in one step.

The terms, per side (u = 2⁻⁵³, γ_n = n·u/(1 − n·u); docs/exact-mode.md, "GRU", gives the derivation):

- gate pre-activations: ``gi = W_ih x + b_ih`` and ``gh = W_hh h + b_hh`` are sums of at most
  n + 1 terms, n = max(I, H), so each side is within γ_{n+1} S of the real value, S = |W||v| + |b|
  (any summation order, FMA or not; Higham Thm 3.1). ``gi + gh`` adds one more rounding: γ_{n+2}.
  A state that already differs by Δh carries |W_hh| Δh into gh.
- σ is ¼-Lipschitz; each side's σ = 1/(1 + exp(−a)) adds exp's error (``EXP_ULPS``, both sides
  together), one addition and one division: relative (2·EXP_ULPS + 4)·u of σ for the pair.
- tanh is 1-Lipschitz, plus ``TANH_ULPS`` (both sides) at the result.
- products ``r·gh_n``, ``(1 − z)·n``, ``z·h`` and the sums: |a·b − â·b̂| ≤ |a|Δb + |b|Δa + ΔaΔb,
  plus a rounding of u per side per operation. The last line, h' = (1 − z)n + zh, is bounded for
  any order of evaluation that rounds at most three times (torch computes (h − n)·z + n): each side
  within 3u(|n| + |h|) + O(u²), written 4u.

Magnitudes (|r|, |gh_n| …) are taken from one side's float64 values, which differ from the real ones
by relative O(γ); ``SAFETY`` (1e-6 relative) and the ε² terms cover that and the bound's own rounding.
Subnormal results add up to η/2 per operation in absolute terms (``UNDERFLOW``).
"""
from __future__ import annotations

import numpy as np

from rnnport.verify.bounds import ETA, SAFETY, TANH_ULPS, U, gamma

EXP_ULPS = 6.0  # NumPy's SIMD exp and the C library's (or torch's) exp together, as TANH_ULPS for tanh


def _sigmoid(a: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-a))


def gru_state_bound(W_ih: np.ndarray, W_hh: np.ndarray, b_ih: np.ndarray | None, b_hh: np.ndarray | None,
                    x: np.ndarray, h_prev_a: np.ndarray, h_prev_b: np.ndarray,
                    dx: np.ndarray | None = None) -> np.ndarray:
    """Bound on |h_a − h_b| after one step, each side having started from its own previous state.

    Parameters
    ----------
    W_ih : (3H, I)
    W_hh : (3H, H)
    b_ih, b_hh : (3H,) or None
    x : (I,) or (T, I)
        Side a's input.
    h_prev_a, h_prev_b : (H,) or (T, H)
        The two sides' previous states (equal when teacher-forced).
    dx : (I,) or (T, I), optional
        |x_a − x_b| when the two sides' inputs differ (a stack's upper layers); zero when omitted.

    Returns
    -------
    (H,) or (T, H) absolute bounds.
    """
    H, I = W_hh.shape[1], W_ih.shape[1]
    g = gamma(max(H, I) + 2)
    hp = np.maximum(np.abs(h_prev_a), np.abs(h_prev_b))
    dh_prev = np.abs(h_prev_a - h_prev_b)
    zero = np.zeros(3 * H)
    bi, bh = (zero if b is None else b for b in (b_ih, b_hh))
    dx = np.zeros_like(x) if dx is None else dx
    S_i = (np.abs(x) + dx) @ np.abs(W_ih).T + np.abs(bi)      # (…, 3H)
    S_h = hp @ np.abs(W_hh).T + np.abs(bh)
    d_gi = 2.0 * g * S_i + dx @ np.abs(W_ih).T
    d_gh = 2.0 * g * S_h + dh_prev @ np.abs(W_hh).T
    gi = x @ W_ih.T + bi
    gh = h_prev_a @ W_hh.T + bh
    s = lambda v: v[..., :H]  # noqa: E731 -- the gate blocks r, z, n
    m = lambda v: v[..., H:2 * H]  # noqa: E731
    e = lambda v: v[..., 2 * H:]  # noqa: E731
    sig_rel = (2.0 * EXP_ULPS + 4.0) * U
    sig_abs = 2.0 * np.finfo(np.float64).tiny  # exp(−a) = inf on one side only: σ = 0 against a subnormal
    r, z = _sigmoid(s(gi) + s(gh)), _sigmoid(m(gi) + m(gh))
    d_r = 0.25 * (s(d_gi) + s(d_gh)) + sig_rel * r + sig_abs
    d_z = 0.25 * (m(d_gi) + m(d_gh)) + sig_rel * z + sig_abs
    r_max, z_max = r + d_r, np.minimum(z + d_z, 1.0)
    gh_n = np.abs(e(gh)) + e(d_gh)
    d_rgh = r_max * e(d_gh) + gh_n * d_r + d_r * e(d_gh) + 2.0 * U * r_max * gh_n
    arg_n = np.abs(e(gi)) + e(d_gi) + r_max * gh_n
    d_arg = e(d_gi) + d_rgh + 2.0 * U * arg_n
    n = np.tanh(e(gi) + r * e(gh))
    n_max = np.minimum(np.abs(n) + d_arg, 1.0)
    d_n = d_arg + TANH_ULPS * np.spacing(n_max)
    d_h = ((1.0 - z) + d_z) * d_n + n_max * d_z + z_max * dh_prev + hp * d_z + d_z * dh_prev \
        + 2.0 * 4.0 * U * (n_max + hp)
    underflow = 2.0 * (max(H, I) + 12) * ETA
    return SAFETY * (d_h + underflow)


def gru_output_bound(W_hy: np.ndarray, b_y: np.ndarray | None, h_a: np.ndarray, h_b: np.ndarray) -> np.ndarray:
    """Bound on |y_a − y_b|, y = W_hy h (+ b_y), given the two sides' states.

    Parameters
    ----------
    W_hy : (O, H)
    b_y : (O,) or None
    h_a, h_b : (H,) or (T, H)

    Returns
    -------
    (O,) or (T, O) absolute bounds.
    """
    A_T = np.abs(W_hy).T
    H = W_hy.shape[1]
    S = np.maximum(np.abs(h_a), np.abs(h_b)) @ A_T + (0.0 if b_y is None else np.abs(b_y))
    underflow = 2.0 * (H + 2) * ETA
    return SAFETY * (2.0 * gamma(H + 1) * S + np.abs(h_a - h_b) @ A_T + underflow)
